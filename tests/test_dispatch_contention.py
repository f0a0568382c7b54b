"""Lock contention among a batch's own orders: orders sharing an existing account collide on the
tenant's account lock; that account then goes one order at a time, and the collisions spend none
of an order's new attempts (over real HTTP, against the emulator's account locks)."""

from __future__ import annotations

import json
import threading
from collections import Counter

import httpx

from dispatch_support import client, dispatcher, emulator, journal_text, rendered
from orderspec.dispatch import Pace, send_batch
from orderspec.dispatch.accounts import AccountGate
from orderspec.emulator import Faults
from test_dispatch_batch import write_orders
from test_emulator import token
from test_emulator_load import every_order

ORDERS, ACCOUNTS, THREADS = 48, 3, 12


def post_keys(server) -> list[str]:
    return [r["key"] for r in server.requests if r["method"] == "POST" and r["path"] == "/v1/orders"]


def test_orders_sharing_a_few_accounts_are_each_created_once_and_none_fails_on_contention(tmp_path):
    folder = write_orders(tmp_path / "specs", ORDERS, account=lambda n: f"A{n % ACCOUNTS:08d}")
    items = rendered(folder)
    # Each create holds its account's lock a while: a dozen in flight on three accounts collide at
    # once. Before, every collision spent one of the order's 3 new attempts, and an order on a
    # busy account ran out of them (failed) only because the batch's own orders trod on it.
    with emulator(account_lock=0.03) as server:
        with client(server, pace=Pace(THREADS, ceiling=THREADS)) as zuora:
            run = dispatcher(zuora)
            outcomes = send_batch(items, run, concurrency=THREADS)
        held = every_order(server, token(server))  # GET /v1/orders, page after page
        contended = server.account_locks.contended
        keys = post_keys(server)
        duplicates = server.duplicate_order_numbers
    assert [(o.name, o.status, o.detail) for o in outcomes if o.status != "created"] == []
    assert sorted(held) == [f"O-BATCH-{n:05d}" for n in range(ORDERS)]  # each exactly once
    assert duplicates == 0
    assert contended > 0 and run.accounts.forgiven == contended  # the collisions did happen
    # Once an account is serialised its later orders wait in the scheduler, holding no place; only
    # the ones already handed to a thread (at most one wave) wait for the account on a thread.
    assert run.accounts.waited <= 2 * THREADS < ORDERS - ACCOUNTS
    assert len(keys) == len(set(keys)) == ORDERS + contended  # a new key per attempt, never reused
    records = [json.loads(line) for line in journal_text(folder).splitlines()]
    sending = [r["attemptKey"] for r in records if r["event"] == "sending"]
    assert sorted(sending) == sorted(keys)  # every attempt journalled before it was sent
    assert Counter(r["event"] for r in records)["created"] == ORDERS


def test_async_orders_sharing_accounts_are_each_created_once(tmp_path):
    folder = write_orders(tmp_path / "specs", 24, account=lambda n: f"A{n % 2:08d}")
    text = (folder / "batch.order.yaml").read_text().replace("operation: create", "operation: create\nasync: true")
    (folder / "batch.order.yaml").write_text(text)
    items = rendered(folder)
    assert all(item.rendered.endpoint.is_async for item in items)
    with emulator(account_lock=0.03) as server:
        with client(server, pace=Pace(8, ceiling=8)) as zuora:
            outcomes = send_batch(items, dispatcher(zuora), concurrency=8)
        held = every_order(server, token(server))
        contended = server.account_locks.contended
    assert [(o.name, o.status, o.detail) for o in outcomes if o.status != "created"] == []
    assert sorted(held) == [f"O-BATCH-{n:05d}" for n in range(24)]
    assert contended > 0


def test_a_tenant_answering_contention_for_ever_still_ends_the_run(tmp_path):
    """Contention met by an order alone on its account is not the batch's doing: it spends new
    attempts, so every order ends (failed, to be run again) and nothing is created."""
    folder = write_orders(tmp_path / "specs", 16, account=lambda n: f"A{n % 2:08d}")
    items = rendered(folder)
    with emulator(faults=Faults(rate=1.0, kinds=("lock",))) as server:
        with client(server, pace=Pace(8, ceiling=8)) as zuora:
            run = dispatcher(zuora, new_attempts=2)
            outcomes = send_batch(items, run, concurrency=8)
        assert server.orders() == []
        keys = post_keys(server)
    assert {o.status for o in outcomes} == {"failed"}
    assert all(o.reasons and o.reasons[0].category == 50 for o in outcomes)
    # Three counted attempts each, plus at most the one collision forgiven before its account went
    # one order at a time.
    assert len(keys) <= 16 * 4
    assert run.accounts.forgiven <= 16


def test_the_emulator_refuses_a_second_create_on_a_locked_account_with_lock_contention():
    with emulator(account_lock=0.3) as server:
        bearer = token(server)
        bodies = [{"orderDate": "2024-01-01", "orderNumber": f"O-LOCK-{n}", "existingAccountNumber": "A1",
                   "subscriptions": []} for n in range(2)]
        answers: list[httpx.Response] = []

        def post(body: dict) -> None:
            answers.append(httpx.post(f"{server.url}/v1/orders", json=body, timeout=10,
                                      headers={"Authorization": f"Bearer {bearer}"}))

        first = threading.Thread(target=post, args=(bodies[0],))
        first.start()
        while not server.account_locks.busy("A1"):
            pass
        post(bodies[1])
        first.join()
        made = [o["orderNumber"] for o in server.orders()]
    refused = answers[0].json()
    assert answers[0].status_code == 200 and refused["success"] is False
    assert refused["reasons"][0]["code"].endswith("50") and "lock contention" in refused["reasons"][0]["message"]
    assert answers[1].json()["success"] is True and made == ["O-LOCK-0"]


def test_an_account_that_met_contention_lets_one_attempt_on_it_at_a_time():
    stop = threading.Event()
    gate = AccountGate(stop)
    first, second = gate.enter("A1"), gate.enter("A1")  # in parallel: the account is not serialised yet
    assert first.company and second.company
    assert gate.contended(second) is True  # the batch's own collision: forgiven
    gate.leave(second)
    entered: list[object] = []
    waiter = threading.Thread(target=lambda: entered.append(gate.enter("A1")))
    waiter.start()
    waiter.join(0.2)
    assert entered == []  # waits while the first is still on the account
    gate.leave(first)
    waiter.join(5)
    (alone,) = entered
    assert not alone.company and gate.contended(alone) is False  # met alone: from outside, it counts


def test_the_emulator_command_takes_account_lock(monkeypatch):
    from click.testing import CliRunner

    from orderspec.cli import cli
    from orderspec.emulator import command

    seen: dict = {}
    monkeypatch.setattr(command, "run", lambda *args, **settings: seen.update(settings) or 0)
    result = CliRunner().invoke(cli, ["emulator", "--port", "0", "--account-lock", "0.25"])
    assert result.exit_code == 0, result.output
    assert seen["account_lock"] == 0.25
