"""The journal makes `send` exactly-once across crashes: each crash point, then a re-run."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from dispatch_support import (FAST, SECRET, assert_no_secret, assert_no_token, cli_env, client, copy_specs,
                              dispatcher, drop_order_number, emulator, journal_text, policy, rendered)
from orderspec.dispatch import PollSettings, send_batch
from orderspec.dispatch.client import ZuoraClient
from orderspec.dispatch.journal import Journal, JournalBusy, journal_path_for
from orderspec.emulator import Faults


def posts(server):
    return [r for r in server.requests if r["method"] == "POST"]


def run_again(server, items):
    with client(server) as zuora:
        return send_batch(items, dispatcher(zuora))


def check_once(server, folder, items):
    """Every order exists exactly once, and the journal agrees with the emulator."""
    numbers = sorted(o["orderNumber"] for o in server.orders())
    assert len(numbers) == len(set(numbers)) == len(items)
    journal = Journal(folder / ".orderspec" / "journal.jsonl")
    states = journal.states()
    assert {s.status for s in states.values()} == {"created"}
    assert sorted(s.record["orderNumber"] for s in states.values()) == numbers
    text = journal_text(folder)
    assert_no_secret(text)
    assert_no_token(server, text)


def test_crash_after_the_intent_is_written_before_the_post(tmp_path):
    folder = copy_specs(tmp_path, "create.order.yaml")
    items = rendered(folder)
    key = items[0].rendered.idempotency_key
    with emulator() as server:
        Journal(journal_path_for(items[0].spec_path)).append(
            {"key": key, "spec": "x", "endpoint": "create", "event": "sending", "attempt": 0, "attemptKey": key,
             "tenant": {"baseUrl": server.url}})
        outcomes = run_again(server, items)
        assert [o.status for o in outcomes] == ["created"]
        assert [p["key"] for p in posts(server)] == [key]
        check_once(server, folder, items)


def test_ctrl_c_after_the_post_left_before_the_answer(tmp_path):
    folder = copy_specs(tmp_path, "create.order.yaml")
    items = rendered(folder)

    def interrupted(seconds):
        raise KeyboardInterrupt  # Ctrl-C while waiting to retry a create that timed out

    with emulator(faults=Faults(script=["timeout"]), slow_delay=0.3) as server:
        with client(server, timeout=0.1, sleep=interrupted) as zuora, pytest.raises(KeyboardInterrupt):
            send_batch(items, dispatcher(zuora))
        assert len(server.orders()) == 1  # the API did create it
        assert Journal(journal_path_for(items[0].spec_path)).states()[items[0].rendered.idempotency_key].status == "sending"
        time.sleep(0.35)
        assert [o.status for o in run_again(server, items)] == ["created"]
        assert {p["key"] for p in posts(server)} == {items[0].rendered.idempotency_key}
        check_once(server, folder, items)


class _DiesAfterAnswer(ZuoraClient):
    def send(self, *args, **kwargs):
        super().send(*args, **kwargs)
        raise KeyboardInterrupt  # the answer arrived; the process dies before journalling it


@pytest.mark.parametrize("numbered", [True, False], ids=["looked-up", "no-order-number"])
def test_crash_after_the_answer_before_the_journal_write(tmp_path, numbered):
    folder = copy_specs(tmp_path, "create.order.yaml")
    if not numbered:
        drop_order_number(folder)
    items = rendered(folder)
    with emulator() as server:
        from dispatch_support import CLIENT_ID
        from orderspec.dispatch import Credentials, Secret

        with _DiesAfterAnswer(server.url, Credentials(CLIENT_ID, Secret(SECRET)), policy=policy()) as zuora:
            with pytest.raises(KeyboardInterrupt):
                send_batch(items, dispatcher(zuora))
        assert run_again(server, items)[0].status == "created"
        # With an order number the re-run finds the order in Zuora and sends nothing; without one
        # it sends again with the same key and gets the stored first answer.
        assert len(posts(server)) == (1 if numbered else 2)
        lookups = [r for r in server.requests if r["method"] == "GET" and r["path"].startswith("/v1/orders/")]
        assert len(lookups) == (1 if numbered else 0)
        check_once(server, folder, items)


def test_torn_last_line_is_ignored_and_the_next_record_starts_on_its_own_line(tmp_path):
    folder = copy_specs(tmp_path, "create.order.yaml")
    items = rendered(folder)
    with emulator() as server:
        run_again(server, items)
        path = journal_path_for(items[0].spec_path)
        with open(path, "a") as handle:
            handle.write('{"v":1,"key":"orderspec-')  # the process died mid-write
        outcomes = run_again(server, items)
        assert outcomes[0].status == "skipped"
        journal = Journal(path)
        journal.append({"key": "other", "event": "failed"})
        assert journal.states()["other"].status == "failed"
        assert journal.torn_lines == 1
        assert len(server.orders()) == 1


def test_unconfirmed_send_older_than_the_key_lifetime_is_reported_not_resent(tmp_path):
    folder = copy_specs(tmp_path, "create.order.yaml")
    drop_order_number(folder)  # with one, the order is looked up instead (tests/test_dispatch_settle.py)
    items = rendered(folder)
    key = items[0].rendered.idempotency_key
    day_ago = Journal(journal_path_for(items[0].spec_path), clock=lambda: time.time() - 24 * 3600)
    with emulator() as server:
        day_ago.append({"key": key, "event": "sending", "attempt": 0, "attemptKey": key,
                        "tenant": {"baseUrl": server.url}})
        outcomes = run_again(server, items)
        assert outcomes[0].status == "unknown"
        assert "check in Zuora before resending" in outcomes[0].detail
        assert "orderNumber" in outcomes[0].detail  # how to let orderspec settle it next time
        assert server.requests == [] and server.orders() == []


def test_polling_that_times_out_is_resumed_without_a_second_submit(tmp_path):
    folder = copy_specs(tmp_path, "async-create.order.yaml")
    items = rendered(folder)
    with emulator(job_delay=0.4) as server:
        with client(server) as zuora:
            impatient = dispatcher(zuora, poll=PollSettings(timeout=0.05, interval=0.01, max_interval=0.01))
            first = send_batch(items, impatient)
        assert first[0].status == "in-flight" and first[0].job_id
        time.sleep(0.4)
        second = run_again(server, items)
        assert second[0].status == "created" and second[0].job_id == first[0].job_id
        assert len(posts(server)) == 1
        check_once(server, folder, items)


def test_two_runs_cannot_share_a_journal(tmp_path):
    journal = Journal(tmp_path / ".orderspec" / "journal.jsonl")
    with journal.locked():
        with pytest.raises(JournalBusy):
            with Journal(journal.path).locked():
                pass


def _wait_for(predicate, seconds=20.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return False


@pytest.mark.parametrize("spec, event, settings", [
    ("create.order.yaml", '"event":"sending"', {"faults": Faults(script=["timeout"]), "slow_delay": 0.8}),
    ("async-create.order.yaml", '"event":"job"', {"job_delay": 0.8}),
])
def test_killed_process_then_rerun_creates_once(tmp_path, spec, event, settings):
    """SIGKILL a real `orderspec send` mid-flight (waiting for an answer / polling a job)."""
    folder = copy_specs(tmp_path, spec)
    items = rendered(folder)
    with emulator(**settings) as server:
        env = {**os.environ, **cli_env()}
        args = [sys.executable, "-m", "orderspec", "send", str(folder), "--base-url", server.url, "--yes", *FAST,
                "--timeout", "5"]
        process = subprocess.Popen(args, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            assert _wait_for(lambda: event in journal_text(folder)), "the run never got that far"
            assert _wait_for(lambda: posts(server) != [])  # the POST left: kill it while it waits
        finally:
            process.send_signal(signal.SIGKILL)
            out, err = process.communicate(timeout=10)
        assert_no_secret(out, err)
        time.sleep(0.8)  # the emulator finishes what it started
        outcome = run_again(server, items)
        assert outcome[0].status == "created"
        check_once(server, folder, items)
        assert {p["key"] for p in posts(server)} == {items[0].rendered.idempotency_key}


def test_threads_appending_at_once_never_interleave_within_a_record(tmp_path):
    """send --concurrency appends from many threads: every record stays one whole line."""
    import threading

    journal = Journal(tmp_path / ".orderspec" / "journal.jsonl")
    padding = "x" * 5000  # records longer than a pipe buffer, so a split write would show

    def append_many(thread: int) -> None:
        for n in range(40):
            journal.append({"key": f"k{thread}-{n}", "event": "sending", "spec": padding})

    threads = [threading.Thread(target=append_many, args=(t,)) for t in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    lines = journal.path.read_text().splitlines()
    assert len(lines) == 8 * 40
    assert all(json.loads(line)["spec"] == padding for line in lines)
    assert len(journal.states()) == 8 * 40 and journal.torn_lines == 0
