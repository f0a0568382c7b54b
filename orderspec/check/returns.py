"""Returns: order line items that take back what an earlier order sold."""

from __future__ import annotations

from orderspec.check._common import Context, as_list


def check(ctx: Context) -> None:
    returned = False
    for index, item in enumerate(as_list(ctx.body.get("orderLineItems"))):
        if not isinstance(item, dict) or item.get("itemCategory") != "Return":
            continue
        returned = True
        missing = [name for name in ("originalOrderNumber", "originalOrderLineItemNumber")
                   if not item.get(name)]
        if missing:
            ctx.report(("orderLineItems", index, "itemCategory"), "R050",
                       "a Return line item names the line item it returns: set "
                       + " and ".join(f"`{name}`" for name in missing))
    category = ctx.body.get("category", "NewSales")
    if returned and category != "Return":
        where = ("category",) if "category" in ctx.body else ()
        ctx.report(where, "R051",
                   f"this order returns line items but its category is {category}; set `category: Return`")
