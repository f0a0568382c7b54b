"""Rules against the tenant's state (R060-R065): only for subscriptions and accounts that have a
snapshot in the state folder; an order on anything else is judged as without state.

The order's actions on one subscription are walked in the order Zuora applies them, carrying
what each does to the snapshot (status, rate plans removed, term renewed), so that an action is
judged against the subscription as the earlier actions of the same order left it.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any, Iterator

from orderspec.check._common import Action, Context, as_dict, as_list, parse_date, text
from orderspec.diagnostics import Pointer
from orderspec.state import RatePlan, Subscription

# The payloads that name an existing rate plan, and where each names its charges.
RATE_PLAN_PAYLOADS: dict[str, tuple[str, ...]] = {
    "removeProduct": ("chargeUpdates",),
    # (updateProduct.chargeOverrides add charges: their chargeNumber is a new one.)
    "updateProduct": ("chargeUpdates", "chargeRemovals"),
    "changePlan": (),
}
# Actions that move the term end, so that later actions of the order may be dated after it.
TERM_MOVERS = frozenset({"RenewSubscription", "TermsAndConditions"})
# payload -> (policy field, the policy whose date field dates the action, that field)
POLICY_DATES: dict[str, tuple[str, str, str]] = {
    "cancelSubscription": ("cancellationPolicy", "SpecificDate", "cancellationEffectiveDate"),
    "suspend": ("suspendPolicy", "SpecificDate", "suspendSpecificDate"),
    "resume": ("resumePolicy", "SpecificDate", "resumeSpecificDate"),
}
STATUS_AFTER = {"Suspend": "Suspended", "Resume": "Active", "CancelSubscription": "Cancelled"}


@dataclass
class _Walk:
    """The subscription as the actions walked so far left it."""

    subscription: Subscription
    status: str | None
    status_set_by: Pointer | None = None  # the action of this order that set the status; None: the snapshot
    term_moved: bool = False
    removed: dict[int, Pointer] = field(default_factory=dict)  # rate plan index -> the action that removed it


def check(ctx: Context) -> None:
    state = ctx.state
    if state is None:
        return
    _currency(ctx)
    # Items of one order naming the same subscription change it one after the other.
    walks: dict[str, _Walk] = {}
    new_subscription: set[int] = set()  # items that make a new subscription: the snapshot is not its state
    for action in ctx.actions:
        if action.subscription_index in new_subscription:
            continue
        number = text(action.subscription.get("subscriptionNumber"))
        subscription = state.subscriptions.get(number) if number else None
        if subscription is None:
            continue
        if action.type == "CreateSubscription":
            new_subscription.add(action.subscription_index)
            continue
        walk = walks.setdefault(subscription.number, _Walk(subscription, subscription.status))
        _term_end(ctx, walk, action)
        _status(ctx, walk, action)
        _rate_plan(ctx, walk, action)


def _action_date(ctx: Context, action: Action) -> tuple[datetime.date, Pointer] | None:
    """When the action takes effect, and where that is written: its policy's specific date, its
    ContractEffective trigger date, else the order date (Zuora's default for the trigger date)."""
    for payload, (policy_field, policy, date_field) in POLICY_DATES.items():
        block = as_dict(action.value.get(payload))
        specific = parse_date(block.get(date_field)) if block.get(policy_field) == policy else None
        if specific is not None:
            return specific, action.pointer + (payload, date_field)
        if payload in action.value and block.get(policy_field) not in (None, policy):
            return None  # EndOfCurrentTerm, Today, FixedPeriods...: dated by the tenant, not here
    for position, entry in enumerate(as_list(action.value.get("triggerDates"))):
        entry = as_dict(entry)
        when = parse_date(entry.get("triggerDate"))
        if entry.get("name") == "ContractEffective" and when is not None:
            return when, action.pointer + ("triggerDates", position, "triggerDate")
    when = parse_date(ctx.body.get("orderDate"))
    return (when, ("orderDate",)) if when is not None else None


def _term_end(ctx: Context, walk: _Walk, action: Action) -> None:
    subscription = walk.subscription
    if action.type in TERM_MOVERS:
        walk.term_moved = True
        return
    end = parse_date(subscription.term_end_date)
    # Auto-renewing subscriptions too: Zuora renews them when a renewal is processed, not on the day,
    # and refuses a change dated past the current term end until then (zuora-errors.md #8: observed on
    # auto-renewing subscriptions, and why integrations put a RenewSubscription first).
    if walk.term_moved or subscription.term_type != "TERMED" or end is None:
        return
    dated = _action_date(ctx, action)
    if dated is None or dated[0] <= end:
        return
    when, pointer = dated
    ctx.report(pointer, "R062",
               f"this {action.type} action is dated {when}, after {subscription.number}'s current term ends "
               f"({end}{'; it does not renew automatically' if subscription.auto_renew is False else ''}): "
               f"Zuora refuses it until the term is renewed; put a RenewSubscription or TermsAndConditions "
               f"action before it in this order",
               notes=subscription.place("termEndDate", "the subscription's term end date"))


def _status(ctx: Context, walk: _Walk, action: Action) -> None:
    kind = action.type
    if kind is None:
        return
    status = walk.status
    problem = None
    if status == "Cancelled":
        problem = ("cancelling a subscription that is already cancelled" if kind == "CancelSubscription"
                   else f"a {kind} action on a cancelled subscription")
    elif kind == "Resume" and status == "Active":
        problem = "resuming a subscription that is active (only a suspended one resumes)"
    elif kind == "Suspend" and status == "Suspended":
        problem = "suspending a subscription that is already suspended"
    if problem is not None:
        if walk.status_set_by is None:
            ctx.report(action.pointer + ("type",), "R063",
                       f"{problem}: {walk.subscription.number} is {status}",
                       notes=walk.subscription.place("status", "the subscription's status"))
        else:
            ctx.report(action.pointer + ("type",), "R065",
                       f"{problem}: an earlier action of this order made {walk.subscription.number} {status}",
                       notes=(ctx.locate(walk.status_set_by + ("type",)).noted("the action that did"),))
    if kind in STATUS_AFTER:
        walk.status, walk.status_set_by = STATUS_AFTER[kind], action.pointer


def _rate_plan(ctx: Context, walk: _Walk, action: Action) -> None:
    for payload, charge_lists in RATE_PLAN_PAYLOADS.items():
        block = action.value.get(payload)
        if not isinstance(block, dict):
            continue
        here = action.pointer + (payload,)
        found = _named_plan(ctx, walk, here, block)
        if found is not None and found[0] in walk.removed:
            ctx.report(found[1], "R065",
                       "this rate plan was removed by an earlier action of this order",
                       notes=(ctx.locate(walk.removed[found[0]] + ("type",)).noted("the action that removed it"),))
        plan = walk.subscription.rate_plans[found[0]] if found is not None else None
        for pointer, number in _charge_numbers(here, block, charge_lists):
            _charge(ctx, walk.subscription, plan, pointer, number)
        if found is not None and payload in ("removeProduct", "changePlan"):
            walk.removed.setdefault(found[0], action.pointer)


def _named_plan(ctx: Context, walk: _Walk, here: Pointer, block: dict[str, Any]) -> tuple[int, Pointer] | None:
    """The rate plan the payload names (its index in the snapshot, where it is named), reporting
    R060 for a name the snapshot does not have. None when nothing (known) is named."""
    subscription = walk.subscription
    named: tuple[int, Pointer] | None = None
    for key, attribute in (("ratePlanId", "id"), ("subscriptionRatePlanNumber", "number"),
                           ("productRatePlanId", "product_rate_plan_id")):
        value = text(block.get(key))
        if value is None:
            continue
        matches = [i for i, plan in enumerate(subscription.rate_plans) if getattr(plan, attribute) == value]
        if matches:
            named = named or (matches[0], here + (key,))
            continue
        if attribute == "number" and not any(plan.number for plan in subscription.rate_plans):
            continue  # a snapshot from before the API gave rate plan numbers cannot judge them
        ctx.report(here + (key,), "R060",
                   f"{subscription.number} has no rate plan with {key} `{value}`"
                   f"{_known(subscription.rate_plans, attribute)}",
                   notes=subscription.place("ratePlans", "the subscription's rate plans"))
    return named


def _known(plans: tuple[RatePlan, ...], attribute: str) -> str:
    values = [getattr(plan, attribute) for plan in plans if getattr(plan, attribute)]
    if not values:
        return " (it has no rate plans)"
    shown = ", ".join(values[:6]) + (", ..." if len(values) > 6 else "")
    return f"; it has {shown}"


def _charge_numbers(here: Pointer, block: dict[str, Any], lists: tuple[str, ...]) -> Iterator[tuple[Pointer, str]]:
    for name in lists:
        for position, entry in enumerate(as_list(block.get(name))):
            number = text(as_dict(entry).get("chargeNumber"))
            if number is not None:
                yield here + (name, position, "chargeNumber"), number


def _charge(ctx: Context, subscription: Subscription, plan: RatePlan | None, pointer: Pointer, number: str) -> None:
    plans = (plan,) if plan is not None else subscription.rate_plans
    if any(charge.number == number for candidate in plans for charge in candidate.charges):
        return
    elsewhere = plan is not None and any(charge.number == number for other in subscription.rate_plans
                                         for charge in other.charges)
    where = f"rate plan {plan.name or plan.id}" if plan is not None else subscription.number
    ctx.report(pointer, "R061",
               f"{where} has no charge `{number}`" + ("; it is a charge of another rate plan" if elsewhere else ""),
               notes=subscription.place("ratePlans", "the subscription's rate plans"))


def _currency(ctx: Context) -> None:
    """R064: currencies in the order other than the order account's (when it has a snapshot)."""
    assert ctx.state is not None
    number = text(ctx.body.get("existingAccountNumber"))
    account = ctx.state.accounts.get(number) if number else None
    if account is None or not account.currency:
        return
    places: list[Pointer] = []
    for action in ctx.actions:
        if "currency" in as_dict(action.value.get("createSubscription")):
            places.append(action.pointer + ("createSubscription", "currency"))
    for name in ("orderLineItems", "commitments"):
        for position, entry in enumerate(as_list(ctx.body.get(name))):
            if "currency" in as_dict(entry):
                places.append((name, position, "currency"))
    for pointer in places:
        value: Any = ctx.body
        for step in pointer:
            value = value[step]
        if isinstance(value, str) and value != account.currency:
            ctx.report(pointer, "R064", f"currency {value}, but account {account.number} bills in {account.currency}",
                       notes=account.place("currency", "the account's currency"))
