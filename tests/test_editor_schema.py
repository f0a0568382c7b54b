"""`orderspec schema`: a draft-07 JSON Schema of spec files for yaml-language-server."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from click.testing import CliRunner

from orderspec import editor_schema
from orderspec.cli import cli
from orderspec.load import load_file, load_text
from orderspec.model import ENDPOINTS
from orderspec.resources import load_schema

REPO = Path(__file__).resolve().parent.parent
EXAMPLE = REPO / "examples" / "new-subscription.order.yaml"


@pytest.fixture(scope="module")
def checker() -> jsonschema.Draft7Validator:
    schema = editor_schema.spec_schema()
    jsonschema.Draft7Validator.check_schema(schema)
    return jsonschema.Draft7Validator(schema)


def spec(text: str) -> Any:
    # orderspec's own loader: dates stay text, as they do in an editor reading YAML 1.2.
    return load_text(text, "t.order.yaml").documents[0].value


def messages(checker: jsonschema.Draft7Validator, value: Any) -> list[str]:
    return [e.message for e in checker.iter_errors(value)]


def test_the_schema_is_draft07_without_newer_keywords() -> None:
    schema = editor_schema.spec_schema()
    assert schema["$schema"] == "http://json-schema.org/draft-07/schema#"
    text = json.dumps(schema)
    assert "$defs" not in text and '"#/$defs' not in text
    jsonschema.Draft7Validator.check_schema(schema)


def test_every_example_spec_is_valid(checker: jsonschema.Draft7Validator) -> None:
    for path in sorted((REPO / "examples").glob("*.order.yaml")):
        for document in load_file(str(path)).documents:
            assert messages(checker, document.value) == [], path


def test_wrapper_mistakes_are_flagged(checker: jsonschema.Draft7Validator) -> None:
    base = EXAMPLE.read_text(encoding="utf-8")
    assert any("boddy" in m for m in messages(checker, spec(base + "boddy: {}\n")))
    wrong_operation = base.replace("operation: create", "operation: submit")
    assert any("submit" in m for m in messages(checker, spec(wrong_operation)))
    assert any("trackid" in m for m in messages(checker, spec(base.replace("trackId:", "trackid:"))))
    no_body = "orderspec: 1\noperation: create\n"
    assert messages(checker, spec(no_body))
    assert messages(checker, spec(no_body + "use: stock/new-subscription\n")) == []


def test_body_follows_the_endpoint_schema(checker: jsonschema.Draft7Validator) -> None:
    base = EXAMPLE.read_text(encoding="utf-8")
    typo = base.replace("  description: Annual plan", "  descriptionn: Annual plan")
    assert any("descriptionn" in m for m in messages(checker, spec(typo)))
    bad_enum = base.replace("termType: TERMED", "termType: TERM")
    assert any("TERM" in m for m in messages(checker, spec(bad_enum)))


def test_async_and_preview_specs_get_their_own_body_schema(checker: jsonschema.Draft7Validator) -> None:
    sync = set(load_schema(ENDPOINTS["create"].schema)["properties"])
    async_ = set(load_schema(ENDPOINTS["async-create"].schema)["properties"])
    only_sync, only_async = sorted(sync - async_), sorted(async_ - sync)
    if not only_sync and not only_async:
        pytest.skip("the sync and async create bodies take the same fields")
    field = (only_async or only_sync)[0]
    doc = spec("orderspec: 1\noperation: create\nbody: {orderDate: '2024-01-01'}\n")
    doc["body"][field] = {}
    sync_errors = messages(checker, doc)
    doc["async"] = True
    async_errors = messages(checker, doc)
    unexpected = [m for m in (sync_errors if only_async else async_errors) if field in m]
    assert unexpected, f"`{field}` should be refused by one endpoint's body schema"
    assert not [m for m in (async_errors if only_async else sync_errors) if "unexpected" in m and field in m]

    preview = spec("orderspec: 1\noperation: preview\nparams: {returnIds: true}\n"
                   "body: {orderDate: '2024-01-01'}\n")
    assert any("returnIds" in m for m in messages(checker, preview))


def test_cli_writes_the_schema_to_stdout_and_to_a_file(tmp_path: Path) -> None:
    printed = CliRunner().invoke(cli, ["schema"])
    assert printed.exit_code == 0
    assert json.loads(printed.stdout) == editor_schema.spec_schema()
    target = tmp_path / "orderspec.schema.json"
    written = CliRunner().invoke(cli, ["schema", "-o", str(target)])
    assert written.exit_code == 0
    assert target.read_text(encoding="utf-8") == printed.stdout  # deterministic
    assert [p.name for p in tmp_path.iterdir()] == ["orderspec.schema.json"]


def test_cli_unwritable_schema_output_is_a_clear_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["schema", "-o", str(tmp_path / "no" / "s.json")])
    assert result.exit_code == 2
    assert "cannot write" in result.output and "Traceback" not in result.output


def test_ref_with_siblings_keeps_the_siblings() -> None:
    converted = editor_schema._to_draft07({"$ref": "#/$defs/X", "description": "d"}, "create")
    assert converted == {"description": "d", "allOf": [{"$ref": "#/definitions/create.X"}]}
    with pytest.raises(ValueError):
        editor_schema._to_draft07({"prefixItems": []}, "create")
