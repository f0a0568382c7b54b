"""Pace (orders in flight, waits the tenant asked for) and Reachability (a dead tenant), alone."""

from __future__ import annotations

import threading

import pytest

from orderspec.dispatch.pace import Pace, Reachability, RunStopped, TenantUnreachable


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_429_halves_the_limit_once_for_requests_that_were_in_flight_together():
    pace = Pace(32, ceiling=64)
    epoch = pace.epoch  # eight requests left together, all answered 429
    for _ in range(8):
        pace.throttled(None, epoch)
    assert pace.limit == 16 and pace.throttles == 8
    pace.throttled(None, pace.epoch)  # one that left after the lowering
    assert pace.limit == 8 and pace.lowest == 8


def test_lock_contention_lowers_by_a_quarter_and_never_below_one():
    pace = Pace(8)
    pace.contended(pace.epoch)
    assert pace.limit == 6
    for _ in range(20):
        pace.contended(pace.epoch)
    assert pace.limit == 1


def test_the_limit_grows_back_by_one_per_limit_successes_up_to_the_asked_concurrency():
    pace = Pace(4, ceiling=5)
    pace.throttled(None, pace.epoch)
    assert pace.limit == 2
    for _ in range(2):
        pace.succeeded()
    assert pace.limit == 3
    for _ in range(100):
        pace.succeeded()
    assert pace.limit == 4  # what the run asked for, not more


def test_the_limit_never_grows_past_the_configured_ceiling():
    pace = Pace(8, ceiling=5)
    assert pace.limit == 5
    for _ in range(100):
        pace.succeeded()
    assert pace.limit == 5


def test_the_concurrency_asked_for_never_exceeds_the_ceiling():
    assert Pace(100, ceiling=40).limit == 40
    assert Pace(0).limit == 1


def test_retry_after_holds_every_thread():
    clock = Clock()
    slept: list[float] = []
    pace = Pace(4, clock=clock)
    pace.sleep = lambda seconds: (slept.append(seconds), setattr(clock, "now", clock.now + seconds))  # type: ignore
    pace.throttled(3.0, pace.epoch)
    pace.wait_turn()
    assert slept == [3.0]
    pace.wait_turn()  # the hold is over
    assert slept == [3.0]


@pytest.mark.parametrize("headers, held", [
    ({"RateLimit-Remaining": "0", "RateLimit-Reset": "7"}, 7.0),
    ({"ratelimit-remaining": "12", "ratelimit-reset": "7"}, 0.0),  # quota left: no wait
    ({"RateLimit-Remaining": "0"}, 0.0),  # no reset said: nothing to wait for
    ({"RateLimit-Remaining": "x", "RateLimit-Reset": "7"}, 0.0),
])
def test_ratelimit_headers_hold_off_when_the_quota_is_spent(headers, held):
    clock = Clock()
    pace = Pace(2, clock=clock)
    pace.answered(200, headers)
    assert pace._not_before == (clock.now + held if held else 0.0)


def test_a_stopped_run_ends_every_wait_at_once():
    pace = Pace(2)
    pace.stop.set()
    with pytest.raises(RunStopped):
        pace.sleep(60)
    started = threading.Event()

    def waiter():
        started.set()
        with pytest.raises(RunStopped):
            Pace(1, stop=stop).sleep(60)

    stop = threading.Event()
    thread = threading.Thread(target=waiter)
    thread.start()
    started.wait()
    stop.set()
    thread.join(5)
    assert not thread.is_alive()


def test_reachability_needs_a_run_of_failures_spanning_time():
    clock = Clock()
    reach = Reachability(failures=3, span=2.0, clock=clock)
    for _ in range(10):  # a burst on many threads at one instant: a blip, not a dead tenant
        reach.failed("refused")
    reach.check()
    clock.now += 2.5
    reach.failed("refused")
    with pytest.raises(TenantUnreachable, match="cannot be reached"):
        reach.check()


def test_any_answer_resets_the_run():
    clock = Clock()
    reach = Reachability(failures=2, span=1.0, clock=clock)
    reach.failed("refused")
    clock.now += 5
    reach.reached()
    reach.failed("refused")
    reach.check()
    assert reach.dead is None


def test_requests_that_spent_their_budget_on_connection_failures_alone_mean_a_dead_tenant():
    clock = Clock()
    reach = Reachability(failures=100, span=60.0, give_ups=2, clock=clock)  # fast failures, no time passing
    reach.gave_up("refused")
    reach.check()
    reach.reached()  # an answer in between: not in a row
    reach.gave_up("refused")
    reach.check()
    reach.gave_up("refused")
    with pytest.raises(TenantUnreachable, match="2 requests in a row"):
        reach.check()
