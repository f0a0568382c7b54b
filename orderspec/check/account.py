"""The account an order is for, and the order number."""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterable

from orderspec.check._common import Context, as_list, text
from orderspec.config import Config
from orderspec.diagnostics import Diagnostic, at

if TYPE_CHECKING:
    from orderspec.check import BatchFacts

CREATE_ACCOUNT_FIELDS = ("existingAccountNumber", "existingAccountId", "newAccount")
PREVIEW_ACCOUNT_FIELDS = ("existingAccountNumber", "existingAccountId", "previewAccountInfo")
ORDER_NUMBER_FORBIDDEN = "/#?"
FIRST_USE_NOTE = "the order that uses this number first"


def check(ctx: Context) -> None:
    _account(ctx)
    _order_number(ctx)


def _account(ctx: Context) -> None:
    fields = PREVIEW_ACCOUNT_FIELDS if ctx.endpoint.is_preview else CREATE_ACCOUNT_FIELDS
    given = [name for name in fields if ctx.body.get(name) is not None]
    listing = ", ".join(f"`{name}`" for name in fields)
    if len(given) > 1:
        for extra in given[1:]:
            ctx.report((extra,), "R001",
                       f"the order names its account twice (`{given[0]}` and `{extra}`); give exactly "
                       f"one of {listing}", key=True)
    elif not given:
        has_lines = bool(as_list(ctx.body.get("orderLineItems")))
        what = "order line items need" if has_lines and not ctx.body.get("subscriptions") else "an order needs"
        ctx.report((), "R001", f"the order has no account: {what} exactly one of {listing}")


def _order_number(ctx: Context) -> None:
    number = text(ctx.body.get("orderNumber"))
    if number is None:
        return
    bad = sorted({c for c in number if c in ORDER_NUMBER_FORBIDDEN})
    if bad:
        shown = " ".join(f"`{c}`" for c in bad)
        ctx.report(("orderNumber",), "R002",
                   f"order number `{number}` contains {shown}; the order number is part of API URLs "
                   "(/v1/orders/{orderNumber}) and may not contain `/`, `#` or `?`")


def check_batch(requests: Iterable[BatchFacts], config: Config) -> list[Diagnostic]:
    """Order numbers must be unique across the orders being created."""
    first: dict[str, BatchFacts] = {}
    problems: list[Diagnostic] = []
    for request in requests:
        if request.operation != "create":
            continue
        number = request.order_number
        if not number:
            continue
        if number in first:
            # Both orders are named, each where its author wrote the number.
            earlier = first[number].source.locate(("orderNumber",))
            problems.append(at(request.source.locate(("orderNumber",)), "R003",
                               f"order number `{number}` is already used by {first[number].name} "
                               f"(line {earlier.line}); order numbers are unique in a tenant",
                               pointer="/orderNumber",
                               related=(*request.source.related(("orderNumber",)),
                                        earlier.noted(FIRST_USE_NOTE))))
        else:
            first[number] = request
    return problems
