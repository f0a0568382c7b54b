"""The public preview request bodies (../shared/reference/examples: every body of public/ with
previewOptions, and docs/'s preview bodies) previewed offline with and without a catalog that
lists their plans.

Catalogs (tests/fixtures/catalogs, one per tenant: plan numbers such as PRP-00000180 mean different
plans in different tenants):
* zuora-developer-docs.catalog.json: Zuora's export shape, the plans of developer.zuora.com's
  samples with the facts its pages publish (each product's description quotes them);
* guardian-prod.catalog.json: an excerpt of The Guardian's production export;
* invented.catalog.yaml: plans whose charges nobody published, with INVENTED prices;
* tests/fixtures/preview/invoice-summaries.catalog.yaml: the plan of docs.zuora.com's "Preview
  invoice item summaries for an order".

State (tests/fixtures/public-state, one folder per tenant): INVENTED snapshots of the subscriptions
and accounts the bodies that change existing subscriptions name (no public snapshot exists; see its
README.md), consistent with the catalog each body is previewed with. Their figures below follow
from those invented snapshots and the catalogs' prices, not from anything Zuora published.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from orderspec.cli import cli
from orderspec.state import load_state

ROOT = Path(__file__).resolve().parents[1]
PUBLIC = ROOT.parent.parent / "shared" / "reference" / "examples" / "public"
if not PUBLIC.is_dir():
    PUBLIC = Path("/work/shared/reference/examples/public")
DOCS_BODIES = PUBLIC.parent / "docs"  # {"_source_url": ..., "body": {...}} each
CATALOGS = ROOT / "tests" / "fixtures" / "catalogs"
DOCS = str(CATALOGS / "zuora-developer-docs.catalog.json")
GUARDIAN = str(CATALOGS / "guardian-prod.catalog.json")
INVENTED = str(CATALOGS / "invented.catalog.yaml")
SUMMARIES = str(ROOT / "tests" / "fixtures" / "preview" / "invoice-summaries.catalog.yaml")
PUBLIC_STATE = ROOT / "tests" / "fixtures" / "public-state"

pytestmark = pytest.mark.skipif(not PUBLIC.is_dir(), reason="../shared/reference is not present")

# Bodies that lint rejects, so nothing is previewed (tests/test_validate.py PUBLIC_JUDGED_INVALID).
FAILS_LINT = {
    "zapiref_2": "S002 [error] `renewalTerms` must be a list",  # an object in the published sample
    "zagent_10": "S001 [error] unknown field `name`",  # previewAccountInfo has no name
    "zuoracli_3": "S001 [error] unknown field `previewThroughType`",  # the live tenant answered 58740021
}
# Bodies that create subscriptions from catalog plans: priced fully given their catalog.
# `--bill-cycle-day` is the existing account's bill cycle day, which no body holds, for charges
# billed on the account's day (DefaultFromCustomer); 1 is what the published service periods show.
PRICED_WITH_CATALOG = {
    "zapiref_3": (DOCS, ["--bill-cycle-day", "1"]),
    "zdevtut_6": (DOCS, ["--bill-cycle-day", "1"]),
    "zuoracli_2": (INVENTED, []),
    "ex56_preview_CreateSubscription": (DOCS, ["--bill-cycle-day", "1"]),  # zdevtut_6, as docs/ scraped it
    "ex46_preview_CreateSubscription": (SUMMARIES, ["--bill-cycle-day", "1"]),
}
# Bodies whose every charge is in the order (an external-catalog plan): priced with no catalog.
EXTERNAL_CATALOG = ("zdocs_14", "ex06_preview_CreateSubscription")
# Bodies that change an existing subscription: what they bill depends on that subscription's
# charges, which no catalog holds; the catalog resolves the plans they name, the tenant's state
# folder (PUBLIC_STATE) the subscription and account they change.
EXISTING_SUBSCRIPTION = {
    "guardian-ssl_4": (INVENTED, "guardian-discount-api-test"),  # TermsAndConditions, AddProduct of `discount-rate-plan`
    "guardian-ssl_11": (GUARDIAN, "guardian-prod"),  # RenewSubscription, ChangePlan to Supporter Plus V2 - Annual
    "zpostman_1": (DOCS, "zuora-developer-docs"),  # Suspend
    "zpostman_2": (DOCS, "zuora-developer-docs"),  # UpdateProduct
}
# Of those, the ones the snapshot does not make fully priceable, with the reason the preview gives:
# a subscription-level discount added to an existing subscription is not modelled offline
# (docs/preview.md "Amendments": discount charges of the subscription).
INCOMPLETE_WITH_STATE = {
    # With the snapshot the existing charges are known: what is missing is the model, not the facts.
    "guardian-ssl_4": ("charge percentage-discount", "a subscription-level discount applies to the existing "
                       "subscription's charges too, which its snapshot in the state folder holds, but discounting "
                       "a subscription's existing charges is not modelled offline"),
}


def preview_bodies() -> list[str]:
    public = [p.stem for p in PUBLIC.glob("*.json") if "previewOptions" in p.read_text(encoding="utf-8")]
    return sorted(public + [p.stem for p in DOCS_BODIES.glob("*_preview_*.json")])


def body_of(name: str) -> dict[str, Any]:
    if (PUBLIC / f"{name}.json").is_file():
        return dict(json.loads((PUBLIC / f"{name}.json").read_text(encoding="utf-8")))
    return dict(json.loads((DOCS_BODIES / f"{name}.json").read_text(encoding="utf-8"))["body"])


def spec_of(tmp_path: Path, name: str) -> str:
    body = body_of(name)
    path = tmp_path / f"{name}.order.json"
    path.write_text(json.dumps({"orderspec": 1, "operation": "preview", "body": body}, indent=2), encoding="utf-8")
    return str(path)


def preview(spec: str, *options: str) -> tuple[int, dict[str, Any]]:
    result = CliRunner().invoke(cli, ["preview", "--json", *options, spec])
    assert result.exit_code in (0, 3), result.output
    return result.exit_code, json.loads(result.stdout, parse_float=Decimal)[0]


def test_every_public_preview_body_is_accounted_for() -> None:
    accounted = set(FAILS_LINT) | set(PRICED_WITH_CATALOG) | set(EXISTING_SUBSCRIPTION) | set(EXTERNAL_CATALOG)
    assert set(preview_bodies()) == accounted


@pytest.mark.parametrize("name", sorted(PRICED_WITH_CATALOG))
def test_catalog_plans_price_fully_with_their_catalog_and_are_incomplete_without(tmp_path: Path, name: str) -> None:
    spec = spec_of(tmp_path, name)
    catalog, options = PRICED_WITH_CATALOG[name]
    status, priced = preview(spec, "--catalog", catalog, *options)
    assert status == 0 and not priced["incomplete"] and not priced.get("unpriced"), priced
    assert priced["response"]["previewResult"]["invoices"], "something is billed"
    status, bare = preview(spec, *options)
    assert status == 3 and bare["incomplete"]
    assert "its charges come from the product catalog and no catalog was given" in bare["unpriced"][0]["reason"]
    assert bare["response"]["previewResult"]["invoices"] == []


def test_the_music_service_plan_bills_what_zuora_published(tmp_path: Path) -> None:
    # developer.zuora.com, POST_PreviewSubscription response sample
    # (https://developer.zuora.com/v1-api-reference/api/operation/POST_PreviewSubscription/): plan
    # 8ad081dd9096ef9501909b40bb4e74a4 from 2024-07-01 bills "Monthly Fee" 14.99 for 2024-07-01..2024-07-31,
    # contractedMrr 14.99, totalContractedValue 179.88.
    _, found = preview(spec_of(tmp_path, "zapiref_3"), "--catalog", DOCS, "--bill-cycle-day", "1")
    (invoice,) = found["response"]["previewResult"]["invoices"]
    (item,) = invoice["invoiceItems"]
    assert (item["chargeName"], item["productName"], item["productRatePlanChargeId"]) == (
        "Monthly Fee", "Music Service", "8ad097b4909708e001909b41bb085d38")
    assert (item["serviceStartDate"], item["serviceEndDate"], item["amountWithoutTax"]) == (
        "2024-07-01", "2024-07-31", Decimal("14.99"))
    spec = spec_of(tmp_path, "zapiref_3")
    result = CliRunner().invoke(cli, ["preview", "--catalog", DOCS, "--bill-cycle-day", "1", spec])
    assert "MRR 14.99  TCV 179.88" in result.output


def test_the_smartlearn_tablet_plan_bills_what_zuora_published(tmp_path: Path) -> None:
    # developer.zuora.com tutorial "Preview an order" (https://developer.zuora.com/docs/get-started/tutorials/
    # preview-order): PRP-00000180 on 2025-01-01 bills one invoice of 49.99: "Recurring per unit fee",
    # 2025-01-01..2025-01-31, unitPrice 49.99, product "SmartLearn Tablet", quantity 1 License,
    # chargeDescription "No refund if you cancel after 7 days."
    _, found = preview(spec_of(tmp_path, "zdevtut_6"), "--catalog", DOCS, "--bill-cycle-day", "1")
    (invoice,) = found["response"]["previewResult"]["invoices"]
    assert invoice["amountWithoutTax"] == Decimal("49.99")
    (item,) = invoice["invoiceItems"]
    assert (item["chargeName"], item["productName"], item["serviceStartDate"], item["serviceEndDate"]) == (
        "Recurring per unit fee", "SmartLearn Tablet", "2025-01-01", "2025-01-31")
    assert item["amountWithoutTax"] == Decimal("49.99") and item["unitPrice"] == Decimal("49.99")
    assert item["additionalInfo"]["quantity"] == Decimal(1) and item["additionalInfo"]["unitOfMeasure"] == "License"
    assert item["chargeDescription"] == "No refund if you cancel after 7 days."


@pytest.mark.parametrize("name", EXTERNAL_CATALOG)
def test_an_external_catalog_body_needs_no_catalog(tmp_path: Path, name: str) -> None:
    # zdocs_14 (ex06 as docs/ scraped it) subscribes to an external-catalog plan: every charge is in the order.
    spec = spec_of(tmp_path, name)
    status, found = preview(spec, "--bill-cycle-day", "1")
    assert status == 0 and not found["incomplete"], found
    items = [i for inv in found["response"]["previewResult"]["invoices"] for i in inv["invoiceItems"]]
    assert items and all(i["amountWithoutTax"] == Decimal("1000.00") for i in items)  # 100.00 x 10 Each a month


@pytest.mark.parametrize("name", sorted(EXISTING_SUBSCRIPTION))
def test_existing_subscription_changes_stay_incomplete_without_their_state(tmp_path: Path, name: str) -> None:
    status, found = preview(spec_of(tmp_path, name), "--catalog", EXISTING_SUBSCRIPTION[name][0])
    assert status == 3 and found["incomplete"]
    reasons = [u["reason"] for u in found["unpriced"]]
    assert reasons and not [r for r in reasons if "catalog" in r], reasons


def with_state(tmp_path: Path, name: str) -> tuple[int, dict[str, Any]]:
    catalog, tenant = EXISTING_SUBSCRIPTION[name]
    return preview(spec_of(tmp_path, name), "--catalog", catalog, "--state", str(PUBLIC_STATE / tenant))


def test_the_invented_state_folders_load_cleanly() -> None:
    # A snapshot the loader rejects would be left out, and the preview would quietly run without it.
    for tenant in sorted({tenant for _, tenant in EXISTING_SUBSCRIPTION.values()}):
        loaded = load_state(str(PUBLIC_STATE / tenant))
        assert not loaded.diagnostics, [d.message for d in loaded.diagnostics]


@pytest.mark.parametrize("name", sorted(set(EXISTING_SUBSCRIPTION) - set(INCOMPLETE_WITH_STATE)))
def test_existing_subscription_changes_price_fully_with_their_state(tmp_path: Path, name: str) -> None:
    status, found = with_state(tmp_path, name)
    assert status == 0 and not found["incomplete"] and not found.get("unpriced"), found


@pytest.mark.parametrize("name", sorted(INCOMPLETE_WITH_STATE))
def test_what_the_state_does_not_make_priceable_says_why(tmp_path: Path, name: str) -> None:
    status, found = with_state(tmp_path, name)
    assert status == 3 and found["incomplete"]
    assert [(u["subject"], u["reason"]) for u in found["unpriced"]] == [INCOMPLETE_WITH_STATE[name]]


def invoice_items(found: dict[str, Any]) -> list[tuple[str, str, str, Decimal]]:
    return [(i["chargeName"], i["serviceStartDate"], i["serviceEndDate"], i["amountWithoutTax"])
            for invoice in found["response"]["previewResult"]["invoices"] for i in invoice["invoiceItems"]]


def test_the_quantity_update_bills_the_new_quantity_from_the_next_period(tmp_path: Path) -> None:
    # A-S00024515 (invented): 10 licences at 49.99 (PRP-00000180), billed through October 2025, BCD 1.
    # 10 -> 50 from 2025-11-01 bills November at 50 x 49.99 = 2499.50; TCV 10 x 499.90 + 2 x 2499.50.
    _, found = with_state(tmp_path, "zpostman_2")
    assert invoice_items(found) == [("Recurring per unit fee", "2025-11-01", "2025-11-30", Decimal("2499.50"))]
    (metric,) = found["response"]["previewResult"]["chargeMetrics"][0]["charges"]
    assert (metric["chargeNumber"], metric["tcv"]["regular"]) == ("C-00052191", Decimal("9998.00"))


def test_suspending_at_the_end_of_the_last_invoice_period_bills_and_credits_nothing(tmp_path: Path) -> None:
    # Billed through 2025-11-01: the suspension starts there, nothing is credited nor billed; TCV keeps
    # January-October, 10 x 499.90 = 4999.00.
    _, found = with_state(tmp_path, "zpostman_1")
    assert invoice_items(found) == []
    (metric,) = found["response"]["previewResult"]["chargeMetrics"][0]["charges"]
    assert (metric["cmrr"]["regular"], metric["tcv"]["regular"]) == (Decimal("0.00"), Decimal("4999.00"))


def test_the_renewal_and_upgrade_bill_the_annual_plan_from_the_change(tmp_path: Path) -> None:
    # A-S00707842 (invented): Supporter Plus V2 - Monthly (GBP 12) billed through 2025-12-10, its term end.
    # Renewed, then changed to Supporter Plus V2 - Annual on 2025-12-10 (ChargeTriggerDay): GBP 0 + 120 a year.
    _, found = with_state(tmp_path, "guardian-ssl_11")
    assert invoice_items(found) == [
        ("Contribution", "2025-12-10", "2026-12-09", Decimal("0.00")),
        ("Supporter Plus Annual Charge", "2025-12-10", "2026-12-09", Decimal("120.00")),
    ]


def test_the_plan_shows_the_replaced_plans_charges_as_ended(tmp_path: Path) -> None:
    """The text plan of the renewal and upgrade: the monthly plan's charges end with the ChangePlan (listed
    under it, not under the renewal that touched them first), the Contribution at 0.00 too: its figures
    do not move, yet it is removed, not unchanged (`-`, never `=`)."""
    catalog, tenant = EXISTING_SUBSCRIPTION["guardian-ssl_11"]
    result = CliRunner().invoke(cli, ["preview", "--catalog", catalog, "--state", str(PUBLIC_STATE / tenant),
                                      spec_of(tmp_path, "guardian-ssl_11")])
    lines = result.stdout.splitlines()
    change_plan = lines.index("  order action 2: ChangePlan  (ContractEffective 2025-12-10, CustomerAcceptance "
                              "2025-12-10)")
    assert lines[change_plan + 1:change_plan + 6] == [
        "    - rate plan Supporter Plus V2 - Monthly",
        "        - charge Contribution (8a128d7085fc6dec01860234cd075270): Recurring FlatFee",
        "            from 2024-12-10 to 2025-12-09, ended by the order from 2025-12-10  MRR 0.00 -> 0.00  "
        "TCV 0.00 -> 0.00",
        "        - charge Supporter Plus Monthly Charge (8a128ed885fc6ded018602296af13eba): Recurring FlatFee",
        "            from 2024-12-10 to 2025-12-09, ended by the order from 2025-12-10  MRR 12.00 -> 0.00  "
        "TCV 144.00 -> 144.00",
    ]
    assert not [line for line in lines if "= charge" in line]


def test_a_new_rate_plan_is_named_as_the_catalog_names_it(tmp_path: Path) -> None:
    # The order gives the annual plan's id only; the Guardian's export names it.
    catalog, tenant = EXISTING_SUBSCRIPTION["guardian-ssl_11"]
    result = CliRunner().invoke(cli, ["preview", "--catalog", catalog, "--state", str(PUBLIC_STATE / tenant),
                                      spec_of(tmp_path, "guardian-ssl_11")])
    assert "    + rate plan Supporter Plus V2 - Annual (8a128ed885fc6ded01860228f77e3d5a)" in result.stdout.splitlines()


@pytest.mark.parametrize("name", sorted(FAILS_LINT))
def test_bodies_that_fail_lint_are_not_previewed(tmp_path: Path, name: str) -> None:
    """Skipped as evidence of pricing: lint stops them first (exit 1), for the reason in FAILS_LINT."""
    result = CliRunner().invoke(cli, ["preview", "--json", "--catalog", INVENTED, spec_of(tmp_path, name)])
    assert result.exit_code == 1 and FAILS_LINT[name] in result.output, result.output


def test_the_command_line_exit_status(tmp_path: Path) -> None:
    """The real command, as a user runs it: 0 priced with the catalog, 3 incomplete without."""
    spec = spec_of(tmp_path, "zdevtut_6")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    run = [sys.executable, "-m", "orderspec", "preview", "--json", "--bill-cycle-day", "1", spec]
    priced = subprocess.run([*run, "--catalog", DOCS], capture_output=True, text=True, env=env, timeout=60)
    bare = subprocess.run(run, capture_output=True, text=True, env=env, timeout=60)
    assert (priced.returncode, bare.returncode) == (0, 3), (priced.stderr, bare.stderr)


def test_a_subscription_discount_added_to_an_existing_subscription_is_not_priced_at_zero(tmp_path: Path) -> None:
    # guardian-ssl_4 without its TermsAndConditions action: the discount API's plain AddProduct order.
    body = body_of("guardian-ssl_4")
    body["subscriptions"][0]["orderActions"] = body["subscriptions"][0]["orderActions"][1:]
    path = tmp_path / "discount.order.json"
    path.write_text(json.dumps({"orderspec": 1, "operation": "preview", "body": body}), encoding="utf-8")
    status, found = preview(str(path), "--catalog", INVENTED)
    assert status == 3 and [u["subject"] for u in found["unpriced"]] == ["charge percentage-discount"]
    assert found["unpriced"][0]["reason"] == ("a subscription-level discount applies to the existing subscription's "
                                              "charges too, which are not known offline (give its state: --state)")
