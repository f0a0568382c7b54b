"""Expanding `use:` specs: parameters, values layers and their precedence, errors through the layers."""

from __future__ import annotations

from pathlib import Path

import pytest

from orderspec import pipeline
from orderspec.expand import ExpandContext, check_inputs, expand
from orderspec.load import load_text
from orderspec.model import Request
from orderspec.spec import parse
from orderspec.validate import validate

TEMPLATE = """{#
description: a small order for tests
params:
  account: string
  orderDate: {type: date}
  quantity: {type: decimal, default: 1}
  periods: {type: integer, required: false}
  autoRenew: {type: boolean, default: true}
  kind: {type: string, default: A, choices: [A, B]}
#}
orderDate: {{ orderDate }}
existingAccountNumber: {{ account }}
description: {{ kind ~ "-" ~ quantity }}
subscriptions:
  - subscriptionNumber: S-1
    orderActions:
      - type: RenewSubscription
        renewSubscription: {}
"""


@pytest.fixture()
def folder(tmp_path: Path) -> Path:
    (tmp_path / "tpl").mkdir()
    (tmp_path / "tpl" / "small.yaml.j2").write_text(TEMPLATE, encoding="utf-8")
    return tmp_path


def run(folder: Path, spec_text: str, **context: object) -> tuple[Request | None, list]:
    path = folder / "s.order.yaml"
    path.write_text(spec_text, encoding="utf-8")
    document = load_text(spec_text, str(path)).documents[0]
    spec, problems = parse(document)
    assert spec is not None, problems
    return expand(spec, ExpandContext(template_dirs=(str(folder / "tpl"),), **context))  # type: ignore[arg-type]


SPEC = "orderspec: 1\noperation: create\nuse: small\nwith:\n  account: A001\n  orderDate: 2024-01-01\n"


def test_a_template_spec_expands_to_its_body(folder: Path) -> None:
    request, problems = run(folder, SPEC)
    assert not problems and request is not None
    assert request.body["existingAccountNumber"] == "A001"
    assert request.body["description"] == "A-1"
    assert not validate(request)


def test_missing_required_parameter(folder: Path) -> None:
    request, problems = run(folder, "orderspec: 1\noperation: create\nuse: small\nwith:\n  account: A001\n")
    assert request is None and [p.code for p in problems] == ["T010"]
    assert "`orderDate`" in problems[0].message and problems[0].line == 4
    assert problems[0].related[0].path.endswith("small.yaml.j2") and problems[0].related[0].line == 5


def test_unknown_parameter_has_did_you_mean(folder: Path) -> None:
    request, problems = run(folder, SPEC + "  acount: x\n")
    assert request is None and [p.code for p in problems] == ["T011"]
    assert "did you mean `account`" in problems[0].message and problems[0].line == 7


@pytest.mark.parametrize("line, message", [
    ("  orderDate: 01/02/2024\n", "a date"),
    ("  orderDate: 2024-02-30\n", "not a calendar date"),
    ("  quantity: ten\n", "a number"),
    ("  periods: 1.5\n", "a whole number"),
    ("  autoRenew: maybe\n", "true or false"),
    ("  kind: C\n", "not one of A, B"),
])
def test_parameter_types_are_checked_at_the_spec_line(folder: Path, line: str, message: str) -> None:
    text = "orderspec: 1\noperation: create\nuse: small\nwith:\n  account: A001\n  orderDate: 2024-01-01\n"
    name = line.split(":")[0].strip()
    text = "\n".join(t for t in text.splitlines() if not t.strip().startswith(name + ":")) + "\n" + line
    request, problems = run(folder, text)
    assert request is None and [p.code for p in problems] == ["T012"]
    assert message in problems[0].message
    assert problems[0].path.endswith("s.order.yaml") and problems[0].line == text.count("\n")


def test_yaml_type_traps_in_text_parameters_say_quote_it(folder: Path) -> None:
    request, problems = run(folder, "orderspec: 1\noperation: create\nuse: small\nwith:\n  account: 00123\n"
                                    "  orderDate: 2024-01-01\n")
    assert request is None and problems[0].code == "T012"
    assert "quote it: '00123'" in problems[0].message


def test_precedence_set_over_values_files_over_spec(folder: Path) -> None:
    first = folder / "a.yaml"
    second = folder / "b.yaml"
    first.write_text("account: FROM-A\nquantity: 2\nkind: B\n", encoding="utf-8")
    second.write_text("account: FROM-B\n", encoding="utf-8")
    spec = SPEC + "vars:\n  quantity: 9\n"
    request, problems = run(folder, spec, values_files=(str(first), str(second)))
    assert not problems and request is not None
    assert request.body["existingAccountNumber"] == "FROM-B"
    assert request.body["description"] == "B-2"
    request, problems = run(folder, spec, values_files=(str(first), str(second)),
                            sets=("account=FROM-SET", "quantity=3.50"))
    assert not problems and request is not None
    assert request.body["existingAccountNumber"] == "FROM-SET"
    assert request.body["description"] == "B-3.50"


def test_vars_are_below_with(folder: Path) -> None:
    request, problems = run(folder, SPEC + "vars:\n  account: FROM-VARS\n  quantity: 4\n")
    assert not problems and request is not None
    assert request.body["existingAccountNumber"] == "A001" and request.body["description"] == "A-4"


def test_set_values_are_read_by_the_parameter_type(folder: Path) -> None:
    request, problems = run(folder, SPEC, sets=("periods=3", "autoRenew=false", "account=00123"))
    assert not problems and request is not None
    assert request.body["existingAccountNumber"] == "00123"  # text stays text
    request, problems = run(folder, SPEC, sets=("periods=three",))
    assert request is None and problems[0].code == "T012"
    # Reported in the spec (at `use:`), with the --set assignment that supplied the value as a note.
    assert problems[0].path.endswith("s.order.yaml") and problems[0].line == 3
    assert "--set periods=three" in problems[0].related[0].path
    assert problems[0].related[0].note == "the value came from here"


def test_an_error_in_a_values_file_value_names_the_file_and_key(folder: Path) -> None:
    values = folder / "prod.yaml"
    values.write_text("# production values\norderDate: 2024-13-01\n", encoding="utf-8")
    request, problems = run(folder, SPEC, values_files=(str(values),))
    assert request is None and [p.code for p in problems] == ["T012"]
    problem = problems[0]
    assert problem.path.endswith("s.order.yaml") and problem.line == 3  # the spec's `use:`
    assert [(place.path, place.line, place.note) for place in problem.related] == [
        (str(values), 2, "the value came from here"),
        (str(folder / "tpl" / "small.yaml.j2"), 5, "the parameter's declaration")]
    assert f"values file {values}" in problem.message and "key `orderDate`" in problem.message


def test_a_schema_error_in_the_body_is_at_the_with_value_with_the_template_line_as_note(folder: Path) -> None:
    # A text that the template writes where the API wants an enum value.
    (folder / "tpl" / "bad.yaml.j2").write_text(
        "{#\nparams:\n  action: string\n#}\norderDate: '2024-01-01'\nexistingAccountNumber: A1\n"
        "subscriptions:\n  - orderActions:\n      - type: {{ action }}\n", encoding="utf-8")
    request, problems = run(folder, "orderspec: 1\noperation: create\nuse: bad\nwith:\n  action: Renew\n")
    assert not problems and request is not None
    found = [d for d in validate(request) if d.code == "S004"]
    assert found, validate(request)
    problem = found[0]
    assert problem.path.endswith("s.order.yaml") and (problem.line, problem.column) == (5, 11)  # `Renew`
    assert [(place.path.endswith("bad.yaml.j2"), place.line, place.note) for place in problem.related] == [
        (True, 9, "the template line that wrote it")]


def test_a_value_from_a_values_file_is_traced_to_its_key(folder: Path) -> None:
    (folder / "tpl" / "bad.yaml.j2").write_text(
        "{#\nparams:\n  action: string\n#}\norderDate: '2024-01-01'\nexistingAccountNumber: A1\n"
        "subscriptions:\n  - orderActions:\n      - type: {{ action }}\n", encoding="utf-8")
    values = folder / "v.yaml"
    values.write_text("other: 1\naction: Renew\n", encoding="utf-8")
    request, problems = run(folder, "orderspec: 1\noperation: create\nuse: bad\n", values_files=(str(values),))
    assert not problems and request is not None
    problem = [d for d in validate(request) if d.code == "S004"][0]
    # The spec's `use:` line is the finding's place; the values file key and template line are notes.
    assert problem.path.endswith("s.order.yaml") and problem.line == 3
    assert [(place.path.endswith(("v.yaml", "bad.yaml.j2")), place.line, place.note)
            for place in problem.related] == [(True, 2, "the value came from here"),
                                              (True, 9, "the template line that wrote it")]


def test_template_runtime_error_is_at_the_use_line_with_the_template_line_as_note(folder: Path) -> None:
    (folder / "tpl" / "div.yaml.j2").write_text("a: 1\nb: {{ 1 // 0 }}\n", encoding="utf-8")
    request, problems = run(folder, "orderspec: 1\noperation: create\nuse: div\n")
    assert request is None and [p.code for p in problems] == ["T006"]
    assert problems[0].path.endswith("s.order.yaml") and problems[0].line == 3
    assert [(place.path.endswith("div.yaml.j2"), place.line) for place in problems[0].related] == [(True, 2)]
    assert "ZeroDivisionError" in problems[0].message


def test_unknown_template_lists_names(folder: Path) -> None:
    request, problems = run(folder, "orderspec: 1\noperation: create\nuse: smal\n")
    assert request is None and [p.code for p in problems] == ["T001"]
    assert "did you mean `small`" in problems[0].message and "renew" in problems[0].message
    request, problems = run(folder, "orderspec: 1\noperation: create\nuse: ../etc/passwd\n")
    assert request is None and [p.code for p in problems] == ["T001"]


def test_body_and_use_together_is_an_error(folder: Path) -> None:
    request, problems = run(folder, SPEC + "body: {orderDate: 2024-01-01}\n")
    assert request is None and [p.code for p in problems] == ["T009"]


def test_bad_template_header_is_reported_in_the_spec_with_the_header_line_as_note(folder: Path) -> None:
    (folder / "tpl" / "h.yaml.j2").write_text("{#\nparams:\n  when: datetime\n  plan: string\n#}\na: 1\n",
                                              encoding="utf-8")
    request, problems = run(folder, "orderspec: 1\noperation: create\nuse: h\n")
    assert request is None and sorted(p.code for p in problems) == ["T008", "T008"]
    assert all(p.path.endswith("s.order.yaml") and p.line == 3 for p in problems)
    assert {(p.related[0].path.endswith("h.yaml.j2"), p.related[0].line) for p in problems} == {(True, 3), (True, 4)}


def test_check_inputs_reports_bad_values_files_and_sets(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("- a\n- b\n", encoding="utf-8")
    problems = check_inputs(ExpandContext(values_files=(str(bad),), sets=("novalue", "a..b=1")))
    assert [p.code for p in problems] == ["T013", "T013", "T013"]


def test_lint_pipeline_expands_templates_with_the_context(folder: Path) -> None:
    (folder / "s.order.yaml").write_text(SPEC.replace("A001", "X"), encoding="utf-8")
    options = pipeline.Options(expand=ExpandContext(template_dirs=(str(folder / "tpl"),), sets=("quantity=2.5",)))
    result = pipeline.run([str(folder / "s.order.yaml")], options, keep_requests=True)
    assert not result.diagnostics
    assert result.requests[0].body["description"] == "A-2.5"
