"""New subscriptions and rate plans of the emulated tenant, as GET /v1/subscriptions shows them:
rate plans and charges from the order and, when the emulator has one, the catalog (an
`orderspec.expand.Catalog`; a product rate plan or charge it does not have is refused as not
found)."""

from __future__ import annotations

import datetime as _dt
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Mapping

from orderspec.body import as_dict, as_list
from orderspec.emulator.tenant import Refusal, new_id, not_found, parse_date
from orderspec.preview.emulated import TENANT_CHARGE_DEFAULTS
from orderspec.preview.periods import PeriodError, term_end

if TYPE_CHECKING:
    from orderspec.emulator.tenant import _Change

# pricing block -> (charge type, charge model)
PRICING_KINDS: dict[str, tuple[str, str]] = {
    "recurringFlatFee": ("Recurring", "FlatFee"), "recurringPerUnit": ("Recurring", "PerUnit"),
    "recurringTiered": ("Recurring", "Tiered"), "recurringVolume": ("Recurring", "Volume"),
    "recurringDeliveryBased": ("Recurring", "Delivery"),
    "oneTimeFlatFee": ("OneTime", "FlatFee"), "oneTimePerUnit": ("OneTime", "PerUnit"),
    "oneTimeTiered": ("OneTime", "Tiered"), "oneTimeVolume": ("OneTime", "Volume"),
    "usageFlatFee": ("Usage", "FlatFee"), "usagePerUnit": ("Usage", "PerUnit"),
    "usageTiered": ("Usage", "Tiered"), "usageVolume": ("Usage", "Volume"),
    "usageOverage": ("Usage", "Overage"), "usageTieredWithOverage": ("Usage", "TieredWithOverage"),
    "discount": ("Recurring", "DiscountPercentage"),
}
def term_end_of(start: _dt.date, period: Any, period_type: Any) -> _dt.date | None:
    if not isinstance(period, int) or isinstance(period, bool) or not isinstance(period_type, str):
        return None
    try:
        return term_end(start, period, period_type)
    except PeriodError:
        return None


def action_date(action: Mapping[str, Any], order_date: _dt.date) -> _dt.date:
    """When an action takes effect in the contract: its ContractEffective trigger date, else the order date."""
    for entry in map(as_dict, as_list(action.get("triggerDates"))):
        if entry.get("name") == "ContractEffective" and parse_date(entry.get("triggerDate")):
            return parse_date(entry.get("triggerDate"))  # type: ignore[return-value]
    return order_date


# -- rate plans and charges --------------------------------------------------------------------

def _catalog_plan(change: "_Change", product_rate_plan_id: str) -> Any:
    """The catalog's rate plan with this id (or number); None without a catalog; Refusal when
    the catalog does not have it."""
    catalog = change.settings.catalog
    if catalog is None:
        return None
    for name in catalog.rate_plan_names:
        try:
            plan = catalog.rate_plan(name, change.settings.catalog_env)
        except LookupError:
            continue
        if product_rate_plan_id in (plan.id, plan.number):
            return plan
    raise not_found(product_rate_plan_id)


def price_of(pricing: Mapping[str, Any]) -> tuple[str | None, str | None, dict[str, Any]]:
    """Charge type, model and the GET fields (price, quantity) a charge override's pricing sets."""
    for block_name, block in pricing.items():
        if block_name not in PRICING_KINDS or not isinstance(block, Mapping):
            continue
        kind, model = PRICING_KINDS[block_name]
        fields: dict[str, Any] = {}
        if isinstance(block.get("listPrice"), (int, Decimal)):
            fields["price"] = block["listPrice"]
        if isinstance(block.get("quantity"), (int, Decimal)):
            fields["quantity"] = block["quantity"]
        if isinstance(block.get("discountPercentage"), (int, Decimal)):
            fields["discountPercentage"] = block["discountPercentage"]
        return kind, model, fields
    return None, None, {}


def new_rate_plan(change: "_Change", subscription: Mapping[str, Any], plan: Mapping[str, Any], start: _dt.date,
                  last_change: str | None) -> dict[str, Any]:
    """A rate plan subscribed to by an order (subscribeToRatePlans, addProduct, a changePlan's
    newProductRatePlan): its charges from the catalog with the order's overrides, or from the
    overrides alone without a catalog."""
    product_rate_plan_id = str(plan.get("productRatePlanId") or plan.get("productRatePlanNumber") or "")
    catalog_plan = _catalog_plan(change, product_rate_plan_id) if product_rate_plan_id else None
    overrides = {str(o.get("productRatePlanChargeId") or o.get("productRatePlanChargeNumber") or ""): o
                 for o in map(as_dict, as_list(plan.get("chargeOverrides")))}
    end = parse_date(subscription.get("termEndDate")) if subscription.get("termType") == "TERMED" else None
    currency = subscription.get("currency")
    charges: list[dict[str, Any]] = []
    catalog_charges = {c.id: c for c in catalog_plan.charges} if catalog_plan is not None else {}
    if catalog_plan is not None:
        for override_id in overrides:
            if override_id not in catalog_charges and not any(c.number == override_id for c in catalog_plan.charges):
                raise not_found(override_id)
    ids = list(catalog_charges) if catalog_plan is not None else list(overrides)
    for charge_id in ids:
        entry = catalog_charges.get(charge_id)
        override = overrides.get(charge_id) or next(
            (o for key, o in overrides.items() if entry is not None and key == entry.number), {})
        kind, model, priced = price_of(as_dict(override.get("pricing")))
        charge_number = override.get("chargeNumber") or change.tenant.next_number("charge", "C-%08d")
        identifier = new_id()
        charge: dict[str, Any] = {
            "id": identifier, "originalChargeId": identifier, "number": str(charge_number),
            "name": str(override.get("name") or (entry.name if entry else charge_id)),
            "productRatePlanChargeId": charge_id,
            "type": (entry.type if entry and entry.type else kind) or "Recurring",
            "model": (entry.model if entry and entry.model else model) or "FlatFee",
            "version": 1, "segment": 1, "effectiveStartDate": start.isoformat(),
        }
        if entry is not None and entry.list_price is not None:
            charge["price"] = entry.list_price
        charge.update(priced)
        billing = as_dict(override.get("billing"))
        period = billing.get("billingPeriod") or (entry.billing_period if entry else None)
        if charge["type"] != "OneTime":
            charge["billingPeriod"] = str(period or TENANT_CHARGE_DEFAULTS["billingPeriod"])
        if entry is not None and entry.uom:
            charge["uom"] = entry.uom
        if currency:
            charge["currency"] = currency
        if end is not None and charge["type"] != "OneTime":
            charge["effectiveEndDate"] = end.isoformat()
        charges.append(charge)
    body: dict[str, Any] = {
        "id": new_id(), "productRatePlanId": catalog_plan.id if catalog_plan is not None else product_rate_plan_id,
        "ratePlanName": str(catalog_plan.name if catalog_plan is not None else plan.get("ratePlanName")
                            or product_rate_plan_id),
        "subscriptionRatePlanNumber": str(plan.get("subscriptionRatePlanNumber")
                                          or change.tenant.next_number("rate-plan", "SRP-%08d")),
        "ratePlanCharges": charges,
    }
    if catalog_plan is not None:
        body["productName"] = catalog_plan.product
        if catalog_plan.number:
            body["productRatePlanNumber"] = catalog_plan.number
    if last_change:
        body["lastChangeType"] = last_change
    return body


# -- CreateSubscription ------------------------------------------------------------------------

def create_subscription(change: "_Change", payload: Mapping[str, Any], action: Mapping[str, Any], number: Any,
                        account_number: str, order_date: _dt.date, order_number: str) -> dict[str, Any]:
    """A new subscription, as GET /v1/subscriptions answers for it."""
    number = str(payload.get("subscriptionNumber") or number or change.tenant.next_number("subscription", "A-S%08d"))
    if change.subscription(number) is not None:
        raise Refusal(30, f"The subscription number {number} already exists.")
    owner_number = account_number
    new_owner = as_dict(payload.get("newSubscriptionOwnerAccount"))
    if payload.get("subscriptionOwnerAccountNumber"):
        owner_number = str(payload["subscriptionOwnerAccountNumber"])
    elif new_owner:
        owner_number = str(new_owner.get("accountNumber") or change.tenant.next_number("account", "A%08d"))
        change.opened(owner_number, new_owner)
    owner = change.account(owner_number, open_unknown=True)
    invoice_owner = change.account(str(payload.get("invoiceOwnerAccountNumber") or owner_number), open_unknown=True)
    effective = action_date(action, order_date)
    dates = {str(d.get("name")): parse_date(d.get("triggerDate"))
             for d in map(as_dict, as_list(action.get("triggerDates")))}
    terms = as_dict(payload.get("terms"))
    initial = as_dict(terms.get("initialTerm"))
    renewal = as_dict((as_list(terms.get("renewalTerms")) or [{}])[0])
    term_type = str(initial.get("termType") or "TERMED")
    start = parse_date(initial.get("startDate")) or effective
    info, billing = owner["basicInfo"], owner["billingAndPayment"]
    subscription: dict[str, Any] = {
        "success": True, "id": new_id(), "subscriptionNumber": number, "version": 0,
        "accountId": info["id"], "accountNumber": info["accountNumber"], "accountName": info.get("name"),
        "invoiceOwnerAccountId": invoice_owner["basicInfo"]["id"],
        "invoiceOwnerAccountNumber": invoice_owner["basicInfo"]["accountNumber"],
        "invoiceOwnerAccountName": invoice_owner["basicInfo"].get("name"),
        "status": "Active", "currency": str(payload.get("currency") or billing.get("currency") or "USD"),
        "termType": term_type, "autoRenew": bool(terms.get("autoRenew", False)),
        "contractEffectiveDate": effective.isoformat(),
        "serviceActivationDate": (dates.get("ServiceActivation") or effective).isoformat(),
        "customerAcceptanceDate": (dates.get("CustomerAcceptance") or effective).isoformat(),
        "subscriptionStartDate": effective.isoformat(), "termStartDate": start.isoformat(),
        "orderNumber": order_number, "ratePlans": [],
    }
    if terms.get("renewalSetting"):
        subscription["renewalSetting"] = str(terms["renewalSetting"])
    if term_type == "TERMED":
        end = term_end_of(start, initial.get("period"), initial.get("periodType"))
        if end is not None:
            subscription.update({"initialTerm": initial["period"], "initialTermPeriodType": initial["periodType"],
                                 "currentTerm": initial["period"], "currentTermPeriodType": initial["periodType"],
                                 "termEndDate": end.isoformat(), "subscriptionEndDate": end.isoformat()})
        if isinstance(renewal.get("period"), int):
            subscription.update({"renewalTerm": renewal["period"],
                                 "renewalTermPeriodType": str(renewal.get("periodType") or "Month")})
    for plan in map(as_dict, as_list(payload.get("subscribeToRatePlans"))):
        subscription["ratePlans"].append(new_rate_plan(change, subscription, plan, effective, None))
    return subscription
