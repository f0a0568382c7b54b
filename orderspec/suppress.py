"""Inline suppression: `# orderspec: ignore[CODE,CODE]` in a spec file.

The comment silences the listed codes (or code prefixes) on its own line, or, when it stands
alone on a line, on the line below it. Naming the codes is required: a blanket "ignore
everything" would also hide the next, unrelated mistake on that line.
"""

from __future__ import annotations

import re
from typing import Iterable, Mapping

from orderspec.diagnostics import Diagnostic

_DIRECTIVE = re.compile(r"#\s*orderspec:\s*ignore\[([^\]]*)\]")


def directives(text: str) -> dict[int, tuple[str, ...]]:
    """Line number (1-based) -> codes that are silenced on that line."""
    silenced: dict[int, list[str]] = {}
    if "ignore[" not in text:  # every directive has it; splitting a spec into lines costs
        return {}
    for number, line in enumerate(text.splitlines(), start=1):
        if "ignore[" not in line:
            continue
        for match in _DIRECTIVE.finditer(line):
            codes = [c.strip().upper() for c in match.group(1).split(",") if c.strip()]
            silenced.setdefault(number, []).extend(codes)
            if line.lstrip().startswith("#"):
                # A comment on a line of its own speaks for the next line.
                silenced.setdefault(number + 1, []).extend(codes)
    return {line: tuple(codes) for line, codes in silenced.items()}


Directives = Mapping[int, tuple[str, ...]]


def apply(diagnostics: Iterable[Diagnostic], texts: Mapping[str, str]) -> list[Diagnostic]:
    """The diagnostics that no suppression comment in their file (path -> text) silences."""
    return apply_directives(diagnostics, {path: directives(text) for path, text in texts.items()})


def apply_directives(diagnostics: Iterable[Diagnostic], silenced: Mapping[str, Directives]) -> list[Diagnostic]:
    """The diagnostics that no suppression comment silences, given each file's `directives`."""
    kept: list[Diagnostic] = []
    for diagnostic in diagnostics:
        codes = silenced.get(diagnostic.path, {}).get(diagnostic.line, ())
        if not any(diagnostic.code.startswith(code) for code in codes):
            kept.append(diagnostic)
    return kept
