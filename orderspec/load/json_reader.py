"""The fast JSON reader: the C parser, and the checks that send a text it might read differently
from the builder back to the builder."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from typing import Any

from orderspec.load.source_map import Document, LazySourceMap, Limits, UnbuiltMap

class _NotPlainJson(Exception):
    """The text is not JSON that the fast reader is sure to read as the builder would."""


# What the C parser accepts and libyaml reads differently or refuses: characters YAML does not
# allow or takes as line breaks, space before a key's colon (a YAML simple key must end on its
# line), surrogate escapes (libyaml refuses each half of a pair).
NOT_YAML_CHARACTERS = re.compile("[\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff]|[\ud800-\udfff]")
_SPACE_BEFORE_COLON = re.compile(r'"\s+:')
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89abAB]")
# A YAML simple key spans at most 1024 characters; an escaped character takes up to six.
_MAX_PLAIN_KEY = 160


def _json_object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    mapping = dict(pairs)
    if len(mapping) != len(pairs):
        raise _NotPlainJson  # duplicate keys: the builder reports them
    return mapping


def _refuse_constant(name: str) -> Any:
    raise _NotPlainJson  # NaN, Infinity: not JSON; the builder reads them as text


def _entries(value: Any, max_depth: int) -> int | None:
    """How many mapping entries the value holds; None when it is nested deeper than max_depth or
    has a key too long for a YAML simple key.

    The value comes from `json.loads`, so its containers are exactly dicts and lists. One
    recursive walk that stops at the first reason for None: ~35% less time than building each
    level's list of containers (`tests/test_load_lazy.py` holds that plain walk and compares)."""
    if not isinstance(value, (dict, list)):
        return 0
    entries = 0

    def walk(container: Any, depth: int) -> None:
        nonlocal entries
        if depth == 0:
            raise _NotPlainJson
        if type(container) is dict:
            if container:
                entries += len(container)
                if max(map(len, container)) > _MAX_PLAIN_KEY:
                    raise _NotPlainJson
                for item in container.values():
                    if type(item) is dict or type(item) is list:
                        walk(item, depth - 1)
        else:
            for item in container:
                if type(item) is dict or type(item) is list:
                    walk(item, depth - 1)

    try:
        walk(value, max_depth)
    except (_NotPlainJson, RecursionError):
        return None
    return entries


def read_json(text: str, path: str, limits: Limits) -> Document | None:
    """The document of a JSON text read by the C parser, with a source map built on demand; None
    when the text needs the builder (invalid JSON, duplicate keys, too deep, YAML corner cases),
    which then reports exactly what it always has."""
    start = len(text) - len(text.lstrip(" \t\r\n"))
    if "\t" in text[:start]:
        return None  # a tab before the document is an error to YAML
    if not (text.isascii() and "\x7f" not in text) and NOT_YAML_CHARACTERS.search(text):
        return None
    if _SPACE_BEFORE_COLON.search(text) or ("\\u" in text and _SURROGATE_ESCAPE.search(text)):
        return None
    # Each key of the text ends with `":` and nothing else does, unless a string holds `\":`; so
    # counting them finds duplicate keys (which leave fewer entries) without a Python hook.
    counted = '\\":' not in text
    whole: list[bool] = []

    def decimal(number: str) -> Decimal:
        read = Decimal(number)
        if not whole and read == read.to_integral_value():  # (JSON has no NaN nor Infinity)
            whole.append(True)
        return read

    try:
        value = json.loads(text, parse_float=decimal, parse_constant=_refuse_constant,
                           object_pairs_hook=None if counted else _json_object)
    except (_NotPlainJson, ValueError, RecursionError):
        return None
    entries = _entries(value, limits.max_depth)
    if entries is None or (counted and entries != text.count('":')):
        return None
    leading = text[:start]
    line = 1 + leading.count("\n") + leading.count("\r") - leading.count("\r\n")
    unbuilt = UnbuiltMap(text, path, limits, True)
    unbuilt.whole_decimals[0] = bool(whole)
    return Document(value, LazySourceMap(unbuilt), 0, line)  # type: ignore[arg-type]

