"""Unconfirmed creates are settled by looking the order up by its orderNumber (GET /v1/orders/{n})."""

from __future__ import annotations

import json
import time

from dispatch_support import (FAST, SECRET, assert_no_secret, assert_no_token, cli_env, client, copy_specs,
                              dispatcher, drop_order_number, emulator, journal_text, policy, rendered)
from orderspec.dispatch import send_batch
from orderspec.dispatch.journal import Journal, journal_path_for
from orderspec.emulator import Faults

NUMBER = "O-DISPATCH-SYNC"


def posts(server):
    return [r for r in server.requests if r["method"] == "POST"]


def lookups(server):
    return [r for r in server.requests if r["method"] == "GET" and r["path"].startswith("/v1/orders/")]


def journal_of(items):
    return Journal(journal_path_for(items[0].spec_path))


def unconfirmed(items, server, *, hours_ago: float, event: str = "sending") -> str:
    """Journal an earlier send of the first order to `server` that never got an answer; returns its key."""
    key = items[0].rendered.idempotency_key
    then = Journal(journal_path_for(items[0].spec_path), clock=lambda: time.time() - hours_ago * 3600)
    common = {"key": key, "spec": "create.order.yaml", "endpoint": "create", "tenant": {"baseUrl": server.url}}
    then.append({**common, "event": "sending", "attempt": 0, "attemptKey": key})
    if event != "sending":
        then.append({**common, "event": event, "attempt": 0})
    return key


def run(server, items, **settings):
    with client(server, **settings) as zuora:
        return send_batch(items, dispatcher(zuora))


def test_unknown_order_found_in_zuora_is_journalled_as_created_without_a_second_post(tmp_path):
    folder = copy_specs(tmp_path, "create.order.yaml")
    items = rendered(folder)
    key = items[0].rendered.idempotency_key
    # The create is processed, the connection drops before the answer, and the retry budget is one
    # attempt: the run ends with "unknown" (within the key's lifetime).
    with emulator(faults=Faults(script=["drop-after"])) as server:
        (first,) = run(server, items, policy=policy(max_attempts=1))
        assert first.status == "unknown"
        assert journal_of(items).states()[key].status == "unknown"
        (second,) = run(server, items)
        assert second.status == "created" and second.order_number == NUMBER
        (order,) = server.orders()
        assert second.subscription_numbers == order["subscriptionNumbers"] != []
        assert [p["key"] for p in posts(server)] == [key]  # nothing was sent again
        assert [r["path"] for r in lookups(server)] == [f"/v1/orders/{NUMBER}"]
        state = journal_of(items).states()[key]
        assert state.status == "created" and state.record["orderNumber"] == NUMBER
        assert state.record["subscriptionNumbers"] == order["subscriptionNumbers"]
        assert state.record["settledBy"] == "lookup"
        (third,) = run(server, items)
        assert third.status == "skipped" and len(lookups(server)) == 1


def test_not_found_after_the_key_expired_is_sent_once_with_a_new_key(tmp_path):
    folder = copy_specs(tmp_path, "create.order.yaml")
    items = rendered(folder)
    with emulator() as server:
        key = unconfirmed(items, server, hours_ago=24, event="unknown")
        (outcome,) = run(server, items)
        assert outcome.status == "created" and outcome.order_number == NUMBER
        assert len(lookups(server)) == 1
        assert [p["key"] for p in posts(server)] == [f"{key}-1"]
        (order,) = server.orders()
        assert order["idempotencyKey"] == f"{key}-1"
    records = journal_of(items).read()
    events = [(r["event"], r.get("attemptKey")) for r in records[2:]]
    # The new attempt's key is journalled before it is sent.
    assert events == [("sending", f"{key}-1"), ("created", None)]
    assert journal_of(items).states()[key].attempt_key == f"{key}-1"


def test_not_found_within_the_key_lifetime_is_sent_with_the_same_key(tmp_path):
    folder = copy_specs(tmp_path, "create.order.yaml")
    items = rendered(folder)
    with emulator() as server:
        key = unconfirmed(items, server, hours_ago=1)
        (outcome,) = run(server, items)
        assert outcome.status == "created"
        assert len(lookups(server)) == 1 and [p["key"] for p in posts(server)] == [key]
        assert len(server.orders()) == 1


def test_a_failing_lookup_sends_nothing_and_stays_unknown(tmp_path):
    folder = copy_specs(tmp_path, "create.order.yaml")
    items = rendered(folder)
    attempts = 3
    with emulator(faults=Faults(script=["500", "503", "500"])) as server:
        key = unconfirmed(items, server, hours_ago=24)
        (outcome,) = run(server, items, policy=policy(max_attempts=attempts))
        assert outcome.status == "unknown"
        assert "nothing was sent" in outcome.detail and NUMBER in outcome.detail
        assert len(lookups(server)) == attempts and posts(server) == [] and server.orders() == []
        # The lookup answers again: the next run settles it (sent once, under a new key).
        (later,) = run(server, items)
        assert later.status == "created" and [p["key"] for p in posts(server)] == [f"{key}-1"]
    state = journal_of(items).states()[key]
    assert state.status == "created" and state.attempt_key == f"{key}-1"


def test_a_failing_lookup_within_the_key_lifetime_sends_nothing_either(tmp_path):
    folder = copy_specs(tmp_path, "create.order.yaml")
    items = rendered(folder)
    with emulator(faults=Faults(script=["drop-before", "500"])) as server:
        key = unconfirmed(items, server, hours_ago=1)
        (outcome,) = run(server, items, policy=policy(max_attempts=2))
        assert outcome.status == "unknown" and posts(server) == []
    assert journal_of(items).states()[key].status == "unknown"


def test_without_an_order_number_nothing_is_looked_up(tmp_path):
    folder = copy_specs(tmp_path, "create.order.yaml")
    drop_order_number(folder)
    items = rendered(folder)
    with emulator() as server:
        key = unconfirmed(items, server, hours_ago=1)
        (outcome,) = run(server, items)
        assert outcome.status == "created"
        assert lookups(server) == [] and [p["key"] for p in posts(server)] == [key]


def test_an_order_number_taken_by_another_order_is_a_conflict(tmp_path):
    folder = copy_specs(tmp_path, "create.order.yaml")
    spec = folder / "create.order.yaml"
    theirs = tmp_path / "theirs"
    theirs.mkdir()
    (theirs / "other.order.yaml").write_text(spec.read_text().replace("A00000101", "A00000999"))
    items = rendered(folder)
    with emulator() as server:
        key = unconfirmed(items, server, hours_ago=24)
        (other,) = run(server, rendered(theirs))  # someone else's order took the number
        assert other.status == "created"
        (outcome,) = run(server, items)
        assert outcome.status == "conflict" and not outcome.ok
        assert NUMBER in outcome.detail and "A00000999" in outcome.detail and "A00000101" in outcome.detail
        assert len(posts(server)) == 1 and len(server.orders()) == 1
        assert journal_of(items).states()[key].status == "failed"  # ours was not created under it
        # Given another order number, the spec is sent (not held back as "may exist").
        spec.write_text(spec.read_text().replace(NUMBER, "O-DISPATCH-OTHER"))
        (fixed,) = run(server, rendered(folder))
        assert fixed.status == "created" and fixed.order_number == "O-DISPATCH-OTHER"
        assert len(server.orders()) == 2 and server.duplicate_order_numbers == 0


def test_cli_dry_run_and_send_settle_by_lookup_without_leaking_the_secret(tmp_path):
    from click.testing import CliRunner

    from orderspec.cli import cli

    numbered = copy_specs(tmp_path, "create.order.yaml")
    (tmp_path / "plain").mkdir()
    plain = copy_specs(tmp_path / "plain", "create.order.yaml")
    drop_order_number(plain)
    runner = CliRunner()
    with emulator() as server:
        unconfirmed(rendered(numbered), server, hours_ago=24)
        unconfirmed(rendered(plain), server, hours_ago=24)
        args = ["--base-url", server.url, "--json", *FAST]
        dry = runner.invoke(cli, ["send", str(numbered), *args], env=cli_env(), catch_exceptions=False)
        (plan,) = json.loads(dry.stdout)["results"]
        assert plan["action"].startswith(f"look up order {NUMBER}") and "new Idempotency-Key" in plan["action"]
        dry_plain = runner.invoke(cli, ["send", str(plain), *args], env=cli_env(), catch_exceptions=False)
        (plain_plan,) = json.loads(dry_plain.stdout)["results"]
        assert plain_plan["action"].startswith("unknown") and "orderNumber" in plain_plan["action"]
        assert server.requests == []
        sent = runner.invoke(cli, ["send", str(numbered), *args, "--yes"], env=cli_env(), catch_exceptions=False)
        plain_sent = runner.invoke(cli, ["send", str(plain), *args, "--yes"], env=cli_env(), catch_exceptions=False)
        outputs = [dry.stdout, dry.stderr, dry_plain.stdout, dry_plain.stderr, sent.stdout, sent.stderr,
                   plain_sent.stdout, plain_sent.stderr, journal_text(numbered), journal_text(plain)]
        assert_no_token(server, *outputs)
        assert len(server.orders()) == 1
    assert_no_secret(*outputs)
    assert sent.exit_code == 0 and json.loads(sent.stdout)["results"][0]["status"] == "created"
    assert plain_sent.exit_code == 1
    (unknown,) = json.loads(plain_sent.stdout)["results"]
    assert unknown["status"] == "unknown" and "orderNumber" in unknown["detail"]
    assert SECRET not in repr(unknown)


def test_only_the_apis_not_found_answer_counts_as_not_found():
    from orderspec.dispatch.settle import _not_found

    missing = {"success": False, "reasons": [{"code": 58730240, "message": "The order number O-1 does not exist."}]}
    assert _not_found(404, missing) and _not_found(200, missing)
    assert not _not_found(500, missing)
    wrong_url = {"success": False, "reasons": [{"code": "50000040", "message": "The endpoint /v1/x does not exist."}]}
    assert not _not_found(404, wrong_url)  # a wrong base URL is not a missing order
    assert not _not_found(404, {"success": False, "reasons": []})
    assert not _not_found(404, None)
    mixed = {"success": False, "reasons": [missing["reasons"][0], {"code": "58730250", "message": "lock"}]}
    assert not _not_found(200, mixed)


def test_differences_compare_only_what_both_sides_state():
    from orderspec.dispatch.settle import differences

    body = {"existingAccountNumber": "A1", "orderDate": "2024-01-01",
            "subscriptions": [{"orderActions": [{"createSubscription": {"subscriptionNumber": "S-1"}}]}]}
    same = {"existingAccountNumber": "A1", "orderDate": "2024-01-01", "subscriptions": [{"subscriptionNumber": "S-1"}]}
    assert differences(same, body) == []
    assert differences({"orderNumber": "O-1"}, body) == []  # nothing to compare: not a conflict
    other = {**same, "existingAccountNumber": "A2", "subscriptions": [{"subscriptionNumber": "S-9"}]}
    found = differences(other, body)
    assert len(found) == 2 and "A2" in found[0] and "S-9" in found[1]
