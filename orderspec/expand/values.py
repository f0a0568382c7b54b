"""Values for templates: the spec's `vars:` and `with:`, values files (`-f`), and `--set`.

Layers are merged lowest first (spec `vars`, spec `with`, values files in the order given, then
`--set` assignments), mappings deep-merged, so --set > values files > spec. Every merged value
remembers which layer supplied it, so a problem with it is reported where it was written.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from orderspec.diagnostics import Diagnostic, Location, Pointer, at, format_pointer, kind_of
from orderspec.load import Limits, load_file
from orderspec.model import Locator, OnePlace
from orderspec.spec import did_you_mean

ValuePath = tuple[Any, ...]  # where a value sits in the merged values: keys (and list indexes)


@dataclass
class Layer:
    label: str  # for messages: "the spec's `with`", "values file prod.yaml", "--set a=b"
    data: dict[str, Any]
    source: Locator  # over `data`, addressed from `prefix`
    prefix: Pointer = ()
    from_command_line: bool = False  # values are text: read them by the parameter's type

    def locate(self, pointer: Pointer, *, key: bool = False) -> Location:
        return self.source.locate(self.prefix + tuple(pointer), key=key)

    def raw_plain(self, pointer: Pointer) -> str | None:
        raw: str | None = self.source.raw_plain(self.prefix + tuple(pointer))
        return raw


_SET_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*\Z")


def parse_set(assignment: str) -> tuple[Layer | None, str]:
    """A `--set path.to.key=value` assignment as a layer; or None and what is wrong with it."""
    key, equals, value = assignment.partition("=")
    if not equals:
        return None, f"`--set {assignment}`: write key=value"
    parts = key.strip().split(".")
    if not all(_SET_KEY.match(part) for part in parts):
        return None, f"`--set {assignment}`: `{key}` is not a dotted name like customer.accountNumber"
    data: dict[str, Any] = {}
    node = data
    for part in parts[:-1]:
        node = node.setdefault(part, {})
    node[parts[-1]] = value
    return Layer(f"--set {assignment}", data, OnePlace(Location(f"<--set {assignment}>", 1, 1)), from_command_line=True), ""


def load_values_file(path: str, limits: Limits = Limits()) -> tuple[Layer | None, list[Diagnostic]]:
    loaded = load_file(path, limits=limits)
    if loaded.diagnostics and not loaded.documents:
        return None, list(loaded.diagnostics)
    problems = list(loaded.diagnostics)
    if len(loaded.documents) != 1 or not isinstance(loaded.documents[0].value, dict):
        where = loaded.documents[1].source.locate(()) if len(loaded.documents) > 1 else Location(path, 1, 1)
        problems.append(at(where, "T013", "a values file holds one mapping of names to values"))
        return None, problems
    document = loaded.documents[0]
    return Layer(f"values file {path}", document.value, document.source), problems


@dataclass
class Values:
    """The merged values, with the layer and pointer that supplied each one."""

    layers: list[Layer]
    merged: dict[str, Any] = field(default_factory=dict)
    origins: dict[ValuePath, tuple[int, Pointer]] = field(default_factory=dict)  # path -> (layer, pointer)

    def __post_init__(self) -> None:
        for number, layer in enumerate(self.layers):
            self._merge(self.merged, layer.data, (), number, layer.prefix)

    def _merge(self, target: dict[str, Any], data: dict[str, Any], path: ValuePath, layer: int,
               pointer: Pointer) -> None:
        for key, value in data.items():
            here = path + (key,)
            if isinstance(value, dict) and isinstance(target.get(key), dict):
                self._merge(target[key], value, here, layer, pointer + (key,))
                continue
            target[key] = copy.deepcopy(value)
            for old in [p for p in self.origins if p[: len(here)] == here]:
                del self.origins[old]
            self.origins[here] = (layer, pointer + (key,))

    def origin(self, path: ValuePath) -> tuple[Layer, Pointer] | None:
        for length in range(len(path), 0, -1):
            found = self.origins.get(tuple(path[:length]))
            if found is not None:
                layer, pointer = found
                return self.layers[layer], pointer + tuple(path[length:])
        return None

    def locate(self, path: ValuePath, *, key: bool = False) -> Location | None:
        found = self.origin(path)
        if found is None:
            return None
        layer, pointer = found
        return layer.source.locate(pointer, key=key)

    def describe(self, path: ValuePath) -> str:
        found = self.origin(path)
        if found is None:
            return ""
        layer, pointer = found
        if layer.from_command_line:
            return f" (from {layer.label})"
        name = ".".join(str(p) for p in pointer[len(layer.prefix):])
        return f" (from {layer.label}, key `{name}`)"

    def identity_paths(self) -> dict[int, ValuePath]:
        """Where each value object sits in the merged tree, for values that are unique objects.

        Templates print values, not names; the object's identity tells which value was printed.
        Small ints, booleans and None are shared by Python and say nothing; they are left out."""
        seen: dict[int, ValuePath | None] = {}

        def walk(value: Any, path: ValuePath) -> None:
            if value is None or isinstance(value, bool) or (isinstance(value, int) and -6 < value < 257):
                return
            if not isinstance(value, (str, int, Decimal, list, dict)):
                return
            key = id(value)
            seen[key] = None if key in seen else path
            if isinstance(value, dict):
                for k, v in value.items():
                    walk(v, path + (k,))
            elif isinstance(value, list):
                for i, v in enumerate(value):
                    walk(v, path + (i,))

        walk(self.merged, ())
        return {k: v for k, v in seen.items() if v is not None}


# -- typed parameters -------------------------------------------------------------------------
@dataclass(frozen=True)
class Param:
    name: str
    type: str  # string | date | decimal | number | integer | boolean | list | mapping | any
    required: bool
    default: Any = None
    description: str = ""
    choices: tuple[Any, ...] | None = None
    location: Location | None = None


_TYPE_WORDS = {"string": "text", "date": "a date (YYYY-MM-DD)", "decimal": "a number", "number": "a number",
               "integer": "a whole number", "boolean": "true or false", "list": "a list",
               "mapping": "a mapping", "any": "any value"}


def coerce(param: Param, value: Any, *, text: bool = False, raw: str | None = None) -> tuple[Any, str]:
    """`value` read as the parameter's type: (value, "") or (None, what is wrong).

    `text` says the value came from the command line, where everything is text; `raw` is the
    unquoted YAML text when YAML read the value as something other than text."""
    kind = param.type
    wanted = _TYPE_WORDS.get(kind, kind)
    result: Any = value
    if kind == "string":
        if not isinstance(value, str):
            if raw is not None:
                return None, f"YAML reads the unquoted `{raw}` as {kind_of(value)}, but `{param.name}` is text; quote it: '{raw}'"
            return None, f"`{param.name}` must be text, not {kind_of(value)}"
    elif kind == "date":
        if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            return None, f"`{param.name}` must be {wanted}, not {kind_of(value)} (`{value}`)"
        try:
            date.fromisoformat(value)
        except ValueError:
            return None, f"`{param.name}`: `{value}` is not a calendar date"
    elif kind in ("decimal", "number"):
        if text and isinstance(value, str):
            try:
                result = Decimal(value.strip())
            except InvalidOperation:
                return None, f"`{param.name}` must be {wanted}, not `{value}`"
            if not result.is_finite():
                return None, f"`{param.name}` must be a finite number, not `{value}`"
        elif isinstance(value, bool) or not isinstance(value, (int, Decimal)):
            return None, f"`{param.name}` must be {wanted}, not {kind_of(value)} (`{value}`)"
    elif kind == "integer":
        if text and isinstance(value, str) and re.fullmatch(r"-?[0-9]+", value.strip()):
            result = int(value)
        elif isinstance(value, bool) or not isinstance(value, int):
            return None, f"`{param.name}` must be {wanted}, not {kind_of(value)} (`{value}`)"
    elif kind == "boolean":
        if text and isinstance(value, str) and value.strip() in ("true", "false"):
            result = value.strip() == "true"
        elif not isinstance(value, bool):
            return None, f"`{param.name}` must be true or false, not {kind_of(value)} (`{value}`)"
    elif kind == "list":
        if not isinstance(value, list):
            return None, f"`{param.name}` must be a list, not {kind_of(value)}"
    elif kind == "mapping":
        if not isinstance(value, dict):
            return None, f"`{param.name}` must be a mapping, not {kind_of(value)}"
    if param.choices is not None and result not in param.choices:
        listing = ", ".join(str(c) for c in param.choices)
        hint = did_you_mean(str(result), [str(c) for c in param.choices]) if isinstance(result, str) else ""
        return None, f"`{param.name}`: `{result}` is not one of {listing}{hint}"
    return result, ""


def parse_params(header: Any, source: Any) -> tuple[list[Param], str, list[Diagnostic]]:
    """Read a template header (`description:` and `params:`) loaded from its `{# ... #}` block."""
    problems: list[Diagnostic] = []

    def report(pointer: Pointer, message: str) -> None:
        problems.append(at(source.locate(pointer), "T008", message, pointer=format_pointer(pointer)))

    if not isinstance(header, dict):
        report((), "the template header must be a mapping with `params:`")
        return [], "", problems
    for key in header:
        if key not in ("params", "description"):
            report((key,), f"unknown template header key `{key}`{did_you_mean(key, ('params', 'description'))}")
    description = header.get("description", "")
    block = header.get("params") or {}
    if not isinstance(block, dict):
        report(("params",), "`params` must map parameter names to types")
        return [], str(description), problems
    params: list[Param] = []
    for name, declared in block.items():
        where = source.locate(("params", name), key=True)
        spec: dict[str, Any] = {"type": declared} if isinstance(declared, str) else declared
        if not isinstance(spec, dict):
            report(("params", name), f"parameter `{name}`: write a type name or a mapping with `type:`")
            continue
        unknown = [k for k in spec if k not in ("type", "required", "default", "description", "choices")]
        for key in unknown:
            report(("params", name, key), f"parameter `{name}`: unknown key `{key}`")
        kind = spec.get("type", "any")
        if kind not in PARAM_TYPES:
            report(("params", name), f"parameter `{name}`: unknown type `{kind}`{did_you_mean(str(kind), PARAM_TYPES)}; "
                   f"use one of {', '.join(PARAM_TYPES)}")
            continue
        choices = spec.get("choices")
        if choices is not None and not isinstance(choices, list):
            report(("params", name, "choices"), f"parameter `{name}`: `choices` must be a list")
            choices = None
        has_default = "default" in spec
        required = bool(spec.get("required", not has_default))
        param = Param(name, kind, required, spec.get("default"), str(spec.get("description", "")),
                      tuple(choices) if choices is not None else None, where)
        if has_default and spec["default"] is not None:
            _, problem = coerce(param, spec["default"])
            if problem:
                report(("params", name, "default"), f"the default of {problem}")
                continue
        params.append(param)
    return params, str(description), problems


PARAM_TYPES = ("string", "date", "decimal", "number", "integer", "boolean", "list", "mapping", "any")
