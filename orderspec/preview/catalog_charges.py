"""Every charge of a subscribed rate plan, priced from the catalog with the order's overrides on top.

Zuora subscribes a `subscribeToRatePlans` (or `subscribeToProducts`, or `addProduct`) entry to
EVERY charge of its product rate plan; `chargeOverrides` only change some fields of some of them.
`effective_charges(catalog, rate_plan_entry, env, currency)` returns one `EffectiveCharge` per
charge:

* `charge`: ONE mapping in the API's chargeOverride shape: `productRatePlanChargeId`,
  `productRatePlanChargeNumber`, `pricing: {<key>: {...}}` (key `recurringFlatFee`,
  `recurringPerUnit`, `recurringTiered`, `recurringVolume`, `oneTime*`, `usage*` or `discount`,
  from the catalog's charge type and model; the catalog's default quantity is its `quantity`),
  `billing: {billingPeriod, billCycleType, billCycleDay, weeklyBillCycleDay, billingTiming,
  billingPeriodAlignment, specificBillingPeriod}`, `startDate: {triggerEvent}`,
  `endDate: {endDateCondition, upToPeriods, upToPeriodsType}`: the catalog's values first, then
  the matching override applied field by field (mappings merged key by key, anything else, tiers
  included, replaced; an override that prices the charge under another pricing key replaces the
  catalog's pricing). Overrides match catalog charges by `productRatePlanChargeId` or
  `productRatePlanChargeNumber`.
* `facts`: what the chargeOverride shape has no place for, from the catalog: `chargeType`,
  `chargeModel` (FlatFee, PerUnit, Tiered, Volume, Discount, ... as the override keys spell
  them), `name`, `description`, `uom`, `currency`, `productName`, `ratePlanName`,
  `productRatePlanId`, `productRatePlanNumber`, and the catalog's `billCycleType` (also under
  `billing`, where an override may change it). Only those the catalog gives.
* `override_index`: the index of the matching entry in the order's `chargeOverrides` (None when
  the order does not override the charge), for pointing diagnostics at it.
* `problems`: why the charge cannot be resolved (empty when it can). A problem that concerns the
  whole entry (the plan is not in the catalog and the order lists no charges; a catalog error)
  comes as one `EffectiveCharge` with an empty `charge`.
* `notes`: facts worth a warning that do not stop pricing: when the plan is not in a catalog that
  is the tenant's whole catalog (read from its export), or its id is another environment's, but
  the order overrides charges, those are priced from the order alone, and the plan's other
  charges, if any, are unknown. A hand-written catalog may list only some plans: its missing
  plans' overrides are taken as all their charges, as without a catalog.

Charges come in the catalog's order, then overrides that match no catalog charge (each with a
problem). `isFromExternalCatalog: true` entries are not in the catalog by definition: their
overrides are their charges. `catalog` is an `orderspec.expand.Catalog`, None, or a plain mapping
of charge ids to flat entries with the request's field names (`chargeType`, `chargeModel`,
`listPrice`, `billingPeriod`, ...), which has no plans: then each override is merged over the
entry of its charge id. `currency` chooses among a charge's catalog prices (the account's
currency); a charge priced in one currency needs none.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Mapping

from orderspec.expand.catalog import Catalog, CatalogError, Charge, RatePlan, model_name, pricing_key

# Override pricing keys by (charge type, charge model).
BILLING_FIELDS = ("billingPeriod", "billCycleType", "billCycleDay", "weeklyBillCycleDay", "billingTiming",
                  "billingPeriodAlignment", "specificBillingPeriod")
_QUANTITY_MODELS = ("PerUnit", "Tiered", "Volume", "TieredWithOverage")


@dataclass(frozen=True)
class EffectiveCharge:
    """One charge of a subscribed rate plan as it would be subscribed (see the module docstring)."""

    charge: Mapping[str, Any]
    facts: Mapping[str, Any] = field(default_factory=dict)
    override_index: int | None = None
    problems: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()


def merged(under: Mapping[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    """`over` applied field by field on top of `under`: mappings merged key by key, anything else
    (lists such as tiers included) replaced. Under `pricing`, a pricing key other than the
    catalog's replaces the catalog's pricing."""
    result: dict[str, Any] = dict(under)
    for key, value in over.items():
        below = result.get(key)
        if key == "pricing" and isinstance(value, Mapping) and isinstance(below, Mapping):
            given = [k for k in value if k != "chargeModelData"]
            base = {k: v for k, v in below.items() if not given or k == "chargeModelData" or k in given}
            result[key] = merged(base, value)
        elif isinstance(value, Mapping) and isinstance(below, Mapping):
            result[key] = merged(below, value)
        else:
            result[key] = value
    return result


def effective_charges(catalog: Any, rate_plan_entry: Mapping[str, Any], env: str | None = None,
                      currency: str | None = None) -> list[EffectiveCharge]:
    """Every charge of one rate plan entry of an order, catalog values under the order's overrides."""
    raw_overrides = rate_plan_entry.get("chargeOverrides")
    overrides = [(i, o) for i, o in enumerate(raw_overrides) if isinstance(o, Mapping)] \
        if isinstance(raw_overrides, list) else []
    label = _plan_label(rate_plan_entry)
    if rate_plan_entry.get("isFromExternalCatalog") is True:
        return [EffectiveCharge(dict(o), _override_facts(o, rate_plan_entry), i) for i, o in overrides]
    if isinstance(catalog, Mapping) or catalog is None:
        return _from_flat_entries(catalog, label, overrides)
    if not isinstance(catalog, Catalog):
        raise TypeError(f"a catalog is an orderspec.expand.Catalog or a mapping, not {type(catalog).__name__}")
    try:
        plan = _find_plan(catalog, rate_plan_entry, env)
    except CatalogError as problem:
        return [EffectiveCharge({}, problems=(f"rate plan {label}: {problem.message}",))]
    if plan is None:
        return _plan_not_found(catalog, env, label, overrides)
    return _from_plan(catalog, plan, overrides, env, currency)


# -- the plan is in the catalog ---------------------------------------------------------------------
def _from_plan(catalog: Catalog, plan: RatePlan, overrides: list[tuple[int, Mapping[str, Any]]],
               env: str | None, currency: str | None) -> list[EffectiveCharge]:
    plan_facts = {"ratePlanName": plan.name, "productRatePlanId": plan.id, "productRatePlanNumber": plan.number,
                  "productName": plan.product or None}  # a bare export of rate plans names no product
    by_index = dict(overrides)
    unmatched = dict(overrides)
    result: list[EffectiveCharge] = []
    for charge in plan.charges:
        index = _matching_override(charge, overrides)
        override = by_index[index] if index is not None else None
        if index is not None:
            unmatched.pop(index, None)
        base, problems = catalog_override(charge, currency)
        facts = {**{k: v for k, v in plan_facts.items() if v is not None}, **_charge_facts(charge, currency)}
        merged_charge = merged(base, _override_fields(override)) if override is not None else base
        result.append(EffectiveCharge(merged_charge, facts, index, _unresolved(merged_charge, problems)))
    taken = {r.override_index for r in result if r.override_index is not None}
    for index, override in unmatched.items():
        key = _override_key(override)
        charges = ", ".join(c.number or c.id for c in plan.charges) or "none"
        first = next((i for i, o in overrides if i in taken and _names_same_charge(o, override, plan)), None)
        if first is not None:
            reason = (f"the override names charge {key} again (chargeOverrides[{first}] overrides it already); "
                      "which of the two applies is not known offline")
        elif key:
            reason = f"the override names charge {key}, which rate plan {plan.name} does not have (its charges: {charges})"
        else:
            reason = ("the override names no productRatePlanChargeId or productRatePlanChargeNumber, so it matches "
                      "no charge of the rate plan")
        result.append(EffectiveCharge(dict(override), _override_facts(override, {}), index, (reason,)))
    return result


def catalog_override(charge: Charge, currency: str | None = None) -> tuple[dict[str, Any], tuple[str, ...]]:
    """A catalog charge in the chargeOverride shape, and why it cannot be priced (if it cannot)."""
    result: dict[str, Any] = {"productRatePlanChargeId": charge.id}
    if charge.number:
        result["productRatePlanChargeNumber"] = charge.number
    defaults = charge.defaults
    model = model_name(charge.model)
    key = pricing_key(charge.type, model)
    problems: list[str] = []
    price = charge.price(currency)
    if price is None and charge.prices:
        currencies = ", ".join(str(p.currency) for p in charge.prices)
        problems.append(f"the catalog prices charge {charge.name} in {currencies}" +
                        (f", not in {currency}" if currency else "; the account's currency is not in the order "
                         "(give an existing account's as `currency` under [tool.orderspec.accounts])"))
    if key is None:
        problems.append(f"the catalog does not give charge {charge.name}'s "
                        + ("charge type" if model else "charge model"))
    else:
        block: dict[str, Any] = {}
        if model == "Discount":
            for name in ("applyDiscountTo", "discountLevel", "discountClass"):
                if defaults.get(name) is not None:
                    block[name] = defaults[name]
            if price is not None and price.discount_percentage is not None:
                block["discountPercentage"] = price.discount_percentage
            elif price is not None and price.discount_amount is not None:
                block["discountAmount"] = price.discount_amount
        else:
            if price is not None and price.list_price is not None and not price.tiers:
                block["listPrice"] = price.list_price
            if price is not None and price.tiers:
                block["tiers"] = [dict(t) for t in price.tiers]
            if model in _QUANTITY_MODELS and defaults.get("defaultQuantity") is not None:
                block["quantity"] = Decimal(defaults["defaultQuantity"])
            if charge.uom and model in _QUANTITY_MODELS:
                block["uom"] = charge.uom
            if defaults.get("listPriceBase") is not None and charge.type == "Recurring":
                block["listPriceBase"] = defaults["listPriceBase"]
        result["pricing"] = {key: block}
    billing = {"billingPeriod": charge.billing_period} if charge.billing_period else {}
    billing.update({k: defaults[k] for k in BILLING_FIELDS if defaults.get(k) is not None})
    if billing and charge.type != "OneTime":
        result["billing"] = billing
    if defaults.get("triggerEvent") is not None:
        result["startDate"] = {"triggerEvent": defaults["triggerEvent"]}
    end = {k: defaults[k] for k in ("endDateCondition", "upToPeriods", "upToPeriodsType") if defaults.get(k) is not None}
    if end:
        result["endDate"] = end
    return result, tuple(problems)


def _charge_facts(charge: Charge, currency: str | None) -> dict[str, Any]:
    price = charge.price(currency)
    facts = {"chargeType": charge.type, "chargeModel": model_name(charge.model), "name": charge.name,
             "uom": charge.uom, "currency": price.currency if price else None, "description": charge.description,
             "billCycleType": charge.defaults.get("billCycleType")}
    return {k: v for k, v in facts.items() if v is not None}


def _matching_override(charge: Charge, overrides: list[tuple[int, Mapping[str, Any]]]) -> int | None:
    keys = {charge.id, charge.number} - {None}
    for index, override in overrides:
        if _override_key(override) in keys or override.get("productRatePlanChargeNumber") in keys:
            return index
    return None


def _names_same_charge(one: Mapping[str, Any], other: Mapping[str, Any], plan: RatePlan) -> bool:
    keys = ({_override_key(one), one.get("productRatePlanChargeNumber")},
            {_override_key(other), other.get("productRatePlanChargeNumber")})
    return any({c.id, c.number} & keys[0] - {None} and {c.id, c.number} & keys[1] - {None} for c in plan.charges)


def _override_key(override: Mapping[str, Any]) -> str | None:
    for name in ("productRatePlanChargeId", "productRateplanChargeId", "productRatePlanChargeNumber"):
        value = override.get(name)
        if isinstance(value, str) and value:
            return value
    return None


def _override_fields(override: Mapping[str, Any]) -> dict[str, Any]:
    """The override as it applies on top of the catalog: the charge keeps the catalog's id and number."""
    return {k: v for k, v in override.items()
            if k not in ("productRatePlanChargeId", "productRateplanChargeId", "productRatePlanChargeNumber")}


_PRICE_KEYS = ("listPrice", "tiers", "discountPercentage", "discountAmount")


def _unresolved(charge: Mapping[str, Any], problems: tuple[str, ...]) -> tuple[str, ...]:
    """The catalog's problems that the order's override did not settle: a charge model is settled by
    any pricing key, a missing price (no price in the account's currency) by a price."""
    if not problems:
        return ()
    pricing = charge.get("pricing")
    blocks = [v for k, v in pricing.items() if k != "chargeModelData" and isinstance(v, Mapping)] \
        if isinstance(pricing, Mapping) else []
    if blocks and any(k in block for block in blocks for k in _PRICE_KEYS):
        return ()
    return problems


# -- the plan is not in the catalog -----------------------------------------------------------------
def _plan_not_found(catalog: Catalog, env: str | None, label: str,
                    overrides: list[tuple[int, Mapping[str, Any]]]) -> list[EffectiveCharge]:
    elsewhere = _elsewhere(catalog, env, label)
    where = f"the catalog {catalog.path}{elsewhere}"
    if not overrides:
        return [EffectiveCharge({}, problems=(f"rate plan {label} is not in {where}, and the order lists none of its "
                                              "charges: add the plan to the catalog to price it",))]
    # A hand-written catalog may list only the plans its templates name: the overrides are then
    # taken as the plan's charges, as without a catalog. A plan missing from the tenant's own
    # export, or whose id is another environment's, is not the tenant's: its other charges are unknown.
    note = (f"rate plan {label} is not in {where}: the charges the order overrides are priced from the order "
            "alone; any other charge of the plan is unknown") if catalog.from_export or elsewhere else None
    notes = (note,) if note else ()
    result = []
    for index, override in overrides:
        key = _override_key(override)
        found = catalog.find_charge(key, env) if key else None
        if found is not None:
            base, problems = catalog_override(found[1])
            facts = {"ratePlanName": found[0].name, "productName": found[0].product or None,
                     **_charge_facts(found[1], None)}
            facts = {k: v for k, v in facts.items() if v is not None}
            charge = merged(base, _override_fields(override))
            result.append(EffectiveCharge(charge, facts, index, _unresolved(charge, problems), notes))
        else:
            result.append(EffectiveCharge(dict(override), _override_facts(override, {}), index, (), notes))
    return result


def _elsewhere(catalog: Catalog, env: str | None, key: str) -> str:
    """Where the catalog has the plan instead: an id of another environment is a likely mistake."""
    chosen = catalog.environment(env)
    for other in catalog.environments:
        found = catalog.find_rate_plan(key, other) if other != chosen else None
        if found is not None:
            return f" for environment {chosen} (it is rate plan {found.name}'s {other} id or number)"
    return ""


def _from_flat_entries(catalog: Mapping[str, Any] | None, label: str,
                       overrides: list[tuple[int, Mapping[str, Any]]]) -> list[EffectiveCharge]:
    if not overrides:
        why = "no catalog was given" if catalog is None else "the catalog lists charges, not rate plans"
        return [EffectiveCharge({}, problems=(f"rate plan {label}: its charges come from the product catalog and "
                                              f"{why}; give a catalog that lists the plan, or chargeOverrides",))]
    result = []
    for index, override in overrides:
        key = _override_key(override)
        entry = catalog.get(key) if catalog is not None and key else None
        entry = entry if isinstance(entry, Mapping) else {}
        base = flat_entry_as_override(entry)
        facts = {k: entry[k] for k in ("chargeType", "chargeModel", "name", "uom", "productName", "currency")
                 if entry.get(k) is not None}
        if "chargeModel" in facts:
            facts["chargeModel"] = model_name(facts["chargeModel"])
        facts.update(_override_facts(override, {}))
        result.append(EffectiveCharge(merged(base, override), facts, index))
    return result


def flat_entry_as_override(entry: Mapping[str, Any]) -> dict[str, Any]:
    """A flat catalog entry (the request's field names) in the chargeOverride shape."""
    charge: dict[str, Any] = {}
    model = model_name(entry.get("chargeModel"))
    key = pricing_key(entry.get("chargeType"), model)
    if key:
        fields = ("discountPercentage", "discountAmount", "applyDiscountTo", "discountLevel") if model == "Discount" \
            else ("listPrice", "quantity", "tiers", "listPriceBase", "uom")
        charge["pricing"] = {key: {k: entry[k] for k in fields if entry.get(k) is not None}}
    billing = {k: entry[k] for k in BILLING_FIELDS if entry.get(k) is not None}
    if billing:
        charge["billing"] = billing
    for name in ("startDate", "endDate"):
        if isinstance(entry.get(name), Mapping):
            charge[name] = dict(entry[name])
    return charge


# -- helpers ----------------------------------------------------------------------------------------
def _find_plan(catalog: Catalog, entry: Mapping[str, Any], env: str | None) -> RatePlan | None:
    for name in ("productRatePlanId", "productRatePlanNumber"):
        key = entry.get(name)
        if isinstance(key, str) and key:
            found = catalog.find_rate_plan(key, env)
            if found is not None:
                return found
    return None


def _plan_label(entry: Mapping[str, Any]) -> str:
    for name in ("productRatePlanId", "productRatePlanNumber", "ratePlanName"):
        value = entry.get(name)
        if isinstance(value, str) and value:
            return value
    return "?"


def _override_facts(override: Mapping[str, Any], entry: Mapping[str, Any]) -> dict[str, Any]:
    """Facts an override states itself (an external-catalog charge, or one the catalog lacks)."""
    facts: dict[str, Any] = {}
    for name in ("chargeType", "chargeModel", "name"):
        if isinstance(override.get(name), str):
            facts[name] = override[name]
    if isinstance(entry.get("ratePlanName"), str):
        facts["ratePlanName"] = entry["ratePlanName"]
    return facts


__all__ = ["EffectiveCharge", "catalog_override", "effective_charges", "flat_entry_as_override", "merged",
           "model_name", "pricing_key"]
