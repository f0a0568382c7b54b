"""How a plain scalar is typed: YAML 1.1's resolver (or JSON's rules), then our own reading of
the text, so that money stays Decimal, dates stay text, and literals that YAML 1.1, YAML 1.2 and
JSON read differently are noticed."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

import yaml

TAG = "tag:yaml.org,2002:"
_RESOLVER = yaml.resolver.Resolver()
_JSON_INT = re.compile(r"-?(?:0|[1-9][0-9]*)\Z")
_JSON_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?\Z")
# Plain text that YAML 1.2 / JSON would read as a number but YAML 1.1 reads as a string.
_YAML12_FLOAT = re.compile(r"[-+]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)[eE][-+]?[0-9]+\Z")
BOOL_OR_NULL = (TAG + "bool", TAG + "null")


def resolve_plain(text: str, json_mode: bool) -> str:
    if json_mode:
        if text in ("true", "false"):
            return TAG + "bool"
        if text == "null":
            return TAG + "null"
        if _JSON_NUMBER.match(text):
            return TAG + ("int" if _JSON_INT.match(text) else "float")
        return TAG + "str"
    if len(text) <= 64:
        return resolve_short(text)
    return _RESOLVER.resolve(yaml.ScalarNode, text, (True, False))


@lru_cache(maxsize=8192)
def resolve_short(text: str) -> str:
    # Specs repeat the same short scalars (enums, dates, ids): resolving each text once saves ~10%
    # of loading. Only short texts, so that hostile files cannot fill the cache with megabytes.
    return _RESOLVER.resolve(yaml.ScalarNode, text, (True, False))


def _yaml11_int(text: str) -> int:
    value = text.replace("_", "")
    sign = -1 if value.startswith("-") else 1
    if value[:1] in "+-":
        value = value[1:]
    if value == "0":
        return 0
    if value.startswith("0b"):
        return sign * int(value[2:], 2)
    if value.startswith("0x"):
        return sign * int(value[2:], 16)
    if value.startswith("0o"):
        return sign * int(value[2:], 8)
    if value.startswith("0"):
        return sign * int(value, 8)
    if ":" in value:
        total = 0
        for part in value.split(":"):
            total = total * 60 + int(part)
        return sign * total
    return sign * int(value)


def _int_is_ambiguous(text: str) -> bool:
    body = text.lstrip("+-")
    return "_" in body or ":" in body or (len(body) > 1 and body[0] == "0")


class BadScalar(Exception):
    def __init__(self, code: str, message: str) -> None:
        self.code, self.message = code, message


def typed_scalar(text: str, kind: str, json_mode: bool) -> tuple[Any, bool, bool]:
    """(value, whether YAML typed the text, whether the text is ambiguous) of a plain scalar
    that resolved (or was tagged) to `kind`."""
    if kind == "str" or kind == "timestamp":
        return text, False, not json_mode and _YAML12_FLOAT.match(text) is not None
    if kind == "null":
        return None, True, False
    if kind == "bool":
        return text.lower() in ("true", "yes", "on"), True, False
    if kind == "int":
        if json_mode:
            try:
                return int(text), True, False
            except ValueError:  # more digits than Python converts
                raise BadScalar("Y002", f"`{text[:20]}...` is too long a number")
        ambiguous = _int_is_ambiguous(text)
        try:
            return _yaml11_int(text), True, ambiguous
        except ValueError:
            raise BadScalar("Y002", f"`{text}` is not a valid number")
    if kind == "float":
        cleaned = text.replace("_", "")
        ambiguous = "_" in text or ":" in text
        if cleaned.lower().lstrip("+-") in (".inf", ".nan"):
            raise BadScalar("Y011", f"`{text}` is not a finite number; JSON cannot carry it")
        if ":" in cleaned:
            whole, fraction = cleaned.split(".")[0], cleaned.split(".")[1]
            return Decimal(_yaml11_int(whole)) + Decimal("0." + fraction), True, ambiguous
        try:
            return Decimal(cleaned), True, ambiguous
        except InvalidOperation:
            raise BadScalar("Y002", f"`{text}` is not a valid number")
    raise BadScalar("Y010", f"the tag {kind} is not accepted here")

