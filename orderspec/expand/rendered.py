"""A template's output, traced back to where each part came from.

To point errors at their source, the sandbox (orderspec.expand.sandbox) marks every piece of
literal template text with invisible line markers, and writes every `{{ value }}` as a YAML flow
scalar (so `no`, `00123` or `a: b` stay text) preceded by a marker naming the value it came from.
The markers are stripped after rendering and become a line map and an origin map: RenderedText.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Iterator

from jinja2.exceptions import TemplateError
from jinja2.runtime import Undefined

# Markers are private-use characters: str.splitlines (and so the `indent` filter) keeps them
# whole, and values can never contain them (yaml_flow escapes them).
_LINE = "\ue000"  # _LINE<file index>.<line>_END: the template line that the following text comes from
_VALUE = "\ue001"  # _VALUE<origin index>_END: the next value was supplied by this origin
_END = "\ue002"
_MARKER = re.compile("([\ue000\ue001])([0-9.]+)\ue002")
# Characters that YAML refuses in a document, or folds as line breaks even inside quotes: escape them.
_YAML_UNPRINTABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\ue000-\ue002\ufffe\uffff]")


def yaml_flow(value: Any) -> str:
    """A value as a YAML flow scalar/collection that the loader reads back as exactly that value."""
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, Undefined):
        str(value)  # StrictUndefined raises here with the name that is missing
        return "null"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise TemplateError(f"{value} is not a finite number")
        return format(value, "f")
    if isinstance(value, float):
        raise TemplateError(f"{value!r} is a floating-point number; money must stay exact "
                            "(compute with decimal values from the parameters, not float literals)")
    if isinstance(value, (datetime, date)):
        return yaml_flow(value.isoformat())
    if isinstance(value, str):
        quoted = json.dumps(str(value), ensure_ascii=False)
        return _YAML_UNPRINTABLE.sub(lambda m: "\\u%04x" % ord(m.group()), quoted)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(yaml_flow(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{yaml_flow(str(k))}: {yaml_flow(v)}" for k, v in value.items()) + "}"
    raise TemplateError(f"a {type(value).__name__} cannot be written into YAML")


def mark_lines(data: str, lineno: int, file_index: int) -> str:
    """Literal template text starting at line `lineno` of file `file_index`, each line marked."""
    parts = data.split("\n")
    out = [f"{_LINE}{file_index}.{lineno}{_END}{parts[0]}"]
    for offset, part in enumerate(parts[1:], start=1):
        out.append(f"{_LINE}{file_index}.{lineno + offset}{_END}{part}")
    return "\n".join(out)


def value_marker(origin: int) -> str:
    """The marker written before a value supplied by origin number `origin`."""
    return f"{_VALUE}{origin}{_END}"


@dataclass
class RenderedText:
    text: str
    lines: list[tuple[str, int]]  # per rendered line (0-based): (template file, template line)
    origins: dict[tuple[int, int], int] = field(default_factory=dict)  # (line, column) 1-based -> origin

    def template_line(self, line: int) -> tuple[str, int]:
        if 1 <= line <= len(self.lines):
            return self.lines[line - 1]
        return self.lines[-1] if self.lines else ("<template>", 1)


def _between_markers(marked: str) -> Iterator[tuple[str, re.Match[str] | None]]:
    """The text before each marker with the marker, then the text after the last (with None)."""
    position = 0
    for match in _MARKER.finditer(marked):
        yield marked[position:match.start()], match
        position = match.end()
    yield marked[position:], None


def strip_markers(marked: str, files: list[str], main_file: str) -> RenderedText:
    """The rendered text without its markers, with the line and origin maps they made."""
    out: list[str] = []
    lines: list[tuple[str, int]] = []
    origins: dict[tuple[int, int], int] = {}
    current = (main_file, 1)
    line_started = False  # has the current rendered line any real character yet?
    line_no, column = 1, 1
    for text, match in _between_markers(marked):
        for piece in _split_keep(text):
            if piece == "\n":
                if not line_started:
                    lines.append(current)
                out.append(piece)
                line_no, column, line_started = line_no + 1, 1, False
            elif piece:
                if not line_started and piece.strip():
                    lines.append(current)
                    line_started = True
                out.append(piece)
                column += len(piece)
        if match is None:
            break
        kind, payload = match.group(1), match.group(2)
        if kind == _LINE:
            file_index, _, line = payload.partition(".")
            current = (files[int(file_index)], int(line))
        else:
            origins[(line_no, column)] = int(payload)
    if not line_started:
        lines.append(current)
    return RenderedText("".join(out), lines, origins)


def _split_keep(text: str) -> list[str]:
    return re.split("(\n)", text)
