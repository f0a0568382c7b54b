"""The preview's plain data: what each order action adds, each charge's figures and invoice items.

`build_plan` (engine) fills these in; `text` prints them; `response` turns them into the API's
preview response shape. A figure that could not be worked out is None and its line says why
(`problem`); `Plan.unpriced` lists every such reason, and makes the preview incomplete.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Mapping

from orderspec.diagnostics import Diagnostic, Pointer, format_pointer
from orderspec.preview import periods as P
from orderspec.preview.charges import Pricing
from orderspec.preview.window import Window


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
    # The pricing this item was rated at when it is not the charge's own (the credit of an old price).
    pricing: Pricing | None = None
    credit: bool = False  # a proration credit of periods billed before (amount negative)


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
    # The charge as priced: the API's chargeOverride shape, catalog values under the order's.
    effective: Mapping[str, Any] = field(default_factory=dict)
    description: str | None = None
    # After the discounts that apply to this charge (None: no discount applies).
    net_mrr: Decimal | None = None
    net_tcv: Decimal | None = None
    # A charge the subscription already has (amendments): its figures before the order, so the
    # metrics show the change; None for a charge the order adds.
    mrr_before: Decimal | None = None
    tcv_before: Decimal | None = None
    # The order ends this existing charge (removes, cancels, suspends or replaces it): on `end`.
    ended: bool = False
    suspended: bool = False  # ended by a suspension (a later Resume may start it again)

    @property
    def mrr_delta(self) -> Decimal | None:
        return None if self.mrr is None else self.mrr - (self.mrr_before or 0)

    @property
    def tcv_delta(self) -> Decimal | None:
        return None if self.tcv is None else self.tcv - (self.tcv_before or 0)

    @property
    def charge_type(self) -> str | None:
        return self.pricing.charge_type if self.pricing else None

    @property
    def is_discount(self) -> bool:
        return bool(self.pricing and self.pricing.is_discount)

    @property
    def whole_rate_plan(self) -> bool:
        """This line stands for a rate plan whose charges could not be resolved at all."""
        return not self.effective and self.charge_id is None

    @property
    def subject(self) -> str:
        return f"rate plan {self.rate_plan_id}" if self.whole_rate_plan else f"charge {self.label}"


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
    pointer: Pointer = ()
    details: list[str] = field(default_factory=list)
    rate_plans: list[RatePlanLine] = field(default_factory=list)
    problem: str | None = None


@dataclass
class SubscriptionPlan:
    label: str
    number: str | None
    actions: list[ActionPlan] = field(default_factory=list)
    term: str = ""
    term_end: dt.date | None = None  # exclusive; None: evergreen or unknown
    invoice_owner: str | None = None
    # Charges of an existing subscription the order leaves as they are: billed in the window from
    # their charged-through date, not part of the order's metrics.
    existing: list[ChargeLine] = field(default_factory=list)

    @property
    def charges(self) -> list[ChargeLine]:
        return [c for a in self.actions for r in a.rate_plans for c in r.charges]

    @property
    def billed(self) -> list[ChargeLine]:
        """Every charge the preview bills: the order's, and the existing ones it leaves as they are."""
        return self.charges + self.existing


@dataclass(frozen=True)
class Unpriced:
    """One charge or order action the preview could not price, and why."""

    pointer: str  # JSON pointer into the request body
    subject: str  # "charge Base fee", "order action 2 (UpdateProduct)"
    reason: str

    def as_json(self) -> dict[str, str]:
        return {"pointer": self.pointer, "subject": self.subject, "reason": self.reason}


@dataclass
class Plan:
    name: str
    window: Window
    subscriptions: list[SubscriptionPlan]
    diagnostics: list[Diagnostic]
    result: dict[str, Any]
    tax_included: bool
    other_unpriced: list[Unpriced] = field(default_factory=list)  # e.g. order line items

    @property
    def uncomputed(self) -> list[ChargeLine]:
        return [c for s in self.subscriptions for c in s.billed if c.problem]

    @property
    def unpriced_actions(self) -> list[ActionPlan]:
        """Order actions whose money the offline preview cannot work out (they change existing charges)."""
        return [a for s in self.subscriptions for a in s.actions if a.problem]

    @property
    def unpriced(self) -> list[Unpriced]:
        """Every charge and order action left unpriced, with the reason: the preview is incomplete."""
        found = [Unpriced(format_pointer(a.pointer), f"order action {a.sequence} ({a.type})", a.problem or "")
                 for a in self.unpriced_actions]
        found += [Unpriced(format_pointer(c.pointer), c.subject, c.problem or "") for c in self.uncomputed]
        return found + self.other_unpriced

    @property
    def incomplete(self) -> bool:
        return bool(self.unpriced)
