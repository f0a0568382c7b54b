"""Where each loaded value came from: source maps, and the lazy form the fast readers hand out
(built from the text only when a location or raw text is asked for)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterator

from orderspec.diagnostics import Diagnostic, Location, Pointer


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


class UnbuiltMap:
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
        # Whether yaml_block read the text (it then builds the map too, from the lines).
        self.block = False
        self._json_locator: Any = None

    def json_locator(self) -> Any:
        """For a JSON text whose map is not built: a locator that finds a few pointers without
        building it (orderspec.json_positions.JsonLocator), else None."""
        if not self.json_mode or self.built is not None:
            return None
        if self._json_locator is None:
            from orderspec.json_positions import JsonLocator

            self._json_locator = JsonLocator(self.text)
        return self._json_locator

    def source(self, index: int) -> SourceMap:
        if self.built is None:
            if self.json_mode:
                # Cheaper than the builder, to the same map (see orderspec.json_positions).
                from orderspec.json_positions import json_positions

                values, keys, plain = json_positions(self.text)
                self.built = {0: SourceMap(self.path, values, keys, plain)}
                self._json_locator = None
            elif self.block:
                from orderspec.load.yaml_block import block_source_map

                self.built = {0: block_source_map(self.text, self.path, self.limits)}
            else:
                from orderspec.load.located import load_located

                loaded = load_located(self.text, self.path, json_mode=self.json_mode, limits=self.limits)
                # The fast reader took the text, so the builder reads the same clean documents.
                self.built = {document.index: document.source for document in loaded.documents}
            self.text = ""
        return self.built.get(index) or SourceMap(self.path)


class LazySourceMap:
    """A document's SourceMap, built when first asked for a location or raw text."""

    def __init__(self, unbuilt: UnbuiltMap, index: int = 0, prefix: Pointer = ()) -> None:
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
        json_locator = self._unbuilt.json_locator()
        if json_locator is not None:
            return Location(self.path, *json_locator.locate(self.prefix + tuple(pointer), key=key))
        return self._map().locate(pointer, key=key)

    def related(self, pointer: Pointer) -> tuple[Location, ...]:
        return ()

    def raw_plain(self, pointer: Pointer) -> str | None:
        json_locator = self._unbuilt.json_locator()
        if json_locator is not None:
            return json_locator.raw_plain(self.prefix + tuple(pointer))  # type: ignore[no-any-return]
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


