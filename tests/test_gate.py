"""orderspec.gate: commands that act on specs stop before acting unless the specs lint clean."""

from __future__ import annotations

from pathlib import Path

import pytest

from orderspec.diagnostics import Location, at
from orderspec.gate import EXIT_CLEAN, EXIT_PROBLEMS, EXIT_USAGE, lint_status, missing_paths
from orderspec.pipeline import BatchResult, FileResult


def test_missing_paths_are_named_and_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert missing_paths([str(tmp_path)]) == EXIT_CLEAN
    assert missing_paths([str(tmp_path), str(tmp_path / "nope.yaml")]) == EXIT_USAGE
    assert f"no such file or directory: {tmp_path / 'nope.yaml'}" in capsys.readouterr().err


def test_errors_stop_with_each_error_shown_warnings_do_not(capsys: pytest.CaptureFixture[str]) -> None:
    error = at(Location("a.yaml", 3, 5), "S003", "orderDate is required")
    warning = at(Location("a.yaml", 4, 1), "R007", "a warning")
    assert warning.severity.value != "error"
    assert lint_status(BatchResult([FileResult("a.yaml")], [warning]), ["a.yaml"], "first") == EXIT_CLEAN
    assert lint_status(BatchResult([FileResult("a.yaml")], [error, warning]), ["a.yaml"], "first") == EXIT_PROBLEMS
    err = capsys.readouterr().err
    assert "a.yaml:3:5: S003" in err and "R007" not in err
    assert "1 error(s): fix the specs first" in err


def test_no_specs_found_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert lint_status(BatchResult([], []), ["empty/"], "before sending") == EXIT_USAGE
    assert "no order specs found in empty/" in capsys.readouterr().err
