"""Fair pacing: a tenant that keeps answering 429 slows the whole batch down, but no order gives up
because the others took the slots while it waited its turn (over real HTTP, against the emulator)."""

from __future__ import annotations

import json
from collections import Counter

from dispatch_support import client, dispatcher, emulator, journal_text, policy, rendered
from orderspec.dispatch import Pace, send_batch
from orderspec.emulator import Faults
from test_dispatch_batch import write_orders
from test_emulator import token
from test_emulator_load import every_order

ORDERS, THREADS, ATTEMPTS = 60, 16, 4


def turned_away(server) -> Counter[str]:
    """429s the emulator answered to order POSTs, per Idempotency-Key."""
    return Counter(r["key"] for r in server.requests
                   if r["method"] == "POST" and r["path"] == "/v1/orders" and r["fault"] == "429")


def test_sustained_429s_on_many_threads_create_every_order_once_and_drop_none(tmp_path):
    folder = write_orders(tmp_path / "specs", ORDERS)
    items = rendered(folder)
    # Six requests in ten are turned away, all run long: with four attempts an order, some order
    # meets four 429s in a row (chance 0.6**4 each, 60 orders), which used to drop it as not sent.
    faults = Faults(rate=0.6, kinds=("429",), seed=20261202)
    pace = Pace(THREADS, ceiling=THREADS)
    with emulator(faults=faults) as server:
        with client(server, pace=pace, policy=policy(max_attempts=ATTEMPTS)) as zuora:
            outcomes = send_batch(items, dispatcher(zuora), concurrency=THREADS)
        faults.rate = 0.0  # the check itself is not throttled
        held = every_order(server, token(server))  # GET /v1/orders, page after page
        away = turned_away(server)
    assert [(o.status, o.detail) for o in outcomes if o.status != "created"] == []
    assert sorted(held) == [f"O-BATCH-{n:05d}" for n in range(ORDERS)]  # each exactly once
    events = [json.loads(line).get("event") for line in journal_text(folder).splitlines()]
    assert events.count("created") == ORDERS and "not-sent" not in events
    # The starvation did happen: some order was turned away at least as often as its whole
    # attempt budget, and was still created.
    assert max(away.values()) >= ATTEMPTS
    assert pace.throttles == sum(away.values())


def test_a_tenant_answering_nothing_but_429_stops_the_whole_run_alike_and_the_rerun_sends_each_once(tmp_path):
    folder = write_orders(tmp_path / "specs", 20)
    items = rendered(folder)
    faults = Faults(rate=1.0, kinds=("429",))
    with emulator(faults=faults) as server:
        # A whole budget (3 attempts, 0.3 s) of nothing but 429s, across threads: the run gives up
        # on the tenant, for every order at once, instead of on whichever order ran out first.
        with client(server, pace=Pace(8, ceiling=8), policy=policy(max_attempts=3, total_time=0.3)) as zuora:
            outcomes = send_batch(items, dispatcher(zuora), concurrency=8)
            why = zuora.reachability.dead
        assert server.orders() == []
        records = [json.loads(line) for line in journal_text(folder).splitlines()]
        faults.rate = 0.0
        with client(server) as zuora:
            again = send_batch(items, dispatcher(zuora), concurrency=8)
        held = every_order(server, token(server))
    assert why is not None and "nothing but HTTP 429" in why
    assert [o.status for o in outcomes] == ["not-sent"] * 20
    started = {r["key"] for r in records if r["event"] == "sending"}
    assert started and {r["key"] for r in records if r["event"] == "not-sent"} == started
    assert {o.detail for o in outcomes if o.key in started} == {
        "not sent: the tenant is taking no requests (HTTP 429 only); run the same command again"}
    assert [o.status for o in again] == ["created"] * 20
    assert sorted(held) == [f"O-BATCH-{n:05d}" for n in range(20)]
