"""The builder: documents and their whole source maps from libyaml's events, with every check a
hostile or mistaken file needs (duplicate keys, caps on depth and aliases, tags, merges, keys
that are not text). Every reader falls back to it; it alone reports a file's faults."""

from __future__ import annotations

import copy
from typing import Any, Iterator

import yaml

from orderspec.diagnostics import Diagnostic, Location, Pointer, at, format_pointer
from orderspec.load.scalars import BOOL_OR_NULL, TAG, BadScalar, resolve_plain, typed_scalar
from orderspec.load.source_map import Document, Limits, LoadedFile, SourceMap

try:
    Parser: type = yaml.CSafeLoader  # libyaml: several times faster
except AttributeError:  # pragma: no cover - PyYAML built without libyaml
    Parser = yaml.SafeLoader

class _Abort(Exception):
    def __init__(self, diagnostic: Diagnostic) -> None:
        self.diagnostic = diagnostic


_MERGE = object()
NO_KEY = object()
_BAD_KEY = object()


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
            if not tag.startswith(TAG) or tag[len(TAG):] not in (
                "str", "int", "float", "bool", "null", "timestamp"
            ):
                raise self.fail(event.start_mark, "Y010", f"the tag {tag} is not accepted here")
            plain = True
            kind = tag[len(TAG):]
            if kind == "str":
                return text
        elif not plain:
            return text
        else:
            kind = resolve_plain(text, self.json_mode)[len(TAG):]
        try:
            value, typed, ambiguous = typed_scalar(text, kind, self.json_mode)
        except BadScalar as bad:
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
            if key is NO_KEY:
                self.key(frame, value, event, is_collection, source)
                return None
            frame[2] = NO_KEY
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
                if event.tag and event.tag not in ("!", TAG + "map", TAG + "seq"):
                    raise self.fail(event.start_mark, "Y010", f"the tag {event.tag} is not accepted here")
                if len(stack) >= limits.max_depth:
                    raise self.fail(event.start_mark, "Y007",
                                    f"nesting deeper than {limits.max_depth} levels")
                container: Any = {} if kind is yaml.MappingStartEvent else []
                pointer = place(container, event, True)
                if pointer is None and stack and stack[-1][2] is NO_KEY and stack[-1][0] is not container:
                    # placed as a merge source or a discarded value; still parse it below
                    pointer = stack[-1][1] + ("?",)
                stack.append([container, pointer if pointer is not None else ("?",), NO_KEY, (0, 0),
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
        if key is NO_KEY:
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
            resolved = resolve_plain(text, self.json_mode)
            if resolved in BOOL_OR_NULL:
                shown = text or "(empty)"
                self.diagnostics.append(at(
                    self.loc(event.start_mark), "Y009",
                    f"the key `{shown}` is read by YAML as {resolved[len(TAG):]}; quote it"))
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


# libyaml (bundled in PyYAML wheels since 6.0.4) refuses nesting past its own limit before any
# event reaches our depth check, with its own wording; the file's fault is the same, so is the code.
_LIBYAML_NESTING_LIMIT = 1000
_LIBYAML_NESTING_PROBLEM = "exceeded maximum nesting depth"
_TAB_PROBLEMS = ("found character that cannot start any token",
                 "found a tab character that violates indentation")


def parser_error(error: yaml.MarkedYAMLError, text: str, path: str, limits: Limits) -> Diagnostic:
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


def load_located(text: str, path: str, *, json_mode: bool, limits: Limits) -> LoadedFile:
    """Build documents and source maps from libyaml's events (YAML, and JSON the fast reader left)."""
    builder = _Builder(path, json_mode, limits)
    documents: list[Document] = []
    try:
        documents.extend(builder.documents(yaml.parse(text, Loader=Parser)))
    except yaml.MarkedYAMLError as error:
        builder.diagnostics.append(parser_error(error, text, path, limits))
    except yaml.YAMLError as error:
        builder.diagnostics.append(at(Location(path, 1, 1), "Y002", str(error).splitlines()[0]))
    if not documents and not builder.diagnostics:
        builder.diagnostics.append(at(Location(path, 1, 1), "Y003", "the file holds no document"))
    return LoadedFile(path, documents, builder.diagnostics, text)

