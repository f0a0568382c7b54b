"""How far a preview looks: `previewOptions.previewThruType` and its companions, or the command line."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Mapping

from orderspec.body import parse_date
from orderspec.preview.periods import MAX_PERIODS


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
            return Window(kind, periods=min(count, MAX_PERIODS))
        return "previewThruType NumberOfPeriods needs previewNumberOfPeriods (>= 1)"
    if kind == "TermEnd":
        return Window(kind)
    return f"previewThruType {kind!r} is not modelled offline"
