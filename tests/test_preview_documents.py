"""Billing documents and charge metrics (orderspec.preview.documents, orderspec.preview.metrics)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from orderspec.preview.documents import invoices, target_date
from orderspec.preview.metrics import charge_metrics
from orderspec.preview.plan import ChargeLine, Item
from orderspec.preview.window import Window

D = Decimal


def item(bill_date: dt.date, amount: str) -> Item:
    line = ChargeLine("c", (), "c", "rp", None, "c")
    return Item(line, bill_date, bill_date, bill_date, D(amount))


def test_one_invoice_per_invoice_owner_through_the_preview_date() -> None:
    jan, feb = item(dt.date(2024, 1, 1), "10.00"), item(dt.date(2024, 2, 1), "5.00")
    other = item(dt.date(2024, 1, 1), "1.00")
    found = invoices([(None, jan), (None, feb), ("A2", other)], Window("SpecificDate", thru=dt.date(2024, 2, 15)),
                     [], dt.date(2024, 1, 1))
    assert [(i.owner, i.target_date, i.amount_without_tax) for i in found] == [
        (None, dt.date(2024, 2, 15), D("15.00")), ("A2", dt.date(2024, 2, 15), D("1.00"))]
    assert invoices([], Window("TermEnd"), [], dt.date(2024, 1, 1)) == []


def test_target_dates() -> None:
    bills = [item(dt.date(2024, 1, 1), "1"), item(dt.date(2024, 3, 1), "1")]
    assert target_date(Window("TermEnd"), bills, [dt.date(2025, 1, 1)], dt.date(2024, 1, 1)) == dt.date(2025, 1, 1)
    assert target_date(Window("NumberOfPeriods", periods=3), bills, [], dt.date(2024, 1, 1)) == dt.date(2024, 3, 1)
    assert target_date(Window("NumberOfPeriods", periods=3), [], [], dt.date(2024, 1, 1)) == dt.date(2024, 1, 1)


def test_charge_metrics_regular_and_discount() -> None:
    regular = charge_metrics(D("30"), D("360"), False)
    assert regular["cmrr"] == {"regular": D("30.00"), "regularDelta": D("30.00"), "discount": D("0.00"),
                               "discountDelta": D("0.00")}
    assert regular["tcv"] == regular["tcb"] and regular["tcv"]["regular"] == D("360.00")
    discount = charge_metrics(D("-3.033"), None, True)
    assert discount["cmrr"]["discount"] == D("-3.03") and "tcv" not in discount and "tcb" not in discount
