"""What the tenant has: subscriptions and accounts as the API describes them, read for the preview.

The offline preview prices an amendment against the subscription it changes. `TenantState` holds,
by number, the body of `GET /v1/subscriptions/{subscription-key}` for each subscription it knows
and the body of `GET /v1/accounts/{account-key}` for each account: the shapes the API answers, so
a pulled snapshot and a hand-written one read the same. This module turns those bodies into the
engine's own terms: the current `Term`, and each rate plan charge as a mapping in the
chargeOverride shape the rest of the preview prices (`charges.pricing_of`, `schedule`), with the
dates that place it on the timeline (effective start and end, charged-through date).

Only the fields the preview needs are read; anything it cannot read makes that charge unpriced
with the reason (never guessed).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any, Mapping

from orderspec.body import as_dict, as_list, parse_date
from orderspec.expand.catalog_export import bill_cycle
from orderspec.preview import periods as P
from orderspec.preview.timeline import Term, end_condition

# GET subscription charge model -> the chargeOverride pricing key's model part.
_MODELS = {"FlatFee": "FlatFee", "PerUnit": "PerUnit", "Tiered": "Tiered", "Volume": "Volume",
           "DiscountPercentage": "Discount", "DiscountFixedAmount": "Discount"}
_TYPES = {"Recurring": "recurring", "OneTime": "oneTime"}
_NTH_DAY = re.compile(r"^(\d{1,2})(?:st|nd|rd|th)?\b", re.IGNORECASE)


if TYPE_CHECKING:
    from orderspec.state import State


@dataclass(frozen=True)
class TenantState:
    """Snapshots of the tenant's subscriptions and accounts, by number, in the API's GET shapes.
    `invoice_settlement`: the tenant has Invoice Settlement (credits go on credit memos)."""

    subscriptions: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    accounts: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    invoice_settlement: bool = False

    @cached_property
    def bill_cycle_days(self) -> dict[str, int]:
        """The accounts' bill cycle days, by account number (those that give one)."""
        return {n: d for n, a in self.accounts.items() if (d := account_bill_cycle_day(a)) is not None}

    @cached_property
    def currencies(self) -> dict[str, str]:
        """The accounts' currencies, by account number (those that give one)."""
        return {n: c for n, a in self.accounts.items() if (c := account_currency(a)) is not None}

    def account_of(self, number: Any) -> Mapping[str, Any] | None:
        return self.accounts.get(number) if isinstance(number, str) else None

    def settles_with_credit_memos(self, account_number: Any) -> bool:
        """Credits go on credit memos: the configuration says the tenant has Invoice Settlement, or the
        account's snapshot carries the balances only Invoice Settlement keeps (debit memos, unapplied
        credit memos)."""
        if self.invoice_settlement:
            return True
        metrics = as_dict(as_dict(self.account_of(account_number)).get("metrics"))
        return any(key in metrics for key in ("totalDebitMemoBalance", "unappliedCreditMemoAmount"))


def account_bill_cycle_day(account: Mapping[str, Any] | None) -> int | None:
    day = as_dict(as_dict(account).get("billingAndPayment")).get("billCycleDay")
    return day if isinstance(day, int) and not isinstance(day, bool) and 0 <= day <= 31 else None


def account_currency(account: Mapping[str, Any] | None) -> str | None:
    currency = as_dict(as_dict(account).get("billingAndPayment")).get("currency")
    return currency if isinstance(currency, str) else None


def subscription_term(body: Mapping[str, Any]) -> Term | str:
    """The subscription's current term, or why it is unknown."""
    start = parse_date(body.get("termStartDate"))
    renews = body.get("autoRenew") is True
    if body.get("termType") == "EVERGREEN":
        return Term(start, None, renews) if start else "the snapshot has no termStartDate"
    end = parse_date(body.get("termEndDate"))
    if start is None or end is None:
        return "the snapshot lacks termStartDate or termEndDate"
    return Term(start, end, renews)


def renewal_term_end(body: Mapping[str, Any], end: dt.date) -> dt.date | str:
    """Where a renewal starting at `end` ends: the snapshot's renewalTerm and renewalTermPeriodType."""
    count, unit = body.get("renewalTerm"), body.get("renewalTermPeriodType") or "Month"
    if not isinstance(count, int) or isinstance(count, bool) or count < 1:
        return "the snapshot has no renewalTerm (the length of a renewal)"
    try:
        return P.term_end(end, count, str(unit))
    except P.PeriodError as problem:
        return str(problem)


@dataclass
class ExistingCharge:
    """One rate plan charge of the snapshot, as the preview prices it."""

    number: str | None
    name: str | None
    charge_id: str | None  # productRatePlanChargeId
    effective: dict[str, Any]  # the chargeOverride shape
    start: dt.date | None  # effectiveStartDate
    end: dt.date | None  # effectiveEndDate (exclusive)
    charged_through: dt.date | None  # billed up to this date (exclusive)
    problem: str | None = None

    @property
    def ends_with_term(self) -> bool:
        """The charge ends when the term ends (wherever an order moves the term end)."""
        return end_condition(self.effective) == "Subscription_End"


@dataclass
class ExistingRatePlan:
    id: str | None
    number: str | None  # subscriptionRatePlanNumber
    product_rate_plan_id: str | None
    name: str | None
    product_name: str | None
    charges: list[ExistingCharge]

    def matches(self, reference: Mapping[str, Any]) -> bool:
        """The rate plan an action names (ratePlanId, subscriptionRatePlanNumber or productRatePlanId)."""
        for key, mine in (("ratePlanId", self.id), ("subscriptionRatePlanNumber", self.number),
                          ("productRatePlanId", self.product_rate_plan_id)):
            if reference.get(key) is not None:
                return reference.get(key) == mine
        return False


def rate_plans(body: Mapping[str, Any]) -> list[ExistingRatePlan]:
    found = []
    for plan in as_list(body.get("ratePlans")):
        if not isinstance(plan, Mapping):
            continue
        if plan.get("lastChangeType") == "Remove":  # removed earlier: no longer billed
            continue
        found.append(ExistingRatePlan(_text(plan, "id"), _text(plan, "subscriptionRatePlanNumber"),
                                      _text(plan, "productRatePlanId"), _text(plan, "ratePlanName"),
                                      _text(plan, "productName"),
                                      [existing_charge(c) for c in as_list(plan.get("ratePlanCharges"))
                                       if isinstance(c, Mapping)]))
    return found


def _text(body: Mapping[str, Any], key: str) -> str | None:
    value = body.get(key)
    return value if isinstance(value, str) else None


def existing_charge(charge: Mapping[str, Any]) -> ExistingCharge:
    """A GET subscription rate plan charge as the chargeOverride-shaped mapping the preview prices."""
    found = ExistingCharge(_text(charge, "number"), _text(charge, "name"), _text(charge, "productRatePlanChargeId"),
                           {}, parse_date(charge.get("effectiveStartDate")), parse_date(charge.get("effectiveEndDate")),
                           parse_date(charge.get("chargedThroughDate")))
    kind, model = str(charge.get("type") or ""), _MODELS.get(str(charge.get("model") or ""))
    if kind == "Usage":
        found.problem = "usage charges are rated from usage records, which the snapshot does not hold"
    elif kind not in _TYPES or model is None:
        found.problem = f"a {kind or '?'} charge with model {charge.get('model')!r} is not modelled offline"
    elif found.start is None:
        found.problem = "the snapshot gives the charge no effectiveStartDate"
    if found.problem:
        return found
    block: dict[str, Any] = {}
    if model == "Discount":
        key = "discount"
        for name in ("discountPercentage", "discountAmount", "applyDiscountTo", "discountLevel", "discountClass"):
            if charge.get(name) is not None:
                block[name] = charge[name]
    else:
        key = _TYPES[kind] + str(model)
        if charge.get("price") is not None:
            block["listPrice"] = charge["price"]
        if model != "FlatFee" and charge.get("quantity") is not None:
            block["quantity"] = charge["quantity"]
        if model in ("Tiered", "Volume") and isinstance(charge.get("tiers"), list):
            block["tiers"] = charge["tiers"]
        if isinstance(charge.get("listPriceBase"), str):
            block["listPriceBase"] = charge["listPriceBase"].replace(" ", "_").replace("-", "_")
    if isinstance(charge.get("uom"), str):
        block["uom"] = charge["uom"]
    found.effective = {"productRatePlanChargeId": found.charge_id, "chargeNumber": found.number,
                       "name": found.name, "pricing": {key: block}, "billing": _billing(charge),
                       "endDate": {"endDateCondition": _end_condition(charge)}}
    return found


def _billing(charge: Mapping[str, Any]) -> dict[str, Any]:
    billing: dict[str, Any] = {}
    if isinstance(charge.get("billingPeriod"), str):
        billing["billingPeriod"] = charge["billingPeriod"].replace("-", "_").replace(" ", "_")
    if isinstance(charge.get("specificBillingPeriod"), int):
        billing["specificBillingPeriod"] = charge["specificBillingPeriod"]
    timing = charge.get("billingTiming")
    if isinstance(timing, str):
        billing["billingTiming"] = timing.upper().replace(" ", "_")
    if isinstance(charge.get("billingPeriodAlignment"), str):
        billing["billingPeriodAlignment"] = charge["billingPeriodAlignment"]
    if isinstance(charge.get("billCycleType"), str):  # hand-written snapshots in the order's words
        billing["billCycleType"] = charge["billCycleType"]
        if charge.get("billCycleDay") is not None:
            billing["billCycleDay"] = charge["billCycleDay"]
    elif isinstance(charge.get("billingDay"), str):
        nth = _NTH_DAY.match(charge["billingDay"].strip())
        if nth:
            billing.update({"billCycleType": "SpecificDayofMonth", "billCycleDay": int(nth.group(1))})
        else:
            billing.update(bill_cycle(charge["billingDay"]))
    return billing


def _end_condition(charge: Mapping[str, Any]) -> str:
    condition = str(charge.get("endDateCondition") or "Subscription_End").replace(" ", "_")
    # The snapshot's effectiveEndDate already says where a fixed-period or specific-date charge ends.
    return "Subscription_End" if condition in ("Subscription_End", "SubscriptionEnd") else "Specific_End_Date"


def tenant_state(state: State | None, invoice_settlement: bool = False) -> TenantState | None:
    """The state folder (read, with its bodies, by orderspec.state.load_state) as the engine takes
    it: the GET bodies by subscription and account number."""
    if state is None:
        return None
    return TenantState({number: s.body for number, s in state.subscriptions.items()},
                       {number: a.body for number, a in state.accounts.items()}, invoice_settlement)
