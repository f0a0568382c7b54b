"""Offline preview: billing periods, charge models and the engine, against figures worked out by hand.

Every expected amount below is computed in the comment next to it, never by the code under test.
"""

from __future__ import annotations

import datetime as dt
import json
import textwrap
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from orderspec import pipeline
from orderspec.model import Request
from orderspec.preview import Window, build_plan, preview_offline
from orderspec.preview import periods as P
from orderspec.preview.charges import NotComputable, Tier, tiered_amount, volume_amount
from orderspec.preview.text import plan_text, totals

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "preview"
D = Decimal


def request_of(path: Path) -> Request:
    result = pipeline.process_file(str(path), pipeline.Options())
    assert not [d for d in result.diagnostics if d.severity.value == "error"], result.diagnostics
    return result.requests[0]


def spec_request(tmp_path: Path, charges: str, *, terms: str | None = None, preview: str = "",
                 order_date: str = "2024-01-01", triggers: str | None = None, extra_actions: str = "") -> Request:
    """A one-subscription create spec with the given charge overrides (YAML, 2-space indented list)."""
    terms = terms or "{initialTerm: {period: 12, periodType: Month, termType: TERMED, startDate: %s}}" % order_date
    triggers = triggers if triggers is not None else (
        f"[{{name: ContractEffective, triggerDate: {order_date}}}, {{name: ServiceActivation, triggerDate: {order_date}}}]")
    text = textwrap.dedent("""\
        orderspec: 1
        operation: create
        body:
          orderDate: {order_date}
          existingAccountNumber: A1
        {preview}  subscriptions:
            - orderActions:
                - type: CreateSubscription
                  triggerDates: {triggers}
                  createSubscription:
                    terms: {terms}
                    subscribeToRatePlans:
                      - productRatePlanId: rp1
                        chargeOverrides:
        {charges}{extra}""").format(order_date=order_date, preview=preview, triggers=triggers, terms=terms,
                                    charges=textwrap.indent(textwrap.dedent(charges), " " * 26),
                                    extra=textwrap.indent(textwrap.dedent(extra_actions), " " * 12))
    path = tmp_path / "order.order.yaml"
    path.write_text(text, encoding="utf-8")
    result = pipeline.process_file(str(path), pipeline.Options())
    assert result.requests, [d.text() for d in result.diagnostics]
    return result.requests[0]


def amounts(plan: Any) -> list[tuple[str, str, Decimal]]:
    return [(i["serviceStartDate"], i["serviceEndDate"], i["amountWithoutTax"])
            for inv in plan.result["previewResult"]["invoices"] for i in inv["invoiceItems"]]


# -- periods -------------------------------------------------------------------------------------

def test_add_months_keeps_the_bill_cycle_day_where_the_month_has_it() -> None:
    # Jan 31 + 1 month: February 2024 has 29 days -> Feb 29; + 2 months with day 31 -> Mar 31.
    assert P.add_months(dt.date(2024, 1, 31), 1) == dt.date(2024, 2, 29)
    assert P.add_months(dt.date(2024, 1, 31), 2, 31) == dt.date(2024, 3, 31)
    assert P.add_months(dt.date(2024, 11, 15), 3) == dt.date(2025, 2, 15)
    assert P.add_months(dt.date(2024, 3, 31), -1) == dt.date(2024, 2, 29)


def test_monthly_slices_prorate_the_first_partial_month_by_actual_days() -> None:
    month = P.billing_period("Month")
    spans = P.slices(month, dt.date(2024, 1, 16), dt.date(2024, 4, 1), 1)
    assert [(s.start, s.last_day) for s in spans] == [
        (dt.date(2024, 1, 16), dt.date(2024, 1, 31)),
        (dt.date(2024, 2, 1), dt.date(2024, 2, 29)),
        (dt.date(2024, 3, 1), dt.date(2024, 3, 31)),
    ]
    # Jan 16..31 is 16 of January's 31 days.
    assert spans[0].fraction == D(16) / D(31)
    assert spans[1].fraction == 1 and not spans[1].is_partial


def test_bill_cycle_day_31_comes_back_after_february() -> None:
    # https://docs.zuora.com/en/zuora-platform/system-management/additional-tenant-management-settings/dates-in-zuora/customer-account-dates-bill-cycle-day
    # "End-of-month option": BCD 31 is the 31st for January, the 28th or 29th for February, 30th for April.
    spans = P.slices(P.billing_period("Month"), dt.date(2024, 1, 31), None, 31, limit=3)
    assert [s.start for s in spans] == [dt.date(2024, 1, 31), dt.date(2024, 2, 29), dt.date(2024, 3, 31)]


def test_partial_last_period_is_prorated_over_its_whole_period() -> None:
    # Quarterly from Jan 1, charge ends (exclusive) Mar 1: Jan 1..Feb 29 = 60 of the quarter's 91 days.
    spans = P.slices(P.billing_period("Quarter"), dt.date(2024, 1, 1), dt.date(2024, 3, 1), 1)
    assert len(spans) == 1 and spans[0].full_end == dt.date(2024, 4, 1)
    assert spans[0].fraction == D(60) / D(91)


def test_weekly_slices_start_on_the_weekly_bill_cycle_day() -> None:
    # 2024-01-03 is a Wednesday; billing on Mondays: Jan 3..7 (5 of 7 days), then Jan 8..14.
    spans = P.slices(P.billing_period("Week"), dt.date(2024, 1, 3), None, "Monday", limit=2)
    assert [(s.start, s.last_day) for s in spans] == [
        (dt.date(2024, 1, 3), dt.date(2024, 1, 7)), (dt.date(2024, 1, 8), dt.date(2024, 1, 14))]
    assert spans[0].fraction == D(5) / D(7)


def test_unbounded_or_huge_schedules_are_refused() -> None:
    with pytest.raises(P.PeriodError):
        P.slices(P.billing_period("Month"), dt.date(2024, 1, 1), None, 1)
    with pytest.raises(P.PeriodError, match="more than"):
        P.slices(P.billing_period("Week"), dt.date(2024, 1, 1), dt.date(9999, 1, 1), "Monday")
    with pytest.raises(P.PeriodError):
        P.billing_period("Specific_Months")


# -- charge models -------------------------------------------------------------------------------

TIERS = (Tier(1, D(10), D("5.00"), False), Tier(2, D(20), D("4.00"), False), Tier(3, None, D("3.00"), False))


def test_tiered_charges_each_tier_for_its_units() -> None:
    # 25 units: 10 * 5.00 + 10 * 4.00 + 5 * 3.00 = 50 + 40 + 15 = 105.00
    assert tiered_amount(D(25), TIERS) == D("105.00")
    # 7 units all in tier 1: 7 * 5.00 = 35.00
    assert tiered_amount(D(7), TIERS) == D("35.00")
    # a FlatFee first tier charges its price once: 12.00 + 3 units * 4.00 = 24.00
    flat = (Tier(1, D(10), D("12.00"), True), Tier(2, None, D("4.00"), False))
    assert tiered_amount(D(13), flat) == D("24.00")


def test_volume_prices_every_unit_at_one_tier() -> None:
    # 25 units fall in tier 3: 25 * 3.00 = 75.00; 20 units in tier 2: 20 * 4.00 = 80.00
    assert volume_amount(D(25), TIERS) == D("75.00")
    assert volume_amount(D(20), TIERS) == D("80.00")
    bounded = (Tier(1, D(10), D("1.00"), False),)
    with pytest.raises(NotComputable):
        volume_amount(D(11), bounded)


# https://docs.zuora.com/en/zuora-billing/set-up-zuora-billing/build-product-and-prices/charge-models---configure-any-pricing/volume-pricing
# 0-50 units at $120 a unit, 51-100 at $100: "5 units x $120 per unit = $600", "60 units x $100 per unit = $6000".
ZUORA_VOLUME = (Tier(1, D(50), D("120"), False), Tier(2, D(100), D("100"), False))
# https://docs.zuora.com/en/zuora-billing/set-up-zuora-billing/build-product-and-prices/charge-models---configure-any-pricing/tiered-pricing
# 0-5 flat $0, 5.01-7 flat $200, 7.01-9 flat $100: 8.5 units cost "$0.00 + $200 + $100", "Total fees = $300".
ZUORA_TIERED = (Tier(1, D(5), D("0.00"), True), Tier(2, D(7), D("200.00"), True), Tier(3, D(9), D("100.00"), True))


def test_zuoras_bounded_price_tables() -> None:
    assert volume_amount(D(5), ZUORA_VOLUME) == D("600.00")
    assert volume_amount(D(60), ZUORA_VOLUME) == D("6000.00")
    assert volume_amount(D(100), ZUORA_VOLUME) == D("10000.00")  # the last unit of the table: 100 * 100
    assert tiered_amount(D("8.5"), ZUORA_TIERED) == D("300.00")


def test_a_quantity_above_the_last_tier_is_not_priced() -> None:
    with pytest.raises(NotComputable, match=r"quantity 120 is above .* \(tier 2 ends at 100\)"):
        volume_amount(D(120), ZUORA_VOLUME)
    # Priced by the tiers it passed, 10 units would silently cost the same $300 as 8.5 units.
    with pytest.raises(NotComputable, match=r"quantity 10 is above .* \(tier 3 ends at 9\)"):
        tiered_amount(D(10), ZUORA_TIERED)


def test_a_preview_with_a_quantity_above_the_last_tier_says_why(tmp_path: Path) -> None:
    request = spec_request(tmp_path, f"""\
        - productRatePlanChargeId: c1
          {MONTHLY}
          pricing:
            recurringTiered:
              quantity: 120
              tiers:
                - {{tier: 1, startingUnit: 0, endingUnit: 50, price: 120, priceFormat: PerUnit}}
                - {{tier: 2, startingUnit: 51, endingUnit: 100, price: 100, priceFormat: PerUnit}}
        """)
    plan = build_plan(request, window=Window("NumberOfPeriods", periods=1))
    assert amounts(plan) == []
    assert [d.message for d in plan.diagnostics if d.code == "P001"] == [
        "charge c1: the quantity 120 is above the end of the last price tier (tier 2 ends at 100): the tiers "
        "give the units above it no price"]


# -- the worked examples -------------------------------------------------------------------------

def test_example_monthly_flat_fee_with_partial_first_month() -> None:
    plan = build_plan(request_of(EXAMPLES / "preview-flat-fee-monthly.order.yaml"))
    # 30.00 * 16/31 = 15.4838... -> 15.48; then two full months of 30.00.
    assert amounts(plan) == [("2024-01-16", "2024-01-31", D("15.48")),
                             ("2024-02-01", "2024-02-29", D("30.00")),
                             ("2024-03-01", "2024-03-31", D("30.00"))]
    charge = plan.result["previewResult"]["chargeMetrics"][0]["charges"][0]
    assert charge["cmrr"]["regular"] == D("30.00")
    # Term Jan 16 2024 .. Jan 15 2025: 15.48 + 11 * 30.00 + Jan 1..15 2025 (30.00 * 15/31 = 14.516 -> 14.52)
    # = 15.48 + 330.00 + 14.52 = 360.00
    assert charge["tcv"]["regular"] == D("360.00")
    # One invoice for the preview (as Zuora previews bill): 15.48 + 30.00 + 30.00 = 75.48, through the
    # last bill date of the 3 periods.
    invoices = plan.result["previewResult"]["invoices"]
    assert [(i["targetDate"], i["amount"], i["taxAmount"]) for i in invoices] == [("2024-03-01", D("75.48"), D("0.00"))]


def test_example_quarterly_per_unit_to_term_end() -> None:
    plan = build_plan(request_of(EXAMPLES / "preview-per-unit-quarterly.order.yaml"))
    # 8 seats * 12.50 = 100.00 a quarter; 12 months from Feb 1 = 4 quarters.
    assert amounts(plan) == [("2024-02-01", "2024-04-30", D("100.00")), ("2024-05-01", "2024-07-31", D("100.00")),
                             ("2024-08-01", "2024-10-31", D("100.00")), ("2024-11-01", "2025-01-31", D("100.00"))]
    charge = plan.result["previewResult"]["chargeMetrics"][0]["charges"][0]
    # MRR = 100.00 / 3 = 33.333... -> 33.33; TCV = 4 * 100.00 = 400.00
    assert charge["cmrr"]["regular"] == D("33.33") and charge["tcv"]["regular"] == D("400.00")
    delta = plan.result["previewResult"]["orderDeltaMetrics"]["orderDeltaMrr"][0]
    assert delta["grossAmount"] == D("33.33") and delta["orderActionType"] == "CreateSubscription"
    item = plan.result["previewResult"]["invoices"][0]["invoiceItems"][0]
    assert item["unitPrice"] == D("12.50")
    assert item["additionalInfo"] == {"quantity": D(8), "unitOfMeasure": "Seat", "numberOfDeliveries": D(0)}


def test_example_semi_annual_tiered() -> None:
    plan = build_plan(request_of(EXAMPLES / "preview-tiered-semi-annual.order.yaml"))
    # 10 * 5.00 + 10 * 4.00 + 5 * 3.00 = 105.00 per half year; 12-month term from Mar 1 = 2 periods.
    assert amounts(plan) == [("2024-03-01", "2024-08-31", D("105.00")), ("2024-09-01", "2025-02-28", D("105.00"))]
    charge = plan.result["previewResult"]["chargeMetrics"][0]["charges"][0]
    # MRR = 105.00 / 6 = 17.50
    assert charge["cmrr"]["regular"] == D("17.50") and charge["tcv"]["regular"] == D("210.00")


def test_example_annual_volume() -> None:
    plan = build_plan(request_of(EXAMPLES / "preview-volume-annual.order.yaml"))
    # 120 units in tier 2 (101..500): 120 * 1.50 = 180.00 a year, 24-month term = 2 years.
    assert amounts(plan) == [("2024-01-01", "2024-12-31", D("180.00")), ("2025-01-01", "2025-12-31", D("180.00"))]
    charge = plan.result["previewResult"]["chargeMetrics"][0]["charges"][0]
    # MRR = 180.00 / 12 = 15.00
    assert charge["cmrr"]["regular"] == D("15.00") and charge["tcv"]["regular"] == D("360.00")


def test_example_weekly_with_percentage_discount() -> None:
    plan = build_plan(request_of(EXAMPLES / "preview-weekly-percentage-discount.order.yaml"))
    # Week billed Mondays, start Wed Jan 3: 7.00 * 5/7 = 5.00, then Jan 8, 15, 22, 29 at 7.00 each
    # (Jan 29 is billed in advance on or before Jan 31). 10% off each: -0.50, then -0.70 four times.
    # One invoice, the charge's items then the discount's.
    assert amounts(plan) == [
        ("2024-01-03", "2024-01-07", D("5.00")), ("2024-01-08", "2024-01-14", D("7.00")),
        ("2024-01-15", "2024-01-21", D("7.00")), ("2024-01-22", "2024-01-28", D("7.00")),
        ("2024-01-29", "2024-02-04", D("7.00")),
        ("2024-01-03", "2024-01-07", D("-0.50")), ("2024-01-08", "2024-01-14", D("-0.70")),
        ("2024-01-15", "2024-01-21", D("-0.70")), ("2024-01-22", "2024-01-28", D("-0.70")),
        ("2024-01-29", "2024-02-04", D("-0.70")),
    ]
    figures = totals(plan)
    # invoiced: 5.00 + 4 * 7.00 - 0.50 - 4 * 0.70 = 33.00 - 3.30 = 29.70; evergreen: no TCV
    assert figures["invoiced"] == D("29.70") and figures["tcv"] is None
    charges = plan.result["previewResult"]["chargeMetrics"][0]["charges"]
    # weekly MRR: 7.00 * 52 / 12 = 30.333... -> 30.33; discount 10% of 30.33 = 3.033 -> -3.03
    assert charges[0]["cmrr"]["regular"] == D("30.33") and charges[1]["cmrr"]["discount"] == D("-3.03")
    assert "tcv" not in charges[0]


def test_example_one_time_and_fixed_amount_discount() -> None:
    plan = build_plan(request_of(EXAMPLES / "preview-one-time-fixed-discount.order.yaml"))
    invoices = plan.result["previewResult"]["invoices"]
    # Apr 10: one-time 10 * 15.00 = 150.00; Apr 10..30 = 21 of 30 days: 100.00 * 21/30 = 70.00,
    # discount 20.00 * 21/30 = 14.00 -> invoice 150.00 + 70.00 - 14.00 = 206.00.
    # May 1: 100.00 - 20.00 = 80.00. One invoice through May 1: 206.00 + 80.00 = 286.00.
    assert [(i["targetDate"], i["amountWithoutTax"]) for i in invoices] == [("2024-05-01", D("286.00"))]
    charges = plan.result["previewResult"]["chargeMetrics"][0]["charges"]
    # one-time: MRR 0, TCV 150.00; monthly: MRR 100.00, TCV 12 * 100.00 = 1200.00 (Apr 10 2024 .. Apr 9 2025:
    # Apr 10..30 70.00 + 11 months 1100.00 + Apr 1..9 2025 = 9/30 * 100.00 = 30.00 -> 1200.00);
    # discount: MRR -20.00, TCV -(14.00 + 11 * 20.00 + 6.00) = -240.00
    assert [c["cmrr"]["regular"] + c["cmrr"]["discount"] for c in charges] == [D("0.00"), D("100.00"), D("-20.00")]
    assert [c["tcv"]["regular"] + c["tcv"]["discount"] for c in charges] == [D("150.00"), D("1200.00"), D("-240.00")]


def test_every_example_result_has_the_api_preview_shape() -> None:
    schema = json.loads((ROOT / "schemas" / "responses" / "preview-result.json").read_text())
    validator = Draft202012Validator(schema)
    for path in sorted(EXAMPLES.glob("*.order.yaml")):
        result = preview_offline(request_of(path))
        # through JSON, as the API would send it: Decimals become JSON numbers
        from orderspec.render import canonical_json
        errors = list(validator.iter_errors(json.loads(canonical_json(result))))
        assert not errors, (path.name, errors[0].message)


# -- rules and their limits ----------------------------------------------------------------------

MONTHLY = "billing: {billingPeriod: Month, billCycleType: SpecificDayofMonth, billCycleDay: 1}"


def test_in_arrears_bills_after_the_service_period(tmp_path: Path) -> None:
    request = spec_request(tmp_path, f"""\
        - productRatePlanChargeId: c1
          billing: {{billingPeriod: Month, billCycleType: SpecificDayofMonth, billCycleDay: 1, billingTiming: IN_ARREARS}}
          pricing: {{recurringFlatFee: {{listPrice: 10}}}}
        """)
    plan = build_plan(request, window=Window("SpecificDate", thru=dt.date(2024, 3, 15)))
    # Jan is billed Feb 1, Feb on Mar 1; March ends after Mar 15, so it is not billed yet.
    assert [(i["serviceStartDate"], i["amountWithoutTax"]) for i in
            plan.result["previewResult"]["invoices"][0]["invoiceItems"]] == [
        ("2024-01-01", D("10.00")), ("2024-02-01", D("10.00"))]
    assert plan.result["previewResult"]["invoices"][0]["targetDate"] == "2024-03-15"


def test_fixed_period_end_and_per_month_list_price_base(tmp_path: Path) -> None:
    request = spec_request(tmp_path, """\
        - productRatePlanChargeId: c1
          billing: {billingPeriod: Quarter, billCycleType: SpecificDayofMonth, billCycleDay: 1}
          endDate: {endDateCondition: Fixed_Period, upToPeriods: 2, upToPeriodsType: Billing_Periods}
          pricing: {recurringFlatFee: {listPrice: 10, listPriceBase: Per_Month}}
        """)
    plan = build_plan(request)
    # 10.00 per month * 3 months = 30.00 a quarter, for 2 quarters only.
    assert amounts(plan) == [("2024-01-01", "2024-03-31", D("30.00")), ("2024-04-01", "2024-06-30", D("30.00"))]
    assert plan.result["previewResult"]["chargeMetrics"][0]["charges"][0]["cmrr"]["regular"] == D("10.00")


def test_charge_full_period_skips_proration(tmp_path: Path) -> None:
    request = spec_request(tmp_path, f"""\
        - productRatePlanChargeId: c1
          prorationOption: ChargeFullPeriod
          {MONTHLY}
          pricing: {{recurringFlatFee: {{listPrice: 31}}}}
        """, order_date="2024-01-16")
    plan = build_plan(request, window=Window("NumberOfPeriods", periods=1))
    # without proration the partial Jan 16..31 bills the full 31.00 (prorated it would be 16.00)
    assert amounts(plan) == [("2024-01-16", "2024-01-31", D("31.00"))]


def test_customer_bill_cycle_day_comes_from_env_or_is_not_guessed(tmp_path: Path) -> None:
    charges = """\
        - productRatePlanChargeId: c1
          billing: {billingPeriod: Month}
          pricing: {recurringFlatFee: {listPrice: 30}}
        """
    request = spec_request(tmp_path, charges, order_date="2024-04-16")
    unknown = build_plan(request, window=Window("NumberOfPeriods", periods=1))
    assert amounts(unknown) == []
    assert [d.code for d in unknown.diagnostics if d.code == "P001"] == ["P001"]
    assert "bill cycle day" in next(d.message for d in unknown.diagnostics if d.code == "P001")
    known = build_plan(request, bill_cycle_day=1, window=Window("NumberOfPeriods", periods=1))
    # Apr 16..30 = 15 of April's 30 days: 30.00 * 15/30 = 15.00
    assert amounts(known) == [("2024-04-16", "2024-04-30", D("15.00"))]


@pytest.mark.parametrize("charge, reason", [
    ("{productRatePlanChargeId: c1, billing: {billingPeriod: Month, billCycleType: ChargeTriggerDay}, "
     "pricing: {recurringFlatFee: {}}}", "no list price"),
    ("{productRatePlanChargeId: c1, chargeType: Usage, chargeModel: PerUnit}", "usage"),
    ("{productRatePlanChargeId: c1, startDate: {triggerEvent: CustomerAcceptance}, "
     "billing: {billingPeriod: Month, billCycleType: ChargeTriggerDay}, pricing: {recurringFlatFee: {listPrice: 5}}}",
     "CustomerAcceptance"),
    ("{productRatePlanChargeId: c1, pricing: {discount: {discountPercentage: 5}}}", "applyDiscountTo"),
    ("{productRatePlanChargeId: c1}", "no pricing"),
])
def test_figures_that_cannot_be_computed_say_why(tmp_path: Path, charge: str, reason: str) -> None:
    request = spec_request(tmp_path, f"- {charge}\n")
    plan = build_plan(request)
    problems = [d for d in plan.diagnostics if d.code == "P001"]
    assert problems and reason in problems[0].message
    assert problems[0].path.endswith("order.order.yaml") and problems[0].line > 1
    assert plan.result["previewResult"]["invoices"] == []
    assert plan.result["previewResult"]["chargeMetrics"][0]["charges"] == []
    assert "not computed" in plan_text(plan)


def test_actions_on_existing_subscriptions_are_listed_not_computed(tmp_path: Path) -> None:
    path = FIXTURES / "update-existing.order.yaml"
    plan = build_plan(request_of(path))
    text = plan_text(plan)
    assert "UpdateProduct" in text and "RemoveProduct" in text and "existing subscription" in text
    assert {d.code for d in plan.diagnostics} >= {"P001"}
    assert plan.result["previewResult"]["invoices"] == []


def test_evergreen_to_term_end_is_not_computable(tmp_path: Path) -> None:
    request = spec_request(tmp_path, f"""\
        - productRatePlanChargeId: c1
          {MONTHLY}
          pricing: {{recurringFlatFee: {{listPrice: 10}}}}
        """, terms="{initialTerm: {termType: EVERGREEN}}")
    plan = build_plan(request)
    assert any("evergreen" in d.message for d in plan.diagnostics)
    assert amounts(plan) == []
    # a number of periods works: 3 months of 10.00
    plan = build_plan(request, window=Window("NumberOfPeriods", periods=3))
    assert [a for _, _, a in amounts(plan)] == [D("10.00")] * 3


def test_tax_is_never_invented(tmp_path: Path) -> None:
    request = spec_request(tmp_path, f"""\
        - productRatePlanChargeId: c1
          {MONTHLY}
          pricing: {{recurringFlatFee: {{listPrice: 19.99}}}}
        """)
    plan = build_plan(request, window=Window("NumberOfPeriods", periods=3))
    invoice = plan.result["previewResult"]["invoices"][0]
    # Zuora's shape: taxAmount 0 and amount = amountWithoutTax, and P003 says tax was not computed.
    assert invoice["taxAmount"] == 0 and invoice["amount"] == invoice["amountWithoutTax"]
    assert all(item["taxAmount"] == 0 for item in invoice["invoiceItems"])
    assert any(d.code == "P003" for d in plan.diagnostics)
    # 3 months of 19.99 = 59.97
    assert totals(plan)["invoiced"] == D("59.97")


def test_catalog_list_prices_fill_what_the_override_leaves_out(tmp_path: Path) -> None:
    request = spec_request(tmp_path, "- {productRatePlanChargeId: c1}\n")
    catalog = {"c1": {"chargeType": "Recurring", "chargeModel": "Per Unit Pricing", "listPrice": D("4.25"),
                      "quantity": D(4), "billingPeriod": "Month", "billCycleType": "ChargeTriggerDay",
                      "name": "Seats"}}
    plan = build_plan(request, catalog=catalog, window=Window("NumberOfPeriods", periods=2))
    # 4 seats * 4.25 = 17.00 a month
    assert [a for _, _, a in amounts(plan)] == [D("17.00"), D("17.00")]
    assert plan.result["previewResult"]["invoices"][0]["invoiceItems"][0]["chargeName"] == "Seats"


def test_preview_options_window_errors_fall_back_with_p002(tmp_path: Path) -> None:
    request = spec_request(tmp_path, f"""\
        - productRatePlanChargeId: c1
          {MONTHLY}
          pricing: {{recurringFlatFee: {{listPrice: 10}}}}
        """, preview="  previewOptions: {previewThruType: SpecificDate}\n")
    plan = build_plan(request)
    assert any(d.code == "P002" for d in plan.diagnostics)
    assert len(amounts(plan)) == 12  # the whole 12-month term


def test_list_prices_from_the_project_catalog_per_environment(tmp_path: Path) -> None:
    from orderspec.expand import load_catalog

    catalog, problems = load_catalog(str(FIXTURES / "catalog.yaml"))
    assert catalog is not None and not problems
    request = spec_request(tmp_path, "- {productRatePlanChargeId: chg-prod-1, billing: {billCycleType: ChargeTriggerDay}}\n")
    plan = build_plan(request, catalog, "production", window=Window("NumberOfPeriods", periods=2))
    # list price 45.00 a month from the catalog, 2 periods
    assert [a for _, _, a in amounts(plan)] == [D("45.00"), D("45.00")]
    assert plan.result["previewResult"]["invoices"][0]["invoiceItems"][0]["chargeName"] == "base-fee"
    # the sandbox id is another charge: in production the catalog does not know it
    other = spec_request(tmp_path, "- {productRatePlanChargeId: chg-sandbox-1, billing: {billCycleType: ChargeTriggerDay}}\n")
    assert amounts(build_plan(other, catalog, "production")) == []


# -- the emulator previews with the same engine -------------------------------------------------

def test_offline_preview_and_remote_preview_against_the_emulator_agree(monkeypatch: pytest.MonkeyPatch) -> None:
    from click.testing import CliRunner

    from orderspec.cli import cli
    from orderspec.preview_tables import preview_part

    support = pytest.importorskip("dispatch_support")
    for name, value in support.cli_env().items():
        monkeypatch.setenv(name, value)
    runner = CliRunner()
    specs = sorted(EXAMPLES.glob("preview-*.order.yaml"))
    assert len(specs) >= 6
    with support.emulator() as server:
        for spec in specs:
            remote = runner.invoke(cli, ["preview", "--remote", "--base-url", server.url, "--json", *support.FAST,
                                         str(spec)])
            offline = runner.invoke(cli, ["preview", "--json", str(spec)])
            assert remote.exit_code == 0 and offline.exit_code == 0, (remote.output, offline.output)
            remote_result = preview_part(json.loads(remote.stdout, parse_float=Decimal)[0]["response"])
            offline_result = preview_part(json.loads(offline.stdout, parse_float=Decimal)[0]["response"])
            assert remote_result["invoices"], spec.name  # the examples do bill something
            assert remote_result == offline_result, spec.name


# -- untrusted input: never a traceback -----------------------------------------------------------

def _leaves(value: Any, pointer: tuple = ()) -> list[tuple]:
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in _leaves(v, pointer + (k,))]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in _leaves(v, pointer + (i,))]
    return [pointer]


def _set(value: Any, pointer: tuple, new: Any) -> None:
    for part in pointer[:-1]:
        value = value[part]
    value[pointer[-1]] = new


def test_mutated_examples_never_break_the_engine() -> None:
    import copy

    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    requests = [request_of(p) for p in sorted(EXAMPLES.glob("preview-*.order.yaml"))]
    odd_values = st.one_of(
        st.none(), st.booleans(), st.integers(min_value=-10**30, max_value=10**30),
        st.decimals(allow_nan=False, allow_infinity=False, places=4, min_value=-10**20, max_value=10**20),
        st.sampled_from(["0001-01-01", "9999-12-31", "2024-02-29", "2023-02-29", "Month", "Week", "Monday",
                         "SpecificDayofWeek", "ChargeTriggerDay", "Per_Month", "Fixed_Period", "EVERGREEN", "",
                         "Specific_Months", "IN_ARREARS", "Discount"]),
        st.lists(st.integers(), max_size=2), st.dictionaries(st.sampled_from(["tier", "price"]), st.integers(),
                                                             max_size=2))

    @settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(st.integers(min_value=0, max_value=len(requests) - 1), st.data())
    def check(which: int, data: Any) -> None:
        request = copy.copy(requests[which])
        request.body = copy.deepcopy(request.body)
        leaves = _leaves(request.body)
        for _ in range(data.draw(st.integers(min_value=1, max_value=4))):
            _set(request.body, data.draw(st.sampled_from(leaves)), data.draw(odd_values))
        plan = build_plan(request)
        plan_text(plan)
        assert isinstance(plan.result["previewResult"], dict)

    check()


# -- the command line ---------------------------------------------------------------------------

def test_preview_command_prints_the_plan_and_the_tables() -> None:
    from click.testing import CliRunner

    from orderspec.cli import cli

    result = CliRunner().invoke(cli, ["preview", str(EXAMPLES / "preview-flat-fee-monthly.order.yaml")])
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "order action 1: CreateSubscription" in out and "+ rate plan" in out
    assert "2024-01-16 .. 2024-01-31" in out and "(prorated 16/31 days)" in out
    assert "Charge metrics" in out and "Invoice items" in out
    # the order line: 15.48 + 30.00 + 30.00 = 75.48 in one invoice
    assert "Order: MRR 30.00, TCV 360.00, invoiced 75.48 in 1 invoice(s)" in out


def test_preview_command_window_options_and_errors(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from orderspec.cli import cli

    runner = CliRunner()
    spec = str(EXAMPLES / "preview-flat-fee-monthly.order.yaml")
    result = runner.invoke(cli, ["preview", "--json", "--thru", "2024-02-15", spec])
    invoices = json.loads(result.stdout, parse_float=Decimal)[0]["response"]["previewResult"]["invoices"]
    # through Feb 15: the Jan 16 and Feb 1 periods (15.48, 30.00), not March's
    assert [i["amountWithoutTax"] for i in invoices[0]["invoiceItems"]] == [D("15.48"), D("30.00")]
    assert invoices[0]["targetDate"] == "2024-02-15"
    both = runner.invoke(cli, ["preview", "--thru", "2024-02-15", "--periods", "2", spec])
    assert both.exit_code == 2 and "exclude each other" in both.output
    for not_a_date in ("2024-02-30", "20240215"):  # the second one Python 3.11's fromisoformat reads
        refused_date = runner.invoke(cli, ["preview", "--thru", not_a_date, spec])
        assert refused_date.exit_code == 2 and "is not a date (YYYY-MM-DD)" in refused_date.output
    bad = tmp_path / "bad.order.yaml"
    bad.write_text("orderspec: 1\noperation: preview\nbody: {orderDate: 2024-01-01}\n", encoding="utf-8")
    refused = runner.invoke(cli, ["preview", str(bad)])
    assert refused.exit_code == 1 and "fix the specs first" in refused.output


def test_add_product_to_an_existing_subscription(tmp_path: Path) -> None:
    text = textwrap.dedent("""\
        orderspec: 1
        operation: create
        body:
          orderDate: 2024-03-10
          existingAccountNumber: A1
          subscriptions:
            - subscriptionNumber: A-S00000101
              orderActions:
                - type: AddProduct
                  triggerDates: [{name: ContractEffective, triggerDate: 2024-03-10},
                                 {name: ServiceActivation, triggerDate: 2024-03-10}]
                  addProduct:
                    productRatePlanId: rp9
                    chargeOverrides:
                      - productRatePlanChargeId: c9
                        billing: {billingPeriod: Month, billCycleType: SpecificDayofMonth, billCycleDay: 1}
                        pricing: {recurringFlatFee: {listPrice: 62.00}}
        """)
    path = tmp_path / "add.order.yaml"
    path.write_text(text, encoding="utf-8")
    request = request_of(path)
    plan = build_plan(request, window=Window("NumberOfPeriods", periods=2))
    # Mar 10..31 = 22 of March's 31 days: 62.00 * 22/31 = 44.00; then April in full
    assert amounts(plan) == [("2024-03-10", "2024-03-31", D("44.00")), ("2024-04-01", "2024-04-30", D("62.00"))]
    assert plan.result["previewResult"]["invoices"][0]["invoiceItems"][0]["subscriptionNumber"] == "A-S00000101"
    # the existing subscription's term is unknown: no TCV, and no preview to the term end
    assert "tcv" not in plan.result["previewResult"]["chargeMetrics"][0]["charges"][0]
    assert amounts(build_plan(request)) == []


QUARTERLY = "billing: {billingPeriod: Quarter, billCycleType: SpecificDayofMonth, billCycleDay: 1}"


def test_partial_quarter_by_day_names_the_month_first_amount(tmp_path: Path) -> None:
    request = spec_request(tmp_path, f"""\
        - productRatePlanChargeId: c1
          {QUARTERLY}
          pricing: {{recurringFlatFee: {{listPrice: 90}}}}
        """, order_date="2024-01-16")
    plan = build_plan(request, window=Window("NumberOfPeriods", periods=1))
    # Jan 16..31 belongs to the quarter Nov 1 .. Jan 31 (30 + 31 + 31 = 92 days): 90 * 16/92 = 15.652 -> 15.65
    assert amounts(plan) == [("2024-01-16", "2024-01-31", D("15.65"))]
    # month first: no whole month, 16 of January's 31 days, of 3 months: 90 * 16/31 / 3 = 15.483 -> 15.48
    warning, = [d for d in plan.diagnostics if d.code == "P004"]
    assert "15.65 by day" in warning.message and "15.48 by month first" in warning.message


def test_prorate_by_month_first_when_the_charge_says_so(tmp_path: Path) -> None:
    request = spec_request(tmp_path, f"""\
        - productRatePlanChargeId: c1
          {QUARTERLY}
          ratingPropertiesOverride: {{prorationUnit: ProrateByMonthFirst}}
          endDate: {{endDateCondition: Specific_End_Date, specificEndDate: 2024-03-15}}
          pricing: {{recurringFlatFee: {{listPrice: 90}}}}
        """, order_date="2024-01-01")
    plan = build_plan(request)
    # Jan 1 .. Mar 14: 2 whole months + Mar 1..14 = 14 of March's 31 days, of 3 months:
    # 90 * (2 + 14/31) / 3 = 60 + 13.548 = 73.548 -> 73.55 (by day it would be 90 * 74/91 = 73.19)
    assert amounts(plan) == [("2024-01-01", "2024-03-14", D("73.55"))]
    assert not [d for d in plan.diagnostics if d.code == "P004"]
    assert "2 month(s) + 14/31 days of 3 months" in plan_text(plan)


def test_preview_command_takes_several_specs_and_names_each_spec() -> None:
    from click.testing import CliRunner

    from orderspec.cli import cli

    specs = [str(EXAMPLES / "preview-flat-fee-monthly.order.yaml"), str(EXAMPLES / "preview-volume-annual.order.yaml")]
    result = CliRunner().invoke(cli, ["preview", "--json", *specs])
    assert result.exit_code == 0, result.output
    # the same key as `preview --remote --json`: the spec's path
    assert [sorted(entry) for entry in json.loads(result.stdout)] == [["incomplete", "response", "spec", "unpriced"]] * 2
    assert [entry["spec"] for entry in json.loads(result.stdout)] == specs
    text = CliRunner().invoke(cli, ["preview", *specs])
    assert text.exit_code == 0, text.output
    assert [line.split(" (")[0] for line in text.stdout.splitlines() if line.startswith("Offline preview of")] == [
        f"Offline preview of {spec}" for spec in specs]
    assert "SPECS..." in CliRunner().invoke(cli, ["preview", "--help"]).stdout


def test_a_previews_account_info_gives_the_bill_cycle_day_and_currency() -> None:
    """previewAccountInfo is to a preview what newAccount is to a create (preview --remote sends one
    for the other): its billCycleDay bills DefaultFromCustomer charges, its currency the metrics."""
    from orderspec.diagnostics import Location
    from orderspec.model import OnePlace

    body = json.loads((ROOT / "tests" / "fixtures" / "render" / "new-customer-subscription.json").read_text())
    account = body.pop("newAccount")
    body["previewAccountInfo"] = {"currency": "EUR", "billCycleDay": 15}
    body["previewOptions"] = {"previewThruType": "NumberOfPeriods", "previewNumberOfPeriods": 2}
    charge = body["subscriptions"][0]["orderActions"][0]["createSubscription"]["subscribeToRatePlans"][0][
        "chargeOverrides"][0]
    charge["pricing"]["recurringPerUnit"]["listPrice"] = 6
    charge["billing"] = {"billingPeriod": "Month"}
    assert account["billCycleDay"] == 1
    request = Request("p.json", 0, "preview", False, body, OnePlace(Location("p.json", 1, 1)))
    result = build_plan(request).result["previewResult"]
    # 5 x 6.00 from April 15 on the 15th: two whole periods
    (invoice,) = result["invoices"]  # one invoice per preview, through the last bill date
    assert [(i["serviceStartDate"], i["amountWithoutTax"]) for i in invoice["invoiceItems"]] == [
        ("2024-04-15", D("30.00")), ("2024-05-15", D("30.00"))]
    assert (invoice["targetDate"], invoice["amountWithoutTax"]) == ("2024-05-15", D("60.00"))
    assert result["orderDeltaMetrics"]["orderDeltaMrr"][0]["currency"] == "EUR"
