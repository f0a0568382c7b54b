"""A realistic corpus of order specs for the benchmarks: mixed order actions, charge overrides,
1-20 subscriptions per order; about one file in ten has a mistake of the kind people make.

    python bench/corpus.py DIR --count 1000 [--seed 7]

Writes DIR/specs/NNNN/*.order.yaml (the specs) and DIR/bodies/NNNN/*.json (the same request
bodies as plain JSON, for tools that validate JSON against `schemas/create-order.json`).
"""

from __future__ import annotations

import argparse
import json
import random
from decimal import Decimal
from pathlib import Path
from typing import Any

ACTIONS = ("CreateSubscription", "AddProduct", "UpdateProduct", "RemoveProduct", "Suspend", "Resume",
           "CancelSubscription", "TermsAndConditions", "RenewSubscription")
TRIGGERS = ("ContractEffective", "ServiceActivation", "CustomerAcceptance")
PER_DIRECTORY = 500  # keeps directories a reasonable size at 10,000 files


def _id(rng: random.Random) -> str:
    return "8ad0" + "".join(rng.choice("0123456789abcdef") for _ in range(28))


def _date(rng: random.Random) -> str:
    return f"2024-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"


def _price(rng: random.Random) -> Decimal:
    # Written with cents as people do, whole prices too (`100.00`).
    return (Decimal(rng.randint(100, 500_000)) / 100).quantize(Decimal("0.01"))


def _charge_override(rng: random.Random) -> dict[str, Any]:
    kind = rng.choice(("recurringFlatFee", "recurringPerUnit", "oneTimeFlatFee"))
    pricing: dict[str, Any] = {"listPrice": _price(rng)}
    if kind == "recurringPerUnit":
        pricing["quantity"] = rng.randint(1, 250)
    override: dict[str, Any] = {"productRatePlanChargeId": _id(rng), "pricing": {kind: pricing}}
    if rng.random() < 0.3:
        override["description"] = rng.choice(("Negotiated rate", "Partner discount", "Launch price"))
    return override


def _rate_plan(rng: random.Random) -> dict[str, Any]:
    plan: dict[str, Any] = {"productRatePlanId": _id(rng)}
    if rng.random() < 0.7:
        plan["chargeOverrides"] = [_charge_override(rng) for _ in range(rng.randint(1, 3))]
    return plan


def _action(rng: random.Random, kind: str) -> dict[str, Any]:
    date = _date(rng)
    action: dict[str, Any] = {"type": kind,
                              "triggerDates": [{"name": t, "triggerDate": date} for t in TRIGGERS]}
    if kind == "CreateSubscription":
        action["createSubscription"] = {
            "terms": {
                "initialTerm": {"period": rng.choice((1, 12, 24, 36)), "periodType": "Month",
                                "termType": "TERMED", "startDate": date},
                "renewalSetting": "RENEW_WITH_SPECIFIC_TERM",
                "renewalTerms": [{"period": 12, "periodType": "Month"}],
                "autoRenew": rng.random() < 0.8,
            },
            "subscribeToRatePlans": [_rate_plan(rng) for _ in range(rng.randint(1, 4))],
        }
    elif kind == "AddProduct":
        action["addProduct"] = _rate_plan(rng)
    elif kind == "UpdateProduct":
        action["updateProduct"] = {"ratePlanId": _id(rng), "specificUpdateDate": date}
    elif kind == "RemoveProduct":
        action["removeProduct"] = {"ratePlanId": _id(rng)}
    elif kind == "Suspend":
        action["suspend"] = {"suspendPolicy": "SpecificDate", "suspendSpecificDate": date}
    elif kind == "Resume":
        action["resume"] = {"resumePolicy": "SpecificDate", "resumeSpecificDate": date, "extendsTerm": True}
    elif kind == "CancelSubscription":
        action["cancelSubscription"] = {"cancellationPolicy": "EndOfCurrentTerm"}
    elif kind == "TermsAndConditions":
        action["termsAndConditions"] = {"autoRenew": False, "renewalSetting": "RENEW_TO_EVERGREEN"}
    return action


def body(rng: random.Random, number: int) -> dict[str, Any]:
    subscriptions = []
    for i in range(rng.randint(1, 20)):
        if i == 0 or rng.random() < 0.4:
            actions = [_action(rng, "CreateSubscription")]
            entry: dict[str, Any] = {"orderActions": actions}
        else:
            kinds = rng.sample(ACTIONS[1:], rng.randint(1, 2))
            entry = {"subscriptionNumber": f"A-S{rng.randint(1, 99_999_999):08d}",
                     "orderActions": [_action(rng, k) for k in kinds]}
        subscriptions.append(entry)
    order: dict[str, Any] = {
        "orderDate": _date(rng),
        "orderNumber": f"O-BENCH-{number:06d}",
        "existingAccountNumber": f"A{rng.randint(1, 99_999_999):08d}",
        "description": "Benchmark order",
        "subscriptions": subscriptions,
    }
    mistake = rng.random()
    if mistake < 0.04:
        order["descriptionn"] = order.pop("description")  # a typo: S001
    elif mistake < 0.07:
        order["orderDate"] = "01/02/2024"  # not ISO: S007
    elif mistake < 0.10:
        subscriptions[0]["orderActions"][0]["type"] = "CreateSubscriptions"  # S004
    return order


def _yaml_scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, Decimal)):
        return str(value)
    text = str(value)
    # Quote what YAML would read as something else (numbers, booleans, dates stay plain: the
    # loader keeps dates as text).
    if text[:1].isdigit() and not text.count("-") == 2 or text.lower() in ("yes", "no", "on", "off", "null"):
        return json.dumps(text)
    return text


def to_yaml(value: Any, indent: int = 0) -> str:
    """Block-style YAML as a person writes it (PyYAML's dumper would turn Decimal into tags)."""
    pad = " " * indent
    lines: list[str] = []
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(item, (dict, list)) and item:
                lines.append(f"{pad}{key}:")
                lines.append(to_yaml(item, indent + 2))
            else:
                lines.append(f"{pad}{key}: {_yaml_scalar(item) if not isinstance(item, (dict, list)) else json.dumps(item)}")
    else:
        for item in value:
            if isinstance(item, (dict, list)) and item:
                nested = to_yaml(item, indent + 2)
                lines.append(f"{pad}- {nested.lstrip()}")
            else:
                lines.append(f"{pad}- {_yaml_scalar(item)}")
    return "\n".join(lines)


def _json_default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)  # bench-only: JSON bodies for check-jsonschema
    raise TypeError(type(value))


def generate(root: Path, count: int, seed: int = 7) -> tuple[list[Path], list[Path]]:
    """Write `count` specs and their bodies below root; return (spec paths, body paths)."""
    rng = random.Random(seed)
    specs: list[Path] = []
    bodies: list[Path] = []
    for number in range(count):
        order = body(rng, number)
        group = f"{number // PER_DIRECTORY:04d}"
        spec_path = root / "specs" / group / f"order-{number:06d}.order.yaml"
        body_path = root / "bodies" / group / f"order-{number:06d}.json"
        spec_path.parent.mkdir(parents=True, exist_ok=True)
        body_path.parent.mkdir(parents=True, exist_ok=True)
        header = "orderspec: 1\noperation: create\nheaders:\n  trackId: bench\nbody:\n"
        spec_path.write_text(header + to_yaml(order, 2) + "\n", encoding="utf-8")
        body_path.write_text(json.dumps(order, default=_json_default), encoding="utf-8")
        specs.append(spec_path)
        bodies.append(body_path)
    return specs, bodies


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("directory", type=Path)
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    specs, _ = generate(args.directory, args.count, args.seed)
    print(f"wrote {len(specs)} specs below {args.directory}")


if __name__ == "__main__":
    main()
