"""What expansion takes besides the spec: the command line's -f, --set, --catalog, --env and
--templates, and the values files and catalog they name.

A run expands many specs with one context, so each file is read once per process: the caches are
keyed by path, modification time and size, so that a file edited between two runs in one process
(an editor integration, the tests) is read again.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache

from orderspec.diagnostics import Diagnostic, Location, at
from orderspec.expand.catalog import Catalog, CatalogError
from orderspec.expand.catalog_file import load_catalog
from orderspec.expand.common import RenderLimits
from orderspec.expand.values import Layer, Values, load_values_file, parse_set
from orderspec.load import Limits
from orderspec.resources import templates_dir
from orderspec.spec import Spec

CATALOG_FILE = "catalog.yaml"


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


def spec_values(spec: Spec, context: ExpandContext) -> tuple[Values | None, list[Diagnostic]]:
    """The values a `use:` spec's template is given, lowest layer first: the spec's `vars:` and
    `with:`, the values files, then --set (orderspec.expand.values). None, with its problems, at
    the first values file or assignment that cannot be read (check_inputs reports them all, and
    the command line calls it before any spec)."""
    layers: list[Layer] = []
    for block, label in (("vars", "the spec's `vars`"), ("with", "the spec's `with`")):
        data = spec.variables if block == "vars" else spec.template_args
        if data:
            layers.append(Layer(label, data, spec.source, (block,)))
    for path in context.values_files:
        layer, problems = _values_file(_file_key(path), context.limits)
        if layer is None:
            return None, list(problems)
        layers.append(layer)
    for assignment in context.sets:
        layer, problem = parse_set(assignment)
        if layer is None:
            return None, [at(Location("<--set>", 1, 1), "T013", problem)]
        layers.append(layer)
    return Values(layers), []
