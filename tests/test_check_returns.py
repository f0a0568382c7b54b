"""Return order line items (R050, R051)."""

from __future__ import annotations

from pathlib import Path

from check_support import codes, found, lint, where

ORDER = ("orderspec: 1\noperation: create\nbody:\n  orderDate: 2024-01-01\n  existingAccountNumber: A1\n"
         "CATEGORY  orderLineItems:\n    - {itemName: Widget, itemCategory: Return, quantity: 1ORIGINAL}\n")
ORIGINAL = ", originalOrderNumber: O-000001, originalOrderLineItemNumber: '1'"


def test_return_line_item_names_what_it_returns(tmp_path: Path) -> None:
    text = ORDER.replace("CATEGORY", "  category: Return\n").replace("ORIGINAL", "")
    diagnostics = lint(tmp_path, text)
    assert found(diagnostics, "R050") == [where(tmp_path / "x.order.yaml", "Return, quantity")]
    assert codes(lint(tmp_path, ORDER.replace("CATEGORY", "  category: Return\n").replace("ORIGINAL", ORIGINAL))) == []


def test_return_line_items_in_a_sales_order(tmp_path: Path) -> None:
    path = tmp_path / "x.order.yaml"
    text = ORDER.replace("CATEGORY", "  category: NewSales\n").replace("ORIGINAL", ORIGINAL)
    diagnostics = lint(tmp_path, text)
    assert found(diagnostics, "R051") == [where(path, "NewSales")]
    assert [d.severity.value for d in diagnostics] == ["warning"]
    default = lint(tmp_path, ORDER.replace("CATEGORY", "").replace("ORIGINAL", ORIGINAL))
    assert codes(default) == ["R051"]
