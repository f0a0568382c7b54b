"""How fast the offline preview prices orders: every examples/preview-* request, N times.

    python bench/bench_preview.py            # 200 rounds
    python bench/bench_preview.py 1000

Prints plans per second and invoice items per second, for the preview windows the examples ask
for and for a 5-year weekly window (the longest schedules). Measured here, never asserted in tests.
"""

from __future__ import annotations

import datetime as dt
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from orderspec import pipeline  # noqa: E402
from orderspec.preview import Window, build_plan  # noqa: E402


def main() -> None:
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    requests = pipeline.run([str(p) for p in sorted((REPO / "examples").glob("preview-*.order.yaml"))], keep_requests=True).requests
    for label, window in (("as the specs ask", None),
                          ("through 5 years", Window("SpecificDate", thru=dt.date(2029, 1, 1)))):
        started = time.perf_counter()
        items = 0
        for _ in range(rounds):
            for request in requests:
                plan = build_plan(request, window=window)
                items += sum(len(c.items) for s in plan.subscriptions for c in s.charges)
        elapsed = time.perf_counter() - started
        plans = rounds * len(requests)
        print(f"{label:>18}: {plans / elapsed:8.0f} plans/s  {items / elapsed:10.0f} invoice items/s")


if __name__ == "__main__":
    main()
