"""Charge overrides: one charge model per pricing block, and tiers that make a price table."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Iterator

from orderspec.check._common import Context, as_dict, is_number
from orderspec.diagnostics import Pointer

# Keys of a `pricing` block that are not a charge model of their own.
NOT_A_MODEL = frozenset({"chargeModelData"})
# In these models the last tier ends too: units above it are billed at the overage price.
CLOSED_LAST_TIER = frozenset({"usageTieredWithOverage"})


def check(ctx: Context) -> None:
    for here, pricing in _pricing_blocks(ctx.body, ()):
        models = [key for key, value in pricing.items() if key not in NOT_A_MODEL and isinstance(value, dict)]
        for extra in models[1:]:
            ctx.report(here + (extra,), "R042",
                       f"this pricing block sets both `{models[0]}` and `{extra}`; a charge has one "
                       "charge model: keep the one that matches the product rate plan charge", key=True)
        for model in models:
            tiers = as_dict(pricing[model]).get("tiers")
            if isinstance(tiers, list) and tiers:
                _tiers(ctx, here + (model, "tiers"), tiers, open_ended=model not in CLOSED_LAST_TIER)


def _pricing_blocks(value: Any, pointer: Pointer) -> Iterator[tuple[Pointer, dict[str, Any]]]:
    # Pricing overrides sit under charge overrides and charge updates of several actions;
    # finding every `pricing` mapping covers them all without listing the paths.
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "pricing" and isinstance(item, dict):
                yield pointer + (key,), item
            elif isinstance(item, (dict, list)):
                yield from _pricing_blocks(item, pointer + (key,))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _pricing_blocks(item, pointer + (index,))


def _number(value: Any) -> Decimal | None:
    return Decimal(str(value)) if is_number(value) else None


def _tiers(ctx: Context, here: Pointer, tiers: list[Any], *, open_ended: bool) -> None:
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
        if index == last and not open_ended and "endingUnit" not in tier:
            ctx.report(where, "R041",
                       f"the last tier ({index + 1}) needs an `endingUnit`: with overage pricing, "
                       "units above it are billed at the overage price")
        if index == last and open_ended and tier.get("endingUnit") is not None and last > 0:
            ctx.report(where + ("endingUnit",), "R041",
                       f"the last tier ({index + 1}) has an `endingUnit`; leave it out so the last tier "
                       "takes every unit above its start", key=True)
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
