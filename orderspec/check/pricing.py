"""Charge overrides: one charge model per pricing block, tiers that make a price table, and a
quantity the table prices."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from orderspec.check._common import Context, as_dict, is_number
from orderspec.diagnostics import Pointer

# Keys of a `pricing` block that are not a charge model of their own.
NOT_A_MODEL = frozenset({"chargeModelData"})
# In these models the last tier must end: units above it are billed at the overage price.
CLOSED_LAST_TIER = frozenset({"usageTieredWithOverage"})


def check(ctx: Context) -> None:
    for here, pricing in _pricing_blocks(ctx.body, ()):
        models = [key for key, value in pricing.items() if key not in NOT_A_MODEL and isinstance(value, dict)]
        for extra in models[1:]:
            ctx.report(here + (extra,), "R042",
                       f"this pricing block sets both `{models[0]}` and `{extra}`; a charge has one "
                       "charge model: keep the one that matches the product rate plan charge", key=True)
        for model in models:
            block = as_dict(pricing[model])
            tiers = block.get("tiers")
            if isinstance(tiers, list) and tiers:
                overage = model in CLOSED_LAST_TIER
                _tiers(ctx, here + (model, "tiers"), tiers, last_must_end=overage)
                if not overage:
                    _quantity_in_table(ctx, here + (model,), block.get("quantity"), tiers)


def _pricing_blocks(value: Any, pointer: Pointer) -> list[tuple[Pointer, dict[str, Any]]]:
    # Pricing overrides sit under charge overrides and charge updates of several actions;
    # finding every `pricing` mapping covers them all without listing the paths. One walk of
    # the whole body per request: a path is kept as a list and made a pointer only where a
    # block is found (a generator per container cost more than the rest of the pricing rules).
    # A walker per kind of container: a child's kind is looked up once, where it is met (~10% less).
    found: list[tuple[Pointer, dict[str, Any]]] = []
    path = list(pointer)

    def walk_mapping(mapping: dict[str, Any]) -> None:
        for key, item in mapping.items():
            if isinstance(item, dict):
                if key == "pricing":
                    found.append((tuple(path) + (key,), item))
                    continue
                path.append(key)
                walk_mapping(item)
                path.pop()
            elif isinstance(item, list):
                path.append(key)
                walk_list(item)
                path.pop()

    def walk_list(items: list[Any]) -> None:
        for index, item in enumerate(items):
            if isinstance(item, dict):
                path.append(index)
                walk_mapping(item)
                path.pop()
            elif isinstance(item, list):
                path.append(index)
                walk_list(item)
                path.pop()

    if isinstance(value, dict):
        walk_mapping(value)
    elif isinstance(value, list):
        walk_list(value)
    return found


def _number(value: Any) -> Decimal | None:
    return Decimal(str(value)) if is_number(value) else None


def _tiers(ctx: Context, here: Pointer, tiers: list[Any], *, last_must_end: bool) -> None:
    # The last tier may end (the tables in Zuora's pricing docs end theirs, a volume table at 100
    # units); a quantity above its end is R043's business. With overage pricing it must end.
    last = len(tiers) - 1
    previous_end: Decimal | None = None
    for index, raw in enumerate(tiers):
        if not isinstance(raw, dict):
            previous_end = None
            continue
        tier = raw
        where = here + (index,)
        number = tier.get("tier")
        if isinstance(number, int) and not isinstance(number, bool) and number != index + 1:
            ctx.report(where + ("tier",), "R040",
                       f"this is tier {index + 1} in the list but says `tier: {number}`; number the "
                       "tiers 1, 2, 3, ... in order")
        start, end = _number(tier.get("startingUnit")), _number(tier.get("endingUnit"))
        if start is not None and end is not None and end <= start:
            ctx.report(where + ("endingUnit",), "R041",
                       f"tier {index + 1} ends ({end}) where it starts or before ({start})")
        if index < last and "endingUnit" not in tier:
            ctx.report(where, "R041",
                       f"tier {index + 1} has no `endingUnit`; only the last tier is open-ended")
        if index == last and last_must_end and "endingUnit" not in tier:
            ctx.report(where, "R041",
                       f"the last tier ({index + 1}) needs an `endingUnit`: with overage pricing, "
                       "units above it are billed at the overage price")
        if previous_end is not None and start is not None:
            if start < previous_end:
                ctx.report(where + ("startingUnit",), "R041",
                           f"tier {index + 1} starts at {start}, inside tier {index} (which ends at "
                           f"{previous_end}); tiers must not overlap")
            elif start > previous_end + 1:
                ctx.report(where + ("startingUnit",), "R041",
                           f"tier {index + 1} starts at {start} but tier {index} ends at {previous_end}; "
                           f"units between them would have no price (start it at {previous_end + 1})")
        previous_end = end


def _quantity_in_table(ctx: Context, here: Pointer, quantity: Any, tiers: list[Any]) -> None:
    """R043: a quantity above the end of a bounded last tier, which the table gives no price."""
    amount, last = _number(quantity), tiers[-1]
    end = _number(last.get("endingUnit")) if isinstance(last, dict) else None
    if amount is None or end is None or amount <= end:
        return
    ctx.report(here + ("quantity",), "R043",
               f"the quantity {amount} is above the end of the last tier (tier {len(tiers)} ends at {end}): "
               f"the tiers give the units above {end} no price; raise that tier's `endingUnit` (or leave "
               "it out) or lower the quantity")
