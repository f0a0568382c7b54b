"""JSON files read by the C parser, with source maps built only when a location is asked for:
differentially the same documents, diagnostics, lines and columns as the libyaml builder."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from orderspec import load, pipeline
from orderspec.load import json_reader, source_map
from orderspec.load import LazySourceMap, Limits, load_bytes
from orderspec.validate import _has_whole_decimal

REPO = Path(__file__).resolve().parent.parent


def _eager(data: bytes, path: str, limits: Limits = Limits()) -> load.LoadedFile:
    """The loader as it was before the fast reader: every JSON text through the builder."""
    saved = load.read_json
    load.read_json = lambda text, path, limits: None  # type: ignore[assignment]
    try:
        return load_bytes(data, path, limits=limits)
    finally:
        load.read_json = saved  # type: ignore[assignment]


def _assert_whole_decimals_noted(loaded: load.LoadedFile) -> None:
    """The fast readers note whether a document holds a whole Decimal exactly as validate's walk finds it."""
    for document in loaded.documents:
        if isinstance(document.source, LazySourceMap):
            assert document.source.whole_decimals == _has_whole_decimal(document.value), document.value


def _shown(value: Any) -> str:
    return repr(value)  # types included: 1 and Decimal("1") and True differ


def assert_same(data: bytes, path: str = "x.order.json", limits: Limits = Limits()) -> bool:
    """Compare fast and eager loading; True when the fast reader took the file."""
    fast, eager = load_bytes(data, path, limits=limits), _eager(data, path, limits)
    assert [d.text() for d in fast.diagnostics] == [d.text() for d in eager.diagnostics]
    assert [(d.index, d.line, _shown(d.value)) for d in fast.documents] == \
           [(d.index, d.line, _shown(d.value)) for d in eager.documents]
    took = any(isinstance(d.source, LazySourceMap) for d in fast.documents)
    _assert_whole_decimals_noted(fast)
    for lazy, built in zip(fast.documents, eager.documents):
        if isinstance(lazy.source, LazySourceMap):
            assert not lazy.source.built  # nothing asked yet: nothing built
        for pointer, where in built.source.values.items():
            assert lazy.source.locate(pointer) == built.source.locate(pointer)
            assert lazy.source.locate(pointer, key=True) == built.source.locate(pointer, key=True)
            assert lazy.source.raw_plain(pointer) == built.source.raw_plain(pointer)
            assert lazy.source.raw_ambiguous(pointer) == built.source.raw_ambiguous(pointer)
        assert lazy.source.values == built.source.values and lazy.source.keys == built.source.keys
        assert lazy.source.plain == built.source.plain
        assert list(lazy.source.ambiguous_pointers()) == list(built.source.ambiguous_pointers())
        sub = ("a",)
        assert lazy.source.sub(sub).locate((0, "b")) == built.source.sub(sub).locate((0, "b"))
    return took


NUMBERS = st.one_of(
    st.integers(min_value=-10**30, max_value=10**30),
    st.decimals(allow_nan=False, allow_infinity=False, places=2, min_value=-10**9, max_value=10**9),
    st.sampled_from([Decimal("1e5"), Decimal("-0.0"), Decimal("12.50"), Decimal("1.5E-7")]),
)
TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=12) | st.sampled_from(
    ["a/b", "\\", "\"", "\u2028", "\x85", "\x7f", "\ufeff", "😀", "2024-01-01", "true", "1e5", "<<", "~"])
KEYS = st.sampled_from(["a", "b", "orderNumber", "<<", "true", "null", "1", "", "k" * 170]) | TEXT
VALUES = st.recursive(
    st.none() | st.booleans() | NUMBERS | TEXT,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(KEYS, inner, max_size=4),
    max_leaves=30)


def _dump(value: Any, style: int) -> str:
    def default(item: Any) -> Any:
        raise TypeError

    # json cannot write Decimal; a float's repr would change the text, so write numbers by hand.
    text = json.dumps(value, default=_decimal_marker, ensure_ascii=style % 2 == 0,
                      indent=(None, 2, "\t", 0)[style % 4],
                      separators=((", ", ": "), (",", ":"), (" , ", " : "), (",", ": "))[style // 4 % 4])
    return text.replace('"\x00D(', "").replace(')D\x00"', "")


def _decimal_marker(item: Any) -> Any:
    if isinstance(item, Decimal):
        return f"\x00D({item})D\x00"
    raise TypeError(type(item))


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(value=VALUES, style=st.integers(0, 15), lead=st.sampled_from(["", "\n\n", "  ", "\r\n", "\t", " \n\t"]),
       trail=st.sampled_from(["", "\n", " \t\n", "\n\n# c\n", "\n---\n{}"]))
def test_json_files_load_the_same_either_way(value: Any, style: int, lead: str, trail: str) -> None:
    text = lead + _dump(value, style) + trail
    assert_same(text.encode("utf-8"))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(value=VALUES, style=st.integers(0, 15), cut=st.integers(0, 400), insert=st.sampled_from(
    ["", ",", "}", "]", "\"", "\\", "\t", "#", "&a ", "*a", "!!str ", "NaN", "Infinity", "-", "\n", "\u00e9", "'x'"]))
def test_mutated_json_loads_the_same_either_way(value: Any, style: int, cut: int, insert: str) -> None:
    text = _dump({"a": [{"b": value}], "c": value}, style)
    cut %= len(text) + 1
    assert_same((text[:cut] + insert + text[cut:]).encode("utf-8"))


def test_duplicate_keys_are_reported_where_the_builder_reports_them() -> None:
    data = b'{\n  "a": 1,\n  "b": {"x": 1, "x": 2},\n  "a": 3\n}\n'
    fast = load_bytes(data, "d.json")
    assert [d.code for d in fast.diagnostics] == ["Y005", "Y005"]
    assert_same(data, "d.json")


@pytest.mark.parametrize("depth", [1, 63, 64, 65, 200, 5000])
def test_deep_nesting_caps_the_same(depth: int) -> None:
    for opening, closing in (("[", "]"), ('{"k":', "}")):
        data = (opening * depth + "1" + closing * depth).encode()
        took = assert_same(data, "deep.json")
        assert took == (depth <= 64)
    limits = Limits(max_depth=3)
    assert assert_same(b'[[["x"]]]', "d.json", limits) and not assert_same(b'[[[["x"]]]]', "d.json", limits)


def test_not_utf8_and_too_big_the_same() -> None:
    assert_same(b'{"a": "caf\xe9"}', "x.json")
    assert_same(b'\xef\xbb\xbf{"a": 1}', "bom.json")
    assert_same(b'{"a": "' + b"x" * 100 + b'"}', "x.json", Limits(max_file_bytes=50))
    assert_same(b"", "empty.json")
    assert_same(b"  \n", "blank.json")
    assert_same(b"1" * 5000, "huge-int.json")


def test_yaml_corner_cases_go_to_the_builder() -> None:
    for data in (b'{"a" : 1}', b'{"a"\n: 1}', b'\t{"a": 1}', b'{"k\\ud83d\\ude00": 1}', b'{"a": "\xc2\x85"}',
                 b'{"' + b"k" * 200 + b'": 1}', b'[NaN]', b'{"a": 1} {"b": 2}', b'{"a": "x\\":", "a": 1}',
                 b'{"a": {"b": 1, "b": 2}}', b'[{"x": 1}, {"y": 2, "y": 2}]', b'{"a": "\x7f"}'):
        assert not assert_same(data), data
    for data in (b'{"a":1}', b'\n\n  [1, 2.50, "x", true, null]\n', b'"just text"', b"null", b'{"a":"\\/"}',
                 b'{"a": "x\\":", "b": "\\\\"}', b'{"a": "caf\xc3\xa9 \xe2\x82\xac"}', b'[{}, [], {"": 0}]'):
        assert assert_same(data), data


def test_bench_bodies_lint_the_same_as_with_the_builder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The whole lint of JSON bodies, valid and not: same report, and only problems build a map."""
    import sys

    sys.path.insert(0, str(REPO / "bench"))
    try:
        from corpus import generate
    finally:
        sys.path.remove(str(REPO / "bench"))
    _, bodies = generate(tmp_path, 40)
    options = pipeline.Options(bare_operation="create", include=("*.json",))
    built: list[str] = []
    original = source_map.UnbuiltMap.source

    def counted(self: source_map.UnbuiltMap, index: int) -> source_map.SourceMap:
        if self.built is None:
            built.append(self.path)
        return original(self, index)

    monkeypatch.setattr(source_map.UnbuiltMap, "source", counted)
    fast = pipeline.run([str(tmp_path)], options)
    monkeypatch.setattr(load, "read_json", lambda text, path, limits: None)
    eager = pipeline.run([str(tmp_path)], options)
    assert [d.text() for d in fast.diagnostics] == [d.text() for d in eager.diagnostics]
    assert fast.diagnostics and len(fast.files) == len(bodies)
    # No map is built: a diagnostic's few places are found by json_positions.JsonLocator.
    assert not built


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pairs=st.lists(st.tuples(st.sampled_from(["a", "b", 'q"', "x\\", ":"]), VALUES), max_size=6),
       nested=st.booleans())
def test_objects_with_repeated_keys_load_the_same_either_way(pairs: list[tuple[str, Any]], nested: bool) -> None:
    text = "{" + ", ".join(f"{json.dumps(key)}: {_dump(value, 0)}" for key, value in pairs) + "}"
    if nested:
        text = '{"outer": [' + text + ", " + text + "]}"
    assert_same(text.encode("utf-8"))


# -- YAML: values first, source maps on demand ---------------------------------------------------

def _eager_yaml(data: bytes, path: str, limits: Limits = Limits()) -> load.LoadedFile:
    saved = load.read_yaml_events
    load.read_yaml_events = lambda text, path, limits: None  # type: ignore[assignment]
    try:
        return load_bytes(data, path, limits=limits)
    finally:
        load.read_yaml_events = saved  # type: ignore[assignment]


def assert_same_yaml(data: bytes, path: str = "x.order.yaml", limits: Limits = Limits()) -> bool:
    fast, eager = load_bytes(data, path, limits=limits), _eager_yaml(data, path, limits)
    assert [d.text() for d in fast.diagnostics] == [d.text() for d in eager.diagnostics]
    assert [(d.index, d.line, _shown(d.value)) for d in fast.documents] == \
           [(d.index, d.line, _shown(d.value)) for d in eager.documents]
    took = any(isinstance(d.source, LazySourceMap) for d in fast.documents)
    _assert_whole_decimals_noted(fast)
    fresh = load_bytes(data, path, limits=limits)
    for lazy, built in zip(fresh.documents, eager.documents):
        # The top two levels (a spec's headers) are located without building the map.
        for pointer in [p for p in built.source.values if len(p) <= 2]:
            assert lazy.source.locate(pointer) == built.source.locate(pointer)
        if isinstance(lazy.source, LazySourceMap):
            assert not lazy.source.built
    for lazy, built in zip(fast.documents, eager.documents):
        assert list(lazy.source.ambiguous_pointers()) == list(built.source.ambiguous_pointers())
        for pointer in built.source.values:
            assert lazy.source.locate(pointer) == built.source.locate(pointer)
            assert lazy.source.locate(pointer, key=True) == built.source.locate(pointer, key=True)
            assert lazy.source.raw_plain(pointer) == built.source.raw_plain(pointer)
            assert lazy.source.raw_ambiguous(pointer) == built.source.raw_ambiguous(pointer)
        assert lazy.source.locate(("nope", 3)) == built.source.locate(("nope", 3))
    return took


YAML_SCALARS = st.sampled_from([
    "plain", "'quoted'", '"dq"', "19.99", "100.00", "12", "012", "0x1F", "1_000", "1:20", "1e5", "1.5e3",
    ".inf", "-.nan", "yes", "No", "on", "~", "null", "", "2024-01-01", "2024-01-01T10:00:00Z", "!!str 5",
    "!!int 7", "!!float 1", "!custom x", "&a 1", "*a", "<<", "|\n    block\n", ">-\n    folded\n", "=", "- x",
    "true", "False", "0o17", "+5", "-0", "1.", ".5", "99999999999999999999999", "'it''s'", "\"\\u00e9\"",
])
YAML_KEYS = st.sampled_from(["a", "b", "orderNumber", "'q'", '"d"', "true", "null", "<<", "1", "? c", "~", "x"])


RAW = "@@raw@@"
YAML_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-10**6, 10**6) | st.text(max_size=8) | st.just(RAW),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6) | YAML_KEYS, inner, max_size=4),
    max_leaves=25)


@st.composite
def yaml_texts(draw: Any) -> str:
    """YAML as people and tools write it (block or flow), with raw scalars of every kind the
    builder treats with care written in where the value says RAW."""
    import yaml

    value = draw(YAML_VALUES)
    text = yaml.safe_dump(value, default_flow_style=draw(st.sampled_from([False, None, True])),
                          allow_unicode=draw(st.booleans()), sort_keys=False, width=10**6)
    while RAW in text:
        raw = draw(YAML_SCALARS.filter(lambda r: "\n" not in r))
        text = text.replace(RAW, raw, 1)
    return text


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(body=yaml_texts(), second=st.sampled_from(["", "\n---\na: 1\n", "\n---\n", "\n...\n", "\n--- 5\n"]),
       lead=st.sampled_from(["", "# c\n", "\n\n", "---\n", "%YAML 1.1\n---\n", "\t"]))
def test_yaml_files_load_the_same_either_way(body: str, second: str, lead: str) -> None:
    assert_same_yaml((lead + body + second).encode("utf-8"))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(body=yaml_texts(), cut=st.integers(0, 500), insert=st.sampled_from(
    ["", ":", "- ", "\n", "  ", "\t", "#", "&x ", "*x", "!!map ", "[", "}", "'", "\"", "a: 1\na: 2\n", "<<: {z: 1}\n"]))
def test_mutated_yaml_loads_the_same_either_way(body: str, cut: int, insert: str) -> None:
    text = "orderspec: 1\nbody:\n" + "\n".join("  " + line for line in body.splitlines()) + "\n"
    cut %= len(text) + 1
    assert_same_yaml((text[:cut] + insert + text[cut:]).encode("utf-8"))


def test_yaml_fast_reader_takes_plain_specs_and_leaves_the_rest() -> None:
    spec = (REPO / "examples" / "new-subscription.order.yaml").read_bytes()
    assert assert_same_yaml(spec)
    for extra in (b"\nx: 012\n", b"\nx: &a 1\ny: *a\n", b"\nx: !!str 5\n", b"\norderspec: 2\n", b"\ntrue: 1\n",
                  b"\nx: 1e5\n", b"\nx: .inf\n", b"\n<<: {z: 1}\n", b"\n---\n"):
        assert not assert_same_yaml(spec + extra), extra
    assert not assert_same_yaml(b"just text\n") and not assert_same_yaml(b"")
    limits = Limits(max_depth=2)
    assert assert_same_yaml(b"a:\n  b: 1\n", limits=limits) and not assert_same_yaml(b"a:\n  b:\n    c: 1\n", limits=limits)


def test_every_spec_in_the_repository_loads_the_same_either_way() -> None:
    paths = [*REPO.glob("examples/**/*.yaml"), *REPO.glob("tests/fixtures/**/*.yaml"),
             *REPO.glob("templates/**/*.yaml")]
    assert paths
    for path in paths:
        assert_same_yaml(path.read_bytes(), str(path))


def test_bench_specs_lint_the_same_as_with_the_builder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The whole lint of YAML specs, valid and not: same report, and only problems build a map."""
    import sys

    sys.path.insert(0, str(REPO / "bench"))
    try:
        from corpus import generate
    finally:
        sys.path.remove(str(REPO / "bench"))
    specs, _ = generate(tmp_path, 40)
    built: list[str] = []
    original = source_map.UnbuiltMap.source

    def counted(self: source_map.UnbuiltMap, index: int) -> source_map.SourceMap:
        if self.built is None:
            built.append(self.path)
        return original(self, index)

    monkeypatch.setattr(source_map.UnbuiltMap, "source", counted)
    fast = pipeline.run([str(tmp_path / "specs")])
    monkeypatch.setattr(load, "read_yaml_events", lambda text, path, limits: None)
    eager = pipeline.run([str(tmp_path / "specs")])
    assert [d.text() for d in fast.diagnostics] == [d.text() for d in eager.diagnostics]
    assert fast.diagnostics and len(fast.files) == len(specs)
    # Only a file with something to report builds its map (some are located from the top levels).
    assert built and set(built) <= {d.path for d in fast.diagnostics}


def _entries_level_by_level(value: Any, max_depth: int) -> int | None:
    """The plain count `json_reader._entries` must agree with: one level of containers at a time."""
    level = [value] if isinstance(value, (dict, list)) else []
    entries = 0
    while level:
        if max_depth == 0:
            return None
        max_depth -= 1
        below: list[Any] = []
        for container in level:
            if isinstance(container, dict):
                entries += len(container)
                if any(len(key) > 160 for key in container):
                    return None
                below += [v for v in container.values() if isinstance(v, (dict, list))]
            else:
                below += [v for v in container if isinstance(v, (dict, list))]
        level = below
    return entries


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(value=VALUES, max_depth=st.integers(0, 6))
def test_entries_counted_as_the_plain_walk_counts_them(value: Any, max_depth: int) -> None:
    assert json_reader._entries(value, max_depth) == _entries_level_by_level(value, max_depth)
    assert json_reader._entries(value, 64) == _entries_level_by_level(value, 64)


@pytest.mark.parametrize("depth", [1, 63, 64, 65, 200])
def test_entries_stop_at_the_depth_cap(depth: int) -> None:
    for bottom in (1, [], {}, {"k" * 161: 1}):
        for wrap in (lambda v: [v], lambda v: {"k": v}):
            value: Any = bottom
            for _ in range(depth):
                value = wrap(value)
            assert json_reader._entries(value, 64) == _entries_level_by_level(value, 64)
