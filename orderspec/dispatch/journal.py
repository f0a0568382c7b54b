"""The dispatch journal: an append-only, fsynced JSONL file next to the specs.

Every state change of an order is written (and fsynced) *before* the next step that depends on
it: the intent to send goes to disk before the POST leaves, the job id before polling starts, the
result before the run moves on. So whatever moment a run dies at, the next run knows enough:

- died before the POST left, or after it left but before the answer came, or after the answer but
  before the result was written: the journal says "sending", and the next run sends again with
  the *same* Idempotency-Key. The API answers a repeat with the stored first response (keys are
  kept 24 h), so at most one order exists. An order with an orderNumber is first looked up in
  Zuora (`settle`); without one, once the key may have expired, the order is reported as unknown
  instead of being sent again.
- died while an async job ran: the journal has the job id, and the next run polls it.
- the result was written: the next run skips the order.
- the tenant could not be reached at all (refused, DNS, TLS): "not-sent" says this send never
  left, and the next run sends the order as new (same key) instead of treating it as
  unconfirmed. When an earlier send of the same key may have reached the API, the order stays
  unknown: "not-sent" only speaks for the send it follows.

A torn last line (the process died mid-write) is ignored on reading; the record it would have
been is redone by the rules above.

Every record names the tenant its order went to (`tenant`: the normalised base URL, and the
entity and org ids the request named), and a run reads only the records of the tenant it sends
to: an order created in a rehearsal on the emulator is still sent to the sandbox. Records from
before tenants were recorded (version 1) cannot be attributed by reading them, and guessing
either way could hide a real send or create a second order; so a run refuses a journal holding
them until `orderspec journal attribute` appends an `attributed` record saying which base URL they
went to. They are never dropped.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import json
import os
import threading
import time
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, Iterator

from orderspec.dispatch.tenant import Tenant

JOURNAL_DIR = ".orderspec"
JOURNAL_NAME = "journal.jsonl"

# Final states: the order exists (created) or the API said definitely not (failed).
SENDING, UNKNOWN, JOB, CREATED, FAILED = "sending", "unknown", "job", "created", "failed"
# The send after the last "sending" never left this machine (the tenant could not be reached).
NOT_SENT = "not-sent"
# Not an order's state: where earlier records without a tenant went (`orderspec journal attribute`).
ATTRIBUTED = "attributed"
# Version 2 records name their tenant; version 1 records (orderspec before tenants) do not.
VERSION = 2


def journal_path_for(spec_path: str) -> Path:
    return Path(spec_path).resolve().parent / JOURNAL_DIR / JOURNAL_NAME


def attempt_key(base_key: str, attempt: int) -> str:
    """The Idempotency-Key of an attempt. A new attempt (and key) is only ever made after the API
    answered definitely that the previous one created nothing."""
    if attempt == 0:
        return base_key
    key = f"{base_key}-{attempt}"
    return key if len(key) <= 255 else f"{base_key[:240]}-{attempt}"


@dataclass
class OrderState:
    """What the journal knows about one order (one base Idempotency-Key)."""

    key: str
    status: str = "new"
    attempt: int = 0
    attempt_key: str = ""
    sent_at: float = 0.0  # epoch seconds when the current attempt's key was first sent
    job_id: str | None = None
    spec: str = ""  # which spec document it came from (its file relative to the journal's folder)
    record: dict[str, Any] = field(default_factory=dict)  # the latest record
    # Whether an earlier send of the current attempt key may have reached the API (before the
    # latest "sending"): a "not-sent" after it does not make the order unsent.
    exposed: bool = False


def state_in_words(state: OrderState) -> str:
    """What the journal has about an order, for messages: "created as O-1", else its state."""
    number = state.record.get("orderNumber")
    return f"created as {number}" if state.status == CREATED and number else state.status


# States in which an order exists or may exist.
LIVE = (SENDING, UNKNOWN, JOB, CREATED)


def spec_id(spec_path: str, name: str) -> str:
    """A spec document's name as the journal keeps it: its file relative to the journal's folder
    (so `send orders/` and `send ./orders/x.order.yaml` agree), and `#n` for the n-th document."""
    suffix = name[len(spec_path):] if name.startswith(spec_path) else ""
    folder = journal_path_for(spec_path).parent.parent
    return os.path.relpath(Path(spec_path).resolve(), folder) + suffix


class LiveBySpec:
    """The orders that exist or may exist, by spec document, read once from a journal's states:
    asking about every spec of a run is then linear in the journal, not journal x specs."""

    def __init__(self, states: dict[str, OrderState]) -> None:
        self._by_spec: dict[str, list[OrderState]] = {}
        for state in states.values():
            if state.status in LIVE:
                self._by_spec.setdefault(state.spec, []).append(state)

    def earlier_version(self, spec: str, key: str) -> OrderState | None:
        """An order from the same spec document with other content that exists or may exist:
        sending the changed spec could create a second order, so it is held back."""
        for state in self._by_spec.get(spec, ()):
            if state.key != key:
                return state
        return None


def _default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not journalled")


class JournalError(Exception):
    """The journal cannot be used for this run; the message says why and what to do."""


class JournalBusy(JournalError):
    pass


class UnattributedRecords(JournalError):
    """The journal holds records that name no tenant (written before journals recorded tenants)."""


@dataclass(frozen=True)
class Origin:
    """Where a record's order went."""

    tenant: Tenant | None  # None: nobody knows (a record from before tenants were recorded)
    attributed: bool = False  # an old record attributed to a base URL afterwards (`orderspec journal attribute`)

    def matches(self, tenant: Tenant) -> bool:
        if self.tenant is None:
            return False
        if self.attributed:  # an old record names no entity or orgs: the base URL is all anyone said
            return self.tenant.base_url == tenant.base_url
        return self.tenant == tenant


def _fold(records: list[dict[str, Any]]) -> dict[str, OrderState]:
    states: dict[str, OrderState] = {}
    for record in records:
        state = states.setdefault(record["key"], OrderState(record["key"]))
        state.spec = str(record.get("spec", state.spec))
        event = record.get("event")
        attempt = int(record.get("attempt", state.attempt))
        if event == SENDING:
            same_attempt = attempt == state.attempt and state.status != "new"
            state.exposed = same_attempt and (state.exposed or state.status in (SENDING, UNKNOWN))
            if not same_attempt or not state.sent_at:
                state.sent_at = float(record.get("time", 0))
            state.attempt = attempt
            state.attempt_key = record.get("attemptKey", state.key)
            state.job_id = None
            state.status = SENDING
        elif event == NOT_SENT:
            if state.exposed:
                state.status = UNKNOWN
            else:
                state.status = NOT_SENT
                state.sent_at = 0.0  # the key's lifetime starts when it really leaves
        elif event in (UNKNOWN, JOB, CREATED, FAILED):
            state.status = event
            if event == JOB:
                state.job_id = record.get("jobId")
        state.record = record
    return states


class Journal:
    def __init__(self, path: Path, clock: Any = time.time) -> None:
        self.path = path
        self._clock = clock
        self._lock_handle: Any = None
        self._append_lock = threading.Lock()  # threads of one run append one whole line at a time
        self.torn_lines = 0

    def _lines(self) -> list[dict[str, Any]]:
        try:
            data = self.path.read_bytes()
        except FileNotFoundError:
            return []
        self.torn_lines = 0
        records = []
        for line in data.split(b"\n"):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except ValueError:
                self.torn_lines += 1
                continue
            if isinstance(record, dict):
                records.append(record)
        return records

    def origins(self) -> list[tuple[dict[str, Any], Origin]]:
        """Every order record with where it went. An `attributed` record (from `orderspec journal
        attribute`) says where all earlier records without a tenant went."""
        found: list[tuple[dict[str, Any], Origin]] = []
        waiting: list[int] = []  # indexes in `found` of records nobody has attributed yet
        for record in self._lines():
            if record.get("event") == ATTRIBUTED:
                said = Tenant.from_json(record.get("tenant"))
                if said is not None:
                    for index in waiting:
                        found[index] = (found[index][0], Origin(said, attributed=True))
                    waiting = []
                continue
            if not isinstance(record.get("key"), str):
                continue
            tenant = Tenant.from_json(record.get("tenant"))
            if tenant is None:
                waiting.append(len(found))
            found.append((record, Origin(tenant)))
        return found

    def read(self) -> list[dict[str, Any]]:
        """Every order record, whatever its tenant."""
        return [record for record, _ in self.origins()]

    def unattributed(self) -> list[dict[str, Any]]:
        return [record for record, origin in self.origins() if origin.tenant is None]

    def states(self, tenant: Tenant | None = None) -> dict[str, OrderState]:
        """What the journal knows about each order on `tenant`. Records that cannot be attributed to
        any tenant stop this (UnattributedRecords): they might be about this tenant, or not.
        Without a tenant: every record, whatever its tenant (for reading a journal, never for
        deciding what to send)."""
        origins = self.origins()
        if tenant is None:
            return _fold([record for record, _ in origins])
        unknown = [record for record, origin in origins if origin.tenant is None]
        if unknown:
            raise UnattributedRecords(self._unattributed_message(unknown, tenant))
        return _fold([record for record, origin in origins if origin.matches(tenant)])

    def elsewhere(self, tenant: Tenant) -> dict[Tenant, dict[str, OrderState]]:
        """What the journal knows about orders on the other tenants (attributed records by base URL)."""
        by_tenant: dict[Tenant, list[dict[str, Any]]] = {}
        for record, origin in self.origins():
            if origin.tenant is not None and not origin.matches(tenant):
                by_tenant.setdefault(origin.tenant, []).append(record)
        return {other: _fold(records) for other, records in by_tenant.items()}

    def _unattributed_message(self, records: list[dict[str, Any]], tenant: Tenant) -> str:
        states = _fold(records)
        shown = []
        for state in list(states.values())[:5]:
            shown.append(f"{state.spec or state.key}: {state_in_words(state)}")
        more = f"; and {len(states) - len(shown)} more" if len(states) > len(shown) else ""
        folder = self.path.parent.parent
        return (f"{self.path}: {len(records)} record(s) about {len(states)} order(s) ({'; '.join(shown)}{more}) "
                "were written before the journal recorded which tenant each order went to, so orderspec cannot "
                f"tell whether those orders exist on {tenant.base_url}. Nothing was sent. Say where they went, "
                f"once: `orderspec journal attribute {folder} --env NAME` (or --base-url URL); for a rehearsal "
                "on the emulator, --env emulator (or its --base-url). If you do not know, look those orders "
                "up in Zuora first")

    def attribute(self, tenant: Tenant) -> int:
        """Record that every record without a tenant went to `tenant`'s base URL; how many did."""
        with self.locked():
            count = len(self.unattributed())
            if count:
                self.append({"event": ATTRIBUTED, "tenant": {"baseUrl": tenant.base_url}, "records": count})
            return count

    def append(self, record: dict[str, Any]) -> None:
        """Write one record and fsync it before returning."""
        record = {"v": VERSION, "time": round(self._clock(), 3),
                  "at": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"), **record}
        line = json.dumps(record, ensure_ascii=False, default=_default, separators=(",", ":")) + "\n"
        with self._append_lock:
            self._append_line(line)

    def _append_line(self, line: str) -> None:
        created = not self.path.exists()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            if not created and os.fstat(fd).st_size:
                with open(self.path, "rb") as existing:
                    existing.seek(-1, os.SEEK_END)
                    if existing.read(1) != b"\n":
                        line = "\n" + line  # a torn line from a crash must not swallow this record
            os.write(fd, line.encode("utf-8"))
            os.fsync(fd)
        finally:
            os.close(fd)
        if created:
            _fsync_dir(self.path.parent)

    @contextlib.contextmanager
    def locked(self) -> Iterator["Journal"]:
        """Hold the journal for one run, so two runs on the same specs cannot interleave."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = open(self.path.with_suffix(".lock"), "a+")
        try:
            try:
                import fcntl
            except ImportError:  # Windows: no advisory locks; the journal still works
                fcntl = None  # type: ignore[assignment]
            if fcntl is not None:
                try:
                    fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                except OSError:
                    raise JournalBusy(f"another orderspec run is using {self.path}") from None
            yield self
        finally:
            handle.close()


def _fsync_dir(directory: Path) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
