"""`orderspec send`, `orderspec preview --remote` and `orderspec emulator`, end to end over HTTP.

Every output captured here is searched for the client secret and the bearer tokens."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from decimal import Decimal

import httpx
import pytest
from click.testing import CliRunner

from dispatch_support import (FAST, SECRET, assert_no_secret, assert_no_token, cli_env, copy_specs, emulator,
                              journal_text)
from orderspec.cli import cli
from orderspec.emulator import Faults


def run(server, *args, env=None):
    result = CliRunner().invoke(cli, [*args], env=cli_env() if env is None else env, catch_exceptions=False)
    assert_no_secret(result.stdout, result.stderr)
    if server is not None:
        assert_no_token(server, result.stdout, result.stderr)
    return result


def test_dry_run_prints_what_would_be_sent_and_sends_nothing(tmp_path):
    folder = copy_specs(tmp_path, "create.order.yaml")
    with emulator() as server:
        result = run(server, "send", str(folder), "--base-url", server.url)
        assert server.requests == []
    assert result.exit_code == 0
    assert "would send" in result.stdout and "POST /v1/orders HTTP/1.1" in result.stdout
    assert "Idempotency-Key: orderspec-" in result.stdout and '"listPrice": 19.99' in result.stdout
    assert "dry run" in result.stderr and "--yes" in result.stderr
    assert journal_text(folder) == ""


def test_send_sync_creates_then_a_rerun_skips(tmp_path):
    folder = copy_specs(tmp_path, "create.order.yaml")
    with emulator() as server:
        first = run(server, "send", str(folder), "--base-url", server.url, "--yes", *FAST)
        second = run(server, "send", str(folder), "--base-url", server.url, "--yes", *FAST, "--json")
        assert len(server.orders()) == 1
        assert_no_token(server, journal_text(folder))
    assert first.exit_code == 0, first.output
    assert re.search(r"created\s+\S+create.order.yaml\s+O-DISPATCH-SYNC subscriptions A-S\d{8}", first.stdout)
    report = json.loads(second.stdout)
    assert second.exit_code == 0
    assert [(r["status"], r["orderNumber"]) for r in report["results"]] == [("skipped", "O-DISPATCH-SYNC")]
    assert_no_secret(journal_text(folder))


def test_send_async_polls_the_job(tmp_path):
    folder = copy_specs(tmp_path, "async-create.order.yaml")
    with emulator(job_delay=0.05) as server:
        result = run(server, "send", str(folder), "--base-url", server.url, "--yes", *FAST, "--json")
        assert any(r["path"].startswith("/v1/async-jobs/") for r in server.requests)
    (entry,) = json.loads(result.stdout)["results"]
    assert result.exit_code == 0
    assert entry["status"] == "created" and entry["orderNumber"] == "O-DISPATCH-ASYNC"
    assert re.fullmatch(r"[0-9a-f]{32}", entry["jobId"])


def test_send_under_faults_still_creates_once(tmp_path):
    folder = copy_specs(tmp_path, "create.order.yaml")
    with emulator(faults=Faults(script=["429", "500", "drop-after"])) as server:
        result = run(server, "send", str(folder), "--base-url", server.url, "--yes", *FAST)
        assert result.exit_code == 0, result.output
        assert len(server.orders()) == 1


def test_failure_shows_each_reason_with_its_meaning(tmp_path):
    folder = copy_specs(tmp_path, "create.order.yaml")
    with emulator(faults=Faults(script=["lock"] * 4)) as server:
        result = run(server, "send", str(folder), "--base-url", server.url, "--yes", *FAST)
        assert server.orders() == []
    assert result.exit_code == 1
    assert "failed" in result.stdout
    assert "[53500050]" in result.stdout and "lock contention" in result.stdout


@pytest.mark.parametrize("spec", ["preview.order.yaml", "async-preview.order.yaml"])
def test_remote_preview_prints_tables(tmp_path, spec):
    folder = copy_specs(tmp_path, spec)
    with emulator() as server:
        result = run(server, "preview", str(folder / spec), "--remote", "--base-url", server.url, *FAST)
        assert server.orders() == []
    assert result.exit_code == 0, result.output
    for title in ("Charge metrics", "Invoice items", "Order delta metrics"):
        assert title in result.stdout
    assert "19.99" in result.stdout and "239.88" in result.stdout  # CMRR and 12 months of TCV, exact


def test_remote_preview_json_keeps_numbers_exact(tmp_path):
    folder = copy_specs(tmp_path, "preview.order.yaml")
    with emulator() as server:
        result = run(server, "preview", str(folder / "preview.order.yaml"), "--remote", "--base-url", server.url,
                     "--json", *FAST)
    (entry,) = json.loads(result.stdout, parse_float=Decimal)
    charge = entry["response"]["previewResult"]["chargeMetrics"][0]["charges"][0]
    assert charge["cmrr"]["regular"] == Decimal("19.99")


def test_preview_without_remote_says_offline_preview_is_elsewhere(tmp_path):
    folder = copy_specs(tmp_path, "preview.order.yaml")
    result = run(None, "preview", str(folder / "preview.order.yaml"))
    if "not available yet" not in result.output:
        pytest.skip("the offline preview engine has replaced this branch")
    assert result.exit_code == 2


def test_production_needs_allow_production(tmp_path):
    folder = copy_specs(tmp_path, "create.order.yaml")
    result = run(None, "send", str(folder), "--env", "us-production-cloud1", "--yes")
    assert result.exit_code == 2 and "--allow-production" in result.stderr
    dry = run(None, "send", str(folder), "--env", "us-production-cloud1")
    assert dry.exit_code == 0 and "--allow-production" in dry.stderr


def test_specs_with_lint_errors_are_not_sent(tmp_path):
    folder = copy_specs(tmp_path, "create.order.yaml")
    spec = folder / "create.order.yaml"
    spec.write_text(spec.read_text().replace("termType: TERMED", "termType: FOREVER"))
    with emulator() as server:
        result = run(server, "send", str(folder), "--base-url", server.url, "--yes", *FAST)
        assert server.requests == []
    assert result.exit_code == 1 and "S004" in result.stderr


def test_missing_credentials_and_unknown_environment_are_usage_errors(tmp_path):
    folder = copy_specs(tmp_path, "create.order.yaml")
    no_credentials = run(None, "send", str(folder), "--base-url", "http://127.0.0.1:9", "--yes", env={
        "ZUORA_CLIENT_ID": "", "ZUORA_CLIENT_SECRET": ""})
    assert no_credentials.exit_code == 2 and "ZUORA_CLIENT_SECRET" in no_credentials.stderr
    unknown = run(None, "send", str(folder), "--env", "eu-prod", "--yes")
    assert unknown.exit_code == 2 and "eu-production" in unknown.stderr


def test_refused_credentials_never_print_the_secret(tmp_path):
    folder = copy_specs(tmp_path, "create.order.yaml")
    with emulator(clients={"someone-else": "other"}) as server:
        result = run(server, "send", str(folder), "--base-url", server.url, "--yes", *FAST)
        assert server.orders() == []
    assert result.exit_code == 2 and "refused" in result.stderr
    assert journal_text(folder) == ""  # stopped before anything was journalled


def test_emulator_command_serves_until_stopped(tmp_path):
    process = subprocess.Popen([sys.executable, "-m", "orderspec", "emulator", "--port", "0", "--db",
                                str(tmp_path / "state.db")], stderr=subprocess.PIPE, text=True,
                               env={**os.environ})
    try:
        line = process.stderr.readline()
        url = re.search(r"http://[\d.]+:\d+", line).group(0)
        token = httpx.post(url + "/oauth/token", data={"grant_type": "client_credentials", "client_id": "a",
                                                       "client_secret": "b"}, timeout=5)
        assert token.status_code == 200 and token.json()["access_token"]
    finally:
        process.terminate()
        process.wait(timeout=10)
    assert (tmp_path / "state.db").exists()


def test_send_skips_preview_specs_and_refuses_when_there_is_nothing_to_create(tmp_path):
    folder = copy_specs(tmp_path, "create.order.yaml", "preview.order.yaml")
    with emulator() as server:
        mixed = run(server, "send", str(folder), "--base-url", server.url, "--yes", *FAST)
        only_preview = run(server, "send", str(folder / "preview.order.yaml"), "--base-url", server.url, "--yes")
        assert len(server.orders()) == 1
    assert mixed.exit_code == 0 and "not sending preview spec(s)" in mixed.stderr
    assert only_preview.exit_code == 2


def test_a_spec_changed_after_it_was_created_is_held_back(tmp_path):
    folder = copy_specs(tmp_path, "create.order.yaml")
    spec = folder / "create.order.yaml"
    with emulator() as server:
        assert run(server, "send", str(folder), "--base-url", server.url, "--yes", *FAST).exit_code == 0
        spec.write_text(spec.read_text().replace("autoRenew: true", "autoRenew: false"))
        dry = run(server, "send", str(spec), "--base-url", server.url)
        held = run(server, "send", str(spec), "--base-url", server.url, "--yes", *FAST)
        assert len(server.orders()) == 1
    assert "would hold" in dry.stdout and "O-DISPATCH-SYNC" in dry.stdout
    assert held.exit_code == 1 and held.stdout.startswith("held") and "new spec file" in held.stdout


def test_a_spec_fixed_after_a_failure_is_sent(tmp_path):
    folder = copy_specs(tmp_path, "create.order.yaml")
    spec = folder / "create.order.yaml"
    with emulator(faults=Faults(script=["lock"] * 4)) as server:
        assert run(server, "send", str(folder), "--base-url", server.url, "--yes", *FAST).exit_code == 1
        spec.write_text(spec.read_text().replace("autoRenew: true", "autoRenew: false"))
        fixed = run(server, "send", str(folder), "--base-url", server.url, "--yes", *FAST)
        assert fixed.exit_code == 0 and len(server.orders()) == 1


def test_verbose_reports_retries(tmp_path):
    folder = copy_specs(tmp_path, "create.order.yaml")
    with emulator(faults=Faults(script=["503"])) as server:
        result = run(server, "send", str(folder), "--base-url", server.url, "--yes", "--verbose", *FAST)
    assert result.exit_code == 0 and "server error HTTP 503" in result.stderr and "retry 1" in result.stderr


def test_ctrl_c_tells_how_to_resume(tmp_path, monkeypatch):
    import orderspec.dispatch as dispatch

    def interrupted(items, dispatcher, **settings):
        raise KeyboardInterrupt

    monkeypatch.setattr(dispatch, "send_batch", interrupted)
    folder = copy_specs(tmp_path, "create.order.yaml")
    with emulator() as server:
        result = run(server, "send", str(folder), "--base-url", server.url, "--yes", *FAST)
    assert result.exit_code == 130 and "run the same command again" in result.stderr


# -- preview --remote takes what the offline preview takes (issue 10) --------------------------------

def test_remote_preview_takes_several_specs(tmp_path):
    folder = copy_specs(tmp_path, "preview.order.yaml", "async-preview.order.yaml")
    with emulator() as server:
        result = run(server, "preview", str(folder / "preview.order.yaml"), str(folder / "async-preview.order.yaml"),
                     "--remote", "--base-url", server.url, "--json", *FAST)
    assert result.exit_code == 0, result.output
    assert [entry["spec"] for entry in json.loads(result.stdout)] == [
        str(folder / "preview.order.yaml"), str(folder / "async-preview.order.yaml")]


def _results(result, exit_code=0):
    assert result.exit_code == exit_code, result.output
    return [entry["response"] for entry in json.loads(result.stdout, parse_float=Decimal)]


def test_remote_preview_of_a_create_spec_agrees_with_the_offline_one(tmp_path):
    """A create spec is previewed remotely as the preview of the same order: its newAccount's bill
    cycle day (15) and currency reach the tenant as previewAccountInfo, to the end of the term."""
    from orderspec.preview_tables import preview_part

    folder = copy_specs(tmp_path, "new-account-create.order.yaml")
    spec = str(folder / "new-account-create.order.yaml")
    with emulator() as server:
        remote = run(server, "preview", spec, "--remote", "--base-url", server.url, "--json", *FAST)
        assert [r["path"] for r in server.requests if r["path"] != "/oauth/token"] == ["/v1/orders/preview"]
        assert server.orders() == []
    offline = run(None, "preview", spec, "--json")
    (remote_result,), (offline_result,) = _results(remote), _results(offline)
    assert preview_part(remote_result) == preview_part(offline_result)
    invoices = preview_part(remote_result)["invoices"]
    # 31.00 a month on the 15th from January 1: Jan 1-14 is 14 of January's 31 days, then whole
    # months, then Dec 15-31; one invoice to the end of the term, as Zuora's preview groups it.
    (invoice,) = invoices
    assert (invoice["targetDate"], invoice["amountWithoutTax"]) == ("2025-01-01", Decimal("372.00"))
    items = invoice["invoiceItems"]
    assert [(i["serviceStartDate"], i["amountWithoutTax"]) for i in items[:2]] == [
        ("2024-01-01", Decimal("14.00")), ("2024-01-15", Decimal("31.00"))]
    assert len(items) == 13  # to the end of the term
    assert preview_part(remote_result)["orderDeltaMetrics"]["orderDeltaMrr"][0]["currency"] == "EUR"


def test_remote_preview_window_options_shape_create_and_preview_specs(tmp_path):
    folder = copy_specs(tmp_path, "new-account-create.order.yaml", "preview.order.yaml")
    with emulator() as server:
        remote = run(server, "preview", str(folder), "--periods", "2", "--remote", "--base-url", server.url,
                     "--json", *FAST)
    offline = run(None, "preview", str(folder), "--periods", "2", "--json")
    # (the preview spec's charge bills as the emulated tenant's catalog says; offline, without a
    # catalog, its billing period is unknown: the offline preview is incomplete, exit 3)
    remote_results, offline_results = _results(remote), _results(offline, exit_code=3)
    assert remote_results[0] == offline_results[0]
    items = [[i["serviceStartDate"] for i in r["previewResult"]["invoices"][0]["invoiceItems"]]
             for r in remote_results]
    assert [len(dates) for dates in items] == [2, 2]  # two periods each, in one invoice


def test_remote_preview_of_an_evergreen_create_spec_needs_a_window(tmp_path):
    folder = copy_specs(tmp_path, "create.order.yaml")
    spec = folder / "create.order.yaml"
    text = spec.read_text().replace("{period: 12, periodType: Month, termType: TERMED, startDate: 2024-01-01}",
                                    "{termType: EVERGREEN, startDate: 2024-01-01}")
    spec.write_text("".join(line for line in text.splitlines(keepends=True) if "renewal" not in line))
    with emulator() as server:
        refused = run(server, "preview", str(spec), "--remote", "--base-url", server.url, *FAST)
        assert server.requests == []
        through = run(server, "preview", str(spec), "--remote", "--base-url", server.url, "--thru", "2024-03-31",
                      "--json", *FAST)
    assert refused.exit_code == 2 and "EVERGREEN" in refused.stderr and "--thru DATE or --periods N" in refused.stderr
    (result,) = _results(through)
    (invoice,) = result["previewResult"]["invoices"]
    assert invoice["targetDate"] == "2024-03-31"
    assert [i["serviceStartDate"] for i in invoice["invoiceItems"]] == ["2024-01-01", "2024-02-01", "2024-03-01"]


def test_remote_preview_refuses_the_offline_bill_cycle_day(tmp_path):
    folder = copy_specs(tmp_path, "preview.order.yaml")
    result = run(None, "preview", str(folder), "--remote", "--bill-cycle-day", "5", "--base-url", "http://127.0.0.1:9")
    assert result.exit_code == 2 and "--bill-cycle-day" in result.output


def test_the_new_customer_example_is_previewed_remotely_and_offline():
    from pathlib import Path

    from orderspec.preview_tables import preview_part

    spec = str(Path(__file__).resolve().parents[1] / "examples" / "new-customer-subscription.order.yaml")
    with emulator() as server:
        remote = run(server, "preview", spec, "--remote", "--base-url", server.url, "--json", *FAST)
    assert remote.exit_code == 0, remote.output
    assert [entry["status"] for entry in json.loads(remote.stdout)] == ["previewed"]
    # (the emulated tenant has no catalog prices: the example's price comes from examples/catalog.yaml)
    (offline_result,) = _results(run(None, "preview", spec, "--json"))
    # 5 seats at 5.00 from April 15, billed on the new account's day 1: April 15-30 is 16 of 30 days
    seats = [i for i in preview_part(offline_result)["invoices"][0]["invoiceItems"] if i["chargeName"] == "seats"]
    assert seats[0]["amountWithoutTax"] == Decimal("13.33")


def test_a_preview_request_the_tenant_would_refuse_is_not_sent(tmp_path):
    folder = copy_specs(tmp_path, "new-account-create.order.yaml")
    with emulator() as server:
        result = run(server, "preview", str(folder), "--thru", "2023-12-31", "--remote", "--base-url", server.url,
                     *FAST)
        assert server.requests == []
    assert result.exit_code == 1
    assert "R010" in result.stderr and "before the order date" in result.stderr
    assert "in the preview request(s) made from the specs: nothing previewed" in result.stderr
