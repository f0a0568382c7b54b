"""A local HTTP server that behaves like the Zuora Orders API, for tests and for rehearsing
failures in your own CI.

Endpoints: POST /oauth/token, POST /v1/orders, /v1/orders/preview, /v1/async/orders,
/v1/async/orders/preview, GET /v1/async-jobs/{jobId}, GET /v1/orders (paged),
GET /v1/orders/{orderNumber}. It keeps the Idempotency-Key contract (`idempotency`), expires
tokens, rate-limits, adds latency, and injects faults chosen by configuration. Requests are served
on threads of their own; the store serialises what they change.
"""

from __future__ import annotations

import gzip
import json
import re
import socket
import threading
import time
import uuid
import zlib
from dataclasses import dataclass, field
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable
from urllib.parse import parse_qs, unquote, urlsplit

from orderspec.config import Config
from orderspec.emulator import idempotency, orders
from orderspec.emulator.faults import GET_FAULT_KINDS, Faults
from orderspec.emulator.state import Store
from orderspec.model import ENDPOINTS, Endpoint
from orderspec.render import canonical_json

ORDER_PATHS = {e.path: e for e in ENDPOINTS.values()}
JOB_PATH = re.compile(r"^/v1/async-jobs/([^/]+)$")
ORDER_PATH = re.compile(r"^/v1/orders/([^/]+)$")
LIST_PATH = "/v1/orders"
MAX_BODY = 8 * 1024 * 1024  # also the cap on a gzipped body's unpacked size


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
    retry_after: float = 1.0  # what a 429 asks the client to wait
    rate_limit: int | None = None  # requests per `rate_window` seconds; None: unlimited
    rate_window: float = 1.0
    faults: Faults = field(default_factory=Faults)
    db: str | None = None
    clock: Callable[[], float] = time.time
    # What `orderspec lint` would be configured with: codes, severities, limits, loader caps.
    lint_config: Config | None = None


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
        handler = type("Handler", (_Handler,), {"emulator": self})
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
                job["result"] = _text({"jobType": job["jobType"], "success": True, **orders.preview_result(body or {})})
            else:
                created = orders.create_order(self.store, body or {}, key, endpoint, now)
                if created is None:
                    self.count("duplicate_order_numbers")
                    job["errors"] = f"[{orders.ASYNC_RESOURCE}30]: {orders.duplicate_message(body or {})}"
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
            return 200, {"success": True, "previewResult": orders.preview_result(body or {})}
        created = orders.create_order(self.store, body or {}, key, endpoint, now)
        if created is None:
            self.count("duplicate_order_numbers")
            return 200, {"success": False, "processId": uuid.uuid4().hex[:16].upper(), "requestId": str(uuid.uuid4()),
                         "reasons": [orders.reason(endpoint, 30, orders.duplicate_message(body or {}))]}
        return 200, created

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


class _Handler(BaseHTTPRequestHandler):
    emulator: Emulator
    protocol_version = "HTTP/1.1"
    # Headers and body go out in separate writes; with Nagle on, each keep-alive answer would
    # wait for the client's delayed ACK (~40 ms).
    disable_nagle_algorithm = True
    timeout = 60  # a client that stops sending mid-request does not hold a thread forever
    server_version = "orderspec-emulator"

    def log_message(self, format: str, *args: Any) -> None:  # quiet: tests and CI read their own output
        pass

    # -- plumbing -----------------------------------------------------------------------------------

    def _read_body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        if length < 0:
            raise ValueError("negative Content-Length")
        if length > MAX_BODY:
            raise ValueError("request body too large")
        raw = self.rfile.read(length) if length else b""
        if (self.headers.get("Content-Encoding") or "").lower() == "gzip":
            unpacker = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
            raw = unpacker.decompress(raw, MAX_BODY + 1)
            if len(raw) > MAX_BODY or unpacker.unconsumed_tail:
                raise ValueError("request body too large once unzipped")
        return raw

    def _send(self, status: int, payload: Any, headers: dict[str, str] | None = None) -> None:
        if self.emulator.config.latency > 0:
            time.sleep(self.emulator.config.latency)
        data = payload if isinstance(payload, bytes) else canonical_json(payload)
        extra = dict(headers or {})
        if len(data) > 1000 and "gzip" in (self.headers.get("Accept-Encoding") or ""):
            data = gzip.compress(data, mtime=0)
            extra["Content-Encoding"] = "gzip"
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        track = self.headers.get("Zuora-Track-Id")
        if track:
            extra["Zuora-Track-Id"] = track
        for name, value in extra.items():
            self.send_header(name, value)
        self.end_headers()
        try:
            self.wfile.write(data)
            self.wfile.flush()
        except OSError:
            self.close_connection = True  # the client went away (it timed out); nothing to do

    def _drop(self) -> None:
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def _rate_limited(self) -> None:
        wait = self.emulator.config.retry_after
        shown = str(int(wait)) if float(wait).is_integer() else f"{wait:g}"
        self._send(429, {"success": False, "reasons": [{"code": 90000070,
                                                        "message": "Too many requests; retry later."}]},
                   {"Retry-After": shown, "RateLimit-Limit": str(self.emulator.config.rate_limit or 0),
                    "RateLimit-Remaining": "0", "RateLimit-Reset": shown})

    def _fault_response(self, fault: str | None) -> bool:
        """Answer an injected fault that happens before any work; True when answered."""
        if fault in ("500", "503"):
            self._send(int(fault), {"reasons": [{"code": "SystemError", "message": "internal server error"}]})
            return True
        if fault == "429":
            self._rate_limited()
            return True
        if fault == "drop-before":
            self._drop()
            return True
        return False

    def _authorized(self) -> bool:
        if self.emulator.authorized(self.headers.get("Authorization")):
            return True
        self.emulator.count("unauthorized")
        self._send(401, {"success": False, "reasons": [{"code": 90000011,
                                                        "message": "Authentication error: invalid or expired token"}]})
        return False

    def _record(self, method: str, path: str, fault: str | None) -> None:
        self.emulator.requests.append({
            "method": method, "path": path, "fault": fault, "key": self.headers.get("Idempotency-Key"),
            "gzip": (self.headers.get("Content-Encoding") or "").lower() == "gzip"})

    def _admitted(self, method: str, path: str, fault: str | None) -> bool:
        """Record the request, then answer it with its fault, a 401 or a 429 when one applies;
        True when none did and the route should answer."""
        self._record(method, path, fault)
        if self._fault_response(fault) or not self._authorized():
            return False
        if self.emulator.rate_limited():
            self._rate_limited()
            return False
        return True

    def _not_found(self, path: str) -> None:
        self._send(404, {"success": False, "reasons": [{"code": 50000040,
                                                        "message": f"The endpoint {path} does not exist."}]})

    # -- routes -------------------------------------------------------------------------------------

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        path = parts.path
        job, order = JOB_PATH.match(path), ORDER_PATH.match(path)
        if not (job or order or path == LIST_PATH) or path == "/v1/orders/preview":
            self._not_found(path)
            return
        fault = self.emulator.config.faults.next(GET_FAULT_KINDS)
        if not self._admitted("GET", path, fault):
            return
        if job:
            self._send(*self.emulator.job_status(job.group(1)))
        elif order:
            self._send(*self.emulator.order(unquote(order.group(1))))
        else:
            query = {name: values[-1] for name, values in parse_qs(parts.query, keep_blank_values=True).items()}
            self._send(*self.emulator.order_list(query))

    def do_POST(self) -> None:
        path = urlsplit(self.path).path
        try:
            raw = self._read_body()
        except (ValueError, OSError, zlib.error) as error:
            self.close_connection = True
            self._send(413 if "large" in str(error) else 400,
                       {"success": False, "reasons": [{"code": 50000090, "message": f"Malformed request: {error}"}]})
            return
        if path == "/oauth/token":
            form = {k: v[0] for k, v in parse_qs(raw.decode("utf-8", "replace")).items()}
            self._send(*self.emulator.issue_token(form))
            return
        endpoint = ORDER_PATHS.get(path)
        if endpoint is None:
            self._not_found(path)
            return
        fault = self.emulator.config.faults.next()
        if self._admitted("POST", path, fault):
            self._order(endpoint, raw, fault)

    def _order(self, endpoint: Endpoint, raw: bytes, fault: str | None) -> None:
        emulator, store, clock = self.emulator, self.emulator.store, self.emulator.config.clock
        key = self.headers.get("Idempotency-Key")
        digest = idempotency.body_hash(endpoint, raw)
        if key is not None:
            replay = idempotency.claim(store, key, digest, clock(), emulator.config.idempotency_ttl)
            if replay is not None:
                self._send(replay.status, replay.body)
                return
        try:
            status, payload = emulator.process(endpoint, raw, key, fault)
        except Exception:
            if key is not None:
                idempotency.release(store, key)  # nothing was done
            self._send(500, {"reasons": [{"code": "SystemError", "message": "internal server error"}]})
            return
        if fault == "timeout":
            time.sleep(emulator.config.slow_delay)
        if key is not None:
            idempotency.complete(store, key, digest, clock(), status, payload)
        if fault == "drop-after":
            self._drop()
            return
        if fault == "garbled":
            whole = canonical_json(payload)
            self._send(status, whole[:max(1, len(whole) // 2)])
            return
        self._send(status, payload)
