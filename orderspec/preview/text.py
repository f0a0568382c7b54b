"""The plan as text, like `terraform plan`: what each order action adds, and what it would bill."""

from __future__ import annotations

from decimal import Decimal

from orderspec.preview.charges import NotComputable, money
from orderspec.preview.plan import ChargeLine, Plan


def _amount(value: Decimal | None) -> str:
    if value is None:
        return "?"
    try:
        return f"{money(value):,}"
    except NotComputable:  # a total past what cents can hold: show it as it is
        return f"{value:,}"


def totals(plan: Plan) -> dict[str, Decimal | None]:
    """Order-level figures over the computed charges: MRR and TCV after discounts, invoiced amount.

    TCV is None when a computed charge has no TCV (an evergreen charge has no term to total).
    MRR and TCV are the change the order makes: a new charge's figures, an existing charge's change
    (amendments); the invoiced amount includes the existing charges billed in the window.
    """
    charges = [c for s in plan.subscriptions for c in s.charges if not c.problem]
    return {
        "mrr": sum((d for c in charges if (d := c.mrr_delta) is not None), Decimal(0)),
        "tcv": None if any(c.tcv_delta is None for c in charges)
        else sum((d for c in charges if (d := c.tcv_delta) is not None), Decimal(0)),
        "invoiced": sum((i.amount for s in plan.subscriptions for c in s.billed if not c.problem for i in c.items),
                        Decimal(0)),
    }


def _charge_lines(charge: ChargeLine) -> list[str]:
    pricing = charge.pricing
    model = f"{pricing.charge_type} {pricing.model}" if pricing else "?"
    ident = f" ({charge.charge_id})" if charge.charge_id and charge.charge_id != charge.label else ""
    if charge.whole_rate_plan:
        return [f"? its charges: not computed: {charge.problem}"]
    # An existing charge the order ends is `-` even when its figures do not move (a charge at 0.00).
    mark = "+" if charge.mrr_before is None else "-" if charge.ended \
        else "~" if (charge.mrr, charge.tcv) != (charge.mrr_before, charge.tcv_before) \
        or any(i.credit for i in charge.items) else "="
    lines = [f"{mark} charge {charge.label}{ident}: {model}"]
    if charge.problem:
        return lines + [f"    ? not computed: {charge.problem}"]
    if charge.billing:
        lines.append(f"    {charge.billing}")
    if charge.start and charge.charge_type == "OneTime":
        span = f"on {charge.start}"
    elif charge.start:
        span = f"from {charge.start}" + (f" to {type(charge.start).fromordinal(charge.end.toordinal() - 1)}"
                                         if charge.end else " (no end date)")
    else:
        span = ""
    if charge.ended and charge.end:
        span += f", {'suspended' if charge.suspended else 'ended'} by the order from {charge.end}"
    if charge.mrr_before is not None:
        lines.append(f"    {span}  MRR {_amount(charge.mrr_before)} -> {_amount(charge.mrr)}  "
                     f"TCV {_amount(charge.tcv_before)} -> {_amount(charge.tcv)}")
    else:
        lines.append(f"    {span}  MRR {_amount(charge.mrr)}  TCV {_amount(charge.tcv)}")
    for item in charge.items:
        prorated = f"  (prorated {item.prorated})" if item.prorated else ""
        what = "credits" if item.credit else "bills"
        lines.append(f"    {what} {item.bill_date}: {item.start} .. {item.last_day}  {_amount(item.amount):>10}{prorated}")
    return lines


def plan_lines(plan: Plan) -> list[str]:
    tax = "amounts without tax" if not plan.tax_included else "skipTax"
    lines = []
    unpriced = plan.unpriced
    if unpriced:
        # Said first: the figures below leave these out, so they are not the order's whole bill.
        lines.append(f"INCOMPLETE: {len(unpriced)} part(s) of {plan.name} could not be priced offline; "
                     "the figures below leave them out")
        lines += [f"  ? {u.subject} ({u.pointer}): {u.reason}" for u in unpriced]
        lines.append("")
    lines += [f"Offline preview of {plan.name} ({plan.window.describe()}; {tax})", ""]
    for subscription in plan.subscriptions:
        lines.append(f"{subscription.label}" + (f"  [{subscription.term}]" if subscription.term else ""))
        for action in subscription.actions:
            dates = ", ".join(f"{name} {when}" for name, when in action.dates.items())
            lines.append(f"  order action {action.sequence}: {action.type}" + (f"  ({dates})" if dates else ""))
            lines += [f"      {detail}" for detail in action.details]
            if action.problem:
                lines.append(f"      ? {action.problem}")
            for rate_plan in action.rate_plans:
                lines.append(f"    {rate_plan.change} {rate_plan.label}")
                for charge in rate_plan.charges:
                    lines += [f"        {line}" for line in _charge_lines(charge)]
        if subscription.existing:
            lines.append("  charges the order leaves as they are, billed from their charged-through date:")
            for charge in subscription.existing:
                lines += [f"        {line}" for line in _charge_lines(charge)]
        lines.append("")
    figures = totals(plan)
    invoices = len(plan.result.get("previewResult", {}).get("invoices", []))
    summary = (f"Order: MRR {_amount(figures['mrr'])}, TCV {_amount(figures['tcv'])}, "
               f"invoiced {_amount(figures['invoiced'])} in {invoices} invoice(s)")
    missing, actions = plan.uncomputed, plan.unpriced_actions
    if missing:
        summary += f"; {len(missing)} charge(s) not computed, totals exclude them"
    if actions:
        summary += f"; {len(actions)} order action(s) not priced offline, totals exclude them"
    lines.append(summary)
    return lines


def plan_text(plan: Plan) -> str:
    return "\n".join(plan_lines(plan)) + "\n"
