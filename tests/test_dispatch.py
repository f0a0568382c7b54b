"""The dispatch client and the exactly-once sender, against the emulator over real HTTP."""

from __future__ import annotations

import json
import re
import time
from decimal import Decimal

import pytest

from dispatch_support import (SECRET, assert_no_secret, client, copy_specs, dispatcher, drop_order_number, emulator,
                              journal_text, policy, rendered)
from orderspec.dispatch import DispatchError, Outcome, OutcomeUnknown, Pace, Secret, resolve_environment, send_batch
from orderspec.dispatch.client import ENVIRONMENTS
from orderspec.dispatch.errors import Reason, job_errors, reasons_from
from orderspec.dispatch.journal import Journal, attempt_key, journal_path_for
from orderspec.dispatch.retry import Budget, RetryPolicy, retry_after_seconds
from orderspec.render import RenderedRequest, canonical_json
from orderspec.model import ENDPOINTS


def create_item(tmp_path, name="create.order.yaml"):
    folder = copy_specs(tmp_path, name)
    (item,) = rendered(folder)
    return folder, item


def post_keys(server):
    return [r["key"] for r in server.requests if r["method"] == "POST"]


# -- reasons and their meaning ------------------------------------------------------------------------


def test_reason_category_is_the_last_two_digits():
    assert Reason("53500050", "x").category == 50
    assert "lock contention" in Reason("53500050", "x").meaning
    assert Reason("58730222", "orderDate may not be null").meaning == "missing required field"
    assert Reason("SystemError", "boom").category is None
    assert Reason("53500050", "x").retryable and not Reason("58730222", "x").retryable


def test_reasons_accept_numeric_and_text_codes():
    payload = {"success": False, "reasons": [{"code": 53500050, "message": "a"}, {"code": "58730222", "message": "b"}]}
    assert [(r.code, r.category) for r in reasons_from(payload)] == [("53500050", 50), ("58730222", 22)]


def test_async_job_errors_string_is_split_into_reasons():
    found = job_errors("[40000020]: Rate plan is not effective. [40000050]: lock")
    assert [(r.code, r.message) for r in found] == [("40000020", "Rate plan is not effective."), ("40000050", "lock")]
    assert job_errors(None) == []


# -- retry timing -----------------------------------------------------------------------------------------


def test_retry_after_seconds_reads_seconds_dates_and_ratelimit_reset():
    now = 1_700_000_000.0
    assert retry_after_seconds({"Retry-After": "3"}) == 3
    date = time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime(now + 10))
    assert retry_after_seconds({"retry-after": date}, now=lambda: now) == pytest.approx(10, abs=1)
    assert retry_after_seconds({"RateLimit-Reset": "7"}) == 7
    assert retry_after_seconds({}) is None


def test_backoff_grows_with_jitter_and_is_capped():
    rules = RetryPolicy(base_delay=1.0, max_delay=8.0, seed=3)
    waits = [rules.backoff(n) for n in range(1, 30)]
    assert all(0 < w <= 8.0 for w in waits)
    assert len(set(waits)) > 10  # jitter: not a fixed ladder
    assert max(rules.backoff(1) for _ in range(50)) <= 1.0


def test_budget_is_bounded_by_count_and_by_time():
    budget = Budget(RetryPolicy(max_attempts=3, base_delay=0.001, max_delay=0.001, total_time=100))
    budget.start_attempt()
    assert budget.wait_for_retry() is not None
    budget.start_attempt(), budget.start_attempt()
    assert budget.wait_for_retry() is None
    clock = iter([0.0, 50.0]).__next__
    timed = Budget(RetryPolicy(max_attempts=100, base_delay=0.001, total_time=10), clock=clock)
    timed.start_attempt()
    assert timed.wait_for_retry() is None  # 50 s passed, budget is 10 s
    assert Budget(RetryPolicy(max_retry_after=5)).wait_for_retry(server_wait=60) is None


def test_a_budget_counts_neither_the_wait_in_line_nor_attempts_turned_away_with_429():
    now = [0.0]
    budget = Budget(RetryPolicy(max_attempts=2, base_delay=0.001, max_delay=0.001, total_time=10),
                    clock=lambda: now[0])
    for _ in range(50):  # a minute in line each time, then turned away: the others took the places
        budget.start_attempt()
        budget.pause()
        now[0] += 60
        budget.resume()
        now[0] += 1
        budget.forgive()
    budget.start_attempt()  # one that failed on its own account, after a minute in line and 2 s out
    budget.pause()
    now[0] += 60
    budget.resume()
    now[0] += 2
    assert (budget.attempts, budget.sent, budget.forgiven, budget.elapsed()) == (1, 51, 50, 2.0)
    assert budget.wait_for_retry() is not None
    budget.start_attempt()
    assert budget.wait_for_retry() is None  # two attempts of its own: spent


# -- environments and secrets -----------------------------------------------------------------------------


def test_environments_have_reference_base_urls_and_production_flags():
    assert ENVIRONMENTS["us-api-sandbox-cloud1"].base_url == "https://rest.sandbox.na.zuora.com"
    assert ENVIRONMENTS["eu-production"].production and not ENVIRONMENTS["eu-api-sandbox"].production
    assert resolve_environment(None, "https://rest.zuora.com/").production
    assert not resolve_environment(None, "http://127.0.0.1:9").production
    with pytest.raises(DispatchError, match="us-api-sandbox-cloud1"):
        resolve_environment("us-api-sandbox-cloud", None)


def test_secret_never_shows_in_repr_or_str():
    secret = Secret(SECRET)
    assert SECRET not in repr(secret) and SECRET not in str(secret) and SECRET not in f"{secret}"
    assert secret.reveal() == SECRET


# -- the client against the emulator ----------------------------------------------------------------------


def test_token_is_cached_and_refreshed_once_on_401(tmp_path):
    _, item = create_item(tmp_path, "preview.order.yaml")
    with emulator() as server, client(server) as zuora:
        assert zuora.send(item.rendered).success
        assert zuora.send(item.rendered).success
        assert zuora.token_fetches == 1
        server.expire_tokens()  # the server forgets the token before the client expects it to
        assert zuora.send(item.rendered).success
        assert zuora.token_fetches == 2 and server.unauthorized == 1


def test_token_refreshed_before_it_expires(tmp_path):
    _, item = create_item(tmp_path, "preview.order.yaml")
    with emulator(token_ttl=0.3) as server, client(server) as zuora:
        zuora.send(item.rendered)
        time.sleep(0.35)
        assert zuora.send(item.rendered).success
        assert zuora.token_fetches == 2 and server.unauthorized == 0  # renewed before it ran out


def test_refused_credentials_give_a_clear_error_without_the_secret(tmp_path):
    _, item = create_item(tmp_path, "preview.order.yaml")
    with emulator() as server, client(server, secret=SECRET + "-wrong") as zuora:
        with pytest.raises(DispatchError) as raised:
            zuora.send(item.rendered)
    assert "ZUORA_CLIENT_SECRET" in str(raised.value)
    assert_no_secret(str(raised.value), repr(raised.value), repr(zuora))


def test_429_waits_retry_after_in_line(tmp_path):
    """The tenant's wait is everyone's: it is the pace's hold, which the retry waits out in line."""
    _, item = create_item(tmp_path, "preview.order.yaml")
    now = [100.0]
    waits: list[float] = []
    pace = Pace(clock=lambda: now[0])
    pace.sleep = lambda s: (waits.append(s), now.__setitem__(0, now[0] + s))  # type: ignore[method-assign]
    with emulator(retry_after=0.05, faults=_script("429")) as server:
        with client(server, pace=pace) as zuora:
            response = zuora.send(item.rendered)
    assert response.success and response.attempts == 2
    assert waits == [pytest.approx(0.05)] and pace.throttles == 1


def test_rate_limit_window_gives_429_then_success(tmp_path):
    _, item = create_item(tmp_path, "preview.order.yaml")
    with emulator(rate_limit=2, rate_window=0.2, retry_after=0.2) as server, client(server) as zuora:
        results = [zuora.send(item.rendered) for _ in range(4)]
    assert all(r.success for r in results)
    assert sum(r.attempts for r in results) > 4  # some were answered 429 first


@pytest.mark.parametrize("faults", [["500"], ["503", "500"], ["drop-before"], ["drop-after"], ["drop-after", "500"]])
def test_server_errors_and_dropped_connections_are_retried_with_the_same_key(tmp_path, faults):
    folder, item = create_item(tmp_path)
    with emulator(faults=_script(*faults)) as server, client(server) as zuora:
        outcome = dispatcher(zuora).create(item.rendered, Journal(journal_path_for(item.spec_path)), _new(item))
        assert outcome.status == "created", outcome
        assert len(server.orders()) == 1
        assert set(post_keys(server)) == {item.rendered.idempotency_key}
        assert len(post_keys(server)) == len(faults) + 1


def test_timeout_on_create_retries_with_the_same_key_and_creates_once(tmp_path):
    folder, item = create_item(tmp_path)
    slow = policy(base_delay=0.05, max_delay=0.1, max_attempts=12)
    with emulator(faults=_script("timeout"), slow_delay=0.4) as server:
        with client(server, timeout=0.15, policy=slow) as zuora:
            outcome = dispatcher(zuora).create(item.rendered, Journal(journal_path_for(item.spec_path)), _new(item))
        assert outcome.status == "created" and outcome.order_number == "O-DISPATCH-SYNC"
        assert len(server.orders()) == 1
        assert set(post_keys(server)) == {item.rendered.idempotency_key}
        assert len(post_keys(server)) >= 2  # timed out, then 409 (still in flight) and/or the stored answer


def test_timeout_beyond_the_budget_is_unknown_and_the_next_run_uses_the_same_key(tmp_path):
    folder = copy_specs(tmp_path, "create.order.yaml")
    drop_order_number(folder)  # with a number, the run would settle it at once by looking it up
    (item,) = rendered(folder)
    journal = Journal(journal_path_for(item.spec_path))
    with emulator(faults=_script("timeout"), slow_delay=0.3) as server:
        with client(server, timeout=0.1, policy=policy(max_attempts=1)) as zuora:
            first = dispatcher(zuora).create(item.rendered, journal, _new(item))
        assert first.status == "unknown" and "run the same command again" in first.detail
        assert journal.states()[item.rendered.idempotency_key].status == "unknown"
        time.sleep(0.35)
        with client(server) as zuora:
            state = journal.states()[item.rendered.idempotency_key]
            second = dispatcher(zuora).create(item.rendered, journal, state)
        assert second.status == "created"
        assert len(server.orders()) == 1
        assert set(post_keys(server)) == {item.rendered.idempotency_key}


def test_lock_contention_gets_a_new_attempt_with_a_new_key(tmp_path):
    folder, item = create_item(tmp_path)
    journal = Journal(journal_path_for(item.spec_path))
    with emulator(faults=_script("lock")) as server, client(server) as zuora:
        outcome = dispatcher(zuora).create(item.rendered, journal, _new(item))
        assert outcome.status == "created"
        base = item.rendered.idempotency_key
        assert post_keys(server) == [base, attempt_key(base, 1)]
        assert len(server.orders()) == 1
    events = [json.loads(line)["event"] for line in journal_text(folder).splitlines()]
    assert events == ["sending", "failed", "sending", "created"]


def test_lock_contention_that_persists_is_a_failure_with_its_meaning(tmp_path):
    folder, item = create_item(tmp_path)
    with emulator(faults=_script("lock", "lock", "lock")) as server, client(server) as zuora:
        outcome = dispatcher(zuora, new_attempts=2).create(item.rendered, Journal(journal_path_for(item.spec_path)),
                                                           _new(item))
        assert outcome.status == "failed" and not server.orders()
    assert outcome.reasons and outcome.reasons[0].category == 50
    assert "lock contention" in outcome.reasons[0].text()


def test_http_200_with_success_false_is_a_failure(tmp_path):
    folder, item = create_item(tmp_path)
    body = json.loads(item.rendered.body, parse_float=Decimal)
    del body["orderDate"]
    bad = RenderedRequest("bad", ENDPOINTS["create"], dict(item.rendered.headers, **{"Idempotency-Key": "bad-1"}),
                          {}, canonical_json(body))
    with emulator() as server, client(server) as zuora:
        response = zuora.send(bad)
        assert response.status == 200 and not response.success
        outcome = dispatcher(zuora).create(bad, Journal(tmp_path / "j.jsonl"), _new_key("bad-1"))
        assert not server.orders()
    assert outcome.status == "failed"
    assert [r.category for r in outcome.reasons] == [22]
    assert "missing required field" in outcome.reasons[0].text() and "orderDate" in outcome.reasons[0].message


def test_large_bodies_are_sent_gzipped(tmp_path):
    folder, item = create_item(tmp_path)
    with emulator() as server, client(server, gzip_threshold=64) as zuora:
        response = zuora.send(item.rendered)
        assert response.success
        assert [r["gzip"] for r in server.requests] == [True]
    with emulator() as server, client(server) as zuora:
        zuora.send(item.rendered)
        assert [r["gzip"] for r in server.requests] == [False]


def test_connection_refused_is_not_sent_and_keeps_the_key(tmp_path):
    folder, item = create_item(tmp_path)
    journal = Journal(journal_path_for(item.spec_path))
    with emulator() as server:
        url = server.url
    from orderspec.dispatch import Credentials, ZuoraClient

    with ZuoraClient(url, Credentials("x", Secret(SECRET)), policy=policy(max_attempts=2)) as zuora:
        outcome = dispatcher(zuora).create(item.rendered, journal, _new(item))
    assert outcome.status == "not-sent" and "not sent" in outcome.detail
    assert_no_secret(outcome.detail)
    # Journalled as never sent (issue 13, item 3): a re-run, even a day later, sends it as new with
    # the same key instead of refusing it as unconfirmed.
    state = journal.states()[item.rendered.idempotency_key]
    assert (state.status, state.attempt, state.sent_at) == ("not-sent", 0, 0.0)
    from orderspec.dispatch.plan import plan_action

    assert plan_action(state, time.time() + 2 * 86400).startswith("send")


# -- async ------------------------------------------------------------------------------------------------


def test_async_create_polls_the_job_to_completion(tmp_path):
    folder, item = create_item(tmp_path, "async-create.order.yaml")
    assert item.rendered.endpoint.name == "async-create"
    with emulator(job_delay=0.3) as server, client(server) as zuora:
        outcome = dispatcher(zuora).create(item.rendered, Journal(journal_path_for(item.spec_path)), _new(item))
        polls = [r for r in server.requests if r["method"] == "GET"]
    assert outcome.status == "created" and outcome.order_number == "O-DISPATCH-ASYNC"
    assert re.fullmatch(r"[0-9a-f]{32}", outcome.job_id)
    assert len(polls) >= 2  # at least one Processing answer before Completed
    assert '"event":"job"' in journal_text(folder)


def test_async_job_lock_contention_is_retried_as_a_new_attempt(tmp_path):
    folder, item = create_item(tmp_path, "async-create.order.yaml")
    with emulator(faults=_script("lock")) as server, client(server) as zuora:
        outcome = dispatcher(zuora).create(item.rendered, Journal(journal_path_for(item.spec_path)), _new(item))
        assert outcome.status == "created" and len(server.orders()) == 1


def test_async_job_failure_shows_the_reason(tmp_path):
    folder, item = create_item(tmp_path, "async-create.order.yaml")
    body = json.loads(item.rendered.body, parse_float=Decimal)
    body["subscriptions"][0]["orderActions"][0]["type"] = "NoSuchAction"
    bad = RenderedRequest("bad", ENDPOINTS["async-create"], dict(item.rendered.headers, **{"Idempotency-Key": "k"}),
                          {}, canonical_json(body))
    with emulator() as server, client(server) as zuora:
        outcome = dispatcher(zuora).create(bad, Journal(tmp_path / "j.jsonl"), _new_key("k"))
    assert outcome.status == "failed" and outcome.job_id
    assert outcome.reasons and outcome.reasons[0].code.startswith("400000")


def test_async_preview_returns_the_job_result(tmp_path):
    folder, item = create_item(tmp_path, "async-preview.order.yaml")
    with emulator() as server, client(server) as zuora:
        outcome = dispatcher(zuora).preview(item.rendered)
    assert outcome.status == "previewed"
    assert outcome.payload["chargeMetrics"][0]["charges"][0]["cmrr"]["regular"] == Decimal("19.99")


def test_duplicate_specs_in_one_batch_are_sent_once(tmp_path):
    folder = copy_specs(tmp_path)
    text = (copy_specs(tmp_path, "create.order.yaml") / "create.order.yaml").read_text()
    text = text.replace("  orderNumber: O-DISPATCH-SYNC\n", "")  # (lint refuses a repeated order number)
    (folder / "create.order.yaml").write_text(text)
    (folder / "copy.order.yaml").write_text(text)
    items = rendered(folder)
    with emulator() as server, client(server) as zuora:
        outcomes = send_batch(items, dispatcher(zuora))
        assert sorted(o.status for o in outcomes) == ["created", "skipped"]
        assert len(server.orders()) == 1 and len(post_keys(server)) == 1


def _script(*faults):
    from orderspec.emulator import Faults

    return Faults(script=list(faults))


def _new(item):
    from orderspec.dispatch.journal import OrderState

    return OrderState(item.rendered.idempotency_key)


def _new_key(key):
    from orderspec.dispatch.journal import OrderState

    return OrderState(key)


def test_debug_logs_hold_no_secret_and_no_token(tmp_path, caplog):
    import logging

    from dispatch_support import assert_no_token

    folder, item = create_item(tmp_path)
    caplog.set_level(logging.DEBUG)
    with emulator(faults=_script("500", "429")) as server, client(server) as zuora:
        outcome = dispatcher(zuora).create(item.rendered, Journal(journal_path_for(item.spec_path)), _new(item))
        assert outcome.status == "created"
        logs = "\n".join(f"{r.getMessage()} {r.args!r}" for r in caplog.records)
        assert "retry" in logs  # the retries were logged
        assert_no_secret(logs, repr(outcome))
        assert_no_token(server, logs, repr(outcome), repr(zuora.__dict__))


def _garbled_gzip_client(token_garbled: bool):
    """A client whose API answers with a body that is not the gzip its header says."""
    import httpx

    from orderspec.dispatch import Credentials, ZuoraClient

    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/oauth/token" and not token_garbled:
            return httpx.Response(200, json={"access_token": "tok-" + SECRET[::-1], "expires_in": 3600})
        return httpx.Response(200, headers={"Content-Encoding": "gzip"}, content=b"not gzip")

    return ZuoraClient("https://api.invalid", Credentials("x", Secret(SECRET)), policy=policy(max_attempts=2),
                       transport=httpx.MockTransport(answer))


def test_an_unreadable_answer_is_an_unknown_outcome_not_a_crash(tmp_path):
    folder, item = create_item(tmp_path)
    journal = Journal(journal_path_for(item.spec_path))
    with _garbled_gzip_client(token_garbled=False) as zuora:
        with pytest.raises(OutcomeUnknown) as raised:
            zuora.send(item.rendered)
        assert "could not be read" in str(raised.value)
        outcome = dispatcher(zuora).create(item.rendered, journal, _new(item))
    assert outcome.status == "unknown"
    assert_no_secret(str(raised.value), outcome.detail, repr(outcome))
    assert SECRET[::-1] not in str(raised.value) + outcome.detail
    # the next run asks the API again with the same key instead of creating a second order
    assert journal.states()[item.rendered.idempotency_key].status == "unknown"


def test_an_unreadable_token_answer_is_a_dispatch_error_without_the_secret():
    with _garbled_gzip_client(token_garbled=True) as zuora:
        with pytest.raises(DispatchError) as raised:
            zuora.authenticate()
    assert "could not get an OAuth token" in str(raised.value)
    assert_no_secret(str(raised.value), repr(raised.value))
