"""Charge metrics as Zuora's preview lists them: CMRR, TCV and TCB per charge, and the order's deltas.

CMRR is the monthly amount of a recurring charge (see schedule.monthly), after rounding to cents.
TCV and TCB are the sums of the charge's rounded service-period amounts over its term (the
preview bills each period as invoiced, so the two agree). A discount charge reports its (negative)
figures under `discount`, any other charge under `regular`. An order that creates the charges starts
from nothing, so each delta equals its figure; for a charge the subscription already has, the figure
is the charge as the order leaves it and the delta the change from its snapshot (amend.py).
"""

from __future__ import annotations

from decimal import Decimal

from orderspec.preview.charges import money

METRIC_NAMES = ("cmrr", "tcv", "tcb")


def regular_and_discount(amount: Decimal, is_discount: bool, before: Decimal | None = None) -> dict[str, Decimal]:
    zero = Decimal(0)
    regular, discount = money(zero if is_discount else amount), money(amount if is_discount else zero)
    was = before or zero
    regular_was, discount_was = money(zero if is_discount else was), money(was if is_discount else zero)
    return {"regular": regular, "regularDelta": regular - regular_was,
            "discount": discount, "discountDelta": discount - discount_was}


def charge_metrics(mrr: Decimal, tcv: Decimal | None, is_discount: bool, mrr_before: Decimal | None = None,
                   tcv_before: Decimal | None = None) -> dict[str, dict[str, Decimal]]:
    """The cmrr/tcv/tcb blocks of one charge (tcv and tcb only for a charge with a known term);
    `mrr_before`, `tcv_before`: an existing charge's figures before the order."""
    found = {"cmrr": regular_and_discount(mrr, is_discount, mrr_before)}
    if tcv is not None:
        found["tcv"] = regular_and_discount(tcv, is_discount, tcv_before)
        found["tcb"] = regular_and_discount(tcv, is_discount, tcv_before)
    return found
