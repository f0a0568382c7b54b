"""What dispatch prints: preview tables from the API's JSON shape, the TTY-only progress line."""

from __future__ import annotations

import io
import json
from decimal import Decimal

from click.testing import CliRunner

from dispatch_support import cli_env, copy_specs
from orderspec.cli import cli
from orderspec.dispatch.jobs import StatusLine
from orderspec.preview_tables import format_preview, preview_part, table

RESULT = {
    "chargeMetrics": [{"subscriptionNumber": "A-S00000001", "charges": [
        {"chargeNumber": "C-00000001", "productRatePlanChargeId": "prpc-1",
         "cmrr": {"regular": Decimal("19.99")}, "tcv": {"regular": Decimal("239.88"), "discount": Decimal("-24")},
         "tcb": {"regular": Decimal("19.99")}, "tax": {"regular": Decimal("0")}}]}],
    "invoices": [{"targetDate": "2024-01-01", "amount": Decimal("21.59"), "amountWithoutTax": Decimal("19.99"),
                  "taxAmount": Decimal("1.60"), "invoiceItems": [
                      {"subscriptionNumber": "A-S00000001", "chargeName": "Base fee", "processingType": "Charge",
                       "serviceStartDate": "2024-01-01", "serviceEndDate": "2024-01-31",
                       "amountWithoutTax": Decimal("19.99"), "taxAmount": Decimal("1.60")}]}],
    "orderDeltaMetrics": {"orderDeltaMrr": [
        {"subscriptionNumber": "A-S00000001", "chargeNumber": "C-00000001", "orderActionType": "CreateSubscription",
         "startDate": "2024-01-01", "endDate": "2024-12-31", "grossAmount": Decimal("19.99"),
         "netAmount": Decimal("19.99"), "currency": "USD"}]},
}


def test_preview_tables_show_each_part_with_exact_numbers():
    text = format_preview({"success": True, "previewResult": RESULT})
    assert text == format_preview(RESULT)  # the sync answer and an async job's result read the same
    for title in ("Charge metrics", "Invoice items", "Invoices", "Order delta metrics"):
        assert f"\n{title}\n" in f"\n{text}"
    assert "239.88" in text and "-24" in text and "1.60" in text and "Base fee" in text
    assert "CreateSubscription" in text and "USD" in text


def test_tables_right_align_numbers_and_mark_empty_ones():
    lines = table("T", ["name", "amount"], [["a", Decimal("1.5")], ["bb", Decimal("10.25")]]).splitlines()
    assert lines[3].endswith("  1.5") and lines[4].endswith("10.25")
    assert len(lines[3]) == len(lines[4])
    assert table("Empty", ["x"], []).splitlines()[-1] == "(none)"
    assert preview_part(None) == {}


class _Tty(io.StringIO):
    def isatty(self):
        return True


def test_progress_line_only_on_a_terminal():
    tty, pipe = _Tty(), io.StringIO()
    for stream in (tty, pipe):
        line = StatusLine(stream)
        line.update("job 1 Processing")
        line.update("job 1 Done")
        line.done()
    assert "\rjob 1 Processing" in tty.getvalue() and "job 1 Done" in tty.getvalue()
    assert pipe.getvalue() == ""


def test_dry_run_json_lists_actions_and_keys(tmp_path):
    folder = copy_specs(tmp_path, "create.order.yaml")
    result = CliRunner().invoke(cli, ["send", str(folder), "--base-url", "http://127.0.0.1:9", "--json"],
                                env=cli_env())
    report = json.loads(result.stdout)
    assert result.exit_code == 0 and report["dryRun"] is True
    (entry,) = report["results"]
    assert entry["action"] == "send" and entry["request"] == "POST /v1/orders HTTP/1.1"
    assert entry["idempotencyKey"].startswith("orderspec-")
