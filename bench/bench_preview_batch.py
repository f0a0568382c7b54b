"""Offline preview time per order for a batch of real-looking orders priced from a catalog.

    python bench/bench_preview_batch.py            # 1,000 orders
    python bench/bench_preview_batch.py --count 200 --rounds 1

The batch: create-subscription preview orders (1-5 subscriptions, 1-3 rate plans each, a
12-month SpecificDate window) that name plans of a Zuora catalog export (200 plans of flat-fee,
per-unit, tiered, volume, one-time and percentage-discount charges) by id or by number; half
override a quantity or a price. Figures, in one process:

1. reading the export as a catalog (`load_catalog`, once per command);
2. lint of the batch (the pipeline that `orderspec preview` runs first);
3. the preview itself (`build_plan`) per order, priced from the catalog, against the named
   alternative: the same orders with every charge written out in `chargeOverrides` (pricing
   from the order alone, as before catalogs were read), which prices the same figures;
4. one order from the command line (a fresh `python -m orderspec preview --json`), median of 5.

Every order must price fully (no incomplete plan), or the bench stops: it measures real pricing.
Speed is measured here, never asserted in tests.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from orderspec import pipeline  # noqa: E402
from orderspec.expand import load_catalog  # noqa: E402
from orderspec.preview import build_plan  # noqa: E402
from orderspec.preview.catalog_charges import effective_charges  # noqa: E402

PERIODS = ("Month", "Month", "Month", "Quarter", "Annual")


def _id(rng: random.Random) -> str:
    return "8ad0" + "".join(rng.choice("0123456789abcdef") for _ in range(28))


def _money(rng: random.Random, low: int = 500, high: int = 50_000) -> Decimal:
    return (Decimal(rng.randint(low, high)) / 100).quantize(Decimal("0.01"))


def _charge(rng: random.Random, number: int) -> dict[str, Any]:
    kind = rng.choice(("FlatFee", "PerUnit", "Tiered", "Volume", "OneTime", "DiscountPercentage"))
    charge: dict[str, Any] = {"id": _id(rng), "productRatePlanChargeNumber": f"PRPC-{number:08d}",
                              "name": f"{kind} charge {number}", "type": "Recurring", "model": kind,
                              "billingPeriod": rng.choice(PERIODS), "billingDay": rng.choice(
                                  ("DefaultFromCustomer", "ChargeTriggerDay", "SubscriptionStartDay")),
                              "billingTiming": "IN_ADVANCE", "billingPeriodAlignment": "AlignToCharge",
                              "triggerEvent": "ContractEffective", "endDateCondition": "Subscription_End",
                              "listPriceBase": "Per_Billing_Period", "uom": None, "defaultQuantity": None}
    price: dict[str, Any] = {"currency": "USD", "price": None, "tiers": None, "discountPercentage": None}
    if kind in ("FlatFee", "PerUnit"):
        price["price"] = _money(rng)
    if kind in ("PerUnit", "Tiered", "Volume"):
        charge["uom"], charge["defaultQuantity"] = "seat", rng.randint(1, 40)
    if kind in ("Tiered", "Volume"):
        price["tiers"] = [{"tier": 1, "startingUnit": 1, "endingUnit": 10, "price": _money(rng, 500, 2000),
                           "priceFormat": "PerUnit"},
                          {"tier": 2, "startingUnit": 11, "endingUnit": None, "price": _money(rng, 100, 500),
                           "priceFormat": "PerUnit"}]
    if kind == "OneTime":
        charge.update(type="OneTime", model="FlatFee", billingPeriod=None, billingDay=None)
        price["price"] = _money(rng)
    if kind == "DiscountPercentage":
        charge.update(applyDiscountTo="RECURRING", discountLevel="rateplan", billingPeriod="Month")
        price["discountPercentage"] = rng.choice((5, 10, 15, 20))
    charge["pricing"] = [price]
    return charge


def catalog_export(rng: random.Random, plans: int) -> dict[str, Any]:
    products, number = [], 0
    for p in range(plans // 4):
        rate_plans = []
        for r in range(4):
            charges = []
            for _ in range(rng.randint(1, 3)):
                number += 1
                charges.append(_charge(rng, number))
            if all(c["model"] == "DiscountPercentage" for c in charges):
                charges[0] = _charge(rng, number)  # a plan of discounts only would discount nothing
                charges[0].update(model="FlatFee", name=f"FlatFee charge {number}")
                charges[0]["pricing"] = [{"currency": "USD", "price": _money(rng)}]
            rate_plans.append({"id": _id(rng), "name": f"Plan {p}-{r}", "productRatePlanNumber": f"PRP-{p * 4 + r:08d}",
                               "productRatePlanCharges": charges})
        products.append({"id": _id(rng), "name": f"Product {p}", "productRatePlans": rate_plans})
    return {"products": products, "success": True}


def order(rng: random.Random, plans: list[dict[str, Any]], number: int) -> dict[str, Any]:
    subscriptions = []
    start = f"2024-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
    for _ in range(rng.randint(1, 5)):
        entries = []
        for plan in rng.sample(plans, rng.randint(1, 3)):
            entry: dict[str, Any] = ({"productRatePlanId": plan["id"]} if rng.random() < 0.5
                                     else {"productRatePlanNumber": plan["productRatePlanNumber"]})
            charge = rng.choice(plan["productRatePlanCharges"])
            if rng.random() < 0.5 and charge["model"] in ("PerUnit", "Tiered", "Volume"):
                key = "recurring" + charge["model"]
                entry["chargeOverrides"] = [{"productRatePlanChargeId": charge["id"],
                                             "pricing": {key: {"quantity": rng.randint(1, 60)}}}]
            elif rng.random() < 0.5 and charge["model"] == "FlatFee" and charge["type"] == "Recurring":
                entry["chargeOverrides"] = [{"productRatePlanChargeId": charge["id"],
                                             "pricing": {"recurringFlatFee": {"listPrice": _money(rng)}}}]
            entries.append(entry)
        subscriptions.append({"orderActions": [{
            "type": "CreateSubscription",
            "triggerDates": [{"name": "ContractEffective", "triggerDate": start}],
            "createSubscription": {
                "terms": {"initialTerm": {"period": 12, "periodType": "Month", "termType": "TERMED",
                                          "startDate": start},
                          "renewalSetting": "RENEW_WITH_SPECIFIC_TERM",
                          "renewalTerms": [{"period": 12, "periodType": "Month"}]},
                "subscribeToRatePlans": entries}}]})
    return {"orderDate": start, "description": f"bench order {number}",
            "previewAccountInfo": {"currency": "USD", "billCycleDay": rng.randint(1, 28)},
            "previewOptions": {"previewThruType": "SpecificDate", "previewTypes": ["BillingDocs", "ChargeMetrics"],
                               "specificPreviewThruDate": f"{int(start[:4]) + 1}{start[4:]}"},
            "subscriptions": subscriptions}


def written_out(body: dict[str, Any], catalog: Any) -> dict[str, Any]:
    """The same order with every charge of every plan spelled out in chargeOverrides."""
    copy = json.loads(json.dumps(body, default=float))
    for subscription in copy["subscriptions"]:
        create = subscription["orderActions"][0]["createSubscription"]
        spelled = []
        for entry in body_entries(subscription):
            charges = effective_charges(catalog, entry, None, "USD")
            plan_id = charges[0].facts["productRatePlanId"]
            overrides = []
            for found in charges:
                override = dict(found.charge)
                override.update(chargeType=found.facts["chargeType"], chargeModel=found.facts["chargeModel"])
                overrides.append(override)
            spelled.append({"productRatePlanId": f"{plan_id}-not-in-catalog", "chargeOverrides": overrides})
        create["subscribeToRatePlans"] = spelled
    return json.loads(json.dumps(copy, default=float), parse_float=Decimal)


def body_entries(subscription: dict[str, Any]) -> list[dict[str, Any]]:
    return subscription["orderActions"][0]["createSubscription"]["subscribeToRatePlans"]


def write_specs(root: Path, bodies: list[dict[str, Any]]) -> list[str]:
    root.mkdir(parents=True)
    paths = []
    for index, body in enumerate(bodies):
        path = root / f"order-{index:05d}.order.json"
        path.write_text(json.dumps({"orderspec": 1, "operation": "preview", "body": body}, default=float),
                        encoding="utf-8")
        paths.append(str(path))
    return paths


def preview_all(requests: list[Any], catalog: Any, rounds: int) -> tuple[tuple[float, float], int, Decimal]:
    """(wall, CPU) seconds per order (best round), invoice items and the amount billed, checking
    every order prices fully."""
    best = (float("inf"), float("inf"))
    items, total = 0, Decimal(0)
    for _ in range(rounds):
        started, cpu = time.perf_counter(), time.process_time()
        plans = [build_plan(request, catalog) for request in requests]
        this = ((time.perf_counter() - started) / len(requests), (time.process_time() - cpu) / len(requests))
        best = min(best, this)
    unpriced = [(plan.name, [c.problem for c in plan.uncomputed][:2]) for plan in plans if plan.incomplete]
    if unpriced:
        raise SystemExit(f"{len(unpriced)} order(s) did not price fully, e.g. {unpriced[:2]}")
    for plan in plans:
        for invoice in plan.result["previewResult"]["invoices"]:
            items += len(invoice["invoiceItems"])
            total += Decimal(str(invoice["amountWithoutTax"]))
    return best, items, total


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--plans", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    export = catalog_export(rng, args.plans)
    plans = [plan for product in export["products"] for plan in product["productRatePlans"]]
    bodies = [order(rng, plans, n) for n in range(args.count)]
    with tempfile.TemporaryDirectory() as tmp:
        export_path = Path(tmp) / "catalog-export.json"
        export_path.write_text(json.dumps(export, default=float), encoding="utf-8")
        started = time.perf_counter()
        catalog, problems = load_catalog(str(export_path))
        read_catalog = time.perf_counter() - started
        assert catalog is not None and not problems, problems
        spelled = [written_out(body, catalog) for body in bodies]
        paths = write_specs(Path(tmp) / "catalog", bodies)
        spelled_paths = write_specs(Path(tmp) / "spelled", spelled)
        started, cpu = time.perf_counter(), time.process_time()
        requests = pipeline.run(paths, keep_requests=True, jobs=1).requests
        lint = ((time.perf_counter() - started) / len(paths), (time.process_time() - cpu) / len(paths))
        spelled_requests = pipeline.run(spelled_paths, keep_requests=True, jobs=1).requests
        assert len(requests) == len(spelled_requests) == args.count
        from_catalog, items, total = preview_all(requests, catalog, args.rounds)
        from_order, spelled_items, spelled_total = preview_all(spelled_requests, None, args.rounds)
        if (items, total) != (spelled_items, spelled_total):
            raise SystemExit(f"the two batches bill differently: {items} items {total} vs "
                             f"{spelled_items} items {spelled_total}")
        walls = []
        for _ in range(5):
            started = time.perf_counter()
            done = subprocess.run([sys.executable, "-m", "orderspec", "preview", "--json", "--catalog",
                                   str(export_path), paths[0]], cwd=REPO, capture_output=True)
            walls.append(time.perf_counter() - started)
            if done.returncode != 0:
                raise SystemExit(f"orderspec preview failed ({done.returncode}): {done.stderr[-500:]!r}")
    charges = sum(len(p["productRatePlanCharges"]) for p in plans)
    subscriptions = sum(len(b["subscriptions"]) for b in bodies)
    print(f"batch: {args.count} orders, {subscriptions} subscriptions, {items} invoice items, {total} billed; "
          f"catalog export: {len(plans)} plans, {charges} charges")
    def ms(figure: tuple[float, float]) -> str:
        return f"{figure[0] * 1000:.2f} ms/order [{figure[1] * 1000:.2f} CPU]"

    print(f"1. reading the catalog export: {read_catalog * 1000:.0f} ms (once per command)")
    print(f"2. lint (one process): {ms(lint)}")
    print(f"3. preview: {ms(from_catalog)} priced from the catalog; {ms(from_order)} with every charge "
          f"written in chargeOverrides")
    print(f"   catalog / written out = {from_catalog[1] / from_order[1]:.2f}x (CPU); "
          f"{args.count} orders in {from_catalog[0] * args.count:.2f} s")
    both = (lint[0] + from_catalog[0], lint[1] + from_catalog[1])
    print(f"   lint + preview: {ms(both)}")
    print(f"4. one order from the command line: {statistics.median(walls) * 1000:.0f} ms "
          f"(median of 5 fresh processes)")

if __name__ == "__main__":
    main()
