"""Which catalog price an existing account pays: its currency from the order, else the configuration."""

from __future__ import annotations

import json
import textwrap
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from orderspec.cli import cli
from orderspec.config import ConfigError, from_table

# The Guardian's production export prices Supporter Plus V2 - Monthly (PRP-00000180) in six
# currencies: its monthly charge is GBP 12, USD 15, ... (tests/fixtures/catalogs).
GUARDIAN = str(Path(__file__).resolve().parent / "fixtures" / "catalogs" / "guardian-prod.catalog.json")
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
                - {name: CustomerAcceptance, triggerDate: 2024-03-01}
              createSubscription:
                terms: {initialTerm: {period: 12, periodType: Month, termType: TERMED, startDate: 2024-03-01}}
                subscribeToRatePlans:
                  - productRatePlanNumber: PRP-00000180
    """)


def preview(tmp_path: Path, *options: str) -> tuple[int, dict]:
    spec = tmp_path / "supporter.order.yaml"
    spec.write_text(SPEC, encoding="utf-8")
    result = CliRunner().invoke(cli, ["preview", "--json", "--catalog", GUARDIAN, *options, str(spec)])
    return result.exit_code, json.loads(result.stdout, parse_float=Decimal)[0]


def test_an_existing_accounts_currency_comes_from_the_configuration(tmp_path: Path) -> None:
    status, found = preview(tmp_path)
    assert status == 3 and found["incomplete"]
    assert all("the account's currency is not in the order" in u["reason"] for u in found["unpriced"])
    config = tmp_path / "orderspec.toml"
    config.write_text('[accounts]\nA0001 = { currency = "GBP" }\n', encoding="utf-8")
    status, found = preview(tmp_path, "--config", str(config))
    assert status == 0 and not found["incomplete"], found["unpriced"]
    items = found["response"]["previewResult"]["invoices"][0]["invoiceItems"]
    assert sorted((i["chargeName"], i["amountWithoutTax"]) for i in items) == [
        ("Contribution", Decimal("0.00")), ("Supporter Plus Monthly Charge", Decimal("12.00"))]


def test_the_configured_currency_is_a_currency_code() -> None:
    assert from_table({"accounts": {"A1": {"currency": "EUR"}}}, "orderspec.toml").account_currencies == {"A1": "EUR"}
    with pytest.raises(ConfigError, match="accounts.A1.currency must be a currency code such as USD"):
        from_table({"accounts": {"A1": {"currency": "euro"}}}, "orderspec.toml")
