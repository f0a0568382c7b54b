"""The Orders API's limits: order line items per order, call sizes, and counts across a batch."""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING, Iterable

from orderspec.check._common import Context, as_dict, as_list, subscriptions, text
from orderspec.config import Config
from orderspec.diagnostics import Diagnostic, Pointer, at, format_pointer
from orderspec.model import Request, SizeLimits

if TYPE_CHECKING:
    from orderspec.check import BatchFacts


def check(ctx: Context) -> None:
    _order_line_items(ctx)
    _call_size(ctx)


def _order_line_items(ctx: Context) -> None:
    items = as_list(ctx.body.get("orderLineItems"))
    limit = ctx.config.limits.order_line_items
    if len(items) > limit:
        ctx.report(("orderLineItems", limit), "L001",
                   f"this order has {len(items)} order line items; an order takes at most {limit} "
                   f"(this is item {limit + 1}): split it into several orders")


def _call_size(ctx: Context) -> None:
    limits = ctx.config.limits
    if ctx.endpoint.is_async:
        _size(ctx, limits.async_, "L006", "the asynchronous endpoint", "split the order")
    else:
        hint = _async_hint(ctx.request, limits.async_)
        _size(ctx, limits.sync, "L005", "a synchronous call", hint)


def _async_hint(request: Request, async_limits: SizeLimits) -> str:
    return (f"the asynchronous endpoint takes up to {async_limits.subscriptions} subscriptions and "
            f"{async_limits.order_actions} order actions: write `async: true` or `async: auto` in the "
            f"spec (for a bare body, --operation async-{request.operation})")


def _size(ctx: Context, limits: SizeLimits, code: str, where: str, hint: str) -> None:
    # One diagnostic per order, at the first thing over a limit: 51 one-action subscriptions
    # are also 51 order actions, and saying so twice would not help.
    over: list[tuple[Pointer, str]] = []
    all_subscriptions = as_list(ctx.body.get("subscriptions"))
    if len(all_subscriptions) > limits.subscriptions:
        over.append((("subscriptions", limits.subscriptions),
                     f"{len(all_subscriptions)} subscriptions (at most {limits.subscriptions})"))
    every_action = ctx.actions
    if len(every_action) > limits.order_actions:
        over.append((every_action[limits.order_actions].pointer,
                     f"{len(every_action)} order actions (at most {limits.order_actions})"))
    for index, subscription in subscriptions(ctx.body):
        count = len(as_list(subscription.get("orderActions")))
        if count > limits.order_actions_per_subscription:
            over.append((("subscriptions", index, "orderActions", limits.order_actions_per_subscription),
                         f"{count} order actions in subscriptions[{index}] (at most "
                         f"{limits.order_actions_per_subscription} per subscription)"))
            break
    if over:
        ctx.report(over[0][0], code, f"too big for {where}: this order has "
                   + ", ".join(text for _, text in over) + f"; {hint}")


def check_batch(requests: Iterable[BatchFacts], config: Config) -> list[Diagnostic]:
    requests = list(requests)
    return _orders_per_subscription(requests, config) + _actions_per_charge(requests, config)


def _orders_per_subscription(requests: list[BatchFacts], config: Config) -> list[Diagnostic]:
    limit = config.limits.orders_per_subscription
    counts: dict[str, int] = defaultdict(int)
    problems: list[Diagnostic] = []
    for request in requests:
        if request.operation != "create":
            continue  # a preview creates no order
        seen: set[str] = set()
        for number, pointer in request.subscription_numbers:
            if number in seen:
                continue
            seen.add(number)
            counts[number] += 1
            existing = config.existing_orders.get(number, 0)
            total = counts[number] + existing
            if total > limit:
                before = f" ({existing} already in Zuora)" if existing else ""
                problems.append(at(request.source.locate(pointer), "L002",
                                   f"this is order {total} for subscription {number}{before}; a "
                                   f"subscription takes at most {limit} orders",
                                   pointer=format_pointer(pointer), related=request.source.related(pointer)))
    return problems


def charge_updates(request: Request) -> Iterable[tuple[str, str, Pointer]]:
    """(subscription number, charge number, where) for each order action that touches a charge."""
    # Run for every request's batch facts: a subscription without a number is passed over
    # whole, and no Action is made (tests/test_check_limits.py compares it with the plain form).
    body = request.body if isinstance(request.body, dict) else {}
    for index, subscription in subscriptions(body):
        number = subscription.get("subscriptionNumber")
        if not number or not isinstance(number, str):
            continue
        for position, action in enumerate(as_list(subscription.get("orderActions"))):
            if not isinstance(action, dict):
                continue
            touched: set[str] = set()
            for payload in ("updateProduct", "removeProduct"):
                details = action.get(payload)
                updates = details.get("chargeUpdates") if isinstance(details, dict) else None
                if not isinstance(updates, list):
                    continue
                for place, update in enumerate(updates):
                    charge = text(as_dict(update).get("chargeNumber"))
                    if charge and charge not in touched:
                        touched.add(charge)
                        yield number, charge, ("subscriptions", index, "orderActions", position, payload,
                                               "chargeUpdates", place, "chargeNumber")


def _actions_per_charge(requests: list[BatchFacts], config: Config) -> list[Diagnostic]:
    limit = config.limits.order_actions_per_charge
    recommended = config.limits.order_actions_per_charge_recommended
    counts: dict[tuple[str, str], int] = defaultdict(int)
    problems: list[Diagnostic] = []
    for request in requests:
        if request.operation != "create":
            continue
        for subscription, charge, pointer in request.charge_updates:
            counts[subscription, charge] += 1
            count = counts[subscription, charge]
            if count == limit + 1 or count == recommended + 1:
                code = "L003" if count > limit else "L004"
                bound = (f"the API takes at most {limit}" if count > limit
                         else f"Zuora recommends at most {recommended}")
                problems.append(at(request.source.locate(pointer), code,
                                   f"this is order action {count} on charge {charge} of subscription "
                                   f"{subscription} in this batch; {bound} per rate plan charge",
                                   pointer=format_pointer(pointer), related=request.source.related(pointer)))
    return problems
