"""`orderspec send` throughput against the emulator with a real tenant's latency (issue 13).

    python bench/bench_send.py                  # 1,000 orders at concurrency 1, 8, 32, 64; ~7 minutes
    python bench/bench_send.py --orders 200     # quicker
    python bench/bench_send.py --levels 8,16 --latency 0.5
    python bench/bench_send.py --orders 400 --levels 16 --faults rate=0.5,kinds=429 --retry-after 0.1
                                                # a throttled tenant: half the answers 429

The emulator runs in a process of its own (`orderspec emulator --latency SECONDS`), as a tenant
would; each level sends a fresh folder of N lint-clean create specs (each on its own account, so
nothing orders them) with `orderspec send --yes --concurrency C --json`, in a fresh process, with
a configuration whose max-concurrency lets the highest level through (the default ceiling is 40).
Reported per level: the sending time and orders per second from send's own JSON summary (lint
and rendering excluded), the whole process's wall time, and the time 100,000 orders would take at
that rate. With `--faults`, the emulator injects them (seeded), and the count of each status is
reported: a throttled tenant should slow the batch down, never leave an order `not-sent`.
Speed is measured here, never asserted in tests.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import datetime, timezone
from decimal import Decimal
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
TEMPLATE = REPO / "tests" / "fixtures" / "dispatch" / "create.order.yaml"
CREDENTIALS = {"ZUORA_CLIENT_ID": "bench", "ZUORA_CLIENT_SECRET": "bench-secret"}


def write_specs(folder: Path, count: int, prefix: str) -> None:
    """`count` create specs, 100 per file, each with its own order number and account."""
    template = TEMPLATE.read_text()
    folder.mkdir(parents=True)
    for start in range(0, count, 100):
        documents = [template.replace("O-DISPATCH-SYNC", f"O-{prefix}-{n:06d}").replace("A00000101", f"A{prefix}{n:06d}")
                     for n in range(start, min(count, start + 100))]
        (folder / f"orders-{start // 100:04d}.order.yaml").write_text("---\n".join(documents))


def start_emulator(latency: float, faults: str | None, retry_after: float) -> tuple[subprocess.Popen[str], str]:
    chosen = ["--faults", faults, "--seed", "7"] if faults else []
    process = subprocess.Popen([sys.executable, "-m", "orderspec", "emulator", "--port", "0",
                                "--latency", str(latency), "--job-delay", "0.5", "--retry-after", str(retry_after),
                                *chosen],
                               stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True, env=_env())
    assert process.stderr is not None
    line = process.stderr.readline()
    found = re.search(r"listening on (http://\S+)", line)
    if not found:
        process.kill()
        raise SystemExit(f"the emulator did not start: {line}")
    return process, found.group(1)


def _env() -> dict[str, str]:
    return {**os.environ, **CREDENTIALS, "PYTHONPATH": str(REPO)}


def send(folder: Path, url: str, concurrency: int, config: Path, faults: bool) -> dict[str, object]:
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "orderspec", "send", str(folder), "--base-url", url, "--yes",
                           "--concurrency", str(concurrency), "--json", "--config", str(config)],
                          capture_output=True, text=True, env=_env())
    wall = time.monotonic() - started
    if done.returncode != 0 and not (faults and done.returncode == 1):  # faults may leave orders unsettled
        raise SystemExit(f"send -c {concurrency} exited {done.returncode}: {done.stderr[-2000:]}")
    data = json.loads(done.stdout, parse_float=Decimal)
    if data["concurrency"] != concurrency:
        raise SystemExit(f"send ran at concurrency {data['concurrency']}, not {concurrency}")
    statuses = Counter(r["status"] for r in data["results"])
    return {"wall": wall, "seconds": float(data["summary"]["seconds"]), "rate": float(data["summary"]["ordersPerSecond"]),
            "sent": data["summary"]["sent"], "statuses": statuses}


def hours(seconds: float) -> str:
    if seconds >= 3600:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 60:.1f} min"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--orders", type=int, default=1000, help="orders per level (default 1000)")
    parser.add_argument("--levels", default="1,8,32,64", help="concurrency levels (default 1,8,32,64)")
    parser.add_argument("--latency", type=float, default=0.3, help="emulator latency per answer (default 0.3 s)")
    parser.add_argument("--faults", help="the emulator's --faults, e.g. rate=0.5,kinds=429 (seed 7)")
    parser.add_argument("--retry-after", type=float, default=1.0, help="what the emulator's 429s ask (default 1 s)")
    args = parser.parse_args()
    levels = [int(level) for level in args.levels.split(",")]
    print(f"machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
          f"{platform.system()} {platform.release()}, {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC")
    print(f"load average before: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    print(f"{args.orders} orders per level, emulator latency {args.latency} s per answer"
          + (f", faults {args.faults} (seed 7), Retry-After {args.retry_after:g} s" if args.faults else ""))
    emulator, url = start_emulator(args.latency, args.faults, args.retry_after)
    rows = []
    try:
        with tempfile.TemporaryDirectory(prefix="orderspec-bench-send-") as scratch:
            # The default ceiling (40, Zuora's default concurrent-request limit) would cap 64.
            config = Path(scratch) / "orderspec.toml"
            config.write_text(f"[tool.orderspec.send]\nmax-concurrency = {max(levels)}\n")
            for level in levels:
                folder = Path(scratch) / f"c{level}"
                write_specs(folder, args.orders, f"C{level}")
                figures = send(folder, url, level, config, bool(args.faults))
                projected = 100_000 / figures["rate"] if figures["rate"] else float("inf")  # type: ignore[operator]
                rows.append((level, figures, projected))
                print(f"concurrency {level:>3}: {figures['sent']} sent in {figures['seconds']:.1f}s = "
                      f"{figures['rate']:.1f} orders/s (process wall {figures['wall']:.1f}s, "
                      f"statuses {dict(sorted(figures['statuses'].items()))}); "  # type: ignore[attr-defined]
                      f"100,000 orders: {hours(projected)}", flush=True)
    finally:
        emulator.terminate()
        emulator.wait(timeout=10)
    print(f"load average after: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    print()
    print(f"| concurrency | orders/s | {args.orders:,} orders | 100,000 orders (projected) |")
    print("| --- | --- | --- | --- |")
    for level, figures, projected in rows:
        print(f"| {level} | {figures['rate']:.1f} | {figures['seconds']:.1f} s | {hours(projected)} |")


if __name__ == "__main__":
    main()
