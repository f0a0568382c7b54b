"""What the commands that act on specs share: exit statuses, and the rule that they act only on
specs that lint clean (`render`, `preview`, `send`; `lint` reports, it does not act).

Exit statuses, for every command (README "Exit statuses" lists them too):

    0    done, nothing wrong
    1    problems: findings at the --fail-on level, orders that failed or are unknown, a job that
         failed or whose order is Pending
    2    usage: bad options, missing files, refused credentials, a journal that needs attention
    3    incomplete: an offline preview could not price every charge or order action
    4    tenant unreachable: connections refused, DNS or TLS failures for a run of attempts; the
         run stopped early, and what never left is journalled as not sent
    5    journal busy: another orderspec run holds the journal of these specs (nothing was sent)
    130  interrupted (Ctrl-C); every step so far is journalled, the same command finishes the work
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Sequence

import click

from orderspec.diagnostics import Diagnostic, Severity

if TYPE_CHECKING:
    from orderspec.pipeline import BatchResult

EXIT_CLEAN, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2
# An offline preview that could not price every charge or order action: what it shows is partial.
EXIT_INCOMPLETE = 3
EXIT_UNREACHABLE, EXIT_JOURNAL_BUSY = 4, 5
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as shells report a command stopped by Ctrl-C


def say(message: str) -> None:
    click.echo(f"orderspec: {message}", err=True)


def missing_paths(paths: Sequence[str]) -> int:
    """EXIT_USAGE (after saying which) when a path does not exist, else EXIT_CLEAN."""
    missing = [p for p in paths if not os.path.exists(p)]
    if missing:
        say(f"no such file or directory: {', '.join(missing)}")
        return EXIT_USAGE
    return EXIT_CLEAN


def lint_status(result: BatchResult, paths: Sequence[str], fix_when: str) -> int:
    """EXIT_CLEAN when the batch has specs and no errors; else the errors on stderr and the status
    that stops the command. `fix_when` ends "fix the specs ...": "first", "before sending"."""
    if not result.files:
        say(f"no order specs found in {', '.join(paths)}")
        return EXIT_USAGE
    errors = [d for d in result.diagnostics if d.severity is Severity.ERROR]
    if errors:
        for diagnostic in errors:
            click.echo(diagnostic.text(), err=True)
        say(f"{len(errors)} error(s): fix the specs {fix_when} (see `orderspec lint`)")
        return unreadable_or(EXIT_PROBLEMS, result.diagnostics)
    return EXIT_CLEAN


def unreadable_or(status: int, diagnostics: Sequence[Diagnostic]) -> int:
    """EXIT_USAGE when a file could not be read at all (Y012), as for a path that does not exist;
    else `status`. A file that was read but is not UTF-8 or not YAML is a problem in that file
    (Y001, Y002): it keeps `status`, as every other finding does."""
    if any(d.code == "Y012" for d in diagnostics):
        return EXIT_USAGE
    return status
