"""Stage 2: expand a spec into the exact request: templates, values and catalog names.

A spec with a literal `body` expands to itself.
"""

from __future__ import annotations

from orderspec.diagnostics import Diagnostic, at
from orderspec.model import Request
from orderspec.spec import Spec


def expand(spec: Spec) -> tuple[Request | None, list[Diagnostic]]:
    if spec.template is not None:
        return None, [at(spec.source.locate(("use",)), "T001",
                         "templates are not available in this build")]
    assert spec.body is not None
    body_source = spec.source if spec.is_bare else spec.source.sub(("body",))
    return Request(
        path=spec.path,
        index=spec.index,
        operation=spec.operation,
        async_mode=spec.async_mode,
        body=spec.body,
        source=body_source,
        headers=dict(spec.headers),
        header_source=dict(spec.header_source),
        params=dict(spec.params),
        line=spec.line,
    ), []
