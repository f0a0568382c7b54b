"""The Idempotency-Key contract of the emulated API.

Same key and body: the stored answer (failures included); same key while the first request is
still being processed: 409; same key with another body: 422; keys forgotten after a day. A key is
claimed ("in progress") before the work starts and completed with the answer after it.

An emulator killed between the two leaves a claim that no request will ever complete; `recover`
settles such claims when a database file is opened again, so a restarted emulator never answers
409 for work that stopped with the process that was doing it.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from typing import Any

from orderspec.emulator.state import Store
from orderspec.model import Endpoint
from orderspec.render import canonical_json

CONFLICT = {"success": False, "reasons": [{"code": 50000020,
                                           "message": "This Idempotency-Key was used with a different request."}]}
IN_PROGRESS = {"success": False, "reasons": [{"code": 50000070,
                                              "message": "A request with this Idempotency-Key is still in progress."}]}


def body_hash(endpoint: Endpoint, body: bytes) -> str:
    return hashlib.sha256(endpoint.path.encode() + b"\n" + body).hexdigest()


@dataclass(frozen=True)
class Replay:
    """What to answer instead of doing the work: the stored answer, 409 or 422."""

    status: int
    body: bytes


def claim(store: Store, key: str, digest: str, now: float, ttl: float) -> Replay | None:
    """Claim the key for a new request (None), or say what the API answers instead."""
    with store.lock:
        record = store.get("idempotency", key)
        if record is not None and now - float(record["at"]) > ttl:
            store.delete("idempotency", key)
            record = None
        if record is None:
            store.put("idempotency", key, {"hash": digest, "at": now, "status": None, "payload": None})
            return None
        if record["hash"] != digest:
            return Replay(422, canonical_json(CONFLICT))
        if record["status"] is None:
            return Replay(409, canonical_json(IN_PROGRESS))
        return Replay(int(record["status"]), str(record["payload"]).encode("utf-8"))


def complete(store: Store, key: str, digest: str, now: float, status: int, payload: Any) -> None:
    """Keep the answer under the key: Zuora keeps the status and body of every processed request."""
    store.put("idempotency", key, {"hash": digest, "at": now, "status": status,
                                   "payload": canonical_json(payload).decode("utf-8")})


def release(store: Store, key: str) -> None:
    """Nothing was done under the key: it is free again."""
    store.delete("idempotency", key)


def recover(store: Store, now: float, job_delay: float = 0.0) -> int:
    """Settle the claims left by an emulator that stopped mid-request; returns how many.

    A claim whose order was made gets the answer the request would have had (a create's answer,
    or for an async create a finished job); a claim with no order did nothing and is released.
    """
    from orderspec.emulator import orders

    settled = 0
    with store.lock:
        made = {str(order["idempotencyKey"]): order for order in store.values("order") if order.get("idempotencyKey")}
        for key, record in list(store.data["idempotency"].items()):
            if record.get("status") is not None:
                continue
            settled += 1
            order = made.get(key)
            if order is None:
                release(store, key)
                continue
            answer = orders.created_answer(order)
            if order.get("endpoint") == "async-create":
                job_id = uuid.uuid4().hex
                store.put("job", job_id, {"jobType": "AsyncCreateOrder", "readyAt": now + job_delay, "errors": None,
                                          "result": canonical_json({"jobType": "AsyncCreateOrder", **answer})
                                          .decode("utf-8")})
                complete(store, key, record["hash"], float(record["at"]), 202, {"jobId": job_id, "success": True})
            else:
                complete(store, key, record["hash"], float(record["at"]), 200, answer)
    return settled
