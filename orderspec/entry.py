"""The `orderspec` command's entry point, kept apart from the command line itself.

Importing the command line and its stages takes tens of milliseconds; a Ctrl-C then used to end
in a KeyboardInterrupt traceback. Caught here, it ends as any other Ctrl-C does (orderspec.cli):
one line and exit status 130."""

from __future__ import annotations

import sys

# orderspec.gate.EXIT_INTERRUPTED (128 + SIGINT), written out: importing gate is part of what a
# Ctrl-C may interrupt here. tests/test_entry.py holds the two equal.
EXIT_INTERRUPTED = 130


def main() -> None:
    try:
        from orderspec.cli import main as run
    except KeyboardInterrupt:
        sys.stderr.write("\norderspec: interrupted\n")
        raise SystemExit(EXIT_INTERRUPTED) from None
    run()
