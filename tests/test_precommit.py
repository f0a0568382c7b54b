"""The pre-commit hook this repository provides.

The end-to-end run installs orderspec into a fresh virtualenv (network, ~15 s), so it is kept
out of the default run: ORDERSPEC_SLOW_TESTS=1 python -m pytest tests/test_precommit.py
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parent.parent
HOOKS = REPO / ".pre-commit-hooks.yaml"


def test_hook_definition_matches_order_spec_names() -> None:
    hooks = yaml.safe_load(HOOKS.read_text(encoding="utf-8"))
    hook = next(h for h in hooks if h["id"] == "orderspec-lint")
    assert hook["entry"].split()[:2] == ["orderspec", "lint"]
    assert hook["language"] == "python"
    pattern = re.compile(hook["files"])
    for name in ("a.order.yaml", "dir/b.order.yml", "c.order.json"):
        assert pattern.search(name), name
    for name in ("order.yaml", "a.yaml", "a.order.yaml.bak", "a.orders.yaml"):
        assert not pattern.search(name), name


@pytest.mark.skipif(not os.environ.get("ORDERSPEC_SLOW_TESTS"), reason="slow and needs the package index; "
                    "set ORDERSPEC_SLOW_TESTS=1")
@pytest.mark.skipif(shutil.which("git") is None or shutil.which("pre-commit") is None,
                    reason="needs git and pre-commit")
def test_try_repo_lints_staged_order_files(tmp_path: Path) -> None:
    def git(*args: str) -> None:
        subprocess.run(["git", *args], cwd=tmp_path, check=True, capture_output=True)

    git("init", "-q")
    shutil.copy(REPO / "examples" / "new-subscription.order.yaml", tmp_path / "good.order.yaml")
    (tmp_path / "bad.order.yaml").write_text(
        "orderspec: 1\noperation: create\nbody: {orderDate: 01/02/2024}\n", encoding="utf-8")
    git("add", ".")
    git("-c", "user.email=ci@example.invalid", "-c", "user.name=ci", "commit", "-q", "-m", "specs")

    def try_repo(*files: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(["pre-commit", "try-repo", str(REPO), "orderspec-lint", "--files", *files],
                              cwd=tmp_path, capture_output=True, text=True, timeout=600)

    clean = try_repo("good.order.yaml")
    assert clean.returncode == 0, clean.stdout + clean.stderr
    failing = try_repo("good.order.yaml", "bad.order.yaml")
    assert failing.returncode == 1
    assert "bad.order.yaml:3:19: S007" in failing.stdout
