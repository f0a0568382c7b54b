"""Soak: 200 orders through random injected faults (seeded), a run interrupted twice and resumed;
afterwards the emulator holds every order exactly once and the journal agrees."""

from __future__ import annotations

import random

from dispatch_support import (CLIENT_ID, FIXTURES, SECRET, assert_no_secret, assert_no_token, client, dispatcher,
                              emulator, journal_text, policy, rendered)
from orderspec.dispatch import Credentials, PollSettings, Secret, send_batch
from orderspec.dispatch.client import ZuoraClient
from orderspec.dispatch.journal import Journal
from orderspec.emulator import FAULT_KINDS, Faults

ORDERS, FILES = 200, 4


def write_batch(folder):
    template = (FIXTURES / "create.order.yaml").read_text()
    per_file = ORDERS // FILES
    for file_number in range(FILES):
        documents = []
        for offset in range(per_file):
            number = file_number * per_file + offset
            text = template.replace("O-DISPATCH-SYNC", f"O-SOAK-{number:04d}")
            if number % 4 == 0:
                text = text.replace("operation: create\n", "operation: create\nasync: true\n")
            documents.append(text)
        (folder / f"batch-{file_number}.order.yaml").write_text("---\n".join(documents))


class _Interrupt:
    """Ctrl-C at the n-th wait (a retry backoff or a job poll)."""

    def __init__(self, at: int) -> None:
        self.left = at

    def __call__(self, seconds: float) -> None:
        self.left -= 1
        if self.left == 0:
            raise KeyboardInterrupt
        import time

        time.sleep(seconds)


class _DiesAfterAnswers(ZuoraClient):
    """The process dies right after the n-th POST answer arrives, before it is journalled."""

    answers_left = 0

    def send(self, *args, **kwargs):
        response = super().send(*args, **kwargs)
        type(self).answers_left -= 1
        if type(self).answers_left == 0:
            raise KeyboardInterrupt
        return response


def test_two_hundred_orders_exactly_once_through_faults_and_interruptions(tmp_path):
    folder = tmp_path / "batch"
    folder.mkdir()
    write_batch(folder)
    items = rendered(folder)
    assert len(items) == ORDERS
    rng = random.Random(20240101)
    faults = Faults(rate=0.25, kinds=FAULT_KINDS, seed=rng.randrange(2**32))
    fast = dict(poll=PollSettings(timeout=10, interval=0.005, max_interval=0.02))
    with emulator(faults=faults, slow_delay=0.25, job_delay=0.01) as server:
        # Run 1: Ctrl-C during a wait somewhere in the middle.
        waits = _Interrupt(at=25)
        try:
            with client(server, timeout=0.1, sleep=waits) as zuora:
                send_batch(items, dispatcher(zuora, sleep=waits, **fast))
        except KeyboardInterrupt:
            pass
        else:
            raise AssertionError("run 1 was meant to be interrupted")
        created_after_first = len(server.orders())
        assert 0 < created_after_first < ORDERS
        # Run 2: dies right after an answer arrives, before the journal hears of it.
        _DiesAfterAnswers.answers_left = 60
        try:
            with _DiesAfterAnswers(server.url, Credentials(CLIENT_ID, Secret(SECRET)), timeout=0.1,
                                   policy=policy()) as zuora:
                send_batch(items, dispatcher(zuora, **fast))
        except KeyboardInterrupt:
            pass
        # Then plain re-runs until everything is settled (bounded).
        for _ in range(6):
            with client(server, timeout=0.1) as zuora:
                outcomes = send_batch(items, dispatcher(zuora, **fast))
            if all(o.status in ("created", "skipped") for o in outcomes):
                break
        assert all(o.status in ("created", "skipped") for o in outcomes), \
            [(o.name, o.status, o.detail) for o in outcomes if not o.ok]

        injected = {r["fault"] for r in server.requests if r["fault"]}
        assert {"timeout", "drop-after", "lock", "500", "429"} <= injected  # the faults did happen

        assert server.duplicate_order_numbers == 0  # no order was ever sent twice under a new key
        numbers = [o["orderNumber"] for o in server.orders()]
        assert sorted(numbers) == sorted(f"O-SOAK-{n:04d}" for n in range(ORDERS))  # each exactly once
        journalled = {}
        for state in Journal(folder / ".orderspec" / "journal.jsonl").states().values():
            assert state.status == "created"
            journalled[state.record["orderNumber"]] = state
        assert sorted(journalled) == sorted(numbers)
        by_number = {o["orderNumber"]: o for o in server.orders()}
        for number, state in journalled.items():
            # The key the emulator created the order under is the attempt the journal settled on.
            assert by_number[number]["idempotencyKey"] == state.attempt_key
        text = journal_text(folder)
        assert_no_secret(text)
        assert_no_token(server, text)
