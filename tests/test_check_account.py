"""The account (R001) and the order number (R002, R003)."""

from __future__ import annotations

from pathlib import Path

from check_support import CREATE, codes, found, lint, lint_paths, where, write

PREVIEW_OPTIONS = "  previewOptions: {previewThruType: TermEnd, previewTypes: [BillingDocs]}\n"


def test_two_accounts(tmp_path: Path) -> None:
    text = CREATE.replace("  existingAccountNumber: A00000101\n",
                          "  existingAccountNumber: A00000101\n  existingAccountId: 8ad0823f\n")
    diagnostics = lint(tmp_path, text)
    assert found(diagnostics, "R001") == [where(tmp_path / "x.order.yaml", "existingAccountId")]


def test_no_account(tmp_path: Path) -> None:
    diagnostics = lint(tmp_path, CREATE.replace("  existingAccountNumber: A00000101\n", ""))
    assert found(diagnostics, "R001") == [where(tmp_path / "x.order.yaml", "orderDate")]


def test_order_line_items_need_an_account_too(tmp_path: Path) -> None:
    text = ("orderspec: 1\noperation: create\nbody:\n  orderDate: 2024-01-01\n"
            "  orderLineItems:\n    - {itemName: Widget, itemType: Product, quantity: 1}\n")
    diagnostics = lint(tmp_path, text)
    assert codes(diagnostics) == ["R001"]
    assert "order line items need" in diagnostics[0].message
    assert codes(lint(tmp_path, text.replace("  orderLineItems:", "  existingAccountNumber: A1\n  orderLineItems:"))) == []


def test_new_account_alone_is_fine(tmp_path: Path) -> None:
    text = CREATE.replace("  existingAccountNumber: A00000101\n",
                          "  newAccount: {name: Acme, currency: USD, billCycleDay: 1,\n"
                          "               billToContact: {firstName: A, lastName: B}}\n")
    assert "R001" not in codes(lint(tmp_path, text))


def test_preview_account_choices(tmp_path: Path) -> None:
    preview = CREATE.replace("operation: create", "operation: preview").replace(
        "  subscriptions:", PREVIEW_OPTIONS.rstrip("\n") + "\n  subscriptions:")
    assert codes(lint(tmp_path, preview)) == []
    with_info = preview.replace("  existingAccountNumber: A00000101\n",
                                "  previewAccountInfo: {currency: USD, billCycleDay: 1}\n")
    assert "R001" not in codes(lint(tmp_path, with_info))
    both = preview.replace("  existingAccountNumber: A00000101\n",
                           "  existingAccountNumber: A00000101\n  previewAccountInfo: {currency: USD, billCycleDay: 1}\n")
    assert found(lint(tmp_path, both), "R001") == [where(tmp_path / "x.order.yaml", "previewAccountInfo")]


def test_order_number_characters(tmp_path: Path) -> None:
    for bad in ("O/1", "O#1", "O?1"):
        diagnostics = lint(tmp_path, CREATE.replace("O-2024-0001", bad))
        assert found(diagnostics, "R002") == [where(tmp_path / "x.order.yaml", bad)], bad
    assert codes(lint(tmp_path, CREATE)) == []


def test_order_number_unique_across_the_batch(tmp_path: Path) -> None:
    first = write(tmp_path, "a.order.yaml", CREATE)
    second = write(tmp_path, "b.order.yaml", CREATE)
    diagnostics = lint_paths([first, second])
    assert [(d.path, d.line, d.column, d.code) for d in diagnostics] == [
        (str(second), *where(second, "O-2024-0001"), "R003")]
    assert str(first) in diagnostics[0].message
    other = write(tmp_path, "b.order.yaml", CREATE.replace("O-2024-0001", "O-2024-0002"))
    assert lint_paths([first, other]) == []
