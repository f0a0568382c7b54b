"""The product catalog: human names for Zuora products, rate plans and charges, per environment.

A catalog (see docs/templates.md) maps names such as `pro-monthly` to the ids of each environment
(`sandbox`, `production`, ...), with what each charge costs and how it bills. Lookups return plain
frozen dataclasses resolved for one environment; the offline preview reads them too. The file
formats (orderspec's catalog file, Zuora's own export) are read by `catalog_file`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from orderspec.diagnostics import Location
from orderspec.spec import did_you_mean


# What a subscription takes from a catalog charge when the order does not override it (besides
# its price, type, model, billing period and unit of measure).
CHARGE_DEFAULT_FIELDS = ("defaultQuantity", "listPriceBase", "billCycleType", "billCycleDay", "weeklyBillCycleDay",
                         "billingTiming", "billingPeriodAlignment", "specificBillingPeriod", "triggerEvent",
                         "endDateCondition", "upToPeriods", "upToPeriodsType", "applyDiscountTo", "discountLevel",
                         "discountClass")
PRICE_FIELDS = ("currency", "listPrice", "tiers", "discountPercentage", "discountAmount")
# Charge models as catalogs spell them (UI labels, SOAP and REST, the object query) -> as the
# request's pricing keys spell them.
MODEL_NAMES: dict[str, str] = {
    "Flat Fee Pricing": "FlatFee", "Per Unit Pricing": "PerUnit", "Tiered Pricing": "Tiered",
    "Volume Pricing": "Volume", "Overage Pricing": "Overage", "Tiered with Overage Pricing": "TieredWithOverage",
    "Discount-Percentage": "Discount", "Discount-Fixed Amount": "Discount", "DiscountPercentage": "Discount",
    "DiscountFixedAmount": "Discount", "Delivery Pricing": "Delivery",
}
_TYPE_PREFIX = {"Recurring": "recurring", "OneTime": "oneTime", "Usage": "usage"}


def model_name(raw: Any) -> str | None:
    """A catalog's charge model name as the override keys spell it (`Per Unit Pricing` -> PerUnit)."""
    if not isinstance(raw, str) or not raw:
        return None
    return MODEL_NAMES.get(raw, raw.replace(" Pricing", "").replace(" ", "").replace("-", ""))


def pricing_key(charge_type: Any, model: str | None) -> str | None:
    """The override's pricing key for a charge type and model (Recurring, PerUnit -> recurringPerUnit)."""
    if model == "Discount":
        return "discount"
    prefix = _TYPE_PREFIX.get(str(charge_type))
    return prefix + model if prefix and model else None


TENANT = "tenant"  # the environment name of a catalog read from one tenant's export


class CatalogError(LookupError):
    """A name the catalog does not know, or an id it lacks for an environment."""

    def __init__(self, message: str, location: Location | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.location = location  # where in the catalog file, when the entry exists


@dataclass(frozen=True)
class Price:
    """A charge's price in one currency: list price or tiers, or a discount's percentage or amount."""

    currency: str | None
    list_price: Decimal | None = None
    # As the API writes them: tier, startingUnit, endingUnit, price (Decimal), priceFormat.
    tiers: tuple[dict[str, Any], ...] = ()
    discount_percentage: Decimal | None = None
    discount_amount: Decimal | None = None


@dataclass(frozen=True)
class Charge:
    name: str
    rate_plan: str
    id: str
    number: str | None = None
    type: str | None = None  # OneTime | Recurring | Usage
    model: str | None = None  # FlatFee | PerUnit | Tiered | Volume | ...
    list_price: Decimal | None = None
    billing_period: str | None = None
    currency: str | None = None
    uom: str | None = None
    location: Location | None = None
    # Price tiers of Tiered/Volume charges, as the API writes them: startingUnit, endingUnit,
    # price (Decimal), priceFormat (FlatFee | PerUnit).
    tiers: tuple[dict[str, Any], ...] = ()
    # What a subscription takes from the catalog when the order does not override it, under the
    # request's field names (see docs/templates.md): defaultQuantity, listPriceBase, billCycleType,
    # billCycleDay, weeklyBillCycleDay, billingTiming, billingPeriodAlignment,
    # specificBillingPeriod, triggerEvent, endDateCondition, upToPeriods, upToPeriodsType,
    # applyDiscountTo, discountLevel, discountClass.
    defaults: dict[str, Any] = field(default_factory=dict)
    # Every currency the charge is priced in; `list_price`/`tiers`/`currency` are the first.
    prices: tuple[Price, ...] = ()
    description: str | None = None

    def price(self, currency: str | None) -> Price | None:
        """The price in `currency`; without one, the only price there is (None if there are several)."""
        if currency is None:
            return self.prices[0] if len(self.prices) == 1 else None
        return next((p for p in self.prices if p.currency in (currency, None)), None)


@dataclass(frozen=True)
class RatePlan:
    name: str
    product: str
    id: str
    number: str | None
    charges: tuple[Charge, ...] = ()
    location: Location | None = None

    def charge(self, name: str) -> Charge:
        for charge in self.charges:
            if charge.name == name:
                return charge
        names = [c.name for c in self.charges]
        raise CatalogError(f"rate plan `{self.name}` has no charge `{name}`{did_you_mean(name, names)}"
                           f"; its charges: {', '.join(names) or 'none'}", self.location)


@dataclass(frozen=True)
class Product:
    name: str
    id: str | None
    number: str | None
    rate_plans: tuple[str, ...]
    location: Location | None = None


@dataclass
class Entry:
    """One catalog entry as written: ids per environment, not yet resolved."""

    name: str
    ids: dict[str, str] | str | None
    numbers: dict[str, str] | str | None
    data: dict[str, Any]
    location: Location
    children: dict[str, "Entry"] = field(default_factory=dict)
    parent: str = ""
    # A charge read from each environment's own export: its data (prices...) in that environment.
    env_data: dict[str, dict[str, Any]] = field(default_factory=dict)


@dataclass
class Catalog:
    path: str
    environments: tuple[str, ...]
    default_environment: str
    _products: dict[str, Entry] = field(default_factory=dict)
    _rate_plans: dict[str, Entry] = field(default_factory=dict)
    # A Zuora catalog export (catalog_export): one tenant's ids, whatever environment is asked.
    single_tenant: bool = False
    # The tenant's whole catalog (an export, or a catalog file naming exports): a plan it lacks is
    # not the tenant's, where a hand-written catalog may just not list it.
    from_export: bool = False
    _plan_index: dict[str, dict[str, str]] = field(default_factory=dict)  # env -> id/number -> name
    _charge_index: dict[str, dict[str, tuple[str, str]]] = field(default_factory=dict)
    _resolved: dict[tuple[str, str], RatePlan] = field(default_factory=dict)  # (name, env) -> plan

    # -- lookups --------------------------------------------------------------------------------
    def environment(self, env: str | None) -> str:
        chosen = env or self.default_environment
        if self.single_tenant:
            return chosen or TENANT  # one tenant's export: its ids answer for any environment
        if chosen not in self.environments:
            raise CatalogError(f"the catalog has no environment `{chosen}`"
                               f"{did_you_mean(chosen, self.environments)}; it has "
                               f"{', '.join(self.environments)}")
        return chosen

    def product(self, name: str, env: str | None = None) -> Product:
        entry = self._find(self._products, name, "product")
        chosen = self.environment(env)
        return Product(name, _for_env(entry.ids, chosen, entry, "id", optional=True),
                       _for_env(entry.numbers, chosen, entry, "number", optional=True),
                       tuple(entry.children), entry.location)

    def rate_plan(self, name: str, env: str | None = None) -> RatePlan:
        chosen = self.environment(env)
        cached = self._resolved.get((name, chosen)) if isinstance(name, str) else None
        if cached is not None:
            return cached  # a preview looks the same plans up for every order of a batch
        entry = self._find(self._rate_plans, name, "rate plan")
        charges = tuple(self._charge(child, entry.name, chosen) for child in entry.children.values())
        plan_id = _for_env(entry.ids, chosen, entry, "id")
        assert plan_id is not None
        plan = RatePlan(name, entry.parent, plan_id, _for_env(entry.numbers, chosen, entry, "number", optional=True),
                        charges, entry.location)
        self._resolved[(name, chosen)] = plan
        return plan

    def charge(self, rate_plan: str, name: str, env: str | None = None) -> Charge:
        return self.rate_plan(rate_plan, env).charge(name)

    @property
    def rate_plan_names(self) -> tuple[str, ...]:
        return tuple(self._rate_plans)

    def _find(self, table: dict[str, Entry], name: str, kind: str) -> Entry:
        if not isinstance(name, str):
            raise CatalogError(f"a {kind} name must be text, not `{name}`")
        entry = table.get(name)
        if entry is None:
            raise CatalogError(f"the catalog {self.path} has no {kind} `{name}`{did_you_mean(name, tuple(table))}")
        return entry

    def find_rate_plan(self, key: str, env: str | None = None) -> RatePlan | None:
        """The rate plan whose productRatePlanId or productRatePlanNumber in `env` is `key`, or None."""
        chosen = self.environment(env)
        index = self._plan_index.get(chosen)
        if index is None:
            index = {}
            for entry in self._rate_plans.values():
                for value in (entry.ids, entry.numbers):
                    found = value if isinstance(value, str) else (value or {}).get(chosen)
                    if found:
                        index.setdefault(found, entry.name)
            self._plan_index[chosen] = index
        name = index.get(key)
        return self.rate_plan(name, chosen) if name is not None else None

    def find_charge(self, key: str, env: str | None = None) -> tuple[RatePlan, Charge] | None:
        """The charge whose productRatePlanChargeId or productRatePlanChargeNumber in `env` is `key`,
        with its rate plan; or None."""
        chosen = self.environment(env)
        index = self._charge_index.get(chosen)
        if index is None:
            index = {}
            for plan_entry in self._rate_plans.values():
                for entry in plan_entry.children.values():
                    for value in (entry.ids, entry.numbers):
                        found = value if isinstance(value, str) else (value or {}).get(chosen)
                        if found:
                            index.setdefault(found, (plan_entry.name, entry.name))
            self._charge_index[chosen] = index
        names = index.get(key)
        if names is None:
            return None
        plan = self.rate_plan(names[0], chosen)
        return plan, plan.charge(names[1])

    @staticmethod
    def _charge(entry: Entry, plan: str, env: str) -> Charge:
        data = entry.env_data.get(env, entry.data)
        charge_id = _for_env(entry.ids, env, entry, "id")
        assert charge_id is not None
        prices = tuple(_price(item) for item in data.get("prices") or ()) or (
            (_price(data),) if any(data.get(k) is not None for k in PRICE_FIELDS) else ())
        first = prices[0] if prices else Price(data.get("currency"))
        defaults = {key: data[key] for key in CHARGE_DEFAULT_FIELDS if data.get(key) is not None}
        return Charge(entry.name, plan, charge_id, _for_env(entry.numbers, env, entry, "number", optional=True),
                      data.get("type"), data.get("model"), first.list_price,
                      data.get("billingPeriod"), first.currency, data.get("uom"), entry.location,
                      first.tiers, defaults, prices,
                      data["description"] if isinstance(data.get("description"), str) and data["description"] else None)


def _number(value: Any) -> Decimal | None:
    return Decimal(value) if isinstance(value, (int, Decimal, str)) and not isinstance(value, bool) else None


def _price(data: dict[str, Any]) -> Price:
    tiers = []
    for index, tier in enumerate(data.get("tiers") or ()):
        tier = dict(tier)
        tier.setdefault("tier", index + 1)
        for key in ("startingUnit", "endingUnit", "price"):
            if tier.get(key) is not None:
                tier[key] = _number(tier[key])
        tiers.append(tier)
    return Price(data.get("currency"), _number(data.get("listPrice")), tuple(tiers),
                 _number(data.get("discountPercentage")), _number(data.get("discountAmount")))


def _for_env(value: dict[str, str] | str | None, env: str, entry: Entry, what: str,
             optional: bool = False) -> str | None:
    if value is None or isinstance(value, str):
        if value is None and not optional:
            raise CatalogError(f"`{entry.name}` has no {what}", entry.location)
        return value
    if env in value:
        return value[env]
    if optional:
        return None
    raise CatalogError(f"`{entry.name}` has no {what} for environment `{env}` (it has "
                       f"{', '.join(value) or 'none'})", entry.location)
