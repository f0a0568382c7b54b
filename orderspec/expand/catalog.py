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
from orderspec.load import Limits, SourceMap, load_file
from orderspec.spec import did_you_mean


class CatalogError(LookupError):
    """A name the catalog does not know, or an id it lacks for an environment."""

    def __init__(self, message: str, location: Location | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.location = location  # where in the catalog file, when the entry exists


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

    # -- lookups --------------------------------------------------------------------------------
    def environment(self, env: str | None) -> str:
        chosen = env or self.default_environment
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
        entry = self._find(self._rate_plans, name, "rate plan")
        chosen = self.environment(env)
        charges = tuple(self._charge(child, entry.name, chosen) for child in entry.children.values())
        plan_id = _for_env(entry.ids, chosen, entry, "id")
        assert plan_id is not None
        return RatePlan(name, entry.parent, plan_id, _for_env(entry.numbers, chosen, entry, "number", optional=True),
                        charges, entry.location)

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

    @staticmethod
    def _charge(entry: _Entry, plan: str, env: str) -> Charge:
        data = entry.data
        charge_id = _for_env(entry.ids, env, entry, "id")
        assert charge_id is not None
        price = data.get("listPrice")
        return Charge(entry.name, plan, charge_id, _for_env(entry.numbers, env, entry, "number", optional=True),
                      data.get("type"), data.get("model"), Decimal(price) if price is not None else None,
                      data.get("billingPeriod"), data.get("currency"), data.get("uom"), entry.location,
                      tuple(dict(tier) for tier in data.get("tiers") or ()))


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
_CHARGE_FIELDS = ("id", "number", "type", "model", "listPrice", "billingPeriod", "currency", "uom", "tiers",
                  "description")
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
    reader = _Reader(document.source)
    catalog = reader.catalog(document.value, path)
    problems += reader.problems
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
                    price = charge.get("listPrice")
                    if price is not None and (isinstance(price, bool) or not isinstance(price, (int, Decimal))):
                        self.report(charge_pointer + ("listPrice",), "`listPrice` must be a number")
                    self.tiers(charge.get("tiers"), charge_pointer + ("tiers",))
                    for text_field in ("type", "model", "billingPeriod", "currency", "uom"):
                        if text_field in charge and not isinstance(charge[text_field], str):
                            self.report(charge_pointer + (text_field,), f"`{text_field}` must be text")
                    charge_entry = self.entry(charge_name, charge, charge_pointer, environments)
                    charge_entry.parent = plan_name
                    plan_entry.children[charge_name] = charge_entry
        return catalog

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
