"""Differential tests: explaining an invalid body by the pruned walk (validate._schema_errors,
guided by jsonschema-rs's error locations) gives exactly jsonschema's plain errors, in the same
order, and so byte-identical lint reports."""

from __future__ import annotations

import copy
import json
import random
import sys
from unittest import mock
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from orderspec import pipeline
from orderspec import validate as validate_module
from orderspec.diagnostics import Location
from orderspec.model import ENDPOINTS, OnePlace, Request

REPO = Path(__file__).resolve().parent.parent
# ../shared/reference beside the checkout; a git worktree under /work/wt finds it one level further up.
REFERENCE = next((place / "shared" / "reference" / "examples" for place in (REPO.parent, REPO.parent.parent)
                  if (place / "shared" / "reference" / "examples").is_dir()), REPO.parent / "shared")
sys.path.insert(0, str(REPO / "bench"))
from corpus import _json_default, body as corpus_body, generate  # noqa: E402

SCHEMAS = sorted({endpoint.schema for endpoint in ENDPOINTS.values()})


def _key(error: Any) -> tuple[Any, ...]:
    """Everything of an error a diagnostic may read (best_match reads the context)."""
    return (error.message, tuple(error.absolute_path), tuple(error.absolute_schema_path), error.validator,
            repr(error.validator_value), repr(error.instance),
            tuple(_key(inner) for inner in error.context))


def _assert_same_errors(body: Any, schema_name: str) -> list[Any]:
    plain = [_key(e) for e in validate_module.validator(schema_name).iter_errors(body)]
    pruned = [_key(e) for e in validate_module._schema_errors(body, schema_name)]
    assert pruned == plain, body
    return plain


def _fixture_bodies() -> list[Any]:
    found = []
    for path in sorted((REPO / "tests" / "fixtures").rglob("*.json")):
        try:
            found.append(json.loads(path.read_text(encoding="utf-8"), parse_float=Decimal))
        except (ValueError, UnicodeDecodeError):
            continue
    for path in sorted((REPO / "examples").rglob("*.order.yaml")):
        for request in pipeline.process_file(str(path), pipeline.Options()).requests:
            found.append(request.body)
    return found


def _reference_bodies() -> list[Any]:
    found = []
    for path in sorted((REFERENCE / "docs").glob("*.json")) if REFERENCE.is_dir() else []:
        found.append(json.loads(path.read_text(encoding="utf-8"), parse_float=Decimal)["body"])
    return found


CORPUS = [corpus_body(random.Random(seed), seed) for seed in range(40)]
SEEDS = CORPUS + _fixture_bodies() + _reference_bodies()


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix]
    if isinstance(value, dict):
        for key, item in value.items():
            found += _paths(item, prefix + (key,))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _paths(item, prefix + (index,))
    return found


def _at(value: Any, path: tuple[Any, ...]) -> Any:
    for key in path:
        value = value[key]
    return value


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, Decimal)) and not isinstance(value, bool)


def _edit(value: Any, path: tuple[Any, ...], how: str, new: Any) -> Any:
    """A copy of the value with the node at path replaced, removed, or given an unknown key."""
    if not path:
        if how == "extra" and isinstance(value, dict):
            return {**value, "unknownField": new}
        return new if how == "replace" else value
    head, rest = path[0], path[1:]
    if isinstance(value, dict):
        if not rest and how == "remove":
            return {k: v for k, v in value.items() if k != head}
        return {k: (_edit(v, rest, how, new) if k == head else v) for k, v in value.items()}
    if isinstance(value, list):
        if not rest and how == "remove":
            return [v for i, v in enumerate(value) if i != head]
        return [(_edit(v, rest, how, new) if i == head else v) for i, v in enumerate(value)]
    return value


scalars = st.one_of(
    st.none(), st.booleans(), st.integers(-5, 400), st.text(max_size=5),
    st.decimals(allow_nan=False, allow_infinity=False, places=2, min_value=-1000, max_value=1000),
    st.integers(-300, 300).map(lambda n: Decimal(n).quantize(Decimal("0.00"))),  # whole: 100.00
    st.sampled_from([Decimal("12.0"), Decimal("1E+2"), "2024-02-30", "2024-02-28", "01/02/2024",
                     "2024-01-01T00:00:00Z", "TERMED", "TERM", "EVERGREEN", "Month", "x__c", "a" * 300,
                     "CreateSubscription", "CreateSubscriptions", "RemoveProduct", "Suspend", {}, [],
                     {"x": 1}, [{"type": "Resume"}], {"type": "CreateSubscription"}, "\ud800",
                     "4", "0", "-3", "7.50", "12.0", "100.00"]),  # numeric text (S011)
)
edits = st.lists(st.tuples(st.integers(0, 100_000), st.sampled_from(["replace", "replace", "remove", "extra"]),
                           scalars), min_size=1, max_size=5)


@settings(max_examples=400, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.integers(0, len(SEEDS) - 1), edits, st.sampled_from(SCHEMAS))
def test_pruned_walk_gives_jsonschemas_errors_on_edited_bodies(seed: int, changes: list[tuple[int, str, Any]],
                                                               schema_name: str) -> None:
    body = SEEDS[seed]
    for position, how, new in changes:
        paths = _paths(body)
        body = _edit(body, paths[position % len(paths)], how, new)
    _assert_same_errors(body, schema_name)


@settings(max_examples=120, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.integers(0, len(SEEDS) - 1), st.lists(st.integers(0, 100_000), min_size=1, max_size=4),
       st.lists(st.tuples(st.integers(0, 100_000), st.sampled_from(["replace", "remove", "extra"]), scalars),
                max_size=2),
       st.sampled_from(sorted(ENDPOINTS)))
def test_numbers_read_from_text_are_the_same_by_the_fast_path_and_the_plain_walk(
        seed: int, as_text: list[int], changes: list[tuple[int, str, Any]], endpoint_name: str) -> None:
    body = SEEDS[seed]
    for position in as_text:  # numbers of the body written as text (`4` -> "4")
        numbers = [path for path in _paths(body) if _is_number(_at(body, path))]
        if numbers:
            path = numbers[position % len(numbers)]
            body = _edit(body, path, "replace", str(_at(body, path)))
    for position, how, new in changes:
        paths = _paths(body)
        body = _edit(body, paths[position % len(paths)], how, new)
    endpoint = ENDPOINTS[endpoint_name]
    request = Request("b.json", 0, "preview" if endpoint.is_preview else "create", endpoint.is_async, body,
                      OnePlace(Location("b.json", 1, 1)))
    fast = validate_module.validate_request(request, endpoint)
    with mock.patch.object(validate_module, "_fast_validator", lambda schema_name: None):
        plain = validate_module.validate_request(request, endpoint)
    assert [d.as_json() for d in fast.diagnostics] == [d.as_json() for d in plain.diagnostics]
    assert fast.request.body == plain.request.body
    assert fast.request.body_as_written is body


@pytest.mark.parametrize("schema_name", SCHEMAS)
def test_pruned_walk_gives_jsonschemas_errors_on_the_seed_bodies(schema_name: str) -> None:
    errors = [_assert_same_errors(body, schema_name) for body in SEEDS]
    assert any(errors), "some seed bodies should be invalid for every schema"


def test_the_pruned_walk_is_taken_and_skips_the_valid_parts(monkeypatch: pytest.MonkeyPatch) -> None:
    body = copy.deepcopy(CORPUS[0])
    body["subscriptions"][0]["orderActions"][0]["type"] = "CreateSubscriptions"
    schema_name = ENDPOINTS["create"].schema
    assert validate_module._fast_error_paths(body, schema_name), "jsonschema-rs should locate the error"
    walked: list[Any] = []
    skipped: list[Any] = []
    original = validate_module._child_errors

    def counting(validator: Any, container: Any, key: Any, *args: Any) -> Any:
        errors = original(validator, container, key, *args)
        (skipped if errors == () else walked).append(key)
        return errors

    monkeypatch.setattr(validate_module, "_child_errors", counting)
    errors = [_key(e) for e in validate_module._schema_errors(body, schema_name)]
    assert errors == [_key(e) for e in validate_module.validator(schema_name).iter_errors(body)]
    assert [e[1] for e in errors] == [("subscriptions", 0, "orderActions", 0, "type")]
    assert walked[:4] == ["subscriptions", 0, "orderActions", 0]
    assert len(skipped) > len(walked)


def test_lint_reports_are_identical_with_the_plain_walk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    generate(tmp_path / "corpus", 80, seed=11)
    for index, body in enumerate(SEEDS[len(CORPUS):]):
        (tmp_path / "seeds").mkdir(exist_ok=True)
        (tmp_path / "seeds" / f"b{index:03d}.json").write_text(json.dumps(body, default=_json_default), encoding="utf-8")
    options = pipeline.Options(bare_operation="create", include=("*.json",))
    pruned = pipeline.run([str(tmp_path)], options).diagnostics
    monkeypatch.setattr(validate_module, "_fast_validator", lambda schema_name: None)  # the plain path
    plain = pipeline.run([str(tmp_path)], options).diagnostics
    assert [d.as_json() for d in pruned] == [d.as_json() for d in plain]
    assert sum(d.code.startswith("S") for d in plain) >= 5


# -- jsonschema-rs checks date and date-time natively: never laxer than jsonschema's checks ------

def _digits(size: int) -> st.SearchStrategy[str]:
    return st.one_of(st.sampled_from(["0" * size, "9" * size, "1" * size]),
                     st.text("0123456789", min_size=size, max_size=size),
                     st.text("0123456789\uff16\u0663", min_size=max(0, size - 1), max_size=size + 1))


_date_texts = st.builds(lambda y, m, d: f"{y}-{m}-{d}", _digits(4), st.sampled_from(["01", "02", "12", "13", "00"]) | _digits(2),
                        st.sampled_from(["01", "28", "29", "30", "31", "00"]) | _digits(2))
_date_time_texts = st.builds(
    lambda date, t, hh, mm, ss, frac, zone: f"{date}{t}{hh}:{mm}:{ss}{frac}{zone}",
    _date_texts, st.sampled_from(["T", "t", " "]), st.sampled_from(["00", "23", "24"]) | _digits(2),
    st.sampled_from(["00", "59", "60"]) | _digits(2), st.sampled_from(["00", "59", "60", "61"]) | _digits(2),
    st.sampled_from(["", ".", ".5"]) | _digits(3).map(lambda d: "." + d),
    st.sampled_from(["Z", "z", "", "+00:00", "-00:00", "+23:59", "+24:00", "-12:60", "+0000", "Z\n"]))
_format_texts = st.one_of(_date_texts, _date_time_texts, _date_texts.map(lambda d: d + "\n"), st.text(max_size=25))


def _native(schema: Any) -> Any:
    import jsonschema_rs

    return jsonschema_rs.Draft202012Validator(schema, validate_formats=True)


@settings(max_examples=3000, deadline=None, derandomize=True, database=None)
@given(_format_texts)
def test_native_date_formats_accept_nothing_jsonschema_refuses(text: str) -> None:
    from jsonschema import FormatChecker

    checker = FormatChecker(formats=validate_module.CHECKED_FORMATS)
    for form in validate_module.CHECKED_FORMATS:
        if _native(validate_module._natively_checked({"format": form})).is_valid(text):
            assert checker.conforms(text, form), (form, text)


@pytest.mark.parametrize("form, text", [("date", "0000-01-01"), ("date-time", "0000-01-01T00:00:00Z"),
                                        ("date-time", "2024-12-31T23:59:60Z"), ("date-time", "1990-12-31T15:59:60-08:00")])
def test_the_guards_refuse_what_jsonschema_rs_alone_accepts(form: str, text: str) -> None:
    from jsonschema import FormatChecker

    assert _native({"format": form}).is_valid(text)  # why the guards exist
    assert not FormatChecker(formats=(form,)).conforms(text, form)
    assert not _native(validate_module._natively_checked({"format": form})).is_valid(text)
    assert not _native(validate_module._natively_checked({"type": "object", "properties": {
        "when": {"format": form, "allOf": [{"type": "string"}]}}})).is_valid({"when": text})
