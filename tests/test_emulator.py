"""The bundled Orders API emulator: shapes, the Idempotency-Key contract, tokens, limits, faults."""

from __future__ import annotations

import gzip
import json
import re
import threading
import time
from decimal import Decimal

import httpx
import pytest
from jsonschema import Draft202012Validator

from dispatch_support import CLIENT_ID, SECRET, emulator, rendered, FIXTURES
from orderspec.emulator import Emulator, EmulatorConfig, Faults
from orderspec.resources import load_schema


def body_of(spec: str) -> bytes:
    (item,) = rendered(FIXTURES / spec)
    return item.rendered.body


CREATE = body_of("create.order.yaml")
PREVIEW = body_of("preview.order.yaml")


def conforms(payload, schema_name):
    errors = list(Draft202012Validator(load_schema(f"responses/{schema_name}")).iter_errors(payload))
    assert not errors, errors[0].message


def token(server) -> str:
    answer = httpx.post(server.url + "/oauth/token", data={"grant_type": "client_credentials", "client_id": CLIENT_ID,
                                                           "client_secret": SECRET})
    assert answer.status_code == 200
    conforms(answer.json(), "oauth-token.json")
    return answer.json()["access_token"]


def post(server, path, body, key=None, bearer=None, **headers):
    headers = {"Content-Type": "application/json", **headers}
    headers["Authorization"] = f"Bearer {bearer or token(server)}"
    if key:
        headers["Idempotency-Key"] = key
    return httpx.post(server.url + path, content=body, headers=headers, timeout=5)


def test_tokens_need_the_right_client_and_run_out():
    now = [1_000_000.0]
    with emulator(clock=lambda: now[0], token_ttl=60) as server:
        bad = httpx.post(server.url + "/oauth/token", data={"grant_type": "client_credentials",
                                                            "client_id": CLIENT_ID, "client_secret": "nope"})
        assert bad.status_code == 401
        wrong_grant = httpx.post(server.url + "/oauth/token", data={"grant_type": "password"})
        assert wrong_grant.status_code == 400
        bearer = token(server)
        assert post(server, "/v1/orders/preview", PREVIEW, bearer=bearer).status_code == 200
        now[0] += 61
        expired = post(server, "/v1/orders/preview", PREVIEW, bearer=bearer)
        assert expired.status_code == 401
        conforms(expired.json(), "error.json")
        assert post(server, "/v1/orders/preview", PREVIEW, bearer="made-up").status_code == 401


def test_create_answers_with_the_api_shape():
    with emulator() as server:
        answer = post(server, "/v1/orders", CREATE, key="k1", **{"Zuora-Track-Id": "t-1"})
        payload = answer.json()
        conforms(payload, "order-created.json")
        assert payload["success"] is True and payload["orderNumber"] == "O-DISPATCH-SYNC"
        assert re.fullmatch(r"A-S\d{8}", payload["subscriptionNumbers"][0])
        assert answer.headers["Zuora-Track-Id"] == "t-1"
        assert len(server.orders()) == 1


def test_preview_answers_with_charge_metrics_and_invoice_items():
    with emulator() as server:
        payload = json.loads(post(server, "/v1/orders/preview", PREVIEW).content, parse_float=Decimal)
        conforms(json.loads(json.dumps(payload, default=float)), "preview-result.json")
        result = payload["previewResult"]
        assert result["chargeMetrics"][0]["charges"][0]["cmrr"]["regular"] == Decimal("19.99")
        assert result["invoices"][0]["invoiceItems"][0]["amountWithoutTax"] == Decimal("19.99")
        assert result["orderDeltaMetrics"]["orderDeltaMrr"]
        assert server.orders() == []


def test_numbers_sent_as_text_are_read_as_numbers_as_zuora_does():
    quoted = PREVIEW.replace(b'"listPrice": 19.99', b'"listPrice": "19.99"')
    assert quoted != PREVIEW
    with emulator() as server:
        payload = json.loads(post(server, "/v1/orders/preview", quoted).content, parse_float=Decimal)
        assert payload["success"] is True, payload
        assert payload["previewResult"]["invoices"][0]["invoiceItems"][0]["amountWithoutTax"] == Decimal("19.99")


def test_bodies_are_checked_with_the_lint_rules_and_codes_have_categories():
    body = json.loads(CREATE)
    del body["orderDate"]
    body["colour"] = "blue"
    with emulator() as server:
        answer = post(server, "/v1/orders", json.dumps(body).encode())
        payload = answer.json()
        conforms(payload, "error.json")
        assert answer.status_code == 200 and payload["success"] is False
        categories = {r["code"][-2:]: r["message"] for r in payload["reasons"]}
        assert "orderDate" in categories["22"] and "colour" in categories["21"]
        assert all(re.fullmatch(r"\d{8}", r["code"]) for r in payload["reasons"])
        malformed = post(server, "/v1/orders", b"{not json")
        assert malformed.status_code == 400 and malformed.json()["reasons"][0]["code"].endswith("90")
        assert server.orders() == []


def test_async_job_goes_from_processing_to_completed():
    with emulator(job_delay=0.2) as server:
        bearer = token(server)
        submitted = post(server, "/v1/async/orders", CREATE, bearer=bearer).json()
        conforms(submitted, "async-job-submitted.json")
        assert re.fullmatch(r"[0-9a-f]{32}", submitted["jobId"])
        url = f"{server.url}/v1/async-jobs/{submitted['jobId']}"
        first = httpx.get(url, headers={"Authorization": f"Bearer {bearer}"}).json()
        assert first["status"] == "Processing"
        time.sleep(0.25)
        done = httpx.get(url, headers={"Authorization": f"Bearer {bearer}"}).json()
        conforms(done, "async-job-status.json")
        assert done["status"] == "Completed" and done["result"]["orderNumber"] == "O-DISPATCH-SYNC"
        assert httpx.get(server.url + "/v1/async-jobs/" + "0" * 32,
                         headers={"Authorization": f"Bearer {bearer}"}).status_code == 404


def test_async_job_with_a_bad_body_fails_with_a_code_in_brackets():
    body = json.loads(CREATE)
    del body["orderDate"]
    with emulator(job_delay=0) as server:
        bearer = token(server)
        submitted = post(server, "/v1/async/orders", json.dumps(body).encode(), bearer=bearer).json()
        assert submitted["success"] is True  # the error only shows when polling
        job = httpx.get(f"{server.url}/v1/async-jobs/{submitted['jobId']}",
                        headers={"Authorization": f"Bearer {bearer}"}).json()
        assert job["status"] == "Failed" and re.match(r"\[400000\d\d\]: ", job["errors"])


def test_same_key_and_body_returns_the_stored_answer_and_creates_once():
    with emulator() as server:
        first = post(server, "/v1/orders", CREATE, key="same")
        again = post(server, "/v1/orders", CREATE, key="same")
        assert first.content == again.content
        assert len(server.orders()) == 1
        other_body = CREATE.replace(b"O-DISPATCH-SYNC", b"O-OTHER")
        assert post(server, "/v1/orders", other_body, key="same").status_code == 422
        assert len(server.orders()) == 1


def test_same_key_while_the_first_is_in_flight_is_409():
    with emulator(faults=Faults(script=["timeout"]), slow_delay=0.5) as server:
        bearer = token(server)
        answers = {}
        first = threading.Thread(target=lambda: answers.setdefault(
            "first", post(server, "/v1/orders", CREATE, key="busy", bearer=bearer)))
        first.start()
        time.sleep(0.15)
        second = post(server, "/v1/orders", CREATE, key="busy", bearer=bearer)
        first.join(5)
        assert second.status_code == 409
        assert answers["first"].json()["success"] is True
        assert post(server, "/v1/orders", CREATE, key="busy", bearer=bearer).content == answers["first"].content
        assert len(server.orders()) == 1


def test_keys_are_forgotten_after_24_hours():
    now = [1_000_000.0]
    with emulator(clock=lambda: now[0], token_ttl=10**6) as server:
        bearer = token(server)
        post(server, "/v1/orders", CREATE, key="old", bearer=bearer)
        now[0] += 23 * 3600
        post(server, "/v1/orders", CREATE, key="old", bearer=bearer)
        assert len(server.orders()) == 1
        now[0] += 2 * 3600
        forgotten = post(server, "/v1/orders", CREATE, key="old", bearer=bearer).json()
        assert forgotten["success"] is False  # processed anew: the order number is taken now
        assert server.duplicate_order_numbers == 1


def test_rate_limit_answers_429_with_retry_after_and_ratelimit_headers():
    with emulator(rate_limit=1, rate_window=60, retry_after=3) as server:
        bearer = token(server)
        assert post(server, "/v1/orders/preview", PREVIEW, bearer=bearer).status_code == 200
        limited = post(server, "/v1/orders/preview", PREVIEW, bearer=bearer)
        assert limited.status_code == 429
        assert limited.headers["Retry-After"] == "3" and limited.headers["RateLimit-Remaining"] == "0"


def test_faults_by_script_and_by_seeded_chance():
    with emulator(faults=Faults(script=["500", "drop-before", "lock"])) as server:
        bearer = token(server)
        failed = post(server, "/v1/orders", CREATE, bearer=bearer)
        assert failed.status_code == 500 and failed.json()["reasons"][0]["code"] == "SystemError"
        with pytest.raises(httpx.RemoteProtocolError):
            post(server, "/v1/orders", CREATE, bearer=bearer)
        lock = post(server, "/v1/orders", CREATE, bearer=bearer).json()
        assert lock["success"] is False and str(lock["reasons"][0]["code"]).endswith("50")
        assert server.orders() == []
    first, second = Faults(rate=0.5, seed=4), Faults(rate=0.5, seed=4)
    assert [first.next() for _ in range(20)] == [second.next() for _ in range(20)]
    assert Faults.parse("rate=0.25,kinds=500+lock").kinds == ("500", "lock")
    with pytest.raises(ValueError):
        Faults(script=["explode"])


def test_gzip_both_ways_and_no_zip_bombs():
    with emulator() as server:
        bearer = token(server)
        answer = post(server, "/v1/orders/preview", gzip.compress(PREVIEW), bearer=bearer,
                      **{"Content-Encoding": "gzip", "Accept-Encoding": "gzip"})
        assert answer.status_code == 200 and answer.headers.get("Content-Encoding") == "gzip"
        assert answer.json()["success"] is True
        bomb = gzip.compress(b" " * (9 * 1024 * 1024))
        refused = post(server, "/v1/orders", bomb, bearer=bearer, **{"Content-Encoding": "gzip"})
        assert refused.status_code == 413


def test_state_survives_a_restart_with_a_database_file(tmp_path):
    db = str(tmp_path / "emulator.db")
    with emulator(db=db) as server:
        first = post(server, "/v1/orders", CREATE, key="persist")
    with emulator(db=db) as server:
        assert len(server.orders()) == 1
        assert post(server, "/v1/orders", CREATE, key="persist").content == first.content
        assert len(server.orders()) == 1


def test_unknown_paths_are_404():
    with Emulator(EmulatorConfig()) as server:
        assert httpx.get(server.url + "/v1/nothing").status_code == 404
        assert httpx.post(server.url + "/v1/nothing", content=b"{}").status_code == 404


def test_bad_content_length_is_refused_not_hung():
    import socket

    with emulator() as server:
        host, port = server.server.server_address[:2]
        with socket.create_connection((host, port), timeout=5) as raw:
            raw.sendall(b"POST /v1/orders HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n")
            assert raw.recv(100).startswith(b"HTTP/1.1 400")


def test_a_taken_order_number_is_refused_as_a_business_rule():
    with emulator() as server:
        assert post(server, "/v1/orders", CREATE, key="a").json()["success"] is True
        again = post(server, "/v1/orders", CREATE, key="b").json()
        assert again["success"] is False and again["reasons"][0]["code"].endswith("30")
        assert len(server.orders()) == 1 and server.duplicate_order_numbers == 1


def test_the_configured_client_secrets_stay_out_of_the_config_repr():
    from dispatch_support import assert_no_secret

    config = EmulatorConfig(clients={"orderspec-tests": SECRET})
    assert_no_secret(repr(config), str(config))
    assert config.clients == {"orderspec-tests": SECRET}


def test_get_order_answers_found_and_not_found_with_the_api_shapes():
    with emulator() as server:
        bearer = token(server)
        created = post(server, "/v1/orders", CREATE, key="k-get", bearer=bearer).json()
        auth = {"Authorization": f"Bearer {bearer}"}
        found = httpx.get(f"{server.url}/v1/orders/O-DISPATCH-SYNC", headers=auth)
        assert found.status_code == 200
        payload = found.json()
        assert payload["success"] is True
        order = payload["order"]
        assert order["orderNumber"] == "O-DISPATCH-SYNC" and order["existingAccountNumber"] == "A00000101"
        assert order["orderDate"] == "2024-01-01" and order["status"] == "Completed"
        assert [s["subscriptionNumber"] for s in order["subscriptions"]] == created["subscriptionNumbers"]
        missing = httpx.get(f"{server.url}/v1/orders/O-NOBODY", headers=auth)
        assert missing.status_code == 404
        conforms(missing.json(), "error.json")
        (reason,) = missing.json()["reasons"]
        assert missing.json()["success"] is False and reason["code"].endswith("40") and len(reason["code"]) == 8
        assert "O-NOBODY" in reason["message"]
        # An order number with characters that must be escaped in a path.
        escaped = httpx.get(f"{server.url}/v1/orders/O%2F1%20x", headers=auth)
        assert escaped.status_code == 404 and "O/1 x" in escaped.json()["reasons"][0]["message"]


def test_get_order_is_behind_auth_rate_limit_and_faults():
    with emulator(faults=Faults(script=["none", "500", "drop-before"])) as server:
        bearer = token(server)
        auth = {"Authorization": f"Bearer {bearer}"}
        assert httpx.get(f"{server.url}/v1/orders/O-1").status_code == 401
        assert httpx.get(f"{server.url}/v1/orders/O-1", headers=auth).status_code == 500
        with pytest.raises(httpx.TransportError):
            httpx.get(f"{server.url}/v1/orders/O-1", headers=auth)
        assert httpx.get(f"{server.url}/v1/orders/O-1", headers=auth).status_code == 404
        assert [r["fault"] for r in server.requests if r["path"] == "/v1/orders/O-1"] == [None, "500", "drop-before",
                                                                                          None]
    with emulator(rate_limit=1, rate_window=60) as server:
        auth = {"Authorization": f"Bearer {token(server)}"}
        assert httpx.get(f"{server.url}/v1/orders/O-1", headers=auth).status_code == 404
        assert httpx.get(f"{server.url}/v1/orders/O-1", headers=auth).status_code == 429
