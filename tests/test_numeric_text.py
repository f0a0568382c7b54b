"""Numbers written as text where the API takes a number (S011): a warning, read as the number by
the stages after validate (check, preview), sent as written by render."""

from __future__ import annotations

import json
import textwrap
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from orderspec import pipeline
from orderspec import validate as validate_module
from orderspec.numeric_text import NumericText, number_in, with_numbers
from orderspec.preview import Window, build_plan
from orderspec.render import render
from orderspec.model import choose_endpoint

D = Decimal


def spec(tmp_path: Path, overrides: str, *, name: str = "order.order.yaml", extra: str = "") -> Path:
    """A create spec with one charge override (YAML flow mapping) and optional body lines."""
    text = textwrap.dedent("""\
        orderspec: 1
        operation: create
        body:
          orderDate: 2024-01-01
          existingAccountNumber: A1
        {extra}  subscriptions:
            - orderActions:
                - type: CreateSubscription
                  triggerDates: [{{name: ContractEffective, triggerDate: 2024-01-01}}, {{name: ServiceActivation, triggerDate: 2024-01-01}}]
                  createSubscription:
                    terms: {{initialTerm: {{period: "12", periodType: Month, termType: TERMED, startDate: 2024-01-01}}}}
                    subscribeToRatePlans:
                      - productRatePlanId: rp1
                        chargeOverrides:
                          - {overrides}
        """).format(overrides=overrides, extra=extra)
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


PER_UNIT = ('{productRatePlanChargeId: c1, billing: {billingPeriod: Month, billCycleType: SpecificDayofMonth, '
            'billCycleDay: 1}, pricing: {recurringPerUnit: {quantity: "4", listPrice: "7.50"}}}')


def test_numeric_text_is_a_warning_at_the_value_and_the_rest_is_clean(tmp_path: Path) -> None:
    path = spec(tmp_path, PER_UNIT)
    lines = path.read_text(encoding="utf-8").splitlines()
    result = pipeline.process_file(str(path), pipeline.Options())
    found = sorted((d.code, d.severity.value, d.line, d.column, d.message) for d in result.diagnostics)
    assert found == [
        ("S011", "warning", 11, lines[10].index('"12"') + 1,
         '`period` is the text "12" where the API takes a number (it reads 12); write 12 unquoted'),
        ("S011", "warning", 15, lines[14].index('"4"') + 1,
         '`quantity` is the text "4" where the API takes a number (it reads 4); write 4 unquoted'),
        ("S011", "warning", 15, lines[14].index('"7.50"') + 1,
         '`listPrice` is the text "7.50" where the API takes a number (it reads 7.50); write 7.50 unquoted'),
    ]


def test_the_stages_after_validate_get_the_numbers_and_render_what_was_written(tmp_path: Path) -> None:
    request = pipeline.process_file(str(spec(tmp_path, PER_UNIT)), pipeline.Options()).requests[0]
    charge = request.body["subscriptions"][0]["orderActions"][0]["createSubscription"]["subscribeToRatePlans"][0][
        "chargeOverrides"][0]
    assert charge["pricing"]["recurringPerUnit"] == {"quantity": 4, "listPrice": D("7.50")}
    assert type(charge["pricing"]["recurringPerUnit"]["quantity"]) is int
    rendered = json.loads(render(request, choose_endpoint(request)).body)
    written = rendered["subscriptions"][0]["orderActions"][0]["createSubscription"]
    assert written["subscribeToRatePlans"][0]["chargeOverrides"][0]["pricing"]["recurringPerUnit"] == {
        "quantity": "4", "listPrice": "7.50"}
    assert written["terms"]["initialTerm"]["period"] == "12"


def test_preview_prices_the_numbers(tmp_path: Path) -> None:
    request = pipeline.process_file(str(spec(tmp_path, PER_UNIT)), pipeline.Options()).requests[0]
    plan = build_plan(request, window=Window("NumberOfPeriods", periods=2))
    # 4 units at 7.50 = 30.00 a month, for Jan and Feb 2024.
    assert [(i["serviceStartDate"], i["amountWithoutTax"])
            for invoice in plan.result["previewResult"]["invoices"] for i in invoice["invoiceItems"]] == [
        ("2024-01-01", D("30.00")), ("2024-02-01", D("30.00"))]


def test_the_check_stage_judges_the_numbers(tmp_path: Path) -> None:
    # The tiers overlap only when their units are read as numbers: tier 2 starts at 5, inside 1..10.
    tiers = ('{productRatePlanChargeId: c1, pricing: {recurringTiered: {tiers: ['
             '{tier: 1, startingUnit: "1", endingUnit: "10", price: "5", priceFormat: PerUnit}, '
             '{tier: 2, startingUnit: "5", price: "4", priceFormat: PerUnit}]}}}')
    result = pipeline.process_file(str(spec(tmp_path, tiers)), pipeline.Options())
    assert [d.code for d in result.diagnostics if d.severity.value == "error"] == ["R041"]
    assert "starts at 5, inside tier 1 (which ends at 10)" in next(d.message for d in result.diagnostics
                                                                   if d.code == "R041")


@pytest.mark.parametrize("text", ["four", "4,5", "1e3", "0x10", " 4", "4.", ".5", "\u0663", "4" * 50])
def test_text_that_is_not_a_plain_number_stays_a_type_error(tmp_path: Path, text: str) -> None:
    overrides = PER_UNIT.replace('quantity: "4"', f"quantity: {json.dumps(text)}")
    result = pipeline.process_file(str(spec(tmp_path, overrides)), pipeline.Options())
    errors = [(d.code, d.pointer) for d in result.diagnostics if d.severity.value == "error"]
    assert errors == [("S002", "/subscriptions/0/orderActions/0/createSubscription/subscribeToRatePlans/0/"
                                "chargeOverrides/0/pricing/recurringPerUnit/quantity")]


def test_a_fraction_where_a_whole_number_is_wanted_is_a_type_error(tmp_path: Path) -> None:
    path = spec(tmp_path, PER_UNIT)
    path.write_text(path.read_text(encoding="utf-8").replace('period: "12"', 'period: "12.0"'), encoding="utf-8")
    found = [(d.code, d.message) for d in pipeline.process_file(str(path), pipeline.Options()).diagnostics
             if d.pointer.endswith("/initialTerm/period")]
    assert found == [("S002", "`period` must be a whole number, not text (`12.0`)")]


def test_a_number_read_from_text_is_held_to_the_schemas_bounds(tmp_path: Path) -> None:
    extra = '  previewOptions: {previewThruType: NumberOfPeriods, previewNumberOfPeriods: "0", previewTypes: [BillingDocs]}\n'
    path = spec(tmp_path, PER_UNIT, extra=extra)
    path.write_text(path.read_text(encoding="utf-8").replace("operation: create", "operation: preview"),
                    encoding="utf-8")
    found = [(d.code, d.message) for d in pipeline.process_file(str(path), pipeline.Options()).diagnostics
             if d.pointer == "/previewOptions/previewNumberOfPeriods"]
    assert found == [("S011", '`previewNumberOfPeriods` is the text "0" where the API takes a number (it reads 0); '
                              "write 0 unquoted"),
                     ("S006", "`previewNumberOfPeriods` is 0; it must be at least 1")]


def test_json_files_are_told_to_drop_the_quotes(tmp_path: Path) -> None:
    body = {"orderDate": "2024-01-01", "existingAccountNumber": "A1", "subscriptions": [{"orderActions": [{
                "type": "Suspend", "triggerDates": [{"name": "ContractEffective", "triggerDate": "2024-01-01"}],
                "suspend": {"suspendPolicy": "FixedPeriodsFromToday", "suspendPeriods": "3",
                            "suspendPeriodsType": "Week"}}], "subscriptionNumber": "A-S1"}]}
    path = tmp_path / "suspend.json"
    path.write_text(json.dumps(body, indent=2), encoding="utf-8")
    result = pipeline.run([str(path)], pipeline.Options(bare_operation="create", include=("*.json",)))
    assert [(d.code, d.line, d.message) for d in result.diagnostics] == [
        ("S011", 17, '`suspendPeriods` is the text "3" where the API takes a number (it reads 3); '
                     "send 3 without the quotes")]


def test_the_fast_path_and_the_plain_walk_agree_on_numeric_text(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    overrides = PER_UNIT.replace('quantity: "4"', 'quantity: "four"')
    path = spec(tmp_path, overrides, extra='  orderNumbr: x\n')
    fast = pipeline.process_file(str(path), pipeline.Options())
    monkeypatch.setattr(validate_module, "_fast_validator", lambda schema_name: None)
    plain = pipeline.process_file(str(path), pipeline.Options())
    assert [d.as_json() for d in fast.diagnostics] == [d.as_json() for d in plain.diagnostics]
    assert {d.code for d in fast.diagnostics} == {"S001", "S002", "S011"}
    assert fast.requests[0].body == plain.requests[0].body


# -- the module's own pieces ---------------------------------------------------------------------

@pytest.mark.parametrize("text, wanted, number", [
    ("4", ["integer"], 4), ("-3", ["number"], -3), ("+5", ["integer"], 5), ("007", ["integer"], 7),
    ("7.50", ["number"], D("7.50")), ("7.50", ["integer"], None), ("4", ["string", "integer"], None),
    ("4", ["boolean"], None), ("1e3", ["number"], None), ("\u0664", ["integer"], None),
    ("9" * 40, ["integer"], int("9" * 40)), ("-" + "9" * 40, ["integer"], -int("9" * 40)),
    ("9" * 41, ["integer"], None), ("9" * 20 + "." + "9" * 20, ["number"], D("9" * 20 + "." + "9" * 20)),
    ("9" * 20 + "." + "9" * 21, ["number"], None),
])
def test_number_in(text: str, wanted: list[str], number: Any) -> None:
    found = number_in(text, wanted)
    assert found == number and type(found) is type(number)


def test_with_numbers_copies_only_the_way_to_each_number() -> None:
    shared = {"untouched": ["x"]}
    body = {"a": [{"q": "4"}, shared], "b": shared}
    read = with_numbers(body, {("a", 0, "q"): NumericText("4", 4)})
    assert read == {"a": [{"q": 4}, shared], "b": shared}
    assert read["a"][1] is shared and read["b"] is shared
    assert body == {"a": [{"q": "4"}, shared], "b": shared}  # the body as written is untouched
    assert with_numbers(body, {}) is body
