"""Stage 2: expand a spec into the exact request: templates, values and catalog names.

A spec with a literal `body` expands to itself. A spec that says `use: NAME` renders the template
NAME (with its `with:` parameters, merged with `vars:`, values files and `--set`) into a YAML
fragment, loads it with the same loader as spec files, and keeps track of where each value of the
resulting body came from: the template line that wrote it and the spec line (or values file key)
that supplied it (`orderspec.expand.origins`: findings are reported in the spec, at the value
the user supplied, with the template line as a note).

The parts, by what they are about:

* context: the command line's values files, --set, catalog and template folders, read once;
* values: layering and typing the values templates are given;
* catalog, catalog_file, catalog_export: the catalog of product names and its two file formats;
* catalog_functions: the functions templates call to turn catalog names into ids;
* template_files: which templates there are and the parameters each declares;
* template_use: expanding a `use:` spec; sandbox, rendered and template_errors: rendering a
  template in the Jinja2 sandbox, its output traced to its sources, and its failures as findings;
* origins: where each value of an expanded body came from, for reporting findings in the spec.
"""

from __future__ import annotations

from typing import Any

from orderspec.diagnostics import Diagnostic, at
from orderspec.expand.catalog import Catalog, CatalogError, Charge, Product, RatePlan
from orderspec.expand.catalog_file import load_catalog
from orderspec.expand.context import ExpandContext, catalog_for, check_inputs
from orderspec.expand.template_files import template_names
from orderspec.model import Request
from orderspec.spec import Spec

__all__ = ["Catalog", "CatalogError", "Charge", "ExpandContext", "Product", "RatePlan", "catalog_for",
           "check_inputs", "expand", "load_catalog", "template_names"]


def expand(spec: Spec, context: ExpandContext = ExpandContext()) -> tuple[Request | None, list[Diagnostic]]:
    if spec.template is None:
        assert spec.body is not None
        body_source = spec.source if spec.is_bare else spec.source.sub(("body",))
        return _request(spec, spec.body, body_source), []
    if spec.body is not None:
        return None, [at(spec.source.locate(("body",), key=True), "T009",
                         "a spec has either a `body` or `use:` a template, not both")]
    from orderspec.expand.template_use import expand_template

    expanded, problems = expand_template(spec, context)
    if expanded is None:
        return None, problems
    body, source = expanded
    return _request(spec, body, source), problems


def _request(spec: Spec, body: dict[str, Any], source: Any) -> Request:
    return Request(
        path=spec.path,
        index=spec.index,
        operation=spec.operation,
        async_mode=spec.async_mode,
        body=body,
        source=source,
        headers=dict(spec.headers),
        header_source=dict(spec.header_source),
        params=dict(spec.params),
        line=spec.line,
    )
