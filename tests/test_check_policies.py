"""Cancel, suspend and resume policies (R030-R033)."""

from __future__ import annotations

from pathlib import Path

import pytest
from check_support import codes, found, lint, where

HEAD = ("orderspec: 1\noperation: create\nbody:\n  orderDate: 2024-01-01\n  existingAccountNumber: A1\n"
        "  subscriptions:\n    - subscriptionNumber: S-1\n      orderActions:\n")


def action(kind: str, payload: str, block: str) -> str:
    return HEAD + f"        - type: {kind}\n          {payload}: {block}\n"


@pytest.mark.parametrize("kind, payload, bad, needle, code, good", [
    ("CancelSubscription", "cancelSubscription", "{cancellationPolicy: SpecificDate}", "SpecificDate", "R030",
     "{cancellationPolicy: SpecificDate, cancellationEffectiveDate: 2024-06-30}"),
    ("Suspend", "suspend", "{suspendPolicy: SpecificDate}", "SpecificDate", "R031",
     "{suspendPolicy: SpecificDate, suspendSpecificDate: 2024-06-30}"),
    ("Suspend", "suspend", "{suspendPolicy: FixedPeriodsFromToday, suspendPeriods: 2}", "FixedPeriodsFromToday",
     "R031", "{suspendPolicy: FixedPeriodsFromToday, suspendPeriods: 2, suspendPeriodsType: Month}"),
    ("Suspend", "suspend", "{suspendPolicy: FixedPeriodsFromToday, suspendPeriods: 0, suspendPeriodsType: Month}",
     "0, suspendPeriodsType", "R031", "{suspendPolicy: Today}"),
    ("Resume", "resume", "{resumePolicy: SpecificDate}", "SpecificDate", "R032",
     "{resumePolicy: SpecificDate, resumeSpecificDate: 2024-09-01, extendsTerm: true}"),
    ("Resume", "resume", "{resumePolicy: FixedPeriodsFromSuspendDate, resumePeriodsType: Week}",
     "FixedPeriodsFromSuspendDate", "R032",
     "{resumePolicy: FixedPeriodsFromSuspendDate, resumePeriods: 1, resumePeriodsType: Week}"),
    ("CancelSubscription", "cancelSubscription",
     "{cancellationPolicy: EndOfCurrentTerm, cancellationEffectiveDate: 2024-06-30}", "cancellationEffectiveDate",
     "R033", "{cancellationPolicy: EndOfCurrentTerm}"),
])
def test_policy(tmp_path: Path, kind: str, payload: str, bad: str, needle: str, code: str, good: str) -> None:
    diagnostics = lint(tmp_path, action(kind, payload, bad))
    assert found(diagnostics, code) == [where(tmp_path / "x.order.yaml", needle)]
    assert codes(lint(tmp_path, action(kind, payload, good))) == []


def test_extends_term_outside_resume_is_reported_by_the_schema(tmp_path: Path) -> None:
    diagnostics = lint(tmp_path, action("Suspend", "suspend", "{suspendPolicy: Today, extendsTerm: true}"))
    assert found(diagnostics, "S001") == [where(tmp_path / "x.order.yaml", "extendsTerm")]
