"""What a run would do with an order, in words: the dry run's plan, and why a changed spec is held."""

from __future__ import annotations

from orderspec.dispatch.journal import CREATED, FAILED, JOB, NOT_SENT, SENDING, UNKNOWN, OrderState

KEY_TTL = 23 * 3600.0  # the API keeps idempotency keys 24 h; an hour of margin for clock skew
NUMBER_HINT = ("give orders an orderNumber in the body, so that orderspec can settle an unconfirmed send "
               "by asking Zuora for it")


def held_detail(earlier: OrderState) -> str:
    number = earlier.record.get("orderNumber")
    was = f"created as {number}" if earlier.status == CREATED and number else f"sent ({earlier.status})"
    return (f"an earlier version of this spec was {was} with Idempotency-Key {earlier.attempt_key or earlier.key}; "
            "sending the changed spec could create a second order. If it really is a new order, save it "
            "as a new spec file")


def plan_action(state: OrderState, now: float, key_ttl: float = KEY_TTL, order_number: str | None = None) -> str:
    """What a run would do with an order, in words (used by the dry run too)."""
    if state.status == CREATED:
        number = state.record.get("orderNumber")
        return f"skip: already created{f' as {number}' if number else ''}"
    if state.status == JOB:
        return f"poll job {state.job_id} (submitted earlier)"
    if state.status in (SENDING, UNKNOWN):
        expired = now - state.sent_at > key_ttl
        if order_number:
            then = "with a new Idempotency-Key (the old one has expired)" if expired else \
                "again with the same Idempotency-Key"
            return (f"look up order {order_number} in Zuora (an earlier send was never confirmed): "
                    f"record it as created if it exists, otherwise send {then}")
        if expired:
            return f"unknown: sent earlier, outcome never confirmed; check in Zuora before resending ({NUMBER_HINT})"
        return "send again with the same Idempotency-Key (outcome of an earlier send unconfirmed)"
    if state.status == FAILED:
        return "send (new attempt: the last one failed)"
    if state.status == NOT_SENT:
        return "send (an earlier run could not reach the tenant; that send never left)"
    return "send"
