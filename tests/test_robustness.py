"""Property test: whatever text or bytes a spec file holds, lint never raises, exits 0/1/2, and
every diagnostic points at a place in the file with a registered code."""

from __future__ import annotations

import json
import os
import re
import tempfile
import xml.etree.ElementTree as ET
from decimal import Decimal
from pathlib import Path

import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from orderspec import pipeline
from orderspec.cli import cli
from orderspec.registry import RULES

REPO = Path(__file__).resolve().parent.parent
EXAMPLE = (REPO / "examples" / "new-subscription.order.yaml").read_text(encoding="utf-8")

# Modest and reproducible: the whole module stays well under 30 s.
PROPERTY = settings(max_examples=120, deadline=None, derandomize=True, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

# Pieces of YAML that exercise the loader's corners: flow and block syntax, anchors, tags,
# merge keys, YAML 1.1 type traps, document markers, odd characters.
FRAGMENTS = [
    ": ", "- ", "? ", "{", "}", "[", "]", ",", "'", '"', "#", "|\n", ">-\n", "\n", "  ", "\t",
    "&a ", "*a", "&b [*a, *a]", "<<: *a", "<<: [*a, *b]", "!!python/object:os.system ", "!!binary ",
    "!!set ", "!!str ", "!!int ", "!!float ", "!!timestamp ", "!custom ", "!!map ", "!!seq ",
    "no", "yes", "on", "~", "null", "0123", "0x1F", "1_000", "1:30", "1e3", ".inf", "-.nan", "19.99",
    "2024-01-01", "2024-13-45", "---\n", "...\n", "%YAML 1.1\n", "%TAG ! tag:x,2024:\n",
    "\ufeff", "\x00", "\x85", "\u2028", "\ud7ff", "é", "orderspec: 1\n", "operation: preview\n",
    "async: auto\n", "body:\n", "subscriptions:\n", "orderActions:\n", "type: CreateSubscription\n",
    "headers: {trackId: 1}\n", "params: {returnIds: yes}\n", "use: x\n", "[[[[[[[[[[", "{a: {b: {c: ",
]


def check_file(path: Path, operation: str | None = None) -> None:
    result = pipeline.process_file(str(path), pipeline.Options(bare_operation=operation))
    # YAML's line breaks include NEL, LS and PS, and the parser counts them as lines too.
    lines = len(re.findall("\r\n|[\r\n\x85\u2028\u2029]", result.text)) + 1 if result.text else None
    for d in result.diagnostics:
        assert d.code in RULES, d
        assert d.path == str(path), d
        assert isinstance(d.line, int) and d.line >= 1, d
        assert isinstance(d.column, int) and d.column >= 1, d
        if lines is not None:
            assert d.line <= lines + 1, (d, lines)
        assert d.message and isinstance(d.message, str), d
        for related in d.related:
            assert related.line >= 1 and related.column >= 1, d


def in_temp_file(content: bytes, suffix: str = ".order.yaml") -> Path:
    handle = tempfile.NamedTemporaryFile("wb", suffix=suffix, delete=False)
    with handle:
        handle.write(content)
    return Path(handle.name)


def mutate(text: str, edits: list[tuple[int, int, int, str]]) -> str:
    """Apply (kind, position, length, fragment) edits: delete, insert, replace, duplicate a line."""
    for kind, position, length, fragment in edits:
        at = position % (len(text) + 1)
        if kind == 0:
            text = text[:at] + text[at + length:]
        elif kind == 1:
            text = text[:at] + fragment + text[at:]
        elif kind == 2:
            text = text[:at] + fragment + text[at + length:]
        else:
            lines = text.split("\n")
            line = position % len(lines)
            lines.insert(line, lines[line])
            text = "\n".join(lines)
    return text


edit = st.tuples(st.integers(0, 3), st.integers(0, 10_000), st.integers(0, 40), st.sampled_from(FRAGMENTS))


@PROPERTY
@given(st.lists(edit, min_size=1, max_size=6))
def test_mutated_specs_never_break_the_pipeline(edits: list[tuple[int, int, int, str]]) -> None:
    path = in_temp_file(mutate(EXAMPLE, edits).encode("utf-8", "surrogatepass"))
    try:
        check_file(path)
    finally:
        os.unlink(path)


@PROPERTY
@given(st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=8)), max_size=30))
def test_random_yaml_text_never_breaks_the_pipeline(pieces: list[str]) -> None:
    path = in_temp_file("".join(pieces).encode("utf-8", "surrogatepass"))
    try:
        check_file(path)
        check_file(path, operation="async-preview")
    finally:
        os.unlink(path)


@PROPERTY
@given(st.binary(max_size=300))
def test_random_bytes_never_break_the_pipeline(content: bytes) -> None:
    for suffix in (".order.yaml", ".order.json"):
        path = in_temp_file(content, suffix)
        try:
            check_file(path)
        finally:
            os.unlink(path)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=12)
    | st.decimals(allow_nan=False, allow_infinity=False, places=2),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=25,
)
body_keys = st.sampled_from(["orderDate", "orderNumber", "existingAccountNumber", "subscriptions",
                             "newAccount", "customFields", "processingOptions", "description"])


@PROPERTY
@given(st.dictionaries(body_keys, json_values, max_size=6), st.sampled_from(["create", "preview"]),
       st.sampled_from([True, False, "auto"]))
def test_random_bodies_never_break_the_pipeline(body: dict, operation: str, async_mode: object) -> None:
    spec = {"orderspec": 1, "operation": operation, "async": async_mode,
            "body": json.loads(json.dumps(body, default=str))}
    for text in (yaml.safe_dump(spec, allow_unicode=True), json.dumps(spec, ensure_ascii=False)):
        path = in_temp_file(text.encode("utf-8"), ".order.yaml" if text[0] != "{" else ".order.json")
        try:
            check_file(path)
        finally:
            os.unlink(path)


@settings(max_examples=25, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(edit, min_size=1, max_size=4), st.sampled_from(["text", "json", "sarif", "github", "junit"]))
def test_cli_exits_0_1_or_2_and_every_format_stays_parseable(edits: list[tuple[int, int, int, str]],
                                                            output_format: str) -> None:
    path = in_temp_file(mutate(EXAMPLE, edits).encode("utf-8", "surrogatepass"))
    try:
        result = CliRunner().invoke(cli, ["lint", str(path), "--format", output_format, "--jobs", "1"])
    finally:
        os.unlink(path)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert result.exit_code in (0, 1, 2), result.output
    assert "Traceback" not in result.output
    if output_format in ("json", "sarif"):
        json.loads(result.stdout)
    elif output_format == "junit":
        ET.fromstring(result.stdout)
    elif output_format == "github" and result.stdout:
        assert all(line.startswith(("::error ", "::warning ", "::notice ")) for line in result.stdout.splitlines())


def test_decimal_strategy_sanity() -> None:
    # The generated money values reach the loader as text and come back as Decimal, never float.
    path = in_temp_file(b"orderspec: 1\noperation: create\nbody: {orderDate: '2024-01-01', x: 19.99}\n")
    try:
        result = pipeline.process_file(str(path), pipeline.Options())
    finally:
        os.unlink(path)
    assert result.requests[0].body["x"] == Decimal("19.99")
