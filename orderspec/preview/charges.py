"""Charge models: what one billing period (or one occurrence) of a charge costs.

Prices come from one mapping per charge in the API's chargeOverride shape: the catalog's values with
the order's override on top (see `effective`). Anything else is refused with a reason
(`NotComputable`), never guessed.

Tiers: tier i covers the units above the previous tier's `endingUnit` (0 for the first tier) up to
its own `endingUnit` (no `endingUnit`: unbounded). Tiered pricing charges each tier for the units
that fall in it (a FlatFee tier charges its price once when any unit falls in it); volume pricing
charges every unit at the price of the one tier the whole quantity falls in (a FlatFee tier: its
price once). A quantity above the end of a bounded last tier has no price in the table (R043): not
computable, never priced by the tiers it passed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any, Mapping

from orderspec.body import as_dict

CENT = Decimal("0.01")

# Override pricing key -> (charge type, charge model).
PRICING_KEYS: dict[str, tuple[str, str]] = {
    "recurringFlatFee": ("Recurring", "FlatFee"),
    "recurringPerUnit": ("Recurring", "PerUnit"),
    "recurringTiered": ("Recurring", "Tiered"),
    "recurringVolume": ("Recurring", "Volume"),
    "oneTimeFlatFee": ("OneTime", "FlatFee"),
    "oneTimePerUnit": ("OneTime", "PerUnit"),
    "oneTimeTiered": ("OneTime", "Tiered"),
    "oneTimeVolume": ("OneTime", "Volume"),
    "discount": ("Recurring", "Discount"),
}
# Catalog charge model names (as the catalog spells them) -> our model names.
CATALOG_MODELS: dict[str, str] = {
    "Flat Fee Pricing": "FlatFee", "FlatFee": "FlatFee",
    "Per Unit Pricing": "PerUnit", "PerUnit": "PerUnit",
    "Tiered Pricing": "Tiered", "Tiered": "Tiered",
    "Volume Pricing": "Volume", "Volume": "Volume",
    "Discount-Percentage": "Discount", "Discount-Fixed Amount": "Discount",
    "DiscountPercentage": "Discount", "DiscountFixedAmount": "Discount",
}
DISCOUNT_TARGETS: dict[str, frozenset[str]] = {
    "ONETIME": frozenset({"OneTime"}),
    "RECURRING": frozenset({"Recurring"}),
    "USAGE": frozenset({"Usage"}),
    "ONETIMERECURRING": frozenset({"OneTime", "Recurring"}),
    "ONETIMEUSAGE": frozenset({"OneTime", "Usage"}),
    "RECURRINGUSAGE": frozenset({"Recurring", "Usage"}),
    "ONETIMERECURRINGUSAGE": frozenset({"OneTime", "Recurring", "Usage"}),
}


class NotComputable(Exception):
    """A figure that cannot be worked out offline; str(exc) says why."""


def money(value: Decimal) -> Decimal:
    """Round half-up to cents: done once per invoice item and per reported metric."""
    try:
        return value.quantize(CENT, rounding=ROUND_HALF_UP)
    except InvalidOperation:
        raise NotComputable(f"the amount {value} is too large to bill in cents") from None


def _decimal(value: Any) -> Decimal | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, Decimal, float, str)):
        # A catalog export may write numbers as strings or floats; str() keeps a float's shortest form.
        try:
            number = Decimal(value if isinstance(value, (int, Decimal)) else str(value).strip())
        except InvalidOperation:
            raise NotComputable(f"{value!r} is not a number") from None
        if not number.is_finite():
            raise NotComputable(f"{value} is not a finite number")
        return number
    return None


@dataclass(frozen=True)
class Tier:
    tier: int
    ending: Decimal | None
    price: Decimal
    flat: bool  # priceFormat FlatFee


@dataclass(frozen=True)
class Pricing:
    charge_type: str  # OneTime | Recurring | Usage
    model: str  # FlatFee | PerUnit | Tiered | Volume | Discount
    list_price: Decimal | None = None
    quantity: Decimal | None = None
    tiers: tuple[Tier, ...] = ()
    list_price_base: str = "Per_Billing_Period"
    uom: str | None = None
    discount_percentage: Decimal | None = None
    discount_amount: Decimal | None = None
    apply_to: frozenset[str] = field(default_factory=frozenset)
    discount_level: str = "rateplan"
    discount_class: str | None = None  # the tenant ranks classes; a discount with one applies first
    stacked: bool = False  # isStackedDiscount: summed with the other stacked ones before applying

    @property
    def is_discount(self) -> bool:
        return self.model == "Discount"

    def base_amount(self) -> Decimal:
        """The price of one list-price base (a billing period, month, ...) or one occurrence."""
        if self.model == "FlatFee":
            return self._need_price()
        if self.model == "PerUnit":
            return self._need_price() * self._need_quantity()
        if self.model == "Tiered":
            return tiered_amount(self._need_quantity(), self._need_tiers())
        if self.model == "Volume":
            return volume_amount(self._need_quantity(), self._need_tiers())
        raise NotComputable(f"charge model {self.model} is not modelled offline")

    def _need_price(self) -> Decimal:
        if self.list_price is None:
            raise NotComputable("no list price: set pricing.<model>.listPrice or give a catalog with list prices")
        return self.list_price

    def _need_quantity(self) -> Decimal:
        if self.quantity is None:
            raise NotComputable("no quantity: set pricing.<model>.quantity, or the charge's defaultQuantity "
                                "in the catalog")
        return self.quantity

    def _need_tiers(self) -> tuple[Tier, ...]:
        if not self.tiers:
            raise NotComputable("no price tiers: set pricing.<model>.tiers or give a catalog with tiers")
        return self.tiers


def _upper(tier: Tier) -> Decimal | None:
    return tier.ending


def _beyond_the_last_tier(quantity: Decimal, tiers: tuple[Tier, ...]) -> None:
    last = tiers[-1] if tiers else None
    if last is not None and last.ending is not None and quantity > last.ending:
        raise NotComputable(f"the quantity {quantity} is above the end of the last price tier (tier {last.tier} "
                            f"ends at {last.ending}): the tiers give the units above it no price")


def tiered_amount(quantity: Decimal, tiers: tuple[Tier, ...]) -> Decimal:
    _beyond_the_last_tier(quantity, tiers)
    total = Decimal(0)
    lower = Decimal(0)
    for tier in tiers:
        upper = _upper(tier)
        units = (quantity if upper is None else min(quantity, upper)) - lower
        if units > 0:
            total += tier.price if tier.flat else tier.price * units
        if upper is None:
            break
        lower = upper
    return total


def volume_amount(quantity: Decimal, tiers: tuple[Tier, ...]) -> Decimal:
    _beyond_the_last_tier(quantity, tiers)
    for tier in tiers:
        upper = _upper(tier)
        if upper is None or quantity <= upper:
            return tier.price if tier.flat else tier.price * quantity
    raise NotComputable("no price tiers")


def _tiers(raw: Any) -> tuple[Tier, ...]:
    if not isinstance(raw, list):
        return ()
    tiers: list[Tier] = []
    for item in raw:
        if not isinstance(item, Mapping):
            raise NotComputable("a price tier is not a mapping")
        price = _decimal(item.get("price"))
        number = item.get("tier")
        if price is None or not isinstance(number, int):
            raise NotComputable("a price tier lacks a tier number or price")
        tiers.append(Tier(number, _decimal(item.get("endingUnit")), price, item.get("priceFormat") == "FlatFee"))
    tiers.sort(key=lambda t: t.tier)
    for before, after in zip(tiers, tiers[1:]):
        if before.ending is None or (after.ending is not None and after.ending <= before.ending):
            raise NotComputable(f"price tier {after.tier} does not follow tier {before.tier}")
    return tuple(tiers)


def pricing_of(charge: Mapping[str, Any], facts: Mapping[str, Any] | None = None) -> Pricing:
    """The pricing of one charge, from its effective mapping (the chargeOverride shape, catalog values
    under the order's) and the catalog-only facts (chargeType, chargeModel, uom) for what it lacks."""
    facts = facts or {}
    block = as_dict(charge.get("pricing"))
    keys = [k for k in block if k in PRICING_KEYS]
    unknown = [k for k in block if k not in PRICING_KEYS and k != "chargeModelData"]
    declared_type = charge.get("chargeType") or facts.get("chargeType")
    if declared_type == "Usage":
        raise NotComputable("usage charges are rated from usage records, which do not exist before billing")
    if unknown and not keys:
        raise NotComputable(f"charge model {unknown[0]} is not modelled offline")
    if len(keys) > 1:
        raise NotComputable(f"the charge is priced twice ({', '.join(keys)})")
    fields: dict[str, Any] = {k: facts[k] for k in ("uom",) if facts.get(k) is not None}
    if keys:
        charge_type, model = PRICING_KEYS[keys[0]]
        fields.update(as_dict(block[keys[0]]))
    else:
        raw_type = str(declared_type or "")
        raw_model = str(charge.get("chargeModel") or facts.get("chargeModel") or "")
        if not raw_type or not raw_model:
            raise NotComputable("no price: the order gives no pricing and no catalog lists the charge")
        model = CATALOG_MODELS.get(raw_model, raw_model)
        if model not in ("FlatFee", "PerUnit", "Tiered", "Volume", "Discount"):
            raise NotComputable(f"charge model {raw_model} is not modelled offline")
        charge_type = "Recurring" if model == "Discount" else raw_type
    if model == "Discount":
        apply_to_name = fields.get("applyDiscountTo")
        if apply_to_name is None:
            raise NotComputable("the discount does not say what it applies to (pricing.discount.applyDiscountTo)")
        level = str(fields.get("discountLevel") or "rateplan")
        if level == "account":
            raise NotComputable("an account-level discount applies to other subscriptions of the account, "
                                "which are not known offline")
        percentage, amount = _decimal(fields.get("discountPercentage")), _decimal(fields.get("discountAmount"))
        if percentage is None and amount is None:
            raise NotComputable("the discount has neither discountPercentage nor discountAmount")
        return Pricing(charge_type, model, discount_percentage=percentage,
                       discount_amount=None if percentage is not None else amount,
                       apply_to=DISCOUNT_TARGETS.get(str(apply_to_name), frozenset()), discount_level=level,
                       discount_class=str(fields["discountClass"]) if fields.get("discountClass") else None,
                       stacked=fields.get("isStackedDiscount") is True)
    return Pricing(
        charge_type, model,
        list_price=_decimal(fields.get("listPrice")),
        quantity=_decimal(fields.get("quantity")),
        tiers=_tiers(fields.get("tiers")),
        list_price_base=str(fields.get("listPriceBase") or "Per_Billing_Period"),
        uom=fields.get("uom") if isinstance(fields.get("uom"), str) else None,
    )
