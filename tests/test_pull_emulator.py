"""`orderspec pull` against the project's emulator over HTTP on 127.0.0.1: a subscription that an
order created there is pulled, linted against, and pulled again."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
from click.testing import CliRunner
from dispatch_support import FAST, FIXTURES, assert_no_secret, cli_env, emulator

from orderspec.cli import cli
from orderspec.state import load_state


def run(*args: str) -> Any:
    return CliRunner().invoke(cli, list(args), env=cli_env(), catch_exceptions=False)


def created_subscription(url: str, specs: Path) -> str:
    sent = run("send", str(specs / "create.order.yaml"), "--base-url", url, "--yes", *FAST)
    assert sent.exit_code == 0, sent.output
    with httpx.Client(base_url=url) as http:
        token = http.post("/oauth/token", data={"grant_type": "client_credentials", **dict(
            zip(("client_id", "client_secret"), cli_env().values()))}).json()["access_token"]
        order = http.get("/v1/orders/O-DISPATCH-SYNC", headers={"Authorization": f"Bearer {token}"}).json()
    numbers = order["order"]["subscriptions"]
    return str(numbers[0]["subscriptionNumber"])


def test_a_subscription_created_on_the_emulator_is_pulled_and_linted_against(tmp_path: Path) -> None:
    specs = tmp_path / "specs"
    specs.mkdir()
    (specs / "create.order.yaml").write_text((FIXTURES / "create.order.yaml").read_text())
    out = tmp_path / "state"
    with emulator() as server:
        number = created_subscription(server.url, specs)
        pulled = run("pull", number, "A-S99999999", "--base-url", server.url, "-o", str(out), "--backoff", "0.001")
        assert pulled.exit_code == 1  # the unknown one
        assert f"[2/2] A-S99999999: not found ([50000040]" in pulled.output
        assert_no_secret(pulled.output)
        state = load_state(str(out))
        assert state.diagnostics == ()
        subscription = state.subscriptions[number]
        assert (subscription.status, subscription.account_number) == ("Active", "A00000101")
        assert subscription.rate_plans[0].product_rate_plan_id == "8ad09be48db5aa31018db8f2ac4e1a2b"
        assert state.accounts["A00000101"].currency
        before = {p: p.read_bytes() for p in out.rglob("*.json")}
        again = run("pull", number, "--base-url", server.url, "-o", str(out))
        assert again.exit_code == 0 and {p: p.read_bytes() for p in out.rglob("*.json")} == before
    # An amendment linted against what was pulled.
    plan = subscription.rate_plans[0]
    amendment = specs / "amend.order.yaml"
    amendment.write_text(json.dumps({
        "orderspec": 1, "operation": "create",
        "body": {"orderDate": "2024-03-01", "existingAccountNumber": "A00000101", "subscriptions": [{
            "subscriptionNumber": number, "orderActions": [
                {"type": "RemoveProduct", "removeProduct": {"ratePlanId": plan.id}},
                {"type": "Resume", "resume": {"resumePolicy": "Today"}}]}]}}))
    linted = run("lint", str(amendment), "--state", str(out))
    assert linted.exit_code == 1
    assert [line.split(" ")[1] for line in linted.output.splitlines() if ": R0" in line] == ["R063"]


def test_a_pulled_state_folder_is_a_tenant_to_rehearse_against(tmp_path: Path) -> None:
    """Pulled files start an emulator (--state) that answers them back byte for byte."""
    specs = tmp_path / "specs"
    specs.mkdir()
    (specs / "create.order.yaml").write_text((FIXTURES / "create.order.yaml").read_text())
    first, second = tmp_path / "first", tmp_path / "second"
    with emulator() as server:
        number = created_subscription(server.url, specs)
        assert run("pull", number, "--base-url", server.url, "-o", str(first)).exit_code == 0
    with emulator(state=load_state(str(first))) as copy:
        assert run("pull", number, "--base-url", copy.url, "-o", str(second)).exit_code == 0
    files = sorted(p.relative_to(first) for p in first.rglob("*.json"))
    assert files == sorted(p.relative_to(second) for p in second.rglob("*.json")) and len(files) == 2
    for name in files:
        assert (first / name).read_bytes() == (second / name).read_bytes(), name


def test_created_pulled_amended_previewed_alike_and_pulled_again(tmp_path: Path) -> None:
    """Issue 12's round trip: a subscription created on the emulator is pulled; an amendment to it
    is previewed offline against the pulled state and by the emulator with the same figures; sent,
    it changes what the next pull shows."""
    from decimal import Decimal

    from orderspec.preview_tables import preview_part

    specs = tmp_path / "specs"
    specs.mkdir()
    (specs / "create.order.yaml").write_text((FIXTURES / "create.order.yaml").read_text())
    out = tmp_path / "state"
    with emulator() as server:
        number = created_subscription(server.url, specs)
        assert run("pull", number, "--base-url", server.url, "-o", str(out)).exit_code == 0
        before = load_state(str(out)).subscriptions[number]
        (plan,) = before.rate_plans
        (charge,) = plan.charges
        amendment = tmp_path / "amend" / "price.order.yaml"
        amendment.parent.mkdir()
        amendment.write_text(json.dumps({
            "orderspec": 1, "operation": "create",
            "body": {"orderDate": "2024-03-01", "orderNumber": "O-PRICE-UP", "existingAccountNumber": "A00000101",
                     "subscriptions": [{"subscriptionNumber": number, "orderActions": [{
                         "type": "UpdateProduct",
                         "triggerDates": [{"name": name, "triggerDate": "2024-03-01"} for name in
                                          ("ContractEffective", "ServiceActivation", "CustomerAcceptance")],
                         "updateProduct": {"ratePlanId": plan.id, "chargeUpdates": [{
                             "chargeNumber": charge.number,
                             "pricing": {"recurringFlatFee": {"listPrice": 29.99}}}]}}]}]}}))
        offline = run("preview", str(amendment), "--state", str(out), "--json")
        assert offline.exit_code == 0, offline.output
        remote = run("preview", str(amendment), "--remote", "--base-url", server.url, "--json", *FAST)
        assert remote.exit_code == 0, remote.output
        offline_part = preview_part(json.loads(offline.stdout, parse_float=Decimal)[0]["response"])
        remote_part = preview_part(json.loads(remote.stdout, parse_float=Decimal)[0]["response"])
        assert offline_part == remote_part
        items = [i for invoice in offline_part["invoices"] for i in invoice["invoiceItems"]]
        assert any(i["amountWithoutTax"] == Decimal("29.99") for i in items)
        sent = run("send", str(amendment), "--base-url", server.url, "--yes", *FAST)
        assert sent.exit_code == 0, sent.output
        assert run("pull", number, "--base-url", server.url, "-o", str(out)).exit_code == 0
    after = load_state(str(out)).subscriptions[number]
    prices = [json.loads(json.dumps(c, default=str)).get("price")
              for p in after.body.get("ratePlans", []) for c in p.get("ratePlanCharges", [])]
    assert 29.99 in prices or "29.99" in [str(p) for p in prices], prices
