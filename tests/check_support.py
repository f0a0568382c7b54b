"""Helpers for the check-stage tests: lint spec text written to a temporary folder."""

from __future__ import annotations

import textwrap
from pathlib import Path

from orderspec import pipeline
from orderspec.config import Config
from orderspec.diagnostics import Diagnostic


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


def lint(folder: Path, text: str, *, name: str = "x.order.yaml", config: Config | None = None,
         **options: object) -> list[Diagnostic]:
    path = write(folder, name, text)
    return lint_paths([path], config=config, **options)


def lint_paths(paths: list[Path], *, config: Config | None = None, **options: object) -> list[Diagnostic]:
    opts = pipeline.Options(config=config or Config(), **options)  # type: ignore[arg-type]
    return pipeline.run([str(p) for p in paths], opts).diagnostics


def where(path: Path, needle: str, occurrence: int = 1) -> tuple[int, int]:
    """1-based (line, column) of the n-th occurrence of `needle` in the file."""
    seen = 0
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        start = 0
        while (found := line.find(needle, start)) >= 0:
            seen += 1
            if seen == occurrence:
                return number, found + 1
            start = found + 1
    raise AssertionError(f"{needle!r} not in {path}")


def codes(diagnostics: list[Diagnostic]) -> list[str]:
    return [d.code for d in diagnostics]


def found(diagnostics: list[Diagnostic], code: str) -> list[tuple[int, int]]:
    return [(d.line, d.column) for d in diagnostics if d.code == code]


# A create order that passes every check; tests change one thing at a time.
CREATE = """\
orderspec: 1
operation: create
body:
  orderDate: 2024-01-01
  orderNumber: O-2024-0001
  existingAccountNumber: A00000101
  subscriptions:
    - orderActions:
        - type: CreateSubscription
          triggerDates:
            - {name: ContractEffective, triggerDate: 2024-01-01}
          createSubscription:
            terms:
              initialTerm: {period: 12, periodType: Month, termType: TERMED, startDate: 2024-01-01}
              renewalSetting: RENEW_WITH_SPECIFIC_TERM
              renewalTerms: [{period: 12, periodType: Month}]
            subscribeToRatePlans:
              - productRatePlanId: 8ad09be48db5aa31018db8f2ac4e1a2b
"""


def value_at(path: Path, pair: str, occurrence: int = 1) -> tuple[int, int]:
    """(line, column) of the value in the n-th `key: value` text of the file."""
    line, column = where(path, pair, occurrence)
    return line, column + pair.index(": ") + 2
