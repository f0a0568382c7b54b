"""Stage 1: load YAML/JSON files into plain data, keeping where every value came from.

A text goes to the cheapest reader that is sure to read it as the builder would, and falls
through to the next when it is not: `json_reader` (JSON texts, the C parser), `yaml_events`
(values from libyaml's events), then `located`, the builder, which alone reports a file's faults
and builds whole source maps. The fast readers hand out `source_map.LazySourceMap`s, which the
builder fills the first time a location is asked for. `scalars` types plain scalars for all.

The tree is built from the parser's event stream rather than from PyYAML's constructor so that
the loader controls everything a hostile file could abuse (depth, aliases, tags) and sees what
the constructor hides (duplicate keys, the original text of every unquoted scalar).

Scalars become: str, int, Decimal (never float: money must keep its exact text), bool, None.
Dates and timestamps stay as the exact text the author wrote.
"""

from __future__ import annotations

import os
from pathlib import Path

from orderspec.diagnostics import Diagnostic, Location, at
from orderspec.load.json_reader import read_json
from orderspec.load.located import load_located
from orderspec.load.source_map import Document, LazySourceMap, Limits, LoadedFile, SourceMap
from orderspec.load.yaml_block import read_yaml_block
from orderspec.load.yaml_events import read_yaml_events
from orderspec.whole_decimals import is_whole as is_whole_decimal

__all__ = ["Document", "LazySourceMap", "Limits", "LoadedFile", "SourceMap", "is_whole_decimal",
           "load_bytes", "load_file", "load_text"]


def decode(data: bytes, path: str) -> tuple[str | None, Diagnostic | None]:
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
        document = read_json(text, path, limits)
        if document is not None:
            return LoadedFile(path, [document], [], text)
    else:
        documents = read_yaml_block(text, path, limits) or read_yaml_events(text, path, limits)
        if documents:
            return LoadedFile(path, documents, [], text)
    return load_located(text, path, json_mode=json_mode, limits=limits)



def load_bytes(data: bytes, path: str, *, limits: Limits = Limits(), size: int | None = None) -> LoadedFile:
    """Load one file's bytes; size is the whole file's, when only its first bytes were read."""
    if len(data) > limits.max_file_bytes:
        return LoadedFile(path, [], [at(Location(path, 1, 1), "Y006",
                                        f"the file is {max(size or 0, len(data))} bytes; "
                                        f"the cap is {limits.max_file_bytes}")])
    text, problem = decode(data, path)
    if problem is not None or text is None:
        return LoadedFile(path, [], [problem] if problem else [])
    return load_text(text, path, json_mode=path.endswith(".json"), limits=limits)


def load_file(path: str | Path, *, limits: Limits = Limits()) -> LoadedFile:
    name = str(path)
    try:
        with open(path, "rb") as handle:
            # Read one byte past the cap, not the whole file: a huge file is refused unread.
            cap = limits.max_file_bytes + 1
            size = os.fstat(handle.fileno()).st_size
            # Asking for the file's size (+1) rather than the cap spares a cap-sized buffer per
            # file; a file that grew since, or a pipe (size 0), is read on to the cap.
            data = handle.read(min(size + 1, cap))
            if len(data) > size and len(data) < cap:
                data += handle.read(cap - len(data))
            size = max(size, len(data))
    except OSError as error:
        return LoadedFile(name, [], [at(Location(name, 1, 1), "Y012",
                                        f"cannot read the file: {error.strerror or error}")])
    return load_bytes(data, name, limits=limits, size=size)
