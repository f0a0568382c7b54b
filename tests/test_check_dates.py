"""Trigger dates: unique names (R006), lifecycle order (R007)."""

from __future__ import annotations

from pathlib import Path

from check_support import CREATE, codes, found, lint, where

CE = "            - {name: ContractEffective, triggerDate: 2024-01-01}\n"


def test_duplicate_trigger_date(tmp_path: Path) -> None:
    text = CREATE.replace(CE, CE + "            - {name: ContractEffective, triggerDate: 2024-02-01}\n")
    assert found(lint(tmp_path, text), "R006") == [where(tmp_path / "x.order.yaml", "ContractEffective", 2)]


def test_lifecycle_order(tmp_path: Path) -> None:
    text = CREATE.replace(CE, CE + "            - {name: ServiceActivation, triggerDate: 2023-12-01}\n")
    diagnostics = lint(tmp_path, text)
    assert found(diagnostics, "R007") == [where(tmp_path / "x.order.yaml", "2023-12-01")]
    assert [d.severity.value for d in diagnostics] == ["warning"]
    fine = CREATE.replace(CE, CE + "            - {name: ServiceActivation, triggerDate: 2024-01-15}\n"
                          "            - {name: CustomerAcceptance, triggerDate: 2024-02-01}\n")
    assert codes(lint(tmp_path, fine)) == []
