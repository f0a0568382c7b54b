"""The template sandbox: escapes, file access, caps, strictness, safe YAML values, line maps."""

from __future__ import annotations

import time
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from orderspec.diagnostics import Diagnostic
from orderspec.expand import ExpandContext, expand
from orderspec.expand.common import RenderLimits
from orderspec.expand.rendered import yaml_flow
from orderspec.expand.sandbox import TemplateSandbox
from orderspec.load import load_text
from orderspec.spec import parse


def sandbox(tmp_path: Path, files: dict[str, str], limits: RenderLimits = RenderLimits()) -> TemplateSandbox:
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    return TemplateSandbox((str(tmp_path),), limits)


def render(tmp_path: Path, text: str, variables: dict[str, object] | None = None,
           limits: RenderLimits = RenderLimits()) -> str:
    box = sandbox(tmp_path, {"t.yaml.j2": text}, limits)
    return box.render("t.yaml.j2", variables or {}, lambda value: None).text


def expand_with(tmp_path: Path, template: str, spec_with: str = "{}") -> tuple[object, list]:
    (tmp_path / "tpl").mkdir(exist_ok=True)
    (tmp_path / "tpl" / "t.yaml.j2").write_text(template, encoding="utf-8")
    spec_path = str(tmp_path / "s.order.yaml")
    text = f"orderspec: 1\noperation: create\nuse: t\nwith: {spec_with}\n"
    Path(spec_path).write_text(text, encoding="utf-8")
    document = load_text(text, spec_path).documents[0]
    spec, problems = parse(document)
    assert spec is not None and not problems
    request, problems = expand(spec, ExpandContext(template_dirs=(str(tmp_path / "tpl"),),
                                                   render_limits=RenderLimits(seconds=0.5)))
    return request, problems


def assert_in_spec_from_template_line(problem: Diagnostic, template_line: int) -> None:
    """A template failure is reported at the spec's `use:` line (line 3), the template line as its note."""
    assert problem.path.endswith("s.order.yaml") and (problem.line, problem.column) == (3, 6)
    assert [(place.path.endswith("t.yaml.j2"), place.line, place.note) for place in problem.related] == [
        (True, template_line, "the template line")]


@pytest.mark.parametrize("value", ["no", "00123", "a: b", "yes", "~", "- x", "#c", "2024-01-01", "1e3",
                                   "'quoted'", 'say "hi"', "line\nbreak", "tab\there", "é ü 日本"])
def test_text_values_keep_their_text_whatever_yaml_would_read(tmp_path: Path, value: str) -> None:
    out = render(tmp_path, "field: {{ value }}\n", {"value": value})
    assert load_text(out, "x").documents[0].value == {"field": value}


@pytest.mark.parametrize("value", [Decimal("19.99"), Decimal("-0.005"), 12, True, False, None,
                                   [1, "no"], {"a": "00123", "b": Decimal("0.10")}])
def test_typed_values_keep_their_type(tmp_path: Path, value: object) -> None:
    out = render(tmp_path, "field: {{ value }}\n", {"value": value})
    loaded = load_text(out, "x").documents[0].value["field"]
    assert loaded == value and type(loaded) is type(value)


@settings(max_examples=200, deadline=None)
@given(st.recursive(st.none() | st.booleans() | st.integers() | st.text()
                    | st.decimals(allow_nan=False, allow_infinity=False),
                    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
                    max_leaves=8))
def test_any_value_reads_back_as_itself(value: object) -> None:
    loaded = load_text(f"k: {yaml_flow(value)}\n", "x").documents[0].value["k"]
    assert _same(loaded, value)


def _same(loaded: object, value: object) -> bool:
    if isinstance(value, Decimal):
        return isinstance(loaded, (int, Decimal)) and not isinstance(loaded, bool) and loaded == value
    if isinstance(value, list):
        return isinstance(loaded, list) and len(loaded) == len(value) and all(map(_same, loaded, value))
    if isinstance(value, dict):
        return (isinstance(loaded, dict) and list(loaded) == list(value)
                and all(_same(loaded[k], value[k]) for k in value))
    return type(loaded) is type(value) and loaded == value


def test_exponent_decimals_are_written_in_plain_digits() -> None:
    assert yaml_flow(Decimal("1E+2")) == "100" and yaml_flow(Decimal("1.5E-3")) == "0.0015"


def test_yaml_flow_escapes_what_yaml_refuses() -> None:
    text = yaml_flow("a\x85b\x07\ue000")
    assert load_text(f"k: {text}\n", "x").documents[0].value == {"k": "a\x85b\x07\ue000"}


def test_floats_are_refused_money_stays_exact(tmp_path: Path) -> None:
    request, problems = expand_with(tmp_path, "price: {{ 1.1 * 3 }}\n")
    assert request is None and [p.code for p in problems] == ["T006"]
    assert "floating-point" in problems[0].message


def test_attribute_escape_is_refused(tmp_path: Path) -> None:
    request, problems = expand_with(tmp_path, "a: 1\nb: {{ ''.__class__.__mro__ }}\n")
    assert request is None
    assert [p.code for p in problems] == ["T004"]
    assert_in_spec_from_template_line(problems[0], 2)


@pytest.mark.parametrize("source", ["{% include '/etc/passwd' %}", "{% include '../s.order.yaml' %}",
                                    "{% import '/etc/hostname' as h %}"])
def test_files_outside_the_template_folders_cannot_be_read(tmp_path: Path, source: str) -> None:
    request, problems = expand_with(tmp_path, "a: 1\n" + source + "\n")
    assert request is None and [p.code for p in problems] == ["T004"]
    assert "root:" not in problems[0].message


def test_a_symlink_out_of_the_template_folder_is_refused(tmp_path: Path) -> None:
    (tmp_path / "secret.txt").write_text("top secret", encoding="utf-8")
    (tmp_path / "tpl").mkdir()
    (tmp_path / "tpl" / "link.yaml.j2").symlink_to(tmp_path / "secret.txt")
    request, problems = expand_with(tmp_path, "a: {% include 'link.yaml.j2' %}\n")
    assert request is None and [p.code for p in problems] == ["T004"]


def test_an_endless_loop_stops_at_the_time_cap(tmp_path: Path) -> None:
    started = time.monotonic()
    request, problems = expand_with(
        tmp_path, "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}a: 1\n")
    assert time.monotonic() - started < 10
    assert request is None and [p.code for p in problems] == ["T005"]
    assert "longer than" in problems[0].message


def test_recursion_is_stopped(tmp_path: Path) -> None:
    request, problems = expand_with(tmp_path, "{% macro m(n) %}{{ m(n) }}{% endmacro %}a: {{ m(1) }}\n")
    assert request is None and problems[0].code in ("T005", "T006")


@pytest.mark.parametrize("source", [
    "a: {{ 'x' * 100000000 }}",
    "a: {{ [1] * 100000000 }}",
    "a: {{ 'x'.ljust(100000000) }}",
    "a: {{ 'x' | indent(100000000) }}",
    "{% set s = namespace(v='xxxxxxxxxx') %}{% for i in range(40) %}{% set s.v = s.v ~ s.v %}{% endfor %}a: 1",
    "{% set s = namespace(v='xxxxxxxxxx') %}{% for i in range(40) %}{% set s.v = s.v + s.v %}{% endfor %}a: 1",
    "a: {{ 10 ** 100000 }}",
    "{% set big = 'x' * 1000000 %}a: {{ [big] * 1000 }}",
    "{% set big = 'x' * 1000000 %}{% set l = [] %}{% for i in range(1000) %}{% set _ = l.append(big) %}"
    "{% endfor %}a: {{ l | join }}",
    "{% set big = 'x' * 1000000 %}{% set l = [] %}{% for i in range(1000) %}{% set _ = l.append(big) %}"
    "{% endfor %}a: {{ ''.join(l) }}",
    "{% set big = 'x' * 100000 %}a: {{ big | replace('x', big) }}",
    "{% set big = 'x' * 100000 %}a: {{ big.replace('x', big) }}",
    "{% set lines = '\\n' * 100000 %}a: {{ lines | indent(1000000) }}",
    "{% set big = 'x' * 1000000 %}{% set l = [] %}{% for i in range(1000) %}{% set _ = l.append(big) %}"
    "{% endfor %}a: {{ l ~ '' }}",
    "{% set big = 'x' * 1000000 %}{% set l = [] %}{% for i in range(1000) %}{% set _ = l.append(big) %}"
    "{% endfor %}a: {{ l | string }}",
    "{% for i in range(100000) %}{{ 'xxxxxxxxxxxxxxxxxxxx' }}{% endfor %}",
])
def test_output_and_memory_are_capped(tmp_path: Path, source: str) -> None:
    request, problems = expand_with(tmp_path, source + "\n")
    assert request is None and [p.code for p in problems] == ["T005"]


@pytest.mark.parametrize("method", ["center", "ljust", "rjust", "zfill", "expandtabs"])
def test_padding_methods_are_refused(tmp_path: Path, method: str) -> None:
    request, problems = expand_with(tmp_path, f"a: {{{{ ('\\t' * 1000).{method}(1000000) }}}}\n")
    assert request is None and [p.code for p in problems] == ["T004"]


@pytest.mark.parametrize("source", ["a: {{ '%999999999s' % 'x' }}\n", "a: {{ '{:>999999999}'.format('x') }}\n",
                                    "a: {{ '{:>999999999}'.format_map({}) }}\n"])
def test_string_formatting_is_refused_before_it_allocates(tmp_path: Path, source: str) -> None:
    request, problems = expand_with(tmp_path, source)
    assert request is None and [p.code for p in problems] == ["T004"]


def test_undefined_names_fail(tmp_path: Path) -> None:
    request, problems = expand_with(tmp_path, "a: 1\nb: {{ nobody }}\n")
    assert request is None and [p.code for p in problems] == ["T003"]
    assert "`nobody`" in problems[0].message
    assert_in_spec_from_template_line(problems[0], 2)


def test_a_macro_called_without_an_argument_fails(tmp_path: Path) -> None:
    # Plain StrictUndefined lets this through: `is none` on a missing argument is just false.
    template = "{% macro m(a) %}{{ 'x' if a is none else 'y' }}{% endmacro %}\nb: {{ m() }}\n"
    request, problems = expand_with(tmp_path, template)
    assert request is None and [p.code for p in problems] == ["T003"]
    assert "`a`" in problems[0].message
    assert_in_spec_from_template_line(problems[0], 2)


def test_macro_defaults_still_work(tmp_path: Path) -> None:
    request, problems = expand_with(tmp_path, "{% macro m(a, b='z') %}{{ a ~ b }}{% endmacro %}b: {{ m('y') }}\n")
    assert not problems and request.body == {"b": "yz"}  # type: ignore[attr-defined]


def test_syntax_error_names_template_line_and_spec_line(tmp_path: Path) -> None:
    request, problems = expand_with(tmp_path, "a: 1\nb: {% if %}\n")
    assert request is None and [p.code for p in problems] == ["T002"]
    assert_in_spec_from_template_line(problems[0], 2)


def test_invalid_yaml_output_is_reported_at_the_template_line(tmp_path: Path) -> None:
    request, problems = expand_with(tmp_path, "a: 1\n{% if true %}\nb: [\n{% endif %}\n")
    assert request is None and problems[0].code == "T007"
    assert problems[0].path.endswith("s.order.yaml") and problems[0].line == 3
    assert problems[0].related[0].path.endswith("t.yaml.j2") and problems[0].related[0].line >= 3


def test_rendered_lines_map_back_to_template_lines_through_loops_and_macros(tmp_path: Path) -> None:
    box = sandbox(tmp_path, {
        "parts.yaml.j2": "{% macro item(n) %}\n- n: {{ n }}\n  twice: {{ n * 2 }}\n{% endmacro %}\n",
        "main.yaml.j2": "{% from 'parts.yaml.j2' import item %}\nhead: 1\nitems:\n"
                        "{% for n in [1, 2] %}\n  {{ item(n) | indent(2) }}\n{% endfor %}\ntail: 2\n",
    })
    rendered = box.render("main.yaml.j2", {}, lambda value: None)
    lines = rendered.text.splitlines()
    where = {text.strip(): rendered.template_line(i + 1) for i, text in enumerate(lines)}
    assert where["head: 1"][1] == 2 and where["head: 1"][0].endswith("main.yaml.j2")
    assert where["tail: 2"][1] == 7
    assert where["twice: 4"][0].endswith("parts.yaml.j2") and where["twice: 4"][1] == 3
    assert where["- n: 2"][1] == 2


def test_user_template_folders_come_before_stock_templates(tmp_path: Path) -> None:
    (tmp_path / "tpl").mkdir()
    (tmp_path / "tpl" / "renew.yaml.j2").write_text("orderDate: '2020-01-01'\n", encoding="utf-8")
    text = "orderspec: 1\noperation: create\nuse: renew\n"
    spec, _ = parse(load_text(text, str(tmp_path / "s.order.yaml")).documents[0])
    assert spec is not None
    request, problems = expand(spec, ExpandContext(template_dirs=(str(tmp_path / "tpl"),)))
    assert not problems and request is not None and request.body == {"orderDate": "2020-01-01"}
