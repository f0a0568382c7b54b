"""Template files: which templates the folders hold, and the parameters each declares in its
leading `{# params: ... #}` comment (docs/templates.md).

Nothing here imports Jinja: listing templates and reading their headers is plain file and YAML
work, and a plain spec must not pay for loading Jinja.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import TYPE_CHECKING

from orderspec.diagnostics import Diagnostic, Location, at
from orderspec.expand.catalog_functions import TEMPLATE_FUNCTIONS
from orderspec.expand.common import TEMPLATE_SUFFIX, header_text
from orderspec.expand.context import ExpandContext
from orderspec.expand.origins import display_path
from orderspec.expand.values import Param, parse_params
from orderspec.load import Limits, load_text

if TYPE_CHECKING:
    from orderspec.expand.sandbox import TemplateSandbox


def template_names(context: ExpandContext = ExpandContext()) -> list[str]:
    names: set[str] = set()
    for folder in context.folders():
        for root, _dirs, files in os.walk(folder):
            for name in files:
                if name.endswith(TEMPLATE_SUFFIX) and not name.startswith("_"):
                    relative = os.path.relpath(os.path.join(root, name), folder)
                    names.add(relative[: -len(TEMPLATE_SUFFIX)].replace(os.sep, "/"))
    return sorted(names)


@dataclass
class TemplateInfo:
    name: str
    path: str
    params: list[Param]
    description: str
    problems: list[Diagnostic]


def template_info(sandbox: TemplateSandbox, name: str, limits: Limits) -> TemplateInfo:
    """A template's declared parameters, read from its leading `{# params: ... #}` block."""
    assert sandbox.loader is not None
    source, found_at, _ = sandbox.loader.get_source(sandbox, name + TEMPLATE_SUFFIX)
    filename = found_at or name + TEMPLATE_SUFFIX  # jinja's type allows None; our loader always has a file
    key = (name, filename, source, limits)
    cached = _INFO_CACHE.get(key)
    if cached is None:
        cached = _INFO_CACHE[key] = _read_template_info(sandbox, name, filename, source, limits)
    return cached


_INFO_CACHE: dict[tuple[str, str, str, Limits], TemplateInfo] = {}


def _read_template_info(sandbox: TemplateSandbox, name: str, filename: str, source: str,
                        limits: Limits) -> TemplateInfo:
    shown = display_path(filename)
    header = header_text(source)
    if header is None:
        return TemplateInfo(name, shown, [], "", [])
    loaded = load_text(header, shown, limits=limits)
    if loaded.diagnostics or not loaded.documents:
        return TemplateInfo(name, shown, [], "", [
            at(Location(d.path, d.line, d.column), "T008", f"template header: {d.message}") for d in loaded.diagnostics])
    document = loaded.documents[0]
    params, description, problems = parse_params(document.value, document.source)
    for param in params:
        if param.name in TEMPLATE_FUNCTIONS or param.name in sandbox.globals:
            problems.append(at(param.location or Location(shown, 1, 1), "T008",
                               f"parameter `{param.name}` would hide the template function of that name; "
                               "rename it"))
    return TemplateInfo(name, shown, params, description, problems)
