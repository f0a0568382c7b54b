"""The bill cycle day a recurring charge bills on, from where Zuora takes it.

A charge's own `billing.billCycleType` decides: `SpecificDayofMonth` (its `billCycleDay`),
`ChargeTriggerDay` (the day it starts), `SubscriptionStartDay`, `TermStartDay`, `TermEndDay`,
`SpecificDayofWeek` (`weeklyBillCycleDay`, weekly periods), or `DefaultFromCustomer`: the
customer account's bill cycle day. The order holds the account's day when it creates or
describes the account (`newAccount.billCycleDay`, `previewAccountInfo.billCycleDay`); for an
existing account it comes from `--bill-cycle-day`, the account's file in the state folder
(`billingAndPayment.billCycleDay`) or the configuration (`[tool.orderspec.accounts]`, by account
number). Account day 0 is Auto-set: the day the first
recurring charge of the order triggers (docs "Customer account dates - bill cycle day": "the
triggering date of the first recurring charge"; one-time and usage charges do not count).
Where none of these is known the charge is not priced, and the reason says which to give.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Mapping

from orderspec.preview import periods as P
from orderspec.preview.charges import NotComputable
from orderspec.preview.timeline import Term

AUTO_SET = 0


@dataclass(frozen=True)
class AccountBillCycle:
    """The customer account's bill cycle day and where it was found (None: not known)."""

    day: int | None
    source: str
    account: str | None = None  # the account number, for the message when the day is unknown

    def resolved(self, first_recurring_start: dt.date | None) -> int:
        if self.day is None:
            who = f"account {self.account}" if self.account else "the customer account"
            hint = (f"give it in the account's state file (accounts/{self.account}.yaml in the state folder, "
                    f"billingAndPayment.billCycleDay), under [tool.orderspec.accounts] {self.account} "
                    "(bill-cycle-day) or with --bill-cycle-day" if self.account else "pass --bill-cycle-day")
            raise NotComputable(f"the charge bills on the bill cycle day of {who}, which the order does not hold; "
                                f"{hint}, or set the charge's billing.billCycleType")
        if self.day == AUTO_SET:
            if first_recurring_start is None:
                raise NotComputable(f"{self.source} is 0 (Auto-set: the day the first recurring charge starts), "
                                    "and no recurring charge of the order has a known start date")
            return first_recurring_start.day
        return self.day


def _day(value: Any) -> int | None:
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        return None
    try:
        day = int(value)
    except ValueError:
        return None
    return day if 0 <= day <= 31 else None


def account_bill_cycle(body: Mapping[str, Any], given: int | None = None,
                       accounts: Mapping[str, int] | None = None, default: int | None = None) -> AccountBillCycle:
    """The account's bill cycle day: from the order, then `given` (--bill-cycle-day), then `accounts`
    (configured per account number), then `default` (an emulated tenant's accounts)."""
    for key in ("newAccount", "previewAccountInfo"):
        account = body.get(key)
        if isinstance(account, Mapping) and _day(account.get("billCycleDay")) is not None:
            return AccountBillCycle(_day(account.get("billCycleDay")), f"{key}.billCycleDay")
    if given is not None:
        return AccountBillCycle(given, "--bill-cycle-day")
    number = body.get("existingAccountNumber")
    number = number if isinstance(number, str) else None
    if number and accounts and number in accounts:
        return AccountBillCycle(accounts[number], f"[tool.orderspec.accounts] {number}", number)
    if default is not None:
        return AccountBillCycle(default, "the tenant's default bill cycle day", number)
    return AccountBillCycle(None, "", number)


def bill_cycle_day(billing: Mapping[str, Any], period: P.BillingPeriod, start: dt.date, term: Term | None,
                   account: AccountBillCycle, first_recurring_start: dt.date | None) -> int | str:
    """The day of the month (1..31), or of the week (a weekday name), a charge's periods start on."""
    kind = str(billing.get("billCycleType") or "DefaultFromCustomer")
    anchors = {"ChargeTriggerDay": start, "SubscriptionStartDay": term.start if term else None,
               "TermStartDay": term.start if term else None,
               "TermEndDay": term.end if term else None}
    if kind in anchors:
        anchor = anchors[kind]
        if anchor is None:
            raise NotComputable(f"billCycleType {kind}: the subscription's term dates are unknown")
        return anchor.day if period.unit == "month" else P.WEEKDAYS[anchor.weekday()]
    if period.unit == "week":
        weekday = billing.get("weeklyBillCycleDay")
        if kind == "SpecificDayofWeek" and weekday in P.WEEKDAYS:
            return str(weekday)
        if kind == "SpecificDayofWeek":
            raise NotComputable("billCycleType SpecificDayofWeek needs weeklyBillCycleDay (Monday..Sunday)")
        raise NotComputable("weekly billing needs billCycleType SpecificDayofWeek with weeklyBillCycleDay, "
                            "ChargeTriggerDay or SubscriptionStartDay")
    if kind == "SpecificDayofMonth":
        day = billing.get("billCycleDay")
        if isinstance(day, int) and not isinstance(day, bool) and 1 <= day <= 31:
            return day
        raise NotComputable("billCycleType SpecificDayofMonth needs billCycleDay 1..31")
    if kind == "DefaultFromCustomer":
        return account.resolved(first_recurring_start)
    raise NotComputable(f"billCycleType {kind} is not modelled offline")
