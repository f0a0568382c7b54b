"""The emulator's state: tokens, orders, idempotency records, async jobs, and the tenant's
accounts and subscriptions.

Kept in memory; with a database file every change is also written to SQLite (one table of JSON
values, numbers exact), so an emulator restarted on the same file remembers what was created.
Every change is made under one lock: requests are served on many threads.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from decimal import Decimal
from typing import Any

from orderspec.render import canonical_json

KINDS = ("order", "idempotency", "job", "token", "counter", "account", "subscription")


def _exact(value: Any) -> Any:
    """The value with floats (times) as Decimals, so the file keeps money and times exactly."""
    if isinstance(value, float):
        return Decimal(repr(value))
    if isinstance(value, dict):
        return {key: _exact(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_exact(item) for item in value]
    return value


class Store:
    def __init__(self, db_path: str | None = None) -> None:
        self.lock = threading.RLock()
        self.data: dict[str, dict[str, Any]] = {kind: {} for kind in KINDS}
        self._db: sqlite3.Connection | None = None
        if db_path:
            self._db = sqlite3.connect(db_path, check_same_thread=False, isolation_level=None)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("CREATE TABLE IF NOT EXISTS state "
                             "(kind TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (kind, key))")
            for kind, key, value in self._db.execute("SELECT kind, key, value FROM state"):
                if kind in self.data:
                    self.data[kind][key] = json.loads(value, parse_float=Decimal)

    def get(self, kind: str, key: str) -> Any:
        with self.lock:
            return self.data[kind].get(key)

    def put(self, kind: str, key: str, value: Any) -> None:
        with self.lock:
            self.data[kind][key] = value
            if self._db is not None:
                self._db.execute("INSERT OR REPLACE INTO state (kind, key, value) VALUES (?, ?, ?)",
                                 (kind, key, canonical_json(_exact(value)).decode("utf-8")))

    def delete(self, kind: str, key: str) -> None:
        with self.lock:
            self.data[kind].pop(key, None)
            if self._db is not None:
                self._db.execute("DELETE FROM state WHERE kind = ? AND key = ?", (kind, key))

    def values(self, kind: str) -> list[Any]:
        with self.lock:
            return list(self.data[kind].values())

    def next_number(self, name: str) -> int:
        with self.lock:
            number = int(self.data["counter"].get(name, 0)) + 1
            self.put("counter", name, number)
            return number

    def close(self) -> None:
        with self.lock:
            if self._db is not None:
                self._db.close()
                self._db = None
