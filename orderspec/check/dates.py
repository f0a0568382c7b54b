"""Trigger dates of order actions: one date per name, in the order the subscription lifecycle runs."""

from __future__ import annotations

import datetime

from orderspec.check._common import Context, parse_date

# A subscription is signed, then its service starts, then the customer accepts it.
LIFECYCLE = ("ContractEffective", "ServiceActivation", "CustomerAcceptance")


def check(ctx: Context) -> None:
    # Shape checks inline, and a pointer made only for a report: this runs for each of a body's
    # ~100 trigger dates (tests/test_check_dates.py compares it with the plain form on generated actions).
    for action in ctx.actions:
        triggers = action.value.get("triggerDates")
        if not isinstance(triggers, list):
            continue
        seen: dict[str, int] = {}
        dates: dict[str, tuple[int, datetime.date]] = {}
        for index, entry in enumerate(triggers):
            if not isinstance(entry, dict):
                continue
            name = entry.get("name")
            if not isinstance(name, str):
                continue
            if name in seen:
                ctx.report(action.pointer + ("triggerDates", index, "name"), "R006",
                           f"trigger date `{name}` is given twice in this action (also item "
                           f"{seen[name] + 1}); give each trigger date once")
                continue
            seen[name] = index
            when = parse_date(entry.get("triggerDate"))
            if when is not None:
                dates[name] = (index, when)
        if len(dates) > 1:
            _lifecycle_order(ctx, action.pointer, dates)


def _lifecycle_order(ctx: Context, pointer: tuple, dates: dict[str, tuple[int, datetime.date]]) -> None:
    present = [name for name in LIFECYCLE if name in dates]
    for earlier, later in zip(present, present[1:]):
        (_, first), (index, second) = dates[earlier], dates[later]
        if second < first:
            ctx.report(pointer + ("triggerDates", index, "triggerDate"), "R007",
                       f"{later} ({second}) is before {earlier} ({first}); Zuora requires "
                       f"{' <= '.join(LIFECYCLE)}")
