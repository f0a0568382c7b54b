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
from orderspec.dispatch.batch import order_links
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


def new_account_spec(folder, number, account, name):
    """A create spec that makes the customer account `account` (by its number) with order `number`."""
    text = (FIXTURES / "create.order.yaml").read_text().replace("O-DISPATCH-SYNC", number)
    text = text.replace("  existingAccountNumber: A00000101\n",
                        f"  newAccount:\n    accountNumber: {account}\n    name: New customer\n    currency: USD\n"
                        "    billCycleDay: 1\n    billToContact: {firstName: Ada, lastName: Byron, country: "
                        "United States, state: CA}\n")
    (folder / name).write_text(text)


def test_orders_on_an_account_the_batch_creates_wait_for_it(tmp_path):
    # a-first.order.yaml creates account A-NEW; four orders use it; twelve others are unrelated.
    folder = tmp_path / "specs"
    folder.mkdir()
    new_account_spec(folder, "O-NEW-ACCOUNT", "A-NEW", "a-first.order.yaml")
    write_orders(folder, 16, account=lambda n: "A-NEW" if n % 4 == 0 else f"A{n:08d}", name="b-rest.order.yaml")
    items = rendered(folder)
    assert items[0].rendered.name.endswith("a-first.order.yaml")
    transport = Tracking(delay=0.03)
    with emulator() as server, client(server, transport=transport) as zuora:
        outcomes = send_batch(items, dispatcher(zuora), concurrency=8)
    assert all(o.status == "created" for o in outcomes), [(o.name, o.status, o.detail) for o in outcomes]
    users = {f"O-BATCH-{n:05d}" for n in range(16) if n % 4 == 0}
    created_at = transport.log.index(("end", "O-NEW-ACCOUNT"))
    first_use = min(i for i, (what, number) in enumerate(transport.log) if what == "start" and number in users)
    assert created_at < first_use  # none leaves before the account's order is answered
    assert transport.most > 1


def test_links_are_subscriptions_and_new_accounts_and_the_accounts_orders_need():
    from types import SimpleNamespace

    def links(body):
        return order_links(SimpleNamespace(body=json.dumps(body).encode()))

    assert links({"existingAccountNumber": "A1"}) == (set(), {"account:A1"})
    assert links({"newAccount": {"accountNumber": "A2"}, "subscriptions": [{"orderActions": [
        {"type": "CreateSubscription", "createSubscription": {"subscriptionNumber": "S-9"}}]}]}) == \
        ({"account:A2", "subscription:S-9"}, set())
    assert links({"existingAccountNumber": "A1", "subscriptions": [{"subscriptionNumber": "S-1"}]}) == \
        ({"subscription:S-1"}, {"account:A1"})
    assert links({"newAccount": {"name": "no number"}}) == (set(), set())
    assert order_links(SimpleNamespace(body=b"not json")) == (set(), set())


def test_amendments_of_one_subscription_go_in_spec_order(tmp_path, monkeypatch):
    """Three orders on subscription S-1 (and others on their own): each S-1 order leaves only after
    the one before it has settled, whatever the concurrency."""
    from orderspec.dispatch import Dispatcher, Outcome
    from orderspec.dispatch.batch import _plan  # noqa: F401  (the plan is what orders them)

    folder = write_orders(tmp_path / "specs", 9)
    items = rendered(folder)
    on_s1 = {items[i].rendered.idempotency_key for i in (1, 4, 7)}
    real_links = order_links
    monkeypatch.setattr("orderspec.dispatch.batch.order_links",
                        lambda rendered: ({"subscription:S-1"}, set()) if rendered.idempotency_key in on_s1
                        else real_links(rendered))
    log, lock = [], threading.Lock()

    def create(self, rendered, journal, state):
        with lock:
            log.append(("start", rendered.idempotency_key))
        time.sleep(0.02)
        with lock:
            log.append(("end", rendered.idempotency_key))
        return Outcome(rendered.name, rendered.idempotency_key, "created")

    monkeypatch.setattr(Dispatcher, "create", create)
    with emulator() as server, client(server) as zuora:
        send_batch(items, Dispatcher(zuora), concurrency=8)
    s1 = [event for event in log if event[1] in on_s1]
    order = [items[i].rendered.idempotency_key for i in (1, 4, 7)]
    assert s1 == [(what, key) for key in order for what in ("start", "end")]


def test_a_later_order_on_a_new_account_is_held_when_the_account_was_not_created(tmp_path):
    folder = tmp_path / "specs"
    folder.mkdir()
    new_account_spec(folder, "O-NEW-ACCOUNT", "A-NEW", "a-first.order.yaml")
    write_orders(folder, 2, account=lambda n: "A-NEW" if n == 0 else "A-OTHER", name="b-rest.order.yaml")
    items = rendered(folder)
    # The account's order meets a refusal with reasons: failed. The order on that account must not
    # leave; the other one is created.
    refusal = {"success": False, "reasons": [{"code": 58730222, "message": "orderDate may not be null"}]}

    class Refusing(httpx.HTTPTransport):
        def handle_request(self, request):
            if request.method == "POST" and b"O-NEW-ACCOUNT" in request.content:
                return httpx.Response(200, json=refusal)
            return super().handle_request(request)

    with emulator() as server, client(server, transport=Refusing()) as zuora:
        outcomes = send_batch(items, dispatcher(zuora), concurrency=4)
        assert numbers(server) == ["O-BATCH-00001"]
    assert [o.status for o in outcomes] == ["failed", "held", "created"]
    assert "waits for" in outcomes[1].detail and items[0].rendered.name in outcomes[1].detail
    # The held one was never journalled: a re-run after the fix sends it as new.
    assert items[1].rendered.idempotency_key not in journal_text(folder)


def test_429s_lower_the_concurrency_and_every_order_is_created_once_in_one_run(tmp_path):
    folder = write_orders(tmp_path / "specs", 30)
    items = rendered(folder)
    pace = Pace(16, ceiling=16)
    with emulator(rate_limit=10, rate_window=0.2) as server:
        with client(server, pace=pace, policy=policy(max_attempts=3, total_time=30)) as zuora:
            outcomes = send_batch(items, dispatcher(zuora), concurrency=16)
        assert numbers(server) == [f"O-BATCH-{n:05d}" for n in range(30)]
        posts = [r for r in server.requests if r["path"] == "/v1/orders"]
    # Sixteen threads race for ten places a window, and a 429 no longer spends an order's three
    # attempts: none loses every race and gives up (it used to, journalled not sent, for a re-run).
    assert [o.status for o in outcomes] == ["created"] * 30
    assert "not-sent" not in journal_text(folder)
    assert pace.throttles > 0 and pace.lowest < 16
    assert len(posts) == 30 + pace.throttles  # every 429 answered one of the 30 orders, each made once


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


def test_an_order_stopped_before_it_left_is_journalled_as_not_sent(tmp_path):
    """Ctrl-C (or a dead tenant) stops a thread between its "sending" record and the POST: the
    journal says it never left, so a re-run a day later sends it instead of calling it unconfirmed."""
    from orderspec.dispatch import RunStopped
    from orderspec.dispatch.journal import OrderState, journal_path_for
    from orderspec.dispatch.plan import plan_action

    folder = write_orders(tmp_path / "specs", 1)
    (item,) = rendered(folder)
    journal = Journal(journal_path_for(item.spec_path))
    with emulator() as server, client(server) as zuora:
        zuora.pace.stop.set()
        with pytest.raises(RunStopped):
            dispatcher(zuora).create(item.rendered, journal, OrderState(item.rendered.idempotency_key))
        assert server.orders() == []
    events = [json.loads(line)["event"] for line in journal_text(folder).splitlines()]
    assert events == ["sending", "not-sent"]
    state = journal.states()[item.rendered.idempotency_key]
    assert plan_action(state, time.time() + 2 * 86400).startswith("send")


def test_a_tenant_that_dies_after_an_attempt_may_have_reached_it_leaves_the_order_unknown(tmp_path):
    """The first attempt timed out (the API may have made the order), then other threads found the
    tenant dead: the order is unknown (settled by the next run), never "not sent"."""
    from orderspec.dispatch import Credentials, Secret, ZuoraClient
    from orderspec.dispatch.journal import OrderState, journal_path_for
    from orderspec.dispatch.client import Secret as TokenSecret

    class TimeoutThenRefused(httpx.BaseTransport):
        def __init__(self):
            self.posts = 0

        def handle_request(self, request):
            self.posts += 1
            if self.posts == 1:
                reach.dead = "refused, 4 attempts in a row on other threads"  # meanwhile, elsewhere
                raise httpx.ReadTimeout("slow", request=request)
            raise httpx.ConnectError("refused", request=request)

    folder = write_orders(tmp_path / "specs", 1)
    (item,) = rendered(folder)
    journal = Journal(journal_path_for(item.spec_path))
    reach = Reachability()
    zuora = ZuoraClient("http://127.0.0.1:9", Credentials("x", Secret("y")), policy=policy(max_attempts=6),
                        transport=TimeoutThenRefused(), reachability=reach)
    zuora._token, zuora._token_expires = TokenSecret("t"), 1e12
    with zuora:
        outcome = dispatcher(zuora).create(item.rendered, journal, OrderState(item.rendered.idempotency_key))
    assert outcome.status == "unknown" and "may exist" in outcome.detail
    events = [json.loads(line)["event"] for line in journal_text(folder).splitlines()]
    assert events == ["sending", "unknown"]


def test_a_client_used_again_after_an_interrupted_run_sends_the_next_batch(tmp_path):
    folder = write_orders(tmp_path / "specs", 6)
    items = rendered(folder)

    def interrupt(outcome):
        raise KeyboardInterrupt

    with emulator() as server, client(server) as zuora:
        with pytest.raises(KeyboardInterrupt):
            send_batch(items, dispatcher(zuora), concurrency=3, on_settled=interrupt)
        assert zuora.pace.stop.is_set()
        again = send_batch(rendered(folder), dispatcher(zuora), concurrency=3)
        assert all(o.status in ("created", "skipped") for o in again)
        assert numbers(server) == [f"O-BATCH-{n:05d}" for n in range(6)]
