"""Send rendered orders exactly once: the journal decides what each order needs, the client sends.

For each order (identified by its rendered Idempotency-Key, which is derived from the endpoint
and the canonical body bytes) and what the journal says about it on the tenant this run sends to
(records about other tenants do not count: see `orderspec.dispatch.tenant`):

    journal says        this run does
    ------------------  ------------------------------------------------------------------------
    nothing             write "sending", POST with the key
    sending / unknown   with an orderNumber: look the order up first (`settle`): found -> journal it
                        as created; not found -> POST (the same key while the API keeps it, 24 h;
                        after that a new attempt key); another order holds the number -> conflict;
                        the lookup fails -> still unknown, send nothing.
                        Without one: POST again with the *same* key within 24 h; after that report
                        "unknown - check before resending", send nothing
    not-sent            POST with the same key (the last send never reached the tenant)
    job                 poll the job id
    failed              a new attempt with a new key (the API said the last one created nothing)
    created             skip

Only an answer that carries Zuora's reasons is a failure. An answer that cannot be read (an HTTP
200 whose body is not JSON, a proxy's HTML page, a body without `success` or reasons) may stand
for an order that exists: it is journalled as unknown and settled like a lost answer, by looking
the order up by its number (and otherwise by sending the same key again), never by a new key.

Inside a run, a definite failure whose code class says "try again later" (50 lock contention,
61 temporary, 70 limit) gets a bounded number of new attempts after a backoff. Lock contention on
an existing account spends none of them while the run's own orders cause it: the account goes one
order at a time from then on (`orderspec.dispatch.accounts`).
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass, field
from typing import Any, Callable

from orderspec.dispatch.accounts import AccountGate, existing_account
from orderspec.dispatch.client import ApiResponse, ZuoraClient
from orderspec.dispatch.errors import DispatchError, OutcomeUnknown, Reason, reasons_from
from orderspec.dispatch.jobs import PENDING, JobOutcome, JobTimeout, PollSettings, StatusLine, order_facts, poll_job
from orderspec.dispatch.journal import (CREATED, FAILED, JOB, NOT_SENT, SENDING, UNKNOWN, Journal, OrderState,
                                        attempt_key)
from orderspec.dispatch.pace import RunStopped, TenantUnreachable
from orderspec.dispatch.plan import KEY_TTL, NUMBER_HINT
from orderspec.dispatch.retry import RetryPolicy
from orderspec.dispatch.settle import CONFLICT, FOUND, MISSING, Lookup, look_up, order_number_of
from orderspec.dispatch.tenant import Tenant
from orderspec.render import RenderedRequest


@dataclass
class SendSettings:
    key_ttl: float = KEY_TTL
    poll: PollSettings = field(default_factory=PollSettings)
    new_attempts: int = 3  # per run, after "try again later" failures
    retry: RetryPolicy = field(default_factory=RetryPolicy)  # backoff between new attempts


@dataclass
class Outcome:
    name: str
    key: str
    # created | skipped | failed | unknown | conflict | held | in-flight | not-sent | previewed | would-send
    status: str
    detail: str = ""
    order_number: str | None = None
    subscription_numbers: list[str] = field(default_factory=list)
    job_id: str | None = None
    reasons: list[Reason] = field(default_factory=list)
    payload: Any = None
    order_status: str | None = None

    @property
    def ok(self) -> bool:
        return self.status in ("created", "skipped", "previewed", "would-send")

    @property
    def pending(self) -> bool:
        """Created, but Zuora holds the order as Pending (see `pending_note`)."""
        return self.status in ("created", "skipped") and self.order_status == PENDING

    def as_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"spec": self.name, "idempotencyKey": self.key, "status": self.status}
        known = {"detail": self.detail, "orderNumber": self.order_number,
                 "subscriptionNumbers": self.subscription_numbers, "jobId": self.job_id,
                 "orderStatus": self.order_status, "pending": self.pending,
                 "reasons": [r.as_json() for r in self.reasons]}
        data.update((name, value) for name, value in known.items() if value)
        return data


def content_hash(rendered: RenderedRequest) -> str:
    digest = hashlib.sha256(f"{rendered.endpoint.method} {rendered.target}\n".encode())
    digest.update(rendered.body)
    return "sha256:" + digest.hexdigest()


def pending_note(order_number: str | None) -> str:
    return (f"order {order_number or '(no number)'} is Pending in Zuora: it exists, but a subscription in it waits "
            "for activation or customer acceptance (service activation / customer acceptance dates), so it does "
            "not bill yet")


def _created_detail(number: str | None, status: Any) -> str:
    if status == PENDING:
        return pending_note(number)
    return f"order status {status}" if status and status != "Completed" else ""


def _found(rendered: RenderedRequest, journal: Journal, common: dict[str, Any], attempt: int, key: str,
           number: str, lookup: Lookup, detail: str) -> Outcome:
    """A look-up found order `number`, which an unconfirmed send made: journal it as created, settled by
    the look-up."""
    journal.append({**common, "event": CREATED, "attempt": attempt, "orderNumber": number,
                    "subscriptionNumbers": lookup.subscription_numbers, "orderStatus": lookup.order_status,
                    "settledBy": "lookup"})
    return Outcome(rendered.name, key, "created", _created_detail(number, lookup.order_status) or detail,
                   number, lookup.subscription_numbers, order_status=lookup.order_status)


class Dispatcher:
    def __init__(self, client: ZuoraClient, settings: SendSettings = SendSettings(), *,
                 status_line: StatusLine | None = None, sleep: Callable[[float], None] | None = None,
                 wall_clock: Callable[[], float] = time.time) -> None:
        self.client = client
        self.settings = settings
        self.status_line = status_line or StatusLine()
        # The run's waits end at once when it stops (Ctrl-C, a dead tenant).
        self._sleep = sleep or client.pace.sleep
        # Shared accounts that met lock contention go one order at a time (see `orderspec.dispatch.accounts`).
        self.accounts = AccountGate(client.pace.stop)
        self._now = wall_clock

    # -- create --------------------------------------------------------------------------------------

    def tenant_of(self, rendered: RenderedRequest) -> Tenant:
        """Where this dispatcher sends the request (its journal records are about that tenant)."""
        return Tenant.of(self.client.base_url, rendered.headers)

    def create(self, rendered: RenderedRequest, journal: Journal, state: OrderState) -> Outcome:
        """Take an order from `state` (what `journal` knows about it on this dispatcher's tenant) to
        created, failed or unknown, journalling each step with the tenant."""
        base = rendered.idempotency_key
        tenant = self.tenant_of(rendered)
        common = {"key": base, "spec": state.spec or rendered.name, "endpoint": rendered.endpoint.name,
                  "hash": content_hash(rendered), "tenant": tenant.as_json()}
        if state.status == CREATED:
            number, subscriptions = state.record.get("orderNumber"), state.record.get("subscriptionNumbers", [])
            order_status = state.record.get("orderStatus")
            detail = "already created" + (f"; {pending_note(number)}" if order_status == PENDING else "")
            return Outcome(rendered.name, base, "skipped", detail, number, list(subscriptions),
                           order_status=order_status)
        if state.status == JOB and state.job_id:
            outcome = self._finish_job(rendered, journal, common, state.attempt, state.job_id)
            if isinstance(outcome, Outcome):
                return outcome
            attempt = state.attempt + 1
        elif state.status in (SENDING, UNKNOWN):
            expired = self._now() - state.sent_at > self.settings.key_ttl
            number = order_number_of(rendered)
            if number is not None:
                settled = self._settle(rendered, journal, common, state, number)
                if settled is not None:
                    return settled
                # Zuora has no such order: the earlier send created nothing.
                attempt = state.attempt + 1 if expired else state.attempt
            elif expired:
                return Outcome(rendered.name, base, "unknown",
                               f"sent with Idempotency-Key {state.attempt_key} more than "
                               f"{self.settings.key_ttl / 3600:.0f} h ago and never confirmed; the API no longer "
                               "holds the key, so sending again could create a second order: check in Zuora "
                               f"before resending ({NUMBER_HINT})")
            else:
                attempt = state.attempt
        elif state.status == FAILED:
            attempt = state.attempt + 1
        elif state.status == NOT_SENT:
            attempt = state.attempt  # it never left: its key is as good as new
        else:
            attempt = 0
        new_attempts = retries = 0
        account = existing_account(rendered.body)
        while True:
            entry = self.accounts.enter(account)  # a serialised account: this attempt waits to go alone
            try:
                result = self._attempt(rendered, journal, common, attempt)
            finally:
                self.accounts.leave(entry)
            if isinstance(result, Outcome):
                return result
            reasons = result
            # Lock contention on a shared account is the batch treading on itself: the account goes
            # one order at a time from now on, and the answer spends none of the order's new attempts
            # (see `orderspec.dispatch.accounts`); contention met alone came from outside and counts.
            if not (any(r.lock_contention for r in reasons) and self.accounts.contended(entry)):
                if new_attempts >= self.settings.new_attempts:
                    return Outcome(rendered.name, attempt_key(base, attempt), "failed",
                                   f"still failing after {retries + 1} attempts; run again later",
                                   reasons=reasons or self._last_reasons(journal, base, tenant))
                new_attempts += 1
            retries += 1
            attempt += 1
            self._sleep(self.settings.retry.backoff(retries))

    def _attempt(self, rendered: RenderedRequest, journal: Journal, common: dict[str, Any],
                 attempt: int) -> Outcome | list[Reason]:
        """One attempt, journalled before it is sent, with key `attempt`: the order's outcome, or the
        reasons of a "try again later" failure (nothing was created: a new attempt may follow)."""
        key = attempt_key(common["key"], attempt)
        journal.append({**common, "event": SENDING, "attempt": attempt, "attemptKey": key})
        epoch = self.client.pace.epoch
        try:
            response = self.client.send(rendered, idempotency_key=key)
        except RunStopped as stopped:
            if not stopped.may_have_left:  # stopped before anything left: say so, for the next run
                journal.append({**common, "event": NOT_SENT, "attempt": attempt,
                                "detail": "the run stopped before this order left"})
            raise
        except OutcomeUnknown as error:
            return self._unknown(rendered, journal, common, attempt, key, str(error), look=error.answered)
        except DispatchError as error:
            # Every attempt failed to connect: nothing reached the API. Said in the journal, so
            # the next run sends it as new instead of treating it as unconfirmed.
            journal.append({**common, "event": NOT_SENT, "attempt": attempt, "detail": str(error)})
            why = error.short if isinstance(error, TenantUnreachable) else str(error)
            return Outcome(rendered.name, key, "not-sent", f"not sent: {why}; run the same command again")
        job_id = response.payload.get("jobId") if isinstance(response.payload, dict) else None
        if rendered.endpoint.is_async and response.success and isinstance(job_id, str) and job_id:
            journal.append({**common, "event": JOB, "attempt": attempt, "jobId": job_id})
            return self._finish_job(rendered, journal, common, attempt, job_id)
        if response.success and not rendered.endpoint.is_async:
            number, subscriptions = order_facts(response.payload)
            status = response.payload.get("status") if isinstance(response.payload, dict) else None
            journal.append({**common, "event": CREATED, "attempt": attempt, "orderNumber": number,
                            "subscriptionNumbers": subscriptions, "orderStatus": status})
            self.client.pace.succeeded()
            return Outcome(rendered.name, key, "created", _created_detail(number, status), number,
                           subscriptions, payload=response.payload, order_status=status)
        if not reasons_from(response.payload):
            # No reasons: not an answer that says nothing was created. The order may exist.
            return self._unknown(rendered, journal, common, attempt, key,
                                 f"the answer (HTTP {response.status}) carries no reasons and no order", look=True)
        # A failure, or an async answer without a job to follow.
        reasons, retry = self._failed(response, journal, common, attempt)
        if any(r.lock_contention for r in reasons):
            self.client.pace.contended(epoch)
        if not retry:
            return self._failure_outcome(rendered, key, response, reasons)
        return reasons

    def _unknown(self, rendered: RenderedRequest, journal: Journal, common: dict[str, Any], attempt: int,
                 key: str, problem: str, *, look: bool = False) -> Outcome:
        """The order may exist: journal it as unknown. When the API did answer (`look`: it has
        finished with the request, only its answer cannot be read) and the order has a number,
        settle it now by looking it up; otherwise the next run settles it (same key, or a look-up)."""
        journal.append({**common, "event": UNKNOWN, "attempt": attempt, "detail": problem})
        number = order_number_of(rendered)
        if number is not None and look:
            lookup = look_up(self.client, rendered, number)
            if lookup.result == FOUND:
                return _found(rendered, journal, common, attempt, key, number, lookup, f"{problem}; {lookup.detail}")
        if number is not None:
            settle = ("run the same command again: orderspec looks the order up by its number before "
                      "sending anything")
        else:
            settle = ("run the same command again within 24 h to retry safely with the same key, or check "
                      f"in Zuora before resending ({NUMBER_HINT})")
        return Outcome(rendered.name, key, "unknown", f"{problem}. The order may exist: {settle}")

    def _settle(self, rendered: RenderedRequest, journal: Journal, common: dict[str, Any], state: OrderState,
                number: str) -> Outcome | None:
        """Ask Zuora whether an unconfirmed send created the order. None: it did not (safe to send)."""
        key = state.attempt_key or common["key"]
        lookup = look_up(self.client, rendered, number)
        if lookup.result == MISSING:
            return None
        if lookup.result == FOUND:
            return _found(rendered, journal, common, state.attempt, key, number, lookup, lookup.detail)
        if lookup.result == CONFLICT:
            # Ours cannot exist under a number another order holds, so this is a definite failure: a
            # fixed spec (another orderNumber) is then sent normally instead of being held back.
            journal.append({**common, "event": FAILED, "attempt": state.attempt, "detail": lookup.detail,
                            "reasons": []})
            return Outcome(rendered.name, key, "conflict", lookup.detail, number)
        journal.append({**common, "event": UNKNOWN, "attempt": state.attempt, "detail": lookup.detail})
        return Outcome(rendered.name, key, "unknown",
                       f"{lookup.detail}; nothing was sent. Run the same command again to look it up again")

    def _failed(self, response: ApiResponse, journal: Journal, common: dict[str, Any],
                attempt: int) -> tuple[list[Reason], bool]:
        reasons = reasons_from(response.payload)
        journal.append({**common, "event": FAILED, "attempt": attempt, "httpStatus": response.status,
                        "reasons": [r.as_json() for r in reasons]})
        return reasons, bool(reasons) and all(r.retryable for r in reasons)

    @staticmethod
    def _failure_outcome(rendered: RenderedRequest, key: str, response: ApiResponse,
                         reasons: list[Reason]) -> Outcome:
        detail = f"HTTP {response.status}" + ("" if reasons else " without reasons")
        return Outcome(rendered.name, key, "failed", detail, reasons=reasons, payload=response.payload)

    @staticmethod
    def _last_reasons(journal: Journal, base: str, tenant: Tenant) -> list[Reason]:
        record = journal.states(tenant).get(base, OrderState(base)).record
        return [Reason(str(r.get("code", "")), str(r.get("message", ""))) for r in record.get("reasons", [])]

    def _finish_job(self, rendered: RenderedRequest, journal: Journal, common: dict[str, Any],
                    attempt: int, job_id: str) -> Outcome | list[Reason]:
        """Poll a create job to its end: the order's outcome, or the job's reasons when it failed
        with "try again later" ones."""
        key = attempt_key(common["key"], attempt)
        try:
            job = self._poll(rendered.name, job_id)
        except JobTimeout as error:
            return Outcome(rendered.name, key, "in-flight", f"{error}; run again to keep polling", job_id=job_id)
        except DispatchError as error:
            return Outcome(rendered.name, key, "in-flight", f"{error}; run again to keep polling", job_id=job_id)
        if job.succeeded:
            number, subscriptions = order_facts(job.result)
            status = job.result.get("status") if job.result else None
            journal.append({**common, "event": CREATED, "attempt": attempt, "jobId": job_id,
                            "orderNumber": number, "subscriptionNumbers": subscriptions, "orderStatus": status})
            self.client.pace.succeeded()
            return Outcome(rendered.name, key, "created", _created_detail(number, status), number, subscriptions,
                           job_id, payload=job.result, order_status=status)
        journal.append({**common, "event": FAILED, "attempt": attempt, "jobId": job_id,
                        "reasons": [r.as_json() for r in job.reasons]})
        if any(r.lock_contention for r in job.reasons):
            self.client.pace.contended(self.client.pace.epoch)
        if job.reasons and all(r.retryable for r in job.reasons):
            return list(job.reasons)
        return Outcome(rendered.name, key, "failed", f"job {job_id} {job.status}", job_id=job_id, reasons=job.reasons)

    def _poll(self, name: str, job_id: str) -> JobOutcome:
        def show(status: str, elapsed: float) -> None:
            self.status_line.update(f"{name}: job {job_id[:8]}... {status} ({elapsed:.0f}s)")

        try:
            return poll_job(self.client, job_id, self.settings.poll, sleep=self._sleep, on_status=show)
        finally:
            self.status_line.done()

    # -- preview -------------------------------------------------------------------------------------

    def preview(self, rendered: RenderedRequest) -> Outcome:
        """Preview creates nothing, so it needs no journal; retries still reuse the key."""
        key = rendered.idempotency_key
        try:
            response = self.client.send(rendered)
        except DispatchError as error:
            return Outcome(rendered.name, key, "failed", str(error))
        if rendered.endpoint.is_async:
            job_id = response.payload.get("jobId") if isinstance(response.payload, dict) else None
            if not (response.success and isinstance(job_id, str)):
                return self._failure_outcome(rendered, key, response, reasons_from(response.payload))
            try:
                job = self._poll(rendered.name, job_id)
            except DispatchError as error:
                return Outcome(rendered.name, key, "failed", str(error), job_id=job_id)
            if not job.succeeded:
                return Outcome(rendered.name, key, "failed", f"job {job_id} {job.status}", job_id=job_id,
                               reasons=job.reasons, payload=job.result)
            return Outcome(rendered.name, key, "previewed", job_id=job_id, payload=job.result)
        if not response.success:
            return self._failure_outcome(rendered, key, response, reasons_from(response.payload))
        return Outcome(rendered.name, key, "previewed", payload=response.payload)
