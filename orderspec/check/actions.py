"""Order actions: the `type` and its payload field agree; which subscription an action changes."""

from __future__ import annotations

from orderspec.check._common import Context, as_list, text

# Action type -> the payload field that carries its details.
PAYLOAD_FIELDS: dict[str, str] = {
    "CreateSubscription": "createSubscription",
    "TermsAndConditions": "termsAndConditions",
    "AddProduct": "addProduct",
    "UpdateProduct": "updateProduct",
    "RemoveProduct": "removeProduct",
    "RenewSubscription": "renewSubscription",
    "CancelSubscription": "cancelSubscription",
    "OwnerTransfer": "ownerTransfer",
    "Suspend": "suspend",
    "Resume": "resume",
    "ChangePlan": "changePlan",
}
# A renewal needs no details: its payload only changes optional contacts and settings.
PAYLOAD_OPTIONAL = frozenset({"RenewSubscription"})
TYPE_OF_PAYLOAD = {payload: kind for kind, payload in PAYLOAD_FIELDS.items()}


def check(ctx: Context) -> None:
    for action in ctx.actions:
        kind = action.type
        if kind not in PAYLOAD_FIELDS:
            continue  # a missing or unknown type is the schema's to report
        wanted = PAYLOAD_FIELDS[kind]
        for key in action.value:
            if key in TYPE_OF_PAYLOAD and key != wanted:
                ctx.report(action.pointer + (key,), "R004",
                           f"`{key}` belongs to a {TYPE_OF_PAYLOAD[key]} action, but this action is "
                           f"`type: {kind}`" + (f" (its details go in `{wanted}`)" if wanted not in action.value else ""),
                           key=True)
        if wanted not in action.value and kind not in PAYLOAD_OPTIONAL:
            ctx.report(action.pointer + ("type",), "R004",
                       f"a {kind} action needs its details in `{wanted}`")
    _subscription_numbers(ctx)


def _subscription_numbers(ctx: Context) -> None:
    for action in ctx.actions:
        kind = action.type
        if kind not in PAYLOAD_FIELDS:
            continue
        number = text(action.subscription.get("subscriptionNumber"))
        where = ("subscriptions", action.subscription_index)
        creates = any(isinstance(a, dict) and a.get("type") == "CreateSubscription"
                      for a in as_list(action.subscription.get("orderActions")))
        if kind == "CreateSubscription":
            if number:
                ctx.report(where + ("subscriptionNumber",), "R005",
                           "leave `subscriptionNumber` empty on a subscription that a CreateSubscription "
                           "action creates; to choose the new number, set "
                           "`createSubscription.subscriptionNumber`")
        elif not number and not creates:
            # Actions after a CreateSubscription in the same item change the new subscription.
            ctx.report(action.pointer + ("type",), "R005",
                       f"a {kind} action changes an existing subscription: set `subscriptionNumber` on "
                       f"its subscription (subscriptions[{action.subscription_index}])")
