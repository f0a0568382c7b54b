"""What `send` shows while it runs: a progress bar on a terminal; elsewhere (CI, a pipe) a line per
order as it settles, flushed at once, so a run killed midway has already printed what it did; a
summary at the end with orders per second. With --json, stdout holds only the one JSON document.
"""

from __future__ import annotations

import sys
import time
from decimal import Decimal
from typing import Any, Callable, TextIO

import click

from orderspec.dispatch.send import Outcome

# Outcomes that did not need the tenant: they do not count towards orders per second.
NOT_SENT_BY_THIS_RUN = ("skipped", "held", "not-sent")


def sent_by_this_run(outcomes: list[Outcome]) -> int:
    return sum(1 for o in outcomes if o.status not in NOT_SENT_BY_THIS_RUN)


def outcome_line(outcome: Outcome) -> str:
    facts = " ".join(filter(None, [outcome.order_number,
                                   f"subscriptions {', '.join(outcome.subscription_numbers)}"
                                   if outcome.subscription_numbers else "",
                                   f"job {outcome.job_id}" if outcome.job_id else ""]))
    flag = "  PENDING" if outcome.pending else ""
    return (f"{outcome.status:<9} {outcome.name}  {facts}".rstrip() + flag
            + (f"  ({outcome.detail})" if outcome.detail else ""))


def show_outcome(outcome: Outcome, echo: Callable[[str], None]) -> None:
    echo(outcome_line(outcome))
    for reason in outcome.reasons:
        echo(f"  {reason.text()}")


class Progress:
    """Told of each outcome as it settles (in the main thread)."""

    def __init__(self, total: int, *, as_json: bool, stream: TextIO | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.total = total
        self.as_json = as_json
        self.stream = stream if stream is not None else sys.stderr
        self.bar_shown = bool(getattr(self.stream, "isatty", lambda: False)())
        self.lines_live = not as_json and not self.bar_shown
        self._clock = clock
        self.started = clock()
        self.settled: list[Outcome] = []
        self._bar: Any = None
        if self.bar_shown:
            self._bar = click.progressbar(length=total, label="sending", file=self.stream, show_pos=True,
                                          show_eta=True, item_show_func=lambda name: name)
            self._bar.__enter__()

    def __call__(self, outcome: Outcome) -> None:
        self.settled.append(outcome)
        if self._bar is not None:
            self._bar.update(1, outcome.name)
        elif self.lines_live:
            show_outcome(outcome, lambda text: click.echo(text))
            sys.stdout.flush()

    def close(self) -> None:
        if self._bar is not None:
            self._bar.__exit__(None, None, None)
            self._bar = None

    def elapsed(self) -> float:
        return max(self._clock() - self.started, 1e-9)

    def summary(self, outcomes: list[Outcome], target: str) -> str:
        counts: dict[str, int] = {}
        for outcome in outcomes:
            counts[outcome.status] = counts.get(outcome.status, 0) + 1
        sent = sent_by_this_run(outcomes)
        elapsed = self.elapsed()
        pending = sum(1 for o in outcomes if o.pending)
        said = ", ".join(f"{n} {s}" for s, n in sorted(counts.items())) or "nothing to send"
        rate = f"; {sent} sent in {elapsed:.1f}s, {sent / elapsed:.1f} orders/s" if sent else ""
        flag = f"; {pending} order(s) Pending in Zuora (created, not active yet)" if pending else ""
        return f"{said} on {target}{rate}{flag}"

    def rate(self, outcomes: list[Outcome]) -> dict[str, Any]:
        sent = sent_by_this_run(outcomes)
        elapsed = self.elapsed()
        # Decimal: the JSON writer refuses floats (they would turn money inexact).
        return {"sent": sent, "seconds": Decimal(f"{elapsed:.3f}"), "ordersPerSecond": Decimal(f"{sent / elapsed:.2f}")}
