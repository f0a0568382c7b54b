"""The catalog: file format, lookups per environment, unknown names, and its use from specs."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from orderspec import pipeline
from orderspec.expand import Catalog, CatalogError, ExpandContext, load_catalog

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE_CATALOG = str(ROOT / "examples" / "catalog.yaml")


def test_example_catalog_loads_and_resolves_per_environment() -> None:
    catalog, problems = load_catalog(EXAMPLE_CATALOG)
    assert not problems and isinstance(catalog, Catalog)
    assert catalog.environments == ("sandbox", "production") and catalog.default_environment == "sandbox"
    sandbox = catalog.rate_plan("pro-monthly")
    production = catalog.rate_plan("pro-monthly", "production")
    assert sandbox.id == "8ad09be48db5aa31018db8f2ac4e1a2b" and production.id != sandbox.id
    assert sandbox.number == production.number == "PRP-00000101"  # one value for every environment
    assert sandbox.product == "pro"
    seats = sandbox.charge("seats")
    assert (seats.model, seats.type, seats.billing_period, seats.uom) == ("PerUnit", "Recurring", "Month", "seat")
    assert seats.list_price == Decimal("5.00") and isinstance(seats.list_price, Decimal)
    assert catalog.charge("pro-monthly", "base-fee", "production").id == "2c92a0fd5e8f2b1a015e9b0e3f7e1b22"
    assert catalog.product("add-ons").id is None and "onboarding" in catalog.product("add-ons").rate_plans


def test_unknown_names_and_environments_say_did_you_mean() -> None:
    catalog, _ = load_catalog(EXAMPLE_CATALOG)
    assert catalog is not None
    with pytest.raises(CatalogError, match="did you mean `pro-monthly`"):
        catalog.rate_plan("pro-montly")
    with pytest.raises(CatalogError, match="did you mean `seats`"):
        catalog.charge("pro-monthly", "seat")
    with pytest.raises(CatalogError, match="did you mean `production`"):
        catalog.rate_plan("pro-monthly", "producton")


def test_tiers_are_read_as_exact_numbers(tmp_path: Path) -> None:
    path = tmp_path / "catalog.yaml"
    path.write_text("catalog: 1\nproducts:\n  p:\n    ratePlans:\n      r:\n        id: a\n        charges:\n"
                    "          c:\n            id: b\n            model: Tiered\n            tiers:\n"
                    "              - {startingUnit: 1, endingUnit: 10, price: 5.50, priceFormat: PerUnit}\n"
                    "              - {startingUnit: 11, price: 4.25}\n", encoding="utf-8")
    catalog, problems = load_catalog(str(path))
    assert catalog is not None and not problems
    tiers = catalog.charge("r", "c").tiers
    assert tiers[0]["price"] == Decimal("5.50") and isinstance(tiers[1]["price"], Decimal)
    path.write_text(path.read_text(encoding="utf-8").replace("price: 4.25", "price: cheap"), encoding="utf-8")
    catalog, problems = load_catalog(str(path))
    assert catalog is None and problems[0].code == "T020" and problems[0].line == 13


def test_a_missing_id_for_an_environment_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "catalog.yaml"
    path.write_text("catalog: 1\nproducts:\n  p:\n    ratePlans:\n      only-sandbox:\n"
                    "        id: {sandbox: abc}\n", encoding="utf-8")
    catalog, problems = load_catalog(str(path))
    assert catalog is not None and not problems
    assert catalog.rate_plan("only-sandbox").id == "abc"
    with pytest.raises(CatalogError, match="no id for environment `production`"):
        catalog.rate_plan("only-sandbox", "production")


@pytest.mark.parametrize("text, line, fragment", [
    ("catalog: 2\n", 1, "catalog: 1"),
    ("catalog: 1\nproducts:\n  p:\n    ratePlans:\n      r: {id: 12345}\n", 5, "quote it"),
    ("catalog: 1\nproducts:\n  p:\n    ratePlans:\n      r: {id: a, chargez: {}}\n", 5, "did you mean `charges`"),
    ("catalog: 1\nproducts:\n  p:\n    ratePlans:\n      r: {number: N}\n", 5, "needs an `id`"),
    ("catalog: 1\nproducts:\n  p:\n    ratePlans:\n      r: {id: {sandbx: a}}\n", 5, "did you mean `sandbox`"),
    ("catalog: 1\nproducts:\n  p:\n    ratePlans:\n      r:\n        id: a\n        charges:\n"
     "          c: {id: b, listPrice: cheap}\n", 8, "`listPrice` must be a number"),
    ("catalog: 1\nproducts:\n  p:\n    ratePlans: {r: {id: a}}\n  q:\n    ratePlans: {r: {id: b}}\n", 6, "used twice"),
])
def test_malformed_catalogs_are_reported_at_the_line(tmp_path: Path, text: str, line: int, fragment: str) -> None:
    path = tmp_path / "catalog.yaml"
    path.write_text(text, encoding="utf-8")
    catalog, problems = load_catalog(str(path))
    assert catalog is None
    assert problems and problems[0].code == "T020" and problems[0].line == line, problems
    assert fragment in problems[0].message


def _spec(tmp_path: Path, plan: str) -> str:
    path = tmp_path / "a.order.yaml"
    path.write_text("orderspec: 1\noperation: create\nuse: add-product\nwith:\n  account: A1\n"
                    "  subscription: S1\n  orderDate: 2024-01-01\n  effectiveDate: 2024-01-01\n"
                    f"  ratePlan: {plan}\n", encoding="utf-8")
    return str(path)


def test_an_unknown_plan_name_in_a_spec_is_reported_at_the_spec_line(tmp_path: Path) -> None:
    spec = _spec(tmp_path, "support-premum")
    result = pipeline.run([spec], pipeline.Options(expand=ExpandContext(catalog=EXAMPLE_CATALOG)), keep_requests=True)
    assert [d.code for d in result.diagnostics] == ["T021"]
    problem = result.diagnostics[0]
    assert problem.path == spec and problem.line == 9
    assert "did you mean `support-premium`" in problem.message
    assert any(loc.path.endswith("add-product.yaml.j2") for loc in problem.related)


def test_an_unknown_plan_name_from_set_is_reported_in_the_spec_with_the_assignment_as_note(tmp_path: Path) -> None:
    spec = _spec(tmp_path, "support-premium")
    context = ExpandContext(catalog=EXAMPLE_CATALOG, sets=("ratePlan=support-premum",))
    problem, = pipeline.run([spec], pipeline.Options(expand=context)).diagnostics
    assert (problem.code, problem.path, problem.line) == ("T021", spec, 3)  # the spec's `use:`
    assert [(loc.path, loc.note) for loc in problem.related][0] == (
        "<--set ratePlan=support-premum>", "the value came from here")
    assert problem.related[1].path.endswith("add-product.yaml.j2") and problem.related[1].note == "the template line"


def test_env_picks_the_ids(tmp_path: Path) -> None:
    spec = _spec(tmp_path, "support-premium")
    ids = {}
    for env in ("sandbox", "production"):
        result = pipeline.run([spec], pipeline.Options(expand=ExpandContext(catalog=EXAMPLE_CATALOG, env=env)), keep_requests=True)
        assert not result.diagnostics
        ids[env] = result.requests[0].body["subscriptions"][0]["orderActions"][0]["addProduct"]["productRatePlanId"]
    assert ids == {"sandbox": "8ad09be48db5aa31018db8f2ac931a60", "production": "2c92a0fd5e8f2b1a015e9b0e3fb21b26"}


def test_catalog_beside_the_spec_is_the_default_and_its_absence_is_clear(tmp_path: Path) -> None:
    spec = _spec(tmp_path, "support-premium")
    result = pipeline.run([spec], keep_requests=True)
    assert [d.code for d in result.diagnostics] == ["T021"] and "no catalog" in result.diagnostics[0].message
    (tmp_path / "catalog.yaml").write_text(Path(EXAMPLE_CATALOG).read_text(encoding="utf-8"), encoding="utf-8")
    result = pipeline.run([spec], keep_requests=True)
    assert not result.diagnostics and result.requests
