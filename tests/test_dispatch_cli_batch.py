"""`orderspec send` on batches, end to end: --concurrency and its config keys, results as they
settle, one JSON document, the exit statuses of a busy journal and an unreachable tenant."""

from __future__ import annotations

import json

from click.testing import CliRunner

from dispatch_support import FAST, assert_no_secret, cli_env, emulator, journal_text
from orderspec.cli import cli
from orderspec.dispatch.journal import Journal
from orderspec.gate import EXIT_JOURNAL_BUSY, EXIT_UNREACHABLE
from test_dispatch_batch import write_orders


def run(*args):
    result = CliRunner().invoke(cli, [*args], env=cli_env(), catch_exceptions=False)
    assert_no_secret(result.stdout, result.stderr)
    return result


def test_a_line_per_order_as_it_settles_and_a_summary_with_orders_per_second(tmp_path):
    folder = write_orders(tmp_path / "specs", 12)
    with emulator() as server:
        result = run("send", str(folder), "--base-url", server.url, "--yes", "--concurrency", "4", *FAST)
        assert len(server.orders()) == 12
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 12 and all(line.startswith("created") for line in lines)
    assert "12 created on" in result.stderr and "orders/s" in result.stderr


def test_json_stays_one_document_with_a_summary(tmp_path):
    folder = write_orders(tmp_path / "specs", 6)
    with emulator() as server:
        result = run("send", str(folder), "--base-url", server.url, "--yes", "-c", "3", "--json", *FAST)
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)  # the whole of stdout: one document
    assert data["concurrency"] == 3 and len(data["results"]) == 6
    assert data["summary"]["sent"] == 6 and float(data["summary"]["ordersPerSecond"]) > 0


def test_concurrency_from_the_config_and_its_ceiling(tmp_path, monkeypatch):
    folder = write_orders(tmp_path / "specs", 3)
    config = tmp_path / "orderspec.toml"
    config.write_text("[tool.orderspec.send]\nconcurrency = 5\nmax-concurrency = 6\n")
    monkeypatch.chdir(tmp_path)
    with emulator() as server:
        from_config = run("send", str(folder), "--base-url", server.url, "--yes", "--json", *FAST)
        capped = run("send", str(folder), "--base-url", server.url, "--yes", "--json", "-c", "50", *FAST)
    assert json.loads(from_config.stdout)["concurrency"] == 5
    assert json.loads(capped.stdout)["concurrency"] == 6
    assert "above the ceiling of 6" in capped.stderr


def test_a_bad_send_table_in_the_config_is_a_usage_error(tmp_path, monkeypatch):
    folder = write_orders(tmp_path / "specs", 1)
    (tmp_path / "orderspec.toml").write_text("[tool.orderspec.send]\nconcurency = 5\n")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["send", str(folder), "--base-url", "http://127.0.0.1:9", "--yes"],
                                env=cli_env())
    assert result.exit_code == 2 and "send.concurency" in result.stderr and "concurrency" in result.stderr


def test_a_busy_journal_has_its_own_exit_status(tmp_path):
    folder = write_orders(tmp_path / "specs", 2)
    with emulator() as server, Journal(folder / ".orderspec" / "journal.jsonl").locked():
        result = run("send", str(folder), "--base-url", server.url, "--yes", *FAST)
        assert server.orders() == []
    assert result.exit_code == EXIT_JOURNAL_BUSY == 5
    assert "another orderspec run" in result.stderr


def test_an_unreachable_tenant_has_its_own_exit_status_within_seconds(tmp_path):
    folder = write_orders(tmp_path / "specs", 30)
    with emulator() as server:
        url = server.url  # closed when the block ends: connections are refused
    result = run("send", str(folder), "--base-url", url, "--yes", "-c", "8", *FAST)
    assert result.exit_code == EXIT_UNREACHABLE == 4
    assert "could not connect" in result.stderr and "Nothing was sent" in result.stderr
    assert journal_text(folder) == ""  # the token request failed first: nothing was journalled


def test_a_tenant_that_dies_mid_run_stops_it_with_the_unreachable_status(tmp_path, monkeypatch):
    from orderspec.dispatch.client import Secret, ZuoraClient

    def token_from_earlier(self):  # the token came before the tenant went away
        self._token, self._token_expires = Secret("t"), 1e12

    monkeypatch.setattr(ZuoraClient, "authenticate", token_from_earlier)
    folder = write_orders(tmp_path / "specs", 30)
    with emulator() as server:
        url = server.url
    result = run("send", str(folder), "--base-url", url, "--yes", "-c", "4", *FAST)
    assert result.exit_code == EXIT_UNREACHABLE
    assert "stopped early" in result.stderr and "not sent" in result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 30 and all(line.startswith("not-sent") for line in lines)
    events = [json.loads(line)["event"] for line in journal_text(folder).splitlines()]
    assert set(events) == {"sending", "not-sent"} and events.count("sending") == events.count("not-sent")


def test_a_tls_failure_counts_as_unreachable(tmp_path):
    folder = write_orders(tmp_path / "specs", 2)
    with emulator() as server:  # plain HTTP: an https client's handshake fails
        result = run("send", str(folder), "--base-url", server.url.replace("http://", "https://"), "--yes", *FAST)
        assert server.orders() == []
    assert result.exit_code == EXIT_UNREACHABLE
    assert "ConnectError" in result.stderr and journal_text(folder) == ""


def test_a_tenant_taking_no_requests_stops_the_run_with_the_unreachable_status(tmp_path):
    from orderspec.emulator import Faults

    folder = write_orders(tmp_path / "specs", 10)
    with emulator(faults=Faults(rate=1.0, kinds=("429",))) as server:
        result = run("send", str(folder), "--base-url", server.url, "--yes", "-c", "4", *FAST,
                     "--max-attempts", "2", "--max-wait", "0.3")
        assert server.orders() == []
    assert result.exit_code == EXIT_UNREACHABLE
    assert "stopped early: the tenant answered nothing but HTTP 429" in result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 10 and all(line.startswith("not-sent") for line in lines)
