"""Schema errors in the user's words: one diagnostic per problem, at the value (or key) the human
wrote, with a rule code per kind of problem.

YAML's type traps are reported as such: when YAML turned `no` into false where the API wants
text, the user is told to quote it, not that a boolean is wrong; a JSON file is told what to send.
"""

from __future__ import annotations

import calendar
import json
import re
from typing import TYPE_CHECKING, Any, Iterable

from orderspec.diagnostics import Diagnostic, at, format_pointer, kind_of
from orderspec.model import Locator
from orderspec.numeric_text import NumericText, advice
from orderspec.spec import did_you_mean

if TYPE_CHECKING:
    from jsonschema.exceptions import ValidationError  # type: ignore[import-untyped]

_TYPE_NAMES = {"string": "text", "integer": "a whole number", "number": "a number",
               "boolean": "true or false", "object": "a mapping", "array": "a list", "null": "null"}


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


def numeric_text(pointer: tuple[Any, ...], numeric: NumericText, source: Locator) -> Iterable[Diagnostic]:
    where = source.locate(pointer)
    field = f"`{pointer[-1]}`" if pointer and isinstance(pointer[-1], str) else "this value"
    yield at(where, "S011", advice(field, numeric.text, numeric.number, where.path.endswith(".json")),
             pointer=format_pointer(pointer), related=source.related(pointer))


def ambiguous(source: Locator, already: set[tuple[Any, ...]]) -> Iterable[Diagnostic]:
    """Report ambiguous number literals the schema accepted (it would hide a silent change)."""
    pointers = getattr(source, "ambiguous_pointers", None)
    if pointers is None:
        return
    for pointer, raw in pointers():
        if any(pointer[:n] in already for n in range(len(pointer) + 1)):
            continue
        yield at(source.locate(pointer), "Y021", _ambiguity_message(raw), pointer=format_pointer(pointer),
                 related=source.related(pointer))


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


def diagnose(error: ValidationError, source: Locator, typed: set[tuple[Any, ...]]) -> list[Diagnostic]:
    pointer = tuple(error.absolute_path)
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
        from jsonschema.exceptions import best_match  # type: ignore[import-untyped]

        return diagnose(best_match(error.context), source, typed)
    return one("S010", f"{field}: {error.message}")
