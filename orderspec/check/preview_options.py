"""previewOptions of a preview: how far to preview, and what."""

from __future__ import annotations

from typing import Any, Iterator

from orderspec.check._common import Context, as_dict, as_list, parse_date, subscriptions, text


def check(ctx: Context) -> None:
    if not ctx.endpoint.is_preview:
        return
    options = ctx.body.get("previewOptions")
    if not isinstance(options, dict):
        return
    here = ("previewOptions",)
    thru = text(options.get("previewThruType"))
    if thru == "SpecificDate":
        if "specificPreviewThruDate" not in options:
            ctx.report(here + ("previewThruType",), "R010",
                       "`previewThruType: SpecificDate` needs `specificPreviewThruDate`")
        else:
            until = parse_date(options.get("specificPreviewThruDate"))
            ordered = parse_date(ctx.body.get("orderDate"))
            if until is not None and ordered is not None and until < ordered:
                ctx.report(here + ("specificPreviewThruDate",), "R010",
                           f"`specificPreviewThruDate` ({until}) is before the order date ({ordered}); "
                           "the preview would end before the order starts")
    if thru == "NumberOfPeriods" and "previewNumberOfPeriods" not in options:
        ctx.report(here + ("previewThruType",), "R011",
                   "`previewThruType: NumberOfPeriods` needs `previewNumberOfPeriods` (1 or more)")
    if thru == "TermEnd":
        for index, _ in _evergreen_subscriptions(ctx):
            ctx.report(here + ("previewThruType",), "R012",
                       f"`previewThruType: TermEnd` cannot preview subscriptions[{index}], which is "
                       "EVERGREEN (it has no term end); use SpecificDate or NumberOfPeriods")
            break
    if "previewTypes" in options and isinstance(options["previewTypes"], list):
        kinds = options["previewTypes"]
        if not kinds:
            ctx.report(here + ("previewTypes",), "R013",
                       "`previewTypes` is empty: name what to preview (e.g. [BillingDocs])")
        seen: set[object] = set()
        for index, kind in enumerate(kinds):
            if isinstance(kind, str) and kind in seen:
                ctx.report(here + ("previewTypes", index), "R013", f"`{kind}` is listed twice in `previewTypes`")
            seen.add(kind if isinstance(kind, str) else object())


def _evergreen_subscriptions(ctx: Context) -> Iterator[tuple[int, dict[str, Any]]]:
    for index, subscription in subscriptions(ctx.body):
        for action in as_list(subscription.get("orderActions")):
            action = as_dict(action)
            terms = as_dict(as_dict(action.get("createSubscription")).get("terms"))
            last = as_dict(as_dict(action.get("termsAndConditions")).get("lastTerm"))
            for term in (as_dict(terms.get("initialTerm")), last):
                if term.get("termType") == "EVERGREEN":
                    yield index, term
