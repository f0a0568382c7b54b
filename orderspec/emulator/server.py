"""A local HTTP server that behaves like the Zuora Orders API, for tests and for rehearsing
failures in your own CI.

Endpoints: POST /oauth/token, POST /v1/orders, /v1/orders/preview, /v1/async/orders,
/v1/async/orders/preview, GET /v1/async-jobs/{jobId}, GET /v1/orders (paged),
GET /v1/orders/{orderNumber}, GET /v1/subscriptions/{subscription-key}, GET /v1/accounts/{account-key}
(the tenant's state: `tenant`). It keeps the Idempotency-Key contract (`idempotency`), expires
tokens, rate-limits, adds latency, and injects faults chosen by configuration. Requests are served
on threads of their own; the store serialises what they change.
"""

from __future__ import annotations

import dataclasses
import json
import threading
import time
import uuid
from dataclasses import dataclass, field
from decimal import Decimal
from http.server import ThreadingHTTPServer
from typing import Any, Callable

from orderspec.config import Config
from orderspec.emulator import idempotency, orders, tenant
from orderspec.emulator.faults import Faults
from orderspec.emulator.handler import Handler
from orderspec.emulator.locks import AccountLocks, account_of
from orderspec.emulator.state import Store
from orderspec.emulator.tenant import Refusal, Tenant, TenantSettings
from orderspec.model import Endpoint
from orderspec.render import canonical_json



@dataclass
class EmulatorConfig:
    host: str = "127.0.0.1"
    port: int = 0  # 0: any free port
    # client id -> secret; None accepts any non-empty pair. Not in the repr: it holds secrets.
    clients: dict[str, str] | None = field(default=None, repr=False)
    token_ttl: float = 3600.0
    job_delay: float = 0.2  # seconds a job stays Processing
    idempotency_ttl: float = 24 * 3600.0
    slow_delay: float = 5.0  # how long a "timeout" fault holds the answer
    latency: float = 0.0  # seconds added to every answer, as a real tenant's round trip takes
    # Seconds a create holds its account's lock; another create on that account meanwhile is
    # refused with lock contention (see `orderspec.emulator.locks`). 0: accounts are never locked.
    account_lock: float = 0.0
    retry_after: float = 1.0  # what a 429 asks the client to wait
    rate_limit: int | None = None  # requests per `rate_window` seconds; None: unlimited
    rate_window: float = 1.0
    faults: Faults = field(default_factory=Faults)
    db: str | None = None
    clock: Callable[[], float] = time.time
    # What `orderspec lint` would be configured with: codes, severities, limits, loader caps.
    lint_config: Config | None = None
    # The tenant's catalog and the bill cycle day of accounts opened on first use.
    tenant: TenantSettings = field(default_factory=TenantSettings)
    # A state folder's subscriptions and accounts (an orderspec.state.State): the tenant holds them,
    # and refuses accounts and subscriptions it does not hold, as a real tenant does.
    state: Any = None


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    # Clients that open many connections at once (send --concurrency) must not be refused by a
    # full listen queue; socketserver's default is 5.
    request_queue_size = 256


def _number(value: float) -> int | Decimal:
    return int(value) if float(value).is_integer() else Decimal(str(value))


def _text(value: Any) -> str:
    """JSON text of a response kept for later (numbers stay exact, also in the SQLite file)."""
    return canonical_json(value).decode("utf-8")


class Emulator:
    def __init__(self, config: EmulatorConfig | None = None) -> None:
        self.config = config or EmulatorConfig()
        self.store = Store(self.config.db)
        settings = self.config.tenant
        if self.config.state is not None:
            settings = dataclasses.replace(settings, closed=True)
        self.tenant = Tenant(self.store, settings)
        if self.config.state is not None:
            self.tenant.seed({n: s.body for n, s in self.config.state.subscriptions.items()},
                             {n: a.body for n, a in self.config.state.accounts.items()})
        # Claims left "in progress" by an emulator that stopped mid-request would answer 409 forever.
        idempotency.recover(self.store, self.config.clock(), self.config.job_delay)
        self._rate_lock = threading.Lock()
        self._count_lock = threading.Lock()
        self._window_start = 0.0
        self._window_count = 0
        # Every request to an orders or jobs endpoint: method, path, fault, Idempotency-Key, gzip.
        self.requests: list[dict[str, Any]] = []
        self.unauthorized = 0  # requests answered 401
        self.duplicate_order_numbers = 0  # creates refused because the order number was taken
        self.account_locks = AccountLocks(self.config.account_lock)
        handler = type("Handler", (Handler,), {"emulator": self})
        self.server = _Server((self.config.host, self.config.port), handler)
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self.server.socket.getsockname()[:2]
        return f"http://{host}:{port}"

    def start(self) -> "Emulator":
        self._thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05},
                                        name="orderspec-emulator", daemon=True)
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        self.server.serve_forever(poll_interval=0.2)

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self.store.close()

    def __enter__(self) -> "Emulator":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- inspection and control (tests, rehearsals) -------------------------------------------------

    def orders(self) -> list[dict[str, Any]]:
        return self.store.values("order")

    def expire_tokens(self) -> None:
        """Make every issued token invalid, as if they had all run out."""
        with self.store.lock:
            for token in list(self.store.data["token"]):
                self.store.delete("token", token)

    def count(self, name: str) -> None:
        """Add one to a counter (`unauthorized`, `duplicate_order_numbers`); requests run on many threads."""
        with self._count_lock:
            setattr(self, name, getattr(self, name) + 1)

    # -- behaviour ------------------------------------------------------------------------------------

    def issue_token(self, form: dict[str, str]) -> tuple[int, dict[str, Any]]:
        client_id, secret = form.get("client_id", ""), form.get("client_secret", "")
        if form.get("grant_type") != "client_credentials":
            return 400, {"error": "unsupported_grant_type"}
        clients = self.config.clients
        if not client_id or not secret or (clients is not None and clients.get(client_id) != secret):
            return 401, {"error": "invalid_client", "error_description": "Bad client credentials"}
        token = uuid.uuid4().hex
        self.store.put("token", token, self.config.clock() + self.config.token_ttl)
        return 200, {"access_token": token, "token_type": "bearer", "expires_in": _number(self.config.token_ttl),
                     "scope": "entity.00000000-0000-0000-0000-000000000000 platform.write service.orders.write",
                     "jti": uuid.uuid4().hex}

    def authorized(self, header: str | None) -> bool:
        if not header or not header.startswith("Bearer "):
            return False
        expires = self.store.get("token", header[len("Bearer "):])
        return expires is not None and float(expires) > self.config.clock()

    def rate_limited(self) -> bool:
        if self.config.rate_limit is None:
            return False
        with self._rate_lock:
            now = self.config.clock()
            if now - self._window_start >= self.config.rate_window:
                self._window_start, self._window_count = now, 0
            self._window_count += 1
            return self._window_count > self.config.rate_limit

    def process(self, endpoint: Endpoint, raw: bytes, key: str | None, fault: str | None) -> tuple[int, Any]:
        """Do what the API does with one order request; returns (HTTP status, response JSON)."""
        now = self.config.clock()
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            return 400, {"success": False, "reasons": [orders.reason(endpoint, 90, "The request body is not UTF-8.")]}
        body, reasons = orders.check_body(text, endpoint, self.config.lint_config)
        if endpoint.is_async:
            job_id = uuid.uuid4().hex
            job: dict[str, Any] = {"jobType": "AsyncPreviewOrder" if endpoint.is_preview else "AsyncCreateOrder",
                                   "readyAt": now + self.config.job_delay, "errors": None, "result": None}
            if fault == "lock":
                job["errors"] = f"[{orders.ASYNC_RESOURCE}50]: {orders.LOCK_MESSAGE}"
            elif reasons:
                first = reasons[0]
                job["errors"] = f"[{orders.ASYNC_RESOURCE}{str(first['code'])[-2:]}]: {first['message']}"
            elif endpoint.is_preview:
                preview = orders.preview_result(body or {}, self.config.lint_config, self.tenant)
                job["result"] = _text({"jobType": job["jobType"], "success": True, **preview})
            else:
                created, refused = self._create(body or {}, key, endpoint, now)
                if refused is not None:
                    job["errors"] = f"[{orders.ASYNC_RESOURCE}{refused.category:02d}]: {refused.message}"
                else:
                    job["result"] = _text({"jobType": job["jobType"], **created})
            self.store.put("job", job_id, job)
            # 202 Accepted for both async routes, as the API reference and Zuora's SDK have them; the
            # preview's answer is the job id alone.
            return 202, {"jobId": job_id} if endpoint.is_preview else {"jobId": job_id, "success": True}
        if fault == "lock":
            return 200, {"success": False, "processId": uuid.uuid4().hex[:16].upper(),
                         "reasons": [{"code": 53500050, "message": orders.LOCK_MESSAGE}],
                         "requestId": str(uuid.uuid4())}
        if reasons:
            status = 400 if str(reasons[0]["code"]).endswith("90") else 200
            return status, {"success": False, "processId": uuid.uuid4().hex[:16].upper(), "reasons": reasons,
                            "requestId": str(uuid.uuid4())}
        if endpoint.is_preview:
            return 200, {"success": True, "previewResult": orders.preview_result(body or {}, self.config.lint_config, self.tenant)}
        created, refused = self._create(body or {}, key, endpoint, now)
        if refused is not None:
            return 200, {"success": False, "processId": uuid.uuid4().hex[:16].upper(), "requestId": str(uuid.uuid4()),
                         "reasons": [orders.reason(endpoint, refused.category, refused.message)]}
        return 200, created

    def _create(self, body: dict[str, Any], key: str | None, endpoint: Endpoint,
                now: float) -> tuple[dict[str, Any], Refusal | None]:
        """The order made in the tenant, or what the tenant refuses (nothing made then)."""
        with self.account_locks.taken(account_of(body)) as taken:
            if not taken:
                return {}, Refusal(50, orders.LOCK_MESSAGE)
            try:
                return orders.create_order(self.store, self.tenant, body, key, endpoint, now), None
            except Refusal as refused:
                if isinstance(refused, orders.DuplicateOrder):
                    self.count("duplicate_order_numbers")
                return {}, refused

    def subscription(self, key: str) -> tuple[int, Any]:
        """GET /v1/subscriptions/{subscription-key}: by number or id."""
        found = self.tenant.subscription(key)
        return (200, found) if found is not None else self._not_found_key(key)

    def account(self, key: str) -> tuple[int, Any]:
        """GET /v1/accounts/{account-key}: by number or id."""
        found = self.tenant.account(key)
        return (200, found) if found is not None else self._not_found_key(key)

    @staticmethod
    def _not_found_key(key: str) -> tuple[int, Any]:
        # Zuora answers a lookup of an unknown key with HTTP 200 and success false (shared reference,
        # zuora-errors.md: 50000040 "Cannot find entity by key").
        return 200, {"success": False, "processId": uuid.uuid4().hex[:16].upper(),
                     "reasons": [{"code": 50000040, "message": tenant.not_found(key).message}],
                     "requestId": str(uuid.uuid4())}

    def order_list(self, query: dict[str, str]) -> tuple[int, Any]:
        """GET /v1/orders: a page of the tenant's orders, or 400 for a query the API refuses."""
        try:
            return 200, orders.list_orders(self.store, query, self.url)
        except orders.BadQuery as refused:
            return 400, {"success": False, "processId": uuid.uuid4().hex[:16].upper(), "reasons": [refused.reason()],
                         "requestId": str(uuid.uuid4())}

    def order(self, order_number: str) -> tuple[int, Any]:
        """GET /v1/orders/{orderNumber}: the order, or the API's "not found" answer."""
        found = orders.find_order(self.store, order_number)
        if found is None:
            return 404, {"success": False, "processId": uuid.uuid4().hex[:16].upper(),
                         "reasons": [orders.not_found_reason(order_number)], "requestId": str(uuid.uuid4())}
        return 200, {"success": True, "order": found}

    def job_status(self, job_id: str) -> tuple[int, Any]:
        job = self.store.get("job", job_id)
        if job is None:
            return 404, {"success": False, "reasons": [{"code": 50000040, "message": f"Job {job_id} not found."}]}
        if self.config.clock() < float(job["readyAt"]):
            return 200, {"status": "Processing", "errors": None, "result": None, "success": True}
        if job["errors"]:
            return 200, {"status": "Failed", "errors": job["errors"], "result": None, "success": True}
        result = json.loads(job["result"], parse_float=Decimal) if job["result"] else None
        return 200, {"status": "Completed", "errors": None, "result": result, "success": True}
