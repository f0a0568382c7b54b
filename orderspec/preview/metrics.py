"""Charge metrics as Zuora's preview lists them: CMRR, TCV and TCB per charge, and the order's deltas.

CMRR is the monthly amount of a recurring charge (see schedule.monthly), after rounding to cents.
TCV and TCB are the sums of the charge's rounded service-period amounts over its term (the
preview bills each period as invoiced, so the two agree). A discount charge reports its (negative)
figures under `discount`, any other charge under `regular`. An order that creates the charges starts
from nothing, so each delta equals its figure.
"""

from __future__ import annotations

from decimal import Decimal

from orderspec.preview.charges import money

METRIC_NAMES = ("cmrr", "tcv", "tcb")


def regular_and_discount(amount: Decimal, is_discount: bool) -> dict[str, Decimal]:
    regular, discount = money(Decimal(0) if is_discount else amount), money(amount if is_discount else Decimal(0))
    return {"regular": regular, "regularDelta": regular, "discount": discount, "discountDelta": discount}


def charge_metrics(mrr: Decimal, tcv: Decimal | None, is_discount: bool) -> dict[str, dict[str, Decimal]]:
    """The cmrr/tcv/tcb blocks of one charge (tcv and tcb only for a charge with a known term)."""
    found = {"cmrr": regular_and_discount(mrr, is_discount)}
    if tcv is not None:
        found["tcv"] = regular_and_discount(tcv, is_discount)
        found["tcb"] = regular_and_discount(tcv, is_discount)
    return found
