"""Billing a charge segment: its service periods, what each bills (proration), and when.

`recurring` cuts a recurring charge's segment into service periods (periods.slices), rates one
full period (charges.Pricing) and prorates partial ones; `one_time` bills a one-time charge once
on its start date. Each fills the ChargeLine's items in the preview window and over the term (TCV).

Proration (the charge's `prorationOption` and `ratingPropertiesOverride`, else the tenant's
default "prorate by day, actual days"): see periods.day_fraction and Slice.month_first_fraction.
A renewing subscription (autoRenew) carries a charge that ends with the term into the renewal
terms (bill runs renew auto-renew subscriptions that are up for renewal, by default), so a preview
bills a period straddling the term end whole, and the periods after it at the same price; TCV
stays the term's.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Callable, Mapping

from orderspec.body import as_dict
from orderspec.preview import periods as P
from orderspec.preview.charges import NotComputable, Pricing, money
from orderspec.preview.plan import ChargeLine, Item
from orderspec.preview.timeline import Segment, Term
from orderspec.preview.window import Window

WEEKS_PER_MONTH = Decimal(52) / Decimal(12)
ALIGNMENTS = ("AlignToCharge", "AlignToSubscriptionStart", "AlignToTermStart")


@dataclass(frozen=True)
class Billing:
    """How a recurring charge bills: its period, bill cycle day, timing and period alignment."""

    period: P.BillingPeriod
    bcd: int | str
    in_arrears: bool
    align: dt.date | None  # periods counted from the first bill cycle date on/after this date


def billing_fields(charge: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in as_dict(charge.get("billing")).items() if v is not None}


def billing_period_of(charge: Mapping[str, Any]) -> P.BillingPeriod:
    billing = billing_fields(charge)
    if "billingPeriod" not in billing:
        raise NotComputable("no billing period: set billing.billingPeriod or give a catalog with it")
    return P.billing_period(str(billing["billingPeriod"]), billing.get("specificBillingPeriod"))


def alignment_date(charge: Mapping[str, Any], term: Term | None) -> dt.date | None:
    """The date billing periods are counted from (billingPeriodAlignment), None: the charge's start.
    The order creates the subscriptions it knows, so their start is their first term's start."""
    alignment = str(billing_fields(charge).get("billingPeriodAlignment") or "AlignToCharge")
    if alignment not in ALIGNMENTS:
        raise NotComputable(f"billingPeriodAlignment {alignment} is not modelled offline")
    if alignment == "AlignToCharge":
        return None
    anchor = term.start if term else None
    if anchor is None:
        raise NotComputable(f"billingPeriodAlignment {alignment}: the subscription's start date is unknown")
    return anchor


def period_amount(pricing: Pricing, period: P.BillingPeriod) -> Decimal:
    """What one full billing period costs, from the list price and its base."""
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


def monthly(amount: Decimal, period: P.BillingPeriod) -> Decimal:
    """A period's amount as a monthly figure (MRR)."""
    if period.months:
        return amount / period.months
    return amount / period.count * WEEKS_PER_MONTH


PRORATION_OPTIONS = ("NoProration", "ChargeFullPeriod", "TimeBasedProration", "DefaultFromTenantSetting",
                     "CustomizeProrationOptionOverrides")


def proration_of(charge: Mapping[str, Any]) -> tuple[bool, str | None, str]:
    """How the charge's partial periods are prorated: (bill them whole?, prorationUnit or None for the
    tenant's unknown choice, daysInMonth). From `prorationOption` and `ratingPropertiesOverride`;
    without them, the tenant default this preview assumes: by day, actual days."""
    option = charge.get("prorationOption")
    if option is not None and option not in PRORATION_OPTIONS:
        raise NotComputable(f"prorationOption {option} is not modelled offline")
    rating = as_dict(charge.get("ratingPropertiesOverride"))
    days_in_month = str(rating.get("daysInMonth") or "UseActualDays")
    if days_in_month not in P.DAYS_IN_MONTH:
        raise NotComputable(f"ratingPropertiesOverride.daysInMonth {days_in_month} is not modelled offline")
    unit = rating.get("prorationUnit")
    if unit not in (None, "ProrateByDay", "ProrateByMonthFirst"):
        raise NotComputable(f"ratingPropertiesOverride.prorationUnit {unit} is not modelled offline")
    if rating.get("isProratePartialMonth") is False:
        raise NotComputable("ratingPropertiesOverride.isProratePartialMonth false (partial months not billed "
                            "as prorated) is not modelled offline")
    return option in ("ChargeFullPeriod", "NoProration"), unit, days_in_month


def one_time(line: ChargeLine, window: Window) -> None:
    assert line.pricing is not None and line.start is not None
    amount = money(line.pricing.base_amount())
    line.unit_price = line.pricing.list_price
    line.mrr, line.tcv = Decimal(0), amount
    item = Item(line, line.start, line.start, line.start, amount)
    line.term_items = [item]
    in_window = window.kind != "SpecificDate" or (window.thru is not None and line.start <= window.thru)
    line.items = [item] if in_window else []


def recurring(line: ChargeLine, segment: Segment, billing: Billing, window: Window,
              on_tenant_dependent: Callable[[str], None]) -> None:
    """Fill `line` (priced as `line.pricing`, starting on segment.start) with its items and figures."""
    assert line.pricing is not None
    charge = line.effective
    period = billing.period
    full_period, unit, days_in_month = proration_of(charge)
    line.period, line.bill_in_arrears, line.end = period, billing.in_arrears, segment.end
    per_period = period_amount(line.pricing, period)
    line.unit_price = line.pricing.list_price
    line.mrr = money(monthly(per_period, period))
    line.billing = (f"{period.name}{' x' + str(period.count) if period.name.startswith('Specific') else ''}, "
                    f"bill cycle day {billing.bcd}, {'in arrears' if billing.in_arrears else 'in advance'}")
    month_day = billing.bcd if isinstance(billing.bcd, int) else None
    tenant_dependent: list[str] = []

    def item(s: P.Slice) -> Item:
        bill_date = s.end if billing.in_arrears else s.start
        if full_period or not s.is_partial:
            return Item(line, s.start, s.last_day, bill_date, money(per_period))
        share, by_day = P.day_fraction(s, period, days_in_month)
        if period.months and period.months > 1:
            first, how = s.month_first_fraction(period.months, month_day, days_in_month)
            if unit == "ProrateByMonthFirst":
                return Item(line, s.start, s.last_day, bill_date, money(per_period * first), first, prorated=how)
            if unit is None and money(per_period * first) != money(per_period * share):
                tenant_dependent.append(f"{s.start}..{s.last_day}: {money(per_period * share)} by day "
                                        f"({by_day}), {money(per_period * first)} by month first ({how})")
        return Item(line, s.start, s.last_day, bill_date, money(per_period * share), share, prorated=by_day)

    def spans(end: dt.date | None, limit: int | None = None, until: dt.date | None = None) -> list[P.Slice]:
        return P.slices(period, segment.start, end, billing.bcd, limit=limit, until=until, align=billing.align)

    if segment.end is not None:
        line.term_items = [item(s) for s in spans(segment.end)]
        line.tcv = money(sum((i.amount for i in line.term_items), Decimal(0)))
    renews = segment.ends_with_term and segment.term is not None and segment.term.auto_renew
    window_end = None if renews else segment.end
    if window.kind == "TermEnd":
        if segment.end is None:
            raise NotComputable("the charge has no known end date (an evergreen term, or an existing "
                                "subscription's term that the order does not hold), so a preview to the term "
                                "end has no end; preview a number of periods or through a date")
        line.items = list(line.term_items)
    elif window.kind == "NumberOfPeriods":
        line.items = [item(s) for s in spans(window_end, limit=window.periods)]
    else:
        assert window.thru is not None
        thru = window.thru
        until = None if thru == dt.date.max else thru + dt.timedelta(days=1)
        if until is None and window_end is None:
            raise NotComputable("a preview through the last day of the calendar has no end")
        line.items = [i for i in (item(s) for s in spans(window_end, until=until)) if i.bill_date <= thru]
    if renews and segment.end is not None and any(i.last_day >= segment.end for i in line.items):
        uplift = [block.get("priceChangeOption") for block in as_dict(line.effective.get("pricing")).values()
                  if isinstance(block, Mapping)]
        if any(option not in (None, "NoChange") for option in uplift):
            raise NotComputable("the preview bills the renewed term, and the charge's price changes at renewal "
                                "(priceChangeOption), which is not modelled offline")
    details = list(dict.fromkeys(tenant_dependent))
    if details:
        more = f"; {len(details) - 1} more partial period(s) like it" if len(details) > 1 else ""
        on_tenant_dependent(f"charge {line.label}: a partial {period.name} period is prorated by day here; tenants "
                            f"that prorate periods longer than a month by month first bill another amount "
                            f"({details[0]}{more}); set ratingPropertiesOverride.prorationUnit to say which")
