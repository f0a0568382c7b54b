"""Where each value of a JSON text was written, as the loader's builder (orderspec.load.located) would note it from
libyaml's events, from the text's tokens instead (~2x cheaper).

Only for a text the fast JSON reader (orderspec.load.json_reader) took: valid JSON, without duplicate keys and
without characters YAML reads as line breaks, so tokens alone give the same lines and columns.
tests/test_load_lazy.py compares every location, key location and raw text with the builder's.
"""

from __future__ import annotations

import bisect
import json
import re
from typing import Any

from orderspec.diagnostics import Pointer

Place = tuple[int, int]  # (line, column), both from 1

# Strings, numbers and literals, and brackets (commas and colons are not needed).
_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[^\s"{}\[\],:]+|[{}\[\]]')
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def json_positions(text: str) -> tuple[dict[Pointer, Place], dict[Pointer, Place], dict[Pointer, str]]:
    """(each value's place, each mapping key's place, the raw text of each number and literal —
    what YAML types), by pointer."""
    values: dict[Pointer, Place] = {}
    keys: dict[Pointer, Place] = {}
    plain: dict[Pointer, str] = {}
    starts = [0] + [found.end() for found in _LINE_BREAK.finditer(text)]
    # Each frame: [is a mapping, pointer, key awaiting its value (or None), its place, items so far]
    stack: list[list[Any]] = []
    line_of = bisect.bisect_right
    for token in _TOKEN.finditer(text):
        word = token.group()
        first = word[0]
        if first == "}" or first == "]":
            stack.pop()
            continue
        offset = token.start()
        line = line_of(starts, offset)
        place = (line, offset - starts[line - 1] + 1)
        pointer: Pointer
        if not stack:
            pointer = ()
        else:
            frame = stack[-1]
            if frame[0]:
                if frame[2] is None:  # a key
                    frame[2] = json.loads(word) if "\\" in word else word[1:-1]
                    frame[3] = place
                    continue
                pointer = frame[1] + (frame[2],)
                keys[pointer] = frame[3]
                frame[2] = None
            else:
                pointer = frame[1] + (frame[4],)
                frame[4] += 1
        values[pointer] = place
        if first == "{" or first == "[":
            stack.append([first == "{", pointer, None, None, 0])
        elif first != '"':
            plain[pointer] = word
    return values, keys, plain


class JsonLocator:
    """The place and raw text of a few pointers of such a text, found without building the whole map.

    An invalid body asks for a handful of locations (its diagnostics'); building every place of
    it cost ~0.8 ms per corpus body. This follows each pointer down the text instead: in each
    container on the way it notes where every child starts, stepping over the children's text
    with the C scanner (a container is scanned once, for all the pointers that pass through it).
    The answers are json_positions' to the character: tests/test_json_positions.py compares them.
    """

    def __init__(self, text: str) -> None:
        self.text = text
        self._scan = json.scanner.make_scanner(json.JSONDecoder())  # type: ignore[attr-defined]
        self._root = len(text) - len(text.lstrip(" \t\r\n"))
        # Per container (by where it starts): each child's key (or index) -> (where its key
        # starts, or -1 in a list; where its value starts).
        self._children: dict[int, dict[Any, tuple[int, int]]] = {}

    def _skip(self, offset: int) -> int:
        """Where the next non-space character is, from offset."""
        text = self.text
        while text[offset] in " \t\r\n":
            offset += 1
        return offset

    def _children_of(self, start: int) -> dict[Any, tuple[int, int]] | None:
        found = self._children.get(start)
        if found is not None:
            return found
        text, opening = self.text, self.text[start]
        if opening != "{" and opening != "[":
            return None
        children: dict[Any, tuple[int, int]] = {}
        offset = self._skip(start + 1)
        closing = "}" if opening == "{" else "]"
        index = 0
        while text[offset] != closing:
            if opening == "{":
                key_start = offset
                key, offset = json.decoder.scanstring(text, offset + 1)  # type: ignore[attr-defined]
                offset = self._skip(self._skip(offset) + 1)  # past the colon
                children[key] = (key_start, offset)
            else:
                children[index] = (-1, offset)
                index += 1
            _, offset = self._scan(text, offset)
            offset = self._skip(offset)
            if text[offset] == ",":
                offset = self._skip(offset + 1)
        self._children[start] = children
        return children

    def _find(self, pointer: Pointer) -> tuple[int, int, int]:
        """(how many steps of the pointer the text holds, where that value starts, where its key starts)."""
        offset, key_start, reached = self._root, -1, 0
        for step in pointer:
            children = self._children_of(offset)
            found = children.get(step) if children is not None else None
            if found is None:
                break
            key_start, offset = found
            reached += 1
        return reached, offset, key_start

    def _place(self, offset: int) -> Place:
        text = self.text
        breaks = text.count("\n", 0, offset) + text.count("\r", 0, offset) - text.count("\r\n", 0, offset)
        line_start = max(text.rfind("\n", 0, offset), text.rfind("\r", 0, offset)) + 1
        return 1 + breaks, offset - line_start + 1

    def locate(self, pointer: Pointer, *, key: bool = False) -> Place:
        """Where the value at the pointer was written (its key, with key=True, in a mapping), else
        where its nearest enclosing value was: as orderspec.load.SourceMap.locate answers."""
        reached, offset, key_start = self._find(pointer)
        if key and reached == len(pointer) and key_start >= 0:
            return self._place(key_start)
        return self._place(offset)

    def raw_plain(self, pointer: Pointer) -> str | None:
        """The raw text of the number or literal at the pointer; None for any other value."""
        reached, offset, _ = self._find(pointer)
        if reached < len(pointer) or self.text[offset] in '"{[':
            return None
        token = _TOKEN.match(self.text, offset)
        return token.group() if token else None
