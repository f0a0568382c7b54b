"""The emulator under the load of a migration: latency, many requests at once, garbled answers,
restarts mid-request, and GET /v1/orders to count what the tenant holds."""

from __future__ import annotations

import http.client
import json
import re
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest

from dispatch_support import CLIENT_ID, SECRET, emulator
from orderspec.emulator import Faults, idempotency
from orderspec.emulator.state import Store
from orderspec.model import ENDPOINTS
from test_emulator import CREATE, PREVIEW, conforms, post, token


def numbered(number: str) -> bytes:
    return CREATE.replace(b"O-DISPATCH-SYNC", number.encode())


def listed(server: Any, bearer: str, **query: Any) -> httpx.Response:
    return httpx.get(server.url + "/v1/orders", params=query, headers={"Authorization": f"Bearer {bearer}"},
                     timeout=10)


def every_order(server: Any, bearer: str, page_size: int = 40) -> list[str]:
    """All order numbers, following nextPage as a client of the API does."""
    numbers: list[str] = []
    url: str | None = f"{server.url}/v1/orders?pageSize={page_size}"
    while url:
        page = httpx.get(url, headers={"Authorization": f"Bearer {bearer}"}, timeout=10).json()
        numbers += [order["orderNumber"] for order in page["orders"]]
        url = page.get("nextPage")
    return numbers


def every_order_in(server: Any, bearer: str, **query: Any) -> list[str]:
    """All order numbers that match the query, following nextPage."""
    first = listed(server, bearer, pageSize=40, **query).json()
    numbers = [order["orderNumber"] for order in first["orders"]]
    url = first.get("nextPage")
    while url:
        page = httpx.get(url, headers={"Authorization": f"Bearer {bearer}"}, timeout=10).json()
        numbers += [order["orderNumber"] for order in page["orders"]]
        url = page.get("nextPage")
    return numbers


# -- latency --------------------------------------------------------------------------------------

def test_latency_is_added_to_every_answer():
    with emulator(latency=0.3) as server:
        started = time.monotonic()
        bearer = token(server)  # the OAuth answer too
        assert time.monotonic() - started >= 0.3
        for send in (lambda: post(server, "/v1/orders/preview", PREVIEW, bearer=bearer),
                     lambda: listed(server, bearer),
                     lambda: httpx.get(server.url + "/v1/nothing")):
            started = time.monotonic()
            send()
            assert time.monotonic() - started >= 0.3


def test_latency_is_paid_in_parallel_not_in_turn():
    # Sixteen answers of 0.5 s each, all at once: a server that answered one at a time would take
    # 8 s; served in parallel they all finish long before that.
    with emulator(latency=0.5) as server:
        bearer = token(server)
        started = time.monotonic()
        with ThreadPoolExecutor(16) as pool:
            answers = list(pool.map(lambda _: listed(server, bearer).status_code, range(16)))
        assert answers == [200] * 16
        assert time.monotonic() - started < 8 * 0.5


# -- garbled answers ------------------------------------------------------------------------------

def test_a_garbled_answer_is_not_json_but_the_order_is_made_and_kept_under_the_key():
    with emulator(faults=Faults(script=["garbled"])) as server:
        bearer = token(server)
        garbled = post(server, "/v1/orders", CREATE, key="g-1", bearer=bearer)
        assert garbled.status_code == 200
        with pytest.raises(json.JSONDecodeError):
            json.loads(garbled.content)
        assert [o["orderNumber"] for o in server.orders()] == ["O-DISPATCH-SYNC"]
        # The same key brings the real answer, and nothing is made twice.
        again = post(server, "/v1/orders", CREATE, key="g-1", bearer=bearer)
        assert again.json()["success"] is True and again.json()["orderNumber"] == "O-DISPATCH-SYNC"
        conforms(again.json(), "order-created.json")
        assert len(server.orders()) == 1
        assert server.requests[0]["fault"] == "garbled"


def test_garbled_is_a_fault_kind_drawn_by_chance():
    faults = Faults.parse("rate=1,kinds=garbled", seed=3)
    assert faults.kinds == ("garbled",) and faults.next() == "garbled"
    # A job poll is never garbled: only the kinds that make sense for a GET are drawn there.
    assert Faults.parse("rate=1,kinds=garbled").next(("500", "503", "429", "drop-before")) is None


# -- many requests at once ------------------------------------------------------------------------

@pytest.mark.parametrize("with_db", [False, True])
def test_many_creates_at_once_each_made_once(tmp_path, with_db):
    db = str(tmp_path / "tenant.db") if with_db else None
    numbers = [f"O-LOAD-{index:03d}" for index in range(24)]
    with emulator(db=db) as server:
        bearer = token(server)

        def create(number: str) -> list[int]:
            # Every order twice under one key and once under another key: one order each.
            first = post(server, "/v1/orders", numbered(number), key=f"k-{number}", bearer=bearer)
            replay = post(server, "/v1/orders", numbered(number), key=f"k-{number}", bearer=bearer)
            other = post(server, "/v1/orders", numbered(number), key=f"other-{number}", bearer=bearer)
            return [first.json()["success"], replay.json()["success"], other.json()["success"]]

        with ThreadPoolExecutor(24) as pool:
            outcomes = list(pool.map(create, numbers))
        assert outcomes == [[True, True, False]] * 24
        assert server.duplicate_order_numbers == 24
        assert sorted(every_order(server, bearer)) == numbers
        subscriptions = [s for o in server.orders() for s in o["subscriptionNumbers"]]
        assert len(set(subscriptions)) == 24  # numbers handed out once each, across threads
    if with_db:
        with emulator(db=db) as server:
            assert sorted(every_order(server, token(server))) == numbers


def test_one_order_number_raced_from_many_keys_is_made_once():
    with emulator() as server:
        bearer = token(server)
        barrier = threading.Barrier(24)

        def create(index: int) -> bool:
            barrier.wait()
            return bool(post(server, "/v1/orders", CREATE, key=f"race-{index}", bearer=bearer).json()["success"])

        with ThreadPoolExecutor(24) as pool:
            made = list(pool.map(create, range(24)))
        assert made.count(True) == 1 and len(server.orders()) == 1
        assert server.duplicate_order_numbers == 23


def test_a_burst_of_connections_is_not_refused():
    # More connections than socketserver's default listen queue (5), opened at once.
    with emulator() as server:
        bearer = token(server)
        barrier = threading.Barrier(64)

        host, port = server.server.server_address[:2]

        def poll(_: int) -> int:
            connection = http.client.HTTPConnection(host, port, timeout=10)
            try:
                barrier.wait()
                connection.request("GET", "/v1/orders", headers={"Authorization": f"Bearer {bearer}"})
                return connection.getresponse().status
            finally:
                connection.close()

        with ThreadPoolExecutor(64) as pool:
            assert list(pool.map(poll, range(64))) == [200] * 64


# -- restarts mid-request -------------------------------------------------------------------------

def _claim_left_behind(db: str, key: str, body: bytes, endpoint: str = "create") -> None:
    """What an emulator killed between taking a key and answering leaves in its database."""
    store = Store(db)
    assert idempotency.claim(store, key, idempotency.body_hash(ENDPOINTS[endpoint], body), time.time(), 3600) is None
    store.close()


def test_a_key_in_progress_when_the_emulator_died_is_free_after_a_restart(tmp_path):
    db = str(tmp_path / "tenant.db")
    _claim_left_behind(db, "orphan", CREATE)
    with emulator(db=db) as server:
        answer = post(server, "/v1/orders", CREATE, key="orphan")
        assert answer.status_code == 200 and answer.json()["success"] is True  # not 409
        assert len(server.orders()) == 1


def test_a_key_whose_order_was_made_before_the_emulator_died_answers_with_that_order(tmp_path):
    db = str(tmp_path / "tenant.db")
    # The order was made, the answer never stored: kill the emulator inside the window.
    with emulator(db=db, faults=Faults(script=["timeout"]), slow_delay=30) as server:
        bearer = token(server)
        waiting = threading.Thread(target=lambda: _ignore(lambda: post(server, "/v1/orders", CREATE, key="made",
                                                                      bearer=bearer)), daemon=True)
        waiting.start()
        deadline = time.monotonic() + 5
        while not server.orders() and time.monotonic() < deadline:
            time.sleep(0.01)
        assert server.store.get("idempotency", "made")["status"] is None
        server.store.close()  # the process dies here: nothing more reaches the file
        server.server.shutdown()
        server.server.server_close()
    with emulator(db=db) as server:
        bearer = token(server)
        answer = post(server, "/v1/orders", CREATE, key="made", bearer=bearer)
        assert answer.status_code == 200 and answer.json()["orderNumber"] == "O-DISPATCH-SYNC"
        conforms(answer.json(), "order-created.json")
        assert len(server.orders()) == 1 and server.duplicate_order_numbers == 0


def test_an_async_create_made_before_the_emulator_died_answers_with_a_finished_job(tmp_path):
    db = str(tmp_path / "tenant.db")
    store = Store(db)
    digest = idempotency.body_hash(ENDPOINTS["async-create"], CREATE)
    assert idempotency.claim(store, "async-made", digest, time.time(), 3600) is None
    from orderspec.emulator import orders
    from orderspec.emulator.tenant import Tenant

    orders.create_order(store, Tenant(store), json.loads(CREATE), "async-made", ENDPOINTS["async-create"], time.time())
    store.close()
    with emulator(db=db) as server:
        bearer = token(server)
        submitted = post(server, "/v1/async/orders", CREATE, key="async-made", bearer=bearer)
        assert submitted.status_code == 202
        job = httpx.get(f"{server.url}/v1/async-jobs/{submitted.json()['jobId']}",
                        headers={"Authorization": f"Bearer {bearer}"}).json()
        assert job["status"] == "Completed" and job["result"]["orderNumber"] == "O-DISPATCH-SYNC"
        assert len(server.orders()) == 1


def _ignore(call: Any) -> None:
    try:
        call()
    except httpx.HTTPError:
        pass


# -- GET /v1/orders -------------------------------------------------------------------------------

def test_orders_are_listed_in_pages_of_20_by_default_with_next_page_urls():
    with emulator() as server:
        bearer = token(server)
        empty = listed(server, bearer)
        assert empty.status_code == 200 and empty.json() == {"success": True, "orders": []}
        conforms(empty.json(), "orders-list.json")
        for index in range(45):
            assert post(server, "/v1/orders", numbered(f"O-PAGE-{index:02d}"), bearer=bearer).json()["success"]
        first = listed(server, bearer).json()
        conforms(first, "orders-list.json")
        assert [o["orderNumber"] for o in first["orders"]] == [f"O-PAGE-{i:02d}" for i in range(20)]
        assert re.fullmatch(re.escape(server.url) + r"/v1/orders\?page=2&pageSize=20", first["nextPage"])
        second = httpx.get(first["nextPage"], headers={"Authorization": f"Bearer {bearer}"}).json()
        third = httpx.get(second["nextPage"], headers={"Authorization": f"Bearer {bearer}"}).json()
        assert [o["orderNumber"] for o in third["orders"]] == [f"O-PAGE-{i:02d}" for i in range(40, 45)]
        assert "nextPage" not in third
        assert every_order(server, bearer, page_size=7) == [f"O-PAGE-{i:02d}" for i in range(45)]
        order = first["orders"][0]
        assert order["existingAccountNumber"] == "A00000101" and order["status"] == "Completed"
        assert listed(server, bearer, page=9).json()["orders"] == []
        # Filters carry over to the next page.
        kept = listed(server, bearer, pageSize=40, status="completed").json()["nextPage"]
        assert "status=completed" in kept and "page=2" in kept
        assert listed(server, bearer, status="pending").json()["orders"] == []
        # Every order here is dated 2024-01-01 (the spec's orderDate).
        assert len(every_order_in(server, bearer, startDate="2024-01-01", endDate="2024-01-01")) == 45
        assert listed(server, bearer, startDate="2024-01-02").json()["orders"] == []
        assert listed(server, bearer, endDate="2023-12-31").json()["orders"] == []
        yesterday = time.strftime("%Y-%m-%d", time.gmtime(time.time() - 86400))
        assert len(every_order_in(server, bearer, dateFilterOption="updatedDate", startDate=yesterday)) == 45
        assert listed(server, bearer, dateFilterOption="updatedDate", endDate=yesterday).json()["orders"] == []


@pytest.mark.parametrize("query", [{"pageSize": 41}, {"pageSize": 0}, {"page": 0}, {"page": "two"},
                                   {"status": "done"}, {"startDate": "01/01/2024"}, {"dateFilterOption": "created"}])
def test_orders_list_refuses_what_the_api_refuses(query):
    with emulator() as server:
        answer = listed(server, token(server), **query)
        assert answer.status_code == 400
        conforms(answer.json(), "error.json")
        (reason,) = answer.json()["reasons"]
        assert re.fullmatch(r"\d{6}27", reason["code"]) and next(iter(query)) in reason["message"]


def test_orders_list_is_behind_auth_and_faults():
    with emulator(faults=Faults(script=["503"]), clients={CLIENT_ID: SECRET}) as server:
        assert httpx.get(server.url + "/v1/orders").status_code == 503
        assert httpx.get(server.url + "/v1/orders").status_code == 401
