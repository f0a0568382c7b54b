"""The fast YAML reader: values from libyaml's events, without noting where each came from."""

from __future__ import annotations

from typing import Any, Iterator

import yaml

from orderspec.diagnostics import Pointer
from orderspec.load.located import NO_KEY, Parser
from orderspec.load.scalars import BOOL_OR_NULL, TAG, BadScalar, resolve_plain, resolve_short, typed_scalar
from orderspec.load.source_map import Document, LazySourceMap, Limits, UnbuiltMap
from orderspec.whole_decimals import is_whole as is_whole_decimal



def read_yaml_events(text: str, path: str, limits: Limits) -> list[Document] | None:
    """The documents of a YAML text built from libyaml's events without noting where each value
    came from (source maps are built on demand); None when the text needs the builder: anything
    it would report (duplicate or non-text keys, caps, tags, bad numbers, parse errors), and
    anything it treats with care (anchors, aliases, merges, ambiguous literals, scalar documents).
    """
    unbuilt = UnbuiltMap(text, path, limits, False)
    documents: list[Document] = []
    # [container, key awaiting its value or NO_KEY, the container's pointer if in the top levels]
    stack: list[list[Any]] = []
    shallow: dict[Pointer, tuple[int, int]] = {}
    root: Any = None
    whole = False  # the document holds a whole Decimal
    line = index = 0
    max_depth = limits.max_depth
    scalar_event, mapping_start, sequence_start = yaml.ScalarEvent, yaml.MappingStartEvent, yaml.SequenceStartEvent
    try:
        events: Iterator[Any] = yaml.parse(text, Loader=Parser)
        for event in events:
            kind = type(event)
            if kind is scalar_event:
                if event.anchor or event.tag or not stack:
                    return None
                frame = stack[-1]
                container = frame[0]
                value: Any = event.value
                if event.style is None or event.style == "":
                    resolved = resolve_short(value) if len(value) <= 64 else resolve_plain(value, False)
                    if frame[1] is NO_KEY and type(container) is dict:
                        if value == "<<" or resolved in BOOL_OR_NULL or value in container:
                            return None
                        frame[1] = value
                        continue
                    value, _, ambiguous = typed_scalar(value, resolved[len(TAG):], False)
                    if ambiguous:
                        return None
                    if not whole and is_whole_decimal(value):
                        whole = True
                elif frame[1] is NO_KEY and type(container) is dict:
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
                    frame[1] = NO_KEY
            elif kind is mapping_start or kind is sequence_start:
                if event.anchor or event.tag or len(stack) >= max_depth:
                    return None
                made: Any = {} if kind is mapping_start else []
                mark = event.start_mark
                pointer: Pointer | None = ()
                if stack:
                    frame = stack[-1]
                    if frame[1] is NO_KEY and type(frame[0]) is dict:
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
                        frame[1] = NO_KEY
                else:
                    root = made
                    shallow = {(): (mark.line + 1, mark.column + 1)}
                stack.append([made, NO_KEY, pointer])
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
    except (yaml.YAMLError, BadScalar):
        return None
    return documents

