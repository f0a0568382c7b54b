"""The configuration reaches every command (render, send, preview offline and --remote, diff, the
emulator), and expand settings (templates, catalog, env, values) can be set in it."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from check_support import CREATE, write
from click.testing import CliRunner

from orderspec.cli import cli

ROOT = Path(__file__).resolve().parent.parent
CATALOG = ROOT / "examples" / "catalog.yaml"
# Ids of the catalog's pro-monthly rate plan in its two environments.
SANDBOX_PLAN, PRODUCTION_PLAN = "8ad09be48db5aa31018db8f2ac4e1a2b", "2c92a0fd5e8f2b1a015e9b0e3f6d1b21"
PRODUCTION_BASE_FEE = "2c92a0fd5e8f2b1a015e9b0e3f7e1b22"

# Clean except for R007 (a warning): ServiceActivation before ContractEffective.
WARNS = CREATE.replace(
    "            - {name: ContractEffective, triggerDate: 2024-01-01}\n",
    "            - {name: ContractEffective, triggerDate: 2024-01-01}\n"
    "            - {name: ServiceActivation, triggerDate: 2023-01-01}\n")
AUTO = CREATE.replace("operation: create\n", "operation: create\nasync: auto\n")
R007_IS_AN_ERROR = '[severity]\nR007 = "error"\n'
NO_SYNC_SUBSCRIPTIONS = "[limits]\nsync-subscriptions = 0\n"


def run(*args: str | Path) -> tuple[int, str]:
    result = CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)
    return result.exit_code, result.output


def config(folder: Path, text: str) -> Path:
    path = folder / "orderspec.toml"
    path.write_text(text, encoding="utf-8")
    return path


def json_of(output: str) -> Any:
    """The one preview of `preview --json` output (warnings on stderr come first)."""
    return json.loads(output[output.index("[\n"):])[0]


def preview_spec(folder: Path, name: str = "p.order.yaml") -> Path:
    """The flat-fee preview example with production ids and no price: only the catalog prices it."""
    text = (ROOT / "examples" / "preview-flat-fee-monthly.order.yaml").read_text(encoding="utf-8")
    text = text.replace("8ad09be48db5aa31018db8f2ac4e0f01", PRODUCTION_PLAN)
    text = text.replace("8ad09be48db5aa31018db8f2ac5f0f02", PRODUCTION_BASE_FEE)
    pricing = " " * 20 + "pricing:\n" + " " * 22 + "recurringFlatFee: {listPrice: 30.00}\n"
    text = text.replace(pricing, "")
    assert PRODUCTION_BASE_FEE in text and "pricing" not in text
    return write(folder, name, text)


# -- render ------------------------------------------------------------------------------------

def test_render_applies_the_configured_severity(tmp_path: Path) -> None:
    spec = write(tmp_path, "w.order.yaml", WARNS)
    out = tmp_path / "out"
    status, output = run("render", spec, "-o", out, "--config", config(tmp_path, R007_IS_AN_ERROR))
    assert status == 1 and "R007" in output and not out.exists()
    assert run("render", spec, "-o", out, "--config", config(tmp_path, ""))[0] == 0


def test_render_chooses_the_endpoint_with_the_configured_sync_limits(tmp_path: Path) -> None:
    spec = write(tmp_path, "a.order.yaml", AUTO)
    out = tmp_path / "out"
    assert run("render", spec, "-o", out, "--config", config(tmp_path, ""))[0] == 0
    assert (out / "a.http").read_text().startswith("POST /v1/orders")
    assert run("render", spec, "-o", out, "--config", config(tmp_path, NO_SYNC_SUBSCRIPTIONS))[0] == 0
    assert (out / "a.http").read_text().startswith("POST /v1/async/orders")


# -- send and preview --remote: the config is applied before anything is sent -------------------

def test_send_dry_run_applies_the_configured_severity(tmp_path: Path) -> None:
    spec = write(tmp_path, "w.order.yaml", WARNS)
    status, output = run("send", spec, "--base-url", "http://127.0.0.1:9", "--config", config(tmp_path, ""))
    assert status == 0 and "would" in output
    status, output = run("send", spec, "--base-url", "http://127.0.0.1:9",
                         "--config", config(tmp_path, R007_IS_AN_ERROR))
    assert status == 1 and "R007" in output and "would" not in output


def test_send_expands_with_the_catalog_environment_option(tmp_path: Path) -> None:
    for name in ("add-product.order.yaml", "catalog.yaml"):
        shutil.copy(ROOT / "examples" / name, tmp_path / name)
    spec = tmp_path / "add-product.order.yaml"
    production = CliRunner().invoke(cli, ["send", str(spec), "--base-url", "http://127.0.0.1:9",
                                          "--catalog-env", "production"])
    sandbox = CliRunner().invoke(cli, ["send", str(spec), "--base-url", "http://127.0.0.1:9"])
    assert production.exit_code == sandbox.exit_code == 0
    assert '"productRatePlanId": "2c92' in production.output and '"productRatePlanId": "8ad0' in sandbox.output


def test_preview_remote_applies_the_configured_limits(tmp_path: Path) -> None:
    spec = preview_spec(tmp_path)
    status, output = run("preview", "--remote", spec, "--base-url", "http://127.0.0.1:9",
                         "--config", config(tmp_path, NO_SYNC_SUBSCRIPTIONS))
    assert status == 1 and "L005" in output


# -- offline preview: catalog and catalog environment -------------------------------------------

def test_offline_preview_takes_the_catalog_and_its_environment_from_the_command_line(tmp_path: Path) -> None:
    spec = preview_spec(tmp_path)
    status, output = run("preview", spec, "--json", "--catalog", CATALOG)
    # the sandbox (default) environment has no such ids: unpriced, so the preview is incomplete (3)
    assert status == 3 and "P001" in output and json_of(output)["incomplete"] is True
    status, output = run("preview", spec, "--json", "--catalog", CATALOG, "--catalog-env", "production",
                         "--bill-cycle-day", "1")
    preview = json_of(output)
    charges = preview["response"]["previewResult"]["chargeMetrics"][0]["charges"]
    assert [c["productRatePlanChargeId"] for c in charges] == [PRODUCTION_BASE_FEE]
    # The plan's other catalog charge (seats, per unit) has no quantity in the order or the catalog.
    assert status == 3 and [u["subject"] for u in preview["unpriced"]] == ["charge seats"]
    assert run("preview", spec, "--catalog", CATALOG, "--catalog-env", "nowhere")[0] == 2


def test_offline_preview_takes_the_catalog_and_its_environment_from_the_config(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shutil.copy(CATALOG, tmp_path / "products.yaml")
    specs = tmp_path / "specs"
    specs.mkdir()
    spec = preview_spec(specs)
    config(tmp_path, 'catalog = "products.yaml"\nenv = "production"\n')
    monkeypatch.chdir(specs)  # found by walking up; the catalog path is relative to the config file
    status, output = run("preview", spec.name, "--json")
    priced = json_of(output)["response"]["previewResult"]["chargeMetrics"][0]["charges"]
    assert [c["productRatePlanChargeId"] for c in priced] == [PRODUCTION_BASE_FEE]
    status, output = run("preview", spec.name, "--json", "--catalog-env", "sandbox")  # the command line wins
    assert status == 3 and "P001" in output


# -- diff ----------------------------------------------------------------------------------------

def test_diff_applies_the_config(tmp_path: Path) -> None:
    old, new = write(tmp_path, "old.order.yaml", CREATE), write(tmp_path, "new.order.yaml", WARNS)
    status, output = run("diff", old, new, "--config", config(tmp_path, ""))
    assert status == 1 and "(lint errors)" not in output
    status, output = run("diff", old, new, "--config", config(tmp_path, R007_IS_AN_ERROR))
    assert status == 1 and "(lint errors): 0 -> 1" in output


def test_diff_chooses_the_endpoint_with_the_configured_sync_limits(tmp_path: Path) -> None:
    from orderspec import pipeline
    from orderspec.config import load_config
    from orderspec.diff import snapshot

    spec = write(tmp_path, "a.order.yaml", AUTO)
    raised = pipeline.Options(config=load_config(config(tmp_path, NO_SYNC_SUBSCRIPTIONS)))
    assert [o.target for o in snapshot([str(spec)], "").values()] == ["POST /v1/orders"]
    assert [o.target for o in snapshot([str(spec)], "", options=raised).values()] == ["POST /v1/async/orders"]


# -- the emulator judges bodies with the same configuration ---------------------------------------

def test_emulator_refuses_bodies_by_the_configured_severity() -> None:
    from orderspec.config import from_table
    from orderspec.emulator.orders import check_body
    from orderspec.load import load_text
    from orderspec.model import ENDPOINTS
    from orderspec.render import canonical_json

    body = load_text(WARNS, "w.order.yaml").documents[0].value["body"]
    text = canonical_json(body).decode("utf-8")
    assert check_body(text, ENDPOINTS["create"])[1] == []
    _, reasons = check_body(text, ENDPOINTS["create"], from_table({"severity": {"R007": "error"}}, "t"))
    assert len(reasons) == 1 and "ServiceActivation" in reasons[0]["message"]
    _, reasons = check_body(text, ENDPOINTS["create"], from_table({"limits": {"sync-subscriptions": 0}}, "t"))
    assert reasons and all(r["code"].endswith("30") for r in reasons)


def test_emulator_command_loads_the_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from orderspec.emulator import command

    seen: list[object] = []
    monkeypatch.setattr(command, "run", lambda *args, **settings: seen.append(args[5]) or 0)
    assert run("emulator", "--config", config(tmp_path, R007_IS_AN_ERROR))[0] == 0
    assert seen[0].severity["R007"].value == "error"  # type: ignore[attr-defined]


# -- expand settings in the config ---------------------------------------------------------------

TEMPLATE = """\
{#
params:
  number: {type: string}
#}
orderDate: 2024-01-01
description: %s
orderNumber: {{ number }}
existingAccountNumber: A00000101
subscriptions:
  - orderActions:
      - type: CreateSubscription
        triggerDates:
          - {name: ContractEffective, triggerDate: 2024-01-01}
        createSubscription:
          terms:
            initialTerm: {period: 12, periodType: Month, termType: TERMED, startDate: 2024-01-01}
            renewalSetting: RENEW_WITH_SPECIFIC_TERM
            renewalTerms: [{period: 12, periodType: Month}]
          subscribeToRatePlans:
            - productRatePlanId: {{ plan("pro-monthly") }}
"""


@pytest.fixture()
def project(tmp_path: Path) -> Path:
    """A project whose templates, catalog, environment and values come from orderspec.toml."""
    for folder, prefix in (("tpl", "configured"), ("cli-tpl", "command line")):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "mine.yaml.j2").write_text(TEMPLATE % prefix, encoding="utf-8")
    (tmp_path / "specs").mkdir()
    write(tmp_path / "specs", "m.order.yaml", "orderspec: 1\noperation: create\nuse: mine\n")
    shutil.copy(CATALOG, tmp_path / "products.yaml")
    write(tmp_path, "common.yaml", "number: O-1\n")
    write(tmp_path, "override.yaml", "number: O-2\n")
    config(tmp_path, 'templates = ["tpl"]\ncatalog = "products.yaml"\nenv = "production"\n'
                     'values = ["common.yaml"]\n')
    return tmp_path


def rendered_body(project: Path, *args: str) -> dict[str, object]:
    out = project / "out"
    status, output = run("render", "specs", "-o", str(out), *args)
    assert status == 0, output
    body: dict[str, object] = json.loads((out / "m.json").read_text(encoding="utf-8"))
    return body


def plan_id(body: dict[str, object]) -> str:
    return body["subscriptions"][0]["orderActions"][0]["createSubscription"][  # type: ignore[index]
        "subscribeToRatePlans"][0]["productRatePlanId"]


def test_expand_settings_come_from_the_config(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(project)
    body = rendered_body(project)
    assert (body["description"], body["orderNumber"]) == ("configured", "O-1") and plan_id(body) == PRODUCTION_PLAN
    assert run("lint", "specs", "-j", "1")[0] == 0


def test_the_command_line_takes_precedence_over_the_config(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(project)
    body = rendered_body(project, "--templates", "cli-tpl", "-f", "override.yaml", "--env", "sandbox")
    assert (body["description"], body["orderNumber"]) == ("command line", "O-2") and plan_id(body) == SANDBOX_PLAN
    (project / "other.yaml").write_text(CATALOG.read_text(encoding="utf-8").replace(SANDBOX_PLAN, "X" * 32))
    assert plan_id(rendered_body(project, "--catalog", "other.yaml", "--env", "sandbox")) == "X" * 32


def test_config_paths_are_relative_to_the_config_file(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(project / "specs")
    status, output = run("lint", ".", "-j", "1", "--config", "../orderspec.toml")
    assert status == 0, output


def test_a_missing_configured_path_is_a_usage_error_naming_the_config(
        project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (project / "common.yaml").unlink()
    monkeypatch.chdir(project)
    status, output = run("lint", "specs", "-j", "1")
    assert status == 2 and "common.yaml" in output and "orderspec.toml" in output


def test_the_configured_loader_caps_reach_values_files(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cap = CATALOG.stat().st_size + 500  # the catalog still fits
    write(project, "big.yaml", "number: O-1\n" + "# padding\n" * (cap // 10 + 1))
    config(project, 'templates = ["tpl"]\ncatalog = "products.yaml"\nvalues = ["big.yaml"]\n'
                    f"max-file-bytes = {cap}\n")
    monkeypatch.chdir(project)
    status, output = run("lint", "specs", "-j", "1")
    assert status == 2 and "big.yaml" in output


# -- a broken config file stops every command (exit 2), at its line and column -----------------

@pytest.mark.parametrize("command", [("lint", "-j", "1"), ("render", "-o", "out"), ("diff",)])
def test_a_broken_pyproject_stops_the_command_instead_of_linting_with_defaults(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: tuple[str, ...]) -> None:
    write(tmp_path, "w.order.yaml", WARNS)  # R007: a warning by default, an error as configured
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text('[tool.orderspec]\nenv = production\n[tool.orderspec.severity]\nR007 = "error"\n')
    monkeypatch.chdir(tmp_path)
    status, output = run(*command[:1], "w.order.yaml", *command[1:])
    assert status == 2, output
    assert f"{pyproject}:2:7: not valid TOML: Invalid value" in output
    assert not (tmp_path / "out").exists()


def test_a_table_declared_twice_in_pyproject_is_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path, "w.order.yaml", WARNS)
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text('[tool.orderspec.severity]\nR007 = "error"\n\n[tool.orderspec.severity]\nR006 = "error"\n')
    monkeypatch.chdir(tmp_path)
    status, output = run("lint", "w.order.yaml", "-j", "1")
    assert status == 2 and f"{pyproject}:4:" in output and "twice" in output
    # Fixed, it applies: R007 is an error and the exit status says so.
    pyproject.write_text('[tool.orderspec.severity]\nR007 = "error"\nR006 = "error"\n')
    status, output = run("lint", "w.order.yaml", "-j", "1")
    assert status == 1 and "R007" in output


def test_config_option_reads_another_file_past_a_broken_pyproject(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path, "w.order.yaml", WARNS)
    (tmp_path / "pyproject.toml").write_text("[project]\nname = x\n")
    monkeypatch.chdir(tmp_path)
    assert run("lint", "w.order.yaml", "-j", "1")[0] == 2
    assert run("lint", "w.order.yaml", "-j", "1", "--config", config(tmp_path, R007_IS_AN_ERROR))[0] == 1


# -- every command finds the configuration above its specs, not in the current directory --------

@pytest.mark.parametrize("command", [("lint", "-j", "1"), ("render", "-o", "out"), ("diff",), ("preview",),
                                     ("preview", "--remote", "--base-url", "http://127.0.0.1:9"),
                                     ("send", "--base-url", "http://127.0.0.1:9")])
def test_every_command_finds_the_configuration_above_its_specs(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: tuple[str, ...]) -> None:
    """A broken configuration above the specs stops every command (exit 2, naming it) run from a
    folder whose own configuration is fine: it is the one above the specs that is read."""
    project = tmp_path / "project"
    (project / "orders").mkdir(parents=True)
    write(project / "orders", "w.order.yaml", WARNS)
    (project / "orderspec.toml").write_text("ignore = R007\n")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    config(elsewhere, R007_IS_AN_ERROR)
    monkeypatch.chdir(elsewhere)
    status, output = run(*command[:1], "../project/orders/w.order.yaml", *command[1:])
    assert status == 2 and "project/orderspec.toml:1:" in output, output
    (project / "orderspec.toml").write_text(R007_IS_AN_ERROR)
    assert run("lint", "../project/orders", "-j", "1")[0] == 1  # read: R007 is an error
    (project / "orderspec.toml").unlink()
    assert run("lint", "../project/orders", "-j", "1")[0] == 0  # none above the specs: the defaults


# -- the README names every stage with the command that exposes it -------------------------------

def test_readme_overview_lists_each_stage_with_real_commands_above_the_quick_start() -> None:
    import re

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    overview, _, rest = readme.partition("## Quick start\n")
    assert rest.startswith("\n```sh\npip install -e '.[dev]' && orderspec lint examples/\npython -m pytest\n```\n")
    stages = re.findall(r"^- \*\*(\w+)\*\* (.*)$", overview, re.M)
    assert [name for name, _ in stages] == ["load", "expand", "validate", "check", "render", "dispatch"]
    for name, line in stages:
        commands = re.findall(r"`orderspec (\w+)", line)
        assert commands, name
        for command in commands:
            assert command in cli.commands, f"README names `orderspec {command}`, which is not a command"
