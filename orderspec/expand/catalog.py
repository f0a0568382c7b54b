"""The product catalog: human names for Zuora products, rate plans and charges, per environment.

A catalog file (see docs/templates.md) maps names such as `pro-monthly` to the ids of each
environment (`sandbox`, `production`, ...), with optional list prices and charge models. Lookups
return plain frozen dataclasses resolved for one environment; the offline preview reads them too.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from orderspec.diagnostics import Diagnostic, Location, Pointer, at, format_pointer
from orderspec.expand.catalog_export import is_export, read_export
from orderspec.load import Limits, SourceMap, load_file
from orderspec.spec import did_you_mean


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
class _Entry:
    """One catalog entry as written: ids per environment, not yet resolved."""

    name: str
    ids: dict[str, str] | str | None
    numbers: dict[str, str] | str | None
    data: dict[str, Any]
    location: Location
    children: dict[str, "_Entry"] = field(default_factory=dict)
    parent: str = ""


@dataclass
class Catalog:
    path: str
    environments: tuple[str, ...]
    default_environment: str
    _products: dict[str, _Entry] = field(default_factory=dict)
    _rate_plans: dict[str, _Entry] = field(default_factory=dict)
    # A Zuora catalog export (catalog_export): one tenant's ids, whatever environment is asked.
    single_tenant: bool = False
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

    def _find(self, table: dict[str, _Entry], name: str, kind: str) -> _Entry:
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
    def _charge(entry: _Entry, plan: str, env: str) -> Charge:
        data = entry.data
        charge_id = _for_env(entry.ids, env, entry, "id")
        assert charge_id is not None
        prices = tuple(_price(item) for item in data.get("prices") or ()) or (
            (_price(data),) if any(data.get(k) is not None for k in _PRICE_FIELDS) else ())
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


def _for_env(value: dict[str, str] | str | None, env: str, entry: _Entry, what: str,
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


# -- reading the file -------------------------------------------------------------------------
# What a subscription takes from a catalog charge when the order does not override it (besides
# its price, type, model, billing period and unit of measure).
CHARGE_DEFAULT_FIELDS = ("defaultQuantity", "listPriceBase", "billCycleType", "billCycleDay", "weeklyBillCycleDay",
                         "billingTiming", "billingPeriodAlignment", "specificBillingPeriod", "triggerEvent",
                         "endDateCondition", "upToPeriods", "upToPeriodsType", "applyDiscountTo", "discountLevel",
                         "discountClass")
_PRICE_FIELDS = ("currency", "listPrice", "tiers", "discountPercentage", "discountAmount")
_CHARGE_FIELDS = ("id", "number", "type", "model", "billingPeriod", "uom", "description", "prices",
                  *_PRICE_FIELDS, *CHARGE_DEFAULT_FIELDS)
_NUMBER_FIELDS = ("listPrice", "defaultQuantity", "discountPercentage", "discountAmount")
_INTEGER_FIELDS = ("billCycleDay", "specificBillingPeriod", "upToPeriods")
_TIER_FIELDS = ("tier", "startingUnit", "endingUnit", "price", "priceFormat")
_PLAN_FIELDS = ("id", "number", "charges", "description")
_PRODUCT_FIELDS = ("id", "number", "ratePlans", "description")
_TOP_FIELDS = ("catalog", "environments", "defaultEnvironment", "products")


def load_catalog(path: str, limits: Limits = Limits()) -> tuple[Catalog | None, list[Diagnostic]]:
    loaded = load_file(path, limits=limits)
    problems = list(loaded.diagnostics)
    if not loaded.documents:
        return None, problems
    document = loaded.documents[0]
    value = document.value
    if is_export(value):
        value, export_problems = read_export(value, document.source)
        problems += export_problems
    # An export's entries are located at the start of the file: the converted document has no
    # lines of its own, and building the export's source map would cost more than reading it.
    reader = _Reader(document.source if value is document.value else SourceMap(path))
    catalog = reader.catalog(value, path)
    problems += reader.problems
    if catalog is not None and value is not document.value:
        catalog.environments, catalog.default_environment, catalog.single_tenant = (), "", True
    if any(p.severity.value == "error" for p in problems):
        return None, problems
    return catalog, problems


class _Reader:
    def __init__(self, source: SourceMap) -> None:
        self.source = source
        self.problems: list[Diagnostic] = []

    def report(self, pointer: Pointer, message: str, *, key: bool = False) -> None:
        self.problems.append(at(self.source.locate(pointer, key=key), "T020", message,
                                pointer=format_pointer(pointer)))

    def fields(self, data: Any, pointer: Pointer, allowed: tuple[str, ...], what: str) -> bool:
        if not isinstance(data, dict):
            self.report(pointer, f"{what} must be a mapping")
            return False
        for key in data:
            if key not in allowed:
                self.report(pointer + (key,), f"unknown {what} field `{key}`{did_you_mean(key, allowed)}", key=True)
        return True

    def catalog(self, data: Any, path: str) -> Catalog | None:
        if not self.fields(data, (), _TOP_FIELDS, "catalog"):
            return None
        if data.get("catalog") != 1:
            self.report(("catalog",), "start the catalog file with `catalog: 1`")
            return None
        environments = data.get("environments", ["sandbox", "production"])
        if not isinstance(environments, list) or not environments or not all(isinstance(e, str) for e in environments):
            self.report(("environments",), "`environments` is a list of names, such as [sandbox, production]")
            return None
        default = data.get("defaultEnvironment", environments[0])
        if default not in environments:
            self.report(("defaultEnvironment",), f"`{default}` is not one of the environments "
                        f"{', '.join(environments)}")
            return None
        catalog = Catalog(path, tuple(environments), default)
        products = data.get("products") or {}
        if not self.fields(products, ("products",), tuple(products) if isinstance(products, dict) else (), "products"):
            return catalog
        for product_name, product in products.items():
            pointer = ("products", product_name)
            if not self.fields(product, pointer, _PRODUCT_FIELDS, "product"):
                continue
            entry = self.entry(product_name, product, pointer, environments, optional_id=True)
            catalog._products[product_name] = entry
            plans = product.get("ratePlans") or {}
            if not isinstance(plans, dict):
                self.report(pointer + ("ratePlans",), "`ratePlans` maps rate plan names to rate plans")
                continue
            for plan_name, plan in plans.items():
                plan_pointer = pointer + ("ratePlans", plan_name)
                if not self.fields(plan, plan_pointer, _PLAN_FIELDS, "rate plan"):
                    continue
                if plan_name in catalog._rate_plans:
                    first = catalog._rate_plans[plan_name].location
                    self.report(plan_pointer, f"rate plan name `{plan_name}` is used twice (first at line "
                                f"{first.line}); rate plan names must be unique", key=True)
                    continue
                plan_entry = self.entry(plan_name, plan, plan_pointer, environments)
                plan_entry.parent = product_name
                entry.children[plan_name] = plan_entry
                catalog._rate_plans[plan_name] = plan_entry
                charges = plan.get("charges") or {}
                if not isinstance(charges, dict):
                    self.report(plan_pointer + ("charges",), "`charges` maps charge names to charges")
                    continue
                for charge_name, charge in charges.items():
                    charge_pointer = plan_pointer + ("charges", charge_name)
                    if not self.fields(charge, charge_pointer, _CHARGE_FIELDS, "charge"):
                        continue
                    self.charge_values(charge, charge_pointer)
                    charge_entry = self.entry(charge_name, charge, charge_pointer, environments)
                    charge_entry.parent = plan_name
                    plan_entry.children[charge_name] = charge_entry
        return catalog

    def charge_values(self, charge: dict[str, Any], pointer: Pointer) -> None:
        self.price_values(charge, pointer)
        prices = charge.get("prices")
        if prices is not None:
            if not isinstance(prices, list) or not prices:
                self.report(pointer + ("prices",), "`prices` is a list of {currency, listPrice, tiers, ...}, "
                            "one per currency")
            else:
                for index, price in enumerate(prices):
                    if self.fields(price, pointer + ("prices", index), _PRICE_FIELDS, "price"):
                        self.price_values(price, pointer + ("prices", index))
        quantity = charge.get("defaultQuantity")
        if quantity is not None and (isinstance(quantity, bool) or not isinstance(quantity, (int, Decimal))):
            self.report(pointer + ("defaultQuantity",), "`defaultQuantity` must be a number")
        for key in _INTEGER_FIELDS:
            value = charge.get(key)
            if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
                self.report(pointer + (key,), f"`{key}` must be a whole number")
        text_fields = ("type", "model", "billingPeriod", "uom", *(k for k in CHARGE_DEFAULT_FIELDS
                                                                  if k not in _NUMBER_FIELDS + _INTEGER_FIELDS))
        for key in text_fields:
            if key in charge and not isinstance(charge[key], str):
                self.report(pointer + (key,), f"`{key}` must be text")

    def price_values(self, price: dict[str, Any], pointer: Pointer) -> None:
        for key in ("listPrice", "discountPercentage", "discountAmount"):
            value = price.get(key)
            if value is not None and (isinstance(value, bool) or not isinstance(value, (int, Decimal))):
                self.report(pointer + (key,), f"`{key}` must be a number")
        if "currency" in price and not isinstance(price["currency"], str):
            self.report(pointer + ("currency",), "`currency` must be text")
        self.tiers(price.get("tiers"), pointer + ("tiers",))

    def tiers(self, tiers: Any, pointer: Pointer) -> None:
        if tiers is None:
            return
        if not isinstance(tiers, list):
            self.report(pointer, "`tiers` is a list of {startingUnit, endingUnit, price, priceFormat}")
            return
        for index, tier in enumerate(tiers):
            if not self.fields(tier, pointer + (index,), _TIER_FIELDS, "tier"):
                continue
            for key in ("tier", "startingUnit", "endingUnit", "price"):
                value = tier.get(key)
                if value is not None and (isinstance(value, bool) or not isinstance(value, (int, Decimal))):
                    self.report(pointer + (index, key), f"`{key}` must be a number")
            if tier.get("priceFormat", "PerUnit") not in ("FlatFee", "PerUnit"):
                self.report(pointer + (index, "priceFormat"), "`priceFormat` is FlatFee or PerUnit")

    def entry(self, name: str, data: dict[str, Any], pointer: Pointer, environments: list[str],
              optional_id: bool = False) -> _Entry:
        ids = self.per_env(data.get("id"), pointer + ("id",), environments)
        if ids is None and not optional_id:
            self.report(pointer, f"`{name}` needs an `id` (one id, or one per environment)", key=True)
        numbers = self.per_env(data.get("number"), pointer + ("number",), environments)
        return _Entry(name, ids, numbers, data, self.source.locate(pointer, key=True))

    def per_env(self, value: Any, pointer: Pointer, environments: list[str]) -> dict[str, str] | str | None:
        if value is None or isinstance(value, str):
            return value
        if isinstance(value, dict):
            for env, item in value.items():
                if env not in environments:
                    self.report(pointer + (env,), f"`{env}` is not one of the environments "
                                f"{', '.join(environments)}{did_you_mean(env, environments)}", key=True)
                elif not isinstance(item, str):
                    raw = self.source.raw_plain(pointer + (env,))
                    self.report(pointer + (env,), "ids are text" + (f"; quote it: '{raw}'" if raw else ""))
            return {k: v for k, v in value.items() if isinstance(v, str)}
        raw = self.source.raw_plain(pointer)
        self.report(pointer, "an id is text, or a mapping of environment to text"
                    + (f"; quote it: '{raw}'" if raw else ""))
        return None
