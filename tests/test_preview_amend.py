"""Amendments priced offline against the subscription's snapshot (tests/fixtures/state/), each
against the Zuora documentation example it reproduces, to the cent."""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
from decimal import Decimal
from typing import Any

import pytest
from preview_support import items, request

from orderspec.preview import build_plan
from orderspec.preview.state import tenant_state
from orderspec.state import load_state
from orderspec.preview.engine import Plan
from orderspec.preview.state import TenantState
from orderspec.preview.text import totals

D = Decimal
STATE_DIR = os.path.join(os.path.dirname(__file__), "fixtures", "state")


def read_state_folder(folder: str) -> Any:
    """The state folder as the preview takes it (orderspec.state.load_state, then the GET bodies)."""
    return tenant_state(load_state(folder))


STATE = read_state_folder(STATE_DIR)
SPEC = os.path.join(os.path.dirname(__file__), "fixtures", "preview", "amend", "update-quantity.order.yaml")

CREDIT_PAGE = ("https://docs.zuora.com/en/zuora-billing/manage-accounts-subscriptions-and-non-subscriptions/"
               "manage-subscription-transactions/common-subscription-information/proration/proration-credit/"
               "credit-amount-calculation-with-partial-period-proration")
TAX_USE_CASE_1 = ("https://docs.zuora.com/en/zuora-billing/set-up-zuora-billing/apply-taxes/additional-resources-on-"
                  "taxes/tax-selection-for-calculation/use-case-1-increase-quantity-when-the-new-tax-rate-is-"
                  "effective-in-a-billed-period")
TAX_USE_CASE_2 = ("https://docs.zuora.com/en/zuora-billing/set-up-zuora-billing/apply-taxes/additional-resources-on-"
                  "taxes/tax-selection-for-calculation/use-case-2-decrease-quantity-when-the-new-tax-rate-is-"
                  "effective-in-a-billed-period.")
REFUND_PAGE = ("https://docs.zuora.com/en/zuora-billing/manage-accounts-subscriptions-and-non-subscriptions/"
               "manage-subscription-transactions/orders/order-actions-tutorials/subscription-cancelation-and-"
               "refunding-the-end-customers-automatically---examples/example-1-refund-amount-equals-calculated-"
               "credit-memo")
PRORATION_CREDIT = ("https://docs.zuora.com/en/zuora-billing/manage-accounts-subscriptions-and-non-subscriptions/"
                    "manage-subscription-transactions/common-subscription-information/proration/proration-credit")
CREDIT_MEMO_RULES = ("https://docs.zuora.com/en/zuora-billing/bill-your-customer/invoice-settlement/credit-memos-"
                     "and-debit-memos/rules-for-generating-invoices-and-credit-memos")


def on(date: str) -> list[dict[str, str]]:
    return [{"name": name, "triggerDate": date} for name in ("ContractEffective", "ServiceActivation",
                                                              "CustomerAcceptance")]


def amend(number: str, actions: list[dict[str, Any]], order_date: str, *, thru: str | None = None,
          account: str = "A00000101", state: TenantState | None = STATE, **options: Any) -> Plan:
    preview = {"previewThruType": "SpecificDate", "specificPreviewThruDate": thru} if thru \
        else {"previewThruType": "TermEnd"}
    body = {"orderDate": order_date, "existingAccountNumber": account, "previewOptions": preview,
            "subscriptions": [{"subscriptionNumber": number, "orderActions": actions}]}
    return build_plan(request(body), state=state, **options)


def update(rate_plan: str, charge: str, pricing: dict[str, Any], date: str) -> dict[str, Any]:
    return {"type": "UpdateProduct", "triggerDates": on(date),
            "updateProduct": {"ratePlanId": rate_plan, "chargeUpdates": [{"chargeNumber": charge, "pricing": pricing}]}}


def cancel(date: str) -> dict[str, Any]:
    return {"type": "CancelSubscription", "triggerDates": on(date),
            "cancelSubscription": {"cancellationPolicy": "SpecificDate", "cancellationEffectiveDate": date}}


def metrics(plan: Plan) -> dict[str, dict[str, Any]]:
    return {c["chargeNumber"]: c for block in plan.result["previewResult"]["chargeMetrics"] for c in block["charges"]}


def with_snapshot(number: str, change: Any) -> TenantState:
    subscriptions = copy.deepcopy(dict(STATE.subscriptions))
    change(subscriptions[number])
    return TenantState(subscriptions, STATE.accounts)


# -- UpdateProduct: a credit of the old price and a charge of the new one, each rounded -----------

def test_a_quantity_increase_in_a_billed_period_credits_the_old_and_charges_the_new() -> None:
    # TAX_USE_CASE_1: 10 users at $10 a year billed 1/1/2021-12/31/2021 (100); 10 -> 11 on 7/1/2021:
    # "Service fee-Proration credit | 7/1/2021-12/31/2021 | 10 | -50.41" (10 * 10 / 365 * 184) and
    # "Service fee - Proration | 7/1/2021-12/31/2021 | 11 | 55.45" (11 * 10 / 365 * 184).
    assert TAX_USE_CASE_1.startswith("https://docs.zuora.com/")
    plan = amend("A-S00000101", [update("8a8aa0bd7b0d3d0a017b0d7a1f2a0111", "C-00000101",
                                        {"recurringPerUnit": {"quantity": 11}}, "2021-07-01")],
                 "2021-07-01", thru="2021-07-01")
    assert not plan.incomplete, plan.unpriced
    assert items(plan) == [("2021-07-01", "2021-12-31", D("-50.41")), ("2021-07-01", "2021-12-31", D("55.45"))]
    invoice_items = plan.result["previewResult"]["invoices"][0]["invoiceItems"]
    assert [i["additionalInfo"]["quantity"] for i in invoice_items] == [10, 11]
    assert plan.result["previewResult"]["invoices"][0]["amount"] == D("5.04")
    # The change the order makes: MRR 100/12 = 8.33 -> 110/12 = 9.17.
    cmrr = metrics(plan)["C-00000101"]["cmrr"]
    assert (cmrr["regular"], cmrr["regularDelta"]) == (D("9.17"), D("0.84"))
    assert metrics(plan)["C-00000101"]["tcv"]["regularDelta"] == D("5.04")
    delta = plan.result["previewResult"]["orderDeltaMetrics"]["orderDeltaMrr"]
    assert [(d["orderActionType"], d["grossAmount"]) for d in delta] == [("UpdateProduct", D("0.84"))]
    assert totals(plan)["mrr"] == D("0.84") and totals(plan)["invoiced"] == D("5.04")


def test_a_quantity_decrease_in_a_billed_period() -> None:
    # TAX_USE_CASE_2: 10 -> 9 users: "-50.41" and "Service fee - Proration | 7/1/2021-12/31/2021 | 9 | 45.37"
    # (9 * 10 / 365 * 184 = 45.37).
    assert TAX_USE_CASE_2.startswith("https://docs.zuora.com/")
    plan = amend("A-S00000101", [update("8a8aa0bd7b0d3d0a017b0d7a1f2a0111", "C-00000101",
                                        {"recurringPerUnit": {"quantity": 9}}, "2021-07-01")],
                 "2021-07-01", thru="2021-07-01")
    assert items(plan) == [("2021-07-01", "2021-12-31", D("-50.41")), ("2021-07-01", "2021-12-31", D("45.37"))]
    assert metrics(plan)["C-00000101"]["cmrr"]["regularDelta"] == D("-0.83")  # 7.50 - 8.33


def test_a_price_decrease_over_billed_periods_nets_negative() -> None:
    # CREDIT_MEMO_RULES, "Create credit memos for net negative invoice totals", Example 2: $100 a month
    # from January 1, January-March billed ($300); "an Update Product amendment to decrease the price
    # to $50 starting from February 1" and a bill run for the three months: "the total amount of the
    # charges in the bill run is -$100".
    assert CREDIT_MEMO_RULES.startswith("https://docs.zuora.com/")

    def three_months_billed(body: dict[str, Any]) -> None:
        body["termStartDate"], body["termEndDate"] = "2024-01-01", "2025-01-01"
        charge = body["ratePlans"][0]["ratePlanCharges"][0]
        charge.update(effectiveStartDate="2024-01-01", effectiveEndDate="2025-01-01", chargedThroughDate="2024-04-01")

    state = with_snapshot("A-S00000103", three_months_billed)
    plan = amend("A-S00000103", [update("8a8aa0bd7b0d3d0a017b0d7a1f2a0311", "C-00000103",
                                        {"recurringFlatFee": {"listPrice": 50}}, "2024-02-01")],
                 "2024-02-01", thru="2024-03-31", state=state)
    assert items(plan) == [("2024-02-01", "2024-02-29", D("-100.00")), ("2024-03-01", "2024-03-31", D("-100.00")),
                           ("2024-02-01", "2024-02-29", D("50.00")), ("2024-03-01", "2024-03-31", D("50.00"))]
    assert plan.result["previewResult"]["invoices"][0]["amount"] == D("-100.00")


FUTURE_DATED = ("https://docs.zuora.com/en/zuora-billing/manage-accounts-subscriptions-and-non-subscriptions/"
                "manage-subscription-transactions/orders/order-actions-tutorials/update-products-on-subscriptions-"
                "with-future-dated-updates")


def test_an_update_before_a_future_dated_update_keeps_it() -> None:
    # FUTURE_DATED: one year from January 1, 2021; an update effective July 1, then one effective May 1:
    # "Basic Service | January 1, 2021 - April 30, 2021 | $10/seat/month * 10 seat", "Special Service |
    # May 1, 2021 - June 30, 2021 | $9/seat/month * 15 seat", "Premium Service | July 1, 2021 -
    # December 31, 2021 | $8/seat/month * 20 seat". Billed through March here: April at 100, then 135, 160.
    assert FUTURE_DATED.startswith("https://docs.zuora.com/")

    def ten_seats(body: dict[str, Any]) -> None:
        body["termStartDate"], body["termEndDate"] = "2021-01-01", "2022-01-01"
        charge = body["ratePlans"][0]["ratePlanCharges"][0]
        charge.update(model="PerUnit", price=10, quantity=10, effectiveStartDate="2021-01-01",
                      effectiveEndDate="2022-01-01", chargedThroughDate="2021-04-01")

    rate_plan = "8a8aa0bd7b0d3d0a017b0d7a1f2a0311"
    actions = [update(rate_plan, "C-00000103", {"recurringPerUnit": {"listPrice": 8, "quantity": 20}}, "2021-07-01"),
               update(rate_plan, "C-00000103", {"recurringPerUnit": {"listPrice": 9, "quantity": 15}}, "2021-05-01")]
    plan = amend("A-S00000103", actions, "2021-04-01", thru="2021-12-31", account="A00000101",
                 state=with_snapshot("A-S00000103", ten_seats))
    assert not plan.incomplete, plan.unpriced
    monthly = [(start[:7], amount) for start, _, amount in items(plan)]
    assert monthly == [("2021-04", D("100.00")), ("2021-05", D("135.00")), ("2021-06", D("135.00"))] + \
        [(f"2021-{m:02d}", D("160.00")) for m in range(7, 13)]
    assert metrics(plan)["C-00000103"]["cmrr"]["regular"] == D("160.00")


# -- RemoveProduct, CancelSubscription: credit what was billed beyond the effective date ----------

def test_a_cancellation_credits_the_billed_amount_minus_the_charged_portion() -> None:
    # CREDIT_PAGE: $100 a quarter, paid January 1 - April 1, 2023, cancelled from February 21, 2023:
    # "Charged amount = Price per billing period x (Prorated days / Actual number of days of prorated
    # period)": 100 x (51 / 90) = 56.66666667; "Credit amount = Total billing period amount - Charged
    # amount". The page rounds to whole dollars for its table (57 and 43); in cents 56.67 and 43.33,
    # and "The total invoice amount is: 100 - 43 = 57, and it aligns with the CCV calculation."
    assert CREDIT_PAGE.startswith("https://docs.zuora.com/")
    plan = amend("A-S00000102", [cancel("2023-02-21")], "2023-02-21", thru="2023-02-21")
    assert not plan.incomplete, plan.unpriced
    assert items(plan) == [("2023-02-21", "2023-03-31", D("-43.33"))]
    assert D(100) + items(plan)[0][2] == (D(100) * 51 / 90).quantize(D("0.01"))  # the CCV of the kept part
    charge = metrics(plan)["C-00000102"]
    assert (charge["cmrr"]["regular"], charge["cmrr"]["regularDelta"]) == (D("0.00"), D("-33.33"))
    assert charge["tcv"]["regular"] == D("56.67")  # what the subscription is worth now: 51 days of the quarter


def test_a_cancellation_goes_on_a_credit_memo_with_invoice_settlement() -> None:
    # REFUND_PAGE: $100 a month, the January period billed, "the cancellation effective date as
    # 01/09/2022 ... counting from 01/09/2022, 23 out of 31 days do not need to be paid, and thus $74.2
    # is calculated as a credit memo" (the payment applied: "$25.8"). The page writes one decimal; in
    # cents: 100 - 100 x 8/31 = 100 - 25.81 = 74.19. Account A00000102 keeps credit memo balances
    # (Invoice Settlement), so the credit is a credit memo item with a positive amount.
    assert REFUND_PAGE.startswith("https://docs.zuora.com/")
    plan = amend("A-S00000103", [cancel("2022-01-09")], "2022-01-09", thru="2022-01-09", account="A00000102")
    result = plan.result["previewResult"]
    assert result["invoices"] == []
    [memo] = result["creditMemos"]
    assert memo["amount"] == D("74.19") and memo["targetDate"] == "2022-01-09"
    [item] = memo["creditMemoItems"]
    assert (item["serviceStartDate"], item["serviceEndDate"], item["amountWithoutTax"]) == \
        ("2022-01-09", "2022-01-31", D("74.19"))
    assert (memo["amount"].quantize(D("0.1")), (100 - memo["amount"]).quantize(D("0.1"))) == (D("74.2"), D("25.8"))


def test_the_configuration_says_the_tenant_has_invoice_settlement() -> None:
    plan = amend("A-S00000102", [cancel("2023-02-21")], "2023-02-21", thru="2023-02-21",
                 state=TenantState(STATE.subscriptions, STATE.accounts, invoice_settlement=True))
    assert plan.result["previewResult"]["creditMemos"][0]["amount"] == D("43.33")
    assert plan.result["previewResult"]["invoices"] == []
    without = amend("A-S00000102", [cancel("2023-02-21")], "2023-02-21", thru="2023-02-21")
    assert "creditMemos" not in without.result["previewResult"]


def test_the_proration_credit_page_credits_from_the_cancellation_to_the_end_of_the_quarter() -> None:
    # PRORATION_CREDIT: bill cycle day 1, billing trigger 10/1/2014, quarterly, first full quarter
    # 10/1/2014 - 12/31/2014 billed; "canceled early on 10/15/2014": "the next invoice would show a credit
    # for the period 10/15/2014 - 12/31/2014" (no amount given; by day: 100 x 78/92).
    assert PRORATION_CREDIT.startswith("https://docs.zuora.com/")

    def quarter_from_october(body: dict[str, Any]) -> None:
        body["termStartDate"], body["termEndDate"] = "2014-10-01", "2015-10-01"
        charge = body["ratePlans"][0]["ratePlanCharges"][0]
        charge.update(effectiveStartDate="2014-10-01", effectiveEndDate="2015-10-01", chargedThroughDate="2015-01-01")

    plan = amend("A-S00000102", [cancel("2014-10-15")], "2014-10-15", thru="2014-10-15",
                 state=with_snapshot("A-S00000102", quarter_from_october))
    assert items(plan) == [("2014-10-15", "2014-12-31", D("-84.78"))]
    assert D("-84.78") == -(D(100) - (D(100) * 14 / 92).quantize(D("0.01")))


def test_removing_a_rate_plan_credits_it_and_bills_the_others_as_they_are() -> None:
    # Invented prices: $30 a month billed through March 2024, removed from March 16: 30 - 30 x 15/31.
    plan = amend("A-S00000104", [{"type": "RemoveProduct", "triggerDates": on("2024-03-16"),
                                  "removeProduct": {"ratePlanId": "rp-104-base"}}], "2024-03-16", thru="2024-04-15")
    assert not plan.incomplete, plan.unpriced
    # The seats plan, left as it is, bills its next period (billed through April 15) in the window.
    assert items(plan) == [("2024-03-16", "2024-03-31", D("-15.48")), ("2024-04-15", "2024-05-14", D("20.00"))]
    assert list(metrics(plan)) == ["C-00000104"]  # metrics: only what the order changes
    assert totals(plan)["mrr"] == D("-30.00")


def test_periods_already_billed_are_not_billed_again() -> None:
    # An AddProduct in March on a subscription billed through March: its other charges bill from April.
    add = {"type": "AddProduct", "triggerDates": on("2024-03-16"),
           "addProduct": {"productRatePlanId": "prp-new", "chargeOverrides": [
               {"productRatePlanChargeId": "prpc-new", "pricing": {"recurringFlatFee": {"listPrice": 31}},
                "billing": {"billingPeriod": "Month"}}]}}
    plan = amend("A-S00000104", [add], "2024-03-16", thru="2024-04-01")
    assert not plan.incomplete, plan.unpriced
    assert items(plan) == [("2024-03-16", "2024-03-31", D("16.00")), ("2024-04-01", "2024-04-30", D("31.00")),
                           ("2024-04-01", "2024-04-30", D("30.00"))]
    # The snapshot gives the term, so the added charge has a TCV: 16.00 + 9 months x 31.
    added = plan.subscriptions[0].charges[0]
    assert added.tcv == D("295.00") and added.mrr_delta == D("31.00")


CANCEL_TUTORIAL = "https://developer.zuora.com/docs/get-started/tutorials/cancel-subscription"


def add_new_plan(date: str) -> dict[str, Any]:
    return {"type": "AddProduct", "triggerDates": on(date),
            "addProduct": {"productRatePlanId": "prp-new", "chargeOverrides": [
                {"productRatePlanChargeId": "prpc-new", "pricing": {"recurringFlatFee": {"listPrice": 31}},
                 "billing": {"billingPeriod": "Month"}}]}}


def added_items(plan: Plan) -> list[tuple[str, str, Decimal]]:
    return [(i["serviceStartDate"], i["serviceEndDate"], i["amountWithoutTax"])
            for inv in plan.result["previewResult"]["invoices"] for i in inv["invoiceItems"]
            if i["productRatePlanChargeId"] == "prpc-new"]


@pytest.mark.parametrize("thru", [None, "2024-12-31"])
def test_a_cancellation_later_in_the_order_ends_the_charge_the_order_adds(thru: str | None) -> None:
    """The rule (Zuora's "Cancel subscriptions" tutorial, CANCEL_TUTORIAL: "Canceling a subscription
    stops new invoice items from being generated by all the charges belonging to the canceled
    subscription") for a charge the same order adds; no Zuora page gives figures for the pair, so
    these are worked by hand. 31.00 a month, billed on the account's day 1 (A00000101), added
    2024-03-16 to A-S00000104, the subscription cancelled from 2024-05-10 (served to May 9):
    March 16-31 = 31 x 16/31 = 16.00, April whole = 31.00, May 1-9 = 31 x 9/31 = 9.00, then nothing,
    whether the preview runs to the term end (2025-01-01) or to a date past the cancellation.
    Its TCV is those three, 56.00 (it was 295.00: billed to the term end); its MRR after the
    order is 0, as for the subscription's own charges the cancellation ends."""
    plan = amend("A-S00000104", [add_new_plan("2024-03-16"), cancel("2024-05-10")], "2024-03-16", thru=thru)
    assert not plan.incomplete, plan.unpriced
    assert added_items(plan) == [("2024-03-16", "2024-03-31", D("16.00")), ("2024-04-01", "2024-04-30", D("31.00")),
                                 ("2024-05-01", "2024-05-09", D("9.00"))]
    added = plan.subscriptions[0].charges[0]
    assert (added.tcv, added.mrr, added.ended) == (D("56.00"), D("0"), True)
    assert totals(plan)["mrr"] == D("-50.00")  # the subscription's 30.00 and 4 x 5.00 end; the added charge too


def test_a_renewal_later_in_the_order_carries_the_added_charge_into_the_new_term() -> None:
    # A-S00000104's term ends 2025-01-01 and does not renew by itself; the order adds the 31.00 charge
    # (ending with the term), then renews for the snapshot's 12-month renewal term: the charge bills on
    # into 2025 (January and February whole, 31.00 each), as the subscription's own charges do.
    renew = {"type": "RenewSubscription", "triggerDates": on("2024-03-16"), "renewSubscription": {}}
    plan = amend("A-S00000104", [add_new_plan("2024-03-16"), renew], "2024-03-16", thru="2025-02-28")
    assert not plan.incomplete, plan.unpriced
    assert added_items(plan)[-3:] == [("2024-12-01", "2024-12-31", D("31.00")),
                                      ("2025-01-01", "2025-01-31", D("31.00")),
                                      ("2025-02-01", "2025-02-28", D("31.00"))]


def test_a_cancellation_at_the_end_of_the_term_stops_an_added_charge_renewing() -> None:
    # A-S00000104 made to renew by itself: cancelled at the end of its term (2025-01-01), it does not
    # renew ("Subscription will not renew even if the auto-renew option is enabled", CANCEL_TUTORIAL),
    # so the charge the order adds bills December 2024 last, nothing in 2025.
    def renews(snapshot: dict[str, Any]) -> None:
        snapshot["autoRenew"] = True
    end_of_term = {"type": "CancelSubscription", "triggerDates": on("2024-03-16"),
                   "cancelSubscription": {"cancellationPolicy": "EndOfCurrentTerm"}}
    plan = amend("A-S00000104", [add_new_plan("2024-03-16"), end_of_term], "2024-03-16", thru="2025-03-31",
                 state=with_snapshot("A-S00000104", renews))
    assert added_items(plan)[-1] == ("2024-12-01", "2024-12-31", D("31.00"))
    assert plan.subscriptions[0].term == "term 2024-01-01 .. 2024-12-31"


def test_a_suspend_later_in_the_order_leaves_the_added_charge_unpriced() -> None:
    suspend = {"type": "Suspend", "triggerDates": on("2024-05-10"),
               "suspend": {"suspendPolicy": "SpecificDate", "suspendSpecificDate": "2024-05-10"}}
    plan = amend("A-S00000104", [add_new_plan("2024-03-16"), suspend], "2024-03-16", thru="2024-12-31")
    assert plan.incomplete and added_items(plan) == []
    assert "a Suspend later in this order" in plan.unpriced[0].reason


# -- terms: renewal, terms and conditions ------------------------------------------------------------

def test_a_renewal_adds_its_term_to_the_charges_that_end_with_the_term() -> None:
    plan = amend("A-S00000104", [{"type": "RenewSubscription", "triggerDates": on("2024-03-16")}], "2024-03-16")
    assert not plan.incomplete, plan.unpriced
    assert plan.subscriptions[0].term_end is not None and plan.subscriptions[0].term_end.isoformat() == "2026-01-01"
    base = metrics(plan)["C-00000104"]
    assert base["tcv"]["regularDelta"] == D("360.00")  # 12 more months at $30
    assert base["cmrr"]["regularDelta"] == D("0.00")
    # To the new term end: April 2024 .. December 2025 of the base fee, 21 x 30.
    base_items = [i for i in items(plan) if i[2] == D("30.00")]
    assert len(base_items) == 21 and base_items[0][0] == "2024-04-01" and base_items[-1][1] == "2025-12-31"


def test_a_shorter_term_credits_the_billed_periods_after_its_new_end() -> None:
    terms = {"type": "TermsAndConditions", "triggerDates": on("2024-02-15"),
             "termsAndConditions": {"lastTerm": {"termType": "TERMED", "period": 2, "periodType": "Month"}}}
    plan = amend("A-S00000104", [terms], "2024-02-15", thru="2024-03-31")
    assert not plan.incomplete, plan.unpriced
    # The base fee billed through March 31 ends March 1: March is credited in full. The seats, billed
    # through April 14 on the 15th, keep February 15-29 of the period from February 15 (20 x 15/29 of
    # February = 10.34): the rest of that period is credited, 20 - 10.34, and the next period in full.
    assert items(plan) == [("2024-03-01", "2024-03-31", D("-30.00")), ("2024-03-01", "2024-03-14", D("-9.66")),
                           ("2024-03-15", "2024-04-14", D("-20.00"))]
    assert plan.subscriptions[0].term_end is not None and plan.subscriptions[0].term_end.isoformat() == "2024-03-01"
    assert metrics(plan)["C-00000104"]["cmrr"]["regularDelta"] == D("0.00")  # still billed until the term ends


# -- Suspend, Resume, ChangePlan, OwnerTransfer -------------------------------------------------------

def test_suspend_credits_from_the_suspension_and_resume_bills_again() -> None:
    actions = [{"type": "Suspend", "triggerDates": on("2024-03-16"),
                "suspend": {"suspendPolicy": "SpecificDate", "suspendSpecificDate": "2024-03-16"}},
               {"type": "Resume", "triggerDates": on("2024-03-16"),
                "resume": {"resumePolicy": "SpecificDate", "resumeSpecificDate": "2024-05-01"}}]
    plan = amend("A-S00000104", actions, "2024-03-16", thru="2024-05-01")
    assert not plan.incomplete, plan.unpriced
    base = [i for i in items(plan) if i[1] in ("2024-03-31", "2024-05-31")]
    assert base == [("2024-03-16", "2024-03-31", D("-15.48")), ("2024-05-01", "2024-05-31", D("30.00"))]


def test_the_plan_says_a_suspended_charge_is_suspended_and_a_resumed_one_is_not() -> None:
    from orderspec.preview.text import plan_text

    suspend = {"type": "Suspend", "triggerDates": on("2024-03-16"),
               "suspend": {"suspendPolicy": "SpecificDate", "suspendSpecificDate": "2024-03-16"}}
    resume = {"type": "Resume", "triggerDates": on("2024-03-16"),
              "resume": {"resumePolicy": "SpecificDate", "resumeSpecificDate": "2024-05-01"}}
    suspended = plan_text(amend("A-S00000104", [suspend], "2024-03-16", thru="2024-05-01"))
    assert "- charge Base fee (prpc-base): Recurring FlatFee" in suspended
    assert "from 2024-01-01 to 2024-03-15, suspended by the order from 2024-03-16  MRR 30.00 -> 0.00" in suspended
    resumed = plan_text(amend("A-S00000104", [suspend, resume], "2024-03-16", thru="2024-05-01"))
    assert "~ charge Base fee (prpc-base)" in resumed and "by the order from" not in resumed


def test_change_plan_removes_the_old_plan_and_adds_the_new_one() -> None:
    change = {"type": "ChangePlan", "triggerDates": on("2024-03-16"),
              "changePlan": {"ratePlanId": "rp-104-base", "newProductRatePlan": {
                  "productRatePlanId": "prp-premium", "chargeOverrides": [
                      {"productRatePlanChargeId": "prpc-premium", "pricing": {"recurringFlatFee": {"listPrice": 62}},
                       "billing": {"billingPeriod": "Month"}}]}}}
    plan = amend("A-S00000104", [change], "2024-03-16", thru="2024-03-31")
    assert not plan.incomplete, plan.unpriced
    assert items(plan) == [("2024-03-16", "2024-03-31", D("-15.48")), ("2024-03-16", "2024-03-31", D("32.00"))]
    assert totals(plan)["mrr"] == D("32.00")  # 62 added, 30 removed


def test_an_owner_transfer_moves_no_money() -> None:
    transfer = {"type": "OwnerTransfer", "triggerDates": on("2024-03-16"),
                "ownerTransfer": {"destinationAccountNumber": "A00000102"}}
    plan = amend("A-S00000104", [transfer], "2024-03-16", thru="2024-03-31")
    assert not plan.incomplete and plan.result["previewResult"]["invoices"] == []
    assert totals(plan)["mrr"] == 0


# -- what the snapshot cannot answer is reported, never guessed --------------------------------------

def test_a_rate_plan_the_snapshot_lacks_is_unpriced() -> None:
    plan = amend("A-S00000104", [{"type": "RemoveProduct", "triggerDates": on("2024-03-16"),
                                  "removeProduct": {"ratePlanId": "rp-nope"}}], "2024-03-16", thru="2024-03-31")
    assert plan.incomplete
    assert "has no rate plan with ratePlanId rp-nope" in plan.unpriced[0].reason
    assert any(d.code == "P001" for d in plan.diagnostics)


def test_without_a_snapshot_the_actions_stay_unpriced() -> None:
    plan = amend("A-S00000101", [cancel("2021-07-01")], "2021-07-01", thru="2021-07-01", state=None)
    assert plan.incomplete and "not known offline" in plan.unpriced[0].reason
    other = amend("A-S09999999", [cancel("2021-07-01")], "2021-07-01", thru="2021-07-01")
    assert other.incomplete


def test_a_usage_charge_of_the_subscription_leaves_the_invoice_incomplete() -> None:
    def with_usage(body: dict[str, Any]) -> None:
        body["ratePlans"][0]["ratePlanCharges"].append({"number": "C-00000199", "name": "Calls", "type": "Usage",
                                                        "model": "PerUnit", "effectiveStartDate": "2024-01-01"})

    plan = amend("A-S00000104", [cancel("2024-03-16")], "2024-03-16", thru="2024-03-31",
                 state=with_snapshot("A-S00000104", with_usage))
    assert plan.incomplete and any("usage" in u.reason for u in plan.unpriced)


# -- the state folder and the command line -------------------------------------------------------------

def test_the_state_folder_is_keyed_by_number() -> None:
    assert sorted(STATE.subscriptions) == ["A-S00000101", "A-S00000102", "A-S00000103", "A-S00000104"]
    assert sorted(STATE.accounts) == ["A00000101", "A00000102"]


def test_a_bad_state_file_is_reported_not_raised(tmp_path: Any) -> None:
    (tmp_path / "subscriptions").mkdir()
    (tmp_path / "subscriptions" / "A-S1.yaml").write_text("status: [unclosed\n")
    loaded = load_state(str(tmp_path))
    assert tenant_state(loaded).subscriptions == {}
    assert any(d.path.endswith("A-S1.yaml") for d in loaded.diagnostics)


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in (os.getcwd(), os.environ.get("PYTHONPATH")) if p)}
    return subprocess.run([sys.executable, "-m", "orderspec", *args], capture_output=True, text=True, env=env)


def test_preview_with_state_prices_the_amendment() -> None:
    done = run_cli("preview", "--json", "--state", STATE_DIR, SPEC)
    assert done.returncode == 0, done.stderr
    [entry] = json.loads(done.stdout)
    assert entry["incomplete"] is False
    amounts = [i["amountWithoutTax"] for i in entry["response"]["previewResult"]["invoices"][0]["invoiceItems"]]
    assert amounts == [-50.41, 55.45]
    text = run_cli("preview", "--state", STATE_DIR, SPEC)
    assert text.returncode == 0 and "credits 2021-07-01: 2021-07-01 .. 2021-12-31      -50.41" in text.stdout
    without = run_cli("preview", SPEC)
    assert without.returncode == 3 and "UpdateProduct" in without.stdout


@pytest.mark.parametrize("folder", ["missing-folder"])
def test_a_state_folder_that_is_not_there_is_a_usage_error(folder: str) -> None:
    done = run_cli("preview", "--state", folder, SPEC)
    assert done.returncode == 2 and "no such state folder" in done.stderr


@pytest.mark.parametrize("damage", [
    lambda b: b.update(ratePlans="nope"),
    lambda b: b.update(termEndDate=None),
    lambda b: b["ratePlans"][0].update(ratePlanCharges=[None, 3, {"type": "Recurring"}]),
    lambda b: b["ratePlans"][0]["ratePlanCharges"][0].update(price="abc"),
    lambda b: b["ratePlans"][0]["ratePlanCharges"][0].update(billingPeriod="Fortnight"),
    lambda b: b["ratePlans"][0]["ratePlanCharges"][0].update(chargedThroughDate="soon", effectiveStartDate=7),
    lambda b: b["ratePlans"][0]["ratePlanCharges"][0].update(billingDay="whenever"),
])
def test_a_damaged_snapshot_is_reported_never_raised(damage: Any) -> None:
    state = with_snapshot("A-S00000104", damage)
    for actions in ([cancel("2024-03-16")], [update("rp-104-base", "C-00000104",
                                                    {"recurringFlatFee": {"listPrice": 40}}, "2024-03-16")],
                    [{"type": "RenewSubscription", "triggerDates": on("2024-03-16")}]):
        plan = amend("A-S00000104", actions, "2024-03-16", thru="2024-03-31", state=state)
        assert plan.result["success"] is True


def test_invoice_settlement_is_a_configuration_key(tmp_path: Any) -> None:
    from orderspec.config import ConfigError, from_table

    assert from_table({"invoice-settlement": True}, str(tmp_path / "orderspec.toml")).invoice_settlement is True
    assert from_table({}, str(tmp_path / "orderspec.toml")).invoice_settlement is False
    with pytest.raises(ConfigError, match="invoice-settlement"):
        from_table({"invoice-settlement": "yes"}, str(tmp_path / "orderspec.toml"))


def test_diff_with_state_reports_the_change_the_amendment_makes(tmp_path: Any) -> None:
    # The same update, to 11 users and then to 12: MRR +0.84 (110/12 - 100/12) and +1.67 (120/12 - 100/12).
    old, new = tmp_path / "old.order.yaml", tmp_path / "new.order.yaml"
    text = open(SPEC, encoding="utf-8").read()
    old.write_text(text)
    new.write_text(text.replace("quantity: 11", "quantity: 12"))
    done = run_cli("diff", "--state", STATE_DIR, str(old), str(new))
    assert done.returncode == 1, done.stderr
    assert "0.84" in done.stdout and "1.67" in done.stdout
    assert "*" not in done.stdout.split("Figures")[0].replace("**", "")  # priced: not marked incomplete
    unpriced = run_cli("diff", str(old), str(new))
    assert "0.84" not in unpriced.stdout


def test_a_preview_of_periods_counts_them_from_where_billing_stands() -> None:
    transfer = {"type": "OwnerTransfer", "triggerDates": on("2024-03-16"),
                "ownerTransfer": {"destinationAccountNumber": "A00000102"}}
    body = {"orderDate": "2024-03-16", "existingAccountNumber": "A00000101",
            "previewOptions": {"previewThruType": "NumberOfPeriods", "previewNumberOfPeriods": 2},
            "subscriptions": [{"subscriptionNumber": "A-S00000104", "orderActions": [transfer]}]}
    plan = build_plan(request(body), state=STATE)
    assert not plan.incomplete, plan.unpriced
    # Each charge's next two periods after its chargedThroughDate (April 1; April 15 on the 15th).
    assert items(plan) == [("2024-04-01", "2024-04-30", D("30.00")), ("2024-05-01", "2024-05-31", D("30.00")),
                           ("2024-04-15", "2024-05-14", D("20.00")), ("2024-05-15", "2024-06-14", D("20.00"))]


def test_a_state_file_that_is_not_a_body_is_reported_at_its_line(tmp_path: Any) -> None:
    (tmp_path / "accounts").mkdir()
    (tmp_path / "accounts" / "A1.yaml").write_text("- not\n- a body\n")
    (tmp_path / "accounts" / "A2.json").write_text("")
    loaded = load_state(str(tmp_path))
    assert tenant_state(loaded).accounts == {}
    found = {(d.path.rsplit("/", 1)[-1], d.line) for d in loaded.diagnostics}
    assert ("A1.yaml", 1) in found and any(name == "A2.json" for name, _ in found)


def test_remote_preview_takes_the_state_for_its_lint_gate_only() -> None:
    # With --remote the tenant prices the order; the state folder still feeds the lint rules
    # (R060-R065) that stand before anything is sent, so a spec it refuses sends nothing.
    done = run_cli("preview", "--remote", "--state", STATE_DIR, "--base-url", "http://127.0.0.1:9", SPEC)
    assert done.returncode != 0 and "Traceback" not in done.stderr

