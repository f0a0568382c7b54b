"""What the expand stage shares without loading Jinja (plain specs never pay for importing it)."""

from __future__ import annotations

import re
from dataclasses import dataclass

TEMPLATE_SUFFIX = ".yaml.j2"


@dataclass(frozen=True)
class RenderLimits:
    seconds: float = 2.0
    max_output: int = 1_000_000  # characters of rendered YAML
    max_number: int = 1_000_000  # largest number a call, filter or `*` may take


_HEADER = re.compile(r"\A(\s*)\{#-?(.*?)-?#\}", re.DOTALL)


def header_text(source: str) -> str | None:
    """The YAML of a template's leading `{# ... #}` comment, blanked out elsewhere so that
    lines and columns stay those of the template file."""
    match = _HEADER.match(source)
    if match is None:
        return None
    start = match.start(2)
    end = match.end(2)
    inner = source[start:end]
    prefix = re.sub(r"[^\n]", " ", source[:start])
    return prefix + inner
