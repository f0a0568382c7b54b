"""What send shows while it runs: a bar on a terminal, a line per order elsewhere, the summary."""

from __future__ import annotations

import io

from orderspec.dispatch.progress import Progress, outcome_line
from orderspec.dispatch.send import Outcome


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def outcomes():
    return [Outcome("a.order.yaml", "k1", "created", order_number="O-1"),
            Outcome("b.order.yaml", "k2", "skipped", "already created", "O-2"),
            Outcome("c.order.yaml", "k3", "created", "order O-3 is Pending in Zuora", "O-3", order_status="Pending")]


def test_without_a_terminal_each_order_is_a_line_as_it_settles(capsys):
    progress = Progress(3, as_json=False, stream=io.StringIO())
    assert progress.lines_live and not progress.bar_shown
    first, *_ = outcomes()
    progress(first)
    assert capsys.readouterr().out == outcome_line(first) + "\n"  # printed at once, not at the end


def test_on_a_terminal_a_bar_and_no_lines_until_the_end(capsys):
    terminal = Terminal()
    progress = Progress(3, as_json=False, stream=terminal)
    assert progress.bar_shown and not progress.lines_live
    for outcome in outcomes():
        progress(outcome)
    progress.close()
    assert "sending" in terminal.getvalue() and "3/3" in terminal.getvalue()
    assert capsys.readouterr().out == ""


def test_json_prints_no_lines(capsys):
    progress = Progress(3, as_json=True, stream=io.StringIO())
    for outcome in outcomes():
        progress(outcome)
    assert capsys.readouterr().out == ""


def test_the_summary_counts_orders_per_second_of_orders_sent_and_flags_pending():
    clock = Clock()
    progress = Progress(3, as_json=True, stream=io.StringIO(), clock=clock)
    clock.now = 4.0
    summary = progress.summary(outcomes(), "the emulator")
    assert summary.startswith("2 created, 1 skipped on the emulator")
    assert "2 sent in 4.0s, 0.5 orders/s" in summary  # the skipped one needed no request
    assert "1 order(s) Pending" in summary
    assert progress.rate(outcomes())["sent"] == 2
