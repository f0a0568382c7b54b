"""`orderspec diff`: changed fields and the change in money between two versions of order specs.

Expected figures are worked out by hand in the comments.
"""

from __future__ import annotations

import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from orderspec.cli import cli
from orderspec.diff import diff_paths, markdown_report, text_report

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "preview-flat-fee-monthly.order.yaml"

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def repriced(tmp_path: Path, name: str, price: str, source: Path = EXAMPLE) -> Path:
    text = source.read_text(encoding="utf-8")
    assert "listPrice: 30.00" in text
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text.replace("listPrice: 30.00", f"listPrice: {price}"), encoding="utf-8")
    return path


def test_two_files_show_the_changed_field_and_the_money(tmp_path: Path) -> None:
    new = repriced(tmp_path, "new.order.yaml", "35.00")
    changes = diff_paths(str(EXAMPLE), str(new))
    assert [c.status for c in changes] == ["changed"]
    (pointer, before, after), = changes[0].fields
    assert pointer.endswith("/chargeOverrides/0/pricing/recurringFlatFee/listPrice")
    assert (str(before), str(after)) == ("30.00", "35.00")
    text = text_report(changes)
    # MRR 30.00 -> 35.00 (+5.00); TCV 12 months: 360.00 -> 420.00 (+60.00);
    # invoiced over 3 periods: 30 * 16/31 = 15.48 + 60.00 = 75.48 -> 35 * 16/31 = 18.06 + 70.00 = 88.06 (+12.58)
    assert "MRR 30.00 -> 35.00 (+5.00)" in text
    assert "TCV 360.00 -> 420.00 (+60.00)" in text
    assert "Invoiced 75.48 -> 88.06 (+12.58)" in text


def test_a_number_quoted_shows_as_a_field_change_and_the_same_money(tmp_path: Path) -> None:
    # `"30.00"` is sent as text (S011): the body sent changes, the figures (the API reads 30.00) do not.
    quoted = repriced(tmp_path, "quoted.order.yaml", '"30.00"')
    changes = diff_paths(str(EXAMPLE), str(quoted))
    assert [c.status for c in changes] == ["changed"]
    (pointer, before, after), = changes[0].fields
    assert pointer.endswith("/recurringFlatFee/listPrice") and (before, after) == (Decimal("30.00"), "30.00")
    assert "MRR 30.00 -> 30.00 (0.00)" in text_report(changes)


def test_directories_match_orders_by_path(tmp_path: Path) -> None:
    old, new = tmp_path / "old", tmp_path / "new"
    old.mkdir()
    shutil.copy(EXAMPLE, old / "a.order.yaml")
    shutil.copy(EXAMPLE, old / "gone.order.yaml")
    new.mkdir()
    repriced(new, "a.order.yaml", "24.00")
    shutil.copy(EXAMPLE, new / "fresh.order.yaml")
    changes = {c.key: c for c in diff_paths(str(old), str(new))}
    assert {k: c.status for k, c in changes.items()} == {
        "a.order.yaml": "changed", "fresh.order.yaml": "added", "gone.order.yaml": "removed"}
    markdown = markdown_report(list(changes.values()))
    # a: MRR 30.00 -> 24.00 = -6.00; fresh: 0 -> 30.00; gone: 30.00 -> 0
    assert "| `a.order.yaml` | changed | 30.00 | 24.00 | -6.00 |" in markdown
    assert "| `fresh.order.yaml` | added | 0.00 | 30.00 | +30.00 |" in markdown
    assert "| `gone.order.yaml` | removed | 30.00 | 0.00 | -30.00 |" in markdown
    # total MRR: 60.00 before (a + gone) -> 54.00 after (a + fresh) = -6.00
    assert "| **Total** |  | 60.00 | 54.00 | **-6.00** |" in markdown


def test_same_specs_exit_zero_different_exit_one(tmp_path: Path) -> None:
    runner = CliRunner()
    same = runner.invoke(cli, ["diff", str(EXAMPLE), str(EXAMPLE)])
    assert same.exit_code == 0 and "no differences" in same.output
    new = repriced(tmp_path, "new.order.yaml", "31.00")
    different = runner.invoke(cli, ["diff", str(EXAMPLE), str(new)])
    assert different.exit_code == 1 and "(+1.00)" in different.output
    wrong = runner.invoke(cli, ["diff", str(EXAMPLE)])
    assert wrong.exit_code == 2 and "OLD and NEW" in wrong.output


def test_markdown_cells_cannot_break_the_table(tmp_path: Path) -> None:
    text = EXAMPLE.read_text(encoding="utf-8").replace(
        "existingAccountNumber: A00000101", "existingAccountNumber: A00000101\n  description: 'a | b `c`'")
    new = tmp_path / "new.order.yaml"
    new.write_text(text, encoding="utf-8")
    markdown = markdown_report(diff_paths(str(EXAMPLE), str(new)))
    row = next(line for line in markdown.splitlines() if "/body/description" in line)
    # the value's pipe is escaped: the row still has exactly 3 cells (4 unescaped pipes)
    assert row.replace("\\|", "").count("|") == 4


def test_report_written_atomically_to_a_file(tmp_path: Path) -> None:
    new = repriced(tmp_path, "new.order.yaml", "35.00")
    out = tmp_path / "report.md"
    result = CliRunner().invoke(cli, ["diff", "--markdown", "-o", str(out), str(EXAMPLE), str(new)])
    assert result.exit_code == 1 and result.output == ""
    assert out.read_text(encoding="utf-8").startswith("### orderspec diff: 1 changed")
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".orderspec-")] == []


def test_unwritable_report_is_a_clear_error(tmp_path: Path) -> None:
    new = repriced(tmp_path, "new.order.yaml", "35.00")
    out = tmp_path / "missing-dir" / "report.md"
    result = CliRunner().invoke(cli, ["diff", "-o", str(out), str(EXAMPLE), str(new)])
    assert result.exit_code == 2
    assert f"cannot write {out}" in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "commit.gpgsign=false",
                    *args], cwd=repo, check=True, capture_output=True)


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_git_revisions_show_the_mrr_change_in_a_markdown_table(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = tmp_path / "repo"
    (repo / "orders").mkdir(parents=True)
    _git(repo, "init", "-q")
    shutil.copy(EXAMPLE, repo / "orders" / "acme.order.yaml")
    _git(repo, "add", ".")
    _git(repo, "commit", "-q", "-m", "first")
    repriced(repo / "orders", "acme.order.yaml", "42.50")
    _git(repo, "commit", "-q", "-am", "raise the price")
    repriced(repo / "orders", "acme.order.yaml", "45.00")  # uncommitted
    monkeypatch.chdir(repo)
    runner = CliRunner()
    result = runner.invoke(cli, ["diff", "--git", "HEAD~1", "--git", "HEAD", "--markdown", "orders"])
    assert result.exit_code == 1, result.output
    # MRR 30.00 -> 42.50: +12.50
    assert "| `orders/acme.order.yaml` | changed | 30.00 | 42.50 | +12.50 |" in result.output
    # against the working tree: 42.50 -> 45.00 = +2.50
    result = runner.invoke(cli, ["diff", "--git", "HEAD", "--markdown"])
    assert "| `orders/acme.order.yaml` | changed | 42.50 | 45.00 | +2.50 |" in result.output
    # from inside a subfolder, paths are relative to it
    monkeypatch.chdir(repo / "orders")
    result = runner.invoke(cli, ["diff", "--git", "HEAD~1", "--git", "HEAD", "acme.order.yaml"])
    assert "MRR 30.00 -> 42.50 (+12.50)" in result.output
    result = runner.invoke(cli, ["diff", "--git", "no-such-revision"])
    assert result.exit_code == 2 and "orderspec:" in result.output


def test_orders_on_existing_subscriptions_are_marked_not_computed(tmp_path: Path) -> None:
    old, new = tmp_path / "old", tmp_path / "new"
    old.mkdir()
    new.mkdir()
    shutil.copy(ROOT / "tests" / "fixtures" / "preview" / "update-existing.order.yaml", new / "u.order.yaml")
    change, = diff_paths(str(old), str(new))
    assert change.status == "added" and change.new is not None and change.new.uncomputed == 2
    assert "* not all of it computed offline" in text_report([change])
    assert "`u.order.yaml` \\*" in markdown_report([change])


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_an_unknown_revision_is_named_with_what_to_do(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    _git(repo, "init", "-q")
    shutil.copy(EXAMPLE, repo / "acme.order.yaml")
    _git(repo, "add", ".")
    _git(repo, "commit", "-q", "-m", "first")
    monkeypatch.chdir(repo)
    runner = CliRunner()
    result = runner.invoke(cli, ["diff", "--git", "origin/main"])
    assert result.exit_code == 2
    assert "orderspec: unknown revision 'origin/main'" in result.stderr and "git log --oneline" in result.stderr
    assert "rev-parse" not in result.output and "failed" not in result.output  # no git internals
    _git(repo, "remote", "add", "origin", str(tmp_path / "elsewhere"))
    result = runner.invoke(cli, ["diff", "--git", "HEAD", "--git", "origin/main"])
    assert result.exit_code == 2 and "`git fetch origin main`" in result.stderr
    # a shallow clone (as CI checks out) does not have the older commits
    _git(repo, "commit", "-q", "--allow-empty", "-m", "second")
    _git(tmp_path, "clone", "-q", "--depth", "1", f"file://{repo}", "shallow")
    monkeypatch.chdir(tmp_path / "shallow")
    result = runner.invoke(cli, ["diff", "--git", "HEAD~1"])
    assert result.exit_code == 2 and "unknown revision 'HEAD~1'" in result.stderr
    assert "`git fetch --unshallow`" in result.stderr
    # an option-like revision is a name, never a git option
    result = runner.invoke(cli, ["diff", "--git=--output=x"])
    assert result.exit_code == 2 and "unknown revision '--output=x'" in result.stderr
    assert not (tmp_path / "shallow" / "x").exists()


def test_git_outside_a_repository_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path.parent))
    result = CliRunner().invoke(cli, ["diff", "--git", "HEAD"])
    assert result.exit_code == 2 and "is not in one" in result.stderr and "rev-parse" not in result.output
