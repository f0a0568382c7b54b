"""A spec that says `use: NAME`: the template NAME is rendered with its `with:` parameters, merged
with `vars:`, values files and `--set`, into a YAML fragment that is loaded with the same loader as
spec files: the request body, with an ExpandedSource that knows where each of its values came from.

Jinja is imported only here, and only when a spec uses a template.
"""

from __future__ import annotations

import re
from dataclasses import replace
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from orderspec.diagnostics import Diagnostic, Location, at
from orderspec.expand.catalog_functions import catalog_functions
from orderspec.expand.common import TEMPLATE_SUFFIX, RenderLimits
from orderspec.expand.context import ExpandContext, catalog_for, spec_values
from orderspec.expand.origins import (DECLARATION_NOTE, HEADER_NOTE, TEMPLATE_ERROR_NOTE, VALUE_NOTE, ExpandedSource,
                                      display_path)
from orderspec.expand.template_files import TemplateInfo, template_info, template_names
from orderspec.expand.values import Param, Values, coerce
from orderspec.load import load_text
from orderspec.spec import Spec, did_you_mean

if TYPE_CHECKING:
    from orderspec.expand.sandbox import TemplateSandbox

# The result of a `use:` spec: its request body and where each value of it came from.
ExpandedBody = tuple[dict[str, Any], ExpandedSource]

_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]*(/[A-Za-z0-9_][A-Za-z0-9_.-]*)*\Z")


def expand_template(spec: Spec, context: ExpandContext) -> tuple[ExpandedBody | None, list[Diagnostic]]:
    """The body the template that `spec` uses writes (None when it cannot), and the problems found."""
    return _TemplateUse(spec, context).run()


@lru_cache(maxsize=16)
def _sandbox(folders: tuple[str, ...], limits: RenderLimits) -> TemplateSandbox:
    from orderspec.expand.sandbox import TemplateSandbox

    return TemplateSandbox(folders, limits)


def _declaration(param: Param) -> tuple[Location, ...]:
    return (param.location.noted(DECLARATION_NOTE),) if param.location else ()


class _TemplateUse:
    def __init__(self, spec: Spec, context: ExpandContext) -> None:
        self.spec = spec
        self.context = context
        self.use = spec.source.locate(("use",))
        self.problems: list[Diagnostic] = []

    def report(self, problem: Diagnostic, note: str = TEMPLATE_ERROR_NOTE) -> None:
        """Keep a problem of this spec's expansion, in the spec: one found elsewhere (a template
        line, a values file key) is reported at the `use:` line with that place as a note, so
        that the specs sharing a template or values file each get their own finding."""
        if problem.path != self.use.path:
            arose = Location(problem.path, problem.line, problem.column, note)
            problem = replace(problem, path=self.use.path, line=self.use.line, column=self.use.column,
                              related=(arose, *(place for place in problem.related if place != self.use)))
        self.problems.append(problem)

    def fail(self, location: Location, code: str, message: str) -> tuple[None, list[Diagnostic]]:
        self.report(at(location, code, message))
        return None, self.problems

    def run(self) -> tuple[ExpandedBody | None, list[Diagnostic]]:
        from jinja2.exceptions import TemplateNotFound

        spec, context = self.spec, self.context
        name = spec.template or ""
        if name.endswith(TEMPLATE_SUFFIX):
            name = name[: -len(TEMPLATE_SUFFIX)]
        sandbox = _sandbox(context.folders(), context.render_limits)
        if not _NAME.match(name) or ".." in name.split("/"):
            known = template_names(context)
            return self.fail(self.use, "T001", f"`{name}` is not a template name{did_you_mean(name, known)}")
        try:
            info = template_info(sandbox, name, context.limits)
        except TemplateNotFound:
            known = template_names(context)
            listing = ", ".join(known)
            return self.fail(self.use, "T001", f"no template `{name}`{did_you_mean(name, known)}; "
                             f"available: {listing}")
        except (OSError, UnicodeDecodeError) as error:
            return self.fail(self.use, "T001", f"cannot read template `{name}`: {error}")
        if info.problems:
            for problem in info.problems:
                self.report(problem, HEADER_NOTE)
            return None, self.problems

        values, found = spec_values(spec, context)
        self.problems += found
        if values is None:
            return None, self.problems
        variables = self.check_params(info, values)
        if variables is None:
            return None, self.problems

        catalog, found = catalog_for(spec.path, context)
        self.problems += found
        if found and catalog is None:
            return None, self.problems

        identity = values.identity_paths()
        origin_paths: list[tuple[Any, ...]] = []

        def origin_of(value: Any) -> int | None:
            path = identity.get(id(value))
            if path is None:
                return None
            if path not in origin_paths:
                origin_paths.append(path)
            return origin_paths.index(path)

        functions = catalog_functions(catalog, context.env)
        try:
            rendered = sandbox.render(name + TEMPLATE_SUFFIX, variables, origin_of, functions)
        except Exception as error:  # every failure of untrusted template code becomes one diagnostic
            from orderspec.expand.template_errors import template_diagnostic

            problem, note = template_diagnostic(error, sandbox, values, identity, self.use)
            self.report(problem, note)
            return None, self.problems

        template_path = display_path(sandbox.get_template(name + TEMPLATE_SUFFIX).filename or name)
        loaded = load_text(rendered.text, template_path, limits=context.limits)
        if loaded.diagnostics or len(loaded.documents) != 1 or not isinstance(loaded.documents[0].value, dict):
            for problem in loaded.diagnostics or []:
                path, line = rendered.template_line(problem.line)
                self.report(at(Location(display_path(path), line, problem.column), "T007",
                               f"the template wrote invalid YAML: {problem.message}"))
            if not loaded.diagnostics:
                self.report(at(Location(template_path, 1, 1), "T007",
                               "the template must write one YAML mapping (the request body)"))
            return None, self.problems
        document = loaded.documents[0]
        source = ExpandedSource(document.source, rendered, values, origin_paths, self.use, template_path)
        return (document.value, source), self.problems

    def check_params(self, info: TemplateInfo, values: Values) -> dict[str, Any] | None:
        """The template's variables: each declared parameter's value, coerced to its type, or its
        default. None when one is missing or of the wrong type, or `with:` names an undeclared one."""
        spec = self.spec
        declared = {p.name: p for p in info.params}
        ok = True
        for key in spec.template_args:
            if key not in declared:
                ok = False
                self.problems.append(at(
                    spec.source.locate(("with", key), key=True), "T011",
                    f"template `{info.name}` has no parameter `{key}`{did_you_mean(key, tuple(declared))}; "
                    f"its parameters: {', '.join(declared) or 'none'}"))
        variables: dict[str, Any] = {}
        for param in info.params:
            if param.name not in values.merged:
                if param.required:
                    ok = False
                    where = spec.source.locate(("with",), key=True) if ("with",) in spec.source.keys else self.use
                    self.problems.append(at(where, "T010", f"template `{info.name}` needs the parameter "
                                            f"`{param.name}` ({param.type})"
                                            + (f": {param.description}" if param.description else ""),
                                            related=_declaration(param)))
                else:
                    variables[param.name] = param.default
                continue
            origin = values.origin((param.name,))
            assert origin is not None
            layer, pointer = origin
            raw = layer.raw_plain(pointer[len(layer.prefix):])
            value, problem = coerce(param, values.merged[param.name], text=layer.from_command_line, raw=raw)
            if problem:
                ok = False
                where = values.locate((param.name,)) or self.use
                self.report(at(where, "T012", problem + values.describe((param.name,)),
                               related=_declaration(param)), VALUE_NOTE)
                continue
            if value is not values.merged[param.name]:
                values.merged[param.name] = value
            variables[param.name] = value
        return variables if ok else None
