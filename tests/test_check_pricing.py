"""Charge overrides: tiers (R040, R041), one charge model per pricing block (R042), and a quantity
within the tiers (R043)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterator

from hypothesis import given, settings
from hypothesis import strategies as st

from check_support import CREATE, codes, found, lint, value_at, where
from orderspec.check import pricing
from orderspec.diagnostics import Pointer

PLAN = "              - productRatePlanId: 8ad09be48db5aa31018db8f2ac4e1a2b\n"


def with_pricing(pricing: str) -> str:
    return CREATE.replace(PLAN, PLAN + "                chargeOverrides:\n"
                          "                  - productRatePlanChargeId: 8ad0c\n"
                          "                    pricing:\n" + pricing)


def tiered(*tiers: str) -> str:
    return with_pricing("                      recurringTiered:\n                        tiers:\n"
                        + "".join(f"                          - {t}\n" for t in tiers))


T1 = "{tier: 1, startingUnit: 1, endingUnit: 5, price: 10, priceFormat: PerUnit}"


def test_good_tiers(tmp_path: Path) -> None:
    text = tiered(T1, "{tier: 2, startingUnit: 6, price: 8, priceFormat: PerUnit}")
    assert codes(lint(tmp_path, text)) == []
    touching = tiered(T1, "{tier: 2, startingUnit: 5, price: 8, priceFormat: FlatFee}")
    assert codes(lint(tmp_path, touching)) == []


def test_tier_numbering(tmp_path: Path) -> None:
    text = tiered(T1, "{tier: 3, startingUnit: 6, price: 8, priceFormat: PerUnit}")
    assert found(lint(tmp_path, text), "R040") == [value_at(tmp_path / "x.order.yaml", "tier: 3")]


def test_gap_and_overlap(tmp_path: Path) -> None:
    path = tmp_path / "x.order.yaml"
    gap = tiered(T1, "{tier: 2, startingUnit: 10, price: 8, priceFormat: PerUnit}")
    assert found(lint(tmp_path, gap), "R041") == [value_at(path, "startingUnit: 10")]
    overlap = tiered(T1, "{tier: 2, startingUnit: 3, price: 8, priceFormat: PerUnit}")
    assert found(lint(tmp_path, overlap), "R041") == [value_at(path, "startingUnit: 3")]


def test_the_last_tier_may_end_the_others_must(tmp_path: Path) -> None:
    path = tmp_path / "x.order.yaml"
    closed_last = tiered(T1, "{tier: 2, startingUnit: 6, endingUnit: 9, price: 8, priceFormat: PerUnit}")
    assert codes(lint(tmp_path, closed_last)) == []
    open_first = tiered("{tier: 1, startingUnit: 1, price: 10, priceFormat: PerUnit}",
                        "{tier: 2, startingUnit: 6, price: 8, priceFormat: PerUnit}")
    assert found(lint(tmp_path, open_first), "R041") == [where(path, "{tier: 1")]
    backwards = tiered("{tier: 1, startingUnit: 5, endingUnit: 1, price: 10, priceFormat: PerUnit}",
                       "{tier: 2, startingUnit: 2, price: 8, priceFormat: PerUnit}")
    assert found(lint(tmp_path, backwards), "R041") == [value_at(path, "endingUnit: 1")]


def test_one_charge_model_per_pricing_block(tmp_path: Path) -> None:
    text = with_pricing("                      recurringFlatFee: {listPrice: 10}\n"
                        "                      recurringPerUnit: {listPrice: 1}\n")
    assert found(lint(tmp_path, text), "R042") == [where(tmp_path / "x.order.yaml", "recurringPerUnit")]
    assert codes(lint(tmp_path, with_pricing("                      recurringFlatFee: {listPrice: 10}\n"))) == []


def test_tiered_with_overage_closes_its_last_tier(tmp_path: Path) -> None:
    def overage(last: str) -> str:
        return with_pricing("                      usageTieredWithOverage:\n                        overagePrice: 1\n"
                            "                        tiers:\n"
                            f"                          - {T1}\n                          - {last}\n")

    closed = overage("{tier: 2, startingUnit: 6, endingUnit: 9, price: 8, priceFormat: PerUnit}")
    assert codes(lint(tmp_path, closed)) == []
    open_last = overage("{tier: 2, startingUnit: 6, price: 8, priceFormat: PerUnit}")
    assert found(lint(tmp_path, open_last), "R041") == [where(tmp_path / "x.order.yaml", "{tier: 2")]


def volume(quantity: str, *tiers: str) -> str:
    return with_pricing("                      recurringVolume:\n"
                        f"                        quantity: {quantity}\n                        tiers:\n"
                        + "".join(f"                          - {t}\n" for t in tiers))


# https://docs.zuora.com/en/zuora-billing/set-up-zuora-billing/build-product-and-prices/charge-models---configure-any-pricing/volume-pricing
# "0-50 licenses ... $120 per unit", "51 - 100 units ... $100": the table ends at 100.
ZUORA_VOLUME = ("{tier: 1, startingUnit: 0, endingUnit: 50, price: 120, priceFormat: PerUnit}",
                "{tier: 2, startingUnit: 51, endingUnit: 100, price: 100, priceFormat: PerUnit}")


def test_zuoras_own_bounded_price_table_is_clean(tmp_path: Path) -> None:
    assert codes(lint(tmp_path, volume("60", *ZUORA_VOLUME))) == []
    assert codes(lint(tmp_path, volume("100", *ZUORA_VOLUME))) == []  # the last unit of the table


def test_a_quantity_above_the_last_tier_is_r043_with_both_figures(tmp_path: Path) -> None:
    problems = lint(tmp_path, volume("120", *ZUORA_VOLUME))
    assert [(d.code, d.severity.value) for d in problems] == [("R043", "warning")]
    assert (problems[0].line, problems[0].column) == value_at(tmp_path / "x.order.yaml", "quantity: 120")
    assert "quantity 120" in problems[0].message and "tier 2 ends at 100" in problems[0].message
    assert problems[0].pointer.endswith("/pricing/recurringVolume/quantity")


def test_a_quantity_above_an_open_last_tier_is_fine(tmp_path: Path) -> None:
    open_last = (ZUORA_VOLUME[0], "{tier: 2, startingUnit: 51, price: 100, priceFormat: PerUnit}")
    assert codes(lint(tmp_path, volume("5000", *open_last))) == []


def test_a_quantity_written_as_text_is_held_to_the_tiers(tmp_path: Path) -> None:
    problems = lint(tmp_path, volume('"120"', *ZUORA_VOLUME))
    assert sorted(d.code for d in problems) == ["R043", "S011"]


# Any JSON-shaped value, with `pricing` among the keys often enough to sit at every depth.
_KEYS = st.sampled_from(["pricing", "chargeOverrides", "tiers", "a", "b"])
_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=3),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(_KEYS, children, max_size=4),
    max_leaves=40)


def _every_pricing_block(value: Any, pointer: Pointer) -> Iterator[tuple[Pointer, dict[str, Any]]]:
    """The plain definition the rule's walk must agree with: every `pricing` mapping, in the
    order written, not looking inside one."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "pricing" and isinstance(item, dict):
                yield pointer + (key,), item
            else:
                yield from _every_pricing_block(item, pointer + (key,))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _every_pricing_block(item, pointer + (index,))


@settings(max_examples=400, deadline=None)
@given(_JSON)
def test_pricing_blocks_found_as_the_plain_walk_finds_them(value: Any) -> None:
    expected = list(_every_pricing_block(value, ("subscriptions", 0)))
    assert pricing._pricing_blocks(value, ("subscriptions", 0)) == expected
    assert pricing._pricing_blocks(value, ()) == list(_every_pricing_block(value, ()))
