"""Stage 3: validate a request body against the JSON Schema of its endpoint.

Every schema error becomes one diagnostic at the value (or key) the human wrote, with a rule
code per kind of problem. YAML's type traps are reported as such: when YAML turned `no` into
false where the API wants text, the user is told to quote it, not that a boolean is wrong.
"""

from __future__ import annotations

import calendar
import json
import re
from dataclasses import dataclass, replace
from decimal import Decimal, localcontext
from functools import lru_cache
from typing import Any, Callable, Iterable

from jsonschema import Draft202012Validator, FormatChecker  # type: ignore[import-untyped]
from jsonschema.validators import extend  # type: ignore[import-untyped]
from jsonschema.exceptions import ValidationError, best_match  # type: ignore[import-untyped]

from orderspec.diagnostics import Diagnostic, at, format_pointer, kind_of
from orderspec.model import Endpoint, Locator, Request, choose_endpoint
from orderspec.numeric_text import NumericText, advice, numbers_in, with_numbers
from orderspec.resources import load_schema
from orderspec.spec import did_you_mean

_TYPE_NAMES = {"string": "text", "integer": "a whole number", "number": "a number",
               "boolean": "true or false", "object": "a mapping", "array": "a list", "null": "null"}


@lru_cache(maxsize=None)
def validator(schema_name: str) -> Draft202012Validator:
    schema = load_schema(schema_name)
    return Draft202012Validator(schema, format_checker=FormatChecker(formats=("date", "date-time")))


def _read_as(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    return f"the number {value}"


def _show(value: Any) -> str:
    text = str(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _expected(types: Any) -> list[str]:
    return [types] if isinstance(types, str) else list(types)


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
            # The same format checks as the full validator, so both accept the same bodies.
            conforms = validator(schema_name).format_checker.conforms  # type: ignore[union-attr]
            checks = {name: (lambda value, name=name: conforms(value, name)) for name in formats}
            compiled = jsonschema_rs.Draft202012Validator(schema, validate_formats=True, formats=checks)
            _FAST[schema_name] = compiled.is_valid
            _FAST_ERRORS[schema_name] = compiled.iter_errors
        except Exception:  # not installed for this platform, or a schema it refuses: full path only
            _FAST[schema_name] = None
    return _FAST[schema_name]


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


def _is_whole(item: Any) -> bool:
    return isinstance(item, Decimal) and item.is_finite() and item == item.to_integral_value()


def _has_whole_decimal(value: Any) -> bool:
    """A Decimal with a whole value (`12.0`, `100.00`, `1E+2`) anywhere in the value."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
        elif _is_whole(item):
            return True
    return False


class _TooBig(Exception):
    pass


def _nudged(value: Any, sign: int) -> Any:
    """A copy of the value with each whole Decimal moved by a hair (up or down) off its integer."""
    if isinstance(value, dict):
        return {key: _nudged(item, sign) for key, item in value.items()}
    if isinstance(value, list):
        return [_nudged(item, sign) for item in value]
    if not _is_whole(value):
        return value
    digits = len(value.as_tuple().digits)
    exponent = value.as_tuple().exponent
    if digits > 40 or abs(exponent) > 40:  # hostile sizes: not worth exact arithmetic
        raise _TooBig
    hair = Decimal((0, (1,), min(exponent, 0) - 3))
    with localcontext() as context:
        context.prec = digits + abs(exponent) + 10  # exact
        return value + hair if sign > 0 else value - hair


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


def accepted_fast(body: Any, endpoint: Endpoint) -> bool:
    """True when the fast validator accepts the body, and so jsonschema would find nothing.

    False means "not known to be valid": the full validator decides and explains.

    A whole Decimal (`100.00`) is an integer to JSON Schema and to jsonschema-rs, but not to
    Python's jsonschema, which orderspec's reports follow. So such a body is checked twice, with
    each whole Decimal moved a hair up and a hair down: both pass only if every `type: integer`
    would have refused it anyway and no bound (minimum, maximum, exclusive ones) is touched.
    """
    is_valid = _fast_validator(endpoint.schema)
    if is_valid is None:
        return False
    try:
        if not _has_whole_decimal(body):
            return bool(is_valid(body))
        if not _can_nudge(endpoint.schema):
            return False
        return bool(is_valid(_nudged(body, +1))) and bool(is_valid(_nudged(body, -1)))
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
    for round_ in range(_NUMBER_ROUNDS + 1):
        errors = [] if accepted_fast(body, endpoint) else _schema_errors(body, endpoint.schema)
        found = {} if round_ == _NUMBER_ROUNDS else {
            pointer: number for pointer, number in numbers_in(errors).items() if pointer not in numbers}
        if not found:
            break
        numbers.update(found)
        body = with_numbers(request.body, numbers)
    problems: list[Diagnostic] = []
    typed: set[tuple[Any, ...]] = set(numbers)
    for pointer, numeric in numbers.items():
        problems.extend(_numeric_text(pointer, numeric, request.source))
    for error in errors:
        problems.extend(_diagnose(error, request.source, typed))
    problems.extend(_ambiguous(request.source, typed))
    if not numbers:
        return Validated(problems, request)
    return Validated(problems, replace(request, body=body, written_body=request.body_as_written))


def _numeric_text(pointer: tuple[Any, ...], numeric: NumericText, source: Locator) -> Iterable[Diagnostic]:
    where = source.locate(pointer)
    field = f"`{pointer[-1]}`" if pointer and isinstance(pointer[-1], str) else "this value"
    yield at(where, "S011", advice(field, numeric.text, numeric.number, where.path.endswith(".json")),
             pointer=format_pointer(pointer), related=source.related(pointer))


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
        yield from _ORIGINAL["additionalProperties"](validator, additional, instance, schema)
        return
    known = schema.get("properties", {})
    patterns = schema.get("patternProperties", {})
    # jsonschema walks the extra keys as a set; the same set gives the same order.
    extras = {key for key in instance if key not in known and not any(re.search(p, key) for p in patterns)}
    for key in extras:
        yield from _child_errors(validator, instance, key, additional)


def _pruned_items(validator: Any, items: Any, instance: Any, schema: Any) -> Iterable[ValidationError]:
    if items is False or not validator.is_type(instance, "array"):
        yield from _ORIGINAL["items"](validator, items, instance, schema)
        return
    for index in range(len(schema.get("prefixItems", [])), len(instance)):
        yield from _child_errors(validator, instance, index, items)


def _pruned_prefix_items(validator: Any, prefix: Any, instance: Any, schema: Any) -> Iterable[ValidationError]:
    if not validator.is_type(instance, "array"):
        return
    for index, subschema in zip(range(len(instance)), prefix):
        yield from _child_errors(validator, instance, index, subschema, index)


def _judging(keyword: str) -> Callable[..., Iterable[ValidationError]]:
    original = _ORIGINAL[keyword]

    def judge_in_full(validator: Any, value: Any, instance: Any, schema: Any) -> Iterable[ValidationError]:
        _Pruning.depth += 1
        try:
            errors = list(original(validator, value, instance, schema))
        finally:
            _Pruning.depth -= 1
        yield from errors
    return judge_in_full


_ORIGINAL = Draft202012Validator.VALIDATORS
_JUDGING = ("if", "anyOf", "oneOf", "not", "contains", "unevaluatedProperties", "unevaluatedItems",
            "dependentSchemas", "propertyNames")


@lru_cache(maxsize=None)
def _pruned_validator(schema_name: str) -> Any:
    # Built on first use: most lint runs never meet an invalid body.
    pruned = extend(Draft202012Validator, validators={
        "properties": _pruned_properties, "patternProperties": _pruned_pattern_properties,
        "additionalProperties": _pruned_additional_properties, "items": _pruned_items,
        "prefixItems": _pruned_prefix_items, **{keyword: _judging(keyword) for keyword in _JUDGING}})
    return pruned(load_schema(schema_name), format_checker=validator(schema_name).format_checker)


def _fast_error_paths(body: Any, schema_name: str) -> list[list[Any]] | None:
    """Where jsonschema-rs finds errors, on every body it would check (see accepted_fast), or None."""
    iter_errors = _FAST_ERRORS.get(schema_name) if _fast_validator(schema_name) else None
    if iter_errors is None:
        return None
    try:
        if not _has_whole_decimal(body):
            bodies = [body]
        elif _can_nudge(schema_name):
            bodies = [_nudged(body, +1), _nudged(body, -1)]
        else:
            return None
        return [list(error.instance_path) for checked in bodies for error in iter_errors(checked)]
    except Exception:  # a value it cannot take: the full walk
        return None


def _schema_errors(body: Any, schema_name: str) -> list[ValidationError]:
    """jsonschema's errors for a body, in its order: a walk of only the parts jsonschema-rs faults.

    jsonschema-rs reports every error jsonschema does, at the same place (the whole-Decimal
    difference is covered by the same nudges as accepted_fast). Every other child of a list or
    mapping yields nothing in jsonschema's walk, so skipping it changes neither the errors nor
    their order. tests/test_validate_fast.py compares the reports with the plain walk.
    """
    paths = _fast_error_paths(body, schema_name)
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


def _ambiguous(source: Locator, already: set[tuple[Any, ...]]) -> Iterable[Diagnostic]:
    """Report ambiguous number literals the schema accepted (it would hide a silent change)."""
    pointers = getattr(source, "ambiguous_pointers", None)
    if pointers is None:
        return
    for pointer, raw in pointers():
        if any(pointer[:n] in already for n in range(len(pointer) + 1)):
            continue
        yield at(source.locate(pointer), "Y021", _ambiguity_message(raw), pointer=format_pointer(pointer))


def _ambiguity_message(raw: str) -> str:
    body = raw.lstrip("+-")
    if "e" in body.lower() and "." not in body and "_" not in body:
        return (f"`{raw}` is text to YAML 1.1 but a number to YAML 1.2 and JSON; write the number "
                "in plain decimals, or quote it if you mean text")
    if "_" in body:
        return f"`{raw}` is a number only to YAML 1.1; write {body.replace('_', '')} (or quote it for text)"
    if ":" in body:
        return f"`{raw}` is a base-60 number to YAML 1.1; quote it if you mean text"
    if body.startswith(("0x", "0o", "0b")):
        return f"`{raw}` is not a decimal number; write it in decimals, or quote it if you mean text"
    return (f"`{raw}` is octal to YAML 1.1 and decimal to YAML 1.2; write it without the leading "
            "zero, or quote it if you mean text")


def _json_not_text(field: str, value: Any, raw: str) -> str:
    """Y020 in a JSON file: what was written is what it is, so no quoting advice in YAML terms."""
    if value is None:
        return f"{field} is null, but the API wants text here; send a string, or leave the field out"
    return f"{field} is {_read_as(value)}, but the API wants text here; send it as a string: {json.dumps(raw)}"


# English whatever the locale (calendar.month_name follows LC_TIME).
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December")
_DATE_FORM = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})\Z")


def _not_a_date(value: Any) -> str:
    """Why a value is no date: not the form YYYY-MM-DD, or in the form but not in the calendar."""
    form = _DATE_FORM.match(value) if isinstance(value, str) else None
    if form is None:
        return f"`{_show(value)}` is not a date in the form YYYY-MM-DD"
    year, month, day = (int(part) for part in form.groups())
    if year == 0:
        return f"`{value}` is not a calendar date: there is no year 0"
    if not 1 <= month <= 12:
        return f"`{value}` is not a calendar date: there is no month {form.group(2)}"
    days = calendar.monthrange(year, month)[1]
    if day == 0:
        return f"`{value}` is not a calendar date: there is no day 00"
    if day > days:
        return f"`{value}` is not a calendar date: {_MONTHS[month - 1]} {year} has {days} days"
    return f"`{value}` is not a valid date"


def _diagnose(error: ValidationError, source: Locator, typed: set[tuple[Any, ...]]) -> list[Diagnostic]:
    pointer = tuple(error.absolute_path)
    where = format_pointer(pointer)
    validator_name = error.validator
    value = error.instance
    field = f"`{pointer[-1]}`" if pointer and isinstance(pointer[-1], str) else "this value"

    def one(code: str, message: str, *, key: bool = False, at_pointer: tuple[Any, ...] = pointer) -> list[Diagnostic]:
        return [at(source.locate(at_pointer, key=key), code, message, pointer=format_pointer(at_pointer),
                   related=source.related(at_pointer))]

    if validator_name == "additionalProperties" and isinstance(value, dict):
        known = tuple(error.schema.get("properties", {}))
        patterns = [re.compile(p) for p in error.schema.get("patternProperties", {})]
        found = []
        for key in value:
            if key in known or any(p.search(key) for p in patterns):
                continue
            child = pointer + (key,)
            typed.add(child)
            found += one("S001", f"unknown field `{key}`{did_you_mean(key, known)}", key=True, at_pointer=child)
        return found
    if validator_name == "type":
        typed.add(pointer)
        wanted = _expected(error.validator_value)
        raw = source.raw_plain(pointer)
        if raw is not None and "string" in wanted:
            if source.locate(pointer).path.endswith(".json"):
                return one("Y020", _json_not_text(field, value, raw))
            shown = raw if raw else "(empty)"
            return one("Y020", f"{field}: YAML reads the unquoted `{shown}` as {_read_as(value)}, but the "
                       f"API wants text here; quote it: '{raw}'")
        ambiguous = source.raw_ambiguous(pointer)
        if ambiguous is not None:
            return one("Y021", f"{field}: {_ambiguity_message(ambiguous)}")
        names = " or ".join(_TYPE_NAMES.get(t, t) for t in wanted)
        return one("S002", f"{field} must be {names}, not {kind_of(value)} (`{_show(value)}`)")
    if validator_name == "required":
        missing = error.message.split("'")[1] if "'" in error.message else str(error.validator_value)
        return one("S003", f"missing required field `{missing}`", key=True)
    if validator_name in ("enum", "const"):
        allowed = error.validator_value if validator_name == "enum" else [error.validator_value]
        choices = [str(a) for a in allowed if a is not None]
        hint = did_you_mean(str(value), choices) if isinstance(value, str) else ""
        listing = ", ".join(choices) if len(choices) <= 12 else ", ".join(choices[:12]) + ", ..."
        return one("S004", f"{field}: `{_show(value)}` is not one of {listing}{hint}")
    if validator_name in ("maxLength", "minLength"):
        limit = error.validator_value
        length = len(value) if isinstance(value, str) else 0
        bound = "at most" if validator_name == "maxLength" else "at least"
        return one("S005", f"{field} is {length} characters long; the API takes {bound} {limit}")
    if validator_name in ("maximum", "minimum", "exclusiveMaximum", "exclusiveMinimum", "multipleOf"):
        words = {"maximum": "at most", "minimum": "at least", "exclusiveMaximum": "less than",
                 "exclusiveMinimum": "more than", "multipleOf": "a multiple of"}[validator_name]
        return one("S006", f"{field} is {_show(value)}; it must be {words} {error.validator_value}")
    if validator_name == "format":
        if error.validator_value == "date":
            return one("S007", f"{field}: {_not_a_date(value)}")
        return one("S007", f"{field}: `{_show(value)}` is not a valid {error.validator_value}")
    if validator_name == "pattern":
        return one("S008", f"{field}: `{_show(value)}` does not match the pattern {error.validator_value}")
    if validator_name in ("maxItems", "minItems", "uniqueItems"):
        if validator_name == "uniqueItems":
            return one("S009", f"{field} has duplicate items")
        bound = "at most" if validator_name == "maxItems" else "at least"
        count = len(value) if isinstance(value, list) else 0
        return one("S009", f"{field} has {count} items; the API takes {bound} {error.validator_value}")
    if validator_name in ("anyOf", "oneOf") and error.context:
        # One root cause: the branch that got furthest, not every branch's complaint.
        return _diagnose(best_match(error.context), source, typed)
    return one("S010", f"{field}: {error.message}")
