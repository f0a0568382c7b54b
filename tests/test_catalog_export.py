"""Zuora's own catalog export read as a catalog (orderspec.expand.catalog_export)."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from orderspec.expand import CatalogError, load_catalog
from orderspec.expand.catalog_export import bill_cycle, is_export
from orderspec.preview.catalog_charges import effective_charges

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "catalogs"
# An excerpt of guardian/support-service-lambdas modules/zuora-catalog/test/fixtures/catalog-prod.json
# (@d710fc96b): the body of GET /v1/catalog/products of The Guardian's production tenant.
GUARDIAN = str(FIXTURES / "guardian-prod.catalog.json")


def test_a_real_catalog_export_loads_as_a_catalog() -> None:
    catalog, problems = load_catalog(GUARDIAN)
    assert catalog is not None and problems == []
    assert catalog.single_tenant and catalog.environment("production") == "production"
    plan = catalog.find_rate_plan("8a128ed885fc6ded01860228f77e3d5a")
    assert plan is not None and (plan.name, plan.number, plan.product) == (
        "Supporter Plus V2 - Annual", "PRP-00000179", "Supporter Plus")
    assert catalog.find_rate_plan("PRP-00000179", "sandbox") == plan  # by number, any environment
    annual = plan.charge("Supporter Plus Annual Charge")
    assert (annual.type, annual.model, annual.billing_period) == ("Recurring", "FlatFee", "Annual")
    assert {p.currency: p.list_price for p in annual.prices}["USD"] == Decimal(150)
    assert annual.defaults["billCycleType"] == "ChargeTriggerDay"
    assert annual.defaults["triggerEvent"] == "CustomerAcceptance"


def test_export_charges_become_override_shaped_charges_in_the_accounts_currency() -> None:
    catalog, _ = load_catalog(GUARDIAN)
    found = effective_charges(catalog, {"productRatePlanNumber": "PRP-00000180"}, None, currency="GBP")
    monthly = next(c for c in found if c.facts["name"] == "Supporter Plus Monthly Charge")
    assert monthly.charge["pricing"] == {"recurringFlatFee": {"listPrice": Decimal(12),
                                                              "listPriceBase": "Per_Billing_Period"}}
    assert monthly.charge["billing"]["billCycleType"] == "ChargeTriggerDay"
    assert monthly.facts["productName"] == "Supporter Plus" and monthly.facts["currency"] == "GBP"
    discount = effective_charges(catalog, {"productRatePlanNumber": "PRP-00000118"}, None, currency="GBP")[0]
    assert discount.charge["pricing"] == {"discount": {"applyDiscountTo": "ONETIMERECURRINGUSAGE",
                                                       "discountLevel": "subscription",
                                                       "discountPercentage": Decimal(25)}}
    assert discount.charge["endDate"] == {"endDateCondition": "Fixed_Period", "upToPeriods": 3,
                                          "upToPeriodsType": "Months"}
    # six currencies and an existing account whose currency the order does not give
    unknown = effective_charges(catalog, {"productRatePlanNumber": "PRP-00000180"}, None)
    assert all("the account's currency is not in the order" in c.problems[0] for c in unknown)


def test_tiers_and_enum_spellings_of_an_export(tmp_path: Path) -> None:
    body = {"productRatePlans": [{"id": "P1", "name": "Tiered", "productRatePlanNumber": "PRP-1",
                                  "productRatePlanCharges": [{
                                      "id": "C1", "name": "Seats", "type": "Recurring", "model": "Tiered",
                                      "uom": "seat", "defaultQuantity": "12", "billingPeriod": "Semi-Annual",
                                      "billingDay": "15th of the month", "billingTiming": "IN_ARREARS",
                                      "endDateCondition": "FixedPeriod", "upToPeriods": 2,
                                      "upToPeriodsType": "Billing Periods",
                                      "pricing": [{"currency": "USD", "price": None, "tiers": [
                                          {"tier": 1, "startingUnit": "1", "endingUnit": "10", "price": "5.50",
                                           "priceFormat": "Per Unit"},
                                          {"tier": 2, "startingUnit": "11", "endingUnit": None, "price": "40",
                                           "priceFormat": "Flat Fee"}]}]}]}]}
    path = tmp_path / "rate-plans.json"
    path.write_text(json.dumps(body), encoding="utf-8")
    catalog, problems = load_catalog(str(path))
    assert catalog is not None and problems == []
    charge = effective_charges(catalog, {"productRatePlanId": "P1"}, None)[0].charge
    assert charge["pricing"]["recurringTiered"] == {
        "tiers": [{"tier": 1, "startingUnit": Decimal(1), "endingUnit": Decimal(10), "price": Decimal("5.50"),
                   "priceFormat": "PerUnit"},
                  {"tier": 2, "startingUnit": Decimal(11), "price": Decimal(40), "priceFormat": "FlatFee"}],
        "quantity": Decimal(12), "uom": "seat"}
    assert charge["billing"] == {"billingPeriod": "Semi_Annual", "billCycleType": "SpecificDayofMonth",
                                 "billCycleDay": 15, "billingTiming": "IN_ARREARS"}
    assert charge["endDate"] == {"endDateCondition": "Fixed_Period", "upToPeriods": 2,
                                 "upToPeriodsType": "Billing_Periods"}


def test_the_object_query_shape_with_tier_rows(tmp_path: Path) -> None:
    # The response of GET /object-query/product-rate-plans?expand[]=productrateplancharges,
    # productrateplancharges.productrateplanchargetiers as developer.zuora.com's tutorial "Show specific
    # product details" prints it (https://developer.zuora.com/docs/get-started/tutorials/show-product-details),
    # trimmed to the fields a price needs.
    body = {"nextPage": "W3sid", "data": [{
        "id": "8a8aa19590e7dea30190ecf74de939a9", "name": "VIP Package", "productRatePlanNumber": "PRP-00000071",
        "productRatePlanCharges": [{
            "billCycleType": "DefaultFromCustomer", "billingPeriod": "Month", "billingPeriodAlignment": "AlignToCharge",
            "billingTiming": "In Advance", "chargeModel": "Per Unit Pricing", "chargeType": "Recurring",
            "defaultQuantity": 1.0, "description": "No refund if you cancel after 7 days.",
            "endDateCondition": "SubscriptionEnd", "id": "8a8aa19590e7dea30190ecf807da39ab",
            "listPriceBase": "Per Billing Period", "name": "Recurring per unit fee",
            "productRatePlanChargeNumber": "PRPC-00000067", "triggerEvent": "ContractEffective", "uOM": "License",
            "upToPeriodsType": "Billing Periods",
            "productRatePlanChargeTiers": [{"active": True, "currency": "USD", "price": 49.99, "tier": 1}]}]}]}
    path = tmp_path / "object-query.json"
    path.write_text(json.dumps(body), encoding="utf-8")
    catalog, problems = load_catalog(str(path))
    assert catalog is not None and problems == []
    found = effective_charges(catalog, {"productRatePlanNumber": "PRP-00000071"}, None)[0]
    assert found.charge == {
        "productRatePlanChargeId": "8a8aa19590e7dea30190ecf807da39ab", "productRatePlanChargeNumber": "PRPC-00000067",
        "pricing": {"recurringPerUnit": {"listPrice": Decimal("49.99"), "quantity": Decimal("1.0"), "uom": "License",
                                         "listPriceBase": "Per_Billing_Period"}},
        "billing": {"billingPeriod": "Month", "billCycleType": "DefaultFromCustomer", "billingTiming": "IN_ADVANCE",
                    "billingPeriodAlignment": "AlignToCharge"},
        "startDate": {"triggerEvent": "ContractEffective"},
        "endDate": {"endDateCondition": "Subscription_End", "upToPeriodsType": "Billing_Periods"}}
    assert found.facts["chargeModel"] == "PerUnit" and found.facts["description"].startswith("No refund")


@pytest.mark.parametrize("written, read", [
    ("DefaultFromCustomer", {"billCycleType": "DefaultFromCustomer"}),
    ("ChargeTriggerDay", {"billCycleType": "ChargeTriggerDay"}),
    ("SpecificDayofMonth(5)", {"billCycleType": "SpecificDayofMonth", "billCycleDay": 5}),
    ("1st of the month", {"billCycleType": "SpecificDayofMonth", "billCycleDay": 1}),
    ("31", {"billCycleType": "SpecificDayofMonth", "billCycleDay": 31}),
    ("Specific Day of Week/Monday", {"billCycleType": "SpecificDayofWeek", "weeklyBillCycleDay": "Monday"}),
    ("Friday", {"billCycleType": "SpecificDayofWeek", "weeklyBillCycleDay": "Friday"}),
    ("TermEndDay", {"billCycleType": "TermEndDay"}),
    ("Whenever", {"billCycleType": "Whenever"}),  # kept, for the preview to name as not modelled
    (None, {}),
])
def test_billing_day_spellings(written: str | None, read: dict) -> None:
    assert bill_cycle(written) == read


def test_what_counts_as_an_export() -> None:
    assert is_export({"products": [], "success": True}) and is_export([{"productRatePlans": []}])
    assert is_export({"data": [{"id": "x", "productRatePlanCharges": []}]})
    assert not is_export({"catalog": 1, "products": {}}) and not is_export({"data": [{"id": "x"}]})
    assert not is_export([]) and not is_export("text")


def test_problems_in_an_export_are_reported_at_their_line(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text('{"products": [\n  {"name": "P", "productRatePlans": "https://rest/v1/products/1/plans"},\n'
                    '  {"name": "Q", "productRatePlans": [{"name": "no id"}]}\n]}\n', encoding="utf-8")
    catalog, problems = load_catalog(str(path))
    assert [(p.code, p.line) for p in problems] == [("T020", 2), ("T020", 3)]
    assert "GET /v1/products/{id}/product-rate-plans" in problems[0].message
    assert "needs an id" in problems[1].message


def _plan_export(plan_id: str, charge_id: str, price: str, number: str = "PRP-00000001") -> str:
    return json.dumps({"products": [{"id": f"P-{plan_id}", "name": "Pro", "productRatePlans": [{
        "id": plan_id, "name": "Pro Monthly", "productRatePlanNumber": number, "productRatePlanCharges": [{
            "id": charge_id, "name": "Seats", "type": "Recurring", "model": "PerUnit", "billingPeriod": "Month",
            "billingDay": "DefaultFromCustomer", "defaultQuantity": 1,
            "pricing": [{"currency": "USD", "price": price}]}]}]}]})


def test_one_export_per_environment_in_a_catalog_file(tmp_path: Path) -> None:
    (tmp_path / "sandbox.json").write_text(_plan_export("SB-PLAN", "SB-SEATS", "9.00"), encoding="utf-8")
    (tmp_path / "production.json").write_text(_plan_export("PROD-PLAN", "PROD-SEATS", "10.00"), encoding="utf-8")
    path = tmp_path / "catalog.yaml"
    path.write_text("catalog: 1\nenvironments: [sandbox, production]\n"
                    "exports: {sandbox: sandbox.json, production: [production.json]}\n"
                    "products:\n  add-ons:\n    ratePlans:\n      support:\n        id: SUPPORT\n"
                    "        charges:\n          fee: {id: FEE, type: OneTime, model: FlatFee, listPrice: 5}\n",
                    encoding="utf-8")
    catalog, problems = load_catalog(str(path))
    assert catalog is not None and problems == []
    assert not catalog.single_tenant and catalog.from_export  # the environments stay apart
    sandbox, production = catalog.rate_plan("Pro Monthly", "sandbox"), catalog.rate_plan("Pro Monthly", "production")
    assert (sandbox.id, production.id) == ("SB-PLAN", "PROD-PLAN") and sandbox.product == "Pro"
    assert (sandbox.charges[0].list_price, production.charges[0].list_price) == (Decimal("9.00"), Decimal("10.00"))
    assert catalog.find_rate_plan("PROD-PLAN", "sandbox") is None  # production's id means nothing in sandbox
    found = effective_charges(catalog, {"productRatePlanNumber": "PRP-00000001"}, "production")[0]
    assert found.charge["productRatePlanChargeId"] == "PROD-SEATS"
    assert found.charge["pricing"]["recurringPerUnit"]["listPrice"] == Decimal("10.00")
    assert catalog.rate_plan("support", "production").id == "SUPPORT"  # written in the file, beside them


def test_export_files_named_by_a_catalog_file_are_checked(tmp_path: Path) -> None:
    (tmp_path / "sandbox.json").write_text(_plan_export("SB-PLAN", "SB-SEATS", "9.00"), encoding="utf-8")
    (tmp_path / "not-an-export.json").write_text('{"hello": 1}', encoding="utf-8")
    path = tmp_path / "catalog.yaml"
    path.write_text("catalog: 1\nenvironments: [sandbox, production]\n"
                    "exports:\n  sandbox: sandbox.json\n  production: not-an-export.json\n  staging: x.json\n"
                    "products:\n  pro:\n    ratePlans:\n      Pro Monthly:\n        id: X\n", encoding="utf-8")
    catalog, problems = load_catalog(str(path))
    assert catalog is None
    assert [(p.code, p.line) for p in problems] == [("T020", 4), ("T020", 5), ("T020", 6)]
    assert "also written in the catalog file (line 10)" in problems[0].message
    assert "is not a Zuora catalog export" in problems[1].message
    assert "`staging` is not one of the environments" in problems[2].message
    path.write_text("catalog: 1\nenvironments: [sandbox]\nexports: {sandbox: missing.json}\n", encoding="utf-8")
    _, problems = load_catalog(str(path))
    assert [p.code for p in problems] == ["Y012"] and "missing.json" in problems[0].path


def test_stock_templates_write_the_pricing_key_of_an_exports_model(tmp_path: Path) -> None:
    """An export spells models `Per Unit Pricing` (object query) or `DiscountPercentage` (REST): the
    templates' pricing keys and quantity overrides read them as the API's PerUnit / discount."""
    from orderspec import pipeline
    from orderspec.expand import ExpandContext

    export = {"data": [{"id": "PLAN-1", "name": "Seats Plan", "productRatePlanNumber": "PRP-1",
                        "productRatePlanCharges": [
                            {"id": "SEATS", "name": "Seats", "chargeType": "Recurring", "chargeModel": "Per Unit Pricing",
                             "billingPeriod": "Month", "productRatePlanChargeTiers": [{"currency": "USD", "price": 9}]},
                            {"id": "LOYALTY", "name": "Loyalty", "chargeType": "Recurring",
                             "chargeModel": "Discount-Percentage", "billingPeriod": "Month",
                             "productRatePlanChargeTiers": [{"currency": "USD", "price": 10}]}]}]}
    catalog = tmp_path / "export.json"
    catalog.write_text(json.dumps(export), encoding="utf-8")
    spec = tmp_path / "add.order.yaml"
    spec.write_text("orderspec: 1\noperation: create\nuse: add-product\nwith:\n  account: A1\n  subscription: A-S1\n"
                    "  orderDate: 2024-03-01\n  effectiveDate: 2024-03-01\n  ratePlan: Seats Plan\n  quantity: 3\n"
                    "  prices: {Seats: 8.50}\n", encoding="utf-8")
    result = pipeline.process_file(str(spec), pipeline.Options(expand=ExpandContext(catalog=str(catalog))))
    errors = [d.text() for d in result.diagnostics if d.severity.value == "error"]
    assert not errors, "\n".join(errors)
    add = result.requests[0].body["subscriptions"][0]["orderActions"][0]["addProduct"]
    assert add["chargeOverrides"] == [{"productRatePlanChargeId": "SEATS",
                                       "pricing": {"recurringPerUnit": {"listPrice": Decimal("8.50"), "quantity": 3}}}]


# Whatever an export holds (it may come from a pull request), reading it and pricing its plans
# never raise: problems are T020 diagnostics or reasons.
_SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-3, 40), st.sampled_from(
    ["", "x", "1.5", "NaN", "1e999", "Month", "Semi-Annual", "DefaultFromCustomer", "7th of the month", "Friday",
     "PerUnit", "Per Unit Pricing", "Tiered", "DiscountPercentage", "Recurring", "OneTime", "USD", "Per Unit"]),
    st.decimals(allow_nan=False, allow_infinity=False, places=2, min_value=-10, max_value=10 ** 6))
_KEYS = st.sampled_from(["id", "name", "type", "model", "chargeType", "chargeModel", "pricing", "tiers", "price",
                         "currency", "billingDay", "billingPeriod", "defaultQuantity", "productRatePlans",
                         "productRatePlanCharges", "productRatePlanChargeTiers", "products", "data",
                         "productRatePlanNumber", "endDateCondition", "upToPeriods", "priceFormat", "tier",
                         "endingUnit", "discountPercentage", "billCycleType", "billCycleDay"])
_VALUES = st.recursive(_SCALARS, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                         st.dictionaries(_KEYS, inner, max_size=5)), max_leaves=40)


_CHARGES = st.lists(st.fixed_dictionaries({"id": st.sampled_from(["C1", "C2", "C3"])},
                                          optional={k: _VALUES for k in ("name", "type", "model", "pricing",
                                                                         "billingDay", "billingPeriod",
                                                                         "defaultQuantity", "endDateCondition",
                                                                         "productRatePlanChargeTiers",
                                                                         "chargeModel", "upToPeriods")}), max_size=3)
_PLANS = st.lists(st.fixed_dictionaries({"id": st.sampled_from(["P1", "P2"]), "productRatePlanCharges": _CHARGES},
                                        optional={"name": _SCALARS, "productRatePlanNumber": _SCALARS}), max_size=3)
_PRODUCTS = st.lists(st.one_of(st.fixed_dictionaries({"name": st.sampled_from(["A", "B"]), "productRatePlans": _PLANS}),
                               st.dictionaries(_KEYS, _VALUES, max_size=4)), max_size=3)


@settings(max_examples=150, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(products=_PRODUCTS)
def test_any_export_reads_without_raising(products: list[dict]) -> None:
    from orderspec.expand.catalog_export import read_export
    from orderspec.expand.catalog_file import _Reader
    from orderspec.load import SourceMap

    body = {"products": products}
    converted, problems = read_export(body, SourceMap("export.json"))
    assert all(p.code == "T020" for p in problems)
    reader = _Reader(SourceMap("export.json"))
    catalog = reader.catalog(converted, "export.json")
    if catalog is None or reader.problems:
        return
    catalog.single_tenant = True
    for name in catalog.rate_plan_names:
        try:
            plan = catalog.rate_plan(name)
        except CatalogError:
            continue
        for found in effective_charges(catalog, {"productRatePlanId": plan.id}, None, "USD"):
            assert isinstance(found.charge, dict)


def test_a_second_catalog_in_one_process_is_the_one_the_templates_use(tmp_path: Path) -> None:
    """Jinja keeps imported macros for the process: the stock templates' macros must still read the
    catalog of the spec being rendered, not the first one (specs in two folders, each with its
    catalog.yaml, linted in one run)."""
    from orderspec import pipeline

    for folder, plan_id in (("one", "PLAN-ONE"), ("two", "PLAN-TWO")):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "catalog.yaml").write_text(
            "catalog: 1\nproducts:\n  p:\n    ratePlans:\n      seats:\n"
            f"        id: {plan_id}\n        charges:\n          seat: {{id: {plan_id}-SEAT, type: Recurring, "
            "model: PerUnit, listPrice: 5, billingPeriod: Month}\n", encoding="utf-8")
        (tmp_path / folder / "add.order.yaml").write_text(
            "orderspec: 1\noperation: create\nuse: add-product\nwith:\n  account: A1\n  subscription: A-S1\n"
            "  orderDate: 2024-03-01\n  effectiveDate: 2024-03-01\n  ratePlan: seats\n  quantity: 2\n",
            encoding="utf-8")
    result = pipeline.run([str(tmp_path / "one"), str(tmp_path / "two")], keep_requests=True)
    overrides = sorted(r.body["subscriptions"][0]["orderActions"][0]["addProduct"]["chargeOverrides"][0]
                       ["productRatePlanChargeId"] for r in result.requests)
    assert overrides == ["PLAN-ONE-SEAT", "PLAN-TWO-SEAT"]


def test_rate_plan_names_used_twice_stay_apart(tmp_path: Path) -> None:
    def plan(plan_id: str) -> dict:
        return {"id": plan_id, "name": "Monthly", "productRatePlanCharges": []}

    body = {"products": [{"name": "A", "productRatePlans": [plan("A1"), plan("A2")]},
                         {"name": "B", "productRatePlans": [plan("B1")]}]}
    path = tmp_path / "export.json"
    path.write_text(json.dumps(body), encoding="utf-8")
    catalog, problems = load_catalog(str(path))
    assert catalog is not None and problems == []
    assert {name: catalog.rate_plan(name).id for name in catalog.rate_plan_names} == {
        "Monthly": "A1", "A / Monthly": "A2", "B / Monthly": "B1"}
