"""`--state DIR` and `state = "DIR"` end to end: lint, preview, diff and send's lint gate."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from dispatch_support import cli_env

from orderspec.cli import cli

FIXTURE = Path(__file__).parent / "fixtures" / "tenant-state"

RESUME = """\
orderspec: 1
operation: create
body:
  orderDate: 2025-06-01
  existingAccountNumber: A00000101
  subscriptions:
    - subscriptionNumber: A-S00000101
      orderActions:
        - type: Resume
          resume: {resumePolicy: Today}
"""


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    shutil.copytree(FIXTURE, tmp_path / "tenant")
    (tmp_path / "orders").mkdir()
    (tmp_path / "orders" / "resume.order.yaml").write_text(RESUME)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args), env=cli_env(), catch_exceptions=False)
    return result.exit_code, result.output


def test_lint_with_state_end_to_end(project: Path) -> None:
    """A real process, as CI runs it: the finding, its note in the state file, the exit status."""
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    done = subprocess.run([sys.executable, "-m", "orderspec", "lint", "orders/", "--state", "tenant", "--jobs", "1"],
                          capture_output=True, text=True, env=env, cwd=project)
    assert done.returncode == 1, done.stderr
    assert done.stdout.splitlines() == [
        "orders/resume.order.yaml:9:17: R063 [error] resuming a subscription that is active (only a suspended one "
        "resumes): A-S00000101 is Active",
        "  tenant/subscriptions/A-S00000101.yaml:9:9: note: the subscription's status",
    ]
    assert "Traceback" not in done.stderr
    without = subprocess.run([sys.executable, "-m", "orderspec", "lint", "orders/"], capture_output=True, text=True,
                             env=env, cwd=project)
    assert without.returncode == 0, without.stdout


def test_a_bad_state_file_is_a_finding_in_every_format(project: Path) -> None:
    (project / "tenant" / "accounts" / "A00000101.yaml").write_text(
        "basicInfo: {accountNumber: A00000101}\nbillingAndPayment:\n  billCycleDay: first\n")
    status, output = run("lint", "orders/", "--state", "tenant", "--format", "json")
    assert status == 1
    found = {(d["path"], d["line"], d["column"], d["code"]) for d in json.loads(output)["diagnostics"]}
    assert ("tenant/accounts/A00000101.yaml", 3, 17, "Z002") in found
    assert ("orders/resume.order.yaml", 9, 17, "R063") in found  # the subscription was read cleanly


def test_the_configured_state_folder_and_the_option_over_it(project: Path) -> None:
    (project / "orderspec.toml").write_text('state = "tenant"\n')
    assert run("lint", "orders/")[0] == 1
    # Relative to the configuration file, wherever orderspec runs from.
    os.chdir(project / "orders")
    assert run("lint", ".")[0] == 1
    os.chdir(project)
    (project / "empty").mkdir()
    assert run("lint", "orders/", "--state", "empty")[0] == 0
    (project / "orderspec.toml").write_text('state = "gone"\n')
    status, output = run("lint", "orders/")
    assert status == 2 and "no such state folder:" in output and "gone (`state` in" in output
    status, output = run("lint", "orders/", "--state", "missing")
    assert status == 2 and "no such state folder: missing" in output


def test_send_refuses_what_the_state_refuses(project: Path) -> None:
    status, output = run("send", "orders/", "--base-url", "http://127.0.0.1:9", "--state", "tenant")
    assert status == 1
    assert "R063" in output and "fix the specs before sending" in output
    # Without the state, the dry run goes on to say what it would send.
    status, output = run("send", "orders/", "--base-url", "http://127.0.0.1:9")
    assert "R063" not in output


def test_preview_and_diff_take_the_state(project: Path) -> None:
    status, output = run("preview", "orders/", "--state", "tenant")
    assert status == 1 and "R063" in output
    status, output = run("preview", "orders/")
    assert status == 3 and "INCOMPLETE" in output  # without the state the Resume is listed, not priced
    (project / "old").mkdir()
    (project / "old" / "resume.order.yaml").write_text(RESUME.replace("Resume", "Suspend").replace(
        "resume: {resumePolicy: Today}", "suspend: {suspendPolicy: Today}"))
    status, output = run("diff", "old", "orders", "--state", "tenant")
    assert status == 1
    assert "(lint errors)" in output and "0 -> 1" in output


def _on_the_customers_day(folder: Path) -> Path:
    """examples/preview-flat-fee-monthly.order.yaml billed on the account's bill cycle day."""
    example = Path(__file__).resolve().parent.parent / "examples" / "preview-flat-fee-monthly.order.yaml"
    text = example.read_text().replace("billCycleType: SpecificDayofMonth, billCycleDay: 1",
                                       "billCycleType: DefaultFromCustomer")
    assert "DefaultFromCustomer" in text
    spec = folder / "customer-day.order.yaml"
    spec.write_text(text)
    return spec


def test_the_offline_figures_take_the_accounts_bill_cycle_day(project: Path) -> None:
    spec = str(_on_the_customers_day(project / "orders"))
    account = project / "tenant" / "accounts" / "A00000101.yaml"
    account.write_text(account.read_text().replace("billCycleDay: 1", "billCycleDay: 20"))
    with_state = run("preview", spec, "--state", "tenant")
    assert with_state == run("preview", spec, "--bill-cycle-day", "20")
    assert with_state[0] == 0 and "not computed" not in with_state[1]
    # Jan 16-19 of a 31-day January: 30.00 * 4/31 = 3.87, then full months from the 20th.
    assert "3.87" in with_state[1]
    # The option wins over the state; without either, the charge is not computed.
    assert run("preview", spec, "--state", "tenant", "--bill-cycle-day", "1") == run("preview", spec,
                                                                                      "--bill-cycle-day", "1")
    assert "not computed" in run("preview", spec)[1]
    # diff's figures too: billed on the 1st before, on the account's day (the 20th) after.
    example = Path(__file__).resolve().parent.parent / "examples" / "preview-flat-fee-monthly.order.yaml"
    status, output = run("diff", str(example), spec, "--state", "tenant")
    assert status == 1
    assert "Invoiced 75.48 -> 63.87 (-11.61)" in output and "not all of it computed" not in output
    assert "Invoiced 75.48 -> 0.00" in run("diff", str(example), spec)[1]


def test_worker_processes_get_the_state(project: Path) -> None:
    for number in range(20):
        (project / "orders" / f"resume-{number:02}.order.yaml").write_text(RESUME)
    one = run("lint", "orders/", "--state", "tenant", "--jobs", "1")
    assert one[0] == 1 and one[1].count("R063") == 21
    assert run("lint", "orders/", "--state", "tenant", "--jobs", "2") == one


def test_render_lints_with_the_state_too(project: Path) -> None:
    status, output = run("render", "orders/", "-o", "rendered", "--state", "tenant")
    assert status == 1 and "R063" in output and not (project / "rendered").exists()
    assert run("render", "orders/", "-o", "rendered")[0] == 0
