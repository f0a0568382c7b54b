"""The CLI of the check stage: rules, explain, and lint's --config/--select/--ignore/--existing-orders."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from check_support import CREATE, write
from click.testing import CliRunner

from orderspec.cli import cli
from orderspec.registry import RULES


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.output


def test_rules_lists_every_code_with_severity_and_summary() -> None:
    code, output = run("rules")
    assert code == 0
    listed = {line.split()[0]: line for line in output.splitlines()}
    assert set(listed) == set(RULES)
    for rule in RULES.values():
        assert rule.summary in listed[rule.code] and rule.severity.value in listed[rule.code]


def test_explain_prints_explanation_and_examples() -> None:
    code, output = run("explain", "l005")
    rule = RULES["L005"]
    assert code == 0
    assert rule.summary in output and rule.explanation in output
    assert "Bad:" in output and "Good:" in output and "async: auto" in output


def test_explain_unknown_code_is_a_usage_error_with_a_suggestion() -> None:
    code, output = run("explain", "R0O2")
    assert code == 2
    assert "unknown rule code" in output and "R002" in output


def test_lint_select_ignore_and_fail_on(tmp_path: Path) -> None:
    path = write(tmp_path, "x.order.yaml", CREATE.replace("O-2024-0001", "O/1").replace(
        "            - {name: ContractEffective, triggerDate: 2024-01-01}\n",
        "            - {name: ContractEffective, triggerDate: 2024-01-01}\n"
        "            - {name: ServiceActivation, triggerDate: 2023-01-01}\n"))
    code, output = run("lint", str(path))
    assert code == 1 and "R002" in output and "R007" in output
    code, output = run("lint", "--ignore", "R002", str(path))
    assert code == 0 and "R002" not in output and "R007" in output
    code, output = run("lint", "--ignore", "R002", "--fail-on", "warning", str(path))
    assert code == 1
    code, output = run("lint", "--select", "R007,H", "--fail-on", "warning", str(path))
    assert code == 1 and "R002" not in output
    code, output = run("lint", "--select", "NOPE", str(path))
    assert code == 2 and "not a rule code" in output


def test_lint_config_file(tmp_path: Path) -> None:
    path = write(tmp_path, "x.order.yaml", CREATE.replace("O-2024-0001", "O/1"))
    config = tmp_path / "orderspec.toml"
    config.write_text('[severity]\nR002 = "warning"\n')
    code, output = run("lint", "--config", str(config), str(path))
    assert code == 0 and re.search(r"x\.order\.yaml:\d+:\d+: R002", output)
    config.write_text('[severity]\nR002 = "loud"\n')
    code, output = run("lint", "--config", str(config), str(path))
    assert code == 2 and "orderspec.toml" in output and "R002" in output


def test_lint_existing_orders(tmp_path: Path) -> None:
    text = ("orderspec: 1\noperation: create\nbody:\n  orderDate: 2024-01-01\n  existingAccountNumber: A1\n"
            "  subscriptions:\n    - subscriptionNumber: S-1\n"
            "      orderActions: [{type: Suspend, suspend: {suspendPolicy: Today}}]\n")
    path = write(tmp_path, "x.order.yaml", text)
    assert run("lint", "--existing-orders", "S-1=999", str(path))[0] == 0
    code, output = run("lint", "--existing-orders", "S-1=1000", str(path))
    assert code == 1 and "L002" in output and "1000 already in Zuora" in output
    code, output = run("lint", "--existing-orders", "S-1", str(path))
    assert code == 2 and "SUBSCRIPTION=COUNT" in output


@pytest.mark.parametrize("family", ["Y", "F", "S", "L", "R", "H"])
def test_every_code_of_the_checked_families_is_documented(family: str) -> None:
    for rule in RULES.values():
        if rule.code.startswith(family):
            assert rule.explanation and rule.bad and rule.good, rule.code


def test_docs_rules_md_is_what_the_rules_command_generates() -> None:
    docs = Path(__file__).resolve().parent.parent / "docs" / "rules.md"
    generated = CliRunner().invoke(cli, ["rules", "--format", "markdown"])
    assert generated.exit_code == 0
    assert docs.read_text(encoding="utf-8") == generated.output, (
        "docs/rules.md is stale: regenerate it with `orderspec rules --format markdown > docs/rules.md`")
    for rule in RULES.values():  # every family, the ones registered outside the check stage too
        assert f"### {rule.code} " in generated.output, rule.code
