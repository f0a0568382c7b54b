"""Property test: whatever text or bytes a spec file holds, lint never raises, exits 0/1/2, and
every diagnostic points at a place in the file with a registered code."""

from __future__ import annotations

import json
import os
import re
import tempfile
import xml.etree.ElementTree as ET
from decimal import Decimal
from pathlib import Path

import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from orderspec import pipeline
from orderspec.cli import cli
from orderspec.registry import RULES

REPO = Path(__file__).resolve().parent.parent
EXAMPLE = (REPO / "examples" / "new-subscription.order.yaml").read_text(encoding="utf-8")

# Modest and reproducible: the whole module stays well under 30 s.
PROPERTY = settings(max_examples=120, deadline=None, derandomize=True, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

# Pieces of YAML that exercise the loader's corners: flow and block syntax, anchors, tags,
# merge keys, YAML 1.1 type traps, document markers, odd characters.
FRAGMENTS = [
    ": ", "- ", "? ", "{", "}", "[", "]", ",", "'", '"', "#", "|\n", ">-\n", "\n", "  ", "\t",
    "&a ", "*a", "&b [*a, *a]", "<<: *a", "<<: [*a, *b]", "!!python/object:os.system ", "!!binary ",
    "!!set ", "!!str ", "!!int ", "!!float ", "!!timestamp ", "!custom ", "!!map ", "!!seq ",
    "no", "yes", "on", "~", "null", "0123", "0x1F", "1_000", "1:30", "1e3", ".inf", "-.nan", "19.99",
    "2024-01-01", "2024-13-45", "---\n", "...\n", "%YAML 1.1\n", "%TAG ! tag:x,2024:\n",
    "\ufeff", "\x00", "\x85", "\u2028", "\ud7ff", "é", "orderspec: 1\n", "operation: preview\n",
    "async: auto\n", "body:\n", "subscriptions:\n", "orderActions:\n", "type: CreateSubscription\n",
    "headers: {trackId: 1}\n", "params: {returnIds: yes}\n", "use: x\n", "[[[[[[[[[[", "{a: {b: {c: ",
]


def check_file(path: Path, operation: str | None = None) -> None:
    result = pipeline.process_file(str(path), pipeline.Options(bare_operation=operation))
    # YAML's line breaks include NEL, LS and PS, and the parser counts them as lines too.
    lines = len(re.findall("\r\n|[\r\n\x85\u2028\u2029]", result.text)) + 1 if result.text else None
    for d in result.diagnostics:
        assert d.code in RULES, d
        assert d.path == str(path), d
        assert isinstance(d.line, int) and d.line >= 1, d
        assert isinstance(d.column, int) and d.column >= 1, d
        if lines is not None:
            assert d.line <= lines + 1, (d, lines)
        assert d.message and isinstance(d.message, str), d
        for related in d.related:
            assert related.line >= 1 and related.column >= 1, d


def in_temp_file(content: bytes, suffix: str = ".order.yaml") -> Path:
    handle = tempfile.NamedTemporaryFile("wb", suffix=suffix, delete=False)
    with handle:
        handle.write(content)
    return Path(handle.name)


def mutate(text: str, edits: list[tuple[int, int, int, str]]) -> str:
    """Apply (kind, position, length, fragment) edits: delete, insert, replace, duplicate a line."""
    for kind, position, length, fragment in edits:
        at = position % (len(text) + 1)
        if kind == 0:
            text = text[:at] + text[at + length:]
        elif kind == 1:
            text = text[:at] + fragment + text[at:]
        elif kind == 2:
            text = text[:at] + fragment + text[at + length:]
        else:
            lines = text.split("\n")
            line = position % len(lines)
            lines.insert(line, lines[line])
            text = "\n".join(lines)
    return text


edit = st.tuples(st.integers(0, 3), st.integers(0, 10_000), st.integers(0, 40), st.sampled_from(FRAGMENTS))


@PROPERTY
@given(st.lists(edit, min_size=1, max_size=6))
def test_mutated_specs_never_break_the_pipeline(edits: list[tuple[int, int, int, str]]) -> None:
    path = in_temp_file(mutate(EXAMPLE, edits).encode("utf-8", "surrogatepass"))
    try:
        check_file(path)
    finally:
        os.unlink(path)


@PROPERTY
@given(st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=8)), max_size=30))
def test_random_yaml_text_never_breaks_the_pipeline(pieces: list[str]) -> None:
    path = in_temp_file("".join(pieces).encode("utf-8", "surrogatepass"))
    try:
        check_file(path)
        check_file(path, operation="async-preview")
    finally:
        os.unlink(path)


@PROPERTY
@given(st.binary(max_size=300))
def test_random_bytes_never_break_the_pipeline(content: bytes) -> None:
    for suffix in (".order.yaml", ".order.json"):
        path = in_temp_file(content, suffix)
        try:
            check_file(path)
        finally:
            os.unlink(path)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=12)
    | st.decimals(allow_nan=False, allow_infinity=False, places=2),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=25,
)
body_keys = st.sampled_from(["orderDate", "orderNumber", "existingAccountNumber", "subscriptions",
                             "newAccount", "customFields", "processingOptions", "description"])


@PROPERTY
@given(st.dictionaries(body_keys, json_values, max_size=6), st.sampled_from(["create", "preview"]),
       st.sampled_from([True, False, "auto"]))
def test_random_bodies_never_break_the_pipeline(body: dict, operation: str, async_mode: object) -> None:
    spec = {"orderspec": 1, "operation": operation, "async": async_mode,
            "body": json.loads(json.dumps(body, default=str))}
    for text in (yaml.safe_dump(spec, allow_unicode=True), json.dumps(spec, ensure_ascii=False)):
        path = in_temp_file(text.encode("utf-8"), ".order.yaml" if text[0] != "{" else ".order.json")
        try:
            check_file(path)
        finally:
            os.unlink(path)


@settings(max_examples=25, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(edit, min_size=1, max_size=4), st.sampled_from(["text", "json", "sarif", "github", "junit"]))
def test_cli_exits_0_1_or_2_and_every_format_stays_parseable(edits: list[tuple[int, int, int, str]],
                                                            output_format: str) -> None:
    path = in_temp_file(mutate(EXAMPLE, edits).encode("utf-8", "surrogatepass"))
    try:
        result = CliRunner().invoke(cli, ["lint", str(path), "--format", output_format, "--jobs", "1"])
    finally:
        os.unlink(path)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert result.exit_code in (0, 1, 2), result.output
    assert "Traceback" not in result.output
    if output_format in ("json", "sarif"):
        json.loads(result.stdout)
    elif output_format == "junit":
        ET.fromstring(result.stdout)
    elif output_format == "github" and result.stdout:
        assert all(line.startswith(("::error ", "::warning ", "::notice ")) for line in result.stdout.splitlines())


def test_decimal_strategy_sanity() -> None:
    # The generated money values reach the loader as text and come back as Decimal, never float.
    path = in_temp_file(b"orderspec: 1\noperation: create\nbody: {orderDate: '2024-01-01', x: 19.99}\n")
    try:
        result = pipeline.process_file(str(path), pipeline.Options())
    finally:
        os.unlink(path)
    assert result.requests[0].body["x"] == Decimal("19.99")


# -- the fast validator never accepts what jsonschema refuses ------------------------------------

def _paths(value: object, prefix: tuple = ()) -> list[tuple]:
    found = [prefix]
    if isinstance(value, dict):
        for key, item in value.items():
            found += _paths(item, prefix + (key,))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _paths(item, prefix + (index,))
    return found


def _replace(value: object, path: tuple, new: object) -> object:
    if not path:
        return new
    head, rest = path[0], path[1:]
    if isinstance(value, dict):
        return {k: (_replace(v, rest, new) if k == head else v) for k, v in value.items()}
    if isinstance(value, list):
        return [(_replace(v, rest, new) if i == head else v) for i, v in enumerate(value)]
    return value


EXAMPLE_BODY = pipeline.process_file(str(REPO / "examples" / "new-subscription.order.yaml"),
                                     pipeline.Options()).requests[0].body
scalars = st.one_of(
    st.none(), st.booleans(), st.integers(-5, 400), st.integers(), st.text(max_size=6),
    st.decimals(allow_nan=False, allow_infinity=False, places=2, min_value=-1000, max_value=1000),
    st.decimals(allow_nan=False, allow_infinity=False, places=0, min_value=-300, max_value=300).map(
        lambda d: d.quantize(Decimal("0.00"))),  # whole Decimals such as 100.00
    st.sampled_from([Decimal("12.0"), Decimal("1E+2"), Decimal("0.00"), "2024-02-30", "2024-02-28",
                     "2024-01-01T00:00:00Z", "TERMED", "EVERGREEN", "Month", "x__c", "\ud800",
                     "CreateSubscription", "RemoveProduct", "a" * 300, {}, [], {"x": 1}]),
)


@settings(max_examples=300, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.lists(st.tuples(st.integers(0, 10_000), scalars), min_size=1, max_size=4),
       st.sampled_from(["create", "preview", "async-create", "async-preview"]))
def test_fast_validator_never_accepts_what_jsonschema_refuses(edits: list[tuple[int, object]],
                                                             endpoint_name: str) -> None:
    from orderspec import validate as validate_module
    from orderspec.model import ENDPOINTS

    body: object = EXAMPLE_BODY
    for position, new in edits:
        paths = _paths(body)
        body = _replace(body, paths[position % len(paths)], new)
    endpoint = ENDPOINTS[endpoint_name]
    if validate_module.accepted_fast(body, endpoint):
        assert validate_module.validator(endpoint.schema).is_valid(body), body


numbers = st.one_of(
    st.integers(-400, 400),
    st.decimals(allow_nan=False, allow_infinity=False, places=2, min_value=-400, max_value=400),
    st.integers(-400, 400).map(lambda n: Decimal(n).quantize(Decimal("0.00"))),
    st.sampled_from([Decimal("0.0"), Decimal("-0"), Decimal("1E+2"), Decimal("12.0"), Decimal("200.00"),
                     Decimal("200.001"), Decimal("-100.00"), Decimal("31.0"), 10**20, Decimal("1E-30")]),
)
def _number_paths(body: object) -> list[tuple]:
    found = []
    for path in _paths(body):
        value: object = body
        for part in path:
            value = value[part]  # type: ignore[index]
        if isinstance(value, (int, Decimal)) and not isinstance(value, bool):
            found.append(path)
    return found


@settings(max_examples=300, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(numbers, min_size=1, max_size=6), st.sampled_from(["create", "async-create"]))
def test_fast_validator_agrees_on_numbers_in_a_valid_body(new_numbers: list[object], endpoint_name: str) -> None:
    from orderspec import validate as validate_module
    from orderspec.model import ENDPOINTS

    body: object = EXAMPLE_BODY
    paths = _number_paths(EXAMPLE_BODY)
    for index, number in enumerate(new_numbers):
        body = _replace(body, paths[index % len(paths)], number)
    endpoint = ENDPOINTS[endpoint_name]
    fast = validate_module.accepted_fast(body, endpoint)
    full = validate_module.validator(endpoint.schema).is_valid(body)
    assert not fast or full, body
    # Left to the full path by design (validate.accepted_fast): huge numbers, and a whole Decimal on a
    # bound, which nudging it a hair down would cross (`quantity: 0.00`, whose minimum is 0).
    if full and not any(isinstance(n, Decimal) and (abs(n) > 10**6 or n == 0) for n in new_numbers):
        assert fast, "a body jsonschema accepts should normally stay on the fast path"


def test_whole_decimals_are_judged_as_jsonschema_judges_them() -> None:
    from orderspec import validate as validate_module
    from orderspec.model import ENDPOINTS

    endpoint = ENDPOINTS["create"]
    assert validate_module.accepted_fast(EXAMPLE_BODY, endpoint), "the example should take the fast path"
    # `period: 12.0` is not a whole number to jsonschema (S002): the fast path must not accept it.
    terms = ("subscriptions", 0, "orderActions", 0, "createSubscription", "terms")
    body = _replace(EXAMPLE_BODY, terms + ("initialTerm", "period"), Decimal("12.0"))
    assert not validate_module.accepted_fast(body, endpoint)
    assert not validate_module.validator(endpoint.schema).is_valid(body)
    # `listPrice: 100.00` is a fine number to both: it stays on the fast path.
    price = ("subscriptions", 0, "orderActions", 0, "createSubscription", "subscribeToRatePlans", 0,
             "chargeOverrides", 0, "pricing", "recurringFlatFee", "listPrice")
    body = _replace(EXAMPLE_BODY, price, Decimal("100.00"))
    assert validate_module.accepted_fast(body, endpoint)
    assert validate_module.validator(endpoint.schema).is_valid(body)
    huge = _replace(EXAMPLE_BODY, price, Decimal("1E+999999"))
    assert not validate_module.accepted_fast(huge, endpoint)  # refused quickly, judged in full


def test_nudging_is_refused_for_schemas_that_compare_numbers_exactly() -> None:
    from orderspec import validate as validate_module

    schemas = {"c": {"properties": {"n": {"const": 100}}}, "u": {"uniqueItems": True},
               "o": {"oneOf": [{"maximum": 1}, {"minimum": 1}]}, "i": {"if": {"maximum": 1}, "then": {}},
               "b": {"properties": {"flag": {"const": True}}, "if": {"type": "object"}}}
    original = validate_module.load_schema
    try:
        validate_module.load_schema = lambda name: schemas[name]  # type: ignore[assignment]
        validate_module._can_nudge.cache_clear()
        assert [validate_module._can_nudge(name) for name in "cuoib"] == [False, False, False, False, True]
    finally:
        validate_module.load_schema = original  # type: ignore[assignment]
        validate_module._can_nudge.cache_clear()


def test_lint_reports_are_the_same_without_the_fast_validator(tmp_path: Path, monkeypatch) -> None:
    from orderspec import validate as validate_module

    for i, (old, new) in enumerate([("", ""), ("termType: TERMED", "termType: TERM"),
                                    ("period: 12,", "period: 12.0,"), ("listPrice: 19.99", "listPrice: '19.99'"),
                                    ("orderDate: 2024-01-01", "orderDate: 2024-02-30")]):
        (tmp_path / f"s{i}.order.yaml").write_text(EXAMPLE.replace(old, new) if old else EXAMPLE, encoding="utf-8")
    with_fast = pipeline.run([str(tmp_path)]).diagnostics
    monkeypatch.setattr(validate_module, "_fast_validator", lambda schema_name: None)
    without = pipeline.run([str(tmp_path)]).diagnostics
    assert [d.as_json() for d in with_fast] == [d.as_json() for d in without]
    assert {d.code for d in without} >= {"S004", "S002", "S007"}
