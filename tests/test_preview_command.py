"""`orderspec preview` offline: exit statuses, the incomplete marker, the configured accounts, and
the emulator answering with the same engine and bill cycle day rules."""

from __future__ import annotations

import json
import textwrap
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from orderspec.cli import cli
from orderspec.config import ConfigError, from_table
from orderspec.gate import EXIT_CLEAN, EXIT_INCOMPLETE

D = Decimal

# A monthly 30.00 charge billed on the customer account's bill cycle day, starting March 1, 2024.
SPEC = textwrap.dedent("""\
    orderspec: 1
    operation: preview
    body:
      orderDate: 2024-03-01
      existingAccountNumber: A0001
      previewOptions: {previewThruType: SpecificDate, specificPreviewThruDate: 2024-03-31, skipTax: true}
      subscriptions:
        - orderActions:
            - type: CreateSubscription
              triggerDates:
                - {name: ContractEffective, triggerDate: 2024-03-01}
                - {name: ServiceActivation, triggerDate: 2024-03-01}
                - {name: CustomerAcceptance, triggerDate: 2024-03-01}
              createSubscription:
                terms: {initialTerm: {period: 12, periodType: Month, termType: TERMED, startDate: 2024-03-01}}
                subscribeToRatePlans:
                  - productRatePlanId: rp1
                    chargeOverrides:
                      - productRatePlanChargeId: c1
                        billing: {billingPeriod: Month, billCycleType: DefaultFromCustomer}
                        pricing: {recurringFlatFee: {listPrice: 30.00}}
                      - productRatePlanChargeId: c2
                        pricing: {oneTimeFlatFee: {listPrice: 5.00}}
    """)


def write_spec(folder: Path) -> Path:
    path = folder / "bcd.order.yaml"
    path.write_text(SPEC, encoding="utf-8")
    return path


def run(*args: Any) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_an_unpriced_preview_is_incomplete_not_a_success(tmp_path: Path) -> None:
    spec = write_spec(tmp_path)
    status, out, err = run("preview", spec)
    assert status == EXIT_INCOMPLETE == 3
    # Said first, with the charge and why; what could be priced (the one-time 5.00) is still shown.
    assert out.startswith("INCOMPLETE: 1 part(s)")
    assert "charge c1" in out.splitlines()[1] and "account A0001" in out.splitlines()[1]
    assert "P001" in err and "5.00" in out
    status, out, _ = run("preview", "--json", spec)
    preview = json.loads(out, parse_float=Decimal)[0]
    assert status == 3 and preview["incomplete"] is True
    assert preview["unpriced"] == [{
        "pointer": "/subscriptions/0/orderActions/0/createSubscription/subscribeToRatePlans/0/chargeOverrides/0",
        "subject": "charge c1",
        "reason": preview["unpriced"][0]["reason"]}]
    invoice_items = preview["response"]["previewResult"]["invoices"][0]["invoiceItems"]
    assert [i["amountWithoutTax"] for i in invoice_items] == [D("5.00")]


def test_the_bill_cycle_day_option_completes_it(tmp_path: Path) -> None:
    spec = write_spec(tmp_path)
    status, out, _ = run("preview", "--json", "--bill-cycle-day", "15", spec)
    preview = json.loads(out, parse_float=Decimal)[0]
    assert status == EXIT_CLEAN and preview["incomplete"] is False and preview["unpriced"] == []
    invoice = preview["response"]["previewResult"]["invoices"][0]
    # BCD 15 from March 1: March 1-14 is 14 of March's 31 days: 30.00 * 14/31 = 13.548 -> 13.55 (not the
    # 14/29 of the Feb 15 - Mar 14 period: 14.48); then Mar 15 - Apr 14 in full; and the one-time 5.00.
    assert [(i["serviceStartDate"], i["amountWithoutTax"]) for i in invoice["invoiceItems"]] == [
        ("2024-03-01", D("13.55")), ("2024-03-15", D("30.00")), ("2024-03-01", D("5.00"))]
    assert invoice["targetDate"] == "2024-03-31" and invoice["amount"] == D("48.55")


def test_the_configured_account_bill_cycle_day(tmp_path: Path) -> None:
    spec = write_spec(tmp_path)
    config = tmp_path / "orderspec.toml"
    config.write_text("[accounts]\nA0001 = { bill-cycle-day = 15 }\n", encoding="utf-8")
    status, out, _ = run("preview", "--json", "--config", config, spec)
    items = json.loads(out, parse_float=Decimal)[0]["response"]["previewResult"]["invoices"][0]["invoiceItems"]
    assert status == 0 and items[0]["amountWithoutTax"] == D("13.55")


@pytest.mark.parametrize("table, message", [
    ({"accounts": {"A1": 15}}, "accounts.A1 must be a table"),
    ({"accounts": {"A1": {"bill-cycle-day": 32}}}, "bill-cycle-day must be a day 1..31, or 0"),
    ({"accounts": {"A1": {"bcd": 3}}}, "unknown key `bcd`"),
    ({"accounts": []}, "`accounts` must be a table"),
])
def test_account_settings_mistakes_are_config_errors(table: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        from_table(table, "orderspec.toml")


def test_account_settings_are_read() -> None:
    config = from_table({"accounts": {"A1": {"bill-cycle-day": 0}, "A2": {"bill-cycle-day": 31}}}, "orderspec.toml")
    assert config.account_bill_cycle_days == {"A1": 0, "A2": 31}


def test_the_emulator_takes_the_bill_cycle_day_as_the_offline_preview_does(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    support = pytest.importorskip("dispatch_support")
    from orderspec.config import load_config
    from orderspec.preview_tables import preview_part

    for name, value in support.cli_env().items():
        monkeypatch.setenv(name, value)
    spec = write_spec(tmp_path)
    config_path = tmp_path / "orderspec.toml"
    config_path.write_text("[accounts]\nA0001 = { bill-cycle-day = 15 }\n", encoding="utf-8")
    with support.emulator(lint_config=load_config(config_path)) as server:
        status, remote, _ = run("preview", "--remote", "--base-url", server.url, "--json", *support.FAST, spec)
        _, offline, _ = run("preview", "--json", "--config", config_path, spec)
    remote_result = preview_part(json.loads(remote, parse_float=Decimal)[0]["response"])
    offline_result = preview_part(json.loads(offline, parse_float=Decimal)[0]["response"])
    assert status == 0 and remote_result == offline_result
    assert remote_result["invoices"][0]["invoiceItems"][0]["amountWithoutTax"] == D("13.55")
