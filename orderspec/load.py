"""Stage 1: load YAML/JSON files into plain data, keeping where every value came from.

The tree is built from the parser's event stream rather than from PyYAML's constructor so that
the loader controls everything a hostile file could abuse (depth, aliases, tags) and sees what
the constructor hides (duplicate keys, the original text of every unquoted scalar).

Scalars become: str, int, Decimal (never float: money must keep its exact text), bool, None.
Dates and timestamps stay as the exact text the author wrote.
"""

from __future__ import annotations

import copy
import json
import os
import re
from functools import lru_cache
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Iterator

import yaml

from orderspec.diagnostics import Diagnostic, Location, Pointer, at, format_pointer
from orderspec.json_positions import json_positions

try:
    _Parser: type = yaml.CSafeLoader  # libyaml: several times faster
except AttributeError:  # pragma: no cover - PyYAML built without libyaml
    _Parser = yaml.SafeLoader


@dataclass(frozen=True)
class Limits:
    max_file_bytes: int = 10 * 1024 * 1024
    max_depth: int = 64
    max_aliases: int = 1000
    # Nodes that alias expansion may add to a document, beyond what is written in it.
    max_alias_nodes: int = 100_000


@dataclass
class SourceMap:
    """Where each value of a loaded document came from, addressed by JSON-pointer tuples."""

    path: str
    values: dict[Pointer, tuple[int, int]] = field(default_factory=dict)
    keys: dict[Pointer, tuple[int, int]] = field(default_factory=dict)
    # Raw text of unquoted scalars that YAML read as something other than a string.
    plain: dict[Pointer, str] = field(default_factory=dict)
    # Raw text of unquoted scalars whose meaning differs between YAML 1.1, YAML 1.2 and JSON.
    ambiguous: dict[Pointer, str] = field(default_factory=dict)
    prefix: Pointer = ()

    def sub(self, prefix: Pointer) -> "SourceMap":
        """A view of the subtree at `prefix`, addressed relative to it."""
        return SourceMap(self.path, self.values, self.keys, self.plain, self.ambiguous,
                         self.prefix + tuple(prefix))

    def locate(self, pointer: Pointer, *, key: bool = False) -> Location:
        full = self.prefix + tuple(pointer)
        if key and full in self.keys:
            line, col = self.keys[full]
            return Location(self.path, line, col)
        while True:
            found = self.values.get(full)
            if found is not None:
                return Location(self.path, *found)
            if not full:
                return Location(self.path, 1, 1)
            full = full[:-1]

    def related(self, pointer: Pointer) -> tuple[Location, ...]:
        return ()

    def raw_plain(self, pointer: Pointer) -> str | None:
        return self.plain.get(self.prefix + tuple(pointer))

    def raw_ambiguous(self, pointer: Pointer) -> str | None:
        return self.ambiguous.get(self.prefix + tuple(pointer))

    def ambiguous_pointers(self) -> Iterator[tuple[Pointer, str]]:
        n = len(self.prefix)
        for pointer, raw in self.ambiguous.items():
            if pointer[:n] == self.prefix:
                yield pointer[n:], raw


@dataclass
class Document:
    value: Any
    source: SourceMap
    index: int
    line: int


@dataclass
class LoadedFile:
    path: str
    documents: list[Document]
    diagnostics: list[Diagnostic]
    text: str = ""


class _UnbuiltMap:
    """The text of a file whose source maps nobody has asked for yet.

    Reading values is far cheaper than also noting where each came from; most documents never
    need a location (only a diagnostic does), so the maps are built from the text on first use,
    by the builder that always built them: the same lines, columns and raw texts.
    """

    def __init__(self, text: str, path: str, limits: Limits, json_mode: bool) -> None:
        self.text, self.path, self.limits, self.json_mode = text, path, limits, json_mode
        self.built: dict[int, SourceMap] | None = None
        # Where the values of the top two levels are, per document: enough to locate a spec's
        # headers (which the spec stage always does) without building the whole map.
        self.shallow: dict[int, dict[Pointer, tuple[int, int]]] = {}
        # Per document: whether it holds a whole Decimal (see LazySourceMap.whole_decimals).
        self.whole_decimals: dict[int, bool] = {}

    def source(self, index: int) -> SourceMap:
        if self.built is None:
            if self.json_mode:
                # Cheaper than the builder, to the same map (see orderspec.json_positions).
                values, keys, plain = json_positions(self.text)
                self.built = {0: SourceMap(self.path, values, keys, plain)}
            else:
                loaded = _load_located(self.text, self.path, json_mode=self.json_mode, limits=self.limits)
                # The fast reader took the text, so the builder reads the same clean documents.
                self.built = {document.index: document.source for document in loaded.documents}
            self.text = ""
        return self.built.get(index) or SourceMap(self.path)


class LazySourceMap:
    """A document's SourceMap, built when first asked for a location or raw text."""

    def __init__(self, unbuilt: _UnbuiltMap, index: int = 0, prefix: Pointer = ()) -> None:
        self._unbuilt = unbuilt
        self._index = index
        self.prefix = prefix

    @property
    def path(self) -> str:
        return self._unbuilt.path

    @property
    def built(self) -> bool:
        return self._unbuilt.built is not None

    @property
    def whole_decimals(self) -> bool:
        """Whether the document, as the fast reader read it, holds a whole Decimal (`100.00`)
        anywhere: noted while reading, so that validation need not walk the body to know."""
        return self._unbuilt.whole_decimals.get(self._index, True)

    def _whole(self) -> SourceMap:
        return self._unbuilt.source(self._index)

    def sub(self, prefix: Pointer) -> "LazySourceMap":
        return LazySourceMap(self._unbuilt, self._index, self.prefix + tuple(prefix))

    def _map(self) -> SourceMap:
        return self._whole().sub(self.prefix)

    def locate(self, pointer: Pointer, *, key: bool = False) -> Location:
        if not key and self._unbuilt.built is None:
            found = self._unbuilt.shallow.get(self._index, {}).get(self.prefix + tuple(pointer))
            if found is not None:
                return Location(self.path, *found)
        return self._map().locate(pointer, key=key)

    def related(self, pointer: Pointer) -> tuple[Location, ...]:
        return ()

    def raw_plain(self, pointer: Pointer) -> str | None:
        return self._map().raw_plain(pointer)

    # The fast readers leave every document with an ambiguous literal to the builder.
    def raw_ambiguous(self, pointer: Pointer) -> str | None:
        return None

    def ambiguous_pointers(self) -> Iterator[tuple[Pointer, str]]:
        return iter(())

    @property
    def values(self) -> dict[Pointer, tuple[int, int]]:
        return self._whole().values

    @property
    def keys(self) -> dict[Pointer, tuple[int, int]]:
        return self._whole().keys

    @property
    def plain(self) -> dict[Pointer, str]:
        return self._whole().plain

    @property
    def ambiguous(self) -> dict[Pointer, str]:
        return {}


class _Abort(Exception):
    def __init__(self, diagnostic: Diagnostic) -> None:
        self.diagnostic = diagnostic


_TAG = "tag:yaml.org,2002:"
_RESOLVER = yaml.resolver.Resolver()
_JSON_INT = re.compile(r"-?(?:0|[1-9][0-9]*)\Z")
_JSON_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?\Z")
# Plain text that YAML 1.2 / JSON would read as a number but YAML 1.1 reads as a string.
_YAML12_FLOAT = re.compile(r"[-+]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)[eE][-+]?[0-9]+\Z")
_MERGE = object()
_NO_KEY = object()
_BAD_KEY = object()


def _resolve_plain(text: str, json_mode: bool) -> str:
    if json_mode:
        if text in ("true", "false"):
            return _TAG + "bool"
        if text == "null":
            return _TAG + "null"
        if _JSON_NUMBER.match(text):
            return _TAG + ("int" if _JSON_INT.match(text) else "float")
        return _TAG + "str"
    if len(text) <= 64:
        return _resolve_short(text)
    return _RESOLVER.resolve(yaml.ScalarNode, text, (True, False))


@lru_cache(maxsize=8192)
def _resolve_short(text: str) -> str:
    # Specs repeat the same short scalars (enums, dates, ids): resolving each text once saves ~10%
    # of loading. Only short texts, so that hostile files cannot fill the cache with megabytes.
    return _RESOLVER.resolve(yaml.ScalarNode, text, (True, False))


def _yaml11_int(text: str) -> int:
    value = text.replace("_", "")
    sign = -1 if value.startswith("-") else 1
    if value[:1] in "+-":
        value = value[1:]
    if value == "0":
        return 0
    if value.startswith("0b"):
        return sign * int(value[2:], 2)
    if value.startswith("0x"):
        return sign * int(value[2:], 16)
    if value.startswith("0o"):
        return sign * int(value[2:], 8)
    if value.startswith("0"):
        return sign * int(value, 8)
    if ":" in value:
        total = 0
        for part in value.split(":"):
            total = total * 60 + int(part)
        return sign * total
    return sign * int(value)


def _int_is_ambiguous(text: str) -> bool:
    body = text.lstrip("+-")
    return "_" in body or ":" in body or (len(body) > 1 and body[0] == "0")


class _BadScalar(Exception):
    def __init__(self, code: str, message: str) -> None:
        self.code, self.message = code, message


def _typed_scalar(text: str, kind: str, json_mode: bool) -> tuple[Any, bool, bool]:
    """(value, whether YAML typed the text, whether the text is ambiguous) of a plain scalar
    that resolved (or was tagged) to `kind`."""
    if kind == "str" or kind == "timestamp":
        return text, False, not json_mode and _YAML12_FLOAT.match(text) is not None
    if kind == "null":
        return None, True, False
    if kind == "bool":
        return text.lower() in ("true", "yes", "on"), True, False
    if kind == "int":
        if json_mode:
            try:
                return int(text), True, False
            except ValueError:  # more digits than Python converts
                raise _BadScalar("Y002", f"`{text[:20]}...` is too long a number")
        ambiguous = _int_is_ambiguous(text)
        try:
            return _yaml11_int(text), True, ambiguous
        except ValueError:
            raise _BadScalar("Y002", f"`{text}` is not a valid number")
    if kind == "float":
        cleaned = text.replace("_", "")
        ambiguous = "_" in text or ":" in text
        if cleaned.lower().lstrip("+-") in (".inf", ".nan"):
            raise _BadScalar("Y011", f"`{text}` is not a finite number; JSON cannot carry it")
        if ":" in cleaned:
            whole, fraction = cleaned.split(".")[0], cleaned.split(".")[1]
            return Decimal(_yaml11_int(whole)) + Decimal("0." + fraction), True, ambiguous
        try:
            return Decimal(cleaned), True, ambiguous
        except InvalidOperation:
            raise _BadScalar("Y002", f"`{text}` is not a valid number")
    raise _BadScalar("Y010", f"the tag {kind} is not accepted here")


class _Builder:
    """Builds documents from parser events. One instance per file."""

    def __init__(self, path: str, json_mode: bool, limits: Limits) -> None:
        self.path = path
        self.json_mode = json_mode
        self.limits = limits
        self.diagnostics: list[Diagnostic] = []

    def loc(self, mark: Any) -> Location:
        return Location(self.path, mark.line + 1, mark.column + 1)

    def fail(self, mark: Any, code: str, message: str) -> _Abort:
        return _Abort(at(self.loc(mark), code, message))

    # -- scalars --------------------------------------------------------------------------------
    def scalar(self, event: Any, pointer: Pointer, source: SourceMap) -> Any:
        text: str = event.value
        tag = event.tag
        plain = event.style is None or event.style == ""
        if tag and tag != "!":
            if not tag.startswith(_TAG) or tag[len(_TAG):] not in (
                "str", "int", "float", "bool", "null", "timestamp"
            ):
                raise self.fail(event.start_mark, "Y010", f"the tag {tag} is not accepted here")
            plain = True
            kind = tag[len(_TAG):]
            if kind == "str":
                return text
        elif not plain:
            return text
        else:
            kind = _resolve_plain(text, self.json_mode)[len(_TAG):]
        try:
            value, typed, ambiguous = _typed_scalar(text, kind, self.json_mode)
        except _BadScalar as bad:
            raise self.fail(event.start_mark, bad.code, bad.message)
        if typed:
            source.plain[pointer] = text
        if ambiguous:
            source.ambiguous[pointer] = text
        return value

    # -- documents ------------------------------------------------------------------------------
    def documents(self, events: Iterator[Any]) -> Iterator[Document]:
        index = 0
        for event in events:
            if isinstance(event, yaml.DocumentStartEvent):
                line = event.start_mark.line + 1 if event.start_mark is not None else 1
                source = SourceMap(self.path)
                try:
                    value = self.document(events, source)
                except _Abort as abort:
                    self.diagnostics.append(abort.diagnostic)
                    # The parser stream is abandoned: a document past a cap is not trustworthy,
                    # and continuing would spend the resources the cap protects.
                    return
                if value is not None or source.plain.get(()) != "":  # skip empty documents
                    yield Document(value, source, index, line)
                index += 1

    def document(self, events: Iterator[Any], source: SourceMap) -> Any:
        limits = self.limits
        anchors: dict[str, tuple[Any, int]] = {}
        alias_count = 0
        alias_nodes = 0
        root: Any = None
        has_root = False
        # Each frame: [container, pointer, pending_key, key_mark, anchor, node_count_at_start,
        #              merge_sources, explicit_keys]
        stack: list[list[Any]] = []
        nodes = 0

        def place(value: Any, event: Any, is_collection: bool) -> Pointer | None:
            """Put a finished scalar (or a new collection) into its parent; return its pointer."""
            nonlocal root, has_root
            if not stack:
                root, has_root = value, True
                source.values[()] = (event.start_mark.line + 1, event.start_mark.column + 1)
                return ()
            frame = stack[-1]
            container = frame[0]
            if isinstance(container, list):
                pointer = frame[1] + (len(container),)
                container.append(value)
                source.values[pointer] = (event.start_mark.line + 1, event.start_mark.column + 1)
                return pointer
            key = frame[2]
            if key is _NO_KEY:
                self.key(frame, value, event, is_collection, source)
                return None
            frame[2] = _NO_KEY
            if key is _BAD_KEY:
                return None
            if key is _MERGE:
                frame[6].append((value, event))
                return None
            pointer = frame[1] + (key,)
            if key in container:
                first = source.values.get(pointer, (0, 0))[0]
                self.diagnostics.append(at(
                    Location(self.path, frame[3][0], frame[3][1]), "Y005",
                    f"duplicate key `{key}` (first at line {first}); the first value is kept",
                    pointer=format_pointer(pointer)))
                return None
            container[key] = value
            frame[7].add(key)
            source.keys[pointer] = frame[3]
            source.values[pointer] = (event.start_mark.line + 1, event.start_mark.column + 1)
            return pointer

        for event in events:
            kind = type(event)
            if kind is yaml.ScalarEvent:
                nodes += 1
                pointer = self.child_pointer(stack)
                if pointer is None:
                    # A mapping key: its raw text is the key.
                    self.key(stack[-1], event, event, False, source)
                    continue
                value = self.scalar(event, pointer, source)
                place(value, event, False)
                if event.anchor:
                    anchors[event.anchor] = (value, 1)
            elif kind is yaml.MappingStartEvent or kind is yaml.SequenceStartEvent:
                nodes += 1
                if event.tag and event.tag not in ("!", _TAG + "map", _TAG + "seq"):
                    raise self.fail(event.start_mark, "Y010", f"the tag {event.tag} is not accepted here")
                if len(stack) >= limits.max_depth:
                    raise self.fail(event.start_mark, "Y007",
                                    f"nesting deeper than {limits.max_depth} levels")
                container: Any = {} if kind is yaml.MappingStartEvent else []
                pointer = place(container, event, True)
                if pointer is None and stack and stack[-1][2] is _NO_KEY and stack[-1][0] is not container:
                    # placed as a merge source or a discarded value; still parse it below
                    pointer = stack[-1][1] + ("?",)
                stack.append([container, pointer if pointer is not None else ("?",), _NO_KEY, (0, 0),
                              event.anchor, nodes, [], set()])
            elif kind is yaml.MappingEndEvent or kind is yaml.SequenceEndEvent:
                frame = stack.pop()
                if frame[6]:
                    self.merge(frame, source)
                if frame[4]:
                    anchors[frame[4]] = (frame[0], nodes - frame[5] + 1)
            elif kind is yaml.AliasEvent:
                target = anchors.get(event.anchor)
                if target is None:
                    raise self.fail(event.start_mark, "Y002",
                                    f"alias *{event.anchor} refers to no finished anchor")
                alias_count += 1
                alias_nodes += target[1]
                nodes += target[1]
                if alias_count > limits.max_aliases:
                    raise self.fail(event.start_mark, "Y008",
                                    f"more than {limits.max_aliases} aliases in one document")
                if alias_nodes > limits.max_alias_nodes:
                    raise self.fail(event.start_mark, "Y008",
                                    f"aliases expand to more than {limits.max_alias_nodes} values")
                pointer = self.child_pointer(stack)
                if pointer is None:
                    raise self.fail(event.start_mark, "Y009", "an alias cannot be a mapping key")
                value = target[0]
                place(copy.deepcopy(value) if isinstance(value, (dict, list)) else value, event, False)
            elif kind is yaml.DocumentEndEvent:
                return root if has_root else None
        return root if has_root else None

    @staticmethod
    def child_pointer(stack: list[list[Any]]) -> Pointer | None:
        """The pointer the next value will have; None when the next node is a mapping key."""
        if not stack:
            return ()
        frame = stack[-1]
        container = frame[0]
        if isinstance(container, list):
            return frame[1] + (len(container),)
        key = frame[2]
        if key is _NO_KEY:
            return None
        if isinstance(key, str):
            return frame[1] + (key,)
        return frame[1] + ("?",)

    def key(self, frame: list[Any], value: Any, event: Any, is_collection: bool, source: SourceMap) -> None:
        frame[3] = (event.start_mark.line + 1, event.start_mark.column + 1)
        if is_collection or not isinstance(event, yaml.ScalarEvent):
            self.diagnostics.append(at(self.loc(event.start_mark), "Y009",
                                       "a mapping key must be text, not a list or mapping"))
            frame[2] = _BAD_KEY
            return
        text = event.value
        plain = event.style is None or event.style == ""
        if plain and not event.tag:
            if text == "<<" and not self.json_mode:
                frame[2] = _MERGE
                return
            resolved = _resolve_plain(text, self.json_mode)
            if resolved in (_TAG + "bool", _TAG + "null"):
                shown = text or "(empty)"
                self.diagnostics.append(at(
                    self.loc(event.start_mark), "Y009",
                    f"the key `{shown}` is read by YAML as {resolved[len(_TAG):]}; quote it"))
                frame[2] = _BAD_KEY
                return
        frame[2] = text

    def merge(self, frame: list[Any], source: SourceMap) -> None:
        """Apply `<<: *anchor` merges: keys written in the mapping win over merged ones."""
        container = frame[0]
        if not isinstance(container, dict):
            return
        explicit = frame[7]
        for value, event in frame[6]:
            sources = value if isinstance(value, list) else [value]
            for merged in sources:
                if not isinstance(merged, dict):
                    self.diagnostics.append(at(self.loc(event.start_mark), "Y002",
                                               "`<<` merges mappings only"))
                    continue
                for key, item in merged.items():
                    if key in explicit or key in container:
                        continue
                    container[key] = copy.deepcopy(item)
                    pointer = frame[1] + (key,)
                    where = (event.start_mark.line + 1, event.start_mark.column + 1)
                    source.values[pointer] = where
                    source.keys[pointer] = where


def _decode(data: bytes, path: str) -> tuple[str | None, Diagnostic | None]:
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError as error:
        prefix = data[: error.start]
        line = prefix.count(b"\n") + 1
        # Columns count characters, as everywhere else; the line up to the bad byte is valid UTF-8.
        before = prefix[prefix.rfind(b"\n") + 1:].decode("utf-8-sig" if line == 1 else "utf-8")
        column = len(before) + 1
        return None, at(Location(path, line, column), "Y001",
                        f"the file is not UTF-8 (byte 0x{data[error.start]:02x} at offset {error.start})")


def load_text(text: str, path: str, *, json_mode: bool = False, limits: Limits = Limits()) -> LoadedFile:
    if json_mode:
        document = _read_json(text, path, limits)
        if document is not None:
            return LoadedFile(path, [document], [], text)
    else:
        documents = _read_yaml(text, path, limits)
        if documents:
            return LoadedFile(path, documents, [], text)
    return _load_located(text, path, json_mode=json_mode, limits=limits)


class _NotPlainJson(Exception):
    """The text is not JSON that the fast reader is sure to read as the builder would."""


# What the C parser accepts and libyaml reads differently or refuses: characters YAML does not
# allow or takes as line breaks, space before a key's colon (a YAML simple key must end on its
# line), surrogate escapes (libyaml refuses each half of a pair).
_NOT_YAML_CHARACTERS = re.compile("[\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff]|[\ud800-\udfff]")
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


def is_whole_decimal(value: Any) -> bool:
    """A Decimal with a whole value (`12.0`, `100.00`, `1E+2`): an integer to JSON Schema."""
    return type(value) is Decimal and value.is_finite() and value == value.to_integral_value()


def _read_json(text: str, path: str, limits: Limits) -> Document | None:
    """The document of a JSON text read by the C parser, with a source map built on demand; None
    when the text needs the builder (invalid JSON, duplicate keys, too deep, YAML corner cases),
    which then reports exactly what it always has."""
    start = len(text) - len(text.lstrip(" \t\r\n"))
    if "\t" in text[:start]:
        return None  # a tab before the document is an error to YAML
    if not (text.isascii() and "\x7f" not in text) and _NOT_YAML_CHARACTERS.search(text):
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
    unbuilt = _UnbuiltMap(text, path, limits, True)
    unbuilt.whole_decimals[0] = bool(whole)
    return Document(value, LazySourceMap(unbuilt), 0, line)  # type: ignore[arg-type]


_BOOL_OR_NULL = (_TAG + "bool", _TAG + "null")


def _read_yaml(text: str, path: str, limits: Limits) -> list[Document] | None:
    """The documents of a YAML text built from libyaml's events without noting where each value
    came from (source maps are built on demand); None when the text needs the builder: anything
    it would report (duplicate or non-text keys, caps, tags, bad numbers, parse errors), and
    anything it treats with care (anchors, aliases, merges, ambiguous literals, scalar documents).
    """
    unbuilt = _UnbuiltMap(text, path, limits, False)
    documents: list[Document] = []
    # [container, key awaiting its value or _NO_KEY, the container's pointer if in the top levels]
    stack: list[list[Any]] = []
    shallow: dict[Pointer, tuple[int, int]] = {}
    root: Any = None
    whole = False  # the document holds a whole Decimal
    line = index = 0
    max_depth = limits.max_depth
    scalar_event, mapping_start, sequence_start = yaml.ScalarEvent, yaml.MappingStartEvent, yaml.SequenceStartEvent
    try:
        events: Iterator[Any] = yaml.parse(text, Loader=_Parser)
        for event in events:
            kind = type(event)
            if kind is scalar_event:
                if event.anchor or event.tag or not stack:
                    return None
                frame = stack[-1]
                container = frame[0]
                value: Any = event.value
                if event.style is None or event.style == "":
                    resolved = _resolve_short(value) if len(value) <= 64 else _resolve_plain(value, False)
                    if frame[1] is _NO_KEY and type(container) is dict:
                        if value == "<<" or resolved in _BOOL_OR_NULL or value in container:
                            return None
                        frame[1] = value
                        continue
                    value, _, ambiguous = _typed_scalar(value, resolved[len(_TAG):], False)
                    if ambiguous:
                        return None
                    if not whole and is_whole_decimal(value):
                        whole = True
                elif frame[1] is _NO_KEY and type(container) is dict:
                    if value in container:
                        return None
                    frame[1] = value
                    continue
                if frame[2] is not None:
                    mark = event.start_mark
                    where = frame[1] if type(container) is dict else len(container)
                    shallow[frame[2] + (where,)] = (mark.line + 1, mark.column + 1)
                if type(container) is list:
                    container.append(value)
                else:
                    container[frame[1]] = value
                    frame[1] = _NO_KEY
            elif kind is mapping_start or kind is sequence_start:
                if event.anchor or event.tag or len(stack) >= max_depth:
                    return None
                made: Any = {} if kind is mapping_start else []
                mark = event.start_mark
                pointer: Pointer | None = ()
                if stack:
                    frame = stack[-1]
                    if frame[1] is _NO_KEY and type(frame[0]) is dict:
                        return None  # a collection as a key
                    where = frame[1] if type(frame[0]) is dict else len(frame[0])
                    pointer = frame[2] + (where,) if frame[2] is not None else None
                    if pointer is not None:
                        shallow[pointer] = (mark.line + 1, mark.column + 1)
                        if len(pointer) >= 2:
                            pointer = None  # deeper than the top two levels: not noted
                    if type(frame[0]) is list:
                        frame[0].append(made)
                    else:
                        frame[0][frame[1]] = made
                        frame[1] = _NO_KEY
                else:
                    root = made
                    shallow = {(): (mark.line + 1, mark.column + 1)}
                stack.append([made, _NO_KEY, pointer])
            elif kind is yaml.MappingEndEvent or kind is yaml.SequenceEndEvent:
                stack.pop()
            elif kind is yaml.DocumentStartEvent:
                line = event.start_mark.line + 1 if event.start_mark is not None else 1
                root, whole = None, False
            elif kind is yaml.DocumentEndEvent:
                if root is None:
                    return None
                documents.append(Document(root, LazySourceMap(unbuilt, index), index, line))  # type: ignore[arg-type]
                unbuilt.shallow[index] = shallow
                unbuilt.whole_decimals[index] = whole
                index += 1
            elif kind is yaml.AliasEvent:
                return None
    except (yaml.YAMLError, _BadScalar):
        return None
    return documents


# libyaml (bundled in PyYAML wheels since 6.0.4) refuses nesting past its own limit before any
# event reaches our depth check, with its own wording; the file's fault is the same, so is the code.
_LIBYAML_NESTING_LIMIT = 1000
_LIBYAML_NESTING_PROBLEM = "exceeded maximum nesting depth"
_TAB_PROBLEMS = ("found character that cannot start any token",
                 "found a tab character that violates indentation")


def _parser_error(error: yaml.MarkedYAMLError, text: str, path: str, limits: Limits) -> Diagnostic:
    mark = error.problem_mark or error.context_mark
    where = Location(path, mark.line + 1, mark.column + 1) if mark else Location(path, 1, 1)
    problem = error.problem or "invalid YAML"
    if problem == _LIBYAML_NESTING_PROBLEM:
        depth = min(limits.max_depth, _LIBYAML_NESTING_LIMIT)
        return at(where, "Y007", f"nesting deeper than {depth} levels")
    if problem in _TAB_PROBLEMS and mark is not None and _tab_in_indentation(text, mark.line):
        return at(Location(path, mark.line + 1, 1), "Y002",
                  "a tab in the indentation: YAML allows only spaces to indent")
    if error.context:
        problem = f"{problem} ({error.context})"
    return at(where, "Y002", problem)


def _tab_in_indentation(text: str, line_index: int) -> bool:
    lines = text.splitlines()
    if line_index >= len(lines):
        return False
    line = lines[line_index]
    indentation = line[:len(line) - len(line.lstrip(" \t"))]
    return "\t" in indentation


def _load_located(text: str, path: str, *, json_mode: bool, limits: Limits) -> LoadedFile:
    """Build documents and source maps from libyaml's events (YAML, and JSON the fast reader left)."""
    builder = _Builder(path, json_mode, limits)
    documents: list[Document] = []
    try:
        documents.extend(builder.documents(yaml.parse(text, Loader=_Parser)))
    except yaml.MarkedYAMLError as error:
        builder.diagnostics.append(_parser_error(error, text, path, limits))
    except yaml.YAMLError as error:
        builder.diagnostics.append(at(Location(path, 1, 1), "Y002", str(error).splitlines()[0]))
    if not documents and not builder.diagnostics:
        builder.diagnostics.append(at(Location(path, 1, 1), "Y003", "the file holds no document"))
    return LoadedFile(path, documents, builder.diagnostics, text)


def load_bytes(data: bytes, path: str, *, limits: Limits = Limits(), size: int | None = None) -> LoadedFile:
    """Load one file's bytes; size is the whole file's, when only its first bytes were read."""
    if len(data) > limits.max_file_bytes:
        return LoadedFile(path, [], [at(Location(path, 1, 1), "Y006",
                                        f"the file is {max(size or 0, len(data))} bytes; "
                                        f"the cap is {limits.max_file_bytes}")])
    text, problem = _decode(data, path)
    if problem is not None or text is None:
        return LoadedFile(path, [], [problem] if problem else [])
    return load_text(text, path, json_mode=path.endswith(".json"), limits=limits)


def load_file(path: str | Path, *, limits: Limits = Limits()) -> LoadedFile:
    name = str(path)
    try:
        with open(path, "rb") as handle:
            # Read one byte past the cap, not the whole file: a huge file is refused unread.
            data = handle.read(limits.max_file_bytes + 1)
            size = os.fstat(handle.fileno()).st_size
    except OSError as error:
        return LoadedFile(name, [], [at(Location(name, 1, 1), "Y012",
                                        f"cannot read the file: {error.strerror or error}")])
    return load_bytes(data, name, limits=limits, size=size)
