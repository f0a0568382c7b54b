"""End to end: `orderspec lint` as a user runs it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from orderspec.cli import cli

ROOT = Path(__file__).resolve().parents[1]
GOOD = """\
orderspec: 1
operation: create
body:
  orderDate: 2024-01-01
  existingAccountNumber: A00000101
"""


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["lint", *args])
    return result.exit_code, result.output


def test_shipped_examples_lint_clean() -> None:
    code, output = run(str(ROOT / "examples"))
    assert code == 0, output


def test_clean_file_exits_0(tmp_path: Path) -> None:
    (tmp_path / "a.order.yaml").write_text(GOOD)
    assert run(str(tmp_path))[0] == 0


def test_problems_exit_1_with_one_line_each(tmp_path: Path) -> None:
    spec = tmp_path / "a.order.yaml"
    spec.write_text(GOOD.replace("A00000101", "00123") + "  orderNumbr: X\n")
    code, output = run(str(spec))
    assert code == 1
    lines = [line for line in output.splitlines() if line.startswith(str(spec))]
    assert lines == [
        f"{spec}:5:26: Y020 [error] `existingAccountNumber`: YAML reads the unquoted `00123` as the number 83, "
        "but the API wants text here; quote it: '00123'",
        f"{spec}:6:3: S001 [error] unknown field `orderNumbr` (did you mean `orderNumber`?)",
    ]


def test_json_format(tmp_path: Path) -> None:
    spec = tmp_path / "a.order.yaml"
    spec.write_text(GOOD + "  orderDate: 2024-02-02\n")
    result = CliRunner().invoke(cli, ["lint", "--format", "json", str(spec)])
    data = json.loads(result.stdout)
    assert data["files"] == 1
    assert data["diagnostics"][0] | {"message": ""} == {
        "path": str(spec), "line": 6, "column": 3, "code": "Y005", "severity": "error",
        "message": "", "pointer": "/body/orderDate",
    }


def test_directories_are_searched_for_order_files_only(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b.order.yml").write_text(GOOD.replace("A00000101", "no"))
    (tmp_path / "notes.yaml").write_text("- not an order\n")
    code, output = run(str(tmp_path))
    assert code == 1
    assert "b.order.yml:5:26: Y020" in output and "notes.yaml" not in output


def test_bare_body_with_operation(tmp_path: Path) -> None:
    body = tmp_path / "payload.json"
    body.write_text('{"orderDate": "2024-01-01", "existingAccountNumber": "A1"}')
    assert run("--operation", "create", str(body))[0] == 0
    code, output = run(str(body))
    assert code == 1 and "F001" in output


def test_several_specs_in_one_file(tmp_path: Path) -> None:
    spec = tmp_path / "two.order.yaml"
    spec.write_text(GOOD + "---\n" + GOOD.replace("orderDate: 2024-01-01", "orderDate: tomorrow"))
    code, output = run(str(spec))
    assert code == 1 and f"{spec}:10:14: S007" in output


def test_missing_path_is_a_usage_error(tmp_path: Path) -> None:
    assert run(str(tmp_path / "nope"))[0] == 2


def test_directory_without_specs_is_a_usage_error(tmp_path: Path) -> None:
    code, output = run(str(tmp_path))
    assert code == 2 and "no order specs found" in output


def test_bad_files_never_give_a_traceback(tmp_path: Path) -> None:
    files = {
        "latin1.order.yaml": "name: M\xfcller\n".encode("latin-1"),
        "syntax.order.yaml": b"a: [1, 2\n",
        "empty.order.yaml": b"",
        "list.order.yaml": b"- a\n- b\n",
        "bomb.order.yaml": b"a: &a [x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
                           b"c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n"
                           b"e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\n",
        "tag.order.yaml": b"v: !!python/object/apply:os.system ['true']\n",
    }
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    process = subprocess.run([sys.executable, "-m", "orderspec", "lint", str(tmp_path)],
                             capture_output=True, text=True, timeout=60)
    assert process.returncode == 1
    assert "Traceback" not in process.stdout + process.stderr
    found = {line.split(":")[0].rsplit("/", 1)[-1]: line.split()[1] for line in process.stdout.splitlines()}
    assert found == {
        "latin1.order.yaml": "Y001", "syntax.order.yaml": "Y002", "empty.order.yaml": "Y003",
        "list.order.yaml": "Y004", "bomb.order.yaml": "Y008", "tag.order.yaml": "Y010",
    }


def test_remote_preview_refuses_offline_only_options() -> None:
    # (--thru, --periods and --term-end shape remote previews too: tests/test_dispatch_cli.py)
    spec = str(ROOT / "examples" / "preview-flat-fee-monthly.order.yaml")
    result = CliRunner().invoke(cli, ["preview", "--remote", "--bill-cycle-day", "3", spec])
    assert result.exit_code == 2 and "offline" in result.output


# -- what is a finding (exit 1) and what is trouble with the input (exit 2) ------------------------

def test_a_file_that_is_not_utf8_is_a_finding_in_that_file(tmp_path: Path) -> None:
    """Y001 is found in a file that was read, like a YAML syntax error: exit 1, at the first bad
    byte, its column counted in characters as every other column is."""
    spec = tmp_path / "latin1.order.yaml"
    spec.write_bytes(GOOD.encode() + "  description: \u00e9t\u00e9 \u2014 ".encode() + "M\xfcller\n".encode("latin-1"))
    (tmp_path / "good.order.yaml").write_text(GOOD)
    for command in (["lint"], ["render", "-o", str(tmp_path / "out")]):
        result = CliRunner().invoke(cli, [*command, str(tmp_path)])
        assert result.exit_code == 1, result.output
        assert f"{spec}:6:23: Y001 " in result.output  # `  description: été — M` is 22 characters


def _unreadable_batch(folder: Path) -> Path:
    """A folder whose search finds a spec that cannot be opened (a link to a file since removed):
    as root, file modes do not stop a read."""
    folder.mkdir()
    (folder / "good.order.yaml").write_text(GOOD)
    (folder / "gone.order.yaml").symlink_to(folder / "removed.order.yaml")
    return folder


def test_a_file_that_cannot_be_read_exits_2_in_every_command(tmp_path: Path) -> None:
    specs = _unreadable_batch(tmp_path / "specs")
    for command in (["lint"], ["render", "-o", str(tmp_path / "out")],
                    ["send", "--base-url", "http://127.0.0.1:9"]):
        result = CliRunner().invoke(cli, [*command, str(specs)])
        assert result.exit_code == 2, (command, result.output)
        assert f"{specs / 'gone.order.yaml'}:1:1: Y012 [error] cannot read the file" in result.output


def test_readme_lint_example_is_what_lint_prints(tmp_path: Path, monkeypatch) -> None:
    """The README's first example: its spec, linted, gives exactly the lines it shows."""
    import re

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    spec = re.search(r"```yaml\n(orderspec: 1\noperation: preview.*?)```", readme, re.S)
    shown = re.search(r"```console\n\$ orderspec lint orders/\n(.*?)```", readme, re.S)
    assert spec and shown
    (tmp_path / "orders").mkdir()
    (tmp_path / "orders" / "acme.order.yaml").write_text(spec.group(1), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["lint", "orders/"])
    assert result.exit_code == 1
    assert result.stdout == shown.group(1)
    assert all(" [error] " in line or " [warning] " in line for line in shown.group(1).splitlines())


def test_several_specs_in_one_file_are_named_as_docs_spec_format_says(tmp_path: Path, monkeypatch) -> None:
    """Diagnostics: the plain path and the line inside the document; rendered files: `-2`;
    send/preview/diff: `file#2`. docs/spec-format.md once said diagnostics name `file#2`."""
    docs = (ROOT / "docs" / "spec-format.md").read_text(encoding="utf-8")
    renew = (ROOT / "examples" / "renew.order.yaml").read_text(encoding="utf-8")
    (tmp_path / "catalog.yaml").write_bytes((ROOT / "examples" / "catalog.yaml").read_bytes())
    second = renew.replace("orderDate: 2024-12-15", "orderDate: 2024-13-01")
    assert second != renew
    (tmp_path / "orders.order.yaml").write_text(renew + "---\n" + second, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    code, output = run("orders.order.yaml")
    assert code == 1 and "#2" not in output
    first_line = output.splitlines()[0]
    assert first_line.startswith("orders.order.yaml:18:14: T012 ")
    assert f"`{first_line.split(' ')[0]} ...`" in docs

    (tmp_path / "orders.order.yaml").write_text(renew + "---\n" + renew.replace("A-S00000101", "A-S00000102"),
                                               encoding="utf-8")
    result = CliRunner().invoke(cli, ["render", "orders.order.yaml", "-o", "out"])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "out").glob("*.json")) == ["orders-1.json", "orders-2.json"]
    assert "`orders-1.json`, `orders-2.json`" in docs
    result = CliRunner().invoke(cli, ["send", "orders.order.yaml", "--base-url", "http://127.0.0.1:9"])
    assert result.exit_code == 0 and "== orders.order.yaml#2: would send" in result.output
    assert "`orders.order.yaml#2`" in docs and "`file#2`" not in docs

NUMBERS_AS_TEXT = """\
orderspec: 1
operation: create
body:
  orderDate: 2024-01-01
  existingAccountNumber: A00000101
  subscriptions:
    - orderActions:
        - type: CreateSubscription
          triggerDates: [{name: ContractEffective, triggerDate: 2024-01-01}]
          createSubscription:
            terms:
              initialTerm: {period: "12", periodType: Month, termType: TERMED}
              renewalTerms: [{period: 12, periodType: Month}]
            subscribeToRatePlans:
              - productRatePlanId: 8ad09be48db5aa31018db8f2ac4e1a2b
"""


def test_numbers_as_text_warn_pass_lint_and_render_as_written(tmp_path: Path) -> None:
    spec = tmp_path / "a.order.yaml"
    spec.write_text(NUMBERS_AS_TEXT)
    code, output = run(str(spec))
    assert code == 0, output
    assert f"{spec}:12:37: S011 [warning] `period` is the text \"12\"" in output
    assert run(str(spec), "--fail-on", "warning")[0] == 1
    result = CliRunner().invoke(cli, ["render", str(spec), "-o", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    body = json.loads((tmp_path / "out" / "a.json").read_text(encoding="utf-8"))
    initial = body["subscriptions"][0]["orderActions"][0]["createSubscription"]["terms"]["initialTerm"]
    assert initial["period"] == "12"  # exactly what the user wrote
