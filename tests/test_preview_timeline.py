"""Charge segments on the subscription timeline (orderspec.preview.timeline)."""

from __future__ import annotations

import datetime as dt

import pytest

from orderspec.preview import periods as P
from orderspec.preview.charges import NotComputable
from orderspec.preview.timeline import Term, charge_end, charge_start, term_of, trigger_dates

JAN1 = dt.date(2024, 1, 1)


def test_trigger_dates_default_the_contract_effective_date_to_the_order_date() -> None:
    action = {"triggerDates": [{"name": "ServiceActivation", "triggerDate": "2024-02-01"},
                               {"name": "Nonsense", "triggerDate": "2024-03-01"}]}
    assert trigger_dates("2024-01-05", action) == {"ServiceActivation": dt.date(2024, 2, 1),
                                                  "ContractEffective": dt.date(2024, 1, 5)}


def test_terms() -> None:
    dates = {"ContractEffective": JAN1}
    termed = term_of({"initialTerm": {"termType": "TERMED", "period": 12, "periodType": "Month"}, "autoRenew": True},
                     dates)
    assert termed == Term(JAN1, dt.date(2025, 1, 1), True)
    assert term_of({"initialTerm": {"termType": "EVERGREEN"}}, dates) == Term(JAN1, None, False)
    assert "no initialTerm" in str(term_of({}, dates))
    assert "term end is unknown" in str(term_of({"initialTerm": {"period": "x"}}, dates))


def test_charge_start_from_its_trigger_event() -> None:
    dates = {"ContractEffective": JAN1}
    assert charge_start({}, dates) == JAN1
    assert charge_start({"startDate": {"triggerEvent": "SpecificDate", "specificTriggerDate": "2024-03-10"}},
                        dates) == dt.date(2024, 3, 10)
    with pytest.raises(NotComputable, match="ServiceActivation"):
        charge_start({"startDate": {"triggerEvent": "ServiceActivation"}}, dates)


def test_charge_end_conditions() -> None:
    term = Term(JAN1, dt.date(2025, 1, 1))
    month = P.billing_period("Month")
    assert charge_end({}, JAN1, term, month, 1) == dt.date(2025, 1, 1)
    specific = {"endDate": {"endDateCondition": "Specific_End_Date", "specificEndDate": "2024-06-15"}}
    assert charge_end(specific, JAN1, term, month, 1) == dt.date(2024, 6, 15)
    # Three billing periods from January 16 on the 1st: January 16-31, February, March.
    fixed = {"endDate": {"endDateCondition": "Fixed_Period", "upToPeriods": 3}}
    assert charge_end(fixed, dt.date(2024, 1, 16), term, month, 1) == dt.date(2024, 4, 1)
    weeks = {"endDate": {"endDateCondition": "Fixed_Period", "upToPeriods": 2, "upToPeriodsType": "Weeks"}}
    assert charge_end(weeks, JAN1, term, month, 1) == dt.date(2024, 1, 15)
    # Never past the term's end.
    long = {"endDate": {"endDateCondition": "Specific_End_Date", "specificEndDate": "2030-01-01"}}
    assert charge_end(long, JAN1, term, month, 1) == dt.date(2025, 1, 1)
    with pytest.raises(NotComputable, match="not modelled"):
        charge_end({"endDate": {"endDateCondition": "Whenever"}}, JAN1, term, month, 1)
