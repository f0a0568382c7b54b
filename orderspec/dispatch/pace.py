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
- `stop` is set on Ctrl-C and on a dead tenant; every wait then ends at once with `RunStopped`.
- `Reachability` counts connection failures in a row (refused, DNS, TLS, connect time-outs)
  across all threads; a run of them for long enough means the tenant cannot be reached.
"""

from __future__ import annotations

import threading
import time
from typing import Callable, Mapping

from orderspec.config import DEFAULT_CEILING, DEFAULT_CONCURRENCY
from orderspec.dispatch.errors import DispatchError

__all__ = ["DEFAULT_CEILING", "DEFAULT_CONCURRENCY", "Pace", "Reachability", "RunStopped", "TenantUnreachable"]


class RunStopped(Exception):
    """The run is stopping (Ctrl-C, or the tenant cannot be reached): do not start anything new.
    `may_have_left`: the request it stopped had already sent something that may have reached the API."""

    def __init__(self, may_have_left: bool = True) -> None:
        super().__init__("the run is stopping")
        self.may_have_left = may_have_left


class TenantUnreachable(DispatchError):
    """The tenant could not be reached for a run of attempts: nothing more is sent in this run."""


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
        self._set_limits(concurrency)

    def start(self, concurrency: int) -> int:
        """A run asks for `concurrency` orders in flight: the limit starts there and never grows past
        it or the configured ceiling. Returns the limit."""
        self.stop.clear()  # a client used again after an interrupted run starts afresh
        return self._set_limits(concurrency)

    def _set_limits(self, concurrency: int) -> int:
        self.ceiling = max(1, min(concurrency, self.configured_ceiling))
        self.limit = self.lowest = self.ceiling
        self._streak = 0
        return self.limit

    # -- signals from requests --------------------------------------------------------------------

    def throttled(self, wait: float | None, epoch: int) -> None:
        """A 429: everyone waits what the tenant asked, and fewer orders go out at once."""
        with self._lock:
            self.throttles += 1
            if wait:
                self._not_before = max(self._not_before, self._clock() + wait)
            self._lower(epoch, self.limit // 2)

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

    def answered(self, headers: Mapping[str, str]) -> None:
        """Any answer: when `RateLimit-Remaining` says the quota is spent, wait for its reset."""
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

    # -- waiting ----------------------------------------------------------------------------------

    def wait_turn(self) -> None:
        """Before a request: wait while the tenant asked everyone to hold off."""
        while True:
            with self._lock:
                wait = self._not_before - self._clock()
            if wait <= 0:
                if self.stop.is_set():
                    raise RunStopped()
                return
            self.sleep(wait)

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

    def reset(self) -> None:
        """A new run tries the tenant again, whatever the last one found."""
        with self._lock:
            self._count = self._given_up = 0
            self.dead = None

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

    def check(self) -> None:
        if self.dead is not None:
            raise TenantUnreachable(self.dead)
