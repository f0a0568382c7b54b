"""The plan as text, like `terraform plan`: what each order action adds, and what it would bill."""

from __future__ import annotations

from decimal import Decimal

from orderspec.preview.charges import money
from orderspec.preview.engine import ChargeLine, Plan


def _amount(value: Decimal | None) -> str:
    return "?" if value is None else f"{money(value):,}"


def _charge_head(charge: ChargeLine) -> str:
    pricing = charge.pricing
    model = f"{pricing.charge_type} {pricing.model}" if pricing else "?"
    ident = f" ({charge.charge_id})" if charge.charge_id and charge.charge_id != charge.label else ""
    return f"+ charge {charge.label}{ident}: {model}"


def totals(plan: Plan) -> dict[str, Decimal | None]:
    """Order-level figures over the computed charges: MRR and TCV after discounts, invoiced amount.

    TCV is None when a computed charge has no TCV (an evergreen charge has no term to total).
    """
    charges = [c for s in plan.subscriptions for c in s.charges if not c.problem]
    return {
        "mrr": sum((c.mrr for c in charges if c.mrr is not None), Decimal(0)),
        "tcv": None if any(c.tcv is None for c in charges) else sum((c.tcv for c in charges if c.tcv is not None), Decimal(0)),
        "invoiced": sum((i.amount for c in charges for i in c.items), Decimal(0)),
    }


def plan_lines(plan: Plan) -> list[str]:
    tax = "tax not included" if not plan.tax_included else "skipTax"
    lines = [f"Offline preview of {plan.name} ({plan.window.describe()}; {tax})", ""]
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
                    lines.append(f"        {_charge_head(charge)}")
                    if charge.problem:
                        lines.append(f"            ? not computed: {charge.problem}")
                        continue
                    if charge.billing:
                        lines.append(f"            {charge.billing}")
                    span = ""
                    if charge.start and charge.charge_type == "OneTime":
                        span = f"on {charge.start}"
                    elif charge.start:
                        last = charge.end and charge.end.toordinal() - 1
                        span = f"from {charge.start}" + (
                            f" to {type(charge.start).fromordinal(last)}" if last else " (no end date)")
                    lines.append(f"            {span}  MRR {_amount(charge.mrr)}  TCV {_amount(charge.tcv)}")
        items = sorted(((i.bill_date, i) for c in subscription.charges if not c.problem for i in c.items),
                       key=lambda pair: pair[0])
        if items:
            lines.append(f"  invoice items ({len(items)}):")
            lines.append(f"    {'bill date':<11} {'service period':<24} {'amount':>12}  charge")
            for bill_date, item in items:
                period = f"{item.start} .. {item.last_day}"
                kind = " (discount)" if item.processing_type == "Discount" else ""
                lines.append(f"    {bill_date!s:<11} {period:<24} {_amount(item.amount):>12}  {item.charge.label}{kind}")
        lines.append("")
    figures = totals(plan)
    invoices = len(plan.result.get("previewResult", {}).get("invoices", []))
    summary = (f"Order: MRR {_amount(figures['mrr'])}, TCV {_amount(figures['tcv'])}, "
               f"invoiced {_amount(figures['invoiced'])} in {invoices} invoice(s)")
    missing = plan.uncomputed
    if missing:
        summary += f"; {len(missing)} charge(s) not computed, totals exclude them"
    lines.append(summary)
    return lines


def plan_text(plan: Plan) -> str:
    return "\n".join(plan_lines(plan)) + "\n"
