"""What the emulated Orders API does with a request body: the same checks as `orderspec lint`
(schema validation and, when present, the check stage), then API-shaped answers.

Error codes follow Zuora's 6+2 digit form: a resource part and a category in the last two
digits (20 invalid value, 21 unknown field, 22 missing field, 30 business rule, 50 lock
contention, 90 malformed request).
"""

from __future__ import annotations

import datetime as _dt
import uuid
from typing import Any

from orderspec.config import Config
from orderspec.diagnostics import Diagnostic, Severity
from orderspec.emulator.state import Store
from orderspec.load import load_text
from orderspec.model import Endpoint, Request
from orderspec.validate import validate_request

# Resource part of the codes this emulator answers with, per endpoint.
RESOURCE = {"create": "587302", "preview": "587402", "async-create": "587312", "async-preview": "587412"}
ASYNC_RESOURCE = "400000"  # async job reports use 400000xx codes
LOCK_MESSAGE = "The operation failed because of lock contention; retry later."

_CATEGORY_BY_CODE = {"S001": 21, "S003": 22}


def _category(diagnostic: Diagnostic) -> int:
    code = diagnostic.code
    if code in _CATEGORY_BY_CODE:
        return _CATEGORY_BY_CODE[code]
    if code[0] in "YF":
        return 90
    if code[0] in "LRP":
        return 30
    return 20


def reason(endpoint: Endpoint, category: int, message: str) -> dict[str, Any]:
    return {"code": f"{RESOURCE[endpoint.name]}{category:02d}", "message": message}


def check_body(text: str, endpoint: Endpoint,
               config: Config | None = None) -> tuple[dict[str, Any] | None, list[dict[str, Any]]]:
    """The body as the API reads it (numbers exact; numeric text where it takes a number read as
    the number) and the reasons it would be refused (empty when fine), judged with `orderspec
    lint`'s configuration: its codes, severities, limits and loader caps."""
    config = config or Config()
    loaded = load_text(text, "request.json", json_mode=True, limits=config.loader)
    errors = [d for d in loaded.diagnostics if d.severity is Severity.ERROR]
    if errors or not loaded.documents or not isinstance(loaded.documents[0].value, dict):
        message = errors[0].message if errors else "the request body is not a JSON object"
        return None, [reason(endpoint, 90, f"Malformed request: {message}")]
    document = loaded.documents[0]
    request = Request("request.json", 0, "preview" if endpoint.is_preview else "create", endpoint.is_async,
                      document.value, document.source)
    validated = validate_request(request, endpoint)
    request = validated.request  # numbers sent as text are read as numbers, as Zuora does
    diagnostics = list(validated.diagnostics)
    try:
        from orderspec.check import check_request
    except ImportError:  # the check stage is optional for the emulator
        pass
    else:
        diagnostics.extend(check_request(request, endpoint, config))
    problems = [d for d in config.apply(diagnostics) if d.severity is Severity.ERROR]
    reasons = [reason(endpoint, _category(d), f"{d.pointer or '/'}: {d.message}") for d in problems]
    return request.body, reasons


def _subscriptions(body: dict[str, Any]) -> list[dict[str, Any]]:
    items = body.get("subscriptions")
    return [s for s in items if isinstance(s, dict)] if isinstance(items, list) else []


def create_order(store: Store, body: dict[str, Any], key: str | None, endpoint: Endpoint,
                 now: float) -> dict[str, Any] | None:
    """Record a new order and return the create response's fields; None when the order number
    is taken (order numbers are unique in a tenant)."""
    with store.lock:
        given = body.get("orderNumber")
        if given and any(o["orderNumber"] == str(given) for o in store.values("order")):
            return None
        order_number = str(given or f"O-{store.next_number('order'):08d}")
        account_number = str(body.get("existingAccountNumber") or f"A{store.next_number('account'):08d}")
        subscriptions = []
        for subscription in _subscriptions(body):
            number = subscription.get("subscriptionNumber") or next(
                (action["createSubscription"].get("subscriptionNumber") for action in subscription.get("orderActions") or []
                 if isinstance(action, dict) and isinstance(action.get("createSubscription"), dict)), None)
            if not number:
                number = f"A-S{store.next_number('subscription'):08d}"
            subscriptions.append({"subscriptionNumber": str(number), "status": "Active"})
        order_id = uuid.uuid4().hex
        store.put("order", order_id, {
            "orderId": order_id, "orderNumber": order_number, "accountNumber": account_number,
            "subscriptionNumbers": [s["subscriptionNumber"] for s in subscriptions],
            "idempotencyKey": key, "endpoint": endpoint.name, "createdAt": now,
            "orderDate": str(body.get("orderDate", "")), "description": str(body.get("description", "")),
        })
    return {"success": True, "orderId": order_id, "orderNumber": order_number, "accountNumber": account_number,
            "status": "Completed", "subscriptionNumbers": [s["subscriptionNumber"] for s in subscriptions],
            "subscriptions": subscriptions}


def find_order(store: Store, order_number: str) -> dict[str, Any] | None:
    """The order with this number, shaped like the `order` of GET /v1/orders/{orderNumber}."""
    for order in store.values("order"):
        if order["orderNumber"] == order_number:
            created = _dt.datetime.fromtimestamp(float(order["createdAt"]), _dt.timezone.utc)
            return {"orderNumber": order["orderNumber"], "orderDate": order["orderDate"] or None,
                    "existingAccountNumber": order["accountNumber"], "status": "Completed",
                    "description": order["description"] or None,
                    "createdDate": created.strftime("%Y-%m-%d %H:%M:%S"),
                    "subscriptions": [{"subscriptionNumber": number, "sequence": position}
                                      for position, number in enumerate(order["subscriptionNumbers"])]}
    return None


def not_found_reason(order_number: str) -> dict[str, Any]:
    return {"code": f"{RESOURCE['create']}40", "message": f"The order number {order_number} does not exist."}


def duplicate_message(body: dict[str, Any]) -> str:
    return f"The order number {body.get('orderNumber')} already exists."


def preview_result(body: dict[str, Any], config: Config | None = None) -> dict[str, Any]:
    """A preview of the order: the offline preview engine, with the emulated tenant's settings (its
    accounts' bill cycle days from the project configuration)."""
    from orderspec.preview.emulated import preview_body

    return preview_body(body, (config or Config()).account_bill_cycle_days)
