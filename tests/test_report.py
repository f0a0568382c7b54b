"""Report formats: golden GitHub and JUnit output, a structural SARIF 2.1.0 check, --output pairs."""

from __future__ import annotations

import json
import os
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner

from orderspec import pipeline, report
from orderspec.cli import cli
from orderspec.diagnostics import Diagnostic, Location, Severity
from orderspec.registry import RULES

REPO = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "report"
EXAMPLES = REPO / "examples"
BAD_SPEC = """\
orderspec: 1
operation: create
body:
  orderDate: 01/02/2024
  existingAccountNumber: A1
  subscriptions: []
  descriptionn: typo
"""


def sample_report() -> report.Report:
    """Diagnostics that exercise every escaping rule and severity, built by hand so that the
    goldens test the formats and nothing else."""
    return report.Report(
        files=["specs/a.order.yaml", "specs/b, c.order.yaml", "./specs/clean.order.yaml"],
        diagnostics=[
            Diagnostic("specs/a.order.yaml", 4, 14, "S007", Severity.ERROR,
                       "`orderDate`: `01/02/2024` is not a date in the form YYYY-MM-DD",
                       pointer="/orderDate"),
            Diagnostic("specs/a.order.yaml", 9, 3, "S001", Severity.ERROR,
                       "unknown field `descriptionn` (did you mean `description`?)",
                       pointer="/descriptionn",
                       related=(Location("templates/base.yaml", 2, 5),)),
            Diagnostic("specs/b, c.order.yaml", 1, 1, "Y021", Severity.WARNING,
                       "100% sure:\nline two\r<&> \"quoted\"", pointer=""),
        ],
    )


def golden(name: str, actual: str) -> None:
    path = FIXTURES / name
    if os.environ.get("ORDERSPEC_UPDATE_GOLDEN"):
        path.write_bytes(actual.encode("utf-8"))
    assert actual == path.read_bytes().decode("utf-8"), f"differs from {path} (ORDERSPEC_UPDATE_GOLDEN=1 rewrites)"


def test_text_golden_says_error_or_warning_on_every_line() -> None:
    text = report.to_text(sample_report())
    golden("sample.txt", text)
    lines = text.splitlines()
    assert lines[0] == ("specs/a.order.yaml:4:14: S007 [error] `orderDate`: `01/02/2024` is not a date "
                        "in the form YYYY-MM-DD")
    assert lines[2] == "  templates/base.yaml:2:5: note: from here"
    assert lines[3] == "specs/b, c.order.yaml:1:1: Y021 [warning] 100% sure:"
    assert lines[-1] == "2 error(s), 1 warning(s) in 3 files"


def test_coloured_text_is_the_plain_text_in_colour() -> None:
    import re

    coloured = report.text_lines(sample_report(), colour=True)
    assert "\x1b[" in coloured
    assert re.sub("\x1b\\[[0-9;]*m", "", coloured) == report.text_lines(sample_report())


def test_github_annotations_golden() -> None:
    golden("sample.github.txt", report.to_github(sample_report()))


def test_github_escaping_follows_the_workflow_command_rules() -> None:
    lines = report.to_github(sample_report()).splitlines()
    assert len(lines) == 3  # a message with newlines stays one command
    assert lines[0].startswith("::error file=specs/a.order.yaml,line=4,col=14,title=S007::")
    assert "file=specs/b%2C c.order.yaml," in lines[2]
    assert lines[2].startswith("::warning ")
    assert lines[2].endswith("::100%25 sure:%0Aline two%0D<&> \"quoted\"")
    assert "%0Atemplates/base.yaml:2:5: note: from here" in lines[1]


def test_junit_golden_one_testcase_per_file() -> None:
    xml = report.to_junit(sample_report())
    golden("sample.junit.xml", xml)
    root = ET.fromstring(xml)
    cases = root.findall("./testsuite/testcase")
    assert [c.get("name") for c in cases] == ["specs/a.order.yaml", "specs/b, c.order.yaml",
                                              "./specs/clean.order.yaml"]
    # Only the error fails a file; a warning below --fail-on is reported but passes.
    assert [c.find("failure") is not None for c in cases] == [True, False, False]
    assert root.get("tests") == "3" and root.get("failures") == "1"
    assert "line two\\x0d<&>" in cases[1].findtext("system-out", "")


def test_junit_is_well_formed_whatever_the_message_holds() -> None:
    nasty = report.Report(["a\x01.yaml"], [Diagnostic("a\x01.yaml", 1, 1, "F003", Severity.ERROR,
                                                       "unknown spec key `\x00\x1b\ud800`")])
    case = ET.fromstring(report.to_junit(nasty)).find("./testsuite/testcase")
    assert case is not None and case.get("name") == "a\\x01.yaml"
    assert "\\x00\\x1b\\ud800" in case.findtext("failure", "")


def test_junit_fail_on_warning_fails_the_warned_file() -> None:
    strict = report.Report(sample_report().files, sample_report().diagnostics, Severity.WARNING)
    cases = ET.fromstring(report.to_junit(strict)).findall("./testsuite/testcase")
    assert [c.find("failure") is not None for c in cases] == [True, True, False]


# -- SARIF -------------------------------------------------------------------------------------

# The parts of the SARIF 2.1.0 schema (OASIS) that code-scanning services insist on: required
# properties, their types, the level values, 1-based regions.
_MESSAGE = {"type": "object", "required": ["text"], "properties": {"text": {"type": "string"}}}
_LOCATION = {
    "type": "object",
    "properties": {"physicalLocation": {
        "type": "object",
        "required": ["artifactLocation", "region"],
        "properties": {
            "artifactLocation": {"type": "object", "required": ["uri"],
                                 "properties": {"uri": {"type": "string", "minLength": 1},
                                                "uriBaseId": {"type": "string"}}},
            "region": {"type": "object", "required": ["startLine"],
                       "properties": {"startLine": {"type": "integer", "minimum": 1},
                                      "startColumn": {"type": "integer", "minimum": 1}}},
        },
    }},
    "required": ["physicalLocation"],
}
SARIF_STRUCTURE = {
    "type": "object",
    "required": ["version", "runs"],
    "properties": {
        "version": {"const": "2.1.0"},
        "$schema": {"type": "string", "format": "uri"},
        "runs": {"type": "array", "minItems": 1, "items": {
            "type": "object",
            "required": ["tool"],
            "properties": {
                "columnKind": {"enum": ["utf16CodeUnits", "unicodeCodePoints"]},
                "tool": {"type": "object", "required": ["driver"], "properties": {"driver": {
                    "type": "object",
                    "required": ["name"],
                    "properties": {
                        "name": {"type": "string"},
                        "version": {"type": "string"},
                        "informationUri": {"type": "string"},
                        "rules": {"type": "array", "items": {
                            "type": "object",
                            "required": ["id", "shortDescription", "help"],
                            "properties": {
                                "id": {"type": "string"},
                                "name": {"type": "string"},
                                "shortDescription": _MESSAGE,
                                "fullDescription": _MESSAGE,
                                "help": _MESSAGE,
                                "defaultConfiguration": {"type": "object", "properties": {
                                    "level": {"enum": ["none", "note", "warning", "error"]}}},
                            },
                        }},
                    },
                }}},
                "results": {"type": "array", "items": {
                    "type": "object",
                    "required": ["message", "ruleId", "level", "locations"],
                    "properties": {
                        "ruleId": {"type": "string"},
                        "ruleIndex": {"type": "integer", "minimum": -1},
                        "level": {"enum": ["none", "note", "warning", "error"]},
                        "message": _MESSAGE,
                        "locations": {"type": "array", "minItems": 1, "items": _LOCATION},
                        "relatedLocations": {"type": "array", "items": _LOCATION},
                    },
                }},
            },
        }},
    },
}


def check_sarif(log: dict) -> None:
    jsonschema.Draft202012Validator(SARIF_STRUCTURE).validate(log)
    run = log["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    ids = [r["id"] for r in rules]
    assert len(ids) == len(set(ids)), "rule ids must be unique"
    for result in run["results"]:
        if "ruleIndex" in result:
            assert rules[result["ruleIndex"]]["id"] == result["ruleId"]


def test_sarif_of_examples_passes_the_structural_check() -> None:
    result = CliRunner().invoke(cli, ["lint", str(EXAMPLES), "--format", "sarif"])
    assert result.exit_code == 0, result.output
    log = json.loads(result.stdout)
    check_sarif(log)
    driver = log["runs"][0]["tool"]["driver"]
    assert driver["name"] == "orderspec"
    # Every registered rule is listed, with its summary and help.
    assert {r["id"] for r in driver["rules"]} == set(RULES)
    for descriptor in driver["rules"]:
        assert descriptor["shortDescription"]["text"] == RULES[descriptor["id"]].summary
        assert RULES[descriptor["id"]].summary in descriptor["help"]["text"]


def test_sarif_results_carry_rule_level_message_and_region(tmp_path: Path) -> None:
    spec = tmp_path / "bad.order.yaml"
    spec.write_text(BAD_SPEC, encoding="utf-8")
    result = CliRunner().invoke(cli, ["lint", str(spec), "--format", "sarif"])
    assert result.exit_code == 1
    log = json.loads(result.stdout)
    check_sarif(log)
    found = pipeline.run([str(spec)]).diagnostics
    results = log["runs"][0]["results"]
    assert len(results) == len(found) >= 2
    for sarif_result, diagnostic in zip(results, found):
        assert sarif_result["ruleId"] == diagnostic.code
        assert sarif_result["message"]["text"] == diagnostic.message
        region = sarif_result["locations"][0]["physicalLocation"]["region"]
        assert (region["startLine"], region["startColumn"]) == (diagnostic.line, diagnostic.column)
    by_code = {r["ruleId"]: r for r in results}
    assert by_code["S007"]["locations"][0]["physicalLocation"]["region"] == {"startLine": 4,
                                                                           "startColumn": 14}
    assert by_code["S001"]["level"] == "error"


def test_sarif_uris_are_relative_and_percent_encoded() -> None:
    log = report.to_sarif_log(sample_report())
    check_sarif(log)
    uris = [r["locations"][0]["physicalLocation"]["artifactLocation"] for r in log["runs"][0]["results"]]
    assert uris[0] == {"uri": "specs/a.order.yaml", "uriBaseId": "%SRCROOT%"}
    assert uris[2]["uri"] == "specs/b%2C%20c.order.yaml"
    assert log["runs"][0]["results"][2]["level"] == "warning"
    assert report.artifact_uri(os.path.abspath("x y.yaml")) == ("x%20y.yaml", "%SRCROOT%")
    outside = os.path.abspath(os.path.join(os.sep, "elsewhere", "a.yaml"))
    if not outside.startswith(os.getcwd()):
        assert report.artifact_uri(outside)[0].startswith("file:///")


def test_github_paths_are_relative_to_the_working_directory() -> None:
    inside = os.path.join(os.getcwd(), "specs", "a.order.yaml")
    found = report.Report([inside], [Diagnostic(inside, 1, 2, "F001", Severity.ERROR, "m")])
    assert report.to_github(found).startswith("::error file=specs/a.order.yaml,line=1,col=2,")


# -- CLI: formats, --output pairs, colour -------------------------------------------------------

def test_cli_github_output_matches_the_renderer(tmp_path: Path) -> None:
    spec = tmp_path / "bad.order.yaml"
    spec.write_text(BAD_SPEC, encoding="utf-8")
    result = CliRunner().invoke(cli, ["lint", str(spec), str(EXAMPLES), "--format", "github"])
    assert result.exit_code == 1
    batch = pipeline.run([str(spec), str(EXAMPLES)])
    expected = report.to_github(report.Report([f.path for f in batch.files], batch.diagnostics))
    assert result.stdout == expected
    assert "::error file=" in result.stdout and "title=S007::" in result.stdout


def test_several_formats_go_to_their_own_files(tmp_path: Path) -> None:
    spec = tmp_path / "bad.order.yaml"
    spec.write_text(BAD_SPEC, encoding="utf-8")
    sarif, junit = tmp_path / "out.sarif", tmp_path / "out.xml"
    result = CliRunner().invoke(cli, [
        "lint", str(spec), "--format", "github", "--format", "sarif", "--output", str(sarif),
        "--format=junit", f"--output={junit}"])
    assert result.exit_code == 1, result.output
    assert result.stdout.startswith("::error ")
    check_sarif(json.loads(sarif.read_text(encoding="utf-8")))
    assert ET.fromstring(junit.read_text(encoding="utf-8")).get("failures") == "1"
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".orderspec-")]


@pytest.mark.parametrize("args, message", [
    (["--format", "json", "--format", "sarif"], "only one format can go to stdout"),
    (["--format", "json", "--output", "a", "--output", "b"], "has no --format"),
    (["--format", "json", "--output", "a", "--format", "sarif", "--output", "a"], "same --output"),
])
def test_bad_output_pairs_are_usage_errors(args: list[str], message: str, tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["lint", str(EXAMPLES), *args])
    assert result.exit_code == 2
    assert message in result.output


def test_pair_outputs_keeps_command_line_order() -> None:
    assert report.pair_outputs([]) == [("text", None)]
    assert report.pair_outputs(["--output", "r.txt", "x"]) == [("text", "r.txt")]
    assert report.pair_outputs(["--format", "text", "--format", "sarif", "--output", "s"]) == [
        ("text", None), ("sarif", "s")]
    assert report.pair_outputs(["--format", "sarif", "--output", "s", "--", "--format"]) == [
        ("sarif", "s")]


def test_unwritable_output_is_a_clear_error_and_leaves_nothing(tmp_path: Path) -> None:
    target = tmp_path / "missing-dir" / "out.sarif"
    result = CliRunner().invoke(cli, ["lint", str(EXAMPLES), "--format", "sarif", "--output", str(target)])
    assert result.exit_code == 2
    assert f"cannot write {target}" in result.output
    assert "Traceback" not in result.output
    assert not target.parent.exists()


class _FakeTerminal:
    def isatty(self) -> bool:
        return True


def test_colour_only_on_a_terminal_and_never_with_no_color(monkeypatch) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    assert report.wants_colour(_FakeTerminal())  # type: ignore[arg-type]
    monkeypatch.setenv("NO_COLOR", "1")
    assert not report.wants_colour(_FakeTerminal())  # type: ignore[arg-type]
    coloured = report.text_lines(sample_report(), colour=True)
    assert "\x1b[" in coloured
    assert "\x1b[" not in report.text_lines(sample_report(), colour=False)


def test_text_output_through_a_pipe_has_no_escape_codes(tmp_path: Path) -> None:
    spec = tmp_path / "bad.order.yaml"
    spec.write_text(BAD_SPEC, encoding="utf-8")
    result = CliRunner().invoke(cli, ["lint", str(spec)])
    assert result.exit_code == 1
    assert "\x1b[" not in result.output
    assert f"{spec}:4:14: S007 " in result.stdout
    assert "error(s)" in result.stderr


def test_related_locations_say_what_they_are_in_every_format() -> None:
    noted = Diagnostic("specs/a.order.yaml", 7, 16, "R003", Severity.ERROR, "order number taken",
                       related=(Location("templates/_order.yaml.j2", 4, 14, "the template line that wrote it"),
                                Location("specs/b.order.yaml", 7, 16)))
    sample = report.Report(["specs/a.order.yaml"], [noted])
    assert report.to_text(sample).splitlines()[1:3] == [
        "  templates/_order.yaml.j2:4:14: note: the template line that wrote it",
        "  specs/b.order.yaml:7:16: note: from here"]
    assert json.loads(report.to_json(sample))["diagnostics"][0]["related"] == [
        {"path": "templates/_order.yaml.j2", "line": 4, "column": 14, "note": "the template line that wrote it"},
        {"path": "specs/b.order.yaml", "line": 7, "column": 16}]
    related = report.to_sarif_log(sample)["runs"][0]["results"][0]["relatedLocations"]  # type: ignore[index]
    assert [place["message"]["text"] for place in related] == ["the template line that wrote it", "from here"]
    assert "%0Atemplates/_order.yaml.j2:4:14: note: the template line that wrote it%0A" in report.to_github(sample)
    # A note describes a place; it is not part of it.
    assert Location("a", 1, 2, "one note") == Location("a", 1, 2)
