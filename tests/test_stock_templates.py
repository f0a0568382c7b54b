"""Stock templates (templates/): what the ones without a test of their own in the examples'
golden renders guarantee; here, opening a new customer's account."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from jsonschema import Draft202012Validator

from orderspec import pipeline
from orderspec.diagnostics import Severity

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "new-customer-subscription.order.yaml"


def lint(path: Path) -> pipeline.BatchResult:
    return pipeline.run([str(path)], pipeline.Options(), keep_requests=True)


def spec_beside_the_catalog(tmp_path: Path, text: str) -> Path:
    shutil.copy(ROOT / "examples" / "catalog.yaml", tmp_path / "catalog.yaml")
    spec = tmp_path / "s.order.yaml"
    spec.write_text(text, encoding="utf-8")
    return spec


def test_new_customer_subscription_opens_the_account_the_spec_describes() -> None:
    result = lint(EXAMPLE)
    assert not [d for d in result.diagnostics if d.severity is Severity.ERROR], result.diagnostics
    (request,) = result.requests
    body = request.body
    assert "existingAccountNumber" not in body
    assert body["newAccount"]["name"] == "Globex Corporation" and body["newAccount"]["billCycleDay"] == 1
    assert body["newAccount"]["billToContact"]["postalCode"] == "94105"  # quoted in the spec: stays text
    terms = body["subscriptions"][0]["orderActions"][0]["createSubscription"]["terms"]
    assert terms["initialTerm"] == {"period": 12, "periodType": "Month", "termType": "TERMED", "startDate": "2024-04-15"}
    schema = json.loads((ROOT / "schemas" / "create-order.json").read_text(encoding="utf-8"))
    assert not list(Draft202012Validator(schema).iter_errors(json.loads(json.dumps(body, default=str))))


def test_a_missing_new_account_field_is_reported_at_the_spec(tmp_path: Path) -> None:
    text = EXAMPLE.read_text(encoding="utf-8").replace("    currency: USD\n", "")
    result = lint(spec_beside_the_catalog(tmp_path, text))
    (error,) = [d for d in result.diagnostics if d.severity is Severity.ERROR]
    assert error.code == "S003" and "`currency`" in error.message
    # In the spec (its `use:` line: the template prints the mapping whole), the template line a note.
    assert error.path.endswith("s.order.yaml") and error.line == 7
    assert any(place.path.endswith("new-customer-subscription.yaml.j2") for place in error.related)


def test_new_account_is_a_parameter_and_account_points_to_it(tmp_path: Path) -> None:
    text = EXAMPLE.read_text(encoding="utf-8").replace("  newAccount:", "  account:")
    result = lint(spec_beside_the_catalog(tmp_path, text))
    assert any(d.code == "T011" and "did you mean `newAccount`?" in d.message for d in result.diagnostics)
    wrong_template = EXAMPLE.read_text(encoding="utf-8").replace("use: new-customer-subscription",
                                                                 "use: new-subscription")
    result = lint(spec_beside_the_catalog(tmp_path, wrong_template))
    assert any(d.code == "T010" and "new-customer-subscription" in d.message for d in result.diagnostics)
