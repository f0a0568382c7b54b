"""Settle an order whose create was sent but never confirmed, by asking Zuora for it.

Caller-assigned order numbers are unique in a tenant, so `GET /v1/orders/{orderNumber}` tells
whether an earlier send created the order. Only a definite answer counts:

    found, and it looks like ours     the earlier send created it
    found, but another order's        a conflict: the number was taken by someone else
    the API's "not found" answer      nothing was created; sending is safe
    anything else (5xx, time-outs)    still unknown
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from urllib.parse import quote

from orderspec.dispatch.client import ZuoraClient
from orderspec.dispatch.errors import DispatchError, reasons_from
from orderspec.render import RenderedRequest

FOUND, MISSING, CONFLICT, FAILED = "found", "missing", "conflict", "failed"

# Request headers that also scope a read (which entity, which API version), not only a write.
_READ_HEADERS = ("Zuora-Entity-Ids", "Zuora-Org-Ids", "Zuora-Track-Id", "Zuora-Version")
NOT_FOUND_CATEGORY = 40


@dataclass
class Lookup:
    result: str  # found | missing | conflict | failed
    detail: str = ""
    order_number: str | None = None
    subscription_numbers: list[str] = field(default_factory=list)
    order_status: str | None = None


def order_number_of(rendered: RenderedRequest) -> str | None:
    """The caller-assigned order number of a create body, if it has one."""
    try:
        body = json.loads(rendered.body, parse_float=Decimal)
    except ValueError:
        return None
    number = body.get("orderNumber") if isinstance(body, dict) else None
    return number if isinstance(number, str) and number.strip() else None


def _not_found(status: int, payload: Any) -> bool:
    """The API's answer for an order number no order has: `success: false` (HTTP 200 or 404) whose
    every reason is in the "not found" class. A missing *endpoint* (a wrong base URL) is also a
    category-40 answer, and must not be mistaken for a missing order."""
    if status not in (200, 404) or not isinstance(payload, dict) or payload.get("success") is not False:
        return False
    reasons = reasons_from(payload)
    return bool(reasons) and all(r.category == NOT_FOUND_CATEGORY and "endpoint" not in r.message.lower()
                                 for r in reasons)


def _body_subscription_numbers(body: dict[str, Any]) -> set[str]:
    numbers: set[str] = set()
    for subscription in body.get("subscriptions") or []:
        if not isinstance(subscription, dict):
            continue
        if isinstance(subscription.get("subscriptionNumber"), str):
            numbers.add(subscription["subscriptionNumber"])
        for action in subscription.get("orderActions") or []:
            created = action.get("createSubscription") if isinstance(action, dict) else None
            if isinstance(created, dict) and isinstance(created.get("subscriptionNumber"), str):
                numbers.add(created["subscriptionNumber"])
    return numbers


def found_numbers(order: dict[str, Any]) -> list[str]:
    numbers: list[str] = []
    for subscription in order.get("subscriptions") or []:
        if isinstance(subscription, dict) and subscription.get("subscriptionNumber"):
            number = str(subscription["subscriptionNumber"])
            if number not in numbers:
                numbers.append(number)
    return numbers


def differences(order: dict[str, Any], body: dict[str, Any]) -> list[str]:
    """Where the order Zuora holds differs from the body we sent (only facts both sides state)."""
    found: list[str] = []
    for name in ("existingAccountNumber", "orderDate"):
        ours, theirs = body.get(name), order.get(name)
        if ours is not None and theirs is not None and str(ours) != str(theirs):
            found.append(f"{name} {theirs} (ours: {ours})")
    ours_numbers = _body_subscription_numbers(body)
    theirs_numbers = set(found_numbers(order))
    if ours_numbers and theirs_numbers and not ours_numbers <= theirs_numbers:
        found.append(f"subscriptions {', '.join(sorted(theirs_numbers))} "
                     f"(ours: {', '.join(sorted(ours_numbers))})")
    return found


def look_up(client: ZuoraClient, rendered: RenderedRequest, order_number: str) -> Lookup:
    headers = {name: rendered.headers[name] for name in _READ_HEADERS if name in rendered.headers}
    try:
        response = client.request("GET", f"/v1/orders/{quote(order_number, safe='')}", headers=headers)
    except DispatchError as error:
        return Lookup(FAILED, f"looking up order {order_number} failed: {error}")
    payload = response.payload
    if _not_found(response.status, payload):
        return Lookup(MISSING, f"Zuora has no order {order_number}")
    order = payload.get("order") if isinstance(payload, dict) else None
    if not response.success or not isinstance(order, dict) or str(order.get("orderNumber")) != order_number:
        reasons = "; ".join(r.text() for r in reasons_from(payload))
        return Lookup(FAILED, f"looking up order {order_number} gave no definite answer "
                              f"(HTTP {response.status}{': ' + reasons if reasons else ''})")
    body = json.loads(rendered.body, parse_float=Decimal)
    status = str(order["status"]) if order.get("status") else None
    numbers = found_numbers(order)
    mismatch = differences(order, body if isinstance(body, dict) else {})
    if mismatch:
        return Lookup(CONFLICT, f"order number {order_number} is taken by another order in Zuora "
                                f"({'; '.join(mismatch)}); ours was not created under it. Give this spec "
                                "another orderNumber, or check the order in Zuora",
                      order_number, numbers, status)
    return Lookup(FOUND, "found in Zuora by its order number: the earlier send created it", order_number,
                  numbers, status)
