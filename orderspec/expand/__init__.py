"""Stage 2: expand a spec into the exact request: templates, values and catalog names.

A spec with a literal `body` expands to itself. A spec that says `use: NAME` renders the template
NAME (with its `with:` parameters, merged with `vars:`, values files and `--set`) into a YAML
fragment, loads it with the same loader as spec files, and keeps track of where each value of the
resulting body came from: the template line that wrote it and the spec line (or values file key)
that supplied it (`orderspec.expand.origins`: findings are reported in the spec, at the value
the user supplied, with the template line as a note).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Callable, TypeVar

from orderspec.diagnostics import Diagnostic, Location, at
from orderspec.expand.catalog import Catalog, CatalogError, Charge, Product, RatePlan, model_name, pricing_key
from orderspec.expand.catalog_file import load_catalog
from orderspec.expand.common import TEMPLATE_SUFFIX, RenderLimits, header_text
from orderspec.expand.origins import (DECLARATION_NOTE, HEADER_NOTE, TEMPLATE_ERROR_NOTE, VALUE_NOTE,
                                      ExpandedSource, display_path)
from orderspec.expand.values import Layer, Param, Values, coerce, load_values_file, parse_params, parse_set
from orderspec.load import Limits, load_text
from orderspec.model import Request
from orderspec.resources import templates_dir
from orderspec.spec import Spec, did_you_mean

if TYPE_CHECKING:  # Jinja is imported only when a spec uses a template
    from orderspec.expand.templates import TemplateSandbox

__all__ = ["Catalog", "CatalogError", "Charge", "ExpandContext", "Product", "RatePlan", "expand",
           "load_catalog", "template_names"]

CATALOG_FILE = "catalog.yaml"
# Functions offered to templates (see _catalog_functions); parameters may not hide them.
TEMPLATE_FUNCTIONS = ("plan", "plan_number", "charge", "product", "list_price", "rate_plan")


@dataclass(frozen=True)
class ExpandContext:
    """What expansion needs beyond the spec: the command line's -f, --set, --catalog, --env, --templates."""

    values_files: tuple[str, ...] = ()
    sets: tuple[str, ...] = ()
    catalog: str | None = None  # default: catalog.yaml beside the spec, when there is one
    env: str | None = None  # default: the catalog's defaultEnvironment
    template_dirs: tuple[str, ...] = ()  # searched before the stock templates
    render_limits: RenderLimits = RenderLimits()
    limits: Limits = Limits()

    def folders(self) -> tuple[str, ...]:
        return tuple(self.template_dirs) + (str(templates_dir()),)


@lru_cache(maxsize=16)
def _sandbox(folders: tuple[str, ...], limits: RenderLimits) -> "TemplateSandbox":
    from orderspec.expand.templates import TemplateSandbox

    return TemplateSandbox(folders, limits)


def _file_key(path: str) -> tuple[str, int, int]:
    try:
        stat = os.stat(path)
    except OSError:
        return path, 0, 0
    return path, stat.st_mtime_ns, stat.st_size


@lru_cache(maxsize=64)
def _values_file(key: tuple[str, int, int], limits: Limits) -> tuple[Layer | None, tuple[Diagnostic, ...]]:
    layer, problems = load_values_file(key[0], limits)
    return layer, tuple(problems)


@lru_cache(maxsize=16)
def _catalog_file(key: tuple[str, int, int], limits: Limits) -> tuple[Catalog | None, tuple[Diagnostic, ...]]:
    catalog, problems = load_catalog(key[0], limits)
    return catalog, tuple(problems)


def catalog_for(spec_path: str, context: ExpandContext) -> tuple[Catalog | None, list[Diagnostic]]:
    """The catalog a spec uses: --catalog, else catalog.yaml beside the spec (None if neither)."""
    path = context.catalog
    if path is None:
        beside = os.path.join(os.path.dirname(spec_path) or ".", CATALOG_FILE)
        if not os.path.isfile(beside):
            return None, []
        path = beside
    catalog, problems = _catalog_file(_file_key(path), context.limits)
    return catalog, list(problems)


def check_inputs(context: ExpandContext) -> list[Diagnostic]:
    """Problems with the values files, --set assignments and catalog themselves (before any spec)."""
    problems: list[Diagnostic] = []
    for path in context.values_files:
        problems += _values_file(_file_key(path), context.limits)[1]
    for assignment in context.sets:
        layer, problem = parse_set(assignment)
        if layer is None:
            problems.append(at(Location("<--set>", 1, 1), "T013", problem))
    if context.catalog is not None:
        catalog, found = _catalog_file(_file_key(context.catalog), context.limits)
        problems += found
        if catalog is not None and context.env is not None:
            try:
                catalog.environment(context.env)
            except CatalogError as error:
                problems.append(at(Location(context.catalog, 1, 1), "T022", error.message))
    return problems


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


def template_info(sandbox: "TemplateSandbox", name: str, limits: Limits) -> TemplateInfo:
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


def _read_template_info(sandbox: "TemplateSandbox", name: str, filename: str, source: str,
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


def _declaration(param: Param) -> tuple[Location, ...]:
    return (param.location.noted(DECLARATION_NOTE),) if param.location else ()


def expand(spec: Spec, context: ExpandContext = ExpandContext()) -> tuple[Request | None, list[Diagnostic]]:
    if spec.template is None:
        assert spec.body is not None
        body_source = spec.source if spec.is_bare else spec.source.sub(("body",))
        return _request(spec, spec.body, body_source), []
    if spec.body is not None:
        return None, [at(spec.source.locate(("body",), key=True), "T009",
                         "a spec has either a `body` or `use:` a template, not both")]
    return _Expansion(spec, context).run()


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


_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]*(/[A-Za-z0-9_][A-Za-z0-9_.-]*)*\Z")


class _Expansion:
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

    def fail(self, location: Location, code: str, message: str, related: tuple[Location, ...] = (),
             note: str = TEMPLATE_ERROR_NOTE) -> tuple[None, list[Diagnostic]]:
        self.report(at(location, code, message, related=related), note)
        return None, self.problems

    def run(self) -> tuple[Request | None, list[Diagnostic]]:
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

        values = self.values()
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

        functions = _catalog_functions(catalog, context.env)
        try:
            rendered = sandbox.render(name + TEMPLATE_SUFFIX, variables, origin_of, functions)
        except Exception as error:  # every failure of untrusted template code becomes one diagnostic
            return self.template_error(error, sandbox, values, identity)

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
        return _request(spec, document.value, source), self.problems

    def values(self) -> Values | None:
        spec, context = self.spec, self.context
        layers: list[Layer] = []
        for block, label in (("vars", "the spec's `vars`"), ("with", "the spec's `with`")):
            data = spec.variables if block == "vars" else spec.template_args
            if data:
                layers.append(Layer(label, data, spec.source, (block,)))
        for path in context.values_files:
            layer, problems = _values_file(_file_key(path), context.limits)
            if layer is None:
                self.problems += problems
                return None
            layers.append(layer)
        for assignment in context.sets:
            layer, problem = parse_set(assignment)
            if layer is None:
                self.problems.append(at(Location("<--set>", 1, 1), "T013", problem))
                return None
            layers.append(layer)
        return Values(layers)

    def check_params(self, info: TemplateInfo, values: Values) -> dict[str, Any] | None:
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

    def template_error(self, error: Exception, sandbox: "TemplateSandbox", values: Values,
                       identity: dict[int, tuple[Any, ...]]) -> tuple[None, list[Diagnostic]]:
        from jinja2.exceptions import (SecurityError, TemplateError, TemplateNotFound, TemplateSyntaxError,
                                       UndefinedError)

        from orderspec.expand.templates import (MissingMacroArgument, TemplateFailure, TemplateTimeout,
                                                TemplateTooLarge)

        # Found in the template (else at `use:`); `fail` reports it in the spec with this as a note.
        where = _template_frame(error, sandbox) or self.use
        if isinstance(error, TemplateSyntaxError):
            path = error.filename or error.name or "<template>"
            where = Location(display_path(path), error.lineno or 1, 1)
            return self.fail(where, "T002", f"template syntax error: {error.message}")
        if isinstance(error, TemplateNotFound):
            return self.fail(where, "T004", f"the template asked for `{error.name}`, which is not a template "
                             "in the template folders")
        if isinstance(error, TemplateFailure):
            supplied = identity.get(id(error.subject)) if error.subject is not None else None
            if supplied is not None:
                at_value = values.locate(supplied)
                if at_value is not None:
                    frame = (where.noted(TEMPLATE_ERROR_NOTE),) if where != self.use else ()
                    return self.fail(at_value, "T021", str(error) + values.describe(supplied), frame,
                                     VALUE_NOTE)
            return self.fail(where, "T021", str(error))
        if isinstance(error, (UndefinedError, MissingMacroArgument)):
            message = str(error)
            match = re.match(r"'([^']+)' is undefined", message)
            if match:
                message = f"`{match.group(1)}` is not defined (declare it in the template's params, or pass it)"
            return self.fail(where, "T003", message)
        if isinstance(error, SecurityError):
            return self.fail(where, "T004", f"refused by the template sandbox: {error}")
        if isinstance(error, (TemplateTimeout, TemplateTooLarge, RecursionError, MemoryError)):
            message = str(error) if isinstance(error, TemplateError) else "the template recursed too deeply"
            return self.fail(where, "T005", message)
        if isinstance(error, TemplateError):
            return self.fail(where, "T006", f"the template failed: {error}")
        return self.fail(where, "T006", f"the template failed: {type(error).__name__}: {error}")


def _template_frame(error: BaseException, sandbox: "TemplateSandbox") -> Location | None:
    """The innermost template line in the traceback (Jinja rewrites frames to template lines)."""
    import traceback

    files = set(sandbox.files)
    found: Location | None = None
    for frame in traceback.extract_tb(error.__traceback__):
        if frame.filename in files and frame.lineno:
            found = Location(display_path(frame.filename), frame.lineno, 1)
    return found


_Found = TypeVar("_Found")


def _catalog_functions(catalog: Catalog | None, env: str | None) -> dict[str, Any]:
    """Functions templates call to turn catalog names into ids of the chosen environment."""
    from orderspec.expand.templates import TemplateFailure

    def need() -> Catalog:
        if catalog is None:
            raise TemplateFailure("the template looks up catalog names, but there is no catalog: pass "
                                  f"--catalog FILE or put {CATALOG_FILE} beside the spec")
        return catalog

    def lookup(kind: str, function: Callable[..., _Found], *names: Any) -> _Found:
        try:
            return function(*names)
        except CatalogError as error:
            raise TemplateFailure(error.message, names[-1] if names else None) from None

    def plan(name: Any) -> str:
        return str(lookup("plan", lambda n: need().rate_plan(n, env).id, name))

    def plan_number(name: Any) -> str | None:
        return lookup("plan", lambda n: need().rate_plan(n, env).number, name)

    def charge(plan_name: Any, name: Any) -> str:
        return str(lookup("charge", lambda p, n: need().charge(p, n, env).id, plan_name, name))

    def product(name: Any) -> str | None:
        return lookup("product", lambda n: need().product(n, env).id, name)

    def list_price(plan_name: Any, name: Any) -> Any:
        return lookup("charge", lambda p, n: need().charge(p, n, env).list_price, plan_name, name)

    def rate_plan(name: Any) -> dict[str, Any]:
        found: RatePlan = lookup("plan", lambda n: need().rate_plan(n, env), name)
        return {"name": found.name, "product": found.product, "id": found.id, "number": found.number,
                "charges": [{"name": c.name, "id": c.id, "number": c.number, "type": c.type,
                             "model": model_name(c.model), "pricingKey": pricing_key(c.type, model_name(c.model)),
                             "listPrice": c.list_price, "billingPeriod": c.billing_period,
                             "currency": c.currency, "uom": c.uom} for c in found.charges],
                "charge_names": [c.name for c in found.charges]}

    return {"plan": plan, "plan_number": plan_number, "charge": charge, "product": product,
            "list_price": list_price, "rate_plan": rate_plan}
