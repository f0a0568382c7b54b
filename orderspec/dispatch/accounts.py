"""Existing accounts a run's own orders collide on: once one meets lock contention, its orders go one
at a time, and contention among them spends none of their new attempts.

Orders that merely share an existing account go in parallel (see `orderspec.dispatch.batch`). A
tenant locks an account while it changes it, so two of them at the same moment can meet lock
contention (code class 50): the batch treading on itself, not the order failing. One `AccountGate`
is shared by every thread of a run:

- An attempt `enter`s its order's account before it is journalled and sent, and `leave`s it once
  its answer (and job) is in. While the account is not serialised, attempts on it go in parallel.
- The first contention on an account serialises it for the rest of the run: from then on an attempt
  on it waits until no other attempt of the run is on it (those already out drain first), then goes
  alone, as orders on one subscription do.
- Contention met by an attempt that had company on its account (another attempt of the run on it at
  the same time) is the batch's own collision: it is forgiven, it spends none of the order's new
  attempts (the next attempt still gets a new key, journalled before it is sent). Only attempts
  that entered before the account was serialised can have company, so each order is forgiven at
  most once per run and the run always ends.
- Contention met alone came from outside the run (another integration, a user in the UI): it counts
  against the order's new attempts like any "try again later" failure, so a tenant that answers
  contention for ever still ends the order as `failed` after them.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass

from orderspec.dispatch.pace import RunStopped

POLL = 0.05  # seconds between looks at the stop flag while waiting for an account


def existing_account(body: bytes) -> str | None:
    """The existing account an order is for (`existingAccountNumber`), if any."""
    try:
        value = json.loads(body)
    except ValueError:
        return None
    account = value.get("existingAccountNumber") if isinstance(value, dict) else None
    return account if isinstance(account, str) and account else None


@dataclass(eq=False)  # each attempt is its own entry, whatever its fields
class Entry:
    """An attempt's place on its account. `company`: another attempt of the run was on the account
    while this one was (set by the gate, under its lock)."""
    account: str | None
    company: bool = False


class AccountGate:
    def __init__(self, stop: threading.Event) -> None:
        self.stop = stop
        self._lock = threading.Lock()
        self._free = threading.Condition(self._lock)
        self._serialised: set[str] = set()
        self._on: dict[str, list[Entry]] = {}  # attempts of this run on each account now
        self.forgiven = 0  # contention answers that spent no new attempt
        self.waited = 0  # attempts that waited for their account

    def reset(self) -> None:
        """A new run starts with every account in parallel again."""
        with self._lock:
            self._serialised.clear()
            self._on.clear()
            self.forgiven = self.waited = 0

    def serialised(self, account: str) -> bool:
        with self._lock:
            return account in self._serialised

    def enter(self, account: str | None) -> Entry:
        """Before an attempt on `account`: on a serialised account, wait until no other attempt of
        the run is on it. Raises RunStopped when the run stops while it waits (an attempt that need
        not wait goes on to the client, which says what it stopped)."""
        entry = Entry(account)
        if account is None:
            return entry
        with self._lock:
            if account in self._serialised and self._on.get(account):
                self.waited += 1
            while account in self._serialised and self._on.get(account):
                if self.stop.is_set():
                    raise RunStopped(may_have_left=False)
                self._free.wait(POLL)
            others = self._on.setdefault(account, [])
            if others:
                entry.company = True
                for other in others:
                    other.company = True
            others.append(entry)
        return entry

    def leave(self, entry: Entry) -> None:
        if entry.account is None:
            return
        with self._lock:
            self._on[entry.account].remove(entry)
            self._free.notify_all()

    def contended(self, entry: Entry) -> bool:
        """The attempt met lock contention: serialise its account. Returns whether the answer is
        forgiven (spends no new attempt): it is when the attempt had company."""
        if entry.account is None:
            return False
        with self._lock:
            self._serialised.add(entry.account)
            if entry.company:
                self.forgiven += 1
            return entry.company
