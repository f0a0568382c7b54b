"""Order action type and payload (R004); subscriptionNumber (R005)."""

from __future__ import annotations

from pathlib import Path

from check_support import CREATE, codes, found, lint, where

HEAD = "orderspec: 1\noperation: create\nbody:\n  orderDate: 2024-01-01\n  existingAccountNumber: A1\n"


def test_payload_of_another_type(tmp_path: Path) -> None:
    text = HEAD + ("  subscriptions:\n    - subscriptionNumber: S-1\n      orderActions:\n"
                   "        - type: AddProduct\n          removeProduct: {ratePlanId: 8ad0}\n")
    diagnostics = lint(tmp_path, text)
    path = tmp_path / "x.order.yaml"
    assert sorted(found(diagnostics, "R004")) == sorted([where(path, "removeProduct"), where(path, "AddProduct")])
    fixed = text.replace("removeProduct: {ratePlanId: 8ad0}", "addProduct: {productRatePlanId: 8ad0}")
    assert codes(lint(tmp_path, fixed)) == []


def test_missing_payload(tmp_path: Path) -> None:
    text = HEAD + ("  subscriptions:\n    - subscriptionNumber: S-1\n      orderActions:\n"
                   "        - type: Suspend\n")
    assert found(lint(tmp_path, text), "R004") == [where(tmp_path / "x.order.yaml", "Suspend")]


def test_renewal_may_omit_its_payload(tmp_path: Path) -> None:
    text = HEAD + ("  subscriptions:\n    - subscriptionNumber: S-1\n      orderActions:\n"
                   "        - type: RenewSubscription\n")
    assert codes(lint(tmp_path, text)) == []


def test_existing_subscription_needs_its_number(tmp_path: Path) -> None:
    text = HEAD + ("  subscriptions:\n    - orderActions:\n"
                   "        - {type: Suspend, suspend: {suspendPolicy: Today}}\n")
    diagnostics = lint(tmp_path, text)
    assert found(diagnostics, "R005") == [where(tmp_path / "x.order.yaml", "Suspend")]
    fixed = text.replace("    - orderActions:", "    - subscriptionNumber: S-1\n      orderActions:")
    assert codes(lint(tmp_path, fixed)) == []


def test_new_subscription_must_not_name_itself_on_the_subscription(tmp_path: Path) -> None:
    text = CREATE.replace("    - orderActions:", "    - subscriptionNumber: S-NEW\n      orderActions:")
    assert found(lint(tmp_path, text), "R005") == [where(tmp_path / "x.order.yaml", "S-NEW")]
    assert codes(lint(tmp_path, CREATE)) == []


def test_actions_after_create_subscription_change_the_new_subscription(tmp_path: Path) -> None:
    text = CREATE + ("        - type: AddProduct\n"
                     "          addProduct: {productRatePlanId: 8ad0}\n")
    assert codes(lint(tmp_path, text)) == []
