"""Exactly once at concurrency: real `orderspec send -c 8` processes SIGKILLed at random moments
(and one Ctrl-C) with faults on (garbled answers included), then re-run to completion. The tenant
is counted through GET /v1/orders, page by page: every spec created exactly once (issue 13)."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time

from dispatch_support import CLIENT_ID, FAST, SECRET, assert_no_secret, cli_env, emulator, policy
from orderspec.dispatch import Credentials, Secret, ZuoraClient
from orderspec.dispatch.journal import Journal
from orderspec.emulator import FAULT_KINDS, Faults
from test_dispatch_batch import new_account_spec, write_orders

ORDERS = 48  # in two files, plus a new account and the orders on it: bounded for CI


def write_specs(folder):
    folder.mkdir()
    new_account_spec(folder, "O-NEW-ACCOUNT", "A-NEW", "a-account.order.yaml")
    write_orders(folder, ORDERS // 2, name="b-first.order.yaml",
                 account=lambda n: "A-NEW" if n % 8 == 0 else f"A{n:08d}")
    write_orders(folder, ORDERS // 2, name="c-second.order.yaml", start=ORDERS // 2)
    # Every fourth order of the second file is async: a job to poll when the kill comes.
    path = folder / "c-second.order.yaml"
    documents = path.read_text().split("---\n")
    path.write_text("---\n".join(d.replace("operation: create\n", "operation: create\nasync: true\n")
                                 if i % 4 == 0 else d for i, d in enumerate(documents)))
    return ["O-NEW-ACCOUNT"] + [f"O-BATCH-{n:05d}" for n in range(ORDERS)]


def tenant_orders(server):
    """Every order the tenant holds, as GET /v1/orders pages them (retrying the injected faults)."""
    found, page = [], 1
    with ZuoraClient(server.url, Credentials(CLIENT_ID, Secret(SECRET)),
                     policy=policy(max_attempts=30, total_time=30)) as zuora:
        while True:
            response = zuora.request("GET", "/v1/orders", query={"page": str(page), "pageSize": "40"})
            assert response.status == 200, response.payload
            found += [o["orderNumber"] for o in response.payload["orders"]]
            if not response.payload.get("nextPage"):
                return found
            page += 1


def sendings(folder):
    path = folder / ".orderspec" / "journal.jsonl"
    return path.read_text().count('"event":"sending"') if path.exists() else 0


def wait_for(predicate, seconds=30.0):
    deadline = time.monotonic() + seconds
    while not predicate() and time.monotonic() < deadline:
        time.sleep(0.005)


def start_send(folder, server):
    args = [sys.executable, "-m", "orderspec", "send", str(folder), "--base-url", server.url, "--yes",
            "--concurrency", "8", *FAST, "--timeout", "0.5", "--json"]
    return subprocess.Popen(args, env={**os.environ, **cli_env()}, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def test_sigkill_at_random_moments_with_concurrency_and_faults_then_every_spec_exactly_once(tmp_path):
    folder = tmp_path / "specs"
    expected = write_specs(folder)
    rng = random.Random(1313)
    # Every kind, garbled answers weighted up (the order is made, the answer is not JSON), and the
    # first three requests garbled for certain.
    faults = Faults(rate=0.2, kinds=(*FAULT_KINDS, "garbled", "garbled"), seed=rng.randrange(2**32),
                    script=["garbled"] * 3)
    with emulator(faults=faults, latency=0.05, slow_delay=0.3, job_delay=0.05) as server:
        after_kills = []
        for _ in range(4):  # four runs killed at random moments: after a random number of sends
            before = sendings(folder)
            process = start_send(folder, server)
            wait_for(lambda: sendings(folder) >= before + rng.randint(1, 10) or process.poll() is not None)
            time.sleep(rng.uniform(0.0, 0.1))
            process.send_signal(signal.SIGKILL)
            out, err = process.communicate(timeout=20)
            assert_no_secret(out, err)
            after_kills.append(len(server.orders()))
        print("orders after each kill:", after_kills)
        assert 0 < after_kills[-1] < len(expected)  # killed mid-batch, not before or after
        # Ctrl-C stops a run with many in flight: exit 130, no traceback.
        before = sendings(folder)
        process = start_send(folder, server)
        wait_for(lambda: sendings(folder) >= before + 3 or process.poll() is not None)
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=20)
        if process.returncode != 0:  # 0 only if it had finished everything already
            assert process.returncode == 130, err.decode()
            assert b"Traceback" not in err and b"run the same command again" in err
        # Then plain re-runs until everything is settled (bounded).
        for _ in range(8):
            process = start_send(folder, server)
            out, err = process.communicate(timeout=120)
            assert_no_secret(out, err)
            results = json.loads(out)["results"]  # stdout is one JSON document, faults or not
            if process.returncode == 0:
                break
            time.sleep(0.3)  # let "timeout" faults finish what they started
        assert process.returncode == 0, [r for r in results if r["status"] not in ("created", "skipped")]
        held = sorted(tenant_orders(server))
        assert held == sorted(expected)  # each spec once: none lost, none doubled
        assert server.duplicate_order_numbers == 0  # no order was ever sent again under a new key
        injected = {r["fault"] for r in server.requests if r["fault"]}
        assert "garbled" in injected
    for state in Journal(folder / ".orderspec" / "journal.jsonl").states().values():
        assert state.status == "created", (state.spec, state.status)
