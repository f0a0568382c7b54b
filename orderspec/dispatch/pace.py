"""How hard a run may press the tenant: orders in flight, waits the tenant asked for, and when to stop.

One `Pace` is shared by every thread of a run (and its client):

- `limit` is how many orders may be in flight. It starts at the run's concurrency, halves on a
  429 and drops by a quarter on lock contention (someone else was changing the same account),
  and grows by one after `limit` settled orders in a row without either, never past `ceiling`.
  A burst of 429s answering requests that were all in flight together lowers it once: a signal
  counts only when the request that met it started after the last lowering (the `epoch`).
- `hold(seconds)` makes every thread wait before its next request: a 429's `Retry-After` or
  `RateLimit-Reset`, or `RateLimit-Reset` when `RateLimit-Remaining` says the quota is spent
  (Zuora's rate-limit headers, https://developer.zuora.com/rest-api/general-concepts/rate-concurrency-limits/).
- Turns are fair: no more than `limit` requests are on the wire at once, and the next free place
  goes to the request that has waited longest. A request takes a `ticket` when it is first asked
  for and keeps it through its retries, so one that was turned away (a 429) is first in line for
  the next place, instead of racing every thread when a hold ends. Without turns in line, the
  same request could lose every race while the others got through.
- A 429 tells about the tenant, not about the request that met it: `turned_away` says when the
  tenant has answered nothing but 429s, to every thread, for a whole retry budget. Only then does
  a run give up on the tenant, for every order at once (see `Reachability.unavailable`).
- `stop` is set on Ctrl-C and on a dead tenant; every wait then ends with `RunStopped`: a hold at
  once, a wait in line within `TURN_POLL`.
- `Reachability` counts connection failures in a row (refused, DNS, TLS, connect time-outs)
  across all threads; a run of them for long enough means the tenant cannot be reached.
"""

from __future__ import annotations

import heapq
import threading
import time
from typing import Callable, Mapping

from orderspec.config import DEFAULT_CEILING, DEFAULT_CONCURRENCY
from orderspec.dispatch.errors import DispatchError
from orderspec.dispatch.retry import RetryPolicy, retry_after_seconds

__all__ = ["DEFAULT_CEILING", "DEFAULT_CONCURRENCY", "Pace", "Reachability", "RunStopped", "TenantUnreachable"]

TURN_POLL = 0.05  # seconds between looks at the stop flag while waiting for a place on the wire


class RunStopped(Exception):
    """The run is stopping (Ctrl-C, or the tenant cannot be reached): do not start anything new.
    `may_have_left`: the request it stopped had already sent something that may have reached the API."""

    def __init__(self, may_have_left: bool = True) -> None:
        super().__init__("the run is stopping")
        self.may_have_left = may_have_left


class TenantUnreachable(DispatchError):
    """The tenant could not be reached (or took no request at all) for a run of attempts: nothing
    more is sent in this run. `short` says which, for a line per order."""

    def __init__(self, message: str, short: str = "the tenant cannot be reached") -> None:
        super().__init__(message)
        self.short = short


class Pace:
    def __init__(self, concurrency: int = 1, ceiling: int = DEFAULT_CEILING, *,
                 clock: Callable[[], float] = time.monotonic, stop: threading.Event | None = None) -> None:
        self.configured_ceiling = max(1, ceiling)
        self.epoch = 0
        self.throttles = 0  # 429s met
        self.contentions = 0  # lock-contention failures met
        self.stop = stop or threading.Event()
        self._clock = clock
        self._not_before = 0.0
        self._lock = threading.Lock()
        self._turn_free = threading.Condition(self._lock)
        self._tickets = 0
        self._in_line: list[int] = []  # a heap of the tickets of requests waiting for a place
        self._on_wire = 0
        self._generation = 0  # places granted in an earlier run are not given back to this one
        self._turned_away = 0  # 429s in a row, across threads, since the tenant last served a request
        self._turned_away_since = 0.0
        self._set_limits(concurrency)

    def start(self, concurrency: int) -> int:
        """A run asks for `concurrency` orders in flight: the limit starts there and never grows past
        it or the configured ceiling. Returns the limit."""
        self.stop.clear()  # a client used again after an interrupted run starts afresh
        with self._lock:
            # A request of an interrupted run may still be out; the place it holds is not this run's.
            self._generation += 1
            self._on_wire = 0
            self._turned_away = 0
        return self._set_limits(concurrency)

    def _set_limits(self, concurrency: int) -> int:
        self.ceiling = max(1, min(concurrency, self.configured_ceiling))
        self.limit = self.lowest = self.ceiling
        self._streak = 0
        return self.limit

    # -- signals from requests --------------------------------------------------------------------

    def throttled(self, wait: float | None, epoch: int) -> int:
        """A 429: everyone waits what the tenant asked, and fewer orders go out at once. Returns
        how many 429s in a row the tenant has answered, across threads."""
        with self._lock:
            self.throttles += 1
            if not self._turned_away:
                self._turned_away_since = self._clock()
            self._turned_away += 1
            if wait:
                self._not_before = max(self._not_before, self._clock() + wait)
            self._lower(epoch, self.limit // 2)
            return self._turned_away

    def contended(self, epoch: int) -> None:
        """Lock contention (category 50): orders are treading on each other's accounts."""
        with self._lock:
            self.contentions += 1
            self._lower(epoch, self.limit - max(1, self.limit // 4))

    def succeeded(self) -> None:
        with self._lock:
            self._streak += 1
            if self._streak >= self.limit and self.limit < self.ceiling:
                self.limit += 1
                self._streak = 0
                self._turn_free.notify_all()

    def answered(self, status: int, headers: Mapping[str, str]) -> None:
        """Any answer: one that is not a 429 shows the tenant is serving requests; when
        `RateLimit-Remaining` says the quota is spent, everyone waits for its reset."""
        if status != 429:
            with self._lock:
                self._turned_away = 0
        lowered = {k.lower(): v for k, v in headers.items()}
        remaining, reset = lowered.get("ratelimit-remaining"), lowered.get("ratelimit-reset")
        if remaining is None or reset is None:
            return
        try:
            spent = int(remaining.split(",")[0].split(";")[0].strip()) <= 0
            seconds = float(reset.split(",")[0].split(";")[0].strip())
        except ValueError:
            return
        if spent and seconds > 0:
            self.hold(seconds)

    def hold(self, seconds: float) -> None:
        with self._lock:
            self._not_before = max(self._not_before, self._clock() + seconds)

    def _lower(self, epoch: int, to: int) -> None:
        self._streak = 0
        if epoch == self.epoch:  # a request that started before the last lowering says nothing new
            self.limit = max(1, to)
            self.lowest = min(self.lowest, self.limit)
            self.epoch += 1

    def turned_away(self, headers: Mapping[str, str], epoch: int, policy: RetryPolicy) -> str | None:
        """A 429 answered a request that left in `epoch`: every request waits what the tenant asked
        or, when it did not say, a backoff that grows with the 429s in a row. Returns why the run
        should give up on the tenant, for every order alike, or None: it asks for a longer wait than
        `policy` allows, or it answered nothing but 429s, to every thread, `policy.max_attempts`
        times in a row over at least `policy.total_time` seconds."""
        server_wait = retry_after_seconds(headers)
        if server_wait is not None and server_wait > policy.max_retry_after:
            return (f"the tenant asked to wait {server_wait:g}s (HTTP 429, Retry-After), longer than the "
                    f"{policy.max_retry_after:g}s orderspec waits")
        in_a_row = self.throttled(server_wait, epoch)
        if not server_wait:
            self.hold(policy.backoff(min(in_a_row, 32)))
        with self._lock:
            count, seconds = self._turned_away, self._clock() - self._turned_away_since
        if count < max(1, policy.max_attempts) or seconds < policy.total_time:
            return None
        return (f"the tenant answered nothing but HTTP 429 (rate limited) to {count} requests in a row over "
                f"{seconds:.1f}s: it is taking no requests now")

    # -- waiting ----------------------------------------------------------------------------------

    @property
    def waiting(self) -> int:
        """Requests waiting in line for a place on the wire."""
        with self._lock:
            return len(self._in_line)

    @property
    def on_wire(self) -> int:
        with self._lock:
            return self._on_wire

    def ticket(self) -> int:
        """A request's place in line, kept through its retries: the lower, the sooner it goes."""
        with self._lock:
            self._tickets += 1
            return self._tickets

    def wait_turn(self, ticket: int | None = None) -> int:
        """Before a request: wait while the tenant asked everyone to hold off, then for a place on
        the wire, which goes to the longest waiting request first. Returns the turn, to be given
        back with `done` once the answer (or its absence) is in."""
        if ticket is None:
            ticket = self.ticket()
        with self._lock:
            heapq.heappush(self._in_line, ticket)
        try:
            while True:
                with self._lock:
                    wait = self._not_before - self._clock()
                    if wait <= 0:
                        if self.stop.is_set():
                            raise RunStopped()
                        if self._in_line[0] == ticket and self._on_wire < self.limit:
                            heapq.heappop(self._in_line)
                            self._on_wire += 1
                            self._turn_free.notify_all()  # the next in line may find a place too
                            return self._generation
                        self._turn_free.wait(TURN_POLL)
                        continue
                self.sleep(wait)
        except BaseException:
            with self._lock:
                if ticket in self._in_line:
                    self._in_line.remove(ticket)
                    heapq.heapify(self._in_line)
                self._turn_free.notify_all()
            raise

    def done(self, turn: int) -> None:
        """A request granted `turn` is off the wire: the next one in line may go."""
        with self._lock:
            if turn == self._generation:
                self._on_wire -= 1
            self._turn_free.notify_all()

    def sleep(self, seconds: float) -> None:
        """A wait that ends early, with RunStopped, when the run is stopping."""
        if self.stop.wait(max(0.0, seconds)):
            raise RunStopped()


class Reachability:
    """Connection failures in a row, across threads. `failures` of them spanning at least `span`
    seconds (a blip on many threads at once is not a dead tenant), or `give_ups` requests in a row
    that spent their whole retry budget on nothing but connection failures, mean the tenant is
    unreachable; any answer from it resets the count."""

    def __init__(self, failures: int = 4, span: float = 2.0, give_ups: int = 2,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.failures = failures
        self.span = span
        self.give_ups = give_ups
        self._clock = clock
        self._count = 0
        self._given_up = 0
        self._first = 0.0
        self._lock = threading.Lock()
        self.dead: str | None = None  # why, once the tenant is judged unreachable
        self.short = "the tenant cannot be reached"

    def reset(self) -> None:
        """A new run tries the tenant again, whatever the last one found."""
        with self._lock:
            self._count = self._given_up = 0
            self.dead = None
            self.short = "the tenant cannot be reached"

    def reached(self) -> None:
        with self._lock:
            self._count = self._given_up = 0

    def gave_up(self, problem: str) -> None:
        """A request's every attempt failed to connect."""
        with self._lock:
            self._given_up += 1
            if self.dead is None and self._given_up >= self.give_ups:
                self.dead = (f"{problem}; {self._given_up} requests in a row gave up after every attempt failed "
                             "to connect: the tenant cannot be reached")

    def failed(self, problem: str) -> None:
        with self._lock:
            now = self._clock()
            if self._count == 0:
                self._first = now
            self._count += 1
            if self.dead is None and self._count >= self.failures and now - self._first >= self.span:
                self.dead = (f"{problem}, {self._count} attempts in a row over {now - self._first:.1f}s: "
                             "the tenant cannot be reached")

    def unavailable(self, why: str) -> None:
        """The tenant answers, but takes no request at all (see `Pace.turned_away`): for this run it is
        as good as unreachable, for every order alike."""
        with self._lock:
            if self.dead is None:
                self.dead = why
                self.short = "the tenant is taking no requests (HTTP 429 only)"

    def check(self) -> None:
        if self.dead is not None:
            raise TenantUnreachable(self.dead, self.short)
