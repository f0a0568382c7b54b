"""The offline preview: what an order would bill, worked out from the request and the catalog.

`build_plan(request, catalog, env)` walks the order (subscriptions -> order actions -> rate plans)
and, in Zuora's own steps:

1. resolves each rate plan's charges to one effective mapping each (`catalog_charges`: the
   catalog's values with the order's overrides on top) and rates them (`charges.pricing_of`);
2. places each charge on the subscription's timeline (`timeline`: term, trigger dates, segment
   start and end) and finds its bill cycle day (`billcycle`);
3. bills each segment in the preview window and over its term (`schedule`, `periods`);
4. applies the discounts in Zuora's order (`discounts`);
5. shapes the API's response (`response`, `documents`, `metrics`).

Given the tenant's state (`TenantState`: GET subscription and account bodies), the actions on a
subscription it holds are applied to that subscription's snapshot (`amend`): its charges become
segments on its timeline, which `billing` bills with the same schedule, crediting what was billed
beyond a change.

It returns a `Plan` (plan.py): the model the text output is printed from, the API-shaped result
(`Plan.result`) and the diagnostics (P001...) saying which figures could not be computed offline and
why; a plan with unpriced charges or actions is `incomplete`. `preview_offline` is the result only.

Rounding: each invoice item is rounded half-up to cents once; totals are sums of rounded items.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Mapping

from orderspec.body import as_dict, as_list, parse_date
from orderspec.diagnostics import Diagnostic, Pointer, at, format_pointer
from orderspec.model import Request
from orderspec.preview import actions, billcycle, discounts, periods as P, schedule, timeline
from orderspec.preview.amend import Amendment
from orderspec.preview.charges import NotComputable, pricing_of
from orderspec.preview.catalog_charges import EffectiveCharge, effective_charges
from orderspec.preview.plan import (ActionPlan, ChargeLine, Item, Plan, RatePlanLine, SubscriptionPlan,
                                    Unpriced)
from orderspec.preview.response import PREVIEW_TYPES_MODELLED, api_result
from orderspec.preview.state import TenantState
from orderspec.preview.window import Window, window_of

if TYPE_CHECKING:
    from orderspec.expand import ExpandContext

__all__ = ["ActionPlan", "ChargeLine", "Item", "Plan", "RatePlanLine", "SubscriptionPlan", "TenantState", "Window",
           "build_plan", "preview_offline", "spec_catalog", "window_of"]

PRICED_ACTIONS = ("CreateSubscription", "AddProduct")


def spec_catalog(spec_path: str, context: ExpandContext | None = None) -> tuple[Any, str | None]:
    """The catalog and environment the expand stage used for this spec (--catalog/--catalog-env or
    the configured ones, else catalog.yaml beside the spec; None if there is none): the preview
    fills in list prices from the same catalog the names were resolved in."""
    from orderspec.expand import ExpandContext, catalog_for

    context = context or ExpandContext()
    catalog, _ = catalog_for(spec_path, context)
    return catalog, context.env


def preview_offline(request: Request, catalog: Any = None, env: str | None = None,
                    bill_cycle_day: int | None = None) -> dict[str, Any]:
    """The preview result the API would return for `request`, computed offline (see build_plan)."""
    return build_plan(request, catalog, env, bill_cycle_day=bill_cycle_day).result


@dataclass
class _Placed:
    """A charge waiting to be billed: where it sits on its subscription's timeline."""

    line: ChargeLine
    term: timeline.Term | None
    # A later action of the same order ends the charge from this date (a CancelSubscription after
    # the AddProduct that adds it): nothing of it is served, nor billed, from then on.
    cut: dt.date | None = None


@dataclass
class _DiscountScope:
    """The charges a discount may apply to: its rate plan's, or its subscription's."""

    rate_plan: list[ChargeLine] = field(default_factory=list)
    subscription: list[ChargeLine] = field(default_factory=list)
    # The order changes a subscription it does not create: its other charges are not known ...
    existing: bool = False
    # ... unless the tenant's state holds the subscription (they are known, but not discounted offline).
    in_state: bool = False


class _Builder:
    def __init__(self, request: Request, catalog: Any, env: str | None, account: billcycle.AccountBillCycle,
                 window: Window, currencies: Mapping[str, str] | None = None,
                 state: TenantState | None = None) -> None:
        self.request = request
        self.state = state or TenantState()
        self.body = request.body
        self.catalog = catalog
        self.env = env
        self.account = account
        self.window = window
        self.diagnostics: list[Diagnostic] = []
        account_info = as_dict(self.body.get("newAccount")) or as_dict(self.body.get("previewAccountInfo"))
        currency = account_info.get("currency")
        if not isinstance(currency, str):  # an existing account's, as configured: picks catalog prices
            currency = (currencies or {}).get(str(self.body.get("existingAccountNumber")))
        self.currency = currency if isinstance(currency, str) else None
        self.placed: list[_Placed] = []
        self.discounts: list[tuple[ChargeLine, _DiscountScope]] = []

    def note(self, pointer: Pointer, code: str, message: str) -> None:
        self.diagnostics.append(at(self.request.source.locate(pointer), code, message,
                                   pointer=format_pointer(pointer), related=self.request.source.related(pointer)))

    # -- 1 and 2: the order's charges, resolved, rated and placed on their timelines --------------
    def subscriptions(self) -> list[SubscriptionPlan]:
        result: list[SubscriptionPlan] = []
        for s_index, subscription in enumerate(as_list(self.body.get("subscriptions"))):
            if isinstance(subscription, Mapping):
                result.append(self.subscription(s_index, subscription))
        return result

    def subscription(self, s_index: int, subscription: Mapping[str, Any]) -> SubscriptionPlan:
        number = subscription.get("subscriptionNumber")
        found_actions = as_list(subscription.get("orderActions"))
        owner = None
        creates = False
        for action in found_actions:
            if isinstance(action, Mapping) and isinstance(action.get("createSubscription"), Mapping):
                creates = True
                create = action["createSubscription"]
                number = number or create.get("subscriptionNumber")
                owner = create.get("invoiceOwnerAccountNumber")
        label = f"subscription {number}" if number else f"subscription #{s_index + 1} (new, number assigned by Zuora)"
        plan = SubscriptionPlan(label, number if isinstance(number, str) else None,
                                invoice_owner=owner if isinstance(owner, str) else None)
        term: timeline.Term | None = None
        scope = _DiscountScope(existing=not creates)
        snapshot = None if creates or not isinstance(number, str) else self.state.subscriptions.get(number)
        amendment = None
        if snapshot is not None:  # the subscription as the tenant has it: amendments are priced against it
            amendment = Amendment(self, plan, snapshot, ("subscriptions", s_index))
            scope.in_state = True
            owner = snapshot.get("invoiceOwnerAccountNumber")
            plan.invoice_owner = owner if isinstance(owner, str) else None
        for a_index, action in enumerate(found_actions):
            if not isinstance(action, Mapping):
                continue
            pointer: Pointer = ("subscriptions", s_index, "orderActions", a_index)
            if amendment is not None:
                action_plan = ActionPlan(a_index + 1, str(action.get("type", "?")),
                                         timeline.trigger_dates(self.body.get("orderDate"), action), pointer)
                amendment.action(pointer, action_plan, action, scope)
                if action_plan.problem:
                    self.note(pointer, "P001", f"{action_plan.type}: {action_plan.problem}")
            else:
                action_plan, term = self.action(pointer, a_index, action, term, scope)
            if action_plan.type == "CreateSubscription" and term:
                plan.term, plan.term_end = term.describe(), term.end
            plan.actions.append(action_plan)
        if amendment is not None:
            amendment.bill()
        return plan

    def action(self, pointer: Pointer, a_index: int, action: Mapping[str, Any], term: timeline.Term | None,
               scope: _DiscountScope) -> tuple[ActionPlan, timeline.Term | None]:
        kind = str(action.get("type", "?"))
        plan = ActionPlan(a_index + 1, kind, timeline.trigger_dates(self.body.get("orderDate"), action), pointer)
        if kind == "CreateSubscription" and isinstance(action.get("createSubscription"), Mapping):
            create = action["createSubscription"]
            found = timeline.term_of(create.get("terms"), plan.dates)
            if isinstance(found, str):
                self.note(pointer + ("createSubscription", "terms"), "P001", found)
                term = None
            else:
                term = found
            key = "subscribeToRatePlans" if "subscribeToRatePlans" in create else "subscribeToProducts"
            if isinstance(create.get("terms"), Mapping):
                renewal = create["terms"].get("renewalSetting")
                if renewal:
                    plan.details.append(f"renewal: {renewal}, autoRenew: {create['terms'].get('autoRenew', False)}")
            entries = create.get(key)
            for r_index, entry in enumerate(entries if isinstance(entries, list) else []):
                if isinstance(entry, Mapping):
                    self.rate_plan(plan, pointer + ("createSubscription", key, r_index), entry, term, scope)
        elif kind == "AddProduct" and isinstance(action.get("addProduct"), Mapping):
            self.rate_plan(plan, pointer + ("addProduct",), action["addProduct"], term, scope)
        else:
            plan.details.extend(actions.describe(kind, action))
            plan.problem = ("figures not computed: they depend on the existing subscription's charges, "
                            "which are not known offline")
            self.note(pointer, "P001", f"{kind}: {plan.problem}")
        return plan, term

    def rate_plan(self, plan: ActionPlan, pointer: Pointer, entry: Mapping[str, Any], term: timeline.Term | None,
                  scope: _DiscountScope) -> None:
        label = str(entry.get("productRatePlanId") or entry.get("productRatePlanNumber")
                    or entry.get("ratePlanName") or "?")
        line = RatePlanLine("+", f"rate plan {label}")
        plan.rate_plans.append(line)
        in_plan: list[ChargeLine] = []
        notes: list[str] = []
        resolved = effective_charges(self.catalog, entry, self.env, self.currency)
        # Named as people know it (the catalog's name), with the id or number the order gives.
        name = next((n for e in resolved if isinstance(n := e.facts.get("ratePlanName"), str) and n), None)
        if name and name != label:
            line.label = f"rate plan {name} ({label})"
        for effective in resolved:
            charge = self.charge(pointer, effective, label, plan.dates, term)
            notes += [n for n in effective.notes if n not in notes]
            line.charges.append(charge)
            if charge.is_discount and not charge.problem:
                self.discounts.append((charge, _DiscountScope(in_plan, scope.subscription, scope.existing,
                                                              scope.in_state)))
            else:
                in_plan.append(charge)
                scope.subscription.append(charge)
        for note in notes:  # about the rate plan entry, not one charge: said once
            self.note(pointer, "P001", note)

    def charge(self, r_pointer: Pointer, effective: EffectiveCharge, rate_plan: str, dates: dict[str, dt.date],
               term: timeline.Term | None) -> ChargeLine:
        charge, facts = effective.charge, effective.facts
        pointer = r_pointer + ("chargeOverrides", effective.override_index) \
            if effective.override_index is not None else r_pointer
        charge_id = charge.get("productRatePlanChargeId") or charge.get("productRatePlanChargeNumber")
        charge_id = charge_id if isinstance(charge_id, str) else None
        name = charge.get("name") or facts.get("name")
        name = name if isinstance(name, str) else None
        number = charge.get("chargeNumber")
        description = charge.get("description") or facts.get("description")
        product = facts.get("productName")
        line = ChargeLine(str(name or charge_id or "(the rate plan's charges)"), pointer, charge_id, rate_plan,
                          number if isinstance(number, str) else None, name,
                          product_name=product if isinstance(product, str) else None, effective=charge,
                          description=description if isinstance(description, str) else None)
        if effective.problems:
            line.problem = "; ".join(effective.problems)
            return line
        try:
            line.pricing = pricing_of(charge, facts)
            line.start = timeline.charge_start(charge, dates)
        except (NotComputable, P.PeriodError) as problem:
            line.problem = str(problem)
            return line
        if not line.pricing.is_discount:
            self.placed.append(_Placed(line, term))
        return line

    # -- 3: billing ------------------------------------------------------------------------------
    def bill_all(self) -> None:
        # Auto-set (account day 0) takes the day the account's first recurring charge triggers.
        first = min((p.line.start for p in self.placed if p.line.charge_type == "Recurring" and p.line.start),
                    default=None)
        for placed in self.placed:
            line = placed.line
            try:
                if line.charge_type == "OneTime":
                    schedule.one_time(line, self.window)
                else:
                    self.bill_recurring(placed, first)
            except (NotComputable, P.PeriodError) as problem:
                line.problem = str(problem)
                line.items, line.term_items = [], []

    def bill_recurring(self, placed: _Placed, first_recurring_start: dt.date | None) -> None:
        line, term = placed.line, placed.term
        assert line.start is not None
        charge = line.effective
        fields = schedule.billing_fields(charge)
        period = schedule.billing_period_of(charge)
        align = schedule.alignment_date(charge, term)
        bcd = billcycle.bill_cycle_day(fields, period, line.start, term, self.account, first_recurring_start)
        end = timeline.charge_end(charge, line.start, term, period, bcd, align)
        ends_with_term = timeline.end_condition(charge) == "Subscription_End"
        cut = placed.cut is not None and (end is None or placed.cut < end or ends_with_term)
        if cut and placed.cut is not None:
            end, ends_with_term = max(placed.cut, line.start), False
        segment = timeline.Segment(line.start, end, term, ends_with_term=ends_with_term)
        billing = schedule.Billing(period, bcd, fields.get("billingTiming") == "IN_ARREARS", align)
        schedule.recurring(line, segment, billing, self.window,
                           lambda message: self.note(line.pointer, "P004", message))
        if cut:  # as an existing charge the order ends: its MRR after the order is 0
            line.mrr, line.ended = Decimal(0), True

    # -- 4: discounts ----------------------------------------------------------------------------
    def apply_discounts(self) -> None:
        work = []
        for charge, scope in self.discounts:
            assert charge.pricing is not None
            if charge.pricing.discount_level == "subscription" and scope.existing:
                charge.problem = ("a subscription-level discount applies to the existing subscription's charges too, "
                                  + ("which its snapshot in the state folder holds, but discounting a subscription's "
                                     "existing charges is not modelled offline" if scope.in_state
                                     else "which are not known offline (give its state: --state)"))
                continue
            targets = scope.subscription if charge.pricing.discount_level == "subscription" else scope.rate_plan
            work.append((charge, [t for t in targets if not t.problem and t.charge_type in charge.pricing.apply_to],
                         [t for t in targets if t.problem]))
        discounts.apply_all(work)


def build_plan(request: Request, catalog: Any = None, env: str | None = None, *,
               bill_cycle_day: int | None = None, window: Window | None = None,
               accounts: Mapping[str, int] | None = None, default_bill_cycle_day: int | None = None,
               currencies: Mapping[str, str] | None = None, state: TenantState | None = None) -> Plan:
    """Work out what `request` would bill.

    `catalog` and `env` (its environment) supply what the order leaves out; `bill_cycle_day`
    (--bill-cycle-day) and `accounts` (configured bill cycle days by account number) give the
    customer account's bill cycle day when the order does not, and `default_bill_cycle_day` (an
    emulated tenant's) after them; `currencies` (configured by account number) says which catalog
    price an existing account pays when the order does not give its currency; `window` overrides
    the body's previewOptions. `state` holds the tenant's subscriptions and accounts (GET bodies, by
    number): order actions on a subscription it holds are priced against it (amend.py), and an
    account it holds gives its bill cycle day and currency.
    """
    if state is not None:  # the account as the tenant has it: before the configured stand-ins
        accounts = {**(accounts or {}), **state.bill_cycle_days}
        currencies = {**(currencies or {}), **state.currencies}
    found = window_of(request.body, window)
    chosen = found if isinstance(found, Window) else Window("TermEnd")
    account = billcycle.account_bill_cycle(request.body, bill_cycle_day, accounts, default_bill_cycle_day)
    builder = _Builder(request, catalog, env, account, chosen, currencies, state)
    if isinstance(found, str):
        builder.note(("previewOptions",), "P002", found + "; previewing to the end of the term instead")
    subscriptions = builder.subscriptions()
    builder.bill_all()
    builder.apply_discounts()
    for subscription in subscriptions:
        for charge in subscription.billed:
            if charge.problem:  # a whole rate plan's reason names the plan already
                builder.note(charge.pointer, "P001", charge.problem if charge.whole_rate_plan
                             else f"{charge.subject}: {charge.problem}")
    options = as_dict(request.body.get("previewOptions"))
    tax_included = options.get("skipTax") is True
    if not tax_included:
        builder.note(("previewOptions",) if options else (), "P003",
                     "tax is not computed offline (it comes from the tenant's tax engine): amounts are without tax")
    for kind in as_list(options.get("previewTypes")):
        if kind not in PREVIEW_TYPES_MODELLED:
            builder.note(("previewOptions", "previewTypes"), "P001", f"preview type {kind} is not modelled offline")
    other: list[Unpriced] = []
    if isinstance(request.body.get("orderLineItems"), list) and request.body["orderLineItems"]:
        reason = "order line items are not previewed offline"
        builder.note(("orderLineItems",), "P001", reason)
        other.append(Unpriced("/orderLineItems", "order line items", reason))
    fallback = parse_date(request.body.get("orderDate")) or dt.date.today()
    credit_memos = state is not None and state.settles_with_credit_memos(request.body.get("existingAccountNumber"))
    result = api_result(request.body, chosen, subscriptions, fallback, credit_memos=credit_memos)
    return Plan(request.name, chosen, subscriptions, builder.diagnostics, result, tax_included, other)
