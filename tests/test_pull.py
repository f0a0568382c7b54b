"""`orderspec pull`: subscriptions and their accounts fetched over HTTP into a state folder.

The tenant here is a small HTTP server on 127.0.0.1 answering GET /v1/subscriptions/{key} and
GET /v1/accounts/{key} with bodies shaped as the API reference documents them (the bodies of
tests/fixtures/tenant-state), and "not found" as Zuora answers it (reason code 50000040, "Cannot find
entity by key").
"""

from __future__ import annotations

import json
import threading
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Iterator
from urllib.parse import unquote

import pytest
import yaml
from click.testing import CliRunner
from dispatch_support import SECRET, assert_no_secret, cli_env

from orderspec.cli import cli
from orderspec.load import load_file
from orderspec.state import load_state

FIXTURE = Path(__file__).parent / "fixtures" / "tenant-state"
TOKEN = "tok-Xq9-never-print-me"


def fixture_body(kind: str, name: str) -> Any:
    loaded = load_file(FIXTURE / kind / name)
    return loaded.documents[0].value


def as_json(value: Any) -> bytes:
    return json.dumps(value, default=lambda d: float(d) if isinstance(d, Decimal) else str(d)).encode()


class Tenant:
    """What the little server knows, and what it was asked."""

    def __init__(self) -> None:
        subscription = fixture_body("subscriptions", "A-S00000101.yaml")
        second = json.loads(as_json(subscription))
        second.update({"subscriptionNumber": "A-S00000102", "id": "8a8aa0f1sub102"})
        self.subscriptions: dict[str, Any] = {"A-S00000101": subscription, "A-S00000102": second}
        self.accounts: dict[str, Any] = {"A00000101": fixture_body("accounts", "A00000101.yaml")}
        self.requests: list[str] = []
        self.fail_next: list[int] = []  # statuses to answer before the real answer

    def answer(self, method: str, path: str, authorised: bool) -> tuple[int, Any]:
        self.requests.append(f"{method} {path}")
        if method == "POST" and path == "/oauth/token":
            return 200, {"access_token": TOKEN, "token_type": "bearer", "expires_in": 3599}
        if not authorised:
            return 401, {"success": False, "reasons": [{"code": 90000011, "message": "Authentication error"}]}
        if self.fail_next:
            return self.fail_next.pop(0), {"success": False, "reasons": [{"code": 50000000, "message": "busy"}]}
        parts = path.split("/")
        if method == "GET" and len(parts) == 4 and parts[2] in ("subscriptions", "accounts"):
            known = self.subscriptions if parts[2] == "subscriptions" else self.accounts
            key = unquote(parts[3])
            if key in known:
                return 200, known[key]
            return 404, {"success": False, "processId": "A1B2C3D4E5F60718",
                         "reasons": [{"code": 50000040, "message": f"Cannot find entity by key: '{key}'."}]}
        return 404, {"success": False, "reasons": [{"code": 50000040, "message": "no such endpoint"}]}


@pytest.fixture
def tenant() -> Iterator[tuple[Tenant, str]]:
    state = Tenant()

    class Handler(BaseHTTPRequestHandler):
        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            self.rfile.read(length)
            authorised = self.headers.get("Authorization") == f"Bearer {TOKEN}"
            status, body = state.answer(self.command, self.path, authorised)
            data = as_json(body)
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = _serve

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state, f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def pull(url: str, *args: str) -> Any:
    return CliRunner().invoke(cli, ["pull", *args, "--base-url", url, "--backoff", "0.001", "--timeout", "2"],
                              env=cli_env(), catch_exceptions=False)


def test_pull_writes_each_subscription_and_its_account_once(tenant: tuple[Tenant, str], tmp_path: Path) -> None:
    server, url = tenant
    out = tmp_path / "state"
    result = pull(url, "A-S00000101", "A-S00000102", "-o", str(out))
    assert result.exit_code == 0, result.output
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*.json")) == [
        "accounts/A00000101.json", "subscriptions/A-S00000101.json", "subscriptions/A-S00000102.json"]
    # One account request for the two subscriptions that share it.
    assert server.requests.count("GET /v1/accounts/A00000101") == 1
    assert "[1/2] A-S00000101:" in result.output and "[2/2] A-S00000102:" in result.output
    assert "pulled 2 of 2 subscription(s)" in result.output
    text = (out / "subscriptions" / "A-S00000101.json").read_text()
    # Keys sorted, money as the API wrote it.
    body = json.loads(text, parse_float=Decimal)
    assert list(body) == sorted(body)
    assert '"price": 10.0' in text and '"price": 19.99' in text
    # What was pulled is a state folder lint reads without a finding.
    state = load_state(str(out))
    assert state.diagnostics == ()
    assert state.subscriptions["A-S00000102"].rate_plans[0].charges[0].number == "C-00000001"
    assert state.accounts["A00000101"].currency == "USD"


def test_pulling_again_with_no_change_is_no_diff(tenant: tuple[Tenant, str], tmp_path: Path) -> None:
    server, url = tenant
    out = tmp_path / "state"
    assert pull(url, "A-S00000101", "-o", str(out)).exit_code == 0
    before = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in out.rglob("*.json")}
    again = pull(url, "A-S00000101", "-o", str(out))
    assert again.exit_code == 0
    assert {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in out.rglob("*.json")} == before
    assert "unchanged" in again.output and "(0 file(s) written, 2 unchanged)" in again.output
    # A change on the tenant is a change in the file.
    server.subscriptions["A-S00000101"]["status"] = "Suspended"
    assert pull(url, "A-S00000101", "-o", str(out)).exit_code == 0
    assert load_state(str(out)).subscriptions["A-S00000101"].status == "Suspended"


def test_a_subscription_not_found_fails_alone(tenant: tuple[Tenant, str], tmp_path: Path) -> None:
    _, url = tenant
    out = tmp_path / "state"
    result = pull(url, "A-S00000999", "A-S00000101", "-o", str(out))
    assert result.exit_code == 1
    assert ("[1/2] A-S00000999: not found ([50000040] Cannot find entity by key: 'A-S00000999'.)"
            in result.output)
    assert (out / "subscriptions" / "A-S00000101.json").is_file()
    assert not (out / "subscriptions" / "A-S00000999.json").exists()
    assert "pulled 1 of 2 subscription(s)" in result.output


def test_an_account_not_found_fails_its_subscription(tenant: tuple[Tenant, str], tmp_path: Path) -> None:
    server, url = tenant
    server.accounts.clear()
    result = pull(url, "A-S00000101", "-o", str(tmp_path))
    assert result.exit_code == 1
    assert "account A00000101: not found" in result.output
    assert (tmp_path / "subscriptions" / "A-S00000101.json").is_file()


def test_a_busy_tenant_is_retried(tenant: tuple[Tenant, str], tmp_path: Path) -> None:
    server, url = tenant
    server.fail_next = [503, 429]
    result = pull(url, "A-S00000101", "-o", str(tmp_path))
    assert result.exit_code == 0, result.output
    assert server.requests.count("GET /v1/subscriptions/A-S00000101") == 3


def test_a_yaml_file_kept_by_hand_is_updated_in_yaml(tenant: tuple[Tenant, str], tmp_path: Path) -> None:
    server, url = tenant
    folder = tmp_path / "subscriptions"
    folder.mkdir()
    (folder / "A-S00000101.yaml").write_text("subscriptionNumber: A-S00000101\nstatus: Suspended\n")
    assert pull(url, "A-S00000101", "-o", str(tmp_path)).exit_code == 0
    assert not (folder / "A-S00000101.json").exists()
    written = (folder / "A-S00000101.yaml").read_text()
    assert yaml.safe_load(written)["status"] == "Active"
    # Dates stay text, money stays exact, and the file reads back cleanly.
    state = load_state(str(tmp_path))
    assert state.diagnostics == ()
    subscription = state.subscriptions["A-S00000101"]
    assert subscription.term_end_date == "2026-01-01"
    assert subscription.body["ratePlans"][0]["ratePlanCharges"][0]["price"] == Decimal("19.99")
    first = written
    assert pull(url, "A-S00000101", "-o", str(tmp_path)).exit_code == 0
    assert (folder / "A-S00000101.yaml").read_text() == first


def test_secrets_stay_out_of_the_output(tenant: tuple[Tenant, str], tmp_path: Path) -> None:
    _, url = tenant
    result = pull(url, "A-S00000101", "A-S00000999", "-o", str(tmp_path))
    assert_no_secret(result.output)
    assert TOKEN not in result.output
    for path in tmp_path.rglob("*"):
        if path.is_file():
            assert_no_secret(path.read_bytes())
            assert TOKEN.encode() not in path.read_bytes()


def test_usage_problems(tenant: tuple[Tenant, str], tmp_path: Path) -> None:
    _, url = tenant
    runner = CliRunner()
    no_place = runner.invoke(cli, ["pull", "A-S00000101", "-o", str(tmp_path)], env=cli_env())
    assert no_place.exit_code == 2 and "--env NAME or --base-url URL" in no_place.output
    no_credentials = runner.invoke(cli, ["pull", "A-S00000101", "--base-url", url, "-o", str(tmp_path)],
                                   env={"ZUORA_CLIENT_ID": "", "ZUORA_CLIENT_SECRET": ""})
    assert no_credentials.exit_code == 2
    assert not (tmp_path / "subscriptions").exists()


def test_an_unreachable_tenant_fails_every_subscription(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["pull", "A-S1", "A-S2", "--base-url", "http://127.0.0.1:9", "-o",
                                      str(tmp_path), "--backoff", "0.001", "--max-wait", "3", "--timeout", "1"],
                                env=cli_env())
    assert result.exit_code == 2 and "could not connect" in result.output
    assert SECRET not in result.output
