"""Subscription terms: TERMED terms have a length, EVERGREEN terms have none and never renew."""

from __future__ import annotations

from typing import Any

from orderspec.check._common import Context, as_dict, as_list
from orderspec.diagnostics import Pointer


def check(ctx: Context) -> None:
    for action in ctx.actions:
        create = as_dict(action.value.get("createSubscription"))
        terms = create.get("terms")
        if isinstance(terms, dict):
            here = action.pointer + ("createSubscription", "terms")
            initial = as_dict(terms.get("initialTerm"))
            _term(ctx, here + ("initialTerm",), initial, end_date_allowed=False)
            _renewal(ctx, here, terms, initial.get("termType"))
        changes = action.value.get("termsAndConditions")
        if isinstance(changes, dict):
            here = action.pointer + ("termsAndConditions",)
            last = as_dict(changes.get("lastTerm"))
            # An existing term can be reshaped by its end date instead of a new length.
            _term(ctx, here + ("lastTerm",), last, end_date_allowed=True)
            _renewal(ctx, here, changes, last.get("termType"))


def _term(ctx: Context, here: Pointer, term: dict[str, Any], *, end_date_allowed: bool) -> None:
    kind = term.get("termType")
    if kind == "TERMED":
        if end_date_allowed and term.get("endDate") is not None:
            return
        missing = [name for name in ("period", "periodType") if term.get(name) is None]
        if missing:
            also = " (or `endDate`)" if end_date_allowed else ""
            ctx.report(here + ("termType",), "R020",
                       f"a TERMED term needs {' and '.join(f'`{m}`' for m in missing)}{also}")
    elif kind == "EVERGREEN":
        for name in ("period", "periodType", "endDate"):
            if term.get(name) is not None:
                ctx.report(here + (name,), "R021",
                           f"an EVERGREEN term has no length: remove `{name}` or make it TERMED", key=True)


def _renewal(ctx: Context, here: Pointer, block: dict[str, Any], term_type: Any) -> None:
    if term_type == "EVERGREEN" and as_list(block.get("renewalTerms")):
        ctx.report(here + ("renewalTerms",), "R022",
                   "`renewalTerms` apply only to a TERMED term; an EVERGREEN subscription never renews",
                   key=True)
