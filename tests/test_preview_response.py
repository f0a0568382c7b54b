"""The offline preview's --json answer has Zuora's preview response shape: the published response
bodies, field by field, and the project's derived response schema (schemas/responses)."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from jsonschema import Draft202012Validator

from orderspec.cli import cli

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = Path("/work/shared/reference/examples")
CATALOGS = ROOT / "tests" / "fixtures" / "catalogs"
DOCS_CATALOG = CATALOGS / "zuora-developer-docs.catalog.json"
SUMMARIES_CATALOG = ROOT / "tests" / "fixtures" / "preview" / "invoice-summaries.catalog.yaml"
D = Decimal

pytestmark = pytest.mark.skipif(not REFERENCE.is_dir(), reason="../shared/reference is not present")

# developer.zuora.com tutorial "Preview an order"
# (https://developer.zuora.com/docs/get-started/tutorials/preview-order/), its response sample.
TUTORIAL_RESPONSE: dict[str, Any] = {"success": True, "previewResult": {"invoices": [{
    "amount": D("49.99"), "amountWithoutTax": D("49.99"), "taxAmount": D("0.00"), "targetDate": "2025-01-01",
    "invoiceItems": [{
        "serviceStartDate": "2025-01-01", "serviceEndDate": "2025-01-31", "amountWithoutTax": D("49.99"),
        "taxAmount": D("0"), "chargeDescription": "No refund if you cancel after 7 days.",
        "chargeName": "Recurring per unit fee", "chargeNumber": None, "processingType": "Charge",
        "productName": "SmartLearn Tablet", "productRatePlanChargeId": "8a8aa19590e7dea30190ecf807da39ab",
        "unitPrice": D("49.99"), "subscriptionNumber": None, "orderLineItemNumber": None, "taxationItems": [],
        "additionalInfo": {"quantity": D(1), "unitOfMeasure": "License", "numberOfDeliveries": D(0)}}]}]}}

# developer.zuora.com API reference, POST_PreviewOrder, 200 response sample
# (https://developer.zuora.com/v1-api-reference/api/operation/POST_PreviewOrder/).
API_REFERENCE_RESPONSE: dict[str, Any] = {"success": True, "previewResult": {"invoices": [{
    "amount": D("14.99"), "amountWithoutTax": D("14.99"), "taxAmount": D(0), "targetDate": "2024-07-31",
    "invoiceItems": [{
        "serviceStartDate": "2024-07-01", "serviceEndDate": "2024-07-31", "amountWithoutTax": D("14.99"),
        "taxAmount": D(0), "chargeDescription": "", "chargeName": "Monthly Fee", "chargeNumber": None,
        "processingType": "Charge", "productName": "Music Service",
        "productRatePlanChargeId": "8ad097b4909708e001909b41bb085d38", "unitPrice": D("14.99"),
        "subscriptionNumber": None, "orderLineItemNumber": None,
        "additionalInfo": {"quantity": D(1), "unitOfMeasure": "", "numberOfDeliveries": D(0)}}]}]}}

# Fields of the published answers the offline preview does not produce, and why.
NOT_PRODUCED = {
    "taxationItems": "tax is not computed offline (P003)",
    "chargeDescription": "only when the catalog holds the charge's description",
}


def preview_json(spec: Path, *options: str) -> dict[str, Any]:
    result = CliRunner().invoke(cli, ["preview", "--json", *options, str(spec)])
    assert result.exit_code == 0, result.output
    preview: dict[str, Any] = json.loads(result.stdout, parse_float=Decimal)[0]
    assert preview["incomplete"] is False
    return dict(preview["response"])


def spec_of(tmp_path: Path, body: dict[str, Any]) -> Path:
    path = tmp_path / "published.order.json"
    path.write_text(json.dumps({"orderspec": 1, "operation": "preview", "body": body}), encoding="utf-8")
    return path


def mismatches(ours: Any, published: Any, where: str = "") -> list[str]:
    """Where `ours` differs from `published`: missing fields (unless NOT_PRODUCED explains them) and
    different values (numbers compared as numbers, 1.0 == 1)."""
    if isinstance(published, dict):
        if not isinstance(ours, dict):
            return [f"{where}: not an object"]
        found = []
        for key, value in published.items():
            if key not in ours:
                if key not in NOT_PRODUCED:
                    found.append(f"{where}/{key}: missing")
                continue
            found += mismatches(ours[key], value, f"{where}/{key}")
        return found
    if isinstance(published, list):
        if not isinstance(ours, list) or len(ours) != len(published):
            return [f"{where}: {len(ours) if isinstance(ours, list) else ours!r} entries, published {len(published)}"]
        return [m for index, (a, b) in enumerate(zip(ours, published)) for m in mismatches(a, b, f"{where}/{index}")]
    if isinstance(published, Decimal) and isinstance(ours, (int, Decimal)) and not isinstance(ours, bool):
        return [] if Decimal(ours) == published else [f"{where}: {ours}, published {published}"]
    return [] if ours == published else [f"{where}: {ours!r}, published {published!r}"]


def reference_body(folder: str, name: str) -> dict[str, Any]:
    data = json.loads((REFERENCE / folder / f"{name}.json").read_text(encoding="utf-8"), parse_float=Decimal)
    body: dict[str, Any] = data.get("body", data)
    return body


def test_the_tutorial_preview_answer_field_by_field(tmp_path: Path) -> None:
    ours = preview_json(spec_of(tmp_path, reference_body("public", "zdevtut_6")), "--catalog", str(DOCS_CATALOG),
                        "--bill-cycle-day", "1")
    assert mismatches(ours, TUTORIAL_RESPONSE) == []


def test_the_api_reference_preview_answer_field_by_field(tmp_path: Path) -> None:
    ours = preview_json(spec_of(tmp_path, reference_body("public", "zapiref_3")), "--catalog", str(DOCS_CATALOG),
                        "--bill-cycle-day", "1")
    # The catalog holds no description for "Monthly Fee", where Zuora answers "": the one field left out.
    assert mismatches(ours, API_REFERENCE_RESPONSE) == []
    assert "chargeDescription" not in ours["previewResult"]["invoices"][0]["invoiceItems"][0]


def test_a_term_end_preview_is_one_invoice_through_the_term_end(tmp_path: Path) -> None:
    # docs.zuora.com "Preview invoice item summaries for an order" (https://docs.zuora.com/en/zuora-billing/
    # manage-accounts-subscriptions-and-non-subscriptions/manage-subscription-transactions/orders/
    # overview-of-standalone-orders/preview-invoice-item-summaries-for-an-order): a 12-month term from
    # 2025-01-01 previewed to TermEnd is ONE invoice of 1040.00, targetDate 2026-01-01, holding four
    # quarters of 10.00 (2025-01-01..03-31, 04-01..06-30, 07-01..09-30, 10-01..12-31) and 1000.00 on 2025-01-01.
    ours = preview_json(spec_of(tmp_path, reference_body("docs", "ex46_preview_CreateSubscription")),
                        "--catalog", str(SUMMARIES_CATALOG), "--bill-cycle-day", "1")
    (invoice,) = ours["previewResult"]["invoices"]
    assert (invoice["amount"], invoice["amountWithoutTax"], invoice["taxAmount"], invoice["targetDate"]) == (
        D("1040.00"), D("1040.00"), D("0.00"), "2026-01-01")
    assert [(i["serviceStartDate"], i["serviceEndDate"], i["amountWithoutTax"], i["chargeName"])
            for i in invoice["invoiceItems"]] == [
        ("2025-01-01", "2025-03-31", D("10.00"), "Quarterly price "),
        ("2025-04-01", "2025-06-30", D("10.00"), "Quarterly price "),
        ("2025-07-01", "2025-09-30", D("10.00"), "Quarterly price "),
        ("2025-10-01", "2025-12-31", D("10.00"), "Quarterly price "),
        ("2025-01-01", "2025-01-01", D("1000.00"), "Yearly charge - 1000")]
    assert all(i["productName"] == "Cloud Service" and i["processingType"] == "Charge" for i in invoice["invoiceItems"])


def test_our_answers_validate_against_the_derived_response_schema(tmp_path: Path) -> None:
    schema = json.loads((ROOT / "schemas" / "responses" / "preview-result.json").read_text(encoding="utf-8"))
    validator = Draft202012Validator(schema)
    cases = [(reference_body("public", "zdevtut_6"), DOCS_CATALOG),
             (reference_body("public", "zapiref_3"), DOCS_CATALOG),
             (reference_body("docs", "ex46_preview_CreateSubscription"), SUMMARIES_CATALOG)]
    for body, catalog in cases:
        ours = preview_json(spec_of(tmp_path, body), "--catalog", str(catalog), "--bill-cycle-day", "1")
        errors = list(validator.iter_errors(json.loads(json.dumps(ours, default=float))))
        assert not errors, errors[0].message
