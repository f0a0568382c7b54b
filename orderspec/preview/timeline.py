"""What is subscribed when: the subscription term and each charge's segment on the timeline.

A charge segment is the span [start, end) during which a charge is part of the subscription at one
price: it starts on its trigger event (`startDate.triggerEvent`) and ends with the term, after a
number of periods, or on a given date (`endDate`). Amendments (amend.py) add segments on an
existing subscription's timeline; the billing of a segment does not depend on how it came to be.

Dates are `datetime.date`; ends are exclusive, as Zuora's effective end dates.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Mapping

from orderspec.body import as_dict, parse_date
from orderspec.preview import periods as P
from orderspec.preview.charges import NotComputable

TRIGGER_EVENTS = ("ContractEffective", "ServiceActivation", "CustomerAcceptance")
UP_TO_UNITS = {"Days": "Day", "Weeks": "Week", "Months": "Month", "Years": "Year"}


@dataclass(frozen=True)
class Term:
    """A subscription's current term: [start, end); end None for an evergreen term."""

    start: dt.date
    end: dt.date | None
    auto_renew: bool = False

    def describe(self) -> str:
        if self.end is None:
            return f"evergreen from {self.start}"
        return f"term {self.start} .. {self.end - dt.timedelta(days=1)}" + (", renews" if self.auto_renew else "")


@dataclass(frozen=True)
class Segment:
    """One charge on the subscription's timeline."""

    start: dt.date
    end: dt.date | None  # exclusive; None: open-ended
    term: Term | None
    # The charge ends with the term (endDateCondition Subscription_End): a renewing term carries it on.
    ends_with_term: bool = True


def trigger_dates(order_date: Any, action: Mapping[str, Any]) -> dict[str, dt.date]:
    """The order action's trigger dates by event name; the contract effective date defaults to the order date."""
    found: dict[str, dt.date] = {}
    triggers = action.get("triggerDates")
    for trigger in triggers if isinstance(triggers, list) else []:
        if isinstance(trigger, Mapping):
            when = parse_date(trigger.get("triggerDate"))
            if when and trigger.get("name") in TRIGGER_EVENTS:
                found[str(trigger["name"])] = when
    default = parse_date(order_date)
    if "ContractEffective" not in found and default:
        found["ContractEffective"] = default
    return found


def term_of(terms: Any, dates: Mapping[str, dt.date]) -> Term | str:
    """The initial term of a new subscription, or why it is unknown."""
    if not isinstance(terms, Mapping) or not isinstance(terms.get("initialTerm"), Mapping):
        return "the subscription has no initialTerm: term dates unknown"
    initial = terms["initialTerm"]
    start = parse_date(initial.get("startDate")) or dates.get("ContractEffective")
    if start is None:
        return "the term start date is unknown (no startDate, no contract effective date)"
    renews = terms.get("autoRenew") is True
    if initial.get("termType") == "EVERGREEN":
        return Term(start, None, renews)
    end = parse_date(initial.get("endDate"))
    if end is None:
        try:
            end = P.term_end(start, int(initial.get("period")), str(initial.get("periodType", "Month")))
        except (TypeError, ValueError) as problem:
            return f"the term end is unknown: {problem}"
    return Term(start, end, renews)


def charge_start(charge: Mapping[str, Any], dates: Mapping[str, dt.date]) -> dt.date:
    """The day a charge starts: its trigger event's date."""
    start = as_dict(charge.get("startDate"))
    event = start.get("triggerEvent") or "ContractEffective"
    if event == "SpecificDate":
        when = parse_date(start.get("specificTriggerDate"))
        if when is None:
            raise NotComputable("startDate SpecificDate needs specificTriggerDate")
        return when
    if event not in dates:
        raise NotComputable(f"the charge starts on {event}, and the order does not give that date "
                            "(triggerDates); it is only known when the event happens")
    return dates[event]


def end_condition(charge: Mapping[str, Any]) -> str:
    end = as_dict(charge.get("endDate"))
    return str(end.get("endDateCondition") or end.get("endDatePolicy") or "Subscription_End")


def charge_end(charge: Mapping[str, Any], start: dt.date, term: Term | None, period: P.BillingPeriod | None,
               bcd: int | str | None, align: dt.date | None = None) -> dt.date | None:
    """The exclusive end of a charge segment (None: open-ended)."""
    term_end = term.end if term else None
    end = as_dict(charge.get("endDate"))
    condition = end_condition(charge)
    if condition in ("Subscription_End", "AlignToApplyToCharge"):
        return term_end
    if condition in ("Specific_End_Date", "SpecificEndDate"):
        when = parse_date(end.get("specificEndDate"))
        if when is None:
            raise NotComputable("endDateCondition Specific_End_Date needs specificEndDate")
        return min(when, term_end) if term_end else when
    if condition in ("Fixed_Period", "FixedPeriod"):
        count, unit = end.get("upToPeriods"), end.get("upToPeriodsType", "Billing_Periods")
        if not isinstance(count, int) or isinstance(count, bool) or count < 1:
            raise NotComputable("endDateCondition Fixed_Period needs upToPeriods >= 1")
        if unit == "Billing_Periods":
            if period is None or bcd is None:
                raise NotComputable("upToPeriods in billing periods needs the charge's billing period")
            spans = P.slices(period, start, term_end, bcd, limit=count, align=align)
            when = spans[-1].end if spans else start
        else:
            when = P.term_end(start, count, UP_TO_UNITS.get(str(unit), str(unit)))
        return min(when, term_end) if term_end else when
    raise NotComputable(f"end date condition {condition} is not modelled offline")
