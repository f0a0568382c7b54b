"""What an order action the offline preview does not price says it does, for the plan's text."""

from __future__ import annotations

from typing import Any, Mapping


def describe(kind: str, action: Mapping[str, Any]) -> list[str]:
    lines: list[str] = []
    if kind == "RemoveProduct" and isinstance(action.get("removeProduct"), Mapping):
        remove = action["removeProduct"]
        lines.append(f"- rate plan {remove.get('ratePlanId') or remove.get('subscriptionRatePlanNumber') or '?'}")
    elif kind == "UpdateProduct" and isinstance(action.get("updateProduct"), Mapping):
        update = action["updateProduct"]
        lines.append(f"~ rate plan {update.get('ratePlanId') or update.get('subscriptionRatePlanNumber') or '?'}")
        updates = update.get("chargeUpdates")
        for charge in updates if isinstance(updates, list) else []:
            if isinstance(charge, Mapping):
                lines.append(f"  ~ charge {charge.get('chargeNumber') or charge.get('productRatePlanChargeId') or '?'}")
    elif kind == "CancelSubscription" and isinstance(action.get("cancelSubscription"), Mapping):
        cancel = action["cancelSubscription"]
        lines.append(f"cancellation: {cancel.get('cancellationPolicy', '?')}"
                     + (f" on {cancel['cancellationEffectiveDate']}" if cancel.get("cancellationEffectiveDate") else ""))
    elif kind == "RenewSubscription":
        lines.append("renews the subscription for its renewal term")
    elif kind == "ChangePlan" and isinstance(action.get("changePlan"), Mapping):
        change = action["changePlan"]
        old = change.get("ratePlanId") or change.get("subscriptionRatePlanNumber") or change.get("productRatePlanId")
        new = change.get("newProductRatePlan")
        new_id = new.get("productRatePlanId") or new.get("productRatePlanNumber") if isinstance(new, Mapping) else None
        lines += [f"- rate plan {old or '?'}", f"+ rate plan {new_id or '?'}"]
    elif kind == "Suspend" and isinstance(action.get("suspend"), Mapping):
        suspend = action["suspend"]
        lines.append(f"suspension: {suspend.get('suspendPolicy', '?')}"
                     + (f" on {suspend['suspendSpecificDate']}" if suspend.get("suspendSpecificDate") else ""))
    elif kind == "OwnerTransfer" and isinstance(action.get("ownerTransfer"), Mapping):
        transfer = action["ownerTransfer"]
        target = transfer.get("destinationAccountNumber") or transfer.get("destinationInvoiceAccountNumber")
        lines.append(f"new owner: {target or '?'}")
    return lines
