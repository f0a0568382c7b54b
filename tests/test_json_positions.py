"""orderspec.json_positions: the targeted locator answers as the whole map does (the map is
compared with the libyaml builder in tests/test_load_lazy.py)."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from orderspec import pipeline
from orderspec.json_positions import JsonLocator, json_positions
from orderspec.load import SourceMap, load_text, source_map

REPO = Path(__file__).resolve().parent.parent

SCALARS = st.none() | st.booleans() | st.integers(-10**20, 10**20) | st.sampled_from(
    [Decimal("12.50"), Decimal("100.00"), Decimal("1E+5"), Decimal("-0.0")]) | st.text(max_size=8)
KEYS = st.sampled_from(["a", "b", "pricing", "", "1", 'q"uote', "back\\slash", "é", "a:b", "{", "]"]) | \
    st.text(max_size=6)
VALUES = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(KEYS, inner, max_size=4),
                      max_leaves=25)


def _decimal(item: Any) -> Any:
    if isinstance(item, Decimal):
        return f"\x00D({item})D\x00"
    raise TypeError(type(item))


def _text(value: Any, indent: Any, separators: tuple[str, str], ascii_only: bool, line_break: str,
          lead: str) -> str:
    dumped = json.dumps(value, default=_decimal, indent=indent, separators=separators, ensure_ascii=ascii_only)
    dumped = dumped.replace('"\x00D(', "").replace(')D\x00"', "")
    return lead + dumped.replace("\n", line_break) + line_break


def _probes(values: dict[tuple[Any, ...], Any]) -> list[tuple[Any, ...]]:
    """Every pointer of the text, and pointers that go where nothing is written."""
    probes = list(values)
    for pointer in list(values)[:20]:
        probes += [pointer + ("nope",), pointer + (0,), pointer + (3, "x"), pointer + ("0",), pointer + (True,)]
    return probes + [("nope",), (0,), (-1,)]


def assert_same_places(text: str) -> None:
    values, keys, plain = json_positions(text)
    whole = SourceMap("x.json", values, keys, plain)
    locator = JsonLocator(text)
    for pointer in _probes(values):
        assert locator.locate(pointer) == _place(whole, pointer), pointer
        assert locator.locate(pointer, key=True) == _place(whole, pointer, key=True), pointer
        assert locator.raw_plain(pointer) == whole.raw_plain(pointer), pointer


def _place(whole: SourceMap, pointer: tuple[Any, ...], *, key: bool = False) -> tuple[int, int]:
    found = whole.locate(pointer, key=key)
    return found.line, found.column


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(value=VALUES, indent=st.sampled_from([None, 0, 2, "\t", " \r "]),
       separators=st.sampled_from([(", ", ": "), (",", ":"), (" ,\n", ":\t")]), ascii_only=st.booleans(),
       line_break=st.sampled_from(["\n", "\r\n", "\r"]), lead=st.sampled_from(["", "\n\n", " \r\n\t"]))
def test_the_locator_answers_as_the_whole_map(value: Any, indent: Any, separators: tuple[str, str],
                                               ascii_only: bool, line_break: str, lead: str) -> None:
    assert_same_places(_text(value, indent, separators, ascii_only, line_break, lead))


def test_the_locator_answers_as_the_whole_map_on_the_bench_bodies(tmp_path: Path) -> None:
    _, bodies = _corpus(tmp_path, 60)
    for path in bodies:
        assert_same_places(path.read_text(encoding="utf-8"))


def test_a_located_json_body_builds_no_map() -> None:
    """Locating a few pointers of a body the fast reader took leaves its map unbuilt."""
    text = '{\n  "a": [1, {"b": 12.50}],\n  "c": "x"\n}\n'
    source = load_text(text, "x.json", json_mode=True).documents[0].source
    assert isinstance(source, source_map.LazySourceMap)
    assert (source.locate(("a", 1, "b")).line, source.locate(("a", 1, "b")).column) == (2, 18)
    assert source.locate(("a", 1, "b"), key=True).column == 13
    assert source.raw_plain(("a", 1, "b")) == "12.50"
    assert not source.built
    assert source.values[("c",)] == (3, 8)  # the whole map, when asked for, is built as before
    assert source.built and source.locate(("c",)).column == 8


def test_invalid_bench_bodies_lint_without_building_their_maps(tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    _, bodies = _corpus(tmp_path, 40)
    built: list[str] = []
    original = source_map.UnbuiltMap.source

    def counted(self: source_map.UnbuiltMap, index: int) -> SourceMap:
        if self.built is None:
            built.append(self.path)
        return original(self, index)

    monkeypatch.setattr(source_map.UnbuiltMap, "source", counted)
    result = pipeline.run([str(tmp_path / "bodies")], pipeline.Options(bare_operation="create", include=("*.json",)))
    assert result.diagnostics and not built


def _corpus(tmp_path: Path, count: int) -> tuple[list[Path], list[Path]]:
    import sys

    sys.path.insert(0, str(REPO / "bench"))
    try:
        from corpus import generate
    finally:
        sys.path.remove(str(REPO / "bench"))
    specs, bodies = generate(tmp_path, count)
    return specs, bodies
