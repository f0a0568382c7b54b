"""Terms (R020-R022)."""

from __future__ import annotations

from pathlib import Path

from check_support import CREATE, codes, found, lint, where

TERM = "{period: 12, periodType: Month, termType: TERMED, startDate: 2024-01-01}"
RENEWAL = ("              renewalSetting: RENEW_WITH_SPECIFIC_TERM\n"
           "              renewalTerms: [{period: 12, periodType: Month}]\n")


def test_termed_needs_period_and_type(tmp_path: Path) -> None:
    text = CREATE.replace(TERM, "{termType: TERMED, startDate: 2024-01-01}")
    diagnostics = lint(tmp_path, text)
    assert found(diagnostics, "R020") == [where(tmp_path / "x.order.yaml", "TERMED")]
    assert "`period` and `periodType`" in diagnostics[0].message


def test_evergreen_takes_no_length(tmp_path: Path) -> None:
    text = CREATE.replace(TERM, "{period: 12, termType: EVERGREEN}").replace(RENEWAL, "")
    assert found(lint(tmp_path, text), "R021") == [where(tmp_path / "x.order.yaml", "period: 12")]
    fine = CREATE.replace(TERM, "{termType: EVERGREEN}").replace(RENEWAL, "")
    assert codes(lint(tmp_path, fine)) == []


def test_renewal_terms_only_with_termed(tmp_path: Path) -> None:
    text = CREATE.replace(TERM, "{termType: EVERGREEN}").replace("RENEW_WITH_SPECIFIC_TERM", "RENEW_TO_EVERGREEN")
    assert found(lint(tmp_path, text), "R022") == [where(tmp_path / "x.order.yaml", "renewalTerms")]


def test_last_term_may_give_an_end_date(tmp_path: Path) -> None:
    text = ("orderspec: 1\noperation: create\nbody:\n  orderDate: 2024-01-01\n  existingAccountNumber: A1\n"
            "  subscriptions:\n    - subscriptionNumber: S-1\n      orderActions:\n"
            "        - type: TermsAndConditions\n          termsAndConditions:\n"
            "            lastTerm: {termType: TERMED, endDate: 2025-01-07}\n")
    assert codes(lint(tmp_path, text)) == []
    no_length = text.replace("endDate: 2025-01-07", "startDate: 2024-01-07")
    diagnostics = lint(tmp_path, no_length)
    assert found(diagnostics, "R020") == [where(tmp_path / "x.order.yaml", "TERMED")]
    assert "endDate" in diagnostics[0].message
