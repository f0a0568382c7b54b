"""Print an order preview as tables: charge metrics, invoice items, order delta metrics.

Takes the API's JSON shape, so the remote preview (`POST /v1/orders/preview`, whose answer holds
`previewResult`), an async preview job's `result` (the same fields at the top level) and an
offline preview engine that builds the same shape can all be shown the same way.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Iterable, Sequence


def preview_part(payload: Any) -> dict[str, Any]:
    """The preview result inside a response: `previewResult`, or the payload itself."""
    if isinstance(payload, dict) and isinstance(payload.get("previewResult"), dict):
        return payload["previewResult"]
    return payload if isinstance(payload, dict) else {}


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        # A caller that parsed JSON without Decimal: show the shortest text that round-trips.
        return repr(value)
    return str(value)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, Decimal, float)) and not isinstance(value, bool)


def table(title: str, headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """A plain-text table; numbers right-aligned, everything else left-aligned."""
    raw_rows = [list(row) for row in rows]
    cells = [[_cell(v) for v in row] for row in raw_rows]
    widths = [len(h) for h in headers]
    for row in cells:
        for column, text in enumerate(row):
            widths[column] = max(widths[column], len(text))
    numeric = [any(_is_number(row[c]) for row in raw_rows) for c in range(len(headers))]

    def line(values: Sequence[str]) -> str:
        parts = [v.rjust(widths[c]) if numeric[c] else v.ljust(widths[c]) for c, v in enumerate(values)]
        return "  ".join(parts).rstrip()

    out = [title, line(headers), line(["-" * w for w in widths])]
    out += [line(row) for row in cells] if cells else ["(none)"]
    return "\n".join(out)


def _get(mapping: Any, *path: str) -> Any:
    for key in path:
        if not isinstance(mapping, dict):
            return None
        mapping = mapping.get(key)
    return mapping


def charge_metrics_rows(result: dict[str, Any]) -> list[list[Any]]:
    rows = []
    for subscription in result.get("chargeMetrics") or []:
        for charge in (subscription or {}).get("charges") or []:
            rows.append([subscription.get("subscriptionNumber"), charge.get("chargeNumber"),
                         charge.get("productRatePlanChargeId"), _get(charge, "cmrr", "regular"),
                         _get(charge, "tcv", "regular"), _get(charge, "tcv", "discount"),
                         _get(charge, "tcb", "regular"), _get(charge, "tax", "regular")])
    return rows


def invoice_item_rows(result: dict[str, Any], kind: str = "invoices", items: str = "invoiceItems") -> list[list[Any]]:
    rows = []
    for document in result.get(kind) or []:
        for item in (document or {}).get(items) or []:
            rows.append([document.get("targetDate"), item.get("subscriptionNumber"), item.get("chargeName"),
                         item.get("processingType"), item.get("serviceStartDate"), item.get("serviceEndDate"),
                         item.get("amountWithoutTax"), item.get("taxAmount")])
    return rows


def delta_rows(result: dict[str, Any]) -> list[list[Any]]:
    rows = []
    metrics = result.get("orderDeltaMetrics") or {}
    for label, key in (("MRR", "orderDeltaMrr"), ("TCV", "orderDeltaTcv"), ("TCB", "orderDeltaTcb")):
        for entry in metrics.get(key) or []:
            rows.append([label, entry.get("subscriptionNumber"), entry.get("chargeNumber"),
                         entry.get("orderActionType"), entry.get("startDate"), entry.get("endDate"),
                         entry.get("grossAmount"), entry.get("netAmount"), entry.get("currency")])
    return rows


def format_preview(payload: Any) -> str:
    """All the tables for one preview response (or preview result)."""
    result = preview_part(payload)
    parts = [
        table("Charge metrics",
              ["subscription", "charge", "product rate plan charge", "CMRR", "TCV", "TCV discount", "TCB", "tax"],
              charge_metrics_rows(result)),
        table("Invoice items",
              ["target date", "subscription", "charge", "type", "service start", "service end", "amount", "tax"],
              invoice_item_rows(result)),
    ]
    invoices = result.get("invoices") or []
    if invoices:
        parts.append(table("Invoices", ["target date", "amount", "without tax", "tax"],
                           [[i.get("targetDate"), i.get("amount"), i.get("amountWithoutTax"), i.get("taxAmount")]
                            for i in invoices]))
    if result.get("creditMemos"):
        parts.append(table("Credit memo items",
                           ["target date", "subscription", "charge", "type", "service start", "service end",
                            "amount", "tax"], invoice_item_rows(result, "creditMemos", "creditMemoItems")))
    parts.append(table("Order delta metrics",
                       ["metric", "subscription", "charge", "action", "start", "end", "gross", "net", "currency"],
                       delta_rows(result)))
    return "\n\n".join(parts) + "\n"
