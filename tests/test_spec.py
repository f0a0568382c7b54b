"""The spec wrapper: version, operation, async, headers, params, body."""

from __future__ import annotations

from orderspec import spec as spec_stage
from orderspec.load import load_text


def parse(text: str, bare: str | None = None):
    loaded = load_text(text, "s.order.yaml")
    assert loaded.diagnostics == []
    return spec_stage.parse(loaded.documents[0], bare)


def codes(problems) -> list[tuple[str, int, int]]:
    return [(d.code, d.line, d.column) for d in problems]


BODY = "body:\n  orderDate: 2024-01-01\n"


def test_a_complete_spec() -> None:
    spec, problems = parse(
        "orderspec: 1\noperation: preview\nasync: auto\nheaders:\n  trackId: t-1\n"
        "  idempotencyKey: k-1\nparams: {summarizeInvoiceItem: true}\n" + BODY
    )
    assert problems == []
    assert spec is not None
    assert (spec.operation, spec.async_mode) == ("preview", "auto")
    assert spec.headers == {"Zuora-Track-Id": "t-1", "Idempotency-Key": "k-1"}
    assert spec.header_source["Zuora-Track-Id"].line == 5
    assert spec.params == {"summarizeInvoiceItem": True}
    assert spec.body == {"orderDate": "2024-01-01"}


def test_missing_version_means_not_a_spec() -> None:
    spec, problems = parse("operation: create\n" + BODY)
    assert spec is None and codes(problems) == [("F001", 1, 1)]
    assert "--operation" in problems[0].message


def test_bare_body_with_operation() -> None:
    spec, problems = parse("orderDate: 2024-01-01\n", "async-preview")
    assert problems == [] and spec is not None
    assert (spec.operation, spec.async_mode, spec.is_bare) == ("preview", True, True)


def test_wrong_version() -> None:
    spec, problems = parse("orderspec: 2\noperation: create\n" + BODY)
    assert spec is None and codes(problems) == [("F001", 1, 12)]


def test_unknown_operation_with_hint() -> None:
    _, problems = parse("orderspec: 1\noperation: creat\n" + BODY)
    assert codes(problems) == [("F002", 2, 12)]
    assert "did you mean `create`" in problems[0].message
    _, problems = parse("orderspec: 1\noperation: async-create\n" + BODY)
    assert "async: true" in problems[0].message


def test_missing_operation() -> None:
    _, problems = parse("orderspec: 1\n" + BODY)
    assert [c for c, _, _ in codes(problems)] == ["F002"]


def test_unknown_wrapper_key_with_suggestion() -> None:
    _, problems = parse("orderspec: 1\noperation: create\nboddy: {}\n" + BODY)
    assert codes(problems) == [("F003", 3, 1)]
    assert "did you mean `body`" in problems[0].message


def test_bad_async_value() -> None:
    _, problems = parse("orderspec: 1\noperation: create\nasync: maybe\n" + BODY)
    assert codes(problems) == [("F005", 3, 8)]


def test_missing_or_non_mapping_body() -> None:
    _, problems = parse("orderspec: 1\noperation: create\n")
    assert [c for c, _, _ in codes(problems)] == ["F004"]
    _, problems = parse("orderspec: 1\noperation: create\nbody: [1]\n")
    assert codes(problems) == [("F004", 3, 7)]


def test_header_problems() -> None:
    _, problems = parse("orderspec: 1\noperation: create\nheaders:\n  trackid: x\n  idempotencyKey: 123\n" + BODY)
    assert codes(problems) == [("F006", 4, 3), ("F006", 5, 19)]
    assert "did you mean `trackId`" in problems[0].message
    assert "quote it: '123'" in problems[1].message


def test_params_belong_to_their_operation() -> None:
    _, problems = parse("orderspec: 1\noperation: create\nparams: {summarizeInvoiceItem: true}\n" + BODY)
    assert [c for c, _, _ in codes(problems)] == ["F006"]


def test_list_document_is_not_a_mapping() -> None:
    spec, problems = parse("- a\n- b\n")
    assert spec is None and codes(problems) == [("Y004", 1, 1)]


def test_vars_and_with_beside_a_literal_body_are_reported_not_dropped() -> None:
    from orderspec.diagnostics import Severity

    spec, problems = parse("orderspec: 1\noperation: create\nvars:\n  account: A1\n" + BODY
                           + "with: {account: A1}\n")
    assert spec is not None and spec.body == {"orderDate": "2024-01-01"}
    assert sorted(codes(problems)) == [("F007", 3, 1), ("F007", 7, 1)]
    assert all(p.severity is Severity.WARNING for p in problems)
    assert "`vars` has no effect without `use:`" in next(p.message for p in problems if p.line == 3)


def test_vars_with_a_template_are_used_not_reported() -> None:
    spec, problems = parse("orderspec: 1\noperation: create\nuse: renew\nvars: {account: A1}\n")
    assert spec is not None and spec.variables == {"account": "A1"} and problems == []


def test_known_aliases_are_offered_only_where_the_api_takes_the_field() -> None:
    from orderspec.spec import did_you_mean

    assert did_you_mean("ZipCode", ["city", "postalCode"]) == " (did you mean `postalCode`?)"
    assert did_you_mean("zipCode", ["city", "country"]) == ""  # no postalCode here: no suggestion
    assert did_you_mean("email", ["workEmail"]) == " (did you mean `workEmail`?)"
    assert did_you_mean("orderDat", ["orderDate"]) == " (did you mean `orderDate`?)"  # spelling still works
