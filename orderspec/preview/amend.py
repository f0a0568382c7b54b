"""Amendments: order actions on a subscription the tenant already has, priced against its snapshot.

An existing charge is a list of segments on the subscription's timeline (`Piece`): the snapshot
gives the first (its price, billing, effective dates) and how far it was billed
(`chargedThroughDate`). An order action only changes that list: UpdateProduct ends a segment on its
effective date and starts one at the new price; RemoveProduct, CancelSubscription and Suspend end
them; Resume starts them again; RenewSubscription and TermsAndConditions move the term end that
segments ending with the term follow. AddProduct and ChangePlan's new plan are new charges, priced as
the engine prices any (`_Builder.rate_plan`). Nothing else branches on the kind of action: `bill`
turns each changed charge's segments into invoice items (`billing.bill_existing`).

Zuora's rules this follows, with the pages that show them (tests quote their figures):

* periods already billed (before the charge's `chargedThroughDate`) are not billed again; a change
  effective inside them credits what was billed beyond the effective date: the billed amount minus
  what the kept part would have been charged, each rounded ("Credit amount calculation with partial
  period proration", the method of new tenants);
* a mid-period change is two items, each rounded: the credit of the old price and the new price from
  the effective date ("Tax selection for calculation" use cases: -50.41 and 55.45).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Mapping

from orderspec.body import as_dict, as_list, parse_date
from orderspec.diagnostics import Pointer
from orderspec.preview import actions as described, periods as P
from orderspec.preview.billing import bill_existing
from orderspec.preview.charges import NotComputable
from orderspec.preview.plan import ActionPlan, ChargeLine, RatePlanLine, SubscriptionPlan
from orderspec.preview.segments import Piece, Tracked, merge_update
from orderspec.preview.state import ExistingRatePlan, rate_plans, renewal_term_end, subscription_term
from orderspec.preview.timeline import UP_TO_UNITS, Term

if TYPE_CHECKING:
    from orderspec.preview.engine import _Builder, _DiscountScope, _Placed

MONEYLESS = ("OwnerTransfer",)
# A term or suspension counted in periods: periodType's singular units, or upToPeriodsType's plural ones.
PERIOD_UNITS = {**{unit: unit for unit in UP_TO_UNITS.values()}, **UP_TO_UNITS}


@dataclass
class Amendment:
    """The order's actions on one existing subscription, applied to its snapshot."""

    builder: _Builder
    plan: SubscriptionPlan
    snapshot: Mapping[str, Any]
    pointer: Pointer  # the subscription's entry in the order
    term: Term | None = None
    original_term: Term | None = None
    problem: str | None = None  # the snapshot cannot be used: every action is unpriced with this
    tracked: list[Tracked] = field(default_factory=list)
    plans: list[ExistingRatePlan] = field(default_factory=list)
    # Charges this order adds to the subscription (AddProduct, ChangePlan's new plan): later actions
    # of the order act on them too.
    added: list[_Placed] = field(default_factory=list)

    def __post_init__(self) -> None:
        found = subscription_term(self.snapshot)
        if isinstance(found, str):
            self.problem = f"subscription {self.plan.number}: {found}"
            return
        self.term = self.original_term = found
        self.plans = rate_plans(self.snapshot)
        for rate_plan in self.plans:
            for charge in rate_plan.charges:
                line = ChargeLine(charge.name or charge.number or "?", (), charge.charge_id, rate_plan.product_rate_plan_id,
                                  charge.number, charge.name, product_name=rate_plan.product_name,
                                  effective=charge.effective)
                pieces = []
                if charge.start is not None and not charge.problem:
                    with_term = charge.ends_with_term
                    pieces = [Piece(charge.start, None if with_term else charge.end, charge.effective, with_term)]
                self.tracked.append(Tracked(charge, rate_plan, pieces, line))

    # -- the actions -------------------------------------------------------------------------------
    def action(self, pointer: Pointer, plan: ActionPlan, action: Mapping[str, Any], scope: _DiscountScope) -> None:
        kind = plan.type
        if kind not in ("UpdateProduct", "RemoveProduct", "ChangePlan"):  # those list their rate plans
            plan.details.extend(described.describe(kind, action))
        if self.problem:
            plan.problem = self.problem
            return
        placed_before = len(self.builder.placed)
        try:
            if kind == "AddProduct" and isinstance(action.get("addProduct"), Mapping):
                self.builder.rate_plan(plan, pointer + ("addProduct",), action["addProduct"], self.term, scope)
            elif kind == "UpdateProduct":
                self.update(pointer, plan, as_dict(action.get("updateProduct")))
            elif kind == "RemoveProduct":
                when = self.date_of(plan)
                for tracked in self.in_rate_plan(as_dict(action.get("removeProduct"))):
                    tracked.end_at(when)
                    self.touch(plan, tracked, "-")
            elif kind == "CancelSubscription":
                self.cancel(plan, as_dict(action.get("cancelSubscription")))
            elif kind == "ChangePlan":
                self.change_plan(pointer, plan, as_dict(action.get("changePlan")), scope)
            elif kind == "RenewSubscription":
                self.renew(plan)
            elif kind == "TermsAndConditions":
                self.terms(plan, as_dict(action.get("termsAndConditions")))
            elif kind == "Suspend":
                self.suspend(plan, as_dict(action.get("suspend")))
            elif kind == "Resume":
                self.resume(plan, as_dict(action.get("resume")))
            elif kind not in MONEYLESS:
                raise NotComputable(f"{kind} is not modelled offline")
        except NotComputable as problem:
            plan.problem = str(problem)
        self.added += self.builder.placed[placed_before:]
        if self.term is not None:
            self.plan.term, self.plan.term_end = self.term.describe(), self.term.end

    def date_of(self, plan: ActionPlan, event: str = "ContractEffective") -> dt.date:
        when = plan.dates.get(event) or plan.dates.get("ContractEffective")
        if when is None:
            raise NotComputable(f"the action's {event} date is unknown (triggerDates, orderDate)")
        return when

    def last_invoice_period_end(self) -> dt.date | None:
        """The latest chargedThroughDate of the snapshot's charges (None: none was billed)."""
        return max((t.charge.charged_through for t in self.tracked if t.charge.charged_through), default=None)

    def in_rate_plan(self, reference: Mapping[str, Any]) -> list[Tracked]:
        found = [t for t in self.tracked if t.rate_plan.matches(reference)]
        if not found:
            named = next((f"{k} {reference[k]}" for k in ("ratePlanId", "subscriptionRatePlanNumber",
                                                           "productRatePlanId") if reference.get(k)), "no rate plan")
            raise NotComputable(f"subscription {self.plan.number} has no rate plan with {named} in its snapshot")
        return found

    def touch(self, plan: ActionPlan, tracked: Tracked, change: str) -> None:
        """List the charge under the action that changes it; the action that ends it wins over one
        that changed it before (a renewal, then a ChangePlan: the charge is the ChangePlan's `-`)."""
        if tracked.touched and change == "-":
            for action in (*self.plan.actions, plan):
                for rate_plan in action.rate_plans:
                    if tracked.line in rate_plan.charges and rate_plan.change != "-":
                        rate_plan.charges.remove(tracked.line)
                        tracked.touched = False
                action.rate_plans = [r for r in action.rate_plans if r.charges]
        if not tracked.touched:
            tracked.touched = True
            tracked.line.pointer = plan.pointer
            label = f"rate plan {tracked.rate_plan.name or tracked.rate_plan.id or '?'}"
            line = next((r for r in plan.rate_plans if r.label == label and r.change == change), None)
            if line is None:
                line = RatePlanLine(change, label)
                plan.rate_plans.append(line)
            line.charges.append(tracked.line)

    def update(self, pointer: Pointer, plan: ActionPlan, update: Mapping[str, Any]) -> None:
        tracked_plan = self.in_rate_plan(update)
        for index, change in enumerate(as_list(update.get("chargeUpdates"))):
            if not isinstance(change, Mapping):
                continue
            tracked = next((t for t in tracked_plan if change.get("chargeNumber") is not None
                            and t.charge.number == change.get("chargeNumber")), None)
            if change.get("chargeNumber") is None:
                raise NotComputable(f"chargeUpdates[{index}] names no chargeNumber: the charge to update is "
                                    "not known offline")
            if tracked is None:
                raise NotComputable(f"chargeUpdates[{index}] names charge {change.get('chargeNumber')!r}, which rate "
                                    f"plan {tracked_plan[0].rate_plan.name or tracked_plan[0].rate_plan.id} of the "
                                    "snapshot does not have")
            when = parse_date(as_dict(change.get("effectiveDate")).get("specificTriggerDate")) or self.date_of(plan)
            open_piece = next((p for p in tracked.pieces
                               if p.start <= when and (p.with_term or p.end is None or p.end > when)), None)
            if open_piece is None:
                raise NotComputable(f"charge {tracked.charge.number} is not active on {when}")
            # Only the segment the date falls in is split: a later (future-dated) update keeps its own.
            index = tracked.pieces.index(open_piece)
            tail = Piece(when, open_piece.end, merge_update(open_piece.effective, change), open_piece.with_term)
            head = [replace(open_piece, end=when, with_term=False)] if open_piece.start < when else []
            tracked.pieces[index:index + 1] = head + [tail]
            self.touch(plan, tracked, "~")

    def cancel(self, plan: ActionPlan, cancel: Mapping[str, Any]) -> None:
        policy = cancel.get("cancellationPolicy")
        if policy == "SpecificDate":
            when = parse_date(cancel.get("cancellationEffectiveDate"))
            if when is None:
                raise NotComputable("cancellationPolicy SpecificDate needs cancellationEffectiveDate")
        elif policy == "EndOfCurrentTerm":
            if self.term is None or self.term.end is None:
                raise NotComputable("cancellation at the end of an evergreen term has no date")
            when = self.term.end
        elif policy == "EndOfLastInvoicePeriod":
            last = self.last_invoice_period_end()
            if last is None:
                raise NotComputable("no charge of the snapshot has a chargedThroughDate: the end of the last "
                                    "invoice period is unknown")
            when = last
        else:
            raise NotComputable(f"cancellationPolicy {policy!r} is not modelled offline")
        for tracked in self.tracked:
            tracked.end_at(when)
            self.touch(plan, tracked, "-")
        # The charges this order added before: a cancellation stops every charge of the subscription.
        for placed in self.added:
            placed.cut = when if placed.cut is None else min(placed.cut, when)
        if self.term is not None and (self.term.end is None or when <= self.term.end):
            self.term = Term(self.term.start, when, False)  # cancelled: it does not renew

    def change_plan(self, pointer: Pointer, plan: ActionPlan, change: Mapping[str, Any],
                    scope: _DiscountScope) -> None:
        policy = change.get("effectivePolicy") or "EffectiveImmediately"
        if policy != "EffectiveImmediately":
            raise NotComputable(f"ChangePlan effectivePolicy {policy} is not modelled offline")
        when = self.date_of(plan)
        for tracked in self.in_rate_plan(change):
            tracked.end_at(when)
            self.touch(plan, tracked, "-")
        new = change.get("newProductRatePlan")
        if not isinstance(new, Mapping):
            raise NotComputable("ChangePlan has no newProductRatePlan")
        self.builder.rate_plan(plan, pointer + ("changePlan", "newProductRatePlan"), new, self.term, scope)

    def renew(self, plan: ActionPlan) -> None:
        if self.term is None or self.term.end is None:
            raise NotComputable("an evergreen subscription has no term to renew")
        end = renewal_term_end(self.snapshot, self.term.end)
        if isinstance(end, str):
            raise NotComputable(end)
        self.term = Term(self.term.start, end, self.term.auto_renew)
        self.touch_term_charges(plan)

    def touch_term_charges(self, plan: ActionPlan) -> None:
        """The charges that end with the term: a new term end changes them."""
        for tracked in self.tracked:
            if any(p.with_term for p in tracked.pieces):
                self.touch(plan, tracked, "~")

    def terms(self, plan: ActionPlan, terms: Mapping[str, Any]) -> None:
        assert self.term is not None
        auto_renew = terms["autoRenew"] is True if "autoRenew" in terms else self.term.auto_renew
        last = as_dict(terms.get("lastTerm"))
        end = self.term.end
        if last:
            start = parse_date(last.get("startDate")) or self.term.start
            if last.get("termType") == "EVERGREEN":
                end = None
            else:
                end = parse_date(last.get("endDate"))
                if end is None:
                    period, unit = last.get("period"), PERIOD_UNITS.get(str(last.get("periodType") or "Month"))
                    if not isinstance(period, int) or unit is None:
                        raise NotComputable("lastTerm needs period and periodType (or endDate)")
                    end = P.term_end(start, period, unit)
            self.term = Term(start, end, auto_renew)
        else:
            self.term = Term(self.term.start, end, auto_renew)
        for tracked in self.tracked:
            if end is not None:  # a shorter term cuts the charges, those ending with it and any ending later
                tracked.pieces = [p if p.with_term or p.end is None or p.end <= end else replace(p, end=end)
                                  for p in tracked.pieces if p.start < end]
        self.touch_term_charges(plan)

    def suspend(self, plan: ActionPlan, suspend: Mapping[str, Any]) -> None:
        policy = suspend.get("suspendPolicy")
        if policy == "SpecificDate":
            when = parse_date(suspend.get("suspendSpecificDate"))
        elif policy == "Today":
            when = self.date_of(plan)
        elif policy == "FixedPeriodsFromToday":
            when = self.after(self.date_of(plan), suspend.get("suspendPeriods"), suspend.get("suspendPeriodsType"))
        elif policy == "EndOfLastInvoicePeriod":
            when = self.last_invoice_period_end()
        else:
            raise NotComputable(f"suspendPolicy {policy!r} is not modelled offline")
        if when is None:
            raise NotComputable(f"suspendPolicy {policy}: the suspend date is unknown")
        for tracked in self.tracked:
            if tracked.pieces:
                tracked.suspended_at = when
                tracked.end_at(when)
                self.touch(plan, tracked, "~")
        for placed in self.added:
            placed.line.problem = (f"a Suspend later in this order (from {when}) suspends it too: a charge added and "
                                   "suspended by one order is not modelled offline")

    def resume(self, plan: ActionPlan, resume: Mapping[str, Any]) -> None:
        suspended = [t for t in self.tracked if t.suspended_at is not None]
        if not suspended:
            raise NotComputable("the subscription's suspend date is not known (a suspension in an earlier order): "
                                "the snapshot does not say which charges resume where")
        suspended_at = min(t.suspended_at for t in suspended if t.suspended_at)
        policy = resume.get("resumePolicy")
        if policy == "SpecificDate":
            when = parse_date(resume.get("resumeSpecificDate"))
        elif policy == "Today":
            when = self.date_of(plan)
        elif policy == "SuspendDate":
            when = suspended_at
        elif policy == "FixedPeriodsFromSuspendDate":
            when = self.after(suspended_at, resume.get("resumePeriods"), resume.get("resumePeriodsType"))
        else:
            raise NotComputable(f"resumePolicy {policy!r} is not modelled offline")
        if when is None or when < suspended_at:
            raise NotComputable(f"resumePolicy {policy}: the resume date is unknown or before the suspension")
        if resume.get("extendsTerm") is True and self.term is not None and self.term.end is not None:
            self.term = Term(self.term.start, self.term.end + (when - suspended_at), self.term.auto_renew)
        for tracked in suspended:
            original = tracked.charge
            tracked.pieces.append(Piece(when, None if original.ends_with_term else original.end,
                                        tracked.last_effective(), original.ends_with_term))
            tracked.suspended_at, tracked.ended = None, False

    @staticmethod
    def after(start: dt.date, count: Any, unit: Any) -> dt.date:
        name = PERIOD_UNITS.get(str(unit or ""))
        if not isinstance(count, int) or isinstance(count, bool) or count < 1 or name is None:
            raise NotComputable("a number of periods needs a whole number >= 1 and Day, Week, Month or Year")
        return P.term_end(start, count, name)

    # -- billing -------------------------------------------------------------------------------------
    def bill(self) -> None:
        """Bill every existing charge as the order leaves it (see billing.bill_existing); the charges
        the order adds follow the term as the order leaves it (renewed, changed, cancelled)."""
        for placed in self.added:
            placed.term = self.term
        said: set[str] = set()
        for tracked in self.tracked:
            if not tracked.touched:  # billed in the window all the same: its reason makes the preview incomplete
                tracked.line.pointer = self.pointer
                self.plan.existing.append(tracked.line)
            if tracked.charge.problem:
                tracked.line.problem = tracked.charge.problem
                continue
            pointer = tracked.line.pointer

            def tenant_dependent(note: str, where: Pointer = pointer) -> None:
                if note not in said:  # the same period is rated for the credit, the bill and the TCV
                    said.add(note)
                    self.builder.note(where, "P004", note)
            try:
                bill_existing(tracked, self.term, self.original_term, self.builder.account, self.builder.window,
                              tenant_dependent)
            except (NotComputable, P.PeriodError) as problem:
                tracked.line.problem = str(problem)
                tracked.line.items, tracked.line.term_items = [], []

