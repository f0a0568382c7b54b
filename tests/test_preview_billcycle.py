"""The bill cycle day, from where Zuora takes it (orderspec.preview.billcycle)."""

from __future__ import annotations

import datetime as dt

import pytest
from preview_support import D, create_body, flat, items, request, thru

from orderspec.preview import build_plan
from orderspec.preview import periods as P
from orderspec.preview.billcycle import AccountBillCycle, account_bill_cycle, bill_cycle_day
from orderspec.preview.charges import NotComputable
from orderspec.preview.timeline import Term

MONTH = P.billing_period("Month")
CUSTOMER = {"billingPeriod": "Month", "billCycleType": "DefaultFromCustomer"}


def test_the_account_day_comes_from_the_order_then_the_command_line_then_the_configuration() -> None:
    configured = {"A0001": 15}
    body = {"existingAccountNumber": "A0001"}
    assert account_bill_cycle(body, None, configured).day == 15
    assert account_bill_cycle(body, 20, configured) == AccountBillCycle(20, "--bill-cycle-day")
    described = {"previewAccountInfo": {"billCycleDay": 7, "currency": "USD"}}  # instead of an account number
    assert account_bill_cycle(described, 20, configured).day == 7
    created = {"newAccount": {"billCycleDay": 0, "currency": "USD"}}
    assert account_bill_cycle(created, 20, configured) == AccountBillCycle(0, "newAccount.billCycleDay")
    unknown = account_bill_cycle({"existingAccountNumber": "A0009"}, None, configured)
    assert unknown.day is None and unknown.account == "A0009"


def test_an_unknown_account_day_says_where_to_give_it() -> None:
    account = account_bill_cycle({"existingAccountNumber": "A0009"})
    with pytest.raises(NotComputable, match=r"account A0009.*accounts/A0009.yaml in the state folder.*"
                                            r"\[tool.orderspec.accounts\] A0009.*--bill-cycle-day"):
        bill_cycle_day(CUSTOMER, MONTH, dt.date(2024, 3, 1), None, account, None)


def test_auto_set_is_the_day_the_first_recurring_charge_starts() -> None:
    auto = AccountBillCycle(0, "newAccount.billCycleDay")
    assert bill_cycle_day(CUSTOMER, MONTH, dt.date(2024, 3, 20), None, auto, dt.date(2024, 3, 9)) == 9
    with pytest.raises(NotComputable, match="Auto-set"):
        bill_cycle_day(CUSTOMER, MONTH, dt.date(2024, 3, 20), None, auto, None)


def test_the_charge_own_bill_cycle_type_wins_over_the_account() -> None:
    account = AccountBillCycle(15, "--bill-cycle-day")
    term = Term(dt.date(2024, 1, 10), dt.date(2025, 1, 10))
    start = dt.date(2024, 2, 3)
    assert bill_cycle_day({"billCycleType": "SpecificDayofMonth", "billCycleDay": 28}, MONTH, start, term,
                          account, None) == 28
    assert bill_cycle_day({"billCycleType": "ChargeTriggerDay"}, MONTH, start, term, account, None) == 3
    assert bill_cycle_day({"billCycleType": "SubscriptionStartDay"}, MONTH, start, term, account, None) == 10
    assert bill_cycle_day({"billCycleType": "TermStartDay"}, MONTH, start, term, account, None) == 10
    week = P.billing_period("Week")
    assert bill_cycle_day({"billCycleType": "SpecificDayofWeek", "weeklyBillCycleDay": "Friday"}, week, start,
                          term, account, None) == "Friday"
    # 2024-02-03 is a Saturday
    assert bill_cycle_day({"billCycleType": "ChargeTriggerDay"}, week, start, term, account, None) == "Saturday"


def test_preview_account_info_bill_cycle_day_is_used() -> None:
    body = create_body([flat("30.00", CUSTOMER)], order_date="2024-03-01", preview=thru("2024-03-31"),
                       account={"previewAccountInfo": {"billCycleDay": 15, "currency": "USD"}})
    plan = build_plan(request(body))
    # https://docs.zuora.com/en/zuora-platform/system-management/additional-tenant-management-settings/dates-in-zuora/customer-account-dates-bill-cycle-day
    # "BCD and proration": with the BCD on the 15th and a monthly subscription billed from March 1, "the
    # account's first invoice will be from March 1 to March 14, and their second invoice will be from March
    # 15 to April 14". March 1-14 is 14 of March's 31 days: 30.00 * 14/31 = 13.548 -> 13.55.
    assert items(plan) == [("2024-03-01", "2024-03-14", D("13.55")), ("2024-03-15", "2024-04-14", D("30.00"))]
    assert not plan.incomplete


def test_new_account_auto_set_bills_on_the_first_recurring_charge_trigger_day() -> None:
    # https://docs.zuora.com/en/zuora-platform/system-management/additional-tenant-management-settings/
    # dates-in-zuora/customer-account-dates-bill-cycle-day: 0 sets the account's day to "the triggering date
    # of the account's first recurring charge" (not one-time charges).
    later = flat("10.00", CUSTOMER, "c2", startDate={"triggerEvent": "SpecificDate",
                                                    "specificTriggerDate": "2024-04-02"})
    one_time = {"productRatePlanChargeId": "c3", "pricing": {"oneTimeFlatFee": {"listPrice": D("5")}},
                "startDate": {"triggerEvent": "SpecificDate", "specificTriggerDate": "2024-03-05"}}
    body = create_body([one_time, later, flat("30.00", CUSTOMER)], order_date="2024-03-20",
                       preview=thru("2024-04-30"),
                       account={"newAccount": {"billCycleDay": 0, "currency": "USD", "name": "N"}})
    plan = build_plan(request(body))
    # The first recurring charge triggers March 20, so the account bills on the 20th: whole months from
    # March 20; the one added April 2 bills April 2-19 (18 of April's 30 days: 10.00 * 18/30 = 6.00).
    assert items(plan) == [("2024-03-05", "2024-03-05", D("5.00")),
                           ("2024-04-02", "2024-04-19", D("6.00")), ("2024-04-20", "2024-05-19", D("10.00")),
                           ("2024-03-20", "2024-04-19", D("30.00")), ("2024-04-20", "2024-05-19", D("30.00"))]


def test_configured_account_day_and_the_unknown_one() -> None:
    body = create_body([flat("30.00", CUSTOMER)], order_date="2024-03-01", preview=thru("2024-03-31"))
    plan = build_plan(request(body), accounts={"A0001": 15})
    assert items(plan)[0] == ("2024-03-01", "2024-03-14", D("13.55"))
    unknown = build_plan(request(body))
    assert unknown.incomplete and items(unknown) == []
    assert "account A0001" in unknown.unpriced[0].reason
    assert unknown.unpriced[0].pointer == (
        "/subscriptions/0/orderActions/0/createSubscription/subscribeToRatePlans/0/chargeOverrides/0")
