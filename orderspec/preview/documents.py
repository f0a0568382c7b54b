"""Grouping invoice items into billing documents, as Zuora does in a preview.

A preview bills everything up to its preview-through date in one bill run, so Zuora returns one
invoice per invoice owner account (the published pairs show one invoice holding every service
period, e.g. four quarters in one invoice with targetDate 2026-01-01). Its `targetDate` is the date
the preview bills through: `specificPreviewThruDate`; for TermEnd the end of the term (Zuora's
exclusive term end date); for NumberOfPeriods the last bill date of the items (the published
one-period monthly preview of 2025-01-01 has targetDate 2025-01-01).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from orderspec.preview.plan import Item
from orderspec.preview.window import Window


@dataclass
class Invoice:
    owner: str | None  # the invoice owner account, when the order names one
    target_date: dt.date
    items: list[Item] = field(default_factory=list)

    @property
    def amount_without_tax(self) -> Decimal:
        return sum((i.amount for i in self.items), Decimal(0))


def target_date(window: Window, items: list[Item], term_ends: list[dt.date], fallback: dt.date) -> dt.date:
    if window.kind == "SpecificDate" and window.thru is not None:
        return window.thru
    if window.kind == "TermEnd" and term_ends:
        return max(term_ends)
    return max((i.bill_date for i in items), default=fallback)


def invoices(owned_items: list[tuple[str | None, Item]], window: Window, term_ends: list[dt.date],
             fallback: dt.date) -> list[Invoice]:
    """One invoice per invoice owner holding its items (in order), none when nothing is billed."""
    by_owner: dict[str | None, list[Item]] = {}
    for owner, item in owned_items:
        by_owner.setdefault(owner, []).append(item)
    every = [item for _, item in owned_items]
    when = target_date(window, every, term_ends, fallback)
    return [Invoice(owner, when, items) for owner, items in by_owner.items()]
