"""Async orders: poll `GET /v1/async-jobs/{jobId}` until the job is Completed or Failed.

Polling backs off (each wait 1.5x the last, capped) and stops at an overall timeout; a job that
is still Processing then is reported as in flight, and its id stays in the journal so the next
run picks it up where this one stopped.
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass, field
from typing import IO, Any, Callable

from orderspec.dispatch.client import ZuoraClient
from orderspec.dispatch.errors import DispatchError, Reason, job_errors, reasons_from

FINISHED = ("Completed", "Failed")
PENDING = "Pending"  # an order status: created, but a subscription waits for activation or acceptance


class JobTimeout(DispatchError):
    """The job was still running when the overall polling timeout ran out."""


def order_facts(result: Any) -> tuple[str | None, list[str]]:
    """Order number and subscription numbers of a create response (or async job result)."""
    if not isinstance(result, dict):
        return None, []
    numbers = [str(n) for n in result.get("subscriptionNumbers") or []]
    for item in result.get("subscriptions") or []:
        if isinstance(item, dict) and item.get("subscriptionNumber") and str(item["subscriptionNumber"]) not in numbers:
            numbers.append(str(item["subscriptionNumber"]))
    number = result.get("orderNumber")
    return (str(number) if number else None), numbers


@dataclass
class JobOutcome:
    job_id: str
    status: str  # Completed | Failed (or, read once, Pending | Processing | ...)
    result: dict[str, Any] | None
    reasons: list[Reason] = field(default_factory=list)
    job_type: str | None = None

    @property
    def finished(self) -> bool:
        return self.status in FINISHED

    @property
    def succeeded(self) -> bool:
        # A Completed job can still carry a failed result (`result.success: false`).
        return self.status == "Completed" and not (isinstance(self.result, dict)
                                                  and self.result.get("success") is False)

    @property
    def order_number(self) -> str | None:
        return order_facts(self.result)[0]

    @property
    def order_status(self) -> str | None:
        status = self.result.get("status") if isinstance(self.result, dict) else None
        return str(status) if status else None

    @property
    def pending(self) -> bool:
        """The job completed, but the order it made is Pending in Zuora (not active yet)."""
        return self.succeeded and self.order_status == PENDING


def read_job(client: ZuoraClient, job_id: str) -> JobOutcome:
    """`GET /v1/async-jobs/{jobId}` once: the job as it stands (DispatchError when the API will not say)."""
    response = client.job_status(job_id)
    payload = response.payload
    if response.status == 404:
        raise DispatchError(f"job {job_id} is not known to the API (HTTP 404)")
    if response.status != 200 or not isinstance(payload, dict):
        said = "; ".join(r.text() for r in reasons_from(payload))
        raise DispatchError(f"reading job {job_id} failed with HTTP {response.status}"
                            + (f": {said}" if said else ""))
    status = str(payload.get("status", ""))
    result = payload.get("result") if isinstance(payload.get("result"), dict) else None
    reasons = job_errors(payload.get("errors"))
    if result is not None and result.get("success") is False:
        reasons += reasons_from(result)
    job_type = payload.get("jobType") or (result.get("jobType") if result else None)
    return JobOutcome(job_id, status, result, reasons, str(job_type) if job_type else None)


@dataclass
class PollSettings:
    timeout: float = 600.0  # overall, per job
    interval: float = 0.5  # first wait
    max_interval: float = 10.0


class StatusLine:
    """A one-line progress display on a terminal; silent when the stream is not a TTY (CI, pipes)."""

    def __init__(self, stream: IO[str] | None = None) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = bool(getattr(self.stream, "isatty", lambda: False)())
        self._width = 0

    def update(self, text: str) -> None:
        if self.enabled:
            padded = text.ljust(self._width)
            self._width = len(text)
            self.stream.write("\r" + padded)
            self.stream.flush()

    def done(self) -> None:
        if self.enabled and self._width:
            self.stream.write("\r" + " " * self._width + "\r")
            self.stream.flush()
            self._width = 0


def poll_job(
    client: ZuoraClient,
    job_id: str,
    settings: PollSettings = PollSettings(),
    *,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
    on_status: Callable[[str, float], None] | None = None,
) -> JobOutcome:
    started = clock()
    delay = settings.interval
    while True:
        job = read_job(client, job_id)
        elapsed = clock() - started
        if on_status is not None:
            on_status(job.status, elapsed)
        if job.finished:
            return job
        if elapsed + delay > settings.timeout:
            raise JobTimeout(f"job {job_id} was still {job.status or 'running'} after {elapsed:.1f}s")
        sleep(delay)
        delay = min(settings.max_interval, delay * 1.5)
