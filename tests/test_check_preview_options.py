"""previewOptions (R010-R013)."""

from __future__ import annotations

from pathlib import Path

from check_support import CREATE, codes, found, lint, where

PREVIEW = CREATE.replace("operation: create", "operation: preview").replace(
    "  subscriptions:", "  previewOptions: OPTIONS\n  subscriptions:")


def preview(options: str) -> str:
    return PREVIEW.replace("OPTIONS", options)


def test_specific_date_needs_its_date(tmp_path: Path) -> None:
    diagnostics = lint(tmp_path, preview("{previewThruType: SpecificDate, previewTypes: [BillingDocs]}"))
    assert found(diagnostics, "R010") == [where(tmp_path / "x.order.yaml", "SpecificDate")]
    ok = preview("{previewThruType: SpecificDate, specificPreviewThruDate: 2024-12-31, previewTypes: [BillingDocs]}")
    assert codes(lint(tmp_path, ok)) == []


def test_specific_date_not_before_the_order_date(tmp_path: Path) -> None:
    text = preview("{previewThruType: SpecificDate, specificPreviewThruDate: 2023-12-31, previewTypes: [BillingDocs]}")
    assert found(lint(tmp_path, text), "R010") == [where(tmp_path / "x.order.yaml", "2023-12-31")]


def test_number_of_periods_needs_the_number(tmp_path: Path) -> None:
    text = preview("{previewThruType: NumberOfPeriods, previewTypes: [BillingDocs]}")
    assert found(lint(tmp_path, text), "R011") == [where(tmp_path / "x.order.yaml", "NumberOfPeriods")]
    ok = preview("{previewThruType: NumberOfPeriods, previewNumberOfPeriods: 2, previewTypes: [BillingDocs]}")
    assert codes(lint(tmp_path, ok)) == []


def test_term_end_with_an_evergreen_subscription(tmp_path: Path) -> None:
    text = preview("{previewThruType: TermEnd, previewTypes: [BillingDocs]}").replace(
        "{period: 12, periodType: Month, termType: TERMED, startDate: 2024-01-01}",
        "{termType: EVERGREEN, startDate: 2024-01-01}").replace(
        "              renewalSetting: RENEW_WITH_SPECIFIC_TERM\n              renewalTerms: [{period: 12, periodType: Month}]\n", "")
    assert found(lint(tmp_path, text), "R012") == [where(tmp_path / "x.order.yaml", "TermEnd")]
    assert codes(lint(tmp_path, preview("{previewThruType: TermEnd, previewTypes: [BillingDocs]}"))) == []


def test_preview_types_empty_or_repeated(tmp_path: Path) -> None:
    path = tmp_path / "x.order.yaml"
    empty = lint(tmp_path, preview("{previewThruType: TermEnd, previewTypes: []}"))
    assert found(empty, "R013") == [where(path, "[]")]
    twice = lint(tmp_path, preview("{previewThruType: TermEnd, previewTypes: [BillingDocs, BillingDocs]}"))
    assert found(twice, "R013") == [where(path, "BillingDocs", 2)]
    ok = preview("{previewThruType: TermEnd, previewTypes: [BillingDocs, ChargeMetrics]}")
    assert codes(lint(tmp_path, ok)) == []
