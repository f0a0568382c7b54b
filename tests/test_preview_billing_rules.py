"""Zuora's documented billing rules, each worked example of its docs reproduced to the cent.

Where a page's printed figure disagrees with its own formula by a cent, the test says so: the
preview rounds each invoice item half-up to cents, as the pages' other figures do.
"""

from __future__ import annotations

import copy
import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from preview_support import D, create_body, flat, items, request, thru

from orderspec.preview import build_plan
from orderspec.preview import periods as P



def per_unit(price: str, quantity: int, billing: dict[str, Any], charge_id: str = "c1",
             base: str = "Per_Billing_Period", **more: Any) -> dict[str, Any]:
    return {"productRatePlanChargeId": charge_id, "billing": billing, **more,
            "pricing": {"recurringPerUnit": {"listPrice": D(price), "quantity": D(quantity), "listPriceBase": base}}}


def on(date: str) -> dict[str, Any]:
    return {"triggerEvent": "SpecificDate", "specificTriggerDate": date}


def total(plan: Any) -> Decimal:
    return sum((amount for _, _, amount in items(plan)), Decimal(0))


# -- "Prorating - 30 days or actual days" ---------------------------------------------------------

@pytest.mark.parametrize("first, last, actual, actual_360, strict_360", [
    ("2021-01-27", "2021-01-31", (5, 31), (5, 30), (4, 30)),
    ("2021-02-27", "2021-02-28", (2, 28), (2, 30), (4, 30)),
    ("2020-02-01", "2020-02-29", (29, 29), (29, 30), (30, 30)),
    ("2021-04-21", "2021-04-29", (9, 30), (9, 30), (9, 30)),
])
def test_partial_month_ratios_under_each_days_in_month_rule(first: str, last: str, actual: tuple[int, int],
                                                            actual_360: tuple[int, int],
                                                            strict_360: tuple[int, int]) -> None:
    # https://docs.zuora.com/en/zuora-billing/manage-accounts-subscriptions-and-non-subscriptions/manage-subscription-transactions/common-subscription-information/proration/prorating---30-days-or-actual-days
    # the table of proration ratios per option.
    start, end = dt.date.fromisoformat(first), dt.date.fromisoformat(last) + dt.timedelta(days=1)
    for rule, (days, of) in (("UseActualDays", actual), ("Assume30Days", actual_360),
                             ("Assume30DaysStrict", strict_360)):
        share, _ = P.calendar_month_fraction(start, end, rule)
        assert share == Decimal(days) / Decimal(of), rule


# -- "Calculating Total Amount with Partial Month Proration" ---------------------------------------

@pytest.mark.parametrize("days_in_month, expected", [
    ("Assume30Days", D("253.33")),  # $100 * (2 + 16/30)
    ("UseActualDays", D("251.61")),  # $100 * (2 + 16/31) = 251.6129: the page prints 251.62
    ("Assume30DaysStrict", D("250.00")),  # $100 * (2 + 15/30)
])
def test_a_partial_quarter_month_first(days_in_month: str, expected: Decimal) -> None:
    # https://docs.zuora.com/en/zuora-billing/manage-accounts-subscriptions-and-non-subscriptions/manage-subscription-transactions/common-subscription-information/proration/calculate-total-amount-with-partial-period-proration/calculating-total-amount-with-partial-month-proration
    # $100 per unit with list price base Month, 1 unit, Quarter, term from 2018-01-01 for
    # 12 months, charge effective 2018-01-16, billing day the 1st, aligned to the subscription, bill run
    # 2018-02-01: the period 01/01-03/31 is billed for 01/16-03/31, two full months and 16 days.
    charge = per_unit("100", 1, {"billingPeriod": "Quarter", "billCycleType": "SpecificDayofMonth", "billCycleDay": 1,
                                 "billingPeriodAlignment": "AlignToSubscriptionStart"}, base="Per_Month",
                      startDate=on("2018-01-16"),
                      ratingPropertiesOverride={"prorationUnit": "ProrateByMonthFirst", "daysInMonth": days_in_month})
    plan = build_plan(request(create_body([charge], order_date="2018-01-01", preview=thru("2018-02-01"))))
    assert items(plan) == [("2018-01-16", "2018-03-31", expected)]


# -- "Calculating Total Amount with Partial Period (Quarter, Semi-annual, or Annual billing Periods)" --

@pytest.mark.parametrize("unit, days_in_month, expected", [
    ("ProrateByMonthFirst", "Assume30Days", D("560.00")),  # $1200/12 * (5 + 18/30)
    ("ProrateByMonthFirst", "UseActualDays", D("558.06")),  # $1200/12 * (5 + 18/31)
    ("ProrateByDay", "Assume30Days", D("570.00")),  # $1200 * (171/360)
    ("ProrateByDay", "UseActualDays", D("562.19")),  # $1200 * (171/365)
])
def test_a_partial_year(unit: str, days_in_month: str, expected: Decimal) -> None:
    # https://docs.zuora.com/en/zuora-billing/manage-accounts-subscriptions-and-non-subscriptions/manage-subscription-transactions/common-subscription-information/proration/calculate-total-amount-with-partial-period-proration/calculating-total-amount-with-partial-period-quarter-semi-annual-or-annual-billing-periods
    # $1200 a year (list price base Billing Period),
    # term from 2018-01-01 for 12 months, triggered on 2018-07-14, billing day the subscription start day,
    # aligned to the term start, bill run 2018-12-31: July 14 - December 31 of the year 2018.
    charge = per_unit("1200", 1, {"billingPeriod": "Annual", "billCycleType": "SubscriptionStartDay",
                                  "billingPeriodAlignment": "AlignToTermStart"},
                      startDate=on("2018-07-14"),
                      ratingPropertiesOverride={"prorationUnit": unit, "daysInMonth": days_in_month})
    plan = build_plan(request(create_body([charge], order_date="2018-01-01", preview=thru("2018-12-31"))))
    assert items(plan) == [("2018-07-14", "2018-12-31", expected)]


# -- "Calculating Total Amount with Partial Week Proration" -----------------------------------------

def test_partial_weeks_billed_on_a_day_of_the_week() -> None:
    # https://docs.zuora.com/en/zuora-billing/manage-accounts-subscriptions-and-non-subscriptions/manage-subscription-transactions/common-subscription-information/proration/calculate-total-amount-with-partial-period-proration
    # $100 a week, term from 2018-01-01
    # (a Monday) for 5 weeks, billed on Wednesdays, bill run 2018-01-31: $528.57 = $100 * (5 + 2/7):
    # January 1-2 prorated, then five whole weeks (the last one, January 31 - February 6, billed whole).
    charge = per_unit("100", 1, {"billingPeriod": "Week", "billCycleType": "SpecificDayofWeek",
                                 "weeklyBillCycleDay": "Wednesday"}, base="Per_Week")
    body = create_body([charge], order_date="2018-01-01", preview=thru("2018-01-31"), auto_renew=True)
    initial = body["subscriptions"][0]["orderActions"][0]["createSubscription"]["terms"]["initialTerm"]
    initial.update(period=5, periodType="Week")
    plan = build_plan(request(body))
    assert items(plan)[0] == ("2018-01-01", "2018-01-02", D("28.57"))  # 100 * 2/7
    assert items(plan)[-1] == ("2018-01-31", "2018-02-06", D("100.00"))
    assert total(plan) == D("528.57")


def test_a_renewing_term_bills_the_last_period_whole_a_non_renewing_one_cuts_it() -> None:
    # The same weekly charge on a term that does not renew: its last period ends with the term on
    # February 4, five of seven days: 100 * 5/7 = 71.43; 28.57 + 4 * 100 + 71.43 = 500.00.
    charge = per_unit("100", 1, {"billingPeriod": "Week", "billCycleType": "SpecificDayofWeek",
                                 "weeklyBillCycleDay": "Wednesday"}, base="Per_Week")
    body = create_body([charge], order_date="2018-01-01", preview=thru("2018-01-31"), auto_renew=False)
    initial = body["subscriptions"][0]["orderActions"][0]["createSubscription"]["terms"]["initialTerm"]
    initial.update(period=5, periodType="Week")
    plan = build_plan(request(body))
    assert items(plan)[-1] == ("2018-01-31", "2018-02-04", D("71.43")) and total(plan) == D("500.00")
    # TCV stays the term's either way: 500.00.
    renewing = copy.deepcopy(body)
    renewing["subscriptions"][0]["orderActions"][0]["createSubscription"]["terms"]["autoRenew"] = True
    metrics = build_plan(request(renewing)).result["previewResult"]["chargeMetrics"][0]["charges"][0]
    assert metrics["tcv"]["regular"] == D("500.00")


# -- "CCV calculation examples" (order to revenue) -------------------------------------------------

def test_a_partial_month_is_prorated_over_its_calendar_month() -> None:
    # https://docs.zuora.com/en/zuora-billing/set-up-zuora-billing/enable-order-to-revenue/overview-of-order-to-revenue/overview-of-ccv-calculation-in-order-to-revenue/ccv-calculation-examples
    # ("CCV calculation examples"): 10 units at $5 a month; with the bill cycle day on the 15th, February 1-14, 2024 is billed
    # "50*14/29": 14 of February's 29 days (not of the 31 days of January 15 - February 14).
    # 50 * 14/29 = 24.1379 -> 24.14 half-up; the page prints 24.13.
    charge = per_unit("5", 10, {"billingPeriod": "Month", "billCycleType": "SpecificDayofMonth", "billCycleDay": 15},
                      startDate=on("2024-02-01"))
    plan = build_plan(request(create_body([charge], order_date="2024-01-01", preview=thru("2024-02-01"))))
    assert items(plan) == [("2024-02-01", "2024-02-14", D("24.14"))]
    line = plan.subscriptions[0].charges[0]
    assert line.items[0].fraction == Decimal(14) / Decimal(29)


def test_ccv_of_charge_segments() -> None:
    # https://docs.zuora.com/en/zuora-billing/set-up-zuora-billing/enable-order-to-revenue/overview-of-order-to-revenue/overview-of-ccv-calculation-in-order-to-revenue/ccv-calculation-examples
    # "13 * 5 * (9 + 17/31) = 620.65" for March 15 - December 31, 2024 on the 1st, and
    # "10 * 5 * 14/31 = 22.58" for March 1-14 of a segment January 1 - March 14 (50 + 50 + 22.58 = 122.58).
    monthly = {"billingPeriod": "Month", "billCycleType": "SpecificDayofMonth", "billCycleDay": 1}
    later = per_unit("5", 13, monthly, "c2", startDate=on("2024-03-15"),
                     endDate={"endDateCondition": "Specific_End_Date", "specificEndDate": "2025-01-01"})
    first = per_unit("5", 10, monthly, "c1",
                     endDate={"endDateCondition": "Specific_End_Date", "specificEndDate": "2024-03-15"})
    plan = build_plan(request(create_body([first, later], order_date="2024-01-01", preview=thru("2024-12-31"))))
    tcv = [c["tcv"]["regular"] for c in plan.result["previewResult"]["chargeMetrics"][0]["charges"]]
    assert tcv == [D("122.58"), D("620.65")]
    assert ("2024-03-01", "2024-03-14", D("22.58")) in items(plan)


# -- "Change BCD after subscription activation" (revenue) ------------------------------------------

def test_a_longer_period_is_prorated_over_its_bill_cycle_aligned_period() -> None:
    # https://docs.zuora.com/en/zuora-revenue/advanced-revenue-operations/handle-variances-for-reconciliation-between-booking-and-billing/change-bcd-after-subscription-activation
    # $300 a quarter from July 1 to
    # December 31, 2020 with the bill cycle day on the 10th: "$300 * 9 days / 91 days = $29.67" (July 1-9
    # of April 10 - July 9), $300 (July 10 - October 9), "$300 * 83 days / 92 days = $270.65"
    # (October 10 - December 31 of October 10 - January 9); $600.32 in all.
    charge = per_unit("300", 1, {"billingPeriod": "Quarter", "billCycleType": "SpecificDayofMonth", "billCycleDay": 10},
                      ratingPropertiesOverride={"prorationUnit": "ProrateByDay"})
    body = create_body([charge], order_date="2020-07-01", term_months=6, preview={"previewThruType": "TermEnd"})
    plan = build_plan(request(body))
    assert items(plan) == [("2020-07-01", "2020-07-09", D("29.67")), ("2020-07-10", "2020-10-09", D("300.00")),
                           ("2020-10-10", "2020-12-31", D("270.65"))]
    assert plan.result["previewResult"]["invoices"][0]["amount"] == D("600.32")


# -- billing period alignment ------------------------------------------------------------------------

def test_billing_period_alignment_to_the_subscription_start() -> None:
    # A quarterly 90.00 charge added on March 10 to a subscription that started January 15, billed on the
    # 1st. Aligned to the charge: its first period ends before the next bill cycle date after March 10
    # (April 1): March 10-31 of January 1 - March 31 (91 days): 90 * 22/91 = 21.758 -> 21.76.
    # Aligned to the subscription start: quarters count from February 1 (the first bill cycle date on or
    # after January 15), so March 10 - April 30 of February 1 - April 30 (90 days): 90 * 52/90 = 52.00.
    def plan_for(alignment: str) -> list[tuple[str, str, Decimal]]:
        billing = {"billingPeriod": "Quarter", "billCycleType": "SpecificDayofMonth", "billCycleDay": 1,
                   "billingPeriodAlignment": alignment}
        charge = flat("90", billing, startDate=on("2024-03-10"), ratingPropertiesOverride={"prorationUnit": "ProrateByDay"})
        body = create_body([charge], order_date="2024-01-15", preview=thru("2024-05-01"))
        return items(build_plan(request(body)))
    assert plan_for("AlignToCharge") == [("2024-03-10", "2024-03-31", D("21.76")), ("2024-04-01", "2024-06-30", D("90.00"))]
    assert plan_for("AlignToSubscriptionStart") == [("2024-03-10", "2024-04-30", D("52.00")),
                                                    ("2024-05-01", "2024-07-31", D("90.00"))]
    assert plan_for("AlignToTermStart") == plan_for("AlignToSubscriptionStart")  # the first term


# -- proration options -------------------------------------------------------------------------------

def test_proration_options() -> None:
    monthly = {"billingPeriod": "Month", "billCycleType": "SpecificDayofMonth", "billCycleDay": 1}
    def first_item(**options: Any) -> Decimal:
        body = create_body([flat("31", monthly, **options)], order_date="2024-01-16", preview=thru("2024-01-16"))
        return items(build_plan(request(body)))[0][2]
    assert first_item() == D("16.00")  # 31 * 16/31
    assert first_item(prorationOption="TimeBasedProration") == D("16.00")
    assert first_item(prorationOption="ChargeFullPeriod") == D("31.00")
    assert first_item(prorationOption="NoProration") == D("31.00")
    assert first_item(prorationOption="CustomizeProrationOptionOverrides",
                      ratingPropertiesOverride={"daysInMonth": "Assume30Days"}) == D("16.53")  # 31 * 16/30
    body = create_body([flat("31", monthly, ratingPropertiesOverride={"isProratePartialMonth": False})],
                       order_date="2024-01-16", preview=thru("2024-01-16"))
    plan = build_plan(request(body))
    assert plan.incomplete and "isProratePartialMonth" in plan.unpriced[0].reason


# -- discounts -----------------------------------------------------------------------------------------

def discount(percent: str, level: str, charge_id: str) -> dict[str, Any]:
    return {"productRatePlanChargeId": charge_id,
            "pricing": {"discount": {"discountPercentage": D(percent), "applyDiscountTo": "RECURRING",
                                     "discountLevel": level}}}


def test_percentage_discounts_at_different_levels_apply_in_sequence() -> None:
    # https://docs.zuora.com/en/zuora-billing/set-up-zuora-billing/build-product-and-prices/charge-models---configure-any-pricing/discount-pricing/discount-charge-models/multiple-percentage-discounts-example
    # $1000 with a rate plan discount of 10%
    # (base 1000: $100) and a subscription-level discount of 20% (base 900: $180): $720 due. The order lists
    # the subscription-level discount first: the rate plan one still applies first.
    monthly = {"billingPeriod": "Month", "billCycleType": "SpecificDayofMonth", "billCycleDay": 1}
    body = create_body([flat("1000", monthly), discount("10", "rateplan", "d1")], preview=thru("2024-01-01"))
    plans = body["subscriptions"][0]["orderActions"][0]["createSubscription"]["subscribeToRatePlans"]
    plans.insert(0, {"productRatePlanId": "rp-promo", "chargeOverrides": [discount("20", "subscription", "d2")]})
    plan = build_plan(request(body))
    assert sorted(amount for _, _, amount in items(plan)) == [D("-180.00"), D("-100.00"), D("1000.00")]
    assert total(plan) == D("720.00")
    charges = plan.result["previewResult"]["chargeMetrics"][0]["charges"]
    assert sorted(c["cmrr"]["discount"] for c in charges) == [D("-180.00"), D("-100.00"), D("0.00")]
    delta = plan.result["previewResult"]["orderDeltaMetrics"]["orderDeltaMrr"]
    assert [(d["grossAmount"], d["netAmount"]) for d in delta] == [(D("1000.00"), D("720.00"))]


def test_non_stacked_discounts_of_one_level_apply_one_after_another() -> None:
    # https://docs.zuora.com/en/zuora-billing/set-up-zuora-billing/build-product-and-prices/charge-models---configure-any-pricing/discount-pricing/discount-charge-models/stacked-discounts
    # 5%, 10% and 15% on $100, non-stacked: $5, then (100-5) * 10% =
    # $9.50, then (95-9.5) * 15% = $12.83; $72.67 due.
    monthly = {"billingPeriod": "Month", "billCycleType": "SpecificDayofMonth", "billCycleDay": 1}
    body = create_body([flat("100", monthly), discount("5", "rateplan", "d1"), discount("10", "rateplan", "d2"),
                        discount("15", "rateplan", "d3")], preview=thru("2024-01-01"))
    plan = build_plan(request(body))
    assert [amount for _, _, amount in items(plan)] == [D("100.00"), D("-5.00"), D("-9.50"), D("-12.83")]
    assert total(plan) == D("72.67")


def test_a_renewing_term_is_billed_on_into_its_renewal() -> None:
    # https://docs.zuora.com/en/zuora-billing/set-up-zuora-billing/billing-settings-configuration/general-billing-settings/define-billing-rules/billing-rules---bill-run
    # by default bill runs "automatically
    # renew auto-renew subscriptions that are up for renewal", so a monthly 30.00 charge on a 2-month
    # renewing term from January 1 is billed on through March; without autoRenew it stops with the term.
    monthly = {"billingPeriod": "Month", "billCycleType": "SpecificDayofMonth", "billCycleDay": 1}
    renewing = create_body([flat("30", monthly)], term_months=2, auto_renew=True, preview=thru("2024-03-31"))
    assert [start for start, _, _ in items(build_plan(request(renewing)))] == ["2024-01-01", "2024-02-01", "2024-03-01"]
    ending = create_body([flat("30", monthly)], term_months=2, auto_renew=False, preview=thru("2024-03-31"))
    assert [start for start, _, _ in items(build_plan(request(ending)))] == ["2024-01-01", "2024-02-01"]
    # A price that changes at renewal is not guessed.
    uplift = copy.deepcopy(renewing)
    charge = uplift["subscriptions"][0]["orderActions"][0]["createSubscription"]["subscribeToRatePlans"][0][
        "chargeOverrides"][0]
    charge["pricing"]["recurringFlatFee"].update(priceChangeOption="UsePercentageValue", priceIncreasePercentage=D(5))
    plan = build_plan(request(uplift))
    assert plan.incomplete and "priceChangeOption" in plan.unpriced[0].reason


# -- charge models ---------------------------------------------------------------------------------

def one_time(key: str, quantity: str, tiers: list[dict[str, Any]]) -> dict[str, Any]:
    return {"productRatePlanChargeId": "t1", "pricing": {key: {"quantity": D(quantity), "tiers": tiers}}}


def test_tiered_pricing_cumulates_the_tiers() -> None:
    # https://docs.zuora.com/en/zuora-billing/set-up-zuora-billing/build-product-and-prices/charge-models---configure-any-pricing/tiered-pricing
    # tiers 0-5 $0 flat, 5.01-7 $200 flat, 7.01-9 $100 flat; 8.5 units: $0 + $200 + $100 = $300.
    tiers = [{"tier": 1, "startingUnit": D(0), "endingUnit": D(5), "price": D(0), "priceFormat": "FlatFee"},
             {"tier": 2, "startingUnit": D("5.01"), "endingUnit": D(7), "price": D(200), "priceFormat": "FlatFee"},
             {"tier": 3, "startingUnit": D("7.01"), "endingUnit": D(9), "price": D(100), "priceFormat": "FlatFee"}]
    plan = build_plan(request(create_body([one_time("oneTimeTiered", "8.5", tiers)], preview=thru("2024-01-01"))))
    assert [amount for _, _, amount in items(plan)] == [D("300.00")]


@pytest.mark.parametrize("quantity, expected", [("5", D("600.00")), ("60", D("6000.00"))])
def test_volume_pricing_prices_every_unit_at_one_tier(quantity: str, expected: Decimal) -> None:
    # https://docs.zuora.com/en/zuora-billing/set-up-zuora-billing/build-product-and-prices/charge-models---configure-any-pricing/volume-pricing
    # 0-50 licenses at $120 each (5 x $120 = $600), 51-100 at $100 each (60 x $100 = $6000).
    tiers = [{"tier": 1, "startingUnit": D(0), "endingUnit": D(50), "price": D(120), "priceFormat": "PerUnit"},
             {"tier": 2, "startingUnit": D(51), "endingUnit": D(100), "price": D(100), "priceFormat": "PerUnit"}]
    plan = build_plan(request(create_body([one_time("oneTimeVolume", quantity, tiers)], preview=thru("2024-01-01"))))
    assert [amount for _, _, amount in items(plan)] == [expected]


def test_percentage_discounts_apply_before_fixed_amounts_whatever_their_level() -> None:
    # https://docs.zuora.com/en/zuora-billing/set-up-zuora-billing/build-product-and-prices/charge-models---configure-any-pricing/discount-pricing/discount-charge-models/process-discounts
    # after discount classes, "Discount-Percentage > Discount-Fixed
    # Amount", then "Rate Plan Level > Subscription Level". A rate plan fixed 10.00 and a subscription 20% on
    # 100.00: 20% of 100.00 = 20.00 first, then 10.00: 70.00 due (not 10.00 then 20% of 90.00 = 18.00).
    monthly = {"billingPeriod": "Month", "billCycleType": "SpecificDayofMonth", "billCycleDay": 1}
    fixed = {"productRatePlanChargeId": "d1", "pricing": {"discount": {
        "discountAmount": D(10), "applyDiscountTo": "RECURRING", "discountLevel": "rateplan"}}}
    body = create_body([flat("100", monthly), fixed], preview=thru("2024-01-01"))
    plans = body["subscriptions"][0]["orderActions"][0]["createSubscription"]["subscribeToRatePlans"]
    plans.append({"productRatePlanId": "rp-promo", "chargeOverrides": [discount("20", "subscription", "d2")]})
    plan = build_plan(request(body))
    assert [amount for _, _, amount in items(plan)] == [D("100.00"), D("-10.00"), D("-20.00")]
    assert total(plan) == D("70.00")


def test_discount_orders_that_depend_on_tenant_settings_are_not_guessed() -> None:
    monthly = {"billingPeriod": "Month", "billCycleType": "SpecificDayofMonth", "billCycleDay": 1}
    gold, silver = discount("10", "rateplan", "d1"), discount("20", "rateplan", "d2")
    gold["pricing"]["discount"]["discountClass"] = "Gold"
    silver["pricing"]["discount"]["discountClass"] = "Silver"
    plan = build_plan(request(create_body([flat("100", monthly), gold, silver], preview=thru("2024-01-01"))))
    assert plan.incomplete and {u.subject for u in plan.unpriced} == {"charge d1", "charge d2"}
    assert "ranks the classes" in plan.unpriced[0].reason
    assert [amount for _, _, amount in items(plan)] == [D("100.00")]  # the charge itself is still shown
    stacked = discount("10", "rateplan", "d3")
    stacked["pricing"]["discount"]["isStackedDiscount"] = True
    plan = build_plan(request(create_body([flat("100", monthly), stacked, discount("20", "rateplan", "d4")],
                                          preview=thru("2024-01-01"))))
    assert plan.incomplete and "stacked" in plan.unpriced[0].reason


@pytest.mark.parametrize("through, billed", [("2024-06-30", []), ("2024-07-01", [("2024-04-01", "2024-06-30")])])
def test_billing_in_arrears_bills_after_the_period(through: str, billed: list[tuple[str, str]]) -> None:
    # https://docs.zuora.com/en/zuora-billing/set-up-zuora-billing/build-product-and-prices/basic-concepts-and-terms/billing-timing
    # billed in
    # arrears, BCD the 1st, quarterly, the period April 1 - June 30 is billed by a bill run with target date July 1.
    quarterly = {"billingPeriod": "Quarter", "billCycleType": "SpecificDayofMonth", "billCycleDay": 1,
                 "billingTiming": "IN_ARREARS"}
    body = create_body([flat("300", quarterly)], order_date="2024-04-01", preview=thru(through))
    assert [(start, end) for start, end, _ in items(build_plan(request(body)))] == billed
