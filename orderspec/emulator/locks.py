"""Account locks, as a tenant takes them: an order changes its account under a lock, and a second
order on the same account arriving while the first holds it is refused with lock contention
(category 50, nothing created) instead of waiting. Off unless `EmulatorConfig.account_lock` is set."""

from __future__ import annotations

import contextlib
import threading
import time
from typing import Any, Iterator


def account_of(body: dict[str, Any]) -> str | None:
    """The account an order changes: the existing one it is for, or the one it opens by number."""
    existing = body.get("existingAccountNumber")
    if isinstance(existing, str) and existing:
        return existing
    new_account = body.get("newAccount")
    if isinstance(new_account, dict) and isinstance(new_account.get("accountNumber"), str):
        return str(new_account["accountNumber"])
    return None


class AccountLocks:
    """Which accounts an order is being made on right now. `hold` seconds: how long making an order
    keeps its account locked (a real tenant's create takes that long)."""

    def __init__(self, hold: float) -> None:
        self.hold = hold
        self._lock = threading.Lock()
        self._busy: set[str] = set()
        self.contended = 0  # orders refused because another held their account

    def busy(self, account: str) -> bool:
        with self._lock:
            return account in self._busy

    @contextlib.contextmanager
    def taken(self, account: str | None) -> Iterator[bool]:
        """Yields False when another order holds `account` (the caller answers lock contention),
        True when this one took it (kept `hold` seconds, then while the caller makes the order)."""
        if account is None or self.hold <= 0:
            yield True
            return
        with self._lock:
            if account in self._busy:
                self.contended += 1
                free = False
            else:
                self._busy.add(account)
                free = True
        if not free:
            yield False
            return
        try:
            time.sleep(self.hold)
            yield True
        finally:
            with self._lock:
                self._busy.discard(account)
