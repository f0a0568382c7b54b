"""Request bodies for the offline preview tests, built as plain dicts (the engine's input)."""

from __future__ import annotations

import copy
from decimal import Decimal
from typing import Any

from orderspec.diagnostics import Location
from orderspec.model import OnePlace, Request
from orderspec.preview import Plan

D = Decimal


def request(body: dict[str, Any], name: str = "order.json") -> Request:
    return Request(name, 0, "preview", False, body, OnePlace(Location(name, 1, 1)))


def create_body(charges: list[dict[str, Any]], *, order_date: str = "2024-01-01", term_months: int | None = 12,
                account: dict[str, Any] | None = None, preview: dict[str, Any] | None = None,
                auto_renew: bool = False, rate_plan: str = "rp1") -> dict[str, Any]:
    """A one-subscription CreateSubscription order with these charge overrides."""
    initial: dict[str, Any] = {"termType": "EVERGREEN"} if term_months is None else {
        "termType": "TERMED", "period": term_months, "periodType": "Month", "startDate": order_date}
    body: dict[str, Any] = {
        "orderDate": order_date,
        "subscriptions": [{"orderActions": [{
            "type": "CreateSubscription",
            "triggerDates": [{"name": n, "triggerDate": order_date}
                             for n in ("ContractEffective", "ServiceActivation", "CustomerAcceptance")],
            "createSubscription": {
                "terms": {"initialTerm": initial, "autoRenew": auto_renew},
                "subscribeToRatePlans": [{"productRatePlanId": rate_plan,
                                          "chargeOverrides": copy.deepcopy(charges)}]}}]}]}
    body.update(account if account is not None else {"existingAccountNumber": "A0001"})
    if preview is not None:
        body["previewOptions"] = preview
    return body


def flat(price: str, billing: dict[str, Any], charge_id: str = "c1", **more: Any) -> dict[str, Any]:
    """A recurring flat fee charge override."""
    return {"productRatePlanChargeId": charge_id, "pricing": {"recurringFlatFee": {"listPrice": D(price)}},
            "billing": billing, **more}


def items(plan: Plan) -> list[tuple[str, str, Decimal]]:
    return [(i["serviceStartDate"], i["serviceEndDate"], i["amountWithoutTax"])
            for inv in plan.result["previewResult"]["invoices"] for i in inv["invoiceItems"]]


def thru(date: str) -> dict[str, Any]:
    return {"previewThruType": "SpecificDate", "specificPreviewThruDate": date}
