"""Discount charges: what they take off the charges they apply to.

Order of application (docs "Process discounts"): discounts with a discount class first (the
tenant ranks the classes), then percentage discounts before fixed-amount ones, then rate plan
discounts before subscription-level ones, then in the order's sequence. Each discount applies to
what the earlier ones left (non-stacked; docs "Multiple percentage discounts example": 10% then 20%
on 1000 take 100, then 180). Each discount item is rounded to cents on its own, like any invoice
item. Where the order depends on what is not known offline (two discount classes, whose rank is
the tenant's, or stacked discounts, summed before they apply) on the same charge, the discounts
involved are not priced.

A percentage discount makes one item per item of its charges; a fixed amount makes one item per
service period of its charges, prorated like them and never more than they still bill.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from orderspec.preview.charges import NotComputable, money
from orderspec.preview.plan import ChargeLine, Item
from orderspec.preview.schedule import WEEKS_PER_MONTH

LEVEL_ORDER = {"rateplan": 0, "subscription": 1}


class Ledger:
    """What each charge item and each charge's MRR still bills after the discounts applied so far."""

    def __init__(self) -> None:
        self.items: dict[int, Decimal] = {}
        self.mrr: dict[int, Decimal] = {}

    def item(self, item: Item) -> Decimal:
        return self.items.setdefault(id(item), item.amount)

    def charge_mrr(self, charge: ChargeLine) -> Decimal:
        return self.mrr.setdefault(id(charge), charge.mrr or Decimal(0))


def order_of(discounts: list[tuple[ChargeLine, list[ChargeLine], list[ChargeLine]]]) -> list[int]:
    """The sequence the discounts apply in (indexes into `discounts`)."""
    def key(index: int) -> tuple[int, int, int, int]:
        pricing = discounts[index][0].pricing
        assert pricing is not None
        return (0 if pricing.discount_class else 1, 0 if pricing.discount_percentage is not None else 1,
                LEVEL_ORDER.get(pricing.discount_level, 2), index)
    return sorted(range(len(discounts)), key=key)


def unknown_order(discounts: list[tuple[ChargeLine, list[ChargeLine], list[ChargeLine]]]) -> dict[int, str]:
    """Discounts whose place in the sequence depends on tenant settings, by index, with why: those
    sharing a charge with a discount of another class, or with another discount while stacked."""
    found: dict[int, str] = {}
    for index, (line, targets, _) in enumerate(discounts):
        pricing = line.pricing
        assert pricing is not None
        mine = {id(t) for t in targets}
        for other_index, (other, other_targets, _) in enumerate(discounts):
            theirs = other.pricing
            if other_index == index or theirs is None or not mine & {id(t) for t in other_targets}:
                continue
            if pricing.discount_class and theirs.discount_class and pricing.discount_class != theirs.discount_class:
                found[index] = (f"it shares a charge with discount {other.label} of another discount class "
                                f"({pricing.discount_class}, {theirs.discount_class}), and the tenant ranks the "
                                "classes")
            elif pricing.stacked or theirs.stacked:
                found[index] = (f"it shares a charge with discount {other.label} and one of them is stacked "
                                "(isStackedDiscount), which is not modelled offline")
    return found


def apply_all(discounts: list[tuple[ChargeLine, list[ChargeLine], list[ChargeLine]]]) -> None:
    """Price every (discount, its priced target charges, its unpriced target charges), in Zuora's order."""
    ledger = Ledger()
    undecided = unknown_order(discounts)
    for index in order_of(discounts):
        line, targets, unknown = discounts[index]
        if index in undecided:
            line.problem, line.items, line.term_items = undecided[index], [], []
            continue
        try:
            apply(line, targets, unknown, ledger)
        except NotComputable as problem:
            line.problem = str(problem)
            line.items, line.term_items = [], []
    charges = {id(t): t for _, targets, _ in discounts for t in targets}
    for key, charge in charges.items():
        if key in ledger.mrr:
            charge.net_mrr = money(ledger.mrr[key])
        if charge.tcv is not None:
            charge.net_tcv = money(sum((ledger.items.get(id(i), i.amount) for i in charge.term_items), Decimal(0)))


def _unique(items: list[Item]) -> list[Item]:
    seen: dict[int, Item] = {}
    for item in items:
        seen.setdefault(id(item), item)
    return list(seen.values())


def apply(line: ChargeLine, targets: list[ChargeLine], unknown: list[ChargeLine], ledger: Ledger) -> None:
    pricing = line.pricing
    assert pricing is not None
    if unknown:
        line.problem = f"it applies to charge(s) whose figures are unknown ({', '.join(t.label for t in unknown)})"
        return
    window_ids = {id(i) for t in targets for i in t.items}
    term_ids = {id(i) for t in targets for i in t.term_items}
    every = _unique([i for t in targets for i in t.items + t.term_items])
    made: dict[int, Item] = {}  # target item id -> the discount item covering it
    if pricing.discount_percentage is not None:
        rate = pricing.discount_percentage / 100
        mrr = Decimal(0)
        for target in targets:
            left = ledger.charge_mrr(target)
            cut = money(left * rate)
            ledger.mrr[id(target)] = left - cut
            mrr += cut
        line.mrr = -mrr
        for item in every:
            left = ledger.item(item)
            cut = money(left * rate)
            ledger.items[id(item)] = left - cut
            made[id(item)] = Item(line, item.start, item.last_day, item.bill_date, -cut, item.fraction,
                                  "Discount", item.charge, item.prorated)
    else:
        amount = pricing.discount_amount
        assert amount is not None
        shapes = {(t.period, t.bill_in_arrears) for t in targets if t.charge_type == "Recurring"}
        if len(shapes) > 1:
            raise NotComputable("a fixed-amount discount over charges with different billing periods is not "
                                "modelled offline")
        target_period = next(iter(shapes))[0] if shapes else None
        months = target_period.months if target_period else None
        line.mrr = -money(amount / months) if months else (
            -money(amount / target_period.count * WEEKS_PER_MONTH) if target_period else Decimal(0))
        by_period: dict[tuple[dt.date, dt.date], list[Item]] = {}
        for item in every:
            by_period.setdefault((item.start, item.last_day), []).append(item)
        for (start, last_day), group in by_period.items():
            left = sum((ledger.item(i) for i in group), Decimal(0))
            value = max(Decimal(0), min(money(amount * group[0].fraction), left))
            discount = Item(line, start, last_day, group[0].bill_date, -value, group[0].fraction, "Discount",
                            group[0].charge if len(group) == 1 else None, group[0].prorated)
            remaining = value
            for item in group:  # what is left to bill, item by item
                taken = min(remaining, ledger.item(item))
                ledger.items[id(item)] -= taken
                remaining -= taken
                made[id(item)] = discount
    line.unit_price = pricing.discount_percentage if pricing.discount_percentage is not None \
        else pricing.discount_amount
    line.start = min((t.start for t in targets if t.start), default=None)
    ends = [t.end for t in targets if t.end is not None]
    # A discount ends with the last of its charges; one open-ended charge leaves it open-ended.
    line.end = max(ends) if ends and len(ends) == len(targets) else None
    line.billing = f"{'percentage' if pricing.discount_percentage is not None else 'fixed amount'} discount on " + (
        ", ".join(t.label for t in targets) or "no charge in its scope")
    line.items = _unique([made[i] for i in (id(x) for x in every) if i in window_ids])
    known_term = all(t.tcv is not None for t in targets)
    line.term_items = _unique([made[i] for i in (id(x) for x in every) if i in term_ids]) if known_term else []
    line.tcv = money(sum((i.amount for i in line.term_items), Decimal(0))) if known_term else None
