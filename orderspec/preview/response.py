"""The preview in the API's response shape (POST /v1/orders/preview), so a program that parses
Zuora's answer parses ours unchanged: `chargeMetrics`, `invoices` (billing documents) and
`orderDeltaMetrics`, as `previewOptions.previewTypes` asks, with `chargeTypeToExclude` applied.

Values the API assigns (subscription numbers of new subscriptions, charge numbers) are null or left
out rather than invented. Tax is not computed: `taxAmount` is 0 and `amount` equals
`amountWithoutTax` (P003 says so unless the order sets skipTax).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Mapping

from orderspec.body import as_dict, as_list
from orderspec.preview import documents, metrics
from orderspec.preview.plan import ChargeLine, Item, SubscriptionPlan
from orderspec.preview.window import Window

PREVIEW_TYPES_MODELLED = ("ChargeMetrics", "BillingDocs", "OrderDeltaMetrics")
NO_TAX = Decimal("0.00")


def _charge_ids(charge: ChargeLine) -> dict[str, Any]:
    """The ids the API names a charge by in a preview result, those the order gave."""
    ids: dict[str, Any] = {}
    if charge.charge_number:
        ids["chargeNumber"] = charge.charge_number
    if charge.charge_id:
        ids["productRatePlanChargeId"] = charge.charge_id
    return ids


def api_result(body: Mapping[str, Any], window: Window, subscriptions: list[SubscriptionPlan],
               fallback_date: dt.date, credit_memos: bool = False) -> dict[str, Any]:
    """`credit_memos`: the tenant has Invoice Settlement, so credits (negative charge items) go on a
    credit memo as positive amounts (docs "Rules for generating invoices and credit memos": negative
    charges on a credit memo), not on the invoice."""
    options = as_dict(body.get("previewOptions"))
    wanted = options.get("previewTypes")
    if not isinstance(wanted, list):
        wanted = list(PREVIEW_TYPES_MODELLED)
    excluded = {k for k in as_list(options.get("chargeTypeToExclude")) if isinstance(k, str)}
    # The account the order opens, or the one a preview describes in its stead.
    account = as_dict(body.get("newAccount")) or as_dict(body.get("previewAccountInfo"))
    currency = account.get("currency")

    def kept(charge: ChargeLine) -> bool:
        if charge.is_discount and charge.pricing is not None:
            return not (charge.pricing.apply_to and charge.pricing.apply_to <= excluded)
        return charge.charge_type not in excluded

    result: dict[str, Any] = {}
    if "ChargeMetrics" in wanted:
        result["chargeMetrics"] = [_charge_metrics(s, kept) for s in subscriptions]
    if "BillingDocs" in wanted:
        owned = [(s.invoice_owner, item) for s in subscriptions for c in s.billed
                 if not c.problem and kept(c) for item in c.items]
        on_memo = [credit_memos and item.amount < 0 and item.processing_type == "Charge" for _, item in owned]
        credits = [pair for pair, memo in zip(owned, on_memo) if memo]
        owned = [pair for pair, memo in zip(owned, on_memo) if not memo]
        term_ends = [s.term_end for s in subscriptions if s.term_end is not None]
        numbers = {id(c): s.number for s in subscriptions for c in s.billed}
        result["invoices"] = [
            {"amount": invoice.amount_without_tax, "amountWithoutTax": invoice.amount_without_tax,
             "taxAmount": NO_TAX, "targetDate": invoice.target_date.isoformat(),
             "invoiceItems": [_api_item(i, numbers) for i in invoice.items]}
            for invoice in documents.invoices(owned, window, term_ends, fallback_date)]
        if credits:
            result["creditMemos"] = [
                {"amount": -memo.amount_without_tax, "amountWithoutTax": -memo.amount_without_tax,
                 "taxAmount": NO_TAX, "targetDate": memo.target_date.isoformat(),
                 "creditMemoItems": [_api_item(i, numbers, sign=-1) for i in memo.items]}
                for memo in documents.invoices(credits, window, term_ends, fallback_date)]
    if "OrderDeltaMetrics" in wanted:
        result["orderDeltaMetrics"] = _order_delta(subscriptions, kept, currency)
    return {"success": True, "previewResult": result}


def _charge_metrics(subscription: SubscriptionPlan, kept: Any) -> dict[str, Any]:
    charges = []
    for charge in subscription.charges:
        if charge.problem or not kept(charge) or charge.mrr is None:
            continue
        entry = _charge_ids(charge)
        if charge.rate_plan_id and charge.rate_plan_id != "?":
            entry["productRatePlanId"] = charge.rate_plan_id
        entry.update(metrics.charge_metrics(charge.mrr, charge.tcv, charge.is_discount, charge.mrr_before,
                                            charge.tcv_before))
        charges.append(entry)
    block: dict[str, Any] = {"charges": charges}
    if subscription.number:
        block["subscriptionNumber"] = subscription.number
    return block


def _order_delta(subscriptions: list[SubscriptionPlan], kept: Any, currency: Any) -> dict[str, Any]:
    """Per regular charge: gross (before discounts) and net (after) MRR, TCV and TCB deltas; the
    discounts show in the net amounts of the charges they apply to (docs "Order Delta MRR - Discounts")."""
    mrr, tcv, tcb = [], [], []
    for subscription in subscriptions:
        for action in subscription.actions:
            for rate_plan in action.rate_plans:
                for charge in rate_plan.charges:
                    if charge.problem or charge.is_discount or not kept(charge) or charge.mrr is None:
                        continue
                    base: dict[str, Any] = {}
                    if subscription.number:
                        base["subscriptionNumber"] = subscription.number
                    base.update(_charge_ids(charge))
                    base["orderActionType"] = action.type
                    base["orderActionSequence"] = str(action.sequence)
                    if charge.start:
                        base["startDate"] = charge.start.isoformat()
                    if charge.end:
                        base["endDate"] = charge.end.isoformat()
                    if isinstance(currency, str):
                        base["currency"] = currency
                    # Deltas: an existing charge's change; a new charge's whole figure (nothing before).
                    mrr_delta, tcv_delta = charge.mrr_delta, charge.tcv_delta
                    assert mrr_delta is not None
                    net_mrr = charge.net_mrr if charge.net_mrr is not None else mrr_delta
                    mrr.append({**base, "grossAmount": mrr_delta, "netAmount": net_mrr})
                    if tcv_delta is not None:
                        net_tcv = charge.net_tcv if charge.net_tcv is not None else tcv_delta
                        tcv.append({**base, "grossAmount": tcv_delta, "netAmount": net_tcv})
                        tcb.append({**base, "grossAmount": tcv_delta, "netAmount": net_tcv})
    return {"orderDeltaMrr": mrr, "orderDeltaTcv": tcv, "orderDeltaTcb": tcb}


def _api_item(item: Item, numbers: Mapping[int, str | None], sign: int = 1) -> dict[str, Any]:
    """One invoice item (`sign` -1: a credit memo item, its credit as a positive amount);
    `numbers`: the subscription number of each charge line, by id()."""
    charge = item.charge
    out: dict[str, Any] = {
        "serviceStartDate": item.start.isoformat(),
        "serviceEndDate": item.last_day.isoformat(),
        "amountWithoutTax": item.amount * sign,
        "taxAmount": NO_TAX,
    }
    if charge.description is not None:
        out["chargeDescription"] = charge.description
    if charge.name:
        out["chargeName"] = charge.name
    out["chargeNumber"] = charge.charge_number
    out["processingType"] = item.processing_type
    if charge.product_name:
        out["productName"] = charge.product_name
    if charge.charge_id:
        out["productRatePlanChargeId"] = charge.charge_id
    if item.applied_to is not None and item.applied_to.charge_number:
        out["appliedToChargeNumber"] = item.applied_to.charge_number
    out["subscriptionNumber"] = numbers.get(id(charge))
    out["orderLineItemNumber"] = None
    pricing = item.pricing or charge.pricing
    unit_price = item.pricing.list_price if item.pricing is not None else charge.unit_price
    if unit_price is not None and pricing is not None and not charge.is_discount \
            and pricing.model in ("FlatFee", "PerUnit"):
        out["unitPrice"] = unit_price
    if pricing is not None and not charge.is_discount:
        # Zuora reports a flat fee as quantity 1 (the published samples) and no unit as "".
        quantity = pricing.quantity if pricing.quantity is not None else Decimal(1)
        out["additionalInfo"] = {"quantity": quantity, "unitOfMeasure": pricing.uom or "",
                                 "numberOfDeliveries": Decimal(0)}
    return out
