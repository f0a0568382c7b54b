"""Zuora's own catalog export read as a catalog, so nobody retypes a tenant's catalog by hand.

Accepted bodies (as the tenant returns them, JSON or YAML, or a list of them, e.g. one per page):
`GET /v1/catalog/products` (`{products: [{name, id, productRatePlans: [...]}]}`), one product
(`GET /v1/catalog/products/{key}`), `GET /v1/products/{key}/product-rate-plans`
(`{productRatePlans: [...]}`), one product rate plan with its `productRatePlanCharges`, and the
object query `GET /object-query/product-rate-plans?expand[]=productrateplancharges,
productrateplancharges.productrateplanchargetiers` (`{data: [...]}`, prices as tier rows).

An export holds one tenant's ids, so the catalog it makes has no environments of its own: it
answers for whichever environment is asked. Rate plans and charges are named by their Zuora
names (a rate plan name used before in the export becomes `PRODUCT / PLAN`, then
`PRODUCT / PLAN (ID)`). Each charge's fields
are translated to the catalog's (see docs/templates.md): `pricing[]` -> prices per currency,
`billingDay` -> billCycleType/billCycleDay/weeklyBillCycleDay, `billingPeriod` `Semi-Annual` ->
`Semi_Annual`, and the other billing, trigger and end-date defaults as they are.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any, Mapping

from orderspec.diagnostics import Diagnostic, Pointer, at, format_pointer
from orderspec.load import SourceMap

WEEKDAYS = ("Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday")
_BILL_CYCLE_TYPES = ("DefaultFromCustomer", "ChargeTriggerDay", "SubscriptionStartDay", "TermStartDay", "TermEndDay")
_DAY_OF_MONTH = re.compile(r"^(?:SpecificDayofMonth\(\s*(\d{1,2})\s*\)|(\d{1,2})(?:st|nd|rd|th)?(?: of the month)?)$",
                           re.IGNORECASE)
_DAY_OF_WEEK = re.compile(r"^(?:SpecificDayofWeek|Specific ?Day ?of ?Week)\W*(\w+)\W*$", re.IGNORECASE)
_END_CONDITIONS = {"SubscriptionEnd": "Subscription_End", "FixedPeriod": "Fixed_Period",
                   "SpecificEndDate": "Specific_End_Date"}
# Export fields copied into the catalog's charge defaults under the same name.
_SAME_FIELDS = ("billingTiming", "billingPeriodAlignment", "specificBillingPeriod", "triggerEvent", "upToPeriods",
                "upToPeriodsType", "listPriceBase", "applyDiscountTo", "discountClass")


def is_export(data: Any) -> bool:
    """Whether a loaded document is a Zuora catalog export rather than an orderspec catalog file."""
    if isinstance(data, list):
        return bool(data) and all(isinstance(d, Mapping) and is_export(d) for d in data)
    if not isinstance(data, Mapping) or "catalog" in data:
        return False
    if any(isinstance(data.get(key), list) for key in ("products", "productRatePlans", "productRatePlanCharges")):
        return True
    # The object query (GET /object-query/product-rate-plans?expand[]=productrateplancharges...)
    rows = data.get("data")
    return isinstance(rows, list) and bool(rows) and all(
        isinstance(row, Mapping) and "productRatePlanCharges" in row for row in rows)


def read_export(data: Any, source: SourceMap) -> tuple[dict[str, Any], list[Diagnostic]]:
    """The export as an orderspec catalog document (`catalog: 1`, products -> rate plans -> charges),
    with the problems found on the way (T020, at the export's line)."""
    reader = _ExportReader(source)
    bodies = data if isinstance(data, list) else [data]
    for index, body in enumerate(bodies):
        reader.body(body, (index,) if isinstance(data, list) else ())
    return {"catalog": 1, "products": reader.products}, reader.problems


class _ExportReader:
    def __init__(self, source: SourceMap) -> None:
        self.source = source
        self.problems: list[Diagnostic] = []
        self.products: dict[str, dict[str, Any]] = {}
        self.plan_names: set[str] = set()

    def report(self, pointer: Pointer, message: str) -> None:
        self.problems.append(at(self.source.locate(pointer), "T020", message, pointer=format_pointer(pointer)))

    def body(self, body: Mapping[str, Any], pointer: Pointer) -> None:
        if isinstance(body.get("products"), list):
            for index, product in enumerate(body["products"]):
                self.product(product, pointer + ("products", index))
        elif isinstance(body.get("productRatePlans"), list) and "name" in body:
            self.product(body, pointer)
        elif isinstance(body.get("productRatePlans"), list):
            self.plans(None, body["productRatePlans"], pointer + ("productRatePlans",))
        elif isinstance(body.get("productRatePlanCharges"), list):
            self.plan(None, body, pointer)
        elif isinstance(body.get("data"), list):
            self.plans(None, body["data"], pointer + ("data",))

    def product(self, product: Any, pointer: Pointer) -> None:
        if not isinstance(product, Mapping) or not isinstance(product.get("name"), str):
            self.report(pointer, "a product of the export needs a name")
            return
        plans = product.get("productRatePlans")
        if not isinstance(plans, list):
            self.report(pointer + ("productRatePlans",), f"product {product['name']} does not list its rate plans "
                        "(the export gives a link instead): add the body of GET /v1/products/{id}/"
                        "product-rate-plans to the export")
            return
        entry = self.products.setdefault(product["name"], {"ratePlans": {}})
        for key, name in (("id", "id"), ("productNumber", "number")):
            if isinstance(product.get(key), str):
                entry[name] = product[key]
        self.plans(product["name"], plans, pointer + ("productRatePlans",))

    def plans(self, product: str | None, plans: list[Any], pointer: Pointer) -> None:
        for index, plan in enumerate(plans):
            self.plan(product, plan, pointer + (index,))

    def plan(self, product: str | None, plan: Any, pointer: Pointer) -> None:
        if not isinstance(plan, Mapping) or not isinstance(plan.get("id"), str):
            self.report(pointer, "a product rate plan of the export needs an id")
            return
        name = str(plan["name"]) if isinstance(plan.get("name"), str) else str(plan["id"])
        if name in self.plan_names and product:
            name = f"{product} / {name}"
        while name in self.plan_names:
            name = f"{name} ({plan['id']})"
        self.plan_names.add(name)
        entry: dict[str, Any] = {"id": plan["id"], "charges": {}}
        if isinstance(plan.get("productRatePlanNumber"), str):
            entry["number"] = plan["productRatePlanNumber"]
        charges = plan.get("productRatePlanCharges")
        for index, charge in enumerate(charges if isinstance(charges, list) else []):
            found = self.charge(charge, pointer + ("productRatePlanCharges", index))
            if found is not None:
                charge_name = found.pop("name")
                while charge_name in entry["charges"]:
                    charge_name = f"{charge_name} ({found['id']})"
                entry["charges"][charge_name] = found
        # A plan listed without a product gets a product named after nothing the export says.
        product_entry = self.products.setdefault(product or "", {"ratePlans": {}})
        product_entry["ratePlans"][name] = entry

    def charge(self, charge: Any, pointer: Pointer) -> dict[str, Any] | None:
        if not isinstance(charge, Mapping) or not isinstance(charge.get("id"), str):
            self.report(pointer, "a product rate plan charge of the export needs an id")
            return None
        out: dict[str, Any] = {"name": charge.get("name") if isinstance(charge.get("name"), str) else charge["id"],
                               "id": charge["id"]}
        # The REST catalog writes type/model/uom/billingDay, the object query chargeType/chargeModel/
        # uOM/billCycleType; enum values are written `In Advance` or `IN_ADVANCE`, `Semi-Annual` or
        # `Semi_Annual`.
        texts = {"number": _text(charge, "productRatePlanChargeNumber"),
                 "type": _squeezed(_text(charge, "type", "chargeType")),
                 "model": _text(charge, "model", "chargeModel"), "uom": _text(charge, "uom", "uOM", "UOM"),
                 "description": _text(charge, "description"),
                 "billingPeriod": _underscored(_text(charge, "billingPeriod")),
                 "billingTiming": _underscored(_text(charge, "billingTiming"), upper=True),
                 "billingPeriodAlignment": _squeezed(_text(charge, "billingPeriodAlignment")),
                 "triggerEvent": _squeezed(_text(charge, "triggerEvent")),
                 "listPriceBase": _underscored(_text(charge, "listPriceBase")),
                 "upToPeriodsType": _underscored(_text(charge, "upToPeriodsType")),
                 "applyDiscountTo": _text(charge, "applyDiscountTo"), "discountClass": _text(charge, "discountClass"),
                 "discountLevel": (_text(charge, "discountLevel") or "").lower() or None}
        condition = _text(charge, "endDateCondition")
        if condition and condition != "One_Time":  # one-time charges end when they are billed
            texts["endDateCondition"] = _END_CONDITIONS.get(condition.replace(" ", ""), _underscored(condition))
        out.update({k: v for k, v in texts.items() if v})
        for key in ("specificBillingPeriod", "upToPeriods"):
            if isinstance(charge.get(key), int) and not isinstance(charge.get(key), bool):
                out[key] = charge[key]
        quantity = _decimal(charge.get("defaultQuantity"))
        if quantity is not None:
            out["defaultQuantity"] = quantity
        if charge.get("billingDay") is not None:
            out.update(bill_cycle(charge.get("billingDay")))
        elif isinstance(charge.get("billCycleType"), str):
            out["billCycleType"] = charge["billCycleType"]
            if isinstance(charge.get("billCycleDay"), int) and charge["billCycleType"] == "SpecificDayofMonth":
                out["billCycleDay"] = charge["billCycleDay"]
            if isinstance(charge.get("weeklyBillCycleDay"), str):
                out["weeklyBillCycleDay"] = charge["weeklyBillCycleDay"]
        if isinstance(charge.get("productRatePlanChargeTiers"), list):
            prices = self.tier_rows(charge["productRatePlanChargeTiers"], str(out.get("model", "")),
                                    pointer + ("productRatePlanChargeTiers",))
        else:
            pricing = charge.get("pricing")
            if pricing is not None and not isinstance(pricing, list):
                self.report(pointer + ("pricing",), "`pricing` of the export is a list of prices, one per currency")
                pricing = None
            prices = [p for p in (self.price(p, pointer + ("pricing", i)) for i, p in enumerate(pricing or ())) if p]
        if prices:
            out["prices"] = prices
        return out

    def tier_rows(self, rows: list[Any], model: str, pointer: Pointer) -> list[dict[str, Any]]:
        """The object query's flat price rows (one per currency and tier) as prices per currency."""
        by_currency: dict[str, list[dict[str, Any]]] = {}
        for index, row in enumerate(rows):
            if isinstance(row, Mapping) and row.get("active", True) is not False:
                by_currency.setdefault(str(row.get("currency") or ""), []).append(self.tier(row, pointer + (index,)))
        prices = []
        for currency, tiers in by_currency.items():
            price: dict[str, Any] = {"currency": currency} if currency else {}
            tiered = "Tier" in model or "Volume" in model
            if tiered:
                price["tiers"] = tiers
            elif tiers and "price" in tiers[0]:
                key = "discountPercentage" if "Percentage" in model else "discountAmount" if "Discount" in model \
                    else "listPrice"
                price[key] = tiers[0]["price"]
            prices.append(price)
        return prices

    def price(self, price: Any, pointer: Pointer) -> dict[str, Any] | None:
        if not isinstance(price, Mapping):
            self.report(pointer, "a price of the export must be a mapping")
            return None
        out: dict[str, Any] = {}
        if isinstance(price.get("currency"), str):
            out["currency"] = price["currency"]
        for key, name in (("price", "listPrice"), ("discountPercentage", "discountPercentage"),
                          ("discountAmount", "discountAmount")):
            value = _decimal(price.get(key))
            if value is not None:
                out[name] = value
        tiers = price.get("tiers")
        if isinstance(tiers, list) and tiers:
            out["tiers"] = [self.tier(t, pointer + ("tiers", i)) for i, t in enumerate(tiers)]
            out.pop("listPrice", None)  # a tiered charge's price is its tiers
        return out

    def tier(self, tier: Any, pointer: Pointer) -> dict[str, Any]:
        if not isinstance(tier, Mapping):
            self.report(pointer, "a price tier of the export must be a mapping")
            return {}
        out: dict[str, Any] = {}
        if isinstance(tier.get("tier"), int):
            out["tier"] = tier["tier"]
        for key in ("startingUnit", "endingUnit", "price"):
            value = _decimal(tier.get(key))
            if value is not None:
                out[key] = value
        fmt = tier.get("priceFormat")
        if isinstance(fmt, str):
            out["priceFormat"] = fmt.replace(" ", "").replace("_", "")  # Per Unit -> PerUnit
        return out


def _text(data: Mapping[str, Any], *keys: str) -> str | None:
    for key in keys:
        value = data.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None


def _squeezed(value: str | None) -> str | None:
    """`One-Time` -> OneTime, `Contract Effective` -> ContractEffective."""
    return value.replace("-", "").replace(" ", "") if value else None


def _underscored(value: str | None, upper: bool = False) -> str | None:
    """`Semi-Annual` -> Semi_Annual, `Per Billing Period` -> Per_Billing_Period, `In Advance` -> IN_ADVANCE."""
    if not value:
        return None
    joined = value.replace("-", "_").replace(" ", "_")
    return joined.upper() if upper else joined


def bill_cycle(billing_day: Any) -> dict[str, Any]:
    """The export's `billingDay` as billCycleType and billCycleDay or weeklyBillCycleDay.
    Values not recognised are kept as the bill cycle type, for the preview to name."""
    if not isinstance(billing_day, str) or not billing_day.strip():
        return {}
    text = billing_day.strip()
    if text in _BILL_CYCLE_TYPES:
        return {"billCycleType": text}
    day = _DAY_OF_MONTH.match(text)
    if day:
        return {"billCycleType": "SpecificDayofMonth", "billCycleDay": int(day.group(1) or day.group(2))}
    weekday = _DAY_OF_WEEK.match(text)
    name = weekday.group(1).capitalize() if weekday else text.capitalize()
    if name in WEEKDAYS:
        return {"billCycleType": "SpecificDayofWeek", "weeklyBillCycleDay": name}
    return {"billCycleType": text}


def _decimal(value: Any) -> Decimal | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, Decimal)):
        return Decimal(value)
    if isinstance(value, str):
        try:
            number = Decimal(value)
        except ArithmeticError:
            return None
        return number if number.is_finite() else None
    return None
