"""The one diagnostic type that every stage of the pipeline reports with."""

from __future__ import annotations

import enum
import json
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from typing import Iterable


class Severity(str, enum.Enum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        return {"error": 2, "warning": 1, "info": 0}[self.value]


Pointer = tuple  # a JSON-pointer path as a tuple of keys (str) and indexes (int)


def format_pointer(pointer: Iterable[object]) -> str:
    """RFC 6901 JSON pointer text for a path tuple."""
    parts = [str(p).replace("~", "~0").replace("/", "~1") for p in pointer]
    return "/" + "/".join(parts) if parts else ""


def kind_of(value: object) -> str:
    """What a value is, in the words messages use: "text", "a number", "a list", "true or false"."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true or false"
    if isinstance(value, (int, float, Decimal)):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    return "a mapping"


@dataclass(frozen=True)
class Location:
    """Where a value came from: file path, 1-based line and column.

    `note` says what the place is when it is shown beside another (a diagnostic's related
    locations): "the template line that wrote it". It is not part of the place: two locations
    at the same spot are equal whatever their notes.
    """

    path: str
    line: int
    column: int
    note: str = field(default="", compare=False)

    def noted(self, note: str) -> "Location":
        return Location(self.path, self.line, self.column, note)

    def note_line(self) -> str:
        """`path:line:col: note: NOTE`, as a related place is printed under its finding."""
        return f"{self.path}:{self.line}:{self.column}: note: {self.note or DEFAULT_NOTE}"

    def as_json(self) -> dict[str, object]:
        data: dict[str, object] = {"path": self.path, "line": self.line, "column": self.column}
        if self.note:
            data["note"] = self.note
        return data


DEFAULT_NOTE = "from here"


@dataclass(frozen=True, order=True)
class Diagnostic:
    path: str
    line: int
    column: int
    code: str
    severity: Severity = field(compare=False)
    message: str = field(compare=False)
    pointer: str = field(default="", compare=False)
    # Secondary places that explain the problem (e.g. the template line behind a value).
    related: tuple[Location, ...] = field(default=(), compare=False)

    def text(self) -> str:
        """`path:line:col: CODE [severity] message`: the code first, where tools and greps look for
        it (as ruff puts its `[*]`), then whether the finding fails a run, then what it is."""
        line = f"{self.path}:{self.line}:{self.column}: {self.code} [{self.severity.value}] {self.message}"
        for loc in self.related:
            line += f"\n  {loc.note_line()}"
        return line

    def as_json(self) -> dict[str, object]:
        data = asdict(self)
        data["severity"] = self.severity.value
        data["related"] = [loc.as_json() for loc in self.related]
        if not self.related:
            del data["related"]
        return data


def at(
    location: Location,
    code: str,
    message: str,
    *,
    severity: Severity | None = None,
    pointer: str = "",
    related: tuple[Location, ...] = (),
) -> Diagnostic:
    """Build a diagnostic at a location, taking the rule's default severity."""
    from orderspec.registry import default_severity

    return Diagnostic(
        path=location.path,
        line=location.line,
        column=location.column,
        code=code,
        severity=severity or default_severity(code),
        message=message,
        pointer=pointer,
        related=related,
    )


def sort_key(diagnostic: Diagnostic) -> tuple[str, int, int, str, str]:
    return (diagnostic.path, diagnostic.line, diagnostic.column, diagnostic.code, diagnostic.message)


def to_json_report(files: int, diagnostics: list[Diagnostic]) -> str:
    return json.dumps(
        {"files": files, "diagnostics": [d.as_json() for d in diagnostics]},
        indent=2,
        ensure_ascii=False,
    )
