"""Batches: many orders in flight, the order of related specs kept, the tenant's limits honoured,
a dead tenant stopping the run, Ctrl-C stopping every thread, and re-runs over big journals in
linear work (issue 13, items 1, 3, 7, 8)."""

from __future__ import annotations

import json
import threading
import time

import httpx
import pytest

from dispatch_support import FIXTURES, client, dispatcher, emulator, journal_text, policy, rendered
from orderspec.dispatch import Pace, Reachability, dry_run, send_batch
from orderspec.dispatch import journal as journal_module
from orderspec.dispatch.batch import order_resources
from orderspec.dispatch.journal import Journal


def write_orders(folder, count, *, account=lambda n: f"A{n:08d}", name="batch.order.yaml", start=0):
    """`count` create specs in one file, each with its own order number (and by default its own account)."""
    template = (FIXTURES / "create.order.yaml").read_text()
    documents = [template.replace("O-DISPATCH-SYNC", f"O-BATCH-{n:05d}").replace("A00000101", account(n))
                 for n in range(start, start + count)]
    folder.mkdir(exist_ok=True)
    (folder / name).write_text("---\n".join(documents))
    return folder


class Tracking(httpx.HTTPTransport):
    """Real HTTP, each order POST held `delay` seconds first; records when each order's POST starts
    and ends, and the most in flight at once."""

    def __init__(self, delay: float = 0.0) -> None:
        super().__init__()
        self.delay = delay
        self.lock = threading.Lock()
        self.in_flight = self.most = 0
        self.log: list[tuple[str, str]] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if request.method != "POST" or request.url.path != "/v1/orders":
            return super().handle_request(request)
        number = json.loads(request.content)["orderNumber"]
        with self.lock:
            self.in_flight += 1
            self.most = max(self.most, self.in_flight)
            self.log.append(("start", number))
        try:
            time.sleep(self.delay)
            response = super().handle_request(request)
            response.read()
            return response
        finally:
            with self.lock:
                self.in_flight -= 1
                self.log.append(("end", number))


def numbers(server):
    return sorted(o["orderNumber"] for o in server.orders())


# -- concurrency ----------------------------------------------------------------------------------


def test_unrelated_orders_go_in_parallel_up_to_the_concurrency(tmp_path):
    folder = write_orders(tmp_path / "specs", 24)
    items = rendered(folder)
    transport = Tracking(delay=0.05)
    with emulator() as server, client(server, transport=transport) as zuora:
        outcomes = send_batch(items, dispatcher(zuora), concurrency=6)
        assert numbers(server) == [f"O-BATCH-{n:05d}" for n in range(24)]
    assert [o.status for o in outcomes] == ["created"] * 24
    assert [o.name for o in outcomes] == [i.rendered.name for i in items]  # results in spec order
    assert 1 < transport.most <= 6


def test_orders_on_one_account_or_subscription_keep_their_order(tmp_path):
    # Every third order is on the shared account A-SHARED: those go one after the other, in spec order;
    # the rest go around them.
    folder = write_orders(tmp_path / "specs", 12, account=lambda n: "A-SHARED" if n % 3 == 0 else f"A{n:08d}")
    items = rendered(folder)
    transport = Tracking(delay=0.03)
    with emulator() as server, client(server, transport=transport) as zuora:
        outcomes = send_batch(items, dispatcher(zuora), concurrency=8)
    assert all(o.status == "created" for o in outcomes)
    shared = [f"O-BATCH-{n:05d}" for n in range(12) if n % 3 == 0]
    events = [(what, number) for what, number in transport.log if number in shared]
    # start 0, end 0, start 3, end 3, ...: a later one never leaves before the earlier one is answered.
    assert events == [(what, number) for number in shared for what in ("start", "end")]
    assert transport.most > 1


def test_resources_are_subscriptions_and_accounts(tmp_path):
    (create,) = rendered(write_orders(tmp_path / "a", 1))
    assert order_resources(create.rendered) == {"account:A00000000"}
    folder = tmp_path / "b"
    folder.mkdir()
    (folder / "new.order.yaml").write_text((FIXTURES / "new-account-create.order.yaml").read_text())
    (new_account,) = rendered(folder)
    body = json.loads(new_account.rendered.body)
    expected = {f"account:{body['newAccount']['accountNumber']}"} if "accountNumber" in body["newAccount"] else set()
    expected |= {f"subscription:{a['createSubscription']['subscriptionNumber']}"
                 for s in body["subscriptions"] for a in s["orderActions"]
                 if a.get("createSubscription", {}).get("subscriptionNumber")}
    assert order_resources(new_account.rendered) == expected


def test_a_later_order_on_the_same_account_is_held_when_the_earlier_one_failed(tmp_path):
    from orderspec.emulator import Faults

    folder = write_orders(tmp_path / "specs", 3, account=lambda n: "A-SHARED" if n < 2 else "A-OTHER")
    items = rendered(folder)
    # The first order meets a refusal with reasons (not "try again"): failed. The second, on the same
    # account, must not leave; the third, elsewhere, is created.
    refusal = {"success": False, "reasons": [{"code": 58730222, "message": "orderDate may not be null"}]}

    class Refusing(httpx.HTTPTransport):
        def handle_request(self, request):
            if request.method == "POST" and b"O-BATCH-00000" in request.content:
                return httpx.Response(200, json=refusal)
            return super().handle_request(request)

    with emulator(faults=Faults()) as server, client(server, transport=Refusing()) as zuora:
        outcomes = send_batch(items, dispatcher(zuora), concurrency=4)
        assert numbers(server) == ["O-BATCH-00002"]
    assert [o.status for o in outcomes] == ["failed", "held", "created"]
    assert "waits for" in outcomes[1].detail and items[0].rendered.name in outcomes[1].detail
    # The held one was never journalled: a re-run after the fix sends it as new.
    assert items[1].rendered.idempotency_key not in journal_text(folder)


def test_429s_lower_the_concurrency_and_every_order_is_still_created_once(tmp_path):
    folder = write_orders(tmp_path / "specs", 30)
    items = rendered(folder)
    pace = Pace(16, ceiling=16)
    with emulator(rate_limit=10, rate_window=0.2) as server:
        with client(server, pace=pace, policy=policy(max_attempts=30, total_time=30)) as zuora:
            outcomes = send_batch(items, dispatcher(zuora), concurrency=16)
        assert numbers(server) == [f"O-BATCH-{n:05d}" for n in range(30)]
    assert all(o.status == "created" for o in outcomes)
    assert pace.throttles > 0 and pace.lowest < 16


# -- a dead tenant --------------------------------------------------------------------------------


class Counting(httpx.HTTPTransport):
    def __init__(self) -> None:
        super().__init__()
        self.attempts = 0
        self.lock = threading.Lock()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        with self.lock:
            self.attempts += 1
        return super().handle_request(request)


def test_a_dead_tenant_stops_the_batch_and_the_rerun_sends_everything(tmp_path):
    folder = write_orders(tmp_path / "specs", 20)
    items = rendered(folder)
    with emulator() as server:
        port = int(server.url.rsplit(":", 1)[1])
        url = server.url
    transport = Counting()
    from orderspec.dispatch import Credentials, Secret, ZuoraClient
    from dispatch_support import CLIENT_ID, SECRET

    reach = Reachability(failures=3, span=0.0)
    zuora = ZuoraClient(url, Credentials(CLIENT_ID, Secret(SECRET)), policy=policy(max_attempts=6),
                        transport=transport, reachability=reach)
    # The token was fetched earlier (as `send` does before anything is journalled); then the tenant died.
    zuora._token, zuora._token_expires = __import__("orderspec.dispatch.client", fromlist=["Secret"]).Secret("t"), 1e12
    with zuora:
        outcomes = send_batch(items, dispatcher(zuora), concurrency=4)
    assert reach.dead is not None
    assert [o.status for o in outcomes] == ["not-sent"] * 20
    # Stopped early: a handful of attempts, not 20 orders x 6 attempts.
    assert transport.attempts <= 3 + 4
    records = [json.loads(line) for line in journal_text(folder).splitlines()]
    assert {r["event"] for r in records} <= {"sending", "not-sent"}
    started = {r["key"] for r in records if r["event"] == "sending"}
    assert started == {r["key"] for r in records if r["event"] == "not-sent"}  # every one that began is not-sent
    assert 0 < len(started) <= 4
    # The tenant is back (a day later, say): everything is sent, nothing refused as unconfirmed.
    with emulator(port=port) as server, client(server) as zuora2:
        again = send_batch(rendered(folder), dispatcher(zuora2, key_ttl=0.0), concurrency=4)
        assert [o.status for o in again] == ["created"] * 20
        assert numbers(server) == [f"O-BATCH-{n:05d}" for n in range(20)]


# -- Ctrl-C ---------------------------------------------------------------------------------------


def test_ctrl_c_with_many_in_flight_stops_every_thread_and_the_rerun_finishes(tmp_path):
    folder = write_orders(tmp_path / "specs", 40)
    items = rendered(folder)
    seen = []

    def interrupt_after_five(outcome):
        seen.append(outcome)
        if len(seen) == 5:
            raise KeyboardInterrupt

    with emulator() as server:
        with client(server, transport=Tracking(delay=0.02)) as zuora:
            with pytest.raises(KeyboardInterrupt):
                send_batch(items, dispatcher(zuora), concurrency=8, on_settled=interrupt_after_five)
        deadline = time.monotonic() + 5
        while any(t.name.startswith("orderspec-send-") for t in threading.enumerate()) and time.monotonic() < deadline:
            time.sleep(0.01)
        assert not [t for t in threading.enumerate() if t.name.startswith("orderspec-send-")]
        assert len(server.orders()) < 40
        with client(server) as zuora:
            again = send_batch(rendered(folder), dispatcher(zuora), concurrency=8)
        assert all(o.status in ("created", "skipped") for o in again)
        assert numbers(server) == [f"O-BATCH-{n:05d}" for n in range(40)]
        assert server.duplicate_order_numbers == 0


# -- big journals: linear work --------------------------------------------------------------------


class CountingStates(dict):
    """Counts every order state a caller walks through."""

    visits = 0

    def values(self):
        for value in super().values():
            type(self).visits += 1
            yield value


def test_a_rerun_over_a_big_journal_walks_the_journal_a_constant_number_of_times(tmp_path, monkeypatch):
    """Before: each new spec walked every state of the journal (20,000 + 20,000 took 6 s). Counted,
    not timed: with N journalled orders and N new specs the walk is O(N), not O(N^2)."""
    size = 150
    folder = write_orders(tmp_path / "specs", size, name="new.order.yaml")
    journal = folder / ".orderspec" / "journal.jsonl"
    journal.parent.mkdir()
    lines = [json.dumps({"v": 2, "time": 1.0, "key": f"k{n}", "spec": f"old.order.yaml#{n + 1}", "event": "created",
                         "attempt": 0, "orderNumber": f"O-OLD-{n}",
                         "tenant": {"baseUrl": "http://127.0.0.1:9"}}) for n in range(size)]
    journal.write_text("\n".join(lines) + "\n")
    items = rendered(folder)
    fold = journal_module._fold
    monkeypatch.setattr(journal_module, "_fold", lambda records: CountingStates(fold(records)))
    CountingStates.visits = 0
    dry_run(items, "http://127.0.0.1:9")
    assert CountingStates.visits <= 3 * size

    from orderspec.dispatch import Credentials, Dispatcher, Outcome, Secret, ZuoraClient

    CountingStates.visits = 0
    monkeypatch.setattr(Dispatcher, "create",
                        lambda self, rendered, journal, state: Outcome(rendered.name, rendered.idempotency_key, "created"))
    with ZuoraClient("http://127.0.0.1:9", Credentials("x", Secret("y"))) as zuora:
        send_batch(items, Dispatcher(zuora))
    assert CountingStates.visits <= 3 * size
    assert Journal(journal).states()  # the journal is intact
