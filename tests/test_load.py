"""The loader: locations, YAML's type traps, caps, and bad files."""

from __future__ import annotations

import time
import tracemalloc
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from orderspec.load import Limits, load_bytes, load_file, load_text


def codes(loaded) -> list[tuple[str, int, int]]:
    return [(d.code, d.line, d.column) for d in loaded.diagnostics]


def test_values_keep_their_location() -> None:
    loaded = load_text("a: 1\nb:\n  c: [x, {d: y}]\n", "f.yaml")
    source = loaded.documents[0].source
    assert source.locate(("a",)).line == 1 and source.locate(("a",)).column == 4
    assert source.locate(("b", "c", 1, "d")).line == 3
    assert source.locate(("b", "c", 1, "d")).column == 14
    assert source.locate(("b", "c", 1, "d"), key=True).column == 11
    # A pointer below a scalar falls back to the nearest ancestor that exists.
    assert source.locate(("b", "c", 0, "nope")).column == 7


def test_money_stays_exact_decimal_and_never_float() -> None:
    doc = load_text("price: 19.99\ncredit: -0.10\nqty: 3\n", "f.yaml").documents[0]
    assert doc.value == {"price": Decimal("19.99"), "credit": Decimal("-0.10"), "qty": 3}
    assert str(doc.value["price"]) == "19.99" and str(doc.value["credit"]) == "-0.10"
    assert not any(isinstance(v, float) for v in doc.value.values())


def test_unquoted_dates_stay_exactly_as_written() -> None:
    doc = load_text("orderDate: 2024-01-01\nat: 2024-01-01T10:00:00Z\n", "f.yaml").documents[0]
    assert doc.value == {"orderDate": "2024-01-01", "at": "2024-01-01T10:00:00Z"}


def test_duplicate_key_reported_at_the_second_key() -> None:
    loaded = load_text("a: 1\nb: 2\na: 3\n", "f.yaml")
    assert codes(loaded) == [("Y005", 3, 1)]
    assert "first at line 1" in loaded.diagnostics[0].message
    assert loaded.documents[0].value["a"] == 1


def test_nested_duplicate_key() -> None:
    loaded = load_text("body:\n  x:\n    k: 1\n    k: 2\n", "f.yaml")
    assert codes(loaded) == [("Y005", 4, 5)]


@pytest.mark.parametrize(
    "text, raw, value",
    [
        ("v: 00123\n", "00123", 83),  # YAML 1.1 octal
        ("v: no\n", "no", False),
        ("v: on\n", "on", True),
        ("v: 1_000\n", "1_000", 1000),
        ("v: ~\n", "~", None),
        ("v:\n", "", None),
    ],
)
def test_unquoted_scalars_that_yaml_types_keep_their_raw_text(text: str, raw: str, value: object) -> None:
    doc = load_text(text, "f.yaml").documents[0]
    assert doc.value["v"] == value
    assert doc.source.raw_plain(("v",)) == raw


@pytest.mark.parametrize("text", ["v: '00123'\n", 'v: "no"\n', "v: |\n  no\n"])
def test_quoted_scalars_are_text(text: str) -> None:
    doc = load_text(text, "f.yaml").documents[0]
    assert isinstance(doc.value["v"], str)
    assert doc.source.raw_plain(("v",)) is None


@pytest.mark.parametrize("literal", ["00123", "1_000", "1e3", "1.5e3", "0x1F", "1:30"])
def test_ambiguous_number_literals_are_marked(literal: str) -> None:
    doc = load_text(f"v: {literal}\n", "f.yaml").documents[0]
    assert doc.source.raw_ambiguous(("v",)) == literal


@pytest.mark.parametrize("literal", ["123", "0", "-5", "19.99", "1.5e+3"])
def test_plain_numbers_are_not_ambiguous(literal: str) -> None:
    doc = load_text(f"v: {literal}\n", "f.yaml").documents[0]
    assert doc.source.raw_ambiguous(("v",)) is None


def test_json_files_use_json_number_rules() -> None:
    loaded = load_bytes(b'{"a": 1e3, "b": 19.99, "c": 0, "d": "00123", "e": true}', "x.json")
    value = loaded.documents[0].value
    assert value == {"a": Decimal("1E+3"), "b": Decimal("19.99"), "c": 0, "d": "00123", "e": True}
    assert loaded.documents[0].source.raw_ambiguous(("a",)) is None


def test_json_duplicate_keys_are_caught() -> None:
    loaded = load_bytes(b'{\n  "a": 1,\n  "a": 2\n}\n', "x.json")
    assert codes(loaded) == [("Y005", 3, 3)]


def test_boolean_and_null_keys_are_refused() -> None:
    loaded = load_text("no: 1\n~: 2\n'yes': 3\n", "f.yaml")
    assert [c for c, _, _ in codes(loaded)] == ["Y009", "Y009"]
    assert loaded.documents[0].value == {"yes": 3}


def test_complex_key_is_refused() -> None:
    loaded = load_text("? [a, b]\n: 1\nc: 2\n", "f.yaml")
    assert codes(loaded)[0][0] == "Y009"
    assert loaded.documents[0].value == {"c": 2}


def test_merge_keys_and_aliases() -> None:
    text = "base: &b {x: 1, y: 2}\nitem:\n  <<: *b\n  y: 3\ncopy: *b\n"
    doc = load_text(text, "f.yaml").documents[0]
    assert doc.value["item"] == {"x": 1, "y": 3}
    assert doc.value["copy"] == {"x": 1, "y": 2}
    doc.value["copy"]["x"] = 99  # aliases are copies: changing one never changes the other
    assert doc.value["base"]["x"] == 1


@pytest.mark.parametrize("tag", ["!!python/object:os.system", "!!binary", "!!set", "!custom"])
def test_unsafe_or_non_json_tags_are_refused(tag: str) -> None:
    loaded = load_text(f"v: {tag} abc\n", "f.yaml")
    assert codes(loaded) == [("Y010", 1, 4)]


def test_non_finite_numbers_are_refused() -> None:
    assert codes(load_text("v: .inf\n", "f.yaml")) == [("Y011", 1, 4)]


def test_syntax_error_has_a_location() -> None:
    loaded = load_text("a: [1, 2\nb: 3\n", "f.yaml")
    assert [c for c, _, _ in codes(loaded)] == ["Y002"]
    assert loaded.diagnostics[0].line >= 1


def test_tab_indentation_is_a_syntax_error_not_a_traceback() -> None:
    loaded = load_text("a:\n\tb: 1\n", "f.yaml")
    assert codes(loaded)[0][0] == "Y002"
    assert codes(loaded)[0][1] == 2


def test_not_utf8_is_located() -> None:
    loaded = load_bytes("a: 1\nname: M".encode() + b"\xfcller\n", "f.yaml")
    assert codes(loaded) == [("Y001", 2, 8)]


def test_utf8_bom_is_accepted() -> None:
    loaded = load_bytes("\ufeffa: 1\n".encode(), "f.yaml")
    assert loaded.diagnostics == [] and loaded.documents[0].value == {"a": 1}


@pytest.mark.parametrize("text", ["", "# only a comment\n", "---\n...\n"])
def test_empty_file(text: str) -> None:
    assert [c for c, _, _ in codes(load_text(text, "f.yaml"))] == ["Y003"]


def test_several_documents_per_file() -> None:
    loaded = load_text("a: 1\n---\nb: 2\n", "f.yaml")
    assert [d.value for d in loaded.documents] == [{"a": 1}, {"b": 2}]
    assert [d.index for d in loaded.documents] == [0, 1]
    assert loaded.documents[1].source.locate(("b",)).line == 3


def test_file_size_cap() -> None:
    loaded = load_bytes(b"a: 1\n" * 100, "f.yaml", limits=Limits(max_file_bytes=100))
    assert codes(loaded) == [("Y006", 1, 1)]


def test_depth_cap() -> None:
    loaded = load_text("a: " + "[" * 200 + "]" * 200 + "\n", "f.yaml", limits=Limits(max_depth=64))
    assert [c for c, _, _ in codes(loaded)] == ["Y007"]


def test_very_deep_nesting_with_default_limits_is_refused_quickly() -> None:
    started = time.perf_counter()
    loaded = load_text("[" * 100_000 + "]" * 100_000, "f.yaml")
    assert [c for c, _, _ in codes(loaded)] == ["Y007"]
    assert time.perf_counter() - started < 5  # a guard against hanging, not a benchmark


def test_alias_bomb_is_refused_fast_with_bounded_memory() -> None:
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for level in range(1, 12):
        refs = ", ".join([f"*a{level - 1}"] * 9)
        lines.append(f"a{level}: &a{level} [{refs}]")
    bomb = "\n".join(lines) + "\n"
    tracemalloc.start()
    started = time.perf_counter()
    loaded = load_text(bomb, "bomb.yaml")
    elapsed = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert [c for c, _, _ in codes(loaded)] == ["Y008"]
    assert loaded.documents == []
    assert elapsed < 1.0
    assert peak < 200 * 1024 * 1024


def test_alias_count_cap() -> None:
    text = "a: &a x\nb: [" + ", ".join(["*a"] * 20) + "]\n"
    loaded = load_text(text, "f.yaml", limits=Limits(max_aliases=10))
    assert [c for c, _, _ in codes(loaded)] == ["Y008"]


def test_undefined_alias() -> None:
    assert [c for c, _, _ in codes(load_text("a: *nope\n", "f.yaml"))] == ["Y002"]


def test_recursive_alias_is_refused() -> None:
    loaded = load_text("a: &a [1, *a]\n", "f.yaml")
    assert [c for c, _, _ in codes(loaded)] == ["Y002"]


def test_unreadable_file(tmp_path: Path) -> None:
    loaded = load_file(tmp_path / "missing.order.yaml")
    assert [d.code for d in loaded.diagnostics] == ["Y012"]


def test_directory_given_as_file(tmp_path: Path) -> None:
    loaded = load_file(tmp_path)
    assert [d.code for d in loaded.diagnostics] == ["Y012"]


def test_libyaml_nesting_limit_is_y007_whatever_the_pyyaml_version() -> None:
    # PyYAML >= 6.0.4 bundles a libyaml that stops at 1000 levels with its own message; an
    # older one lets our depth check see it first. Either way the finding is Y007 in our words.
    for text in ("[" * 2_000 + "]" * 2_000, "".join("  " * i + "k:\n" for i in range(1_500)) + "  " * 1_500 + "v\n"):
        loaded = load_text(text, "f.yaml")
        assert [c for c, _, _ in codes(loaded)] == ["Y007"]
        assert loaded.diagnostics[0].message == "nesting deeper than 64 levels"


def test_libyaml_nesting_error_maps_to_y007() -> None:
    from orderspec.load.located import parser_error

    error = yaml.MarkedYAMLError(context="while increasing block level", context_mark=None,
                                 problem="exceeded maximum nesting depth",
                                 problem_mark=yaml.Mark("f.yaml", 0, 3, 7, None, None))
    diagnostic = parser_error(error, "x", "f.yaml", Limits(max_depth=64))
    assert (diagnostic.code, diagnostic.message) == ("Y007", "nesting deeper than 64 levels")
    assert (diagnostic.line, diagnostic.column) == (4, 8)


def test_file_size_cap_reports_the_files_size(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    path.write_bytes(b"a: 1\n" * 1000)
    loaded = load_file(path, limits=Limits(max_file_bytes=100))
    assert codes(loaded) == [("Y006", 1, 1)]
    assert "the file is 5000 bytes; the cap is 100" in loaded.diagnostics[0].message


@pytest.mark.parametrize("text, line", [
    ("a:\n\tb: 1\n", 2),
    ("a:\n  b: 1\n\tc: 2\n", 3),
    ("\tkey: v\n", 1),
])
def test_tab_indentation_is_named(text: str, line: int) -> None:
    loaded = load_text(text, "f.yaml")
    assert codes(loaded) == [("Y002", line, 1)]
    assert "tab" in loaded.diagnostics[0].message
    assert "cannot start any token" not in loaded.diagnostics[0].message


def test_a_tab_inside_a_value_is_not_called_indentation() -> None:
    loaded = load_text("a: \"x\"\t@\n", "f.yaml")
    assert all("indent" not in d.message for d in loaded.diagnostics)
