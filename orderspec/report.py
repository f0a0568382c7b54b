"""Lint results as text for people and as the formats CI services read: JSON, SARIF 2.1.0,
GitHub workflow-command annotations and JUnit XML.

Every format is a pure function of the checked files and their diagnostics, so the same batch
always gives the same bytes (the golden tests rely on it) whatever the number of worker processes.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import TYPE_CHECKING, Any, Callable, Sequence, TextIO
from urllib.parse import quote

from orderspec import __version__
from orderspec.diagnostics import DEFAULT_NOTE, Diagnostic, Severity, to_json_report

if TYPE_CHECKING:
    from click._termui_impl import ProgressBar

FORMATS = ("text", "json", "sarif", "github", "junit")

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
SARIF_VERSION = "2.1.0"
SARIF_LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
GITHUB_COMMANDS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


@dataclass(frozen=True)
class Report:
    """What one lint run found: the files checked (in order) and every diagnostic (sorted)."""

    files: Sequence[str]
    diagnostics: Sequence[Diagnostic]
    fail_on: Severity = Severity.ERROR  # the lowest severity that fails a file (JUnit)


# -- text ---------------------------------------------------------------------------------------

_SEVERITY_COLOURS = {Severity.ERROR: "red", Severity.WARNING: "yellow", Severity.INFO: "blue"}


def wants_colour(stream: TextIO) -> bool:
    """Colour only for a person at a terminal, and never when NO_COLOR is set (no-color.org)."""
    if os.environ.get("NO_COLOR"):
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def _style(text: str, colour: bool, **styles: Any) -> str:
    if not colour:
        return text
    import click  # only on a terminal; the CLI has imported it already

    return click.style(text, **styles)


def text_lines(report: Report, *, colour: bool = False) -> str:
    """One `path:line:col: CODE [severity] message` line per diagnostic (notes indented below it)."""
    lines: list[str] = []
    for d in report.diagnostics:
        if not colour:
            lines.append(d.text())
            continue
        where = _style(f"{d.path}:{d.line}:{d.column}:", True, bold=True)
        code = _style(d.code, True, fg=_SEVERITY_COLOURS[d.severity], bold=True)
        severity = _style(f"[{d.severity.value}]", True, fg=_SEVERITY_COLOURS[d.severity])
        lines.append(f"{where} {code} {severity} {d.message}")
        for loc in d.related:
            lines.append(_style(f"  {loc.note_line()}", True, dim=True))
    return "\n".join(lines) + ("\n" if lines else "")


def summary(report: Report) -> str:
    files = len(report.files)
    noun = "file" if files == 1 else "files"
    if not report.diagnostics:
        return f"{files} {noun} checked, no problems"
    errors = sum(1 for d in report.diagnostics if d.severity is Severity.ERROR)
    warnings = sum(1 for d in report.diagnostics if d.severity is Severity.WARNING)
    return f"{errors} error(s), {warnings} warning(s) in {files} {noun}"


def to_text(report: Report, *, colour: bool = False) -> str:
    """The text report as written to a file: the diagnostics, then the summary line."""
    return text_lines(report, colour=colour) + summary(report) + "\n"


# -- JSON ---------------------------------------------------------------------------------------

def to_json(report: Report) -> str:
    return to_json_report(len(report.files), list(report.diagnostics)) + "\n"


# -- SARIF 2.1.0 --------------------------------------------------------------------------------

def repository_path(path: str) -> str:
    """The path as code-scanning services want it: relative to the working directory (the
    repository root in CI) when it lies below it, with forward slashes and no leading `./`."""
    pure = PurePath(path)
    if pure.is_absolute():
        try:
            pure = PurePath(os.path.relpath(path))
        except ValueError:  # another drive on Windows
            return pure.as_posix()
        if pure.parts[:1] == ("..",):
            return PurePath(path).as_posix()
    posix = pure.as_posix()
    while posix.startswith("./"):
        posix = posix[2:]
    return posix


def artifact_uri(path: str) -> tuple[str, str | None]:
    """A SARIF artifact URI for a path, and the uriBaseId it is relative to (None if absolute)."""
    relative = repository_path(path)
    if PurePath(relative).is_absolute():
        return Path(relative).as_uri(), None
    return quote(relative, safe="/"), "%SRCROOT%"


def _rule_help(code: str) -> tuple[str, str]:
    from orderspec.registry import RULES

    rule = RULES[code]
    text = [rule.summary]
    markdown = [rule.summary]
    if rule.explanation:
        text.append(rule.explanation)
        markdown.append(rule.explanation)
    if rule.bad:
        text.append(f"Bad:\n{rule.bad}")
        markdown.append(f"Bad:\n```yaml\n{rule.bad}\n```")
    if rule.good:
        text.append(f"Good:\n{rule.good}")
        markdown.append(f"Good:\n```yaml\n{rule.good}\n```")
    return "\n\n".join(text), "\n\n".join(markdown)


def sarif_rules() -> list[dict[str, object]]:
    """Every registered rule as a SARIF reportingDescriptor, sorted by code."""
    from orderspec.registry import RULES

    descriptors: list[dict[str, object]] = []
    for code in sorted(RULES):
        rule = RULES[code]
        help_text, help_markdown = _rule_help(code)
        descriptors.append({
            "id": rule.code,
            "name": rule.name,
            "shortDescription": {"text": rule.summary},
            "fullDescription": {"text": rule.explanation or rule.summary},
            "help": {"text": help_text, "markdown": help_markdown},
            "defaultConfiguration": {"level": SARIF_LEVELS[rule.severity]},
        })
    return descriptors


def _sarif_location(path: str, line: int, column: int) -> dict[str, object]:
    uri, base = artifact_uri(path)
    artifact: dict[str, object] = {"uri": uri}
    if base:
        artifact["uriBaseId"] = base
    return {"physicalLocation": {
        "artifactLocation": artifact,
        "region": {"startLine": max(line, 1), "startColumn": max(column, 1)},
    }}


def to_sarif_log(report: Report) -> dict[str, object]:
    rules = sarif_rules()
    index = {rule["id"]: i for i, rule in enumerate(rules)}
    results: list[dict[str, object]] = []
    for d in report.diagnostics:
        result: dict[str, object] = {
            "ruleId": d.code,
            "level": SARIF_LEVELS[d.severity],
            "message": {"text": d.message},
            "locations": [_sarif_location(d.path, d.line, d.column)],
        }
        if d.code in index:
            result["ruleIndex"] = index[d.code]
        if d.pointer:
            result["properties"] = {"pointer": d.pointer}
        if d.related:
            result["relatedLocations"] = [
                {"id": i, **_sarif_location(loc.path, loc.line, loc.column),
                 "message": {"text": loc.note or DEFAULT_NOTE}}
                for i, loc in enumerate(d.related)
            ]
        results.append(result)
    return {
        "$schema": SARIF_SCHEMA,
        "version": SARIF_VERSION,
        "runs": [{
            "tool": {"driver": {
                "name": "orderspec",
                "version": __version__,
                "semanticVersion": __version__,
                "rules": rules,
            }},
            # Columns come from the YAML parser, which counts characters, not UTF-16 units.
            "columnKind": "unicodeCodePoints",
            "originalUriBaseIds": {"%SRCROOT%": {"description": {"text": "the directory orderspec ran in"}}},
            "results": results,
        }],
    }


def to_sarif(report: Report) -> str:
    return json.dumps(to_sarif_log(report), indent=2, ensure_ascii=False) + "\n"


# -- GitHub workflow commands -------------------------------------------------------------------

def github_escape_data(text: str) -> str:
    """Escape a workflow command's message (GitHub's rules: %, CR, LF)."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def github_escape_property(text: str) -> str:
    """Escape a workflow command's property value: as data, plus `:` and `,`."""
    return github_escape_data(text).replace(":", "%3A").replace(",", "%2C")


def to_github(report: Report) -> str:
    lines: list[str] = []
    for d in report.diagnostics:
        message = d.message
        for loc in d.related:
            message += f"\n{loc.note_line()}"
        path = repository_path(d.path)
        properties = ",".join(
            f"{name}={github_escape_property(value)}"
            for name, value in (("file", path), ("line", str(d.line)), ("col", str(d.column)),
                                ("title", d.code))
        )
        lines.append(f"::{GITHUB_COMMANDS[d.severity]} {properties}::{github_escape_data(message)}")
    return "\n".join(lines) + ("\n" if lines else "")


# -- JUnit XML ----------------------------------------------------------------------------------

# Characters XML 1.0 cannot carry (and CR, which parsers would turn into LF), shown escaped.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0d\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _xml_safe(text: str) -> str:
    return _NOT_XML.sub(lambda m: f"\\x{ord(m.group()):02x}" if ord(m.group()) < 0x100
                        else f"\\u{ord(m.group()):04x}", text)


def to_junit(report: Report) -> str:
    """One test case per checked file; it fails when a diagnostic reaches the fail-on severity."""
    import xml.etree.ElementTree as ET  # only JUnit output needs it (~7 ms to import)

    by_path: dict[str, list[Diagnostic]] = {path: [] for path in report.files}
    for d in report.diagnostics:
        by_path.setdefault(d.path, []).append(d)
    threshold = report.fail_on.rank
    failing = {p for p, ds in by_path.items() if any(d.severity.rank >= threshold for d in ds)}

    suites = ET.Element("testsuites", name="orderspec", tests=str(len(by_path)),
                        failures=str(len(failing)), errors="0")
    suite = ET.SubElement(suites, "testsuite", name="orderspec lint", tests=str(len(by_path)),
                          failures=str(len(failing)), errors="0", skipped="0")
    for path, found in by_path.items():
        case = ET.SubElement(suite, "testcase", classname="orderspec.lint", name=_xml_safe(path),
                             file=_xml_safe(path))
        details = _xml_safe("\n".join(d.text() for d in found))
        if path in failing:
            worst = [d for d in found if d.severity.rank >= threshold]
            failure = ET.SubElement(case, "failure", type=worst[0].code,
                                    message=_xml_safe(f"{len(worst)} problem(s); first: "
                                                      f"{worst[0].code} {worst[0].message}"))
            failure.text = details
        elif found:
            ET.SubElement(case, "system-out").text = details
    ET.indent(suites)
    return ET.tostring(suites, encoding="unicode", xml_declaration=True) + "\n"


RENDERERS: dict[str, Callable[[Report], str]] = {
    "text": to_text,
    "json": to_json,
    "sarif": to_sarif,
    "github": to_github,
    "junit": to_junit,
}


def render(output_format: str, report: Report) -> str:
    return RENDERERS[output_format](report)


# -- choosing outputs ---------------------------------------------------------------------------

class OutputError(ValueError):
    """The --format/--output options do not pair up."""


def pair_outputs(args: Sequence[str], default: str = "text") -> list[tuple[str, str | None]]:
    """(format, file or None for stdout) pairs from the command line, in the order given.

    Each `--output FILE` takes the `--format` written before it; a `--format` with no `--output`
    after it prints to stdout (one at most); an `--output` before any `--format` takes `default`.
    """
    pairs: list[list[str | None]] = []
    tokens = iter(args)
    for token in tokens:
        if token == "--":
            break
        name, equals, value = token.partition("=")
        if name not in ("--format", "--output"):
            continue
        if not equals:
            value = next(tokens, "")
        if name == "--format":
            pairs.append([value, None])
        elif pairs and pairs[-1][1] is None:
            pairs[-1][1] = value
        elif not pairs:
            pairs.append([default, value])
        else:
            raise OutputError(f"--output {value} has no --format of its own before it")
    if not pairs:
        pairs.append([default, None])
    to_stdout = [str(f) for f, o in pairs if o is None or o == "-"]
    if len(to_stdout) > 1:
        raise OutputError(f"only one format can go to stdout, not {' and '.join(to_stdout)}; "
                          "give the others an --output FILE")
    files = [os.path.abspath(str(o)) for _, o in pairs if o not in (None, "-")]
    if len(set(files)) != len(files):
        raise OutputError("two formats are written to the same --output file")
    return [(str(f), None if o in (None, "-") else str(o)) for f, o in pairs]


class Progress:
    """A progress bar on stderr for batches that take more than a moment, on a terminal only."""

    DELAY_SECONDS = 0.5

    def __init__(self, total: int, stream: TextIO) -> None:
        import time

        self._clock = time.monotonic
        self._started = self._clock()
        self._total = total
        self._done = 0
        self._stream = stream
        self._enabled = total > 1 and is_interactive(stream)
        self._bar: ProgressBar[int] | None = None

    def __call__(self, _result: object = None) -> None:
        self._done += 1
        if not self._enabled:
            return
        if self._bar is None:
            if self._clock() - self._started < self.DELAY_SECONDS:
                return
            import click

            self._bar = click.progressbar(length=self._total, label="linting", file=self._stream)
            self._bar.__enter__()
            self._bar.update(self._done)
            return
        self._bar.update(1)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.__exit__(None, None, None)
            self._bar = None


def is_interactive(stream: TextIO) -> bool:
    """A terminal, whether or not colour is wanted (CI logs are never terminals)."""
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty()) and not os.environ.get("CI")
