"""The fastest YAML reader: block YAML of the plainest kind, read line by line with one regex.

Specs are almost always written in a small part of YAML: block mappings and sequences, one
`key: value` or `- value` a line, plain or simply quoted scalars, comments, and now and then a
short flow collection of scalars on its line (`[a, b]`, `{name: x, date: 2024-01-01}`). For such
a text, libyaml's events cost more than everything orderspec does after reading (issue 14), so
this reader reads that part alone and hands every other text on (None): to `yaml_events`, and
from there to the builder, which reports faults. It accepts a text only where it is sure to read
it as `yaml_events` does: the same values and types, the same positions for the top two levels,
the same whole-Decimal note, the same document line. `tests/test_load_block.py` holds it to that
(hypothesis-made texts, mutations of real specs, the bench corpus and the reference bodies).

What it hands on: tabs, carriage returns and characters YAML treats specially, anchors, aliases,
tags, flow collections within flow collections or over several lines, block scalars, multi-line
scalars, escapes and doubled quotes in quoted scalars, directives, more than one document, keys
that YAML types as bool or null or `<<`, duplicate keys, empty sequence items, literals YAML
versions read differently, nesting past the depth cap, and anything whose indentation is not
exactly that of a sibling or a child.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from orderspec.diagnostics import Pointer
from orderspec.load.scalars import BOOL_OR_NULL, TAG, BadScalar, resolve_plain, typed_scalar
from orderspec.load.source_map import Document, LazySourceMap, Limits, SourceMap, UnbuiltMap
from orderspec.whole_decimals import is_whole as is_whole_decimal

# Characters that libyaml refuses or reads as line breaks, tabs (an indentation trap), and
# carriage returns: such texts go to the readers that know them.
_NOT_PLAIN_TEXT = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff\ud800-\udfff]")

_PLAIN = (r"(?:[^-?:,\[\]{}#&*!|>'\"%@` \n]|[-?:](?=[^ \n]))"  # what a plain scalar may start with
          r"(?:[^:# \n]+|:(?=[^ \n])|(?<! )#| +(?=[^ #\n]))*")  # `: ` and ` #` end it
_KEY = r"[A-Za-z0-9_][A-Za-z0-9_./-]*|\"[^\"\\\n]*\"|'[^'\n]*'"
# A flow collection on one line, of scalars only: `[a, b]`, `{name: x, date: 2024-01-01}`.
_FLOW = r"\[[^\[\]{}\n]*\]|\{[^\[\]{}\n]*\}"
# In a flow collection a plain scalar ends at `,[]{}`; these also refuse `:` and `#` in one.
_FLOW_SCALAR = (r"[^-?:,\[\]{}#&*!|>'\"%@` \n](?:[^,\[\]{}:# \n]| +(?=[^ ,\[\]{}:#\n]))*"
                r"|\"[^\"\\\n]*\"|'[^'\n]*'")
_FLOW_ITEM = re.compile(r" *(" + _FLOW_SCALAR + r") *(,|\Z)")
_FLOW_ENTRY = re.compile(r" *(" + _KEY + r"): +(" + _FLOW_SCALAR + r") *(,|\Z)")
# One line: indentation, `- ` item indicators, a key and the colon with its spaces, a value, an
# optional comment. Every group is within one line, so the text is plain block YAML exactly when
# there is one match per line. `(?=(X))\N` matches X once and for all (an atomic group, which
# `re` lacks before Python 3.11): a line that fails cannot send the engine back through every
# split of its indentation or its scalar, which made a long line of spaces cost seconds.
_LINE = re.compile(
    r"^(?=( *))\1(?=((?:- +)*))\2(?:(" + _KEY + r")(?=(: +|:(?=\n)))\4)?"
    r"((?=(" + _PLAIN + r"))\6|\"[^\"\\\n]*\"|'[^'\n]*'|" + _FLOW + r")?"
    r"(?=( *))\7(?:(?:(?<= )|^)#[^\n]*)?\n", re.MULTILINE)
# A plain scalar that YAML 1.1 always reads as a float, and the same under YAML 1.2 and JSON.
_DECIMAL = re.compile(r"[-+]?[0-9]+\.[0-9]+\Z")
# The longest key libyaml takes as a simple key, with room to spare.
_MAX_KEY = 1000

_UNSET = object()
_FLOW_VALUE = object()  # what `_scalar` gives for a flow collection: `flow` reads it


class _NotBlock(Exception):
    """The text is not block YAML of the kind this reader is sure of."""


def read_yaml_block(text: str, path: str, limits: Limits) -> list[Document] | None:
    lines = _lines(text)
    if lines is None:
        return None
    try:
        root, shallow, whole, line = _read(lines, limits, None)
    except (_NotBlock, BadScalar):
        return None
    unbuilt = UnbuiltMap(text, path, limits, False)
    unbuilt.block = True
    unbuilt.shallow[0] = shallow
    unbuilt.whole_decimals[0] = whole
    return [Document(root, LazySourceMap(unbuilt, 0), 0, line)]  # type: ignore[arg-type]


def block_source_map(text: str, path: str, limits: Limits) -> SourceMap:
    """The whole source map of a text that `read_yaml_block` read: what the builder would note
    (every value's and key's position, the raw text of plain scalars YAML typed), from the lines."""
    lines = _lines(text)
    assert lines is not None, "only for a text read_yaml_block took"
    located = SourceMap(path)
    _read(lines, limits, located)
    return located


def _lines(text: str) -> list[tuple[str, str, str, str, str, str, str]] | None:
    if _NOT_PLAIN_TEXT.search(text):
        return None
    if not text.endswith("\n"):
        text += "\n"
    lines = _LINE.findall(text)
    return lines if len(lines) == text.count("\n") else None


# Specs repeat the same short scalars and keys (enums, dates, ids, field names): each text is
# typed once per process. Short texts only, and emptied when full, so no file can grow them.
_CACHED_TEXT = 64
_CACHE_SIZE = 8192
_VALUES: dict[str, tuple[Any, bool, bool]] = {}
_KEYS: dict[str, str] = {}


def _scalar(raw: str) -> tuple[Any, bool, bool]:
    """The value of a scalar as written on its line, whether it is a whole Decimal, and whether
    YAML typed it (a plain scalar read as other than text); remembered in _VALUES."""
    found = _typed(raw)
    _remember(_VALUES, raw, found)
    return found


def _typed(raw: str) -> tuple[Any, bool, bool]:
    first = raw[0]
    if first == '"' or first == "'":
        return raw[1:-1], False, False
    if first == "[" or first == "{":
        return _FLOW_VALUE, False, False
    if _DECIMAL.match(raw):
        # Money, mostly: what YAML 1.1 resolves as a float without asking its resolver, which
        # tries its patterns one by one. `tests/test_load_block.py` holds the two to the same.
        value = Decimal(raw)
        return value, value == value.to_integral_value(), True
    resolved = resolve_plain(raw, False)
    value, typed, ambiguous = typed_scalar(raw, resolved[len(TAG):], False)
    if ambiguous:
        raise _NotBlock
    return value, is_whole_decimal(value), typed


def _key(raw: str) -> str:
    """The key written `raw`, remembered in _KEYS."""
    key = _key_text(raw)
    _remember(_KEYS, raw, key)
    return key


def _key_text(raw: str) -> str:
    if len(raw) > _MAX_KEY:
        raise _NotBlock
    first = raw[0]
    if first == '"' or first == "'":
        return raw[1:-1]
    resolved = resolve_plain(raw, False)
    if resolved in BOOL_OR_NULL:
        raise _NotBlock
    return raw


def _remember(cache: dict[str, Any], raw: str, found: Any) -> None:
    if len(raw) <= _CACHED_TEXT:
        if len(cache) >= _CACHE_SIZE:
            cache.clear()
        cache[raw] = found


def _read(lines: list[tuple[str, str, str, str, str, str, str]], limits: Limits,
          located: SourceMap | None) -> tuple[Any, dict[Pointer, tuple[int, int]], bool, int]:
    """(the document, where the values of its top two levels are, whether it holds a whole
    Decimal, its line); with `located`, every position and plain text noted there."""
    max_depth = limits.max_depth
    # Open collections, outermost first: [container, column, the pointer to note its children
    # under (None below the noted levels), whether it is a sequence written at its key's column].
    stack: list[list[Any]] = []
    shallow: dict[Pointer, tuple[int, int]] = located.values if located is not None else {}
    noted_depth = 2 if located is None else max_depth + 1
    key_marks = located.keys if located is not None else {}
    plain = located.plain if located is not None else {}
    root: Any = None
    whole = False
    document_line = 0
    # A key whose value is not on its line: [mapping frame, key, line, column just past the colon].
    pending: list[Any] | None = None

    def open_collection(made: Any, column: int, line: int, parent: list[Any] | None, key: Any,
                        indentless: bool) -> list[Any]:
        if len(stack) >= max_depth:
            raise _NotBlock
        pointer: Pointer | None = None
        if parent is None:
            pointer = ()
            shallow[()] = (line, column + 1)
        else:
            container = parent[0]
            where = key if key is not _UNSET else len(container)
            if parent[2] is not None:
                pointer = parent[2] + (where,)
                shallow[pointer] = (line, column + 1)
                if len(pointer) >= noted_depth:
                    pointer = None
            if key is _UNSET:
                container.append(made)
            else:
                container[key] = made
        frame = [made, column, pointer, indentless]
        stack.append(frame)
        return frame

    def flow(raw: str, column: int, number: int, pointer: Pointer | None) -> Any:
        """The collection written `[...]` or `{...}` at `column` (0-based) of line `number`;
        `pointer` is where it goes, when its place is noted."""
        nonlocal whole
        if len(stack) >= max_depth:
            raise _NotBlock
        is_mapping = raw[0] == "{"
        made: Any = {} if is_mapping else []
        if pointer is not None:
            shallow[pointer] = (number, column + 1)
            if len(pointer) >= noted_depth:
                pointer = None
        inner = raw[1:-1]
        if not inner.strip(" "):
            return made
        pattern = _FLOW_ENTRY if is_mapping else _FLOW_ITEM
        position, end = 0, len(inner)
        while True:
            match = pattern.match(inner, position)
            if match is None:
                raise _NotBlock
            position = match.end()
            raw_item = match.group(2 if is_mapping else 1)
            found = values.get(raw_item) or _scalar(raw_item)
            if found[1]:
                whole = True
            if is_mapping:
                raw_key = match.group(1)
                key = keys.get(raw_key) or _key(raw_key)
                if key in made:
                    raise _NotBlock
                where: Any = key
            else:
                where = len(made)
            if pointer is not None:
                inside = pointer + (where,)
                # 1-based columns: the text inside starts one past the bracket.
                shallow[inside] = (number, column + 2 + match.start(2 if is_mapping else 1))
                if located is not None:
                    if found[2]:
                        plain[inside] = raw_item
                    if is_mapping:
                        key_marks[inside] = (number, column + 2 + match.start(1))
            if is_mapping:
                made[where] = found[0]
            else:
                made.append(found[0])
            if not match.group(3 if is_mapping else 2):
                return made  # the end of the collection
            if position == end:
                raise _NotBlock  # a comma with nothing after it

    values, keys = _VALUES, _KEYS
    # The mapping the last line wrote to, and its column and pointer: most lines are one more
    # `key: value` of it, and take the short way below.
    current: Any = None
    current_column = -1
    current_pointer: Pointer | None = None
    for number, (indent, dashes, raw_key, colon, raw_value, _, _) in enumerate(lines, 1):
        if raw_value and raw_key and not dashes and pending is None and len(indent) == current_column:
            key = keys.get(raw_key) or _key(raw_key)
            if key in current:
                raise _NotBlock  # a duplicate key: the builder reports it
            found = values.get(raw_value) or _scalar(raw_value)
            if found[1]:
                whole = True
            if current_pointer is not None:
                pointer = current_pointer + (key,)
                shallow[pointer] = (number, current_column + len(raw_key) + len(colon) + 1)
                if located is not None:
                    key_marks[pointer] = (number, current_column + 1)
                    if found[2]:
                        plain[pointer] = raw_value
            current[key] = found[0] if found[0] is not _FLOW_VALUE else flow(
                raw_value, current_column + len(raw_key) + len(colon), number,
                current_pointer + (key,) if current_pointer is not None else None)
            continue
        current = None
        current_column = -1
        if not raw_key and not dashes:
            if not raw_value:
                continue  # blank or comment
            if raw_value == "---" and not indent and root is None and document_line == 0:
                document_line = number
                continue
            raise _NotBlock  # a bare scalar: a document of one, or a continued scalar
        column = len(indent)
        # Close what this line's column ends.
        while stack and stack[-1][1] > column:
            stack.pop()
        if pending is not None:
            frame, key, key_line, after_colon = pending
            pending = None
            if column > frame[1] and stack and stack[-1] is frame:
                # The key's value is the block that starts on this line.
                open_collection([] if dashes else {}, column, number, frame, key, False)
            elif column == frame[1] and dashes and stack and stack[-1] is frame:
                open_collection([], column, number, frame, key, True)
            elif frame[2] is not None:
                shallow[frame[2] + (key,)] = (key_line, after_colon)
                if located is not None:
                    plain[frame[2] + (key,)] = ""  # an empty value: YAML reads null
        if not stack:
            if root is not None:
                raise _NotBlock
            if document_line == 0:
                document_line = number
            root = [] if dashes else {}
            open_collection(root, column, number, None, _UNSET, False)
        top = stack[-1]
        if top[1] != column:
            raise _NotBlock  # deeper than the open collection, with no key to own it
        if top[3] and not dashes:
            stack.pop()  # a key at the column of a sequence written at its key's column ends it
            if not stack or stack[-1][1] != column:
                raise _NotBlock
            top = stack[-1]
        # Each `- ` opens an item; a second on the same line nests a sequence in the item.
        item_column = column
        if dashes:
            if type(top[0]) is not list:
                raise _NotBlock
            parts = dashes.split("-")
            last = len(parts) - 1
            for index in range(1, last + 1):
                item_column += 1 + len(parts[index])
                if index < last:
                    top = open_collection([], item_column, number, top, _UNSET, False)
            if not raw_key and not raw_value:
                raise _NotBlock  # an empty item
            if raw_key:
                top = open_collection({}, item_column, number, top, _UNSET, False)
        container = top[0]
        if raw_key:
            if type(container) is not dict:
                raise _NotBlock
            key = keys.get(raw_key) or _key(raw_key)
            if key in container:
                raise _NotBlock  # a duplicate key: the builder reports it
            if located is not None and top[2] is not None:
                key_marks[top[2] + (key,)] = (number, item_column + 1)
            if not raw_value:
                container[key] = None  # keeps the key's place; its value comes with the next line
                pending = [top, key, number, item_column + len(raw_key) + 2]
                continue
            where: Any = key
            value_column = item_column + len(raw_key) + len(colon)
        else:
            where, value_column = len(container), item_column  # a scalar item
        found = values.get(raw_value) or _scalar(raw_value)
        if found[1]:
            whole = True
        noted: Pointer | None = None
        if top[2] is not None:
            noted = pointer = top[2] + (where,)
            shallow[pointer] = (number, value_column + 1)
            if found[2] and located is not None:
                plain[pointer] = raw_value
        value = found[0] if found[0] is not _FLOW_VALUE else flow(raw_value, value_column, number, noted)
        if raw_key:
            container[where] = value
            current, current_column, current_pointer = container, item_column, top[2]
        else:
            container.append(value)
    if pending is not None:
        frame, key, key_line, after_colon = pending
        if frame[2] is not None:
            shallow[frame[2] + (key,)] = (key_line, after_colon)
            if located is not None:
                plain[frame[2] + (key,)] = ""
    if root is None:
        raise _NotBlock
    return root, shallow, whole, document_line
