"""Cancel, suspend and resume: each policy needs its date or its periods, and nothing else."""

from __future__ import annotations

from typing import Any

from orderspec.check._common import Context
from orderspec.diagnostics import Pointer

# payload -> (code, policy field, {policy: the fields that policy needs})
POLICIES: dict[str, tuple[str, str, dict[str, tuple[str, ...]]]] = {
    "cancelSubscription": ("R030", "cancellationPolicy", {
        "SpecificDate": ("cancellationEffectiveDate",),
    }),
    "suspend": ("R031", "suspendPolicy", {
        "SpecificDate": ("suspendSpecificDate",),
        "FixedPeriodsFromToday": ("suspendPeriods", "suspendPeriodsType"),
    }),
    "resume": ("R032", "resumePolicy", {
        "SpecificDate": ("resumeSpecificDate",),
        "FixedPeriodsFromToday": ("resumePeriods", "resumePeriodsType"),
        "FixedPeriodsFromSuspendDate": ("resumePeriods", "resumePeriodsType"),
    }),
}


def check(ctx: Context) -> None:
    for action in ctx.actions:
        for payload, (code, policy_field, needs) in POLICIES.items():
            block = action.value.get(payload)
            if isinstance(block, dict):
                _policy(ctx, action.pointer + (payload,), block, code, policy_field, needs)


def _policy(ctx: Context, here: Pointer, block: dict[str, Any], code: str, policy_field: str,
            needs: dict[str, tuple[str, ...]]) -> None:
    policy = block.get(policy_field)
    if not isinstance(policy, str):
        return  # missing or wrong type: the schema reports it
    wanted = needs.get(policy, ())
    for name in wanted:
        if block.get(name) is None:
            ctx.report(here + (policy_field,), code, f"`{policy_field}: {policy}` needs `{name}`")
    optional = {name for names in needs.values() for name in names}
    for name in sorted(optional - set(wanted)):
        if block.get(name) is not None:
            users = [p for p, names in needs.items() if name in names]
            ctx.report(here + (name,), "R033",
                       f"`{name}` is used only with {policy_field} {' or '.join(users)}, not {policy}; "
                       "remove it or change the policy", key=True)
    for name in wanted:
        value = block.get(name)
        if name.endswith("Periods") and isinstance(value, int) and not isinstance(value, bool) and value < 1:
            ctx.report(here + (name,), code, f"`{name}` must be 1 or more, not {value}")
