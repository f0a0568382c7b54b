"""Stage 3: validate a request body against the JSON Schema of its endpoint.

jsonschema-rs says quickly whether a body is valid; an invalid one is explained by jsonschema's
own errors, and orderspec.schema_messages puts each in the user's words. Numbers written as text
where the API takes a number are read as numbers (orderspec.numeric_text) before the rest is judged.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from decimal import Decimal
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Callable, Iterable

from orderspec.diagnostics import Diagnostic
from orderspec.load import LazySourceMap
from orderspec.model import Endpoint, Request, choose_endpoint
from orderspec.numeric_text import NumericText, numbers_in, with_numbers
from orderspec.resources import load_schema
from orderspec.schema_messages import ambiguous, diagnose, numeric_text
from orderspec.whole_decimals import has_whole_decimal as _has_whole_decimal, nudged, whole_paths

if TYPE_CHECKING:
    from jsonschema import Draft202012Validator  # type: ignore[import-untyped]
    from jsonschema.exceptions import ValidationError  # type: ignore[import-untyped]

# jsonschema (~60 ms to import) is imported only when a body is not known to be valid: a lint
# of valid files never needs it (tests/test_parallel.py checks that).


# The formats orderspec's reports check, as jsonschema's FormatChecker checks them.
CHECKED_FORMATS = ("date", "date-time")


@lru_cache(maxsize=None)
def validator(schema_name: str) -> Draft202012Validator:
    from jsonschema import Draft202012Validator, FormatChecker

    schema = load_schema(schema_name)
    return Draft202012Validator(schema, format_checker=FormatChecker(formats=CHECKED_FORMATS))


# jsonschema-rs checks date and date-time natively (~5x faster than a Python callback per value),
# but accepts two things jsonschema's checks refuse: the year 0000 (datetime has no year 0) and a
# leap second (`23:59:60Z`, which rfc3339-validator refuses). A pattern beside each such format
# refuses those too, so the native check is never laxer than jsonschema's; where it is stricter
# (a date-time ending in a newline, which rfc3339-validator accepts), the body only takes the
# full path. tests/test_validate_fast.py checks this on generated date and date-time strings.
NATIVE_FORMAT_GUARDS = {"date": r"^(?!0000)", "date-time": r"^(?!0000)(?![\s\S]{17}60)"}


def _natively_checked(node: Any) -> Any:
    """The schema for jsonschema-rs: each date and date-time format with its guard pattern."""
    if isinstance(node, list):
        return [_natively_checked(item) for item in node]
    if not isinstance(node, dict):
        return node
    copied = {key: _natively_checked(item) for key, item in node.items()}
    form = node.get("format")
    if isinstance(form, str) and form in NATIVE_FORMAT_GUARDS:
        copied["allOf"] = [*copied.get("allOf", []), {"pattern": NATIVE_FORMAT_GUARDS[form]}]
    return copied


def _fast_validator(schema_name: str) -> Callable[[Any], bool] | None:
    """jsonschema-rs's validator for a schema (~100x faster than jsonschema's walk), or None.

    It only says "valid" (see accepted_fast) or where to look (see _schema_errors); the
    diagnostics always come from jsonschema's own errors.
    """
    if schema_name not in _FAST:
        try:
            import jsonschema_rs

            schema = load_schema(schema_name)
            formats: set[str] = set()
            _collect_formats(schema, formats)
            # jsonschema checks no other format (email, int32, ...): neither may jsonschema-rs.
            unchecked = {name: _any_value for name in formats if name not in CHECKED_FORMATS}
            compiled = jsonschema_rs.Draft202012Validator(_natively_checked(schema), validate_formats=True,
                                                          formats=unchecked)
            _FAST[schema_name] = compiled.is_valid
            _FAST_ERRORS[schema_name] = compiled.iter_errors
        except Exception:  # not installed for this platform, or a schema it refuses: full path only
            _FAST[schema_name] = None
    return _FAST[schema_name]


def _any_value(value: Any) -> bool:
    return True


_FAST: dict[str, Callable[[Any], bool] | None] = {}
_FAST_ERRORS: dict[str, Callable[[Any], Iterable[Any]]] = {}


def _collect_formats(node: Any, found: set[str]) -> None:
    if isinstance(node, dict):
        if isinstance(node.get("format"), str):
            found.add(node["format"])
        for value in node.values():
            _collect_formats(value, found)
    elif isinstance(node, list):
        for value in node:
            _collect_formats(value, found)


def _holds_whole_decimal(body: Any, noted: bool | None) -> bool:
    return _has_whole_decimal(body) if noted is None else noted


def _noted_whole_decimals(request: Request) -> bool | None:
    """Whether the request's body holds a whole Decimal, as noted while reading its file (the
    fast readers note it; tests/test_load_lazy.py compares that with the walk), or None."""
    source = request.source
    return source.whole_decimals if isinstance(source, LazySourceMap) else None


@lru_cache(maxsize=None)
def _can_nudge(schema_name: str) -> bool:
    """Whether moving a number by a hair can only make the fast validator stricter for a schema.

    True when nothing compares numbers for equality (const, enum, uniqueItems, multipleOf) and
    nothing turns a stricter number check into a laxer outcome (not, oneOf, bounds inside if).
    """
    found = False
    bounds = ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum")

    def has_bounds(node: Any) -> bool:
        if isinstance(node, dict):
            return any(k in node for k in bounds) or any(has_bounds(v) for v in node.values())
        if isinstance(node, list):
            return any(has_bounds(v) for v in node)
        return False

    def visit(node: Any) -> None:
        nonlocal found
        if isinstance(node, dict):
            if {"not", "oneOf", "uniqueItems", "multipleOf"} & node.keys():
                found = True
            if "if" in node and has_bounds(node["if"]):
                found = True
            for keyword in ("const", "enum"):
                values = node.get(keyword) if keyword == "enum" else [node.get(keyword)]
                if isinstance(values, list) and any(
                        isinstance(v, (int, float, Decimal)) and not isinstance(v, bool) for v in values):
                    found = True
            for item in node.values():
                visit(item)
        elif isinstance(node, list):
            for item in node:
                visit(item)

    visit(load_schema(schema_name))
    return not found


def accepted_fast(body: Any, endpoint: Endpoint, whole_decimals: bool | None = None) -> bool:
    """`accepted_by_schema` for the schema of the endpoint a request goes to."""
    return accepted_by_schema(body, endpoint.schema, whole_decimals)


def accepted_by_schema(body: Any, schema_name: str, whole_decimals: bool | None = None) -> bool:
    """True when the fast validator accepts the body, and so jsonschema would find nothing.

    False means "not known to be valid": the full validator decides and explains.

    A whole Decimal (`100.00`) is an integer to JSON Schema and to jsonschema-rs, but not to
    Python's jsonschema, which orderspec's reports follow. So such a body is checked twice, with
    each whole Decimal moved a hair up and a hair down: both pass only if every `type: integer`
    would have refused it anyway and no bound (minimum, maximum, exclusive ones) is touched.
    `whole_decimals`, when known, says whether the body holds one (None: walk it to find out).
    """
    is_valid = _fast_validator(schema_name)
    if is_valid is None:
        return False
    try:
        if not _holds_whole_decimal(body, whole_decimals):
            return bool(is_valid(body))
        if not _can_nudge(schema_name):
            return False
        paths = whole_paths(body)
        return bool(is_valid(nudged(body, +1, paths))) and bool(is_valid(nudged(body, -1, paths)))
    except Exception:  # a value it cannot take (a lone surrogate, a huge number): the full path
        return False


@dataclass(frozen=True)
class Validated:
    diagnostics: list[Diagnostic]
    # The request as the API reads it: numbers where its body has numeric text at a number (S011),
    # the body as written kept in `written_body` for render. The same request when there are none.
    request: Request


# Validating again after reading numbers finds no new ones unless a number changes which part of
# the schema applies; the bound keeps a schema that keeps changing its mind from looping.
_NUMBER_ROUNDS = 3


def validate(request: Request, endpoint: Endpoint | None = None) -> list[Diagnostic]:
    return validate_request(request, endpoint).diagnostics


def validate_request(request: Request, endpoint: Endpoint | None = None) -> Validated:
    """Validate a request's body; numeric text where the API takes a number is read as the number
    (a warning, S011) and the rest is judged with those numbers."""
    endpoint = endpoint or choose_endpoint(request)
    numbers: dict[tuple[Any, ...], NumericText] = {}
    body = request.body
    whole_decimals = _noted_whole_decimals(request)  # of the body as read: numbers read from text add some
    for round_ in range(_NUMBER_ROUNDS + 1):
        noted = whole_decimals if body is request.body else None
        errors = [] if accepted_fast(body, endpoint, noted) else _schema_errors(body, endpoint.schema, noted)
        found = {} if round_ == _NUMBER_ROUNDS else {
            pointer: number for pointer, number in numbers_in(errors).items() if pointer not in numbers}
        if not found:
            break
        numbers.update(found)
        body = with_numbers(request.body, numbers)
    problems: list[Diagnostic] = []
    typed: set[tuple[Any, ...]] = set(numbers)
    for pointer, numeric in numbers.items():
        problems.extend(numeric_text(pointer, numeric, request.source))
    for error in errors:
        problems.extend(diagnose(error, request.source, typed))
    problems.extend(ambiguous(request.source, typed))
    if not numbers:
        return Validated(problems, request)
    return Validated(problems, replace(request, body=body, written_body=request.body_as_written))


# -- explaining an invalid body: jsonschema's walk, pruned to where jsonschema-rs found errors ----

class _Pruning:
    """Which parts of the body jsonschema may skip while the pruned validator walks it.

    `hot` holds each step (id of the list or mapping, key or index) on the way to a place where
    jsonschema-rs found an error; the walk skips every other child. Inside keywords that judge
    validity rather than report (if, anyOf, oneOf, not, contains, unevaluated*), whose verdicts
    pruning would change, jsonschema walks everything (`depth` > 0).
    """

    hot: set[tuple[int, Any]] = set()
    depth = 0


def _child_errors(validator: Any, container: Any, key: Any, schema: Any,
                  schema_path: Any = None) -> Iterable[ValidationError]:
    """jsonschema's errors for one child of a list or mapping, or none where jsonschema-rs found none."""
    if not _Pruning.depth and (id(container), key) not in _Pruning.hot:
        return ()
    return validator.descend(container[key], schema, path=key, schema_path=schema_path)


def _pruned_properties(validator: Any, properties: Any, instance: Any, schema: Any) -> Iterable[ValidationError]:
    if not validator.is_type(instance, "object"):
        return
    for name, subschema in properties.items():
        if name in instance:
            yield from _child_errors(validator, instance, name, subschema, name)


def _pruned_pattern_properties(validator: Any, patterns: Any, instance: Any, schema: Any) -> Iterable[ValidationError]:
    if not validator.is_type(instance, "object"):
        return
    for pattern, subschema in patterns.items():
        for key in instance:
            if re.search(pattern, key):
                yield from _child_errors(validator, instance, key, subschema, pattern)


def _pruned_additional_properties(validator: Any, additional: Any, instance: Any,
                                  schema: Any) -> Iterable[ValidationError]:
    if not validator.is_type(additional, "object") or not validator.is_type(instance, "object"):
        yield from _original("additionalProperties")(validator, additional, instance, schema)
        return
    known = schema.get("properties", {})
    patterns = schema.get("patternProperties", {})
    # jsonschema walks the extra keys as a set; the same set gives the same order.
    extras = {key for key in instance if key not in known and not any(re.search(p, key) for p in patterns)}
    for key in extras:
        yield from _child_errors(validator, instance, key, additional)


def _pruned_items(validator: Any, items: Any, instance: Any, schema: Any) -> Iterable[ValidationError]:
    if items is False or not validator.is_type(instance, "array"):
        yield from _original("items")(validator, items, instance, schema)
        return
    for index in range(len(schema.get("prefixItems", [])), len(instance)):
        yield from _child_errors(validator, instance, index, items)


def _pruned_prefix_items(validator: Any, prefix: Any, instance: Any, schema: Any) -> Iterable[ValidationError]:
    if not validator.is_type(instance, "array"):
        return
    for index, subschema in zip(range(len(instance)), prefix):
        yield from _child_errors(validator, instance, index, subschema, index)


def _judging(keyword: str) -> Callable[..., Iterable[ValidationError]]:
    original = _original(keyword)

    def judge_in_full(validator: Any, value: Any, instance: Any, schema: Any) -> Iterable[ValidationError]:
        _Pruning.depth += 1
        try:
            errors = list(original(validator, value, instance, schema))
        finally:
            _Pruning.depth -= 1
        yield from errors
    return judge_in_full


def _original(keyword: str) -> Callable[..., Iterable[ValidationError]]:
    """jsonschema's own implementation of a keyword."""
    from jsonschema import Draft202012Validator

    implementation: Callable[..., Iterable[ValidationError]] = Draft202012Validator.VALIDATORS[keyword]
    return implementation


_JUDGING = ("if", "anyOf", "oneOf", "not", "contains", "unevaluatedProperties", "unevaluatedItems",
            "dependentSchemas", "propertyNames")


@lru_cache(maxsize=None)
def _pruned_validator(schema_name: str) -> Any:
    # Built on first use: most lint runs never meet an invalid body.
    from jsonschema import Draft202012Validator
    from jsonschema.validators import extend  # type: ignore[import-untyped]

    pruned = extend(Draft202012Validator, validators={
        "properties": _pruned_properties, "patternProperties": _pruned_pattern_properties,
        "additionalProperties": _pruned_additional_properties, "items": _pruned_items,
        "prefixItems": _pruned_prefix_items, **{keyword: _judging(keyword) for keyword in _JUDGING}})
    return pruned(load_schema(schema_name), format_checker=validator(schema_name).format_checker)


def _fast_error_paths(body: Any, schema_name: str, whole_decimals: bool | None = None) -> list[list[Any]] | None:
    """Where jsonschema-rs finds errors, on every body it would check (see accepted_fast), or None."""
    iter_errors = _FAST_ERRORS.get(schema_name) if _fast_validator(schema_name) else None
    if iter_errors is None:
        return None
    try:
        if not _holds_whole_decimal(body, whole_decimals):
            bodies = [body]
        elif _can_nudge(schema_name):
            paths = whole_paths(body)
            bodies = [nudged(body, +1, paths), nudged(body, -1, paths)]
        else:
            return None
        return [list(error.instance_path) for checked in bodies for error in iter_errors(checked)]
    except Exception:  # a value it cannot take: the full walk
        return None


def _schema_errors(body: Any, schema_name: str, whole_decimals: bool | None = None) -> list[ValidationError]:
    """jsonschema's errors for a body, in its order: a walk of only the parts jsonschema-rs faults.

    jsonschema-rs reports every error jsonschema does, at the same place (the whole-Decimal
    difference is covered by the same nudges as accepted_fast). Every other child of a list or
    mapping yields nothing in jsonschema's walk, so skipping it changes neither the errors nor
    their order. tests/test_validate_fast.py compares the reports with the plain walk.
    """
    paths = _fast_error_paths(body, schema_name, whole_decimals)
    if not paths:  # no fast validator, or it finds nothing while jsonschema-rs refused: the full walk
        return list(validator(schema_name).iter_errors(body))
    hot: set[tuple[int, Any]] = set()
    for path in paths:
        node = body
        for key in path:
            if not isinstance(node, (dict, list)):
                return list(validator(schema_name).iter_errors(body))
            hot.add((id(node), key))
            try:
                node = node[key]
            except (KeyError, IndexError, TypeError):
                return list(validator(schema_name).iter_errors(body))
    _Pruning.hot, _Pruning.depth = hot, 0
    try:
        return list(_pruned_validator(schema_name).iter_errors(body))
    finally:
        _Pruning.hot = set()


