"""orderspec.preview.remote: the preview request `preview --remote` sends for create and preview specs."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from orderspec import pipeline
from orderspec.check import check_request
from orderspec.diagnostics import Severity
from orderspec.model import ENDPOINTS, Request, choose_endpoint
from orderspec.preview import Window
from orderspec.preview.remote import (NeedsWindow, preview_account_info, preview_body, preview_request,
                                      with_window)
from orderspec.validate import validate

ROOT = Path(__file__).resolve().parent.parent
CREATE_SPECS = sorted(p for p in (ROOT / "examples").glob("*.order.yaml") if "operation: create" in p.read_text()) + [
    ROOT / "tests" / "fixtures" / "dispatch" / "new-account-create.order.yaml"]


def requests_of(path: Path) -> list[Request]:
    result = pipeline.run([str(path)], pipeline.Options(), keep_requests=True)
    assert not [d for d in result.diagnostics if d.severity is Severity.ERROR], result.diagnostics
    return result.requests


@pytest.mark.parametrize("path", CREATE_SPECS, ids=lambda p: p.name)
def test_every_create_example_becomes_a_preview_the_api_takes(path: Path) -> None:
    """Valid for schemas/preview-order.json and clean for the preview rules (what the emulator and
    the tenant judge), with a window for the evergreen ones."""
    for request in requests_of(path):
        window = Window("NumberOfPeriods", periods=3) if "evergreen" in path.name else None
        preview = preview_request(request, window)
        endpoint = choose_endpoint(preview)
        assert endpoint.is_preview
        found = validate(preview, endpoint) + check_request(preview, endpoint)
        assert not [d for d in found if d.severity is Severity.ERROR], [d.text() for d in found]


def test_create_examples_include_a_new_account() -> None:
    assert any("newAccount" in str(r.body) for p in CREATE_SPECS for r in requests_of(p))


def test_a_create_body_gets_the_offline_previews_default_options_and_loses_create_only_fields() -> None:
    body = {"orderDate": "2024-01-01", "existingAccountNumber": "A1", "processingOptions": {"runBilling": True},
            "schedulingOptions": {}, "status": "Draft", "subscriptions": []}
    assert preview_body(body, None) == {
        "orderDate": "2024-01-01", "existingAccountNumber": "A1", "subscriptions": [],
        "previewOptions": {"previewThruType": "TermEnd",
                           "previewTypes": ["ChargeMetrics", "BillingDocs", "OrderDeltaMetrics"]}}
    through = preview_body(body, Window("SpecificDate", thru=dt.date(2024, 3, 31)))["previewOptions"]
    assert through["previewThruType"] == "SpecificDate" and through["specificPreviewThruDate"] == "2024-03-31"
    periods = preview_body(body, Window("NumberOfPeriods", periods=4))["previewOptions"]
    assert periods["previewThruType"] == "NumberOfPeriods" and periods["previewNumberOfPeriods"] == 4
    assert "previewOptions" not in body  # the spec's body is left alone


def test_new_account_becomes_preview_account_info() -> None:
    bill_to = {"firstName": "A", "lastName": "B", "workEmail": "a@example.com", "city": "Berlin", "country": "DE"}
    account = {"name": "Globex", "currency": "EUR", "billCycleDay": 15, "billToContact": bill_to,
               "autoPay": False, "taxInfo": {"VATId": "DE123"}, "customFields": {"Segment__c": "SMB"}}
    info = preview_account_info(account)
    # no sold-to contact: Zuora copies the bill-to one; only the address (what tax depends on) is kept
    assert info == {"currency": "EUR", "billCycleDay": 15, "taxInfo": {"VATId": "DE123"},
                    "customFields": {"Segment__c": "SMB"}, "soldToContact": {"city": "Berlin", "country": "DE"}}
    sold_to = {"firstName": "C", "lastName": "D", "city": "Paris", "country": "FR"}
    ship_to = {"firstName": "E", "lastName": "F", "state": "CA", "country": "US"}
    info = preview_account_info({**account, "soldToContact": sold_to, "shipToContact": ship_to})
    assert info["soldToContact"] == {"city": "Paris", "country": "FR"}
    assert info["shipToContact"] == {"state": "CA", "country": "US"}
    same = preview_account_info({**account, "soldToContact": sold_to, "soldToSameAsBillTo": True})
    assert same["soldToContact"] == {"city": "Berlin", "country": "DE"}


def test_a_window_replaces_only_the_preview_specs_thru_type() -> None:
    body = {"orderDate": "2024-01-01", "previewOptions": {
        "previewThruType": "SpecificDate", "specificPreviewThruDate": "2024-12-31", "previewTypes": ["BillingDocs"],
        "skipTax": True}}
    assert with_window(body, Window("NumberOfPeriods", periods=2))["previewOptions"] == {
        "previewThruType": "NumberOfPeriods", "previewNumberOfPeriods": 2, "previewTypes": ["BillingDocs"],
        "skipTax": True}
    assert body["previewOptions"]["previewThruType"] == "SpecificDate"


def test_preview_request_keeps_preview_specs_and_converts_create_specs(tmp_path: Path) -> None:
    (preview,) = requests_of(ROOT / "tests" / "fixtures" / "dispatch" / "preview.order.yaml")
    assert preview_request(preview, None) is preview
    (create,) = requests_of(ROOT / "tests" / "fixtures" / "dispatch" / "new-account-create.order.yaml")
    create.headers["Idempotency-Key"] = "my-create-key"
    create.params["returnIds"] = True
    converted = preview_request(create, None)
    assert converted.operation == "preview" and choose_endpoint(converted) is ENDPOINTS["preview"]
    assert "Idempotency-Key" not in converted.headers and converted.params == {}
    assert converted.body["previewAccountInfo"]["billCycleDay"] == 15 and "newAccount" not in converted.body
    # what the conversion moved is reported where the spec wrote it
    assert converted.source.locate(("previewAccountInfo", "currency")) == create.source.locate(("newAccount",))


def test_an_evergreen_create_spec_needs_a_window() -> None:
    (create,) = requests_of(ROOT / "tests" / "fixtures" / "dispatch" / "new-account-create.order.yaml")
    action = create.body["subscriptions"][0]["orderActions"][0]
    action["createSubscription"]["terms"] = {"initialTerm": {"termType": "EVERGREEN"}}
    for no_end in (None, Window("TermEnd")):
        with pytest.raises(NeedsWindow, match="EVERGREEN"):
            preview_request(create, no_end)
    assert preview_request(create, Window("NumberOfPeriods", periods=1)).operation == "preview"
