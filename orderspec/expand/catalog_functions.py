"""Catalog name resolution for templates: the functions a template calls (`plan('pro-monthly')`)
to turn catalog names into the ids of the chosen environment.

A name the catalog lacks fails the render with a TemplateFailure that carries the name, so that
the finding is reported where that name was supplied (a `with:` value, a values file key).
"""

from __future__ import annotations

from typing import Any, Callable, TypeVar

from orderspec.expand.catalog import Catalog, CatalogError, RatePlan, model_name, pricing_key
from orderspec.expand.context import CATALOG_FILE

# Parameters may not hide these (orderspec.expand.template_files refuses such a declaration).
TEMPLATE_FUNCTIONS = ("plan", "plan_number", "charge", "product", "list_price", "rate_plan")

_Found = TypeVar("_Found")


def catalog_functions(catalog: Catalog | None, env: str | None) -> dict[str, Any]:
    """Functions templates call to turn catalog names into ids of the chosen environment."""
    from orderspec.expand.template_errors import TemplateFailure

    def need() -> Catalog:
        if catalog is None:
            raise TemplateFailure("the template looks up catalog names, but there is no catalog: pass "
                                  f"--catalog FILE or put {CATALOG_FILE} beside the spec")
        return catalog

    def lookup(function: Callable[..., _Found], *names: Any) -> _Found:
        try:
            return function(*names)
        except CatalogError as error:
            raise TemplateFailure(error.message, names[-1] if names else None) from None

    def plan(name: Any) -> str:
        return str(lookup(lambda n: need().rate_plan(n, env).id, name))

    def plan_number(name: Any) -> str | None:
        return lookup(lambda n: need().rate_plan(n, env).number, name)

    def charge(plan_name: Any, name: Any) -> str:
        return str(lookup(lambda p, n: need().charge(p, n, env).id, plan_name, name))

    def product(name: Any) -> str | None:
        return lookup(lambda n: need().product(n, env).id, name)

    def list_price(plan_name: Any, name: Any) -> Any:
        return lookup(lambda p, n: need().charge(p, n, env).list_price, plan_name, name)

    def rate_plan(name: Any) -> dict[str, Any]:
        found: RatePlan = lookup(lambda n: need().rate_plan(n, env), name)
        return {"name": found.name, "product": found.product, "id": found.id, "number": found.number,
                "charges": [{"name": c.name, "id": c.id, "number": c.number, "type": c.type,
                             "model": model_name(c.model), "pricingKey": pricing_key(c.type, model_name(c.model)),
                             "listPrice": c.list_price, "billingPeriod": c.billing_period,
                             "currency": c.currency, "uom": c.uom} for c in found.charges],
                "charge_names": [c.name for c in found.charges]}

    return {"plan": plan, "plan_number": plan_number, "charge": charge, "product": product,
            "list_price": list_price, "rate_plan": rate_plan}
