"""Trigger dates of order actions: one date per name, in the order the subscription lifecycle runs."""

from __future__ import annotations

import datetime

from orderspec.check._common import Context, as_dict, as_list, parse_date, text

# A subscription is signed, then its service starts, then the customer accepts it.
LIFECYCLE = ("ContractEffective", "ServiceActivation", "CustomerAcceptance")


def check(ctx: Context) -> None:
    for action in ctx.actions:
        seen: dict[str, int] = {}
        dates: dict[str, tuple[int, datetime.date]] = {}
        for index, entry in enumerate(as_list(action.value.get("triggerDates"))):
            name = text(as_dict(entry).get("name"))
            if name is None:
                continue
            pointer = action.pointer + ("triggerDates", index)
            if name in seen:
                ctx.report(pointer + ("name",), "R006",
                           f"trigger date `{name}` is given twice in this action (also item "
                           f"{seen[name] + 1}); give each trigger date once")
                continue
            seen[name] = index
            when = parse_date(as_dict(entry).get("triggerDate"))
            if when is not None:
                dates[name] = (index, when)
        _lifecycle_order(ctx, action.pointer, dates)


def _lifecycle_order(ctx: Context, pointer: tuple, dates: dict[str, tuple[int, datetime.date]]) -> None:
    present = [name for name in LIFECYCLE if name in dates]
    for earlier, later in zip(present, present[1:]):
        (_, first), (index, second) = dates[earlier], dates[later]
        if second < first:
            ctx.report(pointer + ("triggerDates", index, "triggerDate"), "R007",
                       f"{later} ({second}) is before {earlier} ({first}); Zuora requires "
                       f"{' <= '.join(LIFECYCLE)}")
