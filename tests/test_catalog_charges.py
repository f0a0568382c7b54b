"""effective_charges: every charge of a subscribed plan, from the catalog, overrides merged field by field."""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from pathlib import Path

import pytest

from orderspec.expand import Catalog, load_catalog
from orderspec.preview.catalog_charges import effective_charges, merged, model_name, pricing_key

CATALOG = """\
catalog: 1
environments: [sandbox, production]
products:
  widgets:
    ratePlans:
      widgets-monthly:
        id: {sandbox: PLAN-SB, production: PLAN-PROD}
        number: PRP-00000007
        charges:
          platform:
            id: {sandbox: C-PLATFORM-SB, production: C-PLATFORM-PROD}
            number: PRPC-00000070
            type: Recurring
            model: Flat Fee Pricing
            listPrice: 100.00
            currency: USD
            billingPeriod: Quarter
            billCycleType: SpecificDayofMonth
            billCycleDay: 15
            billingTiming: IN_ARREARS
            billingPeriodAlignment: AlignToCharge
            triggerEvent: ServiceActivation
            endDateCondition: Fixed_Period
            upToPeriods: 4
            upToPeriodsType: Billing_Periods
          seats:
            id: C-SEATS
            number: PRPC-00000071
            type: Recurring
            model: Tiered
            billingPeriod: Month
            uom: seat
            defaultQuantity: 10
            listPriceBase: Per_Billing_Period
            tiers:
              - {startingUnit: 1, endingUnit: 10, price: 5.00, priceFormat: PerUnit}
              - {startingUnit: 11, price: 4.00, priceFormat: PerUnit}
          setup:
            id: C-SETUP
            type: OneTime
            model: FlatFee
            prices:
              - {currency: USD, listPrice: 50.00}
              - {currency: EUR, listPrice: 45.00}
          loyalty:
            id: C-LOYALTY
            type: Recurring
            model: DiscountPercentage
            discountPercentage: 10
            applyDiscountTo: RECURRING
            discountLevel: rateplan
            billingPeriod: Month
"""


@pytest.fixture()
def catalog(tmp_path: Path) -> Catalog:
    path = tmp_path / "catalog.yaml"
    path.write_text(CATALOG, encoding="utf-8")
    found, problems = load_catalog(str(path))
    assert found is not None and not problems, problems
    return found


def by_id(found: list, key: str):  # type: ignore[no-untyped-def]
    return next(c for c in found if c.charge.get("productRatePlanChargeId") == key)


def test_a_plan_without_overrides_subscribes_every_catalog_charge(catalog: Catalog) -> None:
    found = effective_charges(catalog, {"productRatePlanId": "PLAN-SB"}, "sandbox", currency="USD")
    assert [c.charge["productRatePlanChargeId"] for c in found] == ["C-PLATFORM-SB", "C-SEATS", "C-SETUP", "C-LOYALTY"]
    assert all(not c.problems and c.override_index is None for c in found)
    platform = found[0]
    assert platform.charge == {
        "productRatePlanChargeId": "C-PLATFORM-SB", "productRatePlanChargeNumber": "PRPC-00000070",
        "pricing": {"recurringFlatFee": {"listPrice": Decimal("100.00")}},
        "billing": {"billingPeriod": "Quarter", "billCycleType": "SpecificDayofMonth", "billCycleDay": 15,
                    "billingTiming": "IN_ARREARS", "billingPeriodAlignment": "AlignToCharge"},
        "startDate": {"triggerEvent": "ServiceActivation"},
        "endDate": {"endDateCondition": "Fixed_Period", "upToPeriods": 4, "upToPeriodsType": "Billing_Periods"},
    }
    assert platform.facts == {"ratePlanName": "widgets-monthly", "productRatePlanId": "PLAN-SB",
                              "productRatePlanNumber": "PRP-00000007", "productName": "widgets",
                              "chargeType": "Recurring", "chargeModel": "FlatFee", "name": "platform",
                              "currency": "USD", "billCycleType": "SpecificDayofMonth"}
    seats = found[1].charge["pricing"]["recurringTiered"]
    assert seats["quantity"] == Decimal(10) and seats["uom"] == "seat"
    assert [(t["tier"], t.get("endingUnit"), t["price"]) for t in seats["tiers"]] == [
        (1, Decimal(10), Decimal("5.00")), (2, None, Decimal("4.00"))]
    assert found[2].charge["pricing"] == {"oneTimeFlatFee": {"listPrice": Decimal("50.00")}}
    assert "billing" not in found[2].charge  # a one-time charge has no billing period
    assert found[3].charge["pricing"] == {"discount": {"applyDiscountTo": "RECURRING", "discountLevel": "rateplan",
                                                       "discountPercentage": Decimal(10)}}


def test_plans_are_found_by_number_and_per_environment(catalog: Catalog) -> None:
    found = effective_charges(catalog, {"productRatePlanNumber": "PRP-00000007"}, "production", currency="USD")
    assert found[0].charge["productRatePlanChargeId"] == "C-PLATFORM-PROD"
    assert found[0].facts["productRatePlanId"] == "PLAN-PROD"
    # the sandbox id means nothing in production
    missing = effective_charges(catalog, {"productRatePlanId": "PLAN-SB"}, "production")
    assert len(missing) == 1 and missing[0].charge == {} and "not in the catalog" in missing[0].problems[0]
    assert "for environment production (it is rate plan widgets-monthly's sandbox id or number)" in \
        missing[0].problems[0]


def test_overrides_apply_field_by_field_on_top_of_the_catalog(catalog: Catalog) -> None:
    entry = {"productRatePlanId": "PLAN-SB", "chargeOverrides": [
        {"productRatePlanChargeNumber": "PRPC-00000071", "pricing": {"recurringTiered": {"quantity": 25}}},
        {"productRatePlanChargeId": "C-PLATFORM-SB", "billing": {"billCycleDay": 1},
         "endDate": {"endDateCondition": "Subscription_End"}, "prorationOption": "ChargeFullPeriod"},
    ]}
    found = effective_charges(catalog, entry, "sandbox", currency="USD")
    platform, seats = by_id(found, "C-PLATFORM-SB"), by_id(found, "C-SEATS")
    assert (platform.override_index, seats.override_index) == (1, 0)
    assert platform.charge["billing"]["billCycleDay"] == 1
    assert platform.charge["billing"]["billingTiming"] == "IN_ARREARS"  # kept from the catalog
    # a mapping merges key by key: upToPeriods stays, but Subscription_End ignores it
    assert platform.charge["endDate"]["endDateCondition"] == "Subscription_End"
    assert platform.charge["prorationOption"] == "ChargeFullPeriod"
    tiered = seats.charge["pricing"]["recurringTiered"]
    assert tiered["quantity"] == 25 and len(tiered["tiers"]) == 2  # the catalog's tiers are kept
    assert seats.charge["productRatePlanChargeId"] == "C-SEATS"  # named by number, keeps its id
    assert by_id(found, "C-SETUP").override_index is None


def test_override_tiers_replace_the_catalog_tiers_whole() -> None:
    under = {"pricing": {"recurringTiered": {"quantity": 5, "tiers": [{"tier": 1, "price": 1}, {"tier": 2, "price": 2}]}}}
    over = {"pricing": {"recurringTiered": {"tiers": [{"tier": 1, "price": 9}]}}}
    assert merged(under, over) == {"pricing": {"recurringTiered": {"quantity": 5, "tiers": [{"tier": 1, "price": 9}]}}}
    # another pricing key replaces the catalog's pricing (chargeModelData stays)
    under = {"pricing": {"recurringPerUnit": {"listPrice": 1, "quantity": 3}, "chargeModelData": {"x": 1}}}
    assert merged(under, {"pricing": {"recurringFlatFee": {"listPrice": 7}}}) == {
        "pricing": {"chargeModelData": {"x": 1}, "recurringFlatFee": {"listPrice": 7}}}


def test_an_override_naming_a_charge_the_plan_lacks_is_a_problem_with_its_index(catalog: Catalog) -> None:
    entry = {"productRatePlanId": "PLAN-SB", "chargeOverrides": [
        {"productRatePlanChargeId": "C-SEATS"}, {"productRatePlanChargeId": "C-NOPE"}, {"pricing": {}}]}
    found = effective_charges(catalog, entry, "sandbox", currency="USD")
    assert len(found) == 6
    nope, unnamed = found[4], found[5]
    assert nope.override_index == 1 and "C-NOPE" in nope.problems[0] and "PRPC-00000070" in nope.problems[0]
    assert unnamed.override_index == 2 and "names no productRatePlanChargeId" in unnamed.problems[0]


def test_a_charge_priced_in_several_currencies_needs_the_accounts_currency(catalog: Catalog) -> None:
    found = effective_charges(catalog, {"productRatePlanId": "PLAN-SB"}, "sandbox")
    setup = by_id(found, "C-SETUP")
    assert setup.problems == ("the catalog prices charge setup in USD, EUR; the account's currency is not in the order "
                              "(give an existing account's as `currency` under [tool.orderspec.accounts])",)
    assert not by_id(found, "C-SEATS").problems  # one price (no currency): needs no currency
    euro = by_id(effective_charges(catalog, {"productRatePlanId": "PLAN-SB"}, "sandbox", currency="EUR"), "C-SETUP")
    assert euro.charge["pricing"]["oneTimeFlatFee"]["listPrice"] == Decimal("45.00") and not euro.problems
    # an override that gives the price resolves it
    priced = effective_charges(catalog, {"productRatePlanId": "PLAN-SB", "chargeOverrides": [
        {"productRatePlanChargeId": "C-SETUP", "pricing": {"oneTimeFlatFee": {"listPrice": 60}}}]}, "sandbox")
    assert not by_id(priced, "C-SETUP").problems


def test_a_plan_not_in_the_catalog(catalog: Catalog) -> None:
    bare = effective_charges(catalog, {"productRatePlanId": "UNKNOWN"}, "sandbox")
    assert len(bare) == 1 and bare[0].charge == {} and "order lists none of its charges" in bare[0].problems[0]
    override = {"productRatePlanChargeId": "X", "pricing": {"recurringFlatFee": {"listPrice": 5}},
                "billing": {"billingPeriod": "Month"}}
    listed = effective_charges(catalog, {"productRatePlanId": "UNKNOWN", "chargeOverrides": [override]}, "sandbox")
    # a hand-written catalog may list only some plans: the overrides are the plan's charges
    assert len(listed) == 1 and listed[0].charge == override and not listed[0].problems and not listed[0].notes
    # the tenant's own export lists all its plans: one it lacks may have other charges
    export, _ = load_catalog(str(Path(__file__).parent / "fixtures" / "catalogs" / "guardian-prod.catalog.json"))
    assert export is not None and export.from_export
    listed = effective_charges(export, {"productRatePlanId": "UNKNOWN", "chargeOverrides": [override]}, None)
    assert listed[0].charge == override and not listed[0].problems
    assert "any other charge of the plan is unknown" in listed[0].notes[0]
    # an id of another environment is worth the warning in any catalog
    other = effective_charges(catalog, {"productRatePlanId": "PLAN-SB", "chargeOverrides": [override]}, "production")
    assert "(it is rate plan widgets-monthly's sandbox id or number)" in other[0].notes[0]
    # no catalog at all
    none = effective_charges(None, {"productRatePlanNumber": "PRP-1"}, None)
    assert none[0].charge == {} and "no catalog was given" in none[0].problems[0]


def test_external_catalog_entries_are_their_overrides(catalog: Catalog) -> None:
    override = {"productRatePlanChargeNumber": "standalone prpc", "chargeType": "Recurring", "chargeModel": "PerUnit",
                "pricing": {"recurringPerUnit": {"listPrice": 100, "quantity": 10}}}
    found = effective_charges(catalog, {"isFromExternalCatalog": True, "ratePlanName": "demo",
                                        "chargeOverrides": [override]}, "sandbox")
    assert len(found) == 1 and found[0].charge == override and not found[0].problems and not found[0].notes
    assert found[0].facts == {"chargeType": "Recurring", "chargeModel": "PerUnit", "ratePlanName": "demo"}


def test_a_flat_mapping_catalog_fills_overridden_charges() -> None:
    flat = {"C1": {"chargeType": "Recurring", "chargeModel": "Per Unit Pricing", "listPrice": Decimal(3),
                   "billingPeriod": "Month", "name": "seats"}}
    found = effective_charges(flat, {"productRatePlanId": "P", "chargeOverrides": [
        {"productRatePlanChargeId": "C1", "pricing": {"recurringPerUnit": {"quantity": 4}}}]}, None)
    assert found[0].charge["pricing"] == {"recurringPerUnit": {"listPrice": Decimal(3), "quantity": 4}}
    assert found[0].charge["billing"] == {"billingPeriod": "Month"}
    assert found[0].facts["chargeModel"] == "PerUnit" and found[0].facts["name"] == "seats"


def test_model_names_and_pricing_keys() -> None:
    assert model_name("Per Unit Pricing") == "PerUnit" and model_name("Discount-Fixed Amount") == "Discount"
    assert model_name("Tiered with Overage Pricing") == "TieredWithOverage" and model_name("Volume") == "Volume"
    assert pricing_key("OneTime", "Tiered") == "oneTimeTiered" and pricing_key("Usage", "PerUnit") == "usagePerUnit"
    assert pricing_key("Recurring", "Discount") == "discount" and pricing_key(None, "FlatFee") is None


# -- through the engine: what the catalog gives reaches the invoice ---------------------------------
SEATS_CATALOG = """\
catalog: 1
environments: [sandbox]
products:
  widgets:
    ratePlans:
      seats-monthly:
        id: PLAN-SEATS
        number: PRP-00000009
        charges:
          seats:
            id: C-TIERED
            type: Recurring
            model: Tiered Pricing
            billingPeriod: Month
            billCycleType: SpecificDayofMonth
            billCycleDay: 1
            defaultQuantity: 10
            uom: seat
            currency: USD
            tiers:
              - {startingUnit: 1, endingUnit: 10, price: 5.00, priceFormat: PerUnit}
              - {startingUnit: 11, price: 4.00, priceFormat: PerUnit}
          setup:
            id: C-SETUP
            type: OneTime
            model: FlatFee
            listPrice: 25.00
            currency: USD
"""


def preview_of(tmp_path: Path, rate_plan: str) -> Any:
    from orderspec import pipeline
    from orderspec.preview import build_plan

    catalog_path = tmp_path / "catalog.yaml"
    catalog_path.write_text(SEATS_CATALOG, encoding="utf-8")
    spec = tmp_path / "order.order.yaml"
    spec.write_text(f"""\
orderspec: 1
operation: preview
body:
  orderDate: 2024-01-01
  existingAccountNumber: A1
  previewOptions: {{previewThruType: SpecificDate, specificPreviewThruDate: 2024-02-29, previewTypes: [BillingDocs]}}
  subscriptions:
    - orderActions:
        - type: CreateSubscription
          triggerDates: [{{name: ContractEffective, triggerDate: 2024-01-01}}]
          createSubscription:
            terms: {{initialTerm: {{period: 12, periodType: Month, termType: TERMED, startDate: 2024-01-01}}}}
            subscribeToRatePlans:
              - {rate_plan}
""", encoding="utf-8")
    result = pipeline.process_file(str(spec), pipeline.Options())
    assert result.requests, [d.text() for d in result.diagnostics]
    catalog, problems = load_catalog(str(catalog_path))
    assert catalog is not None and not problems
    return build_plan(result.requests[0], catalog, "sandbox")


def billed(plan: Any) -> list[tuple[str, str, Decimal]]:
    return [(i["chargeName"], i["serviceStartDate"], i["amountWithoutTax"])
            for invoice in plan.result["previewResult"]["invoices"] for i in invoice["invoiceItems"]]


def test_a_plan_named_by_number_bills_its_catalog_tiers_and_default_quantity(tmp_path: Path) -> None:
    plan = preview_of(tmp_path, "{productRatePlanNumber: PRP-00000009}")
    assert not plan.incomplete
    # 10 seats (the catalog's default quantity) all in tier 1 at 5.00; the one-time setup fee once
    assert sorted(billed(plan)) == [("seats", "2024-01-01", Decimal("50.00")), ("seats", "2024-02-01", Decimal("50.00")),
                                    ("setup", "2024-01-01", Decimal("25.00"))]


def test_an_override_quantity_is_rated_on_the_catalog_tiers(tmp_path: Path) -> None:
    plan = preview_of(tmp_path, "{productRatePlanId: PLAN-SEATS, chargeOverrides: "
                                "[{productRatePlanChargeId: C-TIERED, pricing: {recurringTiered: {quantity: 25}}}]}")
    # 10 x 5.00 + 15 x 4.00
    assert [a for name, _, a in billed(plan) if name == "seats"] == [Decimal("110.00"), Decimal("110.00")]


def test_a_second_override_of_the_same_charge_is_a_problem(catalog: Catalog) -> None:
    entry = {"productRatePlanId": "PLAN-SB", "chargeOverrides": [
        {"productRatePlanChargeId": "C-SEATS", "pricing": {"recurringTiered": {"quantity": 5}}},
        {"productRatePlanChargeNumber": "PRPC-00000071", "pricing": {"recurringTiered": {"quantity": 6}}}]}
    found = effective_charges(catalog, entry, "sandbox", currency="USD")
    assert by_id(found, "C-SEATS").charge["pricing"]["recurringTiered"]["quantity"] == 5
    again = found[-1]
    assert again.override_index == 1 and "again (chargeOverrides[0] overrides it already)" in again.problems[0]


@pytest.mark.parametrize("line, message", [
    ("defaultQuantity: ten", "`defaultQuantity` must be a number"),
    ("billCycleDay: '15'", "`billCycleDay` must be a whole number"),
    ("billCycleType: 15", "`billCycleType` must be text"),
    ("prices: {USD: 5}", "`prices` is a list of {currency, listPrice, tiers, ...}"),
    ("prices: [{currency: USD, listPrice: five}]", "`listPrice` must be a number"),
    ("prices: [{currency: USD, price: 5}]", "unknown price field `price`"),
    ("upToPeriods: 2.5", "`upToPeriods` must be a whole number"),
])
def test_catalog_charge_fields_are_checked_at_their_line(tmp_path: Path, line: str, message: str) -> None:
    path = tmp_path / "catalog.yaml"
    path.write_text("catalog: 1\nproducts:\n  p:\n    ratePlans:\n      r:\n        id: R\n        charges:\n"
                    "          c:\n            id: C\n            type: Recurring\n            model: FlatFee\n"
                    f"            {line}\n", encoding="utf-8")
    catalog, problems = load_catalog(str(path))
    assert catalog is None and [(p.code, p.line) for p in problems][:1] == [("T020", 12)]
    assert message in problems[0].message
