"""Rule documentation as text: the `rules` and `explain` commands and docs/rules.md."""

from __future__ import annotations

from orderspec.registry import RULES, Rule

FAMILIES = {
    "Y": "Loading YAML and JSON",
    "F": "The spec wrapper",
    "S": "The request body against the API's JSON Schema",
    "L": "The API's limits",
    "R": "Rules across fields",
    "H": "Request headers",
    "T": "Templates, values and catalog",
    "D": "Dispatch",
    "P": "Offline preview",
    "Z": "State files (subscriptions and accounts)",
}


def rules_table() -> str:
    width = max((len(r.name) for r in RULES.values()), default=0)
    return "".join(f"{r.code}  {r.severity.value:<7}  {r.name:<{width}}  {r.summary}\n"
                   for r in sorted(RULES.values(), key=lambda r: r.code))


def explain(rule: Rule) -> str:
    parts = [f"{rule.code} {rule.name} ({rule.severity.value})", "", rule.summary]
    if rule.explanation:
        parts += ["", rule.explanation]
    for title, example in (("Bad:", rule.bad), ("Good:", rule.good)):
        if example:
            parts += ["", title] + [f"    {line}" for line in example.splitlines()]
    return "\n".join(parts) + "\n"


def markdown() -> str:
    """docs/rules.md: every code, grouped by family."""
    out = ["# orderspec rules", "",
           "Every diagnostic code orderspec reports. `orderspec rules` lists them and "
           "`orderspec explain CODE` prints one. Silence a code with `# orderspec: ignore[CODE]` on "
           "the line (or the line above), or configure codes and severities in `[tool.orderspec]`.",
           "", "This file is generated: `orderspec rules --format markdown > docs/rules.md`.", ""]
    for family, title in FAMILIES.items():
        rules = sorted((r for r in RULES.values() if r.code.startswith(family)), key=lambda r: r.code)
        if not rules:
            continue
        out += [f"## {family}: {title}", ""]
        for rule in rules:
            out += [f"### {rule.code} `{rule.name}` ({rule.severity.value})", "", rule.summary, ""]
            if rule.explanation:
                out += [rule.explanation, ""]
            for label, example in (("Bad", rule.bad), ("Good", rule.good)):
                if example:
                    out += [f"{label}:", "", "```yaml", example, "```", ""]
    return "\n".join(out)
