"""Billing an existing charge as an order leaves it: credits for what was billed beyond its new end,
and its segments from where billing stands.

What was billed is known from the snapshot: the charge's periods from its effective start up to its
`chargedThroughDate`, at its snapshot price. After the order the charge is a list of segments
(`segments.Piece`); the first may be the snapshot's own segment, cut short, and the others are new
(a new price, a resumption). Then:

* **credit** — each billed period reaching past where the kept segment now ends is credited by what
  was billed for it minus what the kept part would have been charged, each amount rounded (docs
  "Credit amount calculation with partial period proration": charged amount = price × prorated days
  ÷ days of the period, credit = billed − charged). The credit covers the effective date to the end
  of that period and is billed on the effective date.
* **kept segment** — billed from its charged-through date on, in the preview window (periods before
  it are not billed again).
* **new segments** — billed from their start, each period rounded on its own, as any charge: a
  change inside a billed period is a credit of the old price and a charge of the new one.

Periods keep the charge's bill cycle day and are counted from its effective start, so a segment
starting mid-period is prorated to the end of that period.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Callable, Mapping

from orderspec.preview import billcycle, schedule
from orderspec.preview.charges import NotComputable, money, pricing_of
from orderspec.preview.plan import ChargeLine, Item
from orderspec.preview.timeline import Segment, Term
from orderspec.preview.window import Window

if TYPE_CHECKING:
    from orderspec.preview.segments import Piece, Tracked

WHOLE_TERM = Window("TermEnd")


def _run(line: ChargeLine, effective: Mapping[str, Any], start: dt.date, end: dt.date | None, term: Term | None,
         with_term: bool, billing: schedule.Billing, window: Window, note: Callable[[str], None]) -> ChargeLine:
    """One segment billed as schedule bills any: a scratch line whose items are then the charge's."""
    scratch = ChargeLine(line.label, line.pointer, line.charge_id, line.rate_plan_id, line.charge_number, line.name,
                         effective=effective, pricing=pricing_of(effective))
    scratch.start = start
    schedule.recurring(scratch, Segment(start, end, term, ends_with_term=with_term), billing, window, note)
    return scratch


def _owned(items: list[Item], line: ChargeLine, scratch: ChargeLine) -> list[Item]:
    return [Item(line, i.start, i.last_day, i.bill_date, i.amount, i.fraction, i.processing_type, None, i.prorated,
                 scratch.pricing) for i in items]


def _end(piece: Piece, term: Term | None) -> dt.date | None:
    return (term.end if term else None) if piece.with_term else piece.end


def _in_window(item: Item, window: Window) -> bool:
    return window.kind != "SpecificDate" or (window.thru is not None and item.bill_date <= window.thru)


def bill_existing(tracked: Tracked, term: Term | None, original_term: Term | None,
                  account: billcycle.AccountBillCycle, window: Window, note: Callable[[str], None]) -> None:
    line, charge = tracked.line, tracked.charge
    original, start0, billed_to = charge.effective, charge.start, charge.charged_through
    assert start0 is not None
    pricing = pricing_of(original)
    if pricing.is_discount:
        raise NotComputable("discount charges of an existing subscription are not modelled offline")
    line.pricing = pricing_of(tracked.last_effective())
    line.start = tracked.pieces[0].start if tracked.pieces else start0
    if pricing.charge_type == "OneTime":
        _one_time(tracked, window)
        return
    fields = schedule.billing_fields(original)
    period = schedule.billing_period_of(original)
    bcd = billcycle.bill_cycle_day(fields, period, start0, original_term, account, None)
    align = schedule.alignment_date(original, original_term) or start0
    billing = schedule.Billing(period, bcd, fields.get("billingTiming") == "IN_ARREARS", align)

    def run(effective: Mapping[str, Any], start: dt.date, end: dt.date | None, with_term: bool,
            chosen: Window = WHOLE_TERM, on_term: Term | None = term) -> ChargeLine:
        return _run(line, effective, start, end, on_term, with_term, billing, chosen, note)

    pieces = list(tracked.pieces)
    kept = pieces.pop(0) if pieces and pieces[0].start == start0 and pieces[0].effective is original else None
    kept_end = _end(kept, term) if kept else start0
    items: list[Item] = []
    if billed_to is not None and billed_to > start0 and kept_end is not None and kept_end < billed_to:
        billed = run(original, start0, billed_to, False)
        charged = {i.start: i.amount for i in run(original, start0, kept_end, False).term_items} \
            if kept_end > start0 else {}
        for was in billed.term_items:
            if was.last_day < kept_end:
                continue
            credit = was.amount - charged.get(was.start, Decimal(0))
            if credit:
                how = "in full" if was.start >= kept_end else f"{was.amount} billed - {charged.get(was.start)} kept"
                items.append(Item(line, max(was.start, kept_end), was.last_day, kept_end, -credit, pricing=billed.pricing,
                                  credit=True, prorated=f"credit: {how}"))
        items = [i for i in items if _in_window(i, window)]
    last = None
    if kept is not None:
        start = max(start0, billed_to) if billed_to else start0
        if kept_end is None or start < kept_end:
            last = run(original, start, kept_end, kept.with_term, window)
            items += _owned(last.items, line, last)
    for piece in pieces:
        last = run(piece.effective, piece.start, _end(piece, term), piece.with_term, window)
        items += _owned(last.items, line, last)
    line.items = items
    if last is not None:
        line.billing, line.period, line.bill_in_arrears = last.billing, last.period, last.bill_in_arrears
        line.unit_price = last.unit_price
    line.end = _end(tracked.pieces[-1], term) if tracked.pieces else start0
    line.ended, line.suspended = tracked.ended, tracked.suspended_at is not None
    # Metrics: the charge as the order leaves it, and as it was (the change is the difference).
    per_month = money(schedule.monthly(schedule.period_amount(pricing, period), period))
    line.mrr_before = per_month
    line.mrr = Decimal(0) if tracked.ended or not tracked.pieces else \
        money(schedule.monthly(schedule.period_amount(line.pricing, period), period))
    snapshot_end = _end_of_snapshot(tracked, original_term)
    line.tcv_before = None if snapshot_end is None else \
        _total(run(original, start0, snapshot_end, tracked.charge.ends_with_term, on_term=original_term))
    after: list[Decimal | None] = []
    for piece in tracked.pieces:
        end = _end(piece, term)
        after.append(_total(run(piece.effective, piece.start, end, piece.with_term)) if end else None)
    line.tcv = None if any(a is None for a in after) or line.tcv_before is None \
        else sum((a for a in after if a is not None), Decimal(0))


def _end_of_snapshot(tracked: Tracked, original_term: Term | None) -> dt.date | None:
    return (original_term.end if original_term else None) if tracked.charge.ends_with_term else tracked.charge.end


def _total(scratch: ChargeLine) -> Decimal | None:
    return None if scratch.end is None else money(sum((i.amount for i in scratch.term_items), Decimal(0)))


def _one_time(tracked: Tracked, window: Window) -> None:
    """A one-time charge bills once on its start date: again only if it was not billed yet and the
    order leaves it in place (a billed one-time charge is not credited: assumed, the docs say nothing)."""
    line, charge = tracked.line, tracked.charge
    assert line.pricing is not None
    line.mrr = line.mrr_before = Decimal(0)
    amount = money(line.pricing.base_amount())
    line.tcv_before = amount
    line.tcv = amount if tracked.pieces else Decimal(0)
    line.ended, line.suspended = tracked.ended, tracked.suspended_at is not None
    if charge.charged_through is None and tracked.pieces and charge.start is not None:
        schedule.one_time(line, window)
