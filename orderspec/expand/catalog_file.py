"""Reading a catalog: orderspec's catalog file (docs/templates.md), or Zuora's own catalog export.

`load_catalog(path)` returns the `Catalog` and the problems found (T020, at their line). A file
that is a Zuora export (see catalog_export) is one tenant's catalog, for any environment. A
catalog file may also name one export per environment (`exports: {sandbox: FILE, ...}`): the
rate plans are then named by their Zuora names, with each environment's ids and prices.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

from orderspec.diagnostics import Diagnostic, Pointer, at, format_pointer
from orderspec.expand.catalog import CHARGE_DEFAULT_FIELDS, PRICE_FIELDS, Catalog, Entry
from orderspec.expand.catalog_export import is_export, read_export
from orderspec.load import Limits, SourceMap, load_file
from orderspec.spec import did_you_mean

_CHARGE_FIELDS = ("id", "number", "type", "model", "billingPeriod", "uom", "description", "prices",
                  *PRICE_FIELDS, *CHARGE_DEFAULT_FIELDS)
_NUMBER_FIELDS = ("listPrice", "defaultQuantity", "discountPercentage", "discountAmount")
_INTEGER_FIELDS = ("billCycleDay", "specificBillingPeriod", "upToPeriods")
_TIER_FIELDS = ("tier", "startingUnit", "endingUnit", "price", "priceFormat")
_PLAN_FIELDS = ("id", "number", "charges", "description")
_PRODUCT_FIELDS = ("id", "number", "ratePlans", "description")
_TOP_FIELDS = ("catalog", "environments", "defaultEnvironment", "products", "exports")


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
    reader = _Reader(document.source if value is document.value else SourceMap(path), limits)
    catalog = reader.catalog(value, path)
    problems += reader.problems
    if catalog is not None and value is not document.value:
        catalog.environments, catalog.default_environment, catalog.single_tenant = (), "", True
        catalog.from_export = True
    if any(p.severity.value == "error" for p in problems):
        return None, problems
    return catalog, problems


class _Reader:
    def __init__(self, source: SourceMap, limits: Limits = Limits()) -> None:
        self.source = source
        self.limits = limits
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
        if self.fields(products, ("products",), tuple(products) if isinstance(products, dict) else (), "products"):
            self.products(products, catalog, environments)
        self.exports(data.get("exports"), catalog, environments)
        return catalog

    def products(self, products: dict[str, Any], catalog: Catalog, environments: list[str]) -> None:
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

    # -- one Zuora export per environment ---------------------------------------------------------
    def exports(self, exports: Any, catalog: Catalog, environments: list[str]) -> None:
        if exports is None:
            return
        if not isinstance(exports, dict):
            self.report(("exports",), "`exports` maps each environment to its Zuora catalog export file(s)")
            return
        exported: set[str] = set()  # rate plans that come from exports (merged across environments)
        for env, files in exports.items():
            pointer: Pointer = ("exports", env)
            if env not in environments:
                self.report(pointer, f"`{env}` is not one of the environments {', '.join(environments)}"
                            f"{did_you_mean(env, environments)}", key=True)
                continue
            names = [files] if isinstance(files, str) else files
            if not isinstance(names, list) or not names or not all(isinstance(n, str) and n for n in names):
                self.report(pointer, "an export is a file name, or a list of them (one per page)")
                continue
            for index, name in enumerate(names):
                where = pointer if isinstance(files, str) else pointer + (index,)
                self.export(Path(catalog.path).parent / name, where, env, catalog, exported)

    def export(self, path: Path, pointer: Pointer, env: str, catalog: Catalog, exported: set[str]) -> None:
        loaded = load_file(path, limits=self.limits)
        self.problems += loaded.diagnostics
        if not loaded.documents:
            return
        document = loaded.documents[0]
        if not is_export(document.value):
            self.report(pointer, f"{path} is not a Zuora catalog export (the body of GET /v1/catalog/products, "
                        "of a product, or of its product rate plans)")
            return
        converted, problems = read_export(document.value, document.source)
        self.problems += problems
        catalog.from_export = True
        location = self.source.locate(pointer)
        for product_name, product in converted["products"].items():
            product_entry = catalog._products.get(product_name)
            if product_entry is None:
                product_entry = Entry(product_name, {}, {}, {}, location)
                catalog._products[product_name] = product_entry
            if isinstance(product_entry.ids, dict) and isinstance(product.get("id"), str):
                product_entry.ids[env] = product["id"]
            for plan_name, plan in product["ratePlans"].items():
                plan_entry = catalog._rate_plans.get(plan_name)
                if plan_entry is not None and plan_name not in exported:
                    self.report(pointer, f"rate plan `{plan_name}` of {path.name} is also written in the catalog "
                                f"file (line {plan_entry.location.line}); rate plan names must be unique")
                    continue
                if plan_entry is None:
                    plan_entry = Entry(plan_name, {}, {}, {}, location, parent=product_name)
                    product_entry.children[plan_name] = plan_entry
                    catalog._rate_plans[plan_name] = plan_entry
                    exported.add(plan_name)
                _add_ids(plan_entry, plan, env)
                for charge_name, charge in plan["charges"].items():
                    charge_entry = plan_entry.children.get(charge_name)
                    if charge_entry is None:
                        charge_entry = Entry(charge_name, {}, {}, charge, location, parent=plan_name)
                        plan_entry.children[charge_name] = charge_entry
                    _add_ids(charge_entry, charge, env)
                    charge_entry.env_data[env] = charge

    def charge_values(self, charge: dict[str, Any], pointer: Pointer) -> None:
        self.price_values(charge, pointer)
        prices = charge.get("prices")
        if prices is not None:
            if not isinstance(prices, list) or not prices:
                self.report(pointer + ("prices",), "`prices` is a list of {currency, listPrice, tiers, ...}, "
                            "one per currency")
            else:
                for index, price in enumerate(prices):
                    if self.fields(price, pointer + ("prices", index), PRICE_FIELDS, "price"):
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
              optional_id: bool = False) -> Entry:
        ids = self.per_env(data.get("id"), pointer + ("id",), environments)
        if ids is None and not optional_id:
            self.report(pointer, f"`{name}` needs an `id` (one id, or one per environment)", key=True)
        numbers = self.per_env(data.get("number"), pointer + ("number",), environments)
        return Entry(name, ids, numbers, data, self.source.locate(pointer, key=True))

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


def _add_ids(entry: Entry, exported: dict[str, Any], env: str) -> None:
    """An export's id and number of the entry, for its environment."""
    for key, table in (("id", entry.ids), ("number", entry.numbers)):
        if isinstance(table, dict) and isinstance(exported.get(key), str):
            table[env] = exported[key]
