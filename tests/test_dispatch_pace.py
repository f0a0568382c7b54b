"""Pace (orders in flight, waits the tenant asked for, turns on the wire, a tenant turning everyone
away) and Reachability (a dead tenant), alone."""

from __future__ import annotations

import threading
import time

import pytest

from orderspec.dispatch.pace import Pace, Reachability, RunStopped, TenantUnreachable
from orderspec.dispatch.retry import RetryPolicy


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


# -- turns on the wire ----------------------------------------------------------------------------


def until(condition) -> None:
    """Wait (bounded) for another thread to get somewhere; what it did is asserted by counts."""
    deadline = time.monotonic() + 10
    while not condition():
        assert time.monotonic() < deadline, "the other thread never got there"
        time.sleep(0.001)


def test_the_place_on_the_wire_goes_to_the_request_that_has_waited_longest():
    pace = Pace(1)
    first = pace.wait_turn()  # one request out: the others wait in line
    older, newer = pace.ticket(), pace.ticket()  # `older` was asked for first (then turned away, say)
    granted: list[int] = []

    def request(ticket: int) -> None:
        turn = pace.wait_turn(ticket)
        granted.append(ticket)
        pace.done(turn)

    threads = [threading.Thread(target=request, args=(ticket,)) for ticket in (newer, older)]
    threads[0].start()  # the newer one gets in line first: it still goes second
    until(lambda: pace.waiting == 1)
    threads[1].start()
    until(lambda: pace.waiting == 2)
    assert granted == []
    pace.done(first)
    for thread in threads:
        thread.join(10)
    assert granted == [older, newer] and pace.on_wire == 0


def test_no_more_than_the_limit_are_on_the_wire():
    pace = Pace(2)
    turns = [pace.wait_turn(), pace.wait_turn()]
    third: list[int] = []
    thread = threading.Thread(target=lambda: third.append(pace.wait_turn()))
    thread.start()
    until(lambda: pace.waiting == 1)
    assert third == [] and pace.on_wire == 2
    pace.done(turns[0])
    thread.join(10)
    assert len(third) == 1 and pace.on_wire == 2 and pace.waiting == 0


def test_many_threads_all_get_their_turns_and_never_more_than_the_limit_at_once():
    pace = Pace(4)
    lock = threading.Lock()
    out = most = turns = 0

    def requests() -> None:
        nonlocal out, most, turns
        ticket = pace.ticket()
        for _ in range(50):
            turn = pace.wait_turn(ticket)
            with lock:
                out += 1
                most = max(most, out)
                turns += 1
            with lock:
                out -= 1
            pace.done(turn)

    threads = [threading.Thread(target=requests) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert turns == 16 * 50 and 1 <= most <= 4
    assert pace.on_wire == 0 and pace.waiting == 0


def test_a_stopped_run_ends_a_wait_in_line():
    pace = Pace(1)
    pace.wait_turn()
    stopped: list[BaseException] = []

    def waiter() -> None:
        try:
            pace.wait_turn()
        except RunStopped as error:
            stopped.append(error)

    thread = threading.Thread(target=waiter)
    thread.start()
    until(lambda: pace.waiting == 1)
    pace.stop.set()
    thread.join(10)
    assert len(stopped) == 1 and pace.waiting == 0


def test_a_place_held_by_an_interrupted_run_is_not_given_back_to_the_next():
    pace = Pace(1)
    stale = pace.wait_turn()  # a request of a run that was interrupted, still out
    pace.start(1)
    turn = pace.wait_turn()  # the next run has its place at once
    pace.done(stale)  # the old request comes back: the new run's count stays right
    assert pace.on_wire == 1
    pace.done(turn)
    assert pace.on_wire == 0


# -- a tenant that turns everyone away ------------------------------------------------------------

RULES = RetryPolicy(max_attempts=3, base_delay=0.5, max_delay=0.5, total_time=10.0, max_retry_after=60.0)


def test_the_tenant_is_given_up_on_only_after_429s_alone_for_a_whole_budget():
    clock = Clock()
    pace = Pace(4, clock=clock)
    wait = {"Retry-After": "1"}
    for _ in range(5):  # many 429s in a row, but no time has passed
        assert pace.turned_away(wait, pace.epoch, RULES) is None
    clock.now += 11
    pace.answered(201, {})  # someone was served: the tenant is taking requests
    assert pace.turned_away(wait, pace.epoch, RULES) is None
    clock.now += 11
    assert pace.turned_away(wait, pace.epoch, RULES) is None  # 11 s, but two 429s in a row only
    why = pace.turned_away(wait, pace.epoch, RULES)
    assert why is not None and "nothing but HTTP 429" in why and "3 requests in a row over 11.0s" in why
    assert pace.throttles == 8


def test_a_longer_retry_after_than_the_policy_allows_gives_up_on_the_tenant_without_holding_anyone():
    clock = Clock()
    pace = Pace(4, clock=clock)
    why = pace.turned_away({"Retry-After": "3600"}, pace.epoch, RULES)
    assert why is not None and "3600s" in why and "60s orderspec waits" in why
    pace.wait_turn()  # not held for an hour


def test_a_429_without_a_wait_holds_everyone_for_a_backoff():
    clock = Clock()
    slept: list[float] = []
    pace = Pace(4, clock=clock)
    pace.sleep = lambda seconds: (slept.append(seconds), setattr(clock, "now", clock.now + seconds))  # type: ignore
    assert pace.turned_away({"Retry-After": "0"}, pace.epoch, RULES) is None
    pace.wait_turn()
    assert len(slept) == 1 and 0 < slept[0] <= 0.5


def test_reachability_judged_unavailable_says_so_in_short():
    reach = Reachability()
    reach.unavailable("the tenant answered nothing but HTTP 429")
    with pytest.raises(TenantUnreachable, match="nothing but HTTP 429") as raised:
        reach.check()
    assert "taking no requests" in raised.value.short
    reach.reset()
    reach.check()
