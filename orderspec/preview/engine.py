"""The offline preview: what an order would bill, worked out from the request and the catalog.

`build_plan(request, catalog, env)` walks the order (subscriptions -> order actions -> rate plans
-> charges), prices each charge (`charges`), cuts it into service periods (`periods`) and returns a
`Plan`: the human-readable model the text output is printed from, the API-shaped result
(`Plan.result`, the same shape as POST /v1/orders/preview's response) and the diagnostics (P001...)
saying which figures could not be computed offline and why. `preview_offline` is the result only.

Rounding: each invoice item is rounded half-up to cents once; totals are sums of rounded items.
MRR is rounded half-up to cents; TCV is the sum of the rounded service-period amounts of the term.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Mapping

from orderspec.body import as_dict, as_list, parse_date
from orderspec.diagnostics import Diagnostic, Pointer, at, format_pointer
from orderspec.model import Request
from orderspec.preview import periods as P
from orderspec.preview.charges import NotComputable, Pricing, catalog_charge, money, pricing_of

if TYPE_CHECKING:
    from orderspec.expand import ExpandContext

WEEKS_PER_MONTH = Decimal(52) / Decimal(12)
TRIGGER_EVENTS = ("ContractEffective", "ServiceActivation", "CustomerAcceptance")
COMPUTED_ACTIONS = ("CreateSubscription", "AddProduct")
PREVIEW_TYPES_MODELLED = ("ChargeMetrics", "BillingDocs", "OrderDeltaMetrics")


@dataclass(frozen=True)
class Window:
    """How far the preview looks: through a date, N billing periods, or to the end of the term."""

    kind: str  # SpecificDate | NumberOfPeriods | TermEnd
    thru: dt.date | None = None
    periods: int | None = None

    def describe(self) -> str:
        if self.kind == "SpecificDate":
            return f"through {self.thru}"
        if self.kind == "NumberOfPeriods":
            return f"{self.periods} billing period(s)"
        return "to the end of the term"


@dataclass
class Item:
    """One invoice item that would be generated."""

    charge: ChargeLine
    start: dt.date
    last_day: dt.date
    bill_date: dt.date
    amount: Decimal
    fraction: Decimal = Decimal(1)
    processing_type: str = "Charge"  # Charge | Discount
    applied_to: ChargeLine | None = None
    prorated: str | None = None  # how a partial period was prorated, e.g. "16/31 days"


@dataclass
class ChargeLine:
    label: str
    pointer: Pointer
    charge_id: str | None
    rate_plan_id: str | None
    charge_number: str | None
    name: str | None
    product_name: str | None = None
    pricing: Pricing | None = None
    billing: str = ""
    start: dt.date | None = None
    end: dt.date | None = None  # exclusive
    mrr: Decimal | None = None  # before discounts; a discount charge: its (negative) discount
    tcv: Decimal | None = None
    problem: str | None = None  # why the figures are missing
    items: list[Item] = field(default_factory=list)  # in the preview window
    term_items: list[Item] = field(default_factory=list)  # over the whole term (TCV)
    period: P.BillingPeriod | None = None
    bill_in_arrears: bool = False
    unit_price: Decimal | None = None

    @property
    def charge_type(self) -> str | None:
        return self.pricing.charge_type if self.pricing else None

    @property
    def is_discount(self) -> bool:
        return bool(self.pricing and self.pricing.is_discount)


@dataclass
class RatePlanLine:
    change: str  # + added, - removed, ~ changed
    label: str
    charges: list[ChargeLine] = field(default_factory=list)


@dataclass
class ActionPlan:
    sequence: int
    type: str
    dates: dict[str, dt.date]
    details: list[str] = field(default_factory=list)
    rate_plans: list[RatePlanLine] = field(default_factory=list)
    problem: str | None = None


@dataclass
class SubscriptionPlan:
    label: str
    number: str | None
    actions: list[ActionPlan] = field(default_factory=list)
    term: str = ""

    @property
    def charges(self) -> list[ChargeLine]:
        return [c for a in self.actions for r in a.rate_plans for c in r.charges]


@dataclass
class Plan:
    name: str
    window: Window
    subscriptions: list[SubscriptionPlan]
    diagnostics: list[Diagnostic]
    result: dict[str, Any]
    tax_included: bool

    @property
    def uncomputed(self) -> list[ChargeLine]:
        return [c for s in self.subscriptions for c in s.charges if c.problem]

    @property
    def unpriced_actions(self) -> list[ActionPlan]:
        """Order actions whose money the offline preview cannot work out (they change existing charges)."""
        return [a for s in self.subscriptions for a in s.actions if a.problem]


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


def window_of(body: Mapping[str, Any], override: Window | None = None) -> Window | str:
    """The preview window from previewOptions (or `override`); a string says what is wrong."""
    if override is not None:
        return override
    options = body.get("previewOptions")
    if not isinstance(options, Mapping) or "previewThruType" not in options:
        return Window("TermEnd")
    kind = options.get("previewThruType")
    if kind == "SpecificDate":
        thru = parse_date(options.get("specificPreviewThruDate"))
        return Window(kind, thru=thru) if thru else "previewThruType SpecificDate needs specificPreviewThruDate"
    if kind == "NumberOfPeriods":
        count = options.get("previewNumberOfPeriods")
        if isinstance(count, int) and not isinstance(count, bool) and count >= 1:
            return Window(kind, periods=min(count, P.MAX_PERIODS))
        return "previewThruType NumberOfPeriods needs previewNumberOfPeriods (>= 1)"
    if kind == "TermEnd":
        return Window(kind)
    return f"previewThruType {kind!r} is not modelled offline"


class _Builder:
    def __init__(self, request: Request, catalog: Any, env: str | None, bill_cycle_day: int | None,
                 window: Window) -> None:
        self.request = request
        self.body = request.body
        self.catalog = catalog
        self.env = env
        self.account_bill_cycle_day = bill_cycle_day
        self.window = window
        self.diagnostics: list[Diagnostic] = []

    # -- diagnostics ----------------------------------------------------------------------------
    def note(self, pointer: Pointer, code: str, message: str) -> None:
        self.diagnostics.append(at(self.request.source.locate(pointer), code, message,
                                   pointer=format_pointer(pointer), related=self.request.source.related(pointer)))

    # -- the order ------------------------------------------------------------------------------
    def subscriptions(self) -> list[SubscriptionPlan]:
        result: list[SubscriptionPlan] = []
        subscriptions = self.body.get("subscriptions")
        if not isinstance(subscriptions, list):
            return result
        for s_index, subscription in enumerate(subscriptions):
            if isinstance(subscription, Mapping):
                result.append(self.subscription(s_index, subscription))
        return result

    def subscription(self, s_index: int, subscription: Mapping[str, Any]) -> SubscriptionPlan:
        number = subscription.get("subscriptionNumber")
        actions = as_list(subscription.get("orderActions"))
        for action in actions:
            if isinstance(action, Mapping) and isinstance(action.get("createSubscription"), Mapping):
                number = number or action["createSubscription"].get("subscriptionNumber")
        label = f"subscription {number}" if number else f"subscription #{s_index + 1} (new, number assigned by Zuora)"
        plan = SubscriptionPlan(label, number if isinstance(number, str) else None)
        term: tuple[dt.date, dt.date | None] | None = None  # (start, exclusive end or None: evergreen)
        for a_index, action in enumerate(actions):
            if not isinstance(action, Mapping):
                continue
            pointer: Pointer = ("subscriptions", s_index, "orderActions", a_index)
            action_plan, term = self.action(pointer, a_index, action, term)
            if action_plan.type == "CreateSubscription" and term:
                plan.term = f"term {term[0]} .. {term[1] - dt.timedelta(days=1)}" if term[1] else f"evergreen from {term[0]}"
            plan.actions.append(action_plan)
        return plan

    def dates(self, action: Mapping[str, Any]) -> dict[str, dt.date]:
        found: dict[str, dt.date] = {}
        triggers = action.get("triggerDates")
        for trigger in triggers if isinstance(triggers, list) else []:
            if isinstance(trigger, Mapping):
                when = parse_date(trigger.get("triggerDate"))
                if when and trigger.get("name") in TRIGGER_EVENTS:
                    found[str(trigger["name"])] = when
        order_date = parse_date(self.body.get("orderDate"))
        if "ContractEffective" not in found and order_date:
            found["ContractEffective"] = order_date
        return found

    def action(self, pointer: Pointer, a_index: int, action: Mapping[str, Any],
               term: tuple[dt.date, dt.date | None] | None) -> tuple[ActionPlan, tuple[dt.date, dt.date | None] | None]:
        kind = str(action.get("type", "?"))
        plan = ActionPlan(a_index + 1, kind, self.dates(action))
        if kind == "CreateSubscription" and isinstance(action.get("createSubscription"), Mapping):
            create = action["createSubscription"]
            term = self.term(pointer + ("createSubscription", "terms"), create.get("terms"), plan.dates)
            key = "subscribeToRatePlans" if "subscribeToRatePlans" in create else "subscribeToProducts"
            rate_plans = create.get(key) or []
            if isinstance(create.get("terms"), Mapping):
                renewal = create["terms"].get("renewalSetting")
                if renewal:
                    plan.details.append(f"renewal: {renewal}, autoRenew: {create['terms'].get('autoRenew', False)}")
            self.rate_plans(plan, pointer + ("createSubscription", key), rate_plans, term)
        elif kind == "AddProduct" and isinstance(action.get("addProduct"), Mapping):
            self.rate_plans(plan, pointer, [action["addProduct"]], term, key_path=("addProduct",))
        else:
            plan.details.extend(self.describe_other(kind, action))
            plan.problem = ("figures not computed: they depend on the existing subscription's charges, "
                            "which are not known offline")
            self.note(pointer, "P001", f"{kind}: {plan.problem}")
        return plan, term

    def describe_other(self, kind: str, action: Mapping[str, Any]) -> list[str]:
        lines: list[str] = []
        if kind == "RemoveProduct" and isinstance(action.get("removeProduct"), Mapping):
            remove = action["removeProduct"]
            lines.append(f"- rate plan {remove.get('ratePlanId') or remove.get('subscriptionRatePlanNumber') or '?'}")
        elif kind == "UpdateProduct" and isinstance(action.get("updateProduct"), Mapping):
            update = action["updateProduct"]
            lines.append(f"~ rate plan {update.get('ratePlanId') or update.get('subscriptionRatePlanNumber') or '?'}")
            updates = update.get("chargeUpdates")
            for charge in updates if isinstance(updates, list) else []:
                if isinstance(charge, Mapping):
                    lines.append(f"  ~ charge {charge.get('chargeNumber') or charge.get('productRatePlanChargeId') or '?'}")
        elif kind == "CancelSubscription" and isinstance(action.get("cancelSubscription"), Mapping):
            cancel = action["cancelSubscription"]
            lines.append(f"cancellation: {cancel.get('cancellationPolicy', '?')}"
                         + (f" on {cancel['cancellationEffectiveDate']}" if cancel.get("cancellationEffectiveDate") else ""))
        elif kind == "RenewSubscription":
            lines.append("renews the subscription for its renewal term")
        elif kind == "ChangePlan" and isinstance(action.get("changePlan"), Mapping):
            change = action["changePlan"]
            old = change.get("ratePlanId") or change.get("subscriptionRatePlanNumber") or change.get("productRatePlanId")
            new = change.get("newProductRatePlan")
            new_id = new.get("productRatePlanId") or new.get("productRatePlanNumber") if isinstance(new, Mapping) else None
            lines += [f"- rate plan {old or '?'}", f"+ rate plan {new_id or '?'}"]
        elif kind == "Suspend" and isinstance(action.get("suspend"), Mapping):
            suspend = action["suspend"]
            lines.append(f"suspension: {suspend.get('suspendPolicy', '?')}"
                         + (f" on {suspend['suspendSpecificDate']}" if suspend.get("suspendSpecificDate") else ""))
        elif kind == "OwnerTransfer" and isinstance(action.get("ownerTransfer"), Mapping):
            transfer = action["ownerTransfer"]
            target = transfer.get("destinationAccountNumber") or transfer.get("destinationInvoiceAccountNumber")
            lines.append(f"new owner: {target or '?'}")
        return lines

    def term(self, pointer: Pointer, terms: Any, dates: dict[str, dt.date]) -> tuple[dt.date, dt.date | None] | None:
        if not isinstance(terms, Mapping) or not isinstance(terms.get("initialTerm"), Mapping):
            self.note(pointer, "P001", "the subscription has no initialTerm: term dates unknown")
            return None
        initial = terms["initialTerm"]
        start = parse_date(initial.get("startDate")) or dates.get("ContractEffective")
        if start is None:
            self.note(pointer, "P001", "the term start date is unknown (no startDate, no contract effective date)")
            return None
        if initial.get("termType") == "EVERGREEN":
            return start, None
        end = parse_date(initial.get("endDate"))
        if end is None:
            try:
                end = P.term_end(start, int(initial.get("period")), str(initial.get("periodType", "Month")))
            except (TypeError, ValueError) as problem:
                self.note(pointer + ("initialTerm",), "P001", f"the term end is unknown: {problem}")
                return start, None
        return start, end

    def rate_plans(self, plan: ActionPlan, pointer: Pointer, rate_plans: Any,
                   term: tuple[dt.date, dt.date | None] | None, key_path: Pointer = ()) -> None:
        if not isinstance(rate_plans, list):
            return
        scope: list[ChargeLine] = []
        discounts: list[tuple[ChargeLine, Pointer, list[ChargeLine]]] = []
        for r_index, rate_plan in enumerate(rate_plans):
            if not isinstance(rate_plan, Mapping):
                continue
            r_pointer = pointer + key_path if key_path else pointer + (r_index,)
            label = str(rate_plan.get("productRatePlanId") or rate_plan.get("productRatePlanNumber")
                        or rate_plan.get("ratePlanName") or "?")
            line = RatePlanLine("+", f"rate plan {label}")
            plan.rate_plans.append(line)
            overrides = rate_plan.get("chargeOverrides")
            if not isinstance(overrides, list) or not overrides:
                self.note(r_pointer, "P001", f"rate plan {label}: its charges come from the product catalog and "
                          "are not listed in the order; give chargeOverrides to preview them offline")
                line.charges.append(ChargeLine("(catalog charges)", r_pointer, None, label, None, None,
                                               problem="charges not listed in the order"))
                continue
            in_plan: list[ChargeLine] = []
            for c_index, override in enumerate(overrides):
                if not isinstance(override, Mapping):
                    continue
                c_pointer = r_pointer + ("chargeOverrides", c_index)
                charge = self.charge(c_pointer, override, label, plan.dates, term)
                line.charges.append(charge)
                if charge.is_discount and not charge.problem:
                    discounts.append((charge, c_pointer, in_plan))
                else:
                    in_plan.append(charge)
                    scope.append(charge)
        for charge, c_pointer, in_plan in discounts:
            assert charge.pricing is not None
            targets = scope if charge.pricing.discount_level == "subscription" else in_plan
            try:
                self.discount(charge, c_pointer,
                              [t for t in targets if not t.problem and t.charge_type in charge.pricing.apply_to],
                              [t for t in targets if t.problem])
            except (NotComputable, P.PeriodError) as problem:
                charge.problem = str(problem)
                charge.items, charge.term_items = [], []
        for charge in [c for r in plan.rate_plans for c in r.charges]:
            if charge.problem and charge.charge_id is not None:
                self.note(charge.pointer, "P001", f"charge {charge.label}: {charge.problem}")

    # -- one charge -----------------------------------------------------------------------------
    def charge(self, pointer: Pointer, override: Mapping[str, Any], rate_plan: str, dates: dict[str, dt.date],
               term: tuple[dt.date, dt.date | None] | None) -> ChargeLine:
        charge_id = override.get("productRatePlanChargeId") or override.get("productRatePlanChargeNumber")
        entry = catalog_charge(self.catalog, charge_id if isinstance(charge_id, str) else None, self.env)
        name = override.get("name") or (entry or {}).get("name")
        name = name if isinstance(name, str) else None
        number = override.get("chargeNumber")
        line = ChargeLine(str(name or charge_id or "?"), pointer, charge_id if isinstance(charge_id, str) else None,
                          rate_plan, number if isinstance(number, str) else None, name if isinstance(name, str) else None,
                          product_name=(entry or {}).get("productName"))
        try:
            line.pricing = pricing_of(override, entry)
            line.start = self.start_date(override, dates)
            if line.pricing.is_discount:
                pass  # priced from the charges it applies to, once they are known (see rate_plans)
            elif line.pricing.charge_type == "OneTime":
                self.one_time(line)
            else:
                self.recurring(line, override, entry, term)
        except (NotComputable, P.PeriodError) as problem:
            line.problem = str(problem)
            line.items, line.term_items = [], []
        return line

    def start_date(self, override: Mapping[str, Any], dates: dict[str, dt.date]) -> dt.date:
        start = as_dict(override.get("startDate"))
        event = start.get("triggerEvent") or "ContractEffective"
        if event == "SpecificDate":
            when = parse_date(start.get("specificTriggerDate"))
            if when is None:
                raise NotComputable("startDate SpecificDate needs specificTriggerDate")
            return when
        if event not in dates:
            raise NotComputable(f"the charge starts on {event}, and the order does not give that date "
                                "(triggerDates); it is only known when the event happens")
        return dates[event]

    def one_time(self, line: ChargeLine) -> None:
        assert line.pricing is not None and line.start is not None
        amount = money(line.pricing.base_amount())
        line.unit_price = line.pricing.list_price
        line.mrr, line.tcv = Decimal(0), amount
        item = Item(line, line.start, line.start, line.start, amount)
        line.term_items = [item]
        in_window = self.window.kind != "SpecificDate" or (self.window.thru is not None and line.start <= self.window.thru)
        line.items = [item] if in_window else []

    def recurring(self, line: ChargeLine, override: Mapping[str, Any], entry: Mapping[str, Any] | None,
                  term: tuple[dt.date, dt.date | None] | None) -> None:
        assert line.pricing is not None and line.start is not None
        billing: dict[str, Any] = {}
        for source in (entry or {}, as_dict(override.get("billing"))):
            for key in ("billingPeriod", "billCycleType", "billCycleDay", "weeklyBillCycleDay", "billingTiming",
                        "specificBillingPeriod", "billingPeriodAlignment"):
                if source.get(key) is not None:
                    billing[key] = source[key]
        if "billingPeriod" not in billing:
            raise NotComputable("no billing period: set billing.billingPeriod or give a catalog with it")
        period = P.billing_period(str(billing["billingPeriod"]), billing.get("specificBillingPeriod"))
        line.period = period
        alignment = billing.get("billingPeriodAlignment", "AlignToCharge")
        if alignment != "AlignToCharge" and (term is None or term[0] != line.start):
            raise NotComputable(f"billingPeriodAlignment {alignment} for a charge that does not start with the "
                                "subscription is not modelled offline")
        rating = override.get("ratingPropertiesOverride")
        rating = rating if isinstance(rating, Mapping) else {}
        if rating.get("daysInMonth") not in (None, "UseActualDays"):
            raise NotComputable(f"ratingPropertiesOverride.daysInMonth {rating.get('daysInMonth')} is not modelled "
                                "offline")
        unit = rating.get("prorationUnit")
        if unit not in (None, "ProrateByDay", "ProrateByMonthFirst"):
            raise NotComputable(f"ratingPropertiesOverride.prorationUnit {unit} is not modelled offline")
        full_period = override.get("prorationOption") in ("ChargeFullPeriod", "NoProration")
        bcd = self.bill_cycle_day(billing, period, line.start, term)
        line.bill_in_arrears = billing.get("billingTiming") == "IN_ARREARS"
        line.end = self.end_date(override, line.start, term, period, bcd)
        per_period = self.period_amount(line.pricing, period)
        line.unit_price = line.pricing.list_price
        if period.months:
            line.mrr = money(per_period / period.months)
        else:
            line.mrr = money(per_period / period.count * WEEKS_PER_MONTH)
        line.billing = (f"{period.name}{' x' + str(period.count) if period.name.startswith('Specific') else ''}, "
                        f"bill cycle day {bcd}, {'in arrears' if line.bill_in_arrears else 'in advance'}")

        month_day = bcd if isinstance(bcd, int) else None
        tenant_dependent: list[str] = []

        def item(s: P.Slice) -> Item:
            bill_date = s.end if line.bill_in_arrears else s.start
            if full_period or not s.is_partial:
                return Item(line, s.start, s.last_day, bill_date, money(per_period))
            by_day = f"{P.days(s.start, s.end)}/{P.days(s.full_start, s.full_end)} days"
            if period.months and period.months > 1:
                share, how = s.month_first_fraction(period.months, month_day)
                if unit == "ProrateByMonthFirst":
                    return Item(line, s.start, s.last_day, bill_date, money(per_period * share), share, prorated=how)
                if unit is None and money(per_period * share) != money(per_period * s.fraction):
                    tenant_dependent.append(f"{s.start}..{s.last_day}: {money(per_period * s.fraction)} by day "
                                            f"({by_day}), {money(per_period * share)} by month first ({how})")
            return Item(line, s.start, s.last_day, bill_date, money(per_period * s.fraction), s.fraction,
                        prorated=by_day)

        def items(spans: list[P.Slice]) -> list[Item]:
            return [item(s) for s in spans]

        if line.end is not None:
            line.term_items = items(P.slices(period, line.start, line.end, bcd))
            line.tcv = money(sum((i.amount for i in line.term_items), Decimal(0)))
        if self.window.kind == "TermEnd":
            if line.end is None:
                raise NotComputable("the charge has no known end date (an evergreen term, or an existing "
                                    "subscription's term that the order does not hold), so a preview to the term "
                                    "end has no end; preview a number of periods or through a date")
            line.items = list(line.term_items)
        elif self.window.kind == "NumberOfPeriods":
            line.items = items(P.slices(period, line.start, line.end, bcd, limit=self.window.periods))
        else:
            assert self.window.thru is not None
            thru = self.window.thru
            until = None if thru == dt.date.max else thru + dt.timedelta(days=1)
            if until is None and line.end is None:
                raise NotComputable("a preview through the last day of the calendar has no end")
            spans = P.slices(period, line.start, line.end, bcd, until=until)
            line.items = [i for i in items(spans) if i.bill_date <= thru]
        details = list(dict.fromkeys(tenant_dependent))
        if details:
            more = f"; {len(details) - 1} more partial period(s) like it" if len(details) > 1 else ""
            self.note(line.pointer, "P004", f"charge {line.label}: a partial {period.name} period is prorated by "
                      f"day here; tenants that prorate periods longer than a month by month first bill another "
                      f"amount ({details[0]}{more}); set ratingPropertiesOverride.prorationUnit to say which")

    def bill_cycle_day(self, billing: Mapping[str, Any], period: P.BillingPeriod, start: dt.date,
                       term: tuple[dt.date, dt.date | None] | None) -> int | str:
        kind = billing.get("billCycleType", "DefaultFromCustomer")
        anchor = {"ChargeTriggerDay": start, "SubscriptionStartDay": term[0] if term else None}.get(str(kind))
        if kind in ("ChargeTriggerDay", "SubscriptionStartDay"):
            if anchor is None:
                raise NotComputable("the subscription start date is unknown, so is its bill cycle day")
            return anchor.day if period.unit == "month" else P.WEEKDAYS[anchor.weekday()]
        if period.unit == "week":
            weekday = billing.get("weeklyBillCycleDay")
            if kind == "SpecificDayofWeek" and weekday in P.WEEKDAYS:
                return str(weekday)
            raise NotComputable("weekly billing needs billCycleType SpecificDayofWeek with weeklyBillCycleDay, "
                                "ChargeTriggerDay or SubscriptionStartDay")
        if kind == "SpecificDayofMonth":
            day = billing.get("billCycleDay")
            if isinstance(day, int) and 1 <= day <= 31:
                return day
            raise NotComputable("billCycleType SpecificDayofMonth needs billCycleDay 1..31")
        if kind == "DefaultFromCustomer":
            day = _account(self.body).get("billCycleDay", self.account_bill_cycle_day)
            if isinstance(day, int) and 1 <= day <= 31:
                return day
            raise NotComputable("the bill cycle day comes from the customer account, which is not in the order; "
                                "pass --bill-cycle-day or set billing.billCycleType")
        raise NotComputable(f"billCycleType {kind} is not modelled offline")

    def end_date(self, override: Mapping[str, Any], start: dt.date, term: tuple[dt.date, dt.date | None] | None,
                 period: P.BillingPeriod, bcd: int | str) -> dt.date | None:
        term_end = term[1] if term else None
        end = as_dict(override.get("endDate"))
        condition = end.get("endDateCondition") or end.get("endDatePolicy") or "Subscription_End"
        if condition in ("Subscription_End", "AlignToApplyToCharge"):
            return term_end
        if condition in ("Specific_End_Date", "SpecificEndDate"):
            when = parse_date(end.get("specificEndDate"))
            if when is None:
                raise NotComputable("endDateCondition Specific_End_Date needs specificEndDate")
            return min(when, term_end) if term_end else when
        if condition in ("Fixed_Period", "FixedPeriod"):
            count, unit = end.get("upToPeriods"), end.get("upToPeriodsType", "Billing_Periods")
            if not isinstance(count, int) or isinstance(count, bool) or count < 1:
                raise NotComputable("endDateCondition Fixed_Period needs upToPeriods >= 1")
            if unit == "Billing_Periods":
                spans = P.slices(period, start, term_end, bcd, limit=count)
                when = spans[-1].end if spans else start
            else:
                when = P.term_end(start, count, {"Days": "Day", "Weeks": "Week", "Months": "Month", "Years": "Year"}
                                  .get(str(unit), str(unit)))
            return min(when, term_end) if term_end else when
        raise NotComputable(f"end date condition {condition} is not modelled offline")

    @staticmethod
    def period_amount(pricing: Pricing, period: P.BillingPeriod) -> Decimal:
        base = pricing.base_amount()
        kind = pricing.list_price_base
        if kind == "Per_Billing_Period":
            return base
        if kind == "Per_Month" and period.months:
            return base * period.months
        if kind == "Per_Year" and period.months:
            return base * period.months / 12
        if kind == "Per_Week" and period.unit == "week":
            return base * period.count
        raise NotComputable(f"listPriceBase {kind} with billing period {period.name} is not modelled offline")

    # -- discounts ------------------------------------------------------------------------------
    def discount(self, line: ChargeLine, pointer: Pointer, targets: list[ChargeLine], unknown: list[ChargeLine]) -> None:
        pricing = line.pricing
        assert pricing is not None
        if unknown:
            line.problem = (f"it applies to charge(s) whose figures are unknown ({', '.join(t.label for t in unknown)})")
            return
        if pricing.discount_percentage is not None:
            rate = pricing.discount_percentage / 100
            line.mrr = -money(sum((t.mrr or Decimal(0) for t in targets), Decimal(0)) * rate)

            def cut(items: list[Item]) -> list[Item]:
                return [Item(line, i.start, i.last_day, i.bill_date, -money(i.amount * rate), i.fraction,
                             "Discount", i.charge, i.prorated) for i in items]
        else:
            amount = pricing.discount_amount
            assert amount is not None
            shapes = {(t.period, t.bill_in_arrears) for t in targets if t.charge_type == "Recurring"}
            if len(shapes) > 1:
                line.problem = "a fixed-amount discount over charges with different billing periods is not modelled offline"
                return
            target_period = next(iter(shapes))[0] if shapes else None
            months = target_period.months if target_period else None
            line.mrr = -money(amount / months) if months else (
                -money(amount / target_period.count * WEEKS_PER_MONTH) if target_period else Decimal(0))

            def cut(items: list[Item]) -> list[Item]:
                # One discount per service period, prorated like the charges, never above their total.
                by_period: dict[tuple[dt.date, dt.date], list[Item]] = {}
                for item in items:
                    by_period.setdefault((item.start, item.last_day), []).append(item)
                result = []
                for (start, last_day), group in by_period.items():
                    total = sum((i.amount for i in group), Decimal(0))
                    value = min(money(amount * group[0].fraction), total)
                    result.append(Item(line, start, last_day, group[0].bill_date, -value, group[0].fraction,
                                       "Discount", group[0].charge if len(group) == 1 else None, group[0].prorated))
                return result
        line.unit_price = pricing.discount_percentage if pricing.discount_percentage is not None else pricing.discount_amount
        line.start = min((t.start for t in targets if t.start), default=None)
        ends = [t.end for t in targets if t.end is not None]
        # A discount ends with the last of its charges; one open-ended charge leaves it open-ended.
        line.end = max(ends) if ends and len(ends) == len(targets) else None
        line.billing = f"{'percentage' if pricing.discount_percentage is not None else 'fixed amount'} discount on " + (
            ", ".join(t.label for t in targets) or "no charge in its scope")
        line.items = cut([i for t in targets for i in t.items])
        known_term = all(t.tcv is not None for t in targets)
        line.term_items = cut([i for t in targets for i in t.term_items]) if known_term else []
        line.tcv = money(sum((i.amount for i in line.term_items), Decimal(0))) if known_term else None


def _account(body: Mapping[str, Any]) -> dict[str, Any]:
    """The new customer account a create order opens, or the one a preview describes."""
    return as_dict(body.get("newAccount")) or as_dict(body.get("previewAccountInfo"))


def _charge_ids(charge: ChargeLine) -> dict[str, Any]:
    """The ids the API names a charge by in a preview result, those the order gave."""
    ids: dict[str, Any] = {}
    if charge.charge_number:
        ids["chargeNumber"] = charge.charge_number
    if charge.charge_id:
        ids["productRatePlanChargeId"] = charge.charge_id
    return ids


def _regular_and_discount(amount: Decimal, is_discount: bool) -> dict[str, Decimal]:
    """A charge metric: a discount charge's amount counts as discount, any other's as regular.
    An order preview starts from nothing, so each delta equals its amount."""
    regular, discount = money(Decimal(0) if is_discount else amount), money(amount if is_discount else Decimal(0))
    return {"regular": regular, "regularDelta": regular, "discount": discount, "discountDelta": discount}


def _api_result(builder: _Builder, subscriptions: list[SubscriptionPlan], tax_included: bool) -> dict[str, Any]:
    body = builder.body
    options = as_dict(body.get("previewOptions"))
    wanted = options.get("previewTypes")
    if not isinstance(wanted, list):
        wanted = list(PREVIEW_TYPES_MODELLED)
    excluded = {k for k in as_list(options.get("chargeTypeToExclude")) if isinstance(k, str)}
    currency = _account(body).get("currency")

    def kept(charge: ChargeLine) -> bool:
        kind = charge.charge_type
        if charge.is_discount and charge.pricing is not None:
            return not (charge.pricing.apply_to and charge.pricing.apply_to <= excluded)
        return kind not in excluded

    result: dict[str, Any] = {}
    if "ChargeMetrics" in wanted:
        metrics = []
        for subscription in subscriptions:
            charges = []
            for charge in subscription.charges:
                if charge.problem or not kept(charge) or charge.mrr is None:
                    continue
                entry = _charge_ids(charge)
                if charge.rate_plan_id and charge.rate_plan_id != "?":
                    entry["productRatePlanId"] = charge.rate_plan_id
                entry["cmrr"] = _regular_and_discount(charge.mrr, charge.is_discount)
                if charge.tcv is not None:
                    entry["tcv"] = _regular_and_discount(charge.tcv, charge.is_discount)
                charges.append(entry)
            block: dict[str, Any] = {"charges": charges}
            if subscription.number:
                block["subscriptionNumber"] = subscription.number
            metrics.append(block)
        result["chargeMetrics"] = metrics
    if "BillingDocs" in wanted:
        by_date: dict[dt.date, list[Item]] = {}
        for subscription in subscriptions:
            for charge in subscription.charges:
                if not charge.problem and kept(charge):
                    for item in charge.items:
                        by_date.setdefault(item.bill_date, []).append(item)
        invoices = []
        for bill_date in sorted(by_date):
            items = by_date[bill_date]
            without_tax = sum((i.amount for i in items), Decimal(0))
            invoice: dict[str, Any] = {"amountWithoutTax": without_tax}
            if tax_included:
                invoice["amount"], invoice["taxAmount"] = without_tax, Decimal("0.00")
            invoice["targetDate"] = bill_date.isoformat()
            invoice["invoiceItems"] = [_api_item(i, subscriptions, tax_included) for i in items]
            invoices.append(invoice)
        result["invoices"] = invoices
    if "OrderDeltaMetrics" in wanted:
        mrr, tcv = [], []
        for subscription in subscriptions:
            for action in subscription.actions:
                for rate_plan in action.rate_plans:
                    for charge in rate_plan.charges:
                        if charge.problem or not kept(charge) or charge.mrr is None:
                            continue
                        base: dict[str, Any] = {}
                        if subscription.number:
                            base["subscriptionNumber"] = subscription.number
                        base.update(_charge_ids(charge))
                        base["orderActionType"] = action.type
                        base["orderActionSequence"] = str(action.sequence)
                        if charge.start:
                            base["startDate"] = charge.start.isoformat()
                        if charge.end:
                            base["endDate"] = charge.end.isoformat()
                        if isinstance(currency, str):
                            base["currency"] = currency
                        mrr.append({**base, "grossAmount": charge.mrr, "netAmount": charge.mrr})
                        if charge.tcv is not None:
                            tcv.append({**base, "grossAmount": charge.tcv, "netAmount": charge.tcv})
        result["orderDeltaMetrics"] = {"orderDeltaMrr": mrr, "orderDeltaTcv": tcv}
    return {"success": True, "previewResult": result}


def _api_item(item: Item, subscriptions: list[SubscriptionPlan], tax_included: bool) -> dict[str, Any]:
    charge = item.charge
    out: dict[str, Any] = {
        "serviceStartDate": item.start.isoformat(),
        "serviceEndDate": item.last_day.isoformat(),
        "amountWithoutTax": item.amount,
    }
    if tax_included:
        out["taxAmount"] = Decimal("0.00")
    if charge.name:
        out["chargeName"] = charge.name
    if charge.product_name:
        out["productName"] = charge.product_name
    out.update(_charge_ids(charge))
    out["processingType"] = item.processing_type
    if item.applied_to is not None and item.applied_to.charge_number:
        out["appliedToChargeNumber"] = item.applied_to.charge_number
    for subscription in subscriptions:
        if charge in subscription.charges and subscription.number:
            out["subscriptionNumber"] = subscription.number
    if charge.unit_price is not None and not charge.is_discount and charge.pricing and charge.pricing.model in ("FlatFee", "PerUnit"):
        out["unitPrice"] = charge.unit_price
    if charge.pricing is not None and charge.pricing.quantity is not None and not charge.is_discount:
        info: dict[str, Any] = {"quantity": charge.pricing.quantity}
        if charge.pricing.uom:
            info["unitOfMeasure"] = charge.pricing.uom
        out["additionalInfo"] = info
    return out


def build_plan(request: Request, catalog: Any = None, env: str | None = None, *,
               bill_cycle_day: int | None = None, window: Window | None = None) -> Plan:
    """Work out what `request` would bill.

    `catalog` and `env` (its environment) supply list prices the order leaves out;
    `bill_cycle_day` is the customer account's, for charges that bill on it; `window` overrides
    the body's previewOptions.
    """
    found = window_of(request.body, window)
    chosen = found if isinstance(found, Window) else Window("TermEnd")
    builder = _Builder(request, catalog, env, bill_cycle_day, chosen)
    if isinstance(found, str):
        builder.note(("previewOptions",), "P002", found + "; previewing to the end of the term instead")
    subscriptions = builder.subscriptions()
    options = as_dict(request.body.get("previewOptions"))
    tax_included = options.get("skipTax") is True
    if not tax_included:
        builder.note(("previewOptions",) if options else (), "P003",
                     "tax is not computed offline (it comes from the tenant's tax engine): amounts are without tax")
    types = as_list(options.get("previewTypes"))
    for kind in types:
        if kind not in PREVIEW_TYPES_MODELLED:
            builder.note(("previewOptions", "previewTypes"), "P001", f"preview type {kind} is not modelled offline")
    if isinstance(request.body.get("orderLineItems"), list) and request.body["orderLineItems"]:
        builder.note(("orderLineItems",), "P001", "order line items are not previewed offline")
    result = _api_result(builder, subscriptions, tax_included)
    return Plan(request.name, chosen, subscriptions, builder.diagnostics, result, tax_included)
