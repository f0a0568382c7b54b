"""The HTTP client for the Orders API: environments, OAuth, headers, gzip, and bounded retries.

The client never changes a request between attempts: a POST goes out again with the very same
Idempotency-Key and body, so the API can answer a retry with the response it stored for the
first try instead of creating a second order.
"""

from __future__ import annotations

import gzip
import json
import logging
import os
import threading
import time
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Callable, Mapping

from orderspec import __version__
from orderspec.dispatch.errors import DispatchError, OutcomeUnknown, reasons_from
from orderspec.dispatch.pace import Pace, Reachability, RunStopped, TenantUnreachable
from orderspec.dispatch.retry import Budget, RetryPolicy, retry_after_seconds
from orderspec.dispatch.tenant import BaseUrlError, normal_base_url

if TYPE_CHECKING:
    import httpx

    from orderspec.render import RenderedRequest

log = logging.getLogger("orderspec.dispatch")

GZIP_THRESHOLD = 4096  # request bodies at least this long are sent gzipped


class Secret:
    """A credential. Its repr and str never show the value; only `reveal()` does."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret('********')"

    __str__ = __repr__

    def __bool__(self) -> bool:
        return bool(self._value)

    def __reduce__(self) -> Any:  # pickling would carry the value out of the process
        raise TypeError("a Secret cannot be pickled")


@dataclass(frozen=True)
class Credentials:
    client_id: str
    client_secret: Secret

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ) -> "Credentials":
        client_id = environ.get("ZUORA_CLIENT_ID", "")
        client_secret = environ.get("ZUORA_CLIENT_SECRET", "")
        if not client_id or not client_secret:
            raise DispatchError("set ZUORA_CLIENT_ID and ZUORA_CLIENT_SECRET to the OAuth client's "
                                "credentials (Settings > Administration > Manage Users in Zuora)")
        return cls(client_id, Secret(client_secret))


@dataclass(frozen=True)
class Environment:
    name: str
    base_url: str
    production: bool
    description: str


# Base URLs from the v1 API reference ("Base URL" table and the OpenAPI `servers`).
ENVIRONMENTS: dict[str, Environment] = {e.name: e for e in (
    Environment("us-developer-sandbox", "https://rest.test.zuora.com", False, "US Developer & Central Sandbox"),
    Environment("us-central-sandbox", "https://rest.test.zuora.com", False, "US Developer & Central Sandbox"),
    Environment("us-api-sandbox-cloud1", "https://rest.sandbox.na.zuora.com", False, "US API Sandbox (Cloud 1)"),
    Environment("us-api-sandbox-cloud2", "https://rest.apisandbox.zuora.com", False, "US API Sandbox (Cloud 2)"),
    Environment("us-production-cloud1", "https://rest.na.zuora.com", True, "US Production (Cloud 1)"),
    Environment("us-production-cloud2", "https://rest.zuora.com", True, "US Production (Cloud 2)"),
    Environment("eu-developer-sandbox", "https://rest.test.eu.zuora.com", False, "EU Developer & Central Sandbox"),
    Environment("eu-central-sandbox", "https://rest.test.eu.zuora.com", False, "EU Developer & Central Sandbox"),
    Environment("eu-api-sandbox", "https://rest.sandbox.eu.zuora.com", False, "EU API Sandbox"),
    Environment("eu-production", "https://rest.eu.zuora.com", True, "EU Production"),
    Environment("apac-developer-sandbox", "https://rest.test.ap.zuora.com", False, "APAC Developer & Central Sandbox"),
    Environment("apac-central-sandbox", "https://rest.test.ap.zuora.com", False, "APAC Developer & Central Sandbox"),
    Environment("apac-production", "https://rest.ap.zuora.com", True, "APAC Production"),
    Environment("emulator", "http://127.0.0.1:8765", False, "the bundled emulator (orderspec emulator)"),
)}


def resolve_environment(env: str | None, base_url: str | None) -> Environment:
    """The environment to talk to: a named one, or a base URL (production if it is a production host)."""
    if base_url:
        try:
            # The tenant's own spelling, so that the journal and the production check see through
            # case, default ports and trailing slashes.
            normal = normal_base_url(base_url)
        except BaseUrlError as error:
            raise DispatchError(f"--base-url: {error}") from None
        production = any(e.production and e.base_url == normal for e in ENVIRONMENTS.values())
        return Environment("custom", normal, production, "custom base URL")
    if not env:
        raise DispatchError("say where to send: --env NAME or --base-url URL")
    if env not in ENVIRONMENTS:
        from orderspec.spec import did_you_mean

        raise DispatchError(f"unknown environment {env!r}{did_you_mean(env, sorted(ENVIRONMENTS))}; "
                            f"known: {', '.join(ENVIRONMENTS)}")
    return ENVIRONMENTS[env]


@dataclass
class ApiResponse:
    status: int
    headers: dict[str, str]
    payload: Any  # parsed JSON (numbers with a fraction as Decimal), or None
    attempts: int = 1

    @property
    def success(self) -> bool:
        return 200 <= self.status < 300 and isinstance(self.payload, dict) and self.payload.get("success") is not False


def parse_json(content: bytes) -> Any:
    if not content:
        return None
    try:
        return json.loads(content, parse_float=Decimal)
    except ValueError:
        return None


class ZuoraClient:
    """One tenant, one set of credentials. Use as a context manager to close its connections."""

    def __init__(
        self,
        base_url: str,
        credentials: Credentials,
        *,
        timeout: float = 30.0,
        gzip_threshold: int = GZIP_THRESHOLD,
        policy: RetryPolicy | None = None,
        sleep: Callable[[float], None] | None = None,
        clock: Callable[[], float] = time.monotonic,
        transport: "httpx.BaseTransport | None" = None,
        pace: Pace | None = None,
        reachability: Reachability | None = None,
    ) -> None:
        import httpx

        self.base_url = base_url.rstrip("/")
        self._credentials = credentials
        self.timeout = timeout
        self.gzip_threshold = gzip_threshold
        self.policy = policy or RetryPolicy()
        # Shared by every thread of a run: what the tenant asked for (429s, quotas), and whether it
        # can be reached at all.
        self.pace = pace or Pace()
        self.reachability = reachability or Reachability()
        self._sleep = sleep or self.pace.sleep
        self._token_lock = threading.Lock()
        self._clock = clock
        self._token: Secret | None = None
        self._token_expires = 0.0
        self.token_fetches = 0
        # Keep a connection alive for every order that may be in flight (httpx keeps 20 by default).
        ceiling = self.pace.configured_ceiling
        self._http = httpx.Client(
            base_url=self.base_url, timeout=timeout, transport=transport,
            headers={"User-Agent": f"orderspec/{__version__}", "Accept-Encoding": "gzip"},
            limits=httpx.Limits(max_connections=max(100, ceiling), max_keepalive_connections=max(20, ceiling)),
        )

    def __enter__(self) -> "ZuoraClient":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    def __repr__(self) -> str:
        return f"ZuoraClient({self.base_url!r}, client_id={self._credentials.client_id!r})"

    # -- OAuth -------------------------------------------------------------------------------------

    def authenticate(self) -> None:
        """Get a token now, so that refused credentials stop a run before anything is journalled."""
        self._bearer()

    def _bearer(self) -> str:
        with self._token_lock:  # one fetch when many threads find the token gone at once
            if self._token is None or self._clock() >= self._token_expires:
                self._fetch_token()
            assert self._token is not None
            return "Bearer " + self._token.reveal()

    def _forget_token(self, bearer: str) -> None:
        """The token in `bearer` was refused: drop it, unless another thread already has a new one."""
        with self._token_lock:
            if self._token is not None and "Bearer " + self._token.reveal() == bearer:
                self._token = None

    def _fetch_token(self) -> None:
        import httpx

        form = {"grant_type": "client_credentials", "client_id": self._credentials.client_id,
                "client_secret": self._credentials.client_secret.reveal()}
        budget = Budget(self.policy, self._clock)
        while True:
            budget.start_attempt()
            self.reachability.check()
            server_wait = None
            connect_failed = False
            try:
                response = self._http.post("/oauth/token", data=form)
            except (httpx.ConnectError, httpx.ConnectTimeout) as error:
                connect_failed = True
                problem = f"could not get an OAuth token: could not connect to {self.base_url} ({type(error).__name__})"
                self.reachability.failed(problem)
                self.reachability.check()
            except httpx.RequestError as error:  # also an answer that cannot be decoded
                problem = f"could not get an OAuth token: {type(error).__name__}"
            else:
                self.reachability.reached()
                if response.status_code == 200:
                    payload = parse_json(response.content)
                    token = payload.get("access_token") if isinstance(payload, dict) else None
                    if not isinstance(token, str) or not token:
                        raise DispatchError("the OAuth token response has no access_token")
                    given = payload.get("expires_in")
                    lifetime = float(given) if isinstance(given, (int, float, Decimal)) else 3600.0
                    # Refresh a little before the server would refuse the token.
                    self._token_expires = self._clock() + lifetime - min(60.0, lifetime / 10)
                    self._token = Secret(token)
                    self.token_fetches += 1
                    return
                if response.status_code in (400, 401, 403):
                    raise DispatchError(f"the OAuth client credentials were refused (HTTP {response.status_code}); "
                                        "check ZUORA_CLIENT_ID / ZUORA_CLIENT_SECRET and the environment")
                problem = f"the OAuth token request failed with HTTP {response.status_code}"
                if response.status_code == 429:
                    server_wait = retry_after_seconds(response.headers)
            wait = budget.wait_for_retry(server_wait)
            if wait is None:
                if connect_failed:
                    self.reachability.gave_up(problem)
                    raise TenantUnreachable(f"{problem} (gave up after {budget.attempts} attempts)")
                raise DispatchError(f"{problem} (gave up after {budget.attempts} attempts)")
            log.info("%s; retrying in %.2fs", problem, wait)
            self._sleep(wait)

    # -- requests ----------------------------------------------------------------------------------

    def send(self, rendered: "RenderedRequest", *, idempotency_key: str | None = None) -> ApiResponse:
        """POST a rendered request. `idempotency_key` overrides the rendered one (a new attempt
        after a definite failure); it is the same for every retry inside this call."""
        headers = dict(rendered.headers)
        if idempotency_key is not None:
            headers["Idempotency-Key"] = idempotency_key
        return self.request("POST", rendered.endpoint.path, body=rendered.body, headers=headers,
                            query=rendered.query)

    def job_status(self, job_id: str) -> ApiResponse:
        return self.request("GET", f"/v1/async-jobs/{job_id}")

    def request(self, method: str, path: str, *, body: bytes | None = None,
                headers: Mapping[str, str] | None = None, query: Mapping[str, str] | None = None) -> ApiResponse:
        """One logical request with bounded retries. A POST that may have reached the server and
        never got a definite answer raises OutcomeUnknown."""
        import httpx

        sent_headers = dict(headers or {})
        content = body
        if body is not None and len(body) >= self.gzip_threshold:
            content = gzip.compress(body, mtime=0)
            sent_headers["Content-Encoding"] = "gzip"
        budget = Budget(self.policy, self._clock)
        ticket = self.pace.ticket()  # kept through every retry: the longest waiting goes first
        refreshed = False
        maybe_processed = False  # a POST may have reached the API (so may have done something)
        unreadable = False  # the last attempt's answer could not be read
        never_connected = True  # every attempt so far failed to connect
        while True:
            attempt = budget.start_attempt()
            unreadable = False
            self._check_reachable(method, maybe_processed)
            budget.pause()  # waiting in line is not this request's own time
            try:
                turn = self.pace.wait_turn(ticket)
            except RunStopped:
                raise RunStopped(may_have_left=maybe_processed or not never_connected) from None
            budget.resume()
            epoch = self.pace.epoch
            try:
                self._check_reachable(method, maybe_processed)  # the run may have given up while it waited
                bearer = self._bearer()
                response = self._http.request(method, path, content=content, params=dict(query or {}),
                                              headers={**sent_headers, "Authorization": bearer})
            except (httpx.ConnectError, httpx.ConnectTimeout) as error:
                # Refused, DNS, TLS: the request never reached the API.
                problem = f"could not connect to {self.base_url} ({type(error).__name__})"
                self.reachability.failed(problem)
                if self.reachability.dead is not None:
                    if method == "POST" and maybe_processed:
                        raise OutcomeUnknown(f"{problem} after an earlier attempt with the same Idempotency-Key "
                                             f"may have reached the API; {self.reachability.dead}")
                    self.reachability.check()
            except httpx.TimeoutException:
                maybe_processed = True
                never_connected = False
                problem = f"no response within {self.timeout:g}s"
            except httpx.TransportError as error:
                maybe_processed = True
                never_connected = False
                problem = f"the connection broke before a response came ({type(error).__name__})"
            except httpx.RequestError as error:
                never_connected = False
                # The API answered (and may have acted) but the answer cannot be read, e.g. a body
                # that is not the gzip its Content-Encoding says. Only the type name is shown: the
                # exception carries the request, with its Authorization header or OAuth form.
                maybe_processed = unreadable = True
                problem = f"the response could not be read ({type(error).__name__})"
            else:
                never_connected = False
                self.reachability.reached()
                status = response.status_code
                self.pace.answered(status, response.headers)
                payload = parse_json(response.content)
                if status == 401 and not refreshed:
                    # The token expired early or was revoked: get a new one, once.
                    refreshed = True
                    self._forget_token(bearer)
                    budget.attempts -= 1
                    continue
                if status == 429:
                    # The tenant's pace, not this request's failure: back in line with its ticket,
                    # behind the tenant's wait, which is everyone's.
                    budget.forgive()
                    given_up = self.pace.turned_away(response.headers, epoch, self.policy)
                    if given_up is not None:
                        self.reachability.unavailable(given_up)
                    self._check_reachable(method, maybe_processed)
                    log.info("%s %s: rate limited (HTTP 429); retry %d when its turn comes", method, path, attempt)
                    continue
                if status == 409 and "Idempotency-Key" in sent_headers:
                    maybe_processed = True
                    problem = "the first request with this Idempotency-Key is still in progress (HTTP 409)"
                elif status >= 500:
                    maybe_processed = True
                    reasons = "; ".join(r.text() for r in reasons_from(payload))
                    problem = f"server error HTTP {status}" + (f": {reasons}" if reasons else "")
                elif not isinstance(payload, dict):
                    # Not the JSON the API documents (an empty body, a proxy's HTML page, a body cut
                    # short): the API may have acted on it, so only the same key may go again.
                    maybe_processed = unreadable = True
                    problem = f"the answer (HTTP {status}) is not the JSON the API documents"
                else:
                    return ApiResponse(status, dict(response.headers), payload, attempt)
            finally:
                self.pace.done(turn)
            wait = budget.wait_for_retry()
            if wait is None:
                if method == "POST" and maybe_processed:
                    raise OutcomeUnknown(f"{problem}; gave up after {budget.attempts} attempts with the same "
                                         "Idempotency-Key", answered=unreadable)
                if never_connected:
                    self.reachability.gave_up(problem)
                raise DispatchError(f"{problem}; gave up after {budget.attempts} attempts")
            log.info("%s %s: %s; retry %d in %.3fs", method, path, problem, attempt, wait)
            try:
                self._sleep(wait)
            except RunStopped:
                raise RunStopped(may_have_left=maybe_processed or not never_connected) from None

    def _check_reachable(self, method: str, maybe_processed: bool) -> None:
        try:
            self.reachability.check()
        except TenantUnreachable as error:
            if method == "POST" and maybe_processed:  # an earlier attempt may have made the order
                raise OutcomeUnknown(f"{error}, after an earlier attempt with the same Idempotency-Key may "
                                     "have reached the API") from None
            raise
