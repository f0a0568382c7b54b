"""Findings on `use:` specs are reported in the spec file the user wrote (the `with:` value that
supplied the value, else the `use:` line), with the template line as a related location, in every
stage (per request, batch rules, offline preview) and every output format."""

from __future__ import annotations

import json
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from check_support import where
from click.testing import CliRunner

from orderspec import pipeline
from orderspec.cli import cli
from orderspec.config import CheckLimits, Config
from orderspec.diagnostics import Diagnostic
from orderspec.preview import build_plan
from orderspec.resources import templates_dir

ROOT = Path(__file__).resolve().parents[1]
STOCK = templates_dir()
TEMPLATE_NOTE = "the template line that wrote it"


def add_product(number: str, subscription: str, *, comment: str = "") -> str:
    return (f"orderspec: 1\noperation: create\nuse: add-product\nwith:\n  account: A00000101\n"
            f"  subscription: {subscription}\n  orderNumber: {number}{comment}\n  orderDate: 2024-03-01\n"
            f"  effectiveDate: 2024-03-01\n  ratePlan: support-premium\n")


def specs(folder: Path, count: int, *, number: str = "O-SAME", subscription: str = "A-S00000101") -> list[Path]:
    shutil.copy(ROOT / "examples" / "catalog.yaml", folder / "catalog.yaml")
    paths = []
    for n in range(1, count + 1):
        path = folder / f"add-{n:03d}.order.yaml"
        path.write_text(add_product(number.format(n=n), subscription.format(n=n)), encoding="utf-8")
        paths.append(path)
    return paths


def one_order_each() -> pipeline.Options:
    return pipeline.Options(config=Config(limits=CheckLimits(orders_per_subscription=1)))


def template_line(template: str, needle: str) -> int:
    return where(STOCK / template, needle)[0]


def places(diagnostic: Diagnostic) -> list[tuple[str, int, int, str]]:
    return [(place.path, place.line, place.column, place.note) for place in diagnostic.related]


def test_duplicate_order_numbers_are_reported_at_each_specs_with_value_naming_both(tmp_path: Path) -> None:
    first, second, third = specs(tmp_path, 3)
    found = [d for d in pipeline.run([str(tmp_path)], one_order_each()).diagnostics if d.code == "R003"]
    assert [d.path for d in found] == [str(second), str(third)]
    line, column = where(first, "O-SAME")
    for diagnostic, path in zip(found, (second, third)):
        assert (diagnostic.line, diagnostic.column) == where(path, "O-SAME")
        # Both specs are named, each at its own file: the earlier one in the message and as a note.
        assert f"already used by {first} (line {line})" in diagnostic.message
        template, earlier = diagnostic.related
        assert Path(template.path).resolve() == (STOCK / "_order.yaml.j2").resolve()
        assert (template.line, template.note) == (template_line("_order.yaml.j2", "orderNumber:"), TEMPLATE_NOTE)
        assert (earlier.path, earlier.line, earlier.column) == (str(first), line, column)
        assert earlier.note == "the order that uses this number first"


def test_orders_per_subscription_are_reported_at_each_specs_subscription_value(tmp_path: Path) -> None:
    paths = specs(tmp_path, 3, number="O-{n}")
    found = [d for d in pipeline.run([str(tmp_path)], one_order_each()).diagnostics if d.code == "L002"]
    assert [(d.path, d.line, d.column) for d in found] == [
        (str(path), *where(path, "A-S00000101")) for path in paths[1:]]
    line = template_line("add-product.yaml.j2", "subscriptionNumber:")
    assert all(Path(d.related[0].path).resolve() == (STOCK / "add-product.yaml.j2").resolve()
               and (d.related[0].line, d.related[0].note) == (line, TEMPLATE_NOTE) for d in found)


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_large_batch_of_templated_specs_gives_findings_at_distinct_user_files(tmp_path: Path, jobs: int) -> None:
    # More files than MIN_PARALLEL_FILES: the worker and packed-locator paths are taken.
    paths = specs(tmp_path, pipeline.MIN_PARALLEL_FILES + 8)
    found = pipeline.run([str(tmp_path)], one_order_each(), jobs=jobs).diagnostics
    for code, needle in (("R003", "O-SAME"), ("L002", "A-S00000101")):
        located = [(d.path, d.line, d.column) for d in found if d.code == code]
        assert located == [(str(path), *where(path, needle)) for path in paths[1:]]
    assert {d.path for d in found} == {str(path) for path in paths[1:]}


def test_a_suppression_comment_on_the_with_value_silences_that_specs_finding(tmp_path: Path) -> None:
    first, second = specs(tmp_path, 2)
    second.write_text(add_product("O-SAME", "A-S00000102", comment="  # orderspec: ignore[R003]"),
                      encoding="utf-8")
    found = pipeline.run([str(tmp_path)], pipeline.Options()).diagnostics
    assert [d.code for d in found] == []


def test_a_schema_error_inside_a_mapping_the_spec_supplied_is_at_its_key(tmp_path: Path) -> None:
    (tmp_path / "tpl").mkdir()
    (tmp_path / "tpl" / "opts.yaml.j2").write_text(
        "{#\nparams:\n  options: mapping\n#}\norderDate: '2024-01-01'\nexistingAccountNumber: A1\n"
        "processingOptions: {{ options }}\nsubscriptions: []\n", encoding="utf-8")
    spec = tmp_path / "s.order.yaml"
    spec.write_text("orderspec: 1\noperation: create\nuse: opts\nwith:\n  options:\n"
                    "    runBiling: true\n", encoding="utf-8")
    options = pipeline.Options(expand=pipeline.expand_stage.ExpandContext(template_dirs=(str(tmp_path / "tpl"),)))
    found = [d for d in pipeline.run([str(spec)], options).diagnostics if d.code == "S001"]
    assert [(d.path, d.line, d.column) for d in found] == [(str(spec), 6, 5)]
    # (Columns in the template are those of the rendered line: only the line is the template's.)
    assert [(path, line, note) for path, line, _, note in places(found[0])] == [
        (str(tmp_path / "tpl" / "opts.yaml.j2"), 7, TEMPLATE_NOTE)]


def test_offline_preview_notes_on_templated_specs_are_in_the_spec(tmp_path: Path) -> None:
    spec = ROOT / "examples" / "templated-new-subscription.order.yaml"
    result = pipeline.run([str(spec)], pipeline.Options(), keep_requests=True)
    plan = build_plan(result.requests[0])
    assert plan.diagnostics and {d.code for d in plan.diagnostics} >= {"P001", "P003"}
    line, column = where(spec, "use: new-subscription")
    use = (line, column + len("use: "))
    for diagnostic in plan.diagnostics:
        assert (diagnostic.path, diagnostic.line, diagnostic.column) == (str(spec), *use)
        assert diagnostic.related and all(Path(place.path).resolve().is_relative_to(STOCK.resolve())
                                          for place in diagnostic.related)
    tax = next(d for d in plan.diagnostics if d.code == "P003")
    assert [(Path(p.path).name, p.line, p.note) for p in tax.related] == [("new-subscription.yaml.j2", 1,
                                                                             "the template")]


# -- every output format --------------------------------------------------------------------------

@pytest.fixture()
def duplicated(tmp_path: Path) -> tuple[Path, Path, Path]:
    first, second = specs(tmp_path, 2)
    config = tmp_path / "orderspec.toml"
    config.write_text("[limits]\norders-per-subscription = 1\n", encoding="utf-8")
    return first, second, config


def lint(config: Path, *args: str) -> str:
    result = CliRunner().invoke(cli, ["lint", "--config", str(config), "--jobs", "1", *args,
                                      str(config.parent)])
    assert result.exit_code == 1, result.output
    return result.stdout


def test_text_format_gives_the_spec_line_and_notes(duplicated: tuple[Path, Path, Path]) -> None:
    first, second, config = duplicated
    lines = lint(config).splitlines()
    template = str(STOCK / "_order.yaml.j2")
    line, column = where(second, "O-SAME")
    at = lines.index(f"{second}:{line}:{column}: R003 [error] order number `O-SAME` is already used by {first} "
                     f"(line {line}); order numbers are unique in a tenant")
    order_line = template_line("_order.yaml.j2", "orderNumber:")
    assert lines[at + 1].endswith(f":{order_line}:14: note: {TEMPLATE_NOTE}")
    assert Path(lines[at + 1].split(":")[0].strip()).resolve() == Path(template).resolve()
    assert lines[at + 2] == f"  {first}:{line}:{column}: note: the order that uses this number first"
    assert not [text for text in lines if text.startswith(str(STOCK)) or ".yaml.j2:" in text.split(" ")[0]]


def test_json_format_gives_the_spec_place_and_noted_related_places(duplicated: tuple[Path, Path, Path]) -> None:
    first, second, config = duplicated
    data = json.loads(lint(config, "--format", "json"))
    r003 = next(d for d in data["diagnostics"] if d["code"] == "R003")
    line, column = where(second, "O-SAME")
    assert (r003["path"], r003["line"], r003["column"]) == (str(second), line, column)
    assert [place["note"] for place in r003["related"]] == [TEMPLATE_NOTE, "the order that uses this number first"]
    assert r003["related"][1] == {"path": str(first), "line": line, "column": column,
                                  "note": "the order that uses this number first"}


def test_sarif_format_puts_the_spec_in_locations_and_the_template_in_related(
        duplicated: tuple[Path, Path, Path]) -> None:
    first, second, config = duplicated
    log = json.loads(lint(config, "--format", "sarif"))
    results = log["runs"][0]["results"]
    assert {r["ruleId"] for r in results} == {"R003", "L002"}
    for result in results:
        location = result["locations"][0]["physicalLocation"]
        assert location["artifactLocation"]["uri"].endswith("/add-002.order.yaml")
        related = result["relatedLocations"]
        assert related[0]["physicalLocation"]["artifactLocation"]["uri"].endswith(".yaml.j2")
        assert related[0]["message"]["text"] == TEMPLATE_NOTE
    r003 = next(r for r in results if r["ruleId"] == "R003")
    assert r003["locations"][0]["physicalLocation"]["region"] == {
        "startLine": where(second, "O-SAME")[0], "startColumn": where(second, "O-SAME")[1]}
    earlier = r003["relatedLocations"][1]
    assert earlier["physicalLocation"]["artifactLocation"]["uri"].endswith("/add-001.order.yaml")
    assert earlier["message"]["text"] == "the order that uses this number first"


def test_github_format_annotates_the_spec_file(duplicated: tuple[Path, Path, Path]) -> None:
    first, second, config = duplicated
    lines = lint(config, "--format", "github").splitlines()
    assert len(lines) == 2
    line, column = where(second, "O-SAME")
    r003 = next(text for text in lines if "title=R003" in text)
    assert r003.startswith(f"::error file={second},line={line},col={column},title=R003::")
    assert f"%0A{first}:{line}:{column}: note: the order that uses this number first" in r003
    assert f"note: {TEMPLATE_NOTE}" in r003


def test_junit_format_fails_the_spec_files_test_case(duplicated: tuple[Path, Path, Path]) -> None:
    first, second, config = duplicated
    suites = ET.fromstring(lint(config, "--format", "junit"))
    cases = {case.get("name"): case for case in suites.iter("testcase")}
    assert set(cases) == {str(first), str(second)}  # no test case for a template
    failure = cases[str(second)].find("failure")
    assert failure is not None and failure.get("type") in ("L002", "R003")
    assert f"note: {TEMPLATE_NOTE}" in (failure.text or "")
    assert cases[str(first)].find("failure") is None
