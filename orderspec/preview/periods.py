"""Billing periods: how a recurring charge's time is cut into invoiceable service periods.

The rule implemented (see docs/preview.md):

* Month-based periods (Month, Quarter, Semi_Annual, Annual, Eighteen_Months, Two_Years,
  Three_Years, Five_Years, Specific_Months) start on the bill cycle day (BCD). A BCD past the end
  of a month means that month's last day (BCD 31 in February 2024 is the 29th). Each boundary is
  computed from the first one by adding whole months, so a BCD of 31 comes back after February.
* Weekly periods (Week, Specific_Weeks) start on the weekly bill cycle day.
* A charge that starts between two bill cycle days gets a partial first period up to the day
  before the next bill cycle day; then full periods follow. A charge that ends inside a period
  gets a partial last period.
* Proration by day ("Use actual number of days"): a partial slice of a monthly period is prorated
  over the actual days of its calendar month (Feb 1-14, 2024 is 14/29 whatever the bill cycle day);
  a slice spanning two calendar months adds each month's share. A partial slice of a longer period
  is prorated over the actual days of the bill-cycle-aligned period it belongs to (Jul 1-9, 2020 of
  the quarter Apr 10-Jul 9 is 9/91). `day_fraction` says which. Prorating by month first is
  `Slice.month_first_fraction`; the 30-day month settings are not modelled.
* Billing period alignment: periods are counted from the first bill cycle date on or after the
  charge's start (AlignToCharge) or an earlier date (the subscription or term start), so a charge
  that starts later gets a partial first period up to the aligned boundary.

Dates are `datetime.date`; a span is half-open [start, end): `end` is the first day NOT served,
the same convention as Zuora's effective end dates. Invoice items show the inclusive last day.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

# Billing period name -> months per period (month-based periods).
MONTHS_PER_PERIOD: dict[str, int] = {
    "Month": 1, "Quarter": 3, "Semi_Annual": 6, "Annual": 12, "Eighteen_Months": 18,
    "Two_Years": 24, "Three_Years": 36, "Five_Years": 60,
}
WEEKS_PER_PERIOD: dict[str, int] = {"Week": 1}
SUPPORTED_PERIODS = (*MONTHS_PER_PERIOD, "Specific_Months", "Week", "Specific_Weeks")

# Bounds the work one charge can cause: untrusted specs may ask for a preview through 9999-12-31.
MAX_PERIODS = 2000


class PeriodError(ValueError):
    """A billing schedule that cannot be computed offline; the message says why."""


@dataclass(frozen=True)
class BillingPeriod:
    unit: str  # "month" or "week"
    count: int  # months or weeks in one period
    name: str

    @property
    def months(self) -> int | None:
        return self.count if self.unit == "month" else None


def billing_period(name: str, specific: int | None = None) -> BillingPeriod:
    if name in MONTHS_PER_PERIOD:
        return BillingPeriod("month", MONTHS_PER_PERIOD[name], name)
    if name in WEEKS_PER_PERIOD:
        return BillingPeriod("week", WEEKS_PER_PERIOD[name], name)
    if name in ("Specific_Months", "Specific_Weeks"):
        if not isinstance(specific, int) or isinstance(specific, bool) or specific < 1:
            raise PeriodError(f"billing period {name} needs billing.specificBillingPeriod (a whole number >= 1)")
        return BillingPeriod("month" if name == "Specific_Months" else "week", specific, name)
    raise PeriodError(f"billing period {name} is not modelled offline")


def day_in_month(year: int, month: int, day: int) -> dt.date:
    """The given day of a month, or the month's last day when the month is shorter."""
    return dt.date(year, month, min(day, calendar.monthrange(year, month)[1]))


def add_months(start: dt.date, months: int, day: int | None = None) -> dt.date:
    """`start` moved by whole months, keeping `day` (default: start's day) where the month has it."""
    index = start.year * 12 + (start.month - 1) + months
    return day_in_month(index // 12, index % 12 + 1, day if day is not None else start.day)


def days(start: dt.date, end: dt.date) -> int:
    return (end - start).days


@dataclass(frozen=True)
class Slice:
    """One service period of a charge: [start, end) inside the whole billing period [full_start, full_end)."""

    start: dt.date
    end: dt.date
    full_start: dt.date
    full_end: dt.date

    @property
    def last_day(self) -> dt.date:
        return self.end - dt.timedelta(days=1)

    @property
    def is_partial(self) -> bool:
        return (self.start, self.end) != (self.full_start, self.full_end)

    @property
    def fraction(self) -> Decimal:
        """Share of the whole period's price this slice bills: actual days over actual days."""
        if not self.is_partial:
            return Decimal(1)
        return Decimal(days(self.start, self.end)) / Decimal(days(self.full_start, self.full_end))


    def month_first_fraction(self, months: int, day: int | None = None,
                             days_in_month: str = "UseActualDays") -> tuple[Decimal, str]:
        """Share of a `months`-month period's price this slice bills when whole months are counted
        first and only the rest is prorated by day over its month (actual days, or 30: see
        `days_in_month`). Returns the share and how it was counted."""
        whole = 0
        if self.start == self.full_start:  # a partial last period: whole months forward from its start
            anchor_day = day if day is not None else self.start.day
            while whole < months and add_months(self.start, whole + 1, anchor_day) <= self.end:
                whole += 1
            rest_start, rest_end = add_months(self.start, whole, anchor_day), self.end
            month_start, month_end = rest_start, add_months(self.start, whole + 1, anchor_day)
        else:  # a partial first period: whole months back from its end
            anchor_day = day if day is not None else self.end.day
            while whole < months and add_months(self.end, -(whole + 1), anchor_day) >= self.start:
                whole += 1
            rest_start, rest_end = self.start, add_months(self.end, -whole, anchor_day)
            month_start, month_end = add_months(self.end, -(whole + 1), anchor_day), rest_end
        rest, month = _rest_of_month(rest_start, rest_end, month_start, month_end, days_in_month)
        share = (Decimal(whole) + Decimal(rest) / Decimal(month)) / Decimal(months)
        how = " + ".join(part for part in (f"{whole} month(s)" if whole else "",
                                            f"{rest}/{month} days" if rest else "") if part)
        return share, f"{how} of {months} months"


DAYS_IN_MONTH = ("UseActualDays", "Assume30Days", "Assume30DaysStrict")


def is_last_day_of_month(day: dt.date) -> bool:
    return day.day == calendar.monthrange(day.year, day.month)[1]


def days_360(start: dt.date, end: dt.date) -> int:
    """The days of [start, end) counted as if every month had 30 ("Assume 30 days - Strict 30/360":
    a period ending on a month's last day ends on its 30th)."""
    if end <= start:
        return 0
    last = end - dt.timedelta(days=1)
    first_day = min(start.day, 30)
    last_day = 30 if is_last_day_of_month(last) else min(last.day, 30)
    return 360 * (last.year - start.year) + 30 * (last.month - start.month) + last_day - first_day + 1


def _rest_of_month(start: dt.date, end: dt.date, month_start: dt.date, month_end: dt.date,
                   days_in_month: str) -> tuple[int, int]:
    """The days of [start, end) and of the month they are prorated over, under a daysInMonth rule."""
    if days_in_month == "Assume30DaysStrict":
        return days_360(start, end), 30
    if days_in_month == "Assume30Days":
        return days(start, end), 30
    return days(start, end), days(month_start, month_end)


def calendar_month_fraction(start: dt.date, end: dt.date, days_in_month: str = "UseActualDays") -> tuple[Decimal, str]:
    """[start, end) as a share of a month: each calendar month's days over that month's days (actual
    days, or 30 under the Assume30Days rules)."""
    share, parts = Decimal(0), []
    cursor = start
    while cursor < end:
        month_days = calendar.monthrange(cursor.year, cursor.month)[1]
        month_end = dt.date(cursor.year, cursor.month, month_days) + dt.timedelta(days=1)
        part_end = min(end, month_end)
        part, of = _rest_of_month(cursor, part_end, dt.date(cursor.year, cursor.month, 1), month_end, days_in_month)
        share += Decimal(part) / Decimal(of)
        parts.append(f"{part}/{of} days")
        cursor = part_end
    return share, " + ".join(parts)


def day_fraction(piece: Slice, period: BillingPeriod, days_in_month: str = "UseActualDays") -> tuple[Decimal, str]:
    """The share of its period's price a slice bills when prorated by day, and how it was counted:
    a monthly period by its calendar month(s), a longer one over the days of its bill-cycle-aligned
    period (30 per month under the Assume30Days rules), a weekly one over 7 days a week."""
    if not piece.is_partial:
        return Decimal(1), ""
    if period.unit == "month" and period.count == 1:
        return calendar_month_fraction(piece.start, piece.end, days_in_month)
    if period.unit == "month" and days_in_month != "UseActualDays":
        strict = days_in_month == "Assume30DaysStrict"
        count = days_360(piece.start, piece.end) if strict else days(piece.start, piece.end)
        whole = 30 * period.count
        return Decimal(count) / Decimal(whole), f"{count}/{whole} days"
    return piece.fraction, f"{days(piece.start, piece.end)}/{days(piece.full_start, piece.full_end)} days"


def _boundary(period: BillingPeriod, anchor: dt.date, k: int, bcd: int) -> dt.date:
    """The k-th period boundary counted from `anchor` (k may be negative)."""
    try:
        if period.unit == "month":
            return add_months(anchor, k * period.count, bcd)
        return anchor + dt.timedelta(weeks=k * period.count)
    except (ValueError, OverflowError):
        raise PeriodError("a billing period falls outside the calendar (years 1..9999)") from None


def first_boundary(period: BillingPeriod, start: dt.date, bcd: int | str) -> dt.date:
    """The first bill cycle date on or after `start`."""
    if period.unit == "month":
        assert isinstance(bcd, int)
        candidate = day_in_month(start.year, start.month, bcd)
        return candidate if candidate >= start else add_months(candidate, 1, bcd)
    assert isinstance(bcd, str)
    ahead = (WEEKDAYS.index(bcd) - start.weekday()) % 7
    return start + dt.timedelta(days=ahead)


def slices(period: BillingPeriod, start: dt.date, end: dt.date | None, bcd: int | str,
           limit: int | None = None, until: dt.date | None = None, align: dt.date | None = None) -> list[Slice]:
    """Service periods of a charge served from `start` to `end` (exclusive; None: no end).

    Periods are counted from the first bill cycle date on or after `align` (default: `start`).
    Stops after `limit` slices, or at the first slice starting on/after `until`. Either `end`,
    `limit` or `until` must bound the schedule; at most MAX_PERIODS slices are produced.
    """
    if end is None and limit is None and until is None:
        raise PeriodError("the charge has no end and the preview has no limit")
    origin = align if align is not None and align < start else start
    try:
        anchor = first_boundary(period, origin, bcd)
    except (ValueError, OverflowError):
        raise PeriodError("the first bill cycle date falls outside the calendar") from None
    day = bcd if isinstance(bcd, int) else anchor.day
    result: list[Slice] = []
    k = 0 if anchor == start else -1
    if anchor < start:  # aligned to an earlier date: find the aligned period the charge starts in
        k = 0
        while _boundary(period, anchor, k + 1, day) <= start:
            k += 1
            if k > MAX_PERIODS * 10:
                raise PeriodError("the aligned billing periods start too long before the charge")
    cursor = start
    while (end is None or cursor < end) and (until is None or cursor < until):
        if limit is not None and len(result) >= limit:
            break
        if len(result) >= MAX_PERIODS:
            raise PeriodError(f"more than {MAX_PERIODS} billing periods; shorten the preview window")
        full_start = _boundary(period, anchor, k, day)
        full_end = _boundary(period, anchor, k + 1, day)
        slice_end = full_end if end is None else min(full_end, end)
        result.append(Slice(cursor, slice_end, full_start, full_end))
        cursor = slice_end
        k += 1
    return result


def term_end(start: dt.date, period: int, period_type: str) -> dt.date:
    """Exclusive end of a term of `period` units from `start`."""
    try:
        if period_type == "Month":
            return add_months(start, period)
        if period_type == "Year":
            return add_months(start, 12 * period)
        if period_type == "Week":
            return start + dt.timedelta(weeks=period)
        if period_type == "Day":
            return start + dt.timedelta(days=period)
    except (ValueError, OverflowError):
        raise PeriodError(f"{period} {period_type}(s) from {start} is outside the calendar") from None
    raise PeriodError(f"term period type {period_type} is not modelled offline")
