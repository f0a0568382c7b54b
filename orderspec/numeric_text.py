"""Numbers written as text where the API documents a number (`quantity: "4"`, `listPrice: "7.50"`).

Zuora's own tutorials send them so, and its JSON binding reads such text as the number. So
validate reports them as a warning (S011), not a type error, and the stages after it (check,
preview) see the number the API will see; render still sends what the user wrote.

Where the API takes a number is the schema's business: the places are the `type` errors of a
string whose schema wants an integer or a number, not a walk of the schema of our own.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Iterable, Mapping, NamedTuple

from orderspec.diagnostics import Pointer

if TYPE_CHECKING:
    from jsonschema.exceptions import ValidationError  # type: ignore[import-untyped]

# ASCII digits only: `\d` would also take Arabic-Indic and other digits, which no API reads.
_INTEGER = re.compile(r"[+-]?[0-9]+\Z")
_DECIMAL = re.compile(r"[+-]?[0-9]+\.[0-9]+\Z")
# Longer text is not a quantity or a price anyone means; it stays a type error.
_MAX_DIGITS = 40


class NumericText(NamedTuple):
    text: str  # as written
    number: int | Decimal  # as the API reads it


def number_in(text: str, wanted: Iterable[str]) -> int | Decimal | None:
    """The number a text spells in plain decimals, when the schema's types take it; else None.

    Integer text becomes an int and text with a fraction a Decimal, as the loader reads the same
    literal unquoted. A fraction is never an integer here, even `4.0`, as it is not one unquoted.
    """
    types = set(wanted)
    if "string" in types or len(text.lstrip("+-").replace(".", "", 1)) > _MAX_DIGITS:
        return None
    if _INTEGER.match(text) and types & {"integer", "number"}:
        return int(text)
    if _DECIMAL.match(text) and "number" in types:
        return Decimal(text)
    return None


def numbers_in(errors: Iterable[ValidationError]) -> dict[Pointer, NumericText]:
    """Every numeric text that a schema `type` error complains of, by where it is in the body.

    Inside anyOf/oneOf, a branch that takes a number is enough: the API reads the number, and
    validating again with it judges the other branches.
    """
    found: dict[Pointer, NumericText] = {}
    pending = list(errors)
    while pending:
        error = pending.pop()
        if error.validator in ("anyOf", "oneOf"):
            pending.extend(error.context)
            continue
        if error.validator != "type" or not isinstance(error.instance, str):
            continue
        wanted = [error.validator_value] if isinstance(error.validator_value, str) else error.validator_value
        number = number_in(error.instance, wanted)
        if number is not None:
            found.setdefault(tuple(error.absolute_path), NumericText(error.instance, number))
    return found


def with_numbers(body: Any, numbers: Mapping[Pointer, NumericText]) -> Any:
    """A copy of the body with the text at each pointer replaced by its number.

    Only the lists and mappings on the way to a replaced value are copied; the rest is shared
    with the body as written, which stays untouched.
    """
    if not numbers:
        return body
    if () in numbers:
        return numbers[()].number
    below: dict[Any, dict[Pointer, NumericText]] = {}
    for pointer, number in numbers.items():
        below.setdefault(pointer[0], {})[pointer[1:]] = number
    if isinstance(body, dict):
        return {key: with_numbers(value, below[key]) if key in below else value for key, value in body.items()}
    if isinstance(body, list):
        return [with_numbers(value, below[index]) if index in below else value for index, value in enumerate(body)]
    return body


def advice(field: str, text: str, number: int | Decimal, in_json: bool) -> str:
    """The S011 message: the API reads the number, but the spec should say it."""
    how = f"send {number} without the quotes" if in_json else f"write {number} unquoted"
    return f"{field} is the text \"{text}\" where the API takes a number (it reads {number}); {how}"
