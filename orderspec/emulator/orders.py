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
from urllib.parse import urlencode

from orderspec.config import Config
from orderspec.diagnostics import Diagnostic, Severity
from orderspec.emulator.state import Store
from orderspec.emulator.tenant import Refusal, Tenant, TenantSettings
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


class DuplicateOrder(Refusal):
    """The order number is taken: order numbers are unique in a tenant."""


def create_order(store: Store, tenant: Tenant, body: dict[str, Any], key: str | None, endpoint: Endpoint,
                 now: float) -> dict[str, Any]:
    """Make the order in the tenant (accounts and subscriptions as it changes them) and return the
    create response's fields. Raises Refusal, with nothing made, for what the tenant refuses."""
    with store.lock:
        given = body.get("orderNumber")
        if given and any(o["orderNumber"] == str(given) for o in store.values("order")):
            raise DuplicateOrder(30, duplicate_message(body))
        order_number = str(given or f"O-{store.next_number('order'):08d}")
        account_number, numbers = tenant.apply(body, order_number)
        order: dict[str, Any] = {
            "orderId": uuid.uuid4().hex, "orderNumber": order_number, "accountNumber": account_number,
            "subscriptionNumbers": numbers, "idempotencyKey": key, "endpoint": endpoint.name, "createdAt": now,
            # The tenant's order of creation: the order GET /v1/orders lists them in, page after page.
            "sequence": store.next_number("order-sequence"),
            "orderDate": str(body.get("orderDate", "")), "description": str(body.get("description", "")),
        }
        store.put("order", order["orderId"], order)
    return created_answer(order)


def created_answer(order: dict[str, Any]) -> dict[str, Any]:
    """The answer of POST /v1/orders that made this order."""
    numbers = [str(number) for number in order["subscriptionNumbers"]]
    return {"success": True, "orderId": order["orderId"], "orderNumber": order["orderNumber"],
            "accountNumber": order["accountNumber"], "status": "Completed", "subscriptionNumbers": numbers,
            "subscriptions": [{"subscriptionNumber": number, "status": "Active"} for number in numbers]}


def _order_shape(order: dict[str, Any]) -> dict[str, Any]:
    """An order as GET /v1/orders/{orderNumber} and GET /v1/orders show it."""
    created = _dt.datetime.fromtimestamp(float(order["createdAt"]), _dt.timezone.utc)
    return {"orderNumber": order["orderNumber"], "orderDate": order["orderDate"] or None,
            "existingAccountNumber": order["accountNumber"], "status": "Completed",
            "description": order["description"] or None,
            "createdDate": created.strftime("%Y-%m-%d %H:%M:%S"),
            "subscriptions": [{"subscriptionNumber": number, "sequence": position}
                              for position, number in enumerate(order["subscriptionNumbers"])]}


def find_order(store: Store, order_number: str) -> dict[str, Any] | None:
    """The order with this number, shaped like the `order` of GET /v1/orders/{orderNumber}."""
    for order in store.values("order"):
        if order["orderNumber"] == order_number:
            return _order_shape(order)
    return None


# GET /v1/orders pages as the API reference's page/pageSize parameters say: pages from 1,
# 20 orders a page unless asked, 40 at most.
DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 40
ORDER_STATUSES = ("all", "cancelled", "completed", "draft", "executing", "failed", "pending", "scheduled")
LIST_RESOURCE = "587300"


class BadQuery(ValueError):
    """A query parameter the API refuses (400, category 27: invalid query parameter)."""

    def reason(self) -> dict[str, Any]:
        return {"code": f"{LIST_RESOURCE}27", "message": str(self)}


def _positive(query: dict[str, str], name: str, default: int, maximum: int | None = None) -> int:
    text = query.get(name)
    if text is None or text == "":
        return default
    try:
        value = int(text)
    except ValueError:
        raise BadQuery(f"Invalid value for query parameter '{name}': {text!r} is not an integer.") from None
    if value < 1 or (maximum is not None and value > maximum):
        bound = f"between 1 and {maximum}" if maximum is not None else "at least 1"
        raise BadQuery(f"Invalid value for query parameter '{name}': {value}; it must be {bound}.")
    return value


def _date(query: dict[str, str], name: str) -> _dt.date | None:
    text = query.get(name)
    if not text:
        return None
    try:
        return _dt.date.fromisoformat(text)
    except ValueError:
        raise BadQuery(f"Invalid value for query parameter '{name}': {text!r} is not a date (YYYY-MM-DD).") from None


def _order_day(order: dict[str, Any], by: str) -> _dt.date | None:
    if by == "updatedDate":
        return _dt.datetime.fromtimestamp(float(order["createdAt"]), _dt.timezone.utc).date()
    try:
        return _dt.date.fromisoformat(str(order["orderDate"]))
    except ValueError:
        return None


def _within(day: _dt.date | None, start: _dt.date | None, end: _dt.date | None) -> bool:
    """On or after `start` and on or before `end`, as the API filters (either may be absent)."""
    if start is None and end is None:
        return True
    return day is not None and (start is None or day >= start) and (end is None or day <= end)


def list_orders(store: Store, query: dict[str, str], base_url: str) -> dict[str, Any]:
    """GET /v1/orders: one page of the tenant's orders, oldest first, with `nextPage` (the URL of
    the next page) while more follow. Raises BadQuery for parameters the API refuses."""
    page = _positive(query, "page", 1)
    page_size = _positive(query, "pageSize", DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)
    status = query.get("status", "all")
    if status not in ORDER_STATUSES:
        raise BadQuery(f"Invalid value for query parameter 'status': {status!r}; it must be one of "
                       f"{', '.join(ORDER_STATUSES)}.")
    by = query.get("dateFilterOption", "orderDate")
    if by not in ("orderDate", "updatedDate"):
        raise BadQuery(f"Invalid value for query parameter 'dateFilterOption': {by!r}; it must be orderDate or "
                       "updatedDate.")
    start_date, end_date = _date(query, "startDate"), _date(query, "endDate")
    everything = sorted(store.values("order"), key=lambda o: (int(o.get("sequence") or 0), float(o["createdAt"])))
    # Every order the emulator makes completes at once, and is never updated after.
    chosen = [o for o in everything if status in ("all", "completed")
              and _within(_order_day(o, by), start_date, end_date)]
    start = (page - 1) * page_size
    answer: dict[str, Any] = {"success": True, "orders": [_order_shape(o) for o in chosen[start:start + page_size]]}
    if start + page_size < len(chosen):
        following = {**query, "page": str(page + 1), "pageSize": str(page_size)}
        answer["nextPage"] = f"{base_url}/v1/orders?{urlencode(following)}"
    return answer


def not_found_reason(order_number: str) -> dict[str, Any]:
    return {"code": f"{RESOURCE['create']}40", "message": f"The order number {order_number} does not exist."}


def duplicate_message(body: dict[str, Any]) -> str:
    return f"The order number {body.get('orderNumber')} already exists."


def preview_result(body: dict[str, Any], config: Config | None = None, tenant: Tenant | None = None) -> dict[str, Any]:
    """A preview of the order: the offline preview engine, with the emulated tenant's settings (its
    accounts' bill cycle days from the project configuration) and what it holds: the subscriptions
    the order changes and its account, priced as the offline preview prices them with --state."""
    from orderspec.preview.emulated import preview_body

    settings = tenant.settings if tenant is not None else TenantSettings()
    return preview_body(body, (config or Config()).account_bill_cycle_days,
                        state=tenant.preview_state(body) if tenant is not None else None,
                        bill_cycle_day=settings.bill_cycle_day, catalog=settings.catalog,
                        catalog_env=settings.catalog_env)