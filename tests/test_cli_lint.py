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
        f"{spec}:5:26: Y020 `existingAccountNumber`: YAML reads the unquoted `00123` as the number 83, "
        "but the API wants text here; quote it: '00123'",
        f"{spec}:6:3: S001 unknown field `orderNumbr` (did you mean `orderNumber`?)",
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
