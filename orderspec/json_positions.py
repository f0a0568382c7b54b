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

Pointer = tuple[Any, ...]
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
