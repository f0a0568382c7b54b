"""orderspec.whole_decimals: the nudged body copies only the way to each whole Decimal, and is
the same value as the plain full copy that validate made before."""

from __future__ import annotations

import copy
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from orderspec.whole_decimals import TooBig, has_whole_decimal, is_whole, moved, nudged, whole_paths


def nudged_in_full(value: Any, sign: int) -> Any:
    """The plain path: a full copy with each whole Decimal moved (validate._nudged before)."""
    if isinstance(value, dict):
        return {key: nudged_in_full(item, sign) for key, item in value.items()}
    if isinstance(value, list):
        return [nudged_in_full(item, sign) for item in value]
    return moved(value, sign) if is_whole(value) else value


NUMBERS = st.one_of(
    st.integers(-1000, 1000),
    st.decimals(allow_nan=False, allow_infinity=False, places=2, min_value=-1000, max_value=1000),
    st.integers(-300, 300).map(lambda n: Decimal(n).quantize(Decimal("0.00"))),
    st.sampled_from([Decimal("12.0"), Decimal("1E+2"), Decimal("-0"), Decimal("0.00"), Decimal("1E+50"),
                     Decimal("1" * 45), Decimal("NaN"), Decimal("Infinity"), 1.0, True]),
)
SCALARS = st.none() | st.text(max_size=4) | NUMBERS
VALUES = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
    st.text(max_size=3), inner, max_size=4), max_leaves=30)


def _outcome(make: Any) -> str:
    try:
        return repr(make())  # types included: Decimal("1") and 1 differ
    except TooBig:
        return "too big"


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(value=VALUES, sign=st.sampled_from([1, -1]), shared=st.booleans())
def test_nudged_is_the_full_copy(value: Any, sign: int, shared: bool) -> None:
    if shared:  # one container at two places, as a YAML alias makes it
        value = {"first": value, "again": value}
    before = copy.deepcopy(value)
    assert _outcome(lambda: nudged(value, sign)) == _outcome(lambda: nudged_in_full(value, sign))
    assert repr(value) == repr(before)  # the body itself is left as it was
    assert bool(whole_paths(value)) == has_whole_decimal(value)


def test_only_the_way_to_a_whole_decimal_is_copied() -> None:
    body = {"subscriptions": [{"price": Decimal("100.00"), "terms": {"period": 12}}, {"other": [1, 2]}]}
    up = nudged(body, +1)
    assert up["subscriptions"][0]["price"] == Decimal("100.00001")  # a hair: 3 places below the last written
    assert body["subscriptions"][0]["price"] == Decimal("100.00")
    assert up["subscriptions"][0]["terms"] is body["subscriptions"][0]["terms"]
    assert up["subscriptions"][1] is body["subscriptions"][1]
    assert nudged(body["subscriptions"][1], -1) is body["subscriptions"][1]  # nothing to move
    assert whole_paths(body) == [("subscriptions", 0, "price")]


def test_a_hostile_whole_decimal_is_too_big() -> None:
    with pytest.raises(TooBig):
        nudged([Decimal("1E+41")], +1)
