"""The emulator's HTTP side: reading requests, routing them, answering with faults, 401s, 429s
and latency. What each route does is `orderspec.emulator.server.Emulator`'s."""

from __future__ import annotations

import gzip
import re
import socket
import time
import zlib
from http.server import BaseHTTPRequestHandler
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, unquote, urlsplit

from orderspec.emulator import idempotency
from orderspec.emulator.faults import GET_FAULT_KINDS
from orderspec.model import ENDPOINTS, Endpoint
from orderspec.render import canonical_json

if TYPE_CHECKING:
    from orderspec.emulator.server import Emulator

ORDER_PATHS = {e.path: e for e in ENDPOINTS.values()}
JOB_PATH = re.compile(r"^/v1/async-jobs/([^/]+)$")
ORDER_PATH = re.compile(r"^/v1/orders/([^/]+)$")
SUBSCRIPTION_PATH = re.compile(r"^/v1/subscriptions/([^/]+)$")
ACCOUNT_PATH = re.compile(r"^/v1/accounts/([^/]+)$")
LIST_PATH = "/v1/orders"
MAX_BODY = 8 * 1024 * 1024  # also the cap on a gzipped body's unpacked size


class Handler(BaseHTTPRequestHandler):
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
        subscription, account = SUBSCRIPTION_PATH.match(path), ACCOUNT_PATH.match(path)
        if not (job or order or subscription or account or path == LIST_PATH) or path == "/v1/orders/preview":
            self._not_found(path)
            return
        fault = self.emulator.config.faults.next(GET_FAULT_KINDS)
        if not self._admitted("GET", path, fault):
            return
        if job:
            self._send(*self.emulator.job_status(job.group(1)))
        elif order:
            self._send(*self.emulator.order(unquote(order.group(1))))
        elif subscription:
            self._send(*self.emulator.subscription(unquote(subscription.group(1))))
        elif account:
            self._send(*self.emulator.account(unquote(account.group(1))))
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
