"""What each amendment does to a subscription of the emulated tenant, and what Zuora refuses.

Subscriptions are GET /v1/subscriptions bodies (`orderspec.emulator.tenant`); new rate plans are
made by `orderspec.emulator.subscribe`. Refusals carry Zuora's categories:
40 for a rate plan, charge, account or subscription that does not exist, 30 for a business rule
(a status that does not allow the action, a date outside the current term). The one message
Zuora documents for dates (a cancellation after the term end, shared reference zuora-errors.md)
is given word for word, and the others in its form.

Money is not worked out here: the emulator's previews use the offline preview engine.
"""

from __future__ import annotations

import datetime as _dt
from typing import TYPE_CHECKING, Any, Iterator, Mapping

from orderspec.body import as_dict, as_list
from orderspec.emulator.subscribe import action_date, new_rate_plan, price_of, term_end_of
from orderspec.emulator.tenant import Refusal, parse_date

if TYPE_CHECKING:
    from orderspec.emulator.tenant import _Change

# Statuses an action needs, and the one it leaves.
NEEDS_STATUS = {"Suspend": "Active", "Resume": "Suspended"}
STATUS_AFTER = {"Suspend": "Suspended", "Resume": "Active", "CancelSubscription": "Cancelled"}
# Actions that may be dated after the current term, since they move it.
TERM_MOVERS = ("RenewSubscription", "TermsAndConditions")
# What each action's date is called in Zuora's messages.
DATE_NAMES = {"CancelSubscription": "Cancellation Date", "RemoveProduct": "Remove Product Date",
              "Suspend": "Suspend Date", "Resume": "Resume Date", "AddProduct": "Add Product Date",
              "UpdateProduct": "Update Product Date", "ChangePlan": "Change Plan Date",
              "OwnerTransfer": "Owner Transfer Date"}


def shown(day: _dt.date) -> str:
    return day.strftime("%m/%d/%Y")


# -- amendments --------------------------------------------------------------------------------

class Amend:
    """One subscription amended by the actions of one order, in their order."""

    def __init__(self, change: "_Change", subscription: dict[str, Any], order_date: _dt.date) -> None:
        self.change = change
        self.subscription = subscription
        self.order_date = order_date

    @property
    def number(self) -> str:
        return str(self.subscription.get("subscriptionNumber"))

    def apply(self, action: Mapping[str, Any]) -> None:
        kind = str(action.get("type") or "")
        handler = getattr(self, "_" + kind, None)
        if handler is None:
            return  # actions that change nothing the tenant keeps (e.g. UpdateSubscription custom fields)
        status = self.subscription.get("status")
        if status == "Cancelled":
            raise Refusal(30, f"The subscription {self.number} is cancelled; a cancelled subscription "
                              "cannot be amended.")
        needed = NEEDS_STATUS.get(kind)
        if needed and status != needed:
            raise Refusal(30, f"The subscription {self.number} is {status}; only "
                              + ("an active subscription can be suspended." if kind == "Suspend"
                                 else "a suspended subscription can be resumed."))
        date = self._date(kind, action)
        if kind not in TERM_MOVERS:
            self._within_term(kind, date)
        handler(action, date)
        if kind in STATUS_AFTER:
            self.subscription["status"] = STATUS_AFTER[kind]

    # -- dates ------------------------------------------------------------------------------------

    def _charged_through(self) -> _dt.date | None:
        dates = [parse_date(c.get("chargedThroughDate")) for c in self._charges()]
        known = [d for d in dates if d is not None]
        return max(known) if known else None

    def _date(self, kind: str, action: Mapping[str, Any]) -> _dt.date:
        """The date the action takes effect: its policy's date where it has one, else its
        ContractEffective trigger date or the order date."""
        effective = action_date(action, self.order_date)
        if kind == "CancelSubscription":
            block = as_dict(action.get("cancelSubscription"))
            policy = block.get("cancellationPolicy")
            if policy == "SpecificDate":
                return parse_date(block.get("cancellationEffectiveDate")) or effective
            if policy == "EndOfCurrentTerm":
                return parse_date(self.subscription.get("termEndDate")) or effective
            if policy == "EndOfLastInvoicePeriod":
                return self._charged_through() or effective
        if kind == "Suspend":
            block = as_dict(action.get("suspend"))
            if block.get("suspendPolicy") == "SpecificDate":
                return parse_date(block.get("suspendSpecificDate")) or effective
            if block.get("suspendPolicy") == "EndOfLastInvoicePeriod":
                return self._charged_through() or effective
            if block.get("suspendPolicy") == "FixedPeriodsFromToday":
                return self._periods_after(effective, block.get("suspendPeriods"), block.get("suspendPeriodsType"))
        if kind == "Resume":
            block = as_dict(action.get("resume"))
            if block.get("resumePolicy") == "SpecificDate":
                return parse_date(block.get("resumeSpecificDate")) or effective
            if block.get("resumePolicy") == "FixedPeriodsFromSuspendDate":
                suspended = parse_date(self.subscription.get("scheduledSuspendDate")) or effective
                return self._periods_after(suspended, block.get("resumePeriods"), block.get("resumePeriodsType"))
        return effective

    @staticmethod
    def _periods_after(start: _dt.date, count: Any, kind: Any) -> _dt.date:
        return term_end_of(start, count, {"Day": "Day", "Week": "Week", "Month": "Month", "Year": "Year"}.get(
            str(kind), "Day")) or start

    def _within_term(self, kind: str, date: _dt.date) -> None:
        started = parse_date(self.subscription.get("contractEffectiveDate") or
                             self.subscription.get("subscriptionStartDate"))
        name = DATE_NAMES.get(kind, "The effective date")
        if started is not None and date < started:
            raise Refusal(30, f"{name} ({shown(date)}) cannot be earlier than the subscription's contract "
                              f"effective date ({shown(started)}).")
        end = parse_date(self.subscription.get("termEndDate"))
        if self.subscription.get("termType") == "TERMED" and end is not None and date > end:
            raise Refusal(30, f"{name} ({shown(date)}) cannot be later than the subscription's current term "
                              f"end date ({shown(end)}).")

    # -- rate plans ----------------------------------------------------------------------------

    def _plans(self) -> list[dict[str, Any]]:
        return [p for p in as_list(self.subscription.get("ratePlans")) if isinstance(p, dict)]

    def _charges(self) -> Iterator[dict[str, Any]]:
        for plan in self._plans():
            yield from (c for c in as_list(plan.get("ratePlanCharges")) if isinstance(c, dict))

    def _plan(self, block: Mapping[str, Any]) -> dict[str, Any]:
        """The subscription's rate plan an action names (ratePlanId, subscriptionRatePlanNumber or
        productRatePlanId); Refusal when the subscription has none such, or it was removed."""
        keys = [(field, block.get(field)) for field in ("ratePlanId", "subscriptionRatePlanNumber",
                                                         "productRatePlanId", "productRatePlanNumber")
                if block.get(field)]
        if not keys:
            raise Refusal(40, f"The rate plan to change is not named: give ratePlanId or subscriptionRatePlanNumber "
                              f"of a rate plan of subscription {self.number}.")
        matched = {"ratePlanId": "id"}
        for field, value in keys:
            for plan in self._plans():
                if plan.get(matched.get(field, field)) == value:
                    if plan.get("lastChangeType") == "Remove":
                        raise Refusal(30, f"The rate plan {value} was removed from subscription {self.number}.")
                    return plan
        field, value = keys[0]
        raise Refusal(40, f"Cannot find entity by key: '{value}'. Subscription {self.number} has no rate plan "
                          f"with {field} {value}.")

    @staticmethod
    def _charge(plan: Mapping[str, Any], update: Mapping[str, Any], subscription: str) -> dict[str, Any]:
        key = update.get("chargeNumber") or update.get("productRatePlanChargeId") or update.get("uniqueToken")
        for charge in (c for c in as_list(plan.get("ratePlanCharges")) if isinstance(c, dict)):
            if key in (charge.get("number"), charge.get("productRatePlanChargeId")):
                return charge
        raise Refusal(40, f"Cannot find entity by key: '{key}'. Rate plan {plan.get('id')} of subscription "
                          f"{subscription} has no charge {key}.")

    def _end_charges(self, plan: Mapping[str, Any], date: _dt.date) -> None:
        for charge in (c for c in as_list(plan.get("ratePlanCharges")) if isinstance(c, dict)):
            end = parse_date(charge.get("effectiveEndDate"))
            if end is None or end > date:
                charge["effectiveEndDate"] = date.isoformat()

    # -- the actions ---------------------------------------------------------------------------

    def _AddProduct(self, action: Mapping[str, Any], date: _dt.date) -> None:
        plan = as_dict(action.get("addProduct"))
        self.subscription.setdefault("ratePlans", []).append(
            new_rate_plan(self.change, self.subscription, plan, date, "Add"))

    def _RemoveProduct(self, action: Mapping[str, Any], date: _dt.date) -> None:
        plan = self._plan(as_dict(action.get("removeProduct")))
        self._end_charges(plan, date)
        plan["lastChangeType"] = "Remove"

    def _UpdateProduct(self, action: Mapping[str, Any], date: _dt.date) -> None:
        block = as_dict(action.get("updateProduct"))
        plan = self._plan(block)
        for update in map(as_dict, as_list(block.get("chargeUpdates"))):
            charge = self._charge(plan, update, self.number)
            _, _, priced = price_of(as_dict(update.get("pricing")))
            if priced:
                charge.update(priced)
                charge["version"] = int(charge.get("version") or 1) + 1
                charge["segment"] = int(charge.get("segment") or 1) + 1
        plan["lastChangeType"] = "Update"

    def _ChangePlan(self, action: Mapping[str, Any], date: _dt.date) -> None:
        block = as_dict(action.get("changePlan"))
        old = self._plan(block)
        self._end_charges(old, date)
        old["lastChangeType"] = "Remove"
        new = as_dict(block.get("newProductRatePlan"))
        self.subscription["ratePlans"].append(new_rate_plan(self.change, self.subscription, new, date, "Add"))

    def _CancelSubscription(self, action: Mapping[str, Any], date: _dt.date) -> None:
        self.subscription["subscriptionEndDate"] = date.isoformat()
        for plan in self._plans():
            self._end_charges(plan, date)

    def _Suspend(self, action: Mapping[str, Any], date: _dt.date) -> None:
        self.subscription["scheduledSuspendDate"] = date.isoformat()

    def _Resume(self, action: Mapping[str, Any], date: _dt.date) -> None:
        block = as_dict(action.get("resume"))
        suspended = parse_date(self.subscription.get("scheduledSuspendDate"))
        if suspended is not None and date < suspended:
            raise Refusal(30, f"Resume Date ({shown(date)}) cannot be earlier than the subscription's suspend date "
                              f"({shown(suspended)}).")
        self.subscription["scheduledResumeDate"] = date.isoformat()
        end = parse_date(self.subscription.get("termEndDate"))
        if block.get("extendsTerm") and suspended is not None and end is not None and date > suspended:
            self._move_term_end(end + (date - suspended))

    def _RenewSubscription(self, action: Mapping[str, Any], date: _dt.date) -> None:
        if self.subscription.get("termType") != "TERMED":
            raise Refusal(30, f"The subscription {self.number} is evergreen; only a termed subscription can be "
                              "renewed.")
        end = parse_date(self.subscription.get("termEndDate"))
        period, period_type = self.subscription.get("renewalTerm"), self.subscription.get("renewalTermPeriodType")
        new_end = term_end_of(end, period, period_type) if end is not None else None
        if end is None or new_end is None:
            raise Refusal(30, f"The subscription {self.number} has no renewal term to renew by.")
        self.subscription.update({"termStartDate": end.isoformat(), "currentTerm": period,
                                  "currentTermPeriodType": period_type})
        self._move_term_end(new_end)

    def _TermsAndConditions(self, action: Mapping[str, Any], date: _dt.date) -> None:
        block = as_dict(action.get("termsAndConditions"))
        terms = as_dict(block.get("lastTerm"))
        if isinstance(block.get("autoRenew"), bool):
            self.subscription["autoRenew"] = block["autoRenew"]
        if block.get("renewalSetting"):
            self.subscription["renewalSetting"] = str(block["renewalSetting"])
        renewal = as_dict((as_list(block.get("renewalTerms")) or [{}])[0])
        if isinstance(renewal.get("period"), int):
            self.subscription.update({"renewalTerm": renewal["period"],
                                      "renewalTermPeriodType": str(renewal.get("periodType") or "Month")})
        if terms.get("termType") == "EVERGREEN":
            self.subscription["termType"] = "EVERGREEN"
            for field in ("termEndDate", "subscriptionEndDate", "currentTerm", "currentTermPeriodType"):
                self.subscription.pop(field, None)
            return
        if terms.get("termType") == "TERMED":
            self.subscription["termType"] = "TERMED"
        start = parse_date(terms.get("startDate")) or parse_date(self.subscription.get("termStartDate"))
        end = term_end_of(start, terms.get("period"), terms.get("periodType")) if start else None
        if start is not None and end is not None:
            self.subscription.update({"termStartDate": start.isoformat(), "currentTerm": terms["period"],
                                      "currentTermPeriodType": terms["periodType"]})
            self._move_term_end(end)

    def _OwnerTransfer(self, action: Mapping[str, Any], date: _dt.date) -> None:
        block = as_dict(action.get("ownerTransfer"))
        for field, prefix in (("destinationAccountNumber", "account"),
                              ("destinationInvoiceAccountNumber", "invoiceOwnerAccount")):
            if block.get(field):
                info = self.change.account(str(block[field]), open_unknown=True)["basicInfo"]
                self.subscription.update({f"{prefix}Id": info["id"], f"{prefix}Number": info["accountNumber"],
                                          f"{prefix}Name": info.get("name")})

    def _move_term_end(self, new_end: _dt.date) -> None:
        """Charges that ran to the term end run to the new one."""
        old = self.subscription.get("termEndDate")
        for charge in self._charges():
            if charge.get("effectiveEndDate") == old:
                charge["effectiveEndDate"] = new_end.isoformat()
        self.subscription["termEndDate"] = new_end.isoformat()
        if self.subscription.get("status") != "Cancelled":
            self.subscription["subscriptionEndDate"] = new_end.isoformat()

