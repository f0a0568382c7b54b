"""An answer that cannot be read is not a failure (issue 13, item 4): the order may exist, so it is
journalled as unknown and settled (a look-up by its number, or the same Idempotency-Key again),
never sent again under a new key. Only an answer with Zuora's reasons is a failure."""

from __future__ import annotations

import json

import httpx

from dispatch_support import client, copy_specs, dispatcher, drop_order_number, emulator, journal_text, rendered
from orderspec.dispatch import send_batch
from orderspec.dispatch.journal import Journal, journal_path_for


class Garbling(httpx.HTTPTransport):
    """Real HTTP to the emulator, but the next `count` answers to order POSTs are replaced by `body`
    with `status` (what a proxy's error page or a body cut short looks like) after the API acted."""

    def __init__(self, count: int, body: bytes = b"<html><body>502 Bad Gateway</body></html>",
                 status: int = 200) -> None:
        super().__init__()
        self.left = count
        self.body = body
        self.status = status

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = super().handle_request(request)
        if request.method == "POST" and request.url.path.startswith("/v1/") and self.left > 0:
            self.left -= 1
            response.read()
            response.close()
            return httpx.Response(self.status, content=self.body, headers={"Content-Type": "text/html"})
        return response


def posted_keys(server):
    return [r["key"] for r in server.requests if r["method"] == "POST"]


def events(folder):
    return [json.loads(line)["event"] for line in journal_text(folder).splitlines()]


def test_a_200_whose_body_is_not_json_is_settled_by_looking_the_order_up(tmp_path):
    folder = copy_specs(tmp_path, "create.order.yaml")
    (item,) = rendered(folder)
    with emulator() as server:
        with client(server, transport=Garbling(count=2), policy=_two_attempts()) as zuora:
            (outcome,) = send_batch([item], dispatcher(zuora))
        assert outcome.status == "created" and outcome.order_number == "O-DISPATCH-SYNC"
        assert len(server.orders()) == 1
        # Retried with the same key only (both answers garbled), then found by its number.
        assert set(posted_keys(server)) == {item.rendered.idempotency_key}
    assert "failed" not in events(folder)
    assert events(folder)[-2:] == ["unknown", "created"]


def test_an_unreadable_answer_without_an_order_number_is_unknown_and_the_rerun_keeps_the_key(tmp_path):
    folder = copy_specs(tmp_path, "create.order.yaml")
    drop_order_number(folder)
    (item,) = rendered(folder)
    base = item.rendered.idempotency_key
    with emulator() as server:
        with client(server, transport=Garbling(count=1), policy=_two_attempts(max_attempts=1)) as zuora:
            (first,) = send_batch([item], dispatcher(zuora))
        assert first.status == "unknown" and "may exist" in first.detail
        state = Journal(journal_path_for(item.spec_path)).states()[base]
        assert state.status == "unknown"
        with client(server) as zuora:
            (second,) = send_batch(rendered(folder), dispatcher(zuora))
        assert second.status == "created"
        # Before the fix the garbled answer was journalled as failed and the re-run sent `<key>-1`,
        # a second order. Now: one order, and only ever the one key.
        assert len(server.orders()) == 1
        assert set(posted_keys(server)) == {base}
    assert "failed" not in events(folder)


def test_an_error_status_with_a_body_that_is_not_the_apis_is_unknown_not_failed(tmp_path):
    folder = copy_specs(tmp_path, "create.order.yaml")
    drop_order_number(folder)
    (item,) = rendered(folder)
    with emulator() as server:
        transport = Garbling(count=1, body=b"<html>Bad request</html>", status=400)
        with client(server, transport=transport, policy=_two_attempts(max_attempts=1)) as zuora:
            (outcome,) = send_batch([item], dispatcher(zuora))
    assert outcome.status == "unknown"
    assert events(folder) == ["sending", "unknown"]


def test_a_json_answer_without_reasons_or_an_order_is_unknown(tmp_path):
    folder = copy_specs(tmp_path, "create.order.yaml")
    (item,) = rendered(folder)
    with emulator() as server:
        transport = Garbling(count=1, body=b'{"success": false}', status=200)
        with client(server, transport=transport) as zuora:
            (outcome,) = send_batch([item], dispatcher(zuora))
        # The API made the order (the transport hid its answer): found by its number at once.
        assert outcome.status == "created" and len(server.orders()) == 1
    assert events(folder) == ["sending", "unknown", "created"]


def test_an_answer_with_reasons_is_still_a_failure(tmp_path):
    folder = copy_specs(tmp_path, "create.order.yaml")
    (item,) = rendered(folder)
    refusal = json.dumps({"success": False, "reasons": [{"code": 58730222, "message": "orderDate may not be null"}]})
    with emulator() as server:
        with client(server, transport=Garbling(count=1, body=refusal.encode())) as zuora:
            (outcome,) = send_batch([item], dispatcher(zuora))
    assert outcome.status == "failed" and outcome.reasons[0].code == "58730222"
    assert events(folder) == ["sending", "failed"]


def _two_attempts(max_attempts: int = 2):
    from dispatch_support import policy

    return policy(max_attempts=max_attempts)


def test_the_emulators_garbled_answer_is_settled_under_the_same_key(tmp_path):
    """`--faults kinds=garbled`: the order is made and the 200's body is not JSON."""
    from orderspec.emulator import Faults

    folder = copy_specs(tmp_path, "create.order.yaml")
    drop_order_number(folder)  # no look-up possible: only the same key can settle it
    (item,) = rendered(folder)
    with emulator(faults=Faults(script=["garbled"])) as server:
        with client(server) as zuora:
            (outcome,) = send_batch([item], dispatcher(zuora))
        assert outcome.status == "created"
        assert len(server.orders()) == 1 and server.duplicate_order_numbers == 0
        assert posted_keys(server) == [item.rendered.idempotency_key] * 2  # garbled, then the stored answer
        assert [r["fault"] for r in server.requests if r["method"] == "POST"] == ["garbled", None]
    assert "failed" not in events(folder)
