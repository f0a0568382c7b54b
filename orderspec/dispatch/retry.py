"""When to try a request again, and how long to wait first.

Every retry loop is bounded twice: by a number of attempts and by total time. Waits grow
exponentially with full jitter, so that many clients hitting a busy tenant spread out; a 429's
`Retry-After` (or `RateLimit-Reset`) is honoured as the least wait. POSTs are only ever repeated
with the same Idempotency-Key: that decision lives in the client, which never changes headers
between attempts.
"""

from __future__ import annotations

import email.utils
import random
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping


@dataclass
class RetryPolicy:
    max_attempts: int = 6  # attempts in all, the first one included
    base_delay: float = 0.5  # seconds; the first backoff waits up to this long
    max_delay: float = 30.0  # no single wait is longer
    total_time: float = 120.0  # give up when the next wait would pass this many seconds
    max_retry_after: float = 300.0  # a longer Retry-After than this is not waited for
    seed: int | None = None
    rng: random.Random = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)

    @classmethod
    def with_backoff(cls, backoff: float, **limits: Any) -> "RetryPolicy":
        """The policy a command's --backoff asks for: waits start at `backoff` and are capped at the
        usual 30 s, or at `backoff` itself when that is longer."""
        return cls(base_delay=backoff, max_delay=max(backoff, cls.max_delay), **limits)

    def backoff(self, attempt: int) -> float:
        """Wait before attempt `attempt + 1` (attempt counts from 1): full jitter, capped."""
        ceiling = min(self.max_delay, self.base_delay * (2 ** (attempt - 1)))
        # Never 0 exactly: a small floor keeps tight loops from spinning.
        return max(ceiling * self.rng.random(), min(ceiling, 0.001))


def retry_after_seconds(headers: Mapping[str, str], now: Callable[[], float] = time.time) -> float | None:
    """Seconds the server asked us to wait, from `Retry-After` (seconds or an HTTP date) or
    `RateLimit-Reset` / `X-RateLimit-Reset` (seconds); None when it did not say."""
    lowered = {k.lower(): v for k, v in headers.items()}
    value = lowered.get("retry-after")
    if value is not None:
        value = value.strip()
        try:
            return max(0.0, float(value))
        except ValueError:
            parsed = email.utils.parsedate_to_datetime(value) if value else None
            if parsed is not None:
                return max(0.0, parsed.timestamp() - now())
    for name in ("ratelimit-reset", "x-ratelimit-reset"):
        value = lowered.get(name)
        if value is not None:
            try:
                seconds = float(value.strip().split(",")[0])
            except ValueError:
                continue
            # Some servers send an epoch time instead of a delta.
            if seconds > 10**9:
                seconds -= now()
            return max(0.0, seconds)
    return None


class Budget:
    """Attempts and time left for one logical request.

    Only what the request spends on its own account counts. Waiting for its turn on the wire, and
    an attempt the tenant turned away with a 429 (with the wait after it), do not: a 429 says the
    tenant is busy with every client, and a request must not run out of attempts because others
    took the places while it waited. How long a tenant may answer nothing but 429s is judged for
    the whole run instead (`orderspec.dispatch.pace.Pace.turned_away`), and a 429's wait is everyone's
    (`Pace.hold`), so the request waits for it in line, not on its own."""

    def __init__(self, policy: RetryPolicy, clock: Callable[[], float] = time.monotonic) -> None:
        self.policy = policy
        self.clock = clock
        self.attempts = 0  # the ones that count against `max_attempts`
        self.sent = 0  # every attempt made, counted or not
        self.forgiven = 0  # attempts turned away with a 429
        self._spent = 0.0  # seconds counted before `_since`
        self._since: float | None = clock()  # when the stretch being counted began; None: not counting

    def start_attempt(self) -> int:
        """Returns the number of this attempt among all made."""
        self.attempts += 1
        self.sent += 1
        return self.sent

    def pause(self) -> None:
        """Stop counting time: the request waits for its turn behind others."""
        if self._since is not None:
            self._spent += self.clock() - self._since
            self._since = None

    def resume(self) -> None:
        if self._since is None:
            self._since = self.clock()

    def forgive(self) -> None:
        """The last attempt was turned away with a 429: it does not count, nor does its time since
        it got its turn, nor the wait for the next one (until `resume`)."""
        self.attempts -= 1
        self.forgiven += 1
        self._since = None

    def elapsed(self) -> float:
        """Seconds counted against `total_time`."""
        return self._spent + (self.clock() - self._since if self._since is not None else 0.0)

    def wait_for_retry(self, server_wait: float | None = None) -> float | None:
        """The wait before the next attempt, or None when the budget does not allow one."""
        if self.attempts >= self.policy.max_attempts:
            return None
        wait = self.policy.backoff(self.attempts)
        if server_wait is not None:
            if server_wait > self.policy.max_retry_after:
                return None
            wait = max(wait, server_wait)
        if self.elapsed() + wait > self.policy.total_time:
            return None
        return wait
