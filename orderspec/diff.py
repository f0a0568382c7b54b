"""`orderspec diff OLD NEW`: what changed between two sets of order specs, in the requests that
would be sent and in the money the offline preview computes (MRR, TCV, invoiced in the preview
window) -- as text, or as Markdown to post on a pull request.

OLD and NEW are two spec files, two directories (orders are matched by their path below each
directory), or with `--git REV` the same paths at a git revision and in the working tree (or at a
second `--git REV`). Exit status like diff(1): 0 no differences, 1 differences, 2 trouble.
"""

from __future__ import annotations

import html
import os
import tempfile
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Iterator

from orderspec.diagnostics import Severity
from orderspec.files import write_atomically
from orderspec.load import Limits
from orderspec.revisions import RevisionError, export_revision, repository_root

if TYPE_CHECKING:
    from orderspec.pipeline import Options

MAX_VALUE_TEXT = 80
FIGURES = (("mrr", "MRR"), ("tcv", "TCV"), ("invoiced", "Invoiced"))


class DiffError(Exception):
    """Inputs that cannot be compared (missing paths, files against directories)."""


@dataclass
class Order:
    """One order as `orderspec diff` sees it: its rendered request and its offline figures."""

    key: str
    target: str = ""
    fields: dict[str, Any] = field(default_factory=dict)  # flattened: "/pointer" -> scalar
    figures: dict[str, Decimal | None] = field(default_factory=dict)
    uncomputed: int = 0  # charges and order actions whose figures are unknown offline
    errors: int = 0  # lint errors: no request, no figures


@dataclass
class Change:
    key: str
    status: str  # added | removed | changed | unchanged
    old: Order | None
    new: Order | None
    fields: list[tuple[str, Any, Any]] = field(default_factory=list)  # (pointer, old, new); _MISSING when absent

    def figure(self, side: str, name: str) -> Decimal | None:
        order = self.old if side == "old" else self.new
        if order is None:
            return Decimal(0)  # an added order had no money before; a removed one has none after
        return order.figures.get(name)

    def figures(self, name: str) -> tuple[Decimal | None, Decimal | None]:
        """(before, after) of one figure."""
        return self.figure("old", name), self.figure("new", name)


class _Missing:
    def __repr__(self) -> str:
        return "(absent)"


MISSING: Any = _Missing()


def flatten(value: Any, pointer: str = "") -> Iterator[tuple[str, Any]]:
    if isinstance(value, dict):
        if not value:
            yield pointer or "/", {}
        for key, item in value.items():
            yield from flatten(item, f"{pointer}/{str(key).replace('~', '~0').replace('/', '~1')}")
    elif isinstance(value, list):
        if not value:
            yield pointer or "/", []
        for index, item in enumerate(value):
            yield from flatten(item, f"{pointer}/{index}")
    else:
        yield pointer or "/", value


# -- reading one side ---------------------------------------------------------------------------

def snapshot(paths: list[str], root: str, bill_cycle_day: int | None = None,
             options: Options | None = None) -> dict[str, Order]:
    """The orders found below `paths`, keyed by their path relative to `root` (and document number),
    linted and expanded as `orderspec lint` would with `options` (configuration, expand context),
    priced against the tenant's state the options hold."""
    from orderspec import pipeline
    from orderspec.model import choose_endpoint
    from orderspec.preview.command import configured_plan
    from orderspec.preview.state import tenant_state
    from orderspec.preview.text import totals
    from orderspec.render import render

    options = options or pipeline.Options()
    state = tenant_state(options.state, options.config.invoice_settlement)
    result = pipeline.run(paths, options, keep_requests=True)
    orders: dict[str, Order] = {}
    for file_result in result.files:
        relative = os.path.relpath(file_result.path, root) if root else os.path.basename(file_result.path)
        relative = relative.replace(os.sep, "/")
        errors = sum(1 for d in file_result.diagnostics if d.severity is Severity.ERROR)
        if errors:
            orders[relative] = Order(relative, errors=errors)
            continue
        for request in file_result.requests:
            key = relative if request.index == 0 else f"{relative}#{request.index + 1}"
            endpoint = choose_endpoint(request, options.config.limits.sync)
            rendered = render(request, endpoint)
            order = Order(key, f"{endpoint.method} {rendered.target}")
            # The fields as sent (render's body); the figures below use the numbers the API reads.
            order.fields = {f"/body{k}" if k != "/" else "/body": v for k, v in flatten(request.body_as_written)}
            for name, value in rendered.headers.items():
                if name != "Idempotency-Key":  # derived from the body: it changes whenever the body does
                    order.fields[f"/headers/{name}"] = value
            plan = configured_plan(request, options, state, bill_cycle_day)
            order.figures = dict(totals(plan))
            order.uncomputed = len(plan.unpriced)
            orders[key] = order
    return orders


def compare(old: dict[str, Order], new: dict[str, Order]) -> list[Change]:
    changes: list[Change] = []
    for key in sorted(set(old) | set(new)):
        before, after = old.get(key), new.get(key)
        if before is None:
            changes.append(Change(key, "added", None, after))
            continue
        if after is None:
            changes.append(Change(key, "removed", before, None))
            continue
        fields = [(p, before.fields.get(p, MISSING), after.fields.get(p, MISSING))
                  for p in sorted(set(before.fields) | set(after.fields), key=_pointer_order)
                  if before.fields.get(p, MISSING) != after.fields.get(p, MISSING)
                  or type(before.fields.get(p, MISSING)) is not type(after.fields.get(p, MISSING))]
        if before.target != after.target:
            fields.insert(0, ("(endpoint)", before.target, after.target))
        if before.errors != after.errors:
            fields.insert(0, ("(lint errors)", before.errors, after.errors))
        changes.append(Change(key, "changed" if fields else "unchanged", before, after, fields))
    return changes


def _pointer_order(pointer: str) -> list[tuple[int, Any]]:
    return [(0, int(part)) if part.isdigit() else (1, part) for part in pointer.split("/")]


# -- the two sides from files, directories or git -----------------------------------------------

def diff_paths(old: str, new: str, bill_cycle_day: int | None = None,
               options: Options | None = None) -> list[Change]:
    """Two spec files, or two directories."""
    for path in (old, new):
        if not os.path.exists(path):
            raise DiffError(f"no such file or directory: {path}")
    if os.path.isdir(old) != os.path.isdir(new):
        raise DiffError("compare a file with a file, or a directory with a directory")
    if os.path.isdir(old):
        return compare(snapshot([old], old, bill_cycle_day, options), snapshot([new], new, bill_cycle_day, options))
    # Two files: the same order before and after, whatever the files are called.
    name = os.path.basename(new)
    before = {k.replace(os.path.basename(old), name, 1): v
              for k, v in snapshot([old], "", bill_cycle_day, options).items()}
    for order in before.values():
        order.key = order.key.replace(os.path.basename(old), name, 1)
    return compare(before, snapshot([new], "", bill_cycle_day, options))


def diff_git(revisions: tuple[str, ...], paths: list[str], bill_cycle_day: int | None = None,
             options: Options | None = None) -> list[Change]:
    """`paths` at revisions[0] against the working tree, or against revisions[1].

    The configuration and expand context (catalog, values files, template folders) are the
    working tree's for both sides; only files below `paths` are read at a revision."""
    cwd = os.getcwd()
    limits = options.limits if options is not None else Limits()
    root = repository_root(cwd)
    with tempfile.TemporaryDirectory(prefix="orderspec-diff-") as temp:
        old_root = os.path.join(temp, "old")
        old = snapshot(_existing(export_revision(revisions[0], paths, old_root, limits)), old_root, bill_cycle_day,
                       options)
        if len(revisions) > 1:
            new_root = os.path.join(temp, "new")
            new = snapshot(_existing(export_revision(revisions[1], paths, new_root, limits)), new_root, bill_cycle_day,
                           options)
        else:
            missing = [p for p in paths if not os.path.exists(p)]
            if missing:
                raise DiffError(f"no such file or directory: {', '.join(missing)}")
            new = snapshot([os.path.realpath(p) for p in paths], os.path.realpath(root), bill_cycle_day, options)
    return compare(old, new)


def _existing(paths: list[str]) -> list[str]:
    return [p for p in paths if os.path.exists(p)]


# -- reports ------------------------------------------------------------------------------------

def _money(value: Decimal | None) -> str:
    return "?" if value is None else f"{value:,.2f}"


def _delta(before: Decimal | None, after: Decimal | None) -> str:
    if before is None or after is None:
        return "?"
    difference = after - before
    return ("+" if difference > 0 else "") + f"{difference:,.2f}" if difference else "0.00"


def _show(value: Any) -> str:
    if value is MISSING:
        return "(absent)"
    from orderspec.render import canonical_json

    text = value if isinstance(value, str) else canonical_json(value).decode("utf-8").strip()
    return text if len(text) <= MAX_VALUE_TEXT else text[:MAX_VALUE_TEXT - 1] + "…"


def _partial(change: Change) -> bool:
    return any(o is not None and (o.uncomputed or o.errors) for o in (change.old, change.new))


def totals(changes: list[Change]) -> dict[str, tuple[Decimal | None, Decimal | None]]:
    result: dict[str, tuple[Decimal | None, Decimal | None]] = {}
    for name, _ in FIGURES:
        sides = []
        for side in ("old", "new"):
            values = [c.figure(side, name) for c in changes]
            known = [v for v in values if v is not None]
            sides.append(sum(known, Decimal(0)) if len(known) == len(values) else None)
        result[name] = (sides[0], sides[1])
    return result


def text_report(changes: list[Change]) -> str:
    marks = {"added": "+", "removed": "-", "changed": "~", "unchanged": " "}
    lines: list[str] = []
    for change in changes:
        if change.status == "unchanged":
            continue
        lines.append(f"{marks[change.status]} {change.key} ({change.status})")
        for pointer, before, after in change.fields:
            mark = "+" if before is MISSING else "-" if after is MISSING else "~"
            lines.append(f"    {mark} {pointer}: {_show(before)} -> {_show(after)}")
        money = "   ".join(f"{label} {_money(change.figure('old', name))} -> {_money(change.figure('new', name))} "
                           f"({_delta(*change.figures(name))})" for name, label in FIGURES)
        lines.append(f"    {money}" + ("   * not all of it computed offline" if _partial(change) else ""))
    if not lines:
        return "no differences\n"
    summary = totals(changes)
    counts = {s: sum(1 for c in changes if c.status == s) for s in ("changed", "added", "removed")}
    lines.append("")
    lines.append(f"{counts['changed']} changed, {counts['added']} added, {counts['removed']} removed; total "
                 + "   ".join(f"{label} {_money(summary[name][0])} -> {_money(summary[name][1])}"
                              for name, label in FIGURES))
    return "\n".join(lines) + "\n"


def _cell(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def _code(text: str) -> str:
    text = _cell(text)
    fence = "``" if "`" in text else "`"
    return f"{fence} {text} {fence}" if fence == "``" else f"`{text}`"


def markdown_report(changes: list[Change]) -> str:
    shown = [c for c in changes if c.status != "unchanged"]
    counts = {s: sum(1 for c in changes if c.status == s) for s in ("changed", "added", "removed")}
    lines = [f"### orderspec diff: {counts['changed']} changed, {counts['added']} added, "
             f"{counts['removed']} removed", ""]
    if not shown:
        return "\n".join(lines + ["No differences.", ""])
    header = ["Order", "Change"]
    for _, label in FIGURES:
        header += [f"{label} before", f"{label} after", f"Δ {label}"]
    lines.append("| " + " | ".join(header) + " |")
    lines.append("|" + "|".join(["---", "---"] + ["---:"] * (len(header) - 2)) + "|")
    partial = False
    for change in shown:
        row = [_code(change.key) + (" \\*" if _partial(change) else ""), change.status]
        partial = partial or _partial(change)
        for name, _ in FIGURES:
            before, after = change.figures(name)
            row += [_money(before), _money(after), _delta(before, after)]
        lines.append("| " + " | ".join(row) + " |")
    summary = totals(changes)
    row = ["**Total**", ""]
    for name, _ in FIGURES:
        before, after = summary[name]
        row += [_money(before), _money(after), f"**{_delta(before, after)}**"]
    lines.append("| " + " | ".join(row) + " |")
    lines.append("")
    if partial:
        lines += ["\\* some charges or order actions of this order cannot be computed offline (or the spec has "
                  "lint errors); its figures leave them out.", ""]
    lines.append("Figures from the offline preview (amounts without tax); invoiced = the spec's preview window.")
    lines.append("")
    for change in shown:
        if not change.fields:
            continue
        lines += ["<details>", f"<summary>{html.escape(change.key)}: {len(change.fields)} field(s) changed</summary>", "",
                  "| Field | Before | After |", "|---|---|---|"]
        lines += [f"| {_code(p)} | {_code(_show(b))} | {_code(_show(a))} |" for p, b, a in change.fields]
        lines += ["", "</details>", ""]
    return "\n".join(lines)


def run_command(paths: tuple[str, ...], revisions: tuple[str, ...], markdown: bool, bill_cycle_day: int | None,
                output: str | None, options: Options | None = None) -> int:
    """The `orderspec diff` command; returns the exit status."""
    import click

    try:
        if revisions:
            if len(revisions) > 2:
                raise DiffError("give --git once (REV against the working tree) or twice (REV against REV)")
            changes = diff_git(revisions, list(paths) or ["."], bill_cycle_day, options)
        else:
            if len(paths) != 2:
                raise DiffError("give OLD and NEW (two spec files or two directories), or --git REV [PATH...]")
            changes = diff_paths(paths[0], paths[1], bill_cycle_day, options)
    except (DiffError, RevisionError) as problem:
        click.echo(f"orderspec: {problem}", err=True)
        return 2
    report = markdown_report(changes) if markdown else text_report(changes)
    if output:
        try:
            write_atomically(output, report)
        except OSError as problem:
            click.echo(f"orderspec: cannot write {output}: {problem.strerror or problem}", err=True)
            return 2
    else:
        click.echo(report, nl=False)
    return 1 if any(c.status != "unchanged" for c in changes) else 0
