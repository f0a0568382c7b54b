"""Plain data passed between the pipeline stages: endpoints and the request a spec becomes."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from orderspec.diagnostics import Location, Pointer


@dataclass(frozen=True)
class Endpoint:
    name: str  # create | preview | async-create | async-preview
    method: str
    path: str
    schema: str  # file name under schemas/
    is_async: bool
    is_preview: bool


ENDPOINTS: dict[str, Endpoint] = {
    e.name: e
    for e in (
        Endpoint("create", "POST", "/v1/orders", "create-order.json", False, False),
        Endpoint("preview", "POST", "/v1/orders/preview", "preview-order.json", False, True),
        Endpoint("async-create", "POST", "/v1/async/orders", "async-create-order.json", True, False),
        Endpoint("async-preview", "POST", "/v1/async/orders/preview", "async-preview-order.json", True, True),
    )
}

OPERATIONS = ("create", "preview")

# Spec header names -> HTTP header names.
HEADER_NAMES: dict[str, str] = {
    "idempotencyKey": "Idempotency-Key",
    "trackId": "Zuora-Track-Id",
    "entityIds": "Zuora-Entity-Ids",
    "orgIds": "Zuora-Org-Ids",
    "version": "Zuora-Version",
}

# Query parameters each operation takes, with their type.
PARAMS: dict[str, dict[str, type]] = {
    "create": {"returnIds": bool},
    "preview": {"summarizeInvoiceItem": bool},
}


class Locator(Protocol):
    """Maps a JSON pointer inside a request body to where the human wrote it."""

    def locate(self, pointer: Pointer, *, key: bool = False) -> Location: ...

    def related(self, pointer: Pointer) -> tuple[Location, ...]: ...

    def raw_plain(self, pointer: Pointer) -> str | None: ...

    def raw_ambiguous(self, pointer: Pointer) -> str | None: ...


class LocationsOnly:
    """Base of locators that know where values are but not how they were written: no related
    locations, no raw YAML text (so no YAML type-trap hints). Subclasses define `locate`."""

    def locate(self, pointer: Pointer, *, key: bool = False) -> Location:
        raise NotImplementedError

    def related(self, pointer: Pointer) -> tuple[Location, ...]:
        return ()

    def raw_plain(self, pointer: Pointer) -> str | None:
        return None

    def raw_ambiguous(self, pointer: Pointer) -> str | None:
        return None


@dataclass(frozen=True)
class OnePlace(LocationsOnly):
    """Locator for values that have no source file to point into (a `--set` assignment, a body
    that came over HTTP): every value is reported at the one place."""

    place: Location

    def locate(self, pointer: Pointer, *, key: bool = False) -> Location:
        return self.place


@dataclass
class Request:
    """One order request as it will be sent, with the means to point back at its source."""

    path: str  # the spec file
    index: int  # document index within the file
    operation: str  # create | preview
    async_mode: bool | str  # True, False or "auto"
    body: dict[str, Any]
    source: Locator  # locations of body values
    headers: dict[str, str] = field(default_factory=dict)  # HTTP names -> values
    header_source: dict[str, Location] = field(default_factory=dict)
    params: dict[str, Any] = field(default_factory=dict)
    line: int = 1  # where the spec document starts
    # The body as written when validate read numbers from text in it (`body` then has the
    # numbers the API reads, for check and preview); render sends what was written.
    written_body: dict[str, Any] | None = None

    @property
    def body_as_written(self) -> dict[str, Any]:
        return self.written_body if self.written_body is not None else self.body

    @property
    def name(self) -> str:
        return self.path if self.index == 0 else f"{self.path}#{self.index + 1}"


@dataclass(frozen=True)
class SizeLimits:
    """The Orders API's per-call size limits (tenants can have them raised)."""

    subscriptions: int
    order_actions: int
    order_actions_per_subscription: int


SYNC_LIMITS = SizeLimits(50, 50, 50)
ASYNC_LIMITS = SizeLimits(300, 300, 300)


def order_size(body: dict[str, Any]) -> tuple[int, int, int]:
    """(subscriptions, order actions, most order actions in one subscription) of a body."""
    subscriptions = body.get("subscriptions")
    if not isinstance(subscriptions, list):
        return 0, 0, 0
    counts = [
        len(s["orderActions"]) if isinstance(s, dict) and isinstance(s.get("orderActions"), list) else 0
        for s in subscriptions
    ]
    return len(subscriptions), sum(counts), max(counts, default=0)


def fits(body: dict[str, Any], limits: SizeLimits) -> bool:
    subscriptions, actions, per_subscription = order_size(body)
    return (subscriptions <= limits.subscriptions and actions <= limits.order_actions
            and per_subscription <= limits.order_actions_per_subscription)


def choose_endpoint(request: Request, sync_limits: SizeLimits = SYNC_LIMITS) -> Endpoint:
    """The endpoint a request goes to; `async: auto` takes the sync one when the order fits it."""
    is_async = request.async_mode is True or (
        request.async_mode == "auto" and not fits(request.body, sync_limits)
    )
    return ENDPOINTS[("async-" if is_async else "") + request.operation]
