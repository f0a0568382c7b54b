"""The check stage never raises, whatever shape a body has (it runs after failed validation),
and stays quiet on the API's own documented examples."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from orderspec.check import check_batch, check_request
from orderspec.load import SourceMap
from orderspec.model import ENDPOINTS, Request
from orderspec.validate import validate_request

REFERENCE = Path(__file__).resolve().parent.parent.parent / "shared" / "reference" / "examples"

KEYS = ["subscriptions", "orderActions", "type", "orderLineItems", "previewOptions", "previewThruType",
        "previewTypes", "triggerDates", "name", "triggerDate", "createSubscription", "terms", "initialTerm",
        "termType", "renewalTerms", "suspend", "suspendPolicy", "resume", "resumePolicy", "pricing",
        "recurringTiered", "tiers", "tier", "startingUnit", "endingUnit", "itemCategory", "orderNumber",
        "subscriptionNumber", "updateProduct", "chargeUpdates", "chargeNumber", "termsAndConditions",
        "lastTerm", "orderDate", "specificPreviewThruDate", "category", "existingAccountNumber"]
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-3, 3), st.decimals(allow_nan=False, allow_infinity=False),
                    st.sampled_from(["TERMED", "EVERGREEN", "SpecificDate", "TermEnd", "NumberOfPeriods", "Return",
                                     "CreateSubscription", "Suspend", "2024-01-01", "2023-13-45", "O/1", ""]))
VALUES = st.recursive(SCALARS, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.sampled_from(KEYS), inner, max_size=6)), max_leaves=25)
BODIES = st.dictionaries(st.sampled_from(KEYS), VALUES, max_size=8)


def request(body: Any, operation: str = "create", path: str = "fuzz.order.yaml") -> Request:
    return Request(path, 0, operation, "auto", body, SourceMap(path),
                   headers={"Zuora-Track-Id": "x;y", "Idempotency-Key": "k"})


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(body=BODIES, endpoint=st.sampled_from(sorted(ENDPOINTS)))
def test_any_shape_is_checked_without_raising(body: dict[str, Any], endpoint: str) -> None:
    chosen = ENDPOINTS[endpoint]
    made = request(body, "preview" if chosen.is_preview else "create")
    check_request(made, chosen)
    check_batch([made, made])


@pytest.mark.skipif(not REFERENCE.is_dir(), reason="shared reference examples not present")
def test_documented_examples_raise_nothing_unexpected() -> None:
    fired: dict[str, set[str]] = {}
    for path in sorted(REFERENCE.glob("*/*.json")):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except ValueError:
            continue  # some published samples are not even JSON
        if not isinstance(data, dict):
            continue
        body = data.get("body", data)
        operation = "preview" if "preview" in str(data.get("_kind", "")) else "create"
        # As in the pipeline: the check stage sees the numbers validate read from numeric text.
        typed = validate_request(request(body, operation, str(path)), ENDPOINTS[operation]).request
        for diagnostic in check_request(typed, ENDPOINTS[operation]):
            fired.setdefault(diagnostic.code, set()).add(path.name)
    fired.pop("H002", None)  # from the test's own header
    # Fragments of bodies (no account) in the docs, and one templated sample ({{...}} values).
    assert set(fired) <= {"R001", "R033"}, fired
