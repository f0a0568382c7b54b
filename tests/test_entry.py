"""The `orderspec` command's entry point: a Ctrl-C while the command line is still being imported
ends with one line and exit status 130, not a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from orderspec import entry, gate

ROOT = Path(__file__).resolve().parent.parent

# A Ctrl-C that lands while `orderspec.cli` is being imported: an import hook raises it there.
INTERRUPTED_IMPORT = """
import sys

class CtrlC:
    def find_spec(self, name, path=None, target=None):
        if name == "orderspec.cli":
            raise KeyboardInterrupt
        return None

sys.meta_path.insert(0, CtrlC())
from orderspec.entry import main
main()
"""


def test_ctrl_c_while_the_command_line_is_imported() -> None:
    done = subprocess.run([sys.executable, "-c", INTERRUPTED_IMPORT, "lint", "."], capture_output=True,
                          text=True, env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=60)
    assert done.returncode == 130
    assert done.stderr.strip() == "orderspec: interrupted"
    assert done.stdout == ""


def test_the_entry_point_runs_the_command_line() -> None:
    done = subprocess.run([sys.executable, "-m", "orderspec", "--version"], capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=60)
    assert done.returncode == 0 and "orderspec" in done.stdout


def test_the_status_is_the_gates() -> None:
    assert entry.EXIT_INTERRUPTED == gate.EXIT_INTERRUPTED


def test_the_console_script_is_the_entry_point() -> None:
    assert 'orderspec = "orderspec.entry:main"' in (ROOT / "pyproject.toml").read_text(encoding="utf-8")
