"""The Jinja2 sandbox templates render in: it writes YAML fragments and remembers where each line came from.

Spec files and their templates may come from untrusted pull requests, so rendering is confined:

* `SandboxedEnvironment` refuses attribute escapes (`''.__class__`), and `str.format` is refused
  outright (its width fields can allocate without bound);
* the loader only reads files below the template folders (no absolute paths, no `..`, no symlink
  that leads outside);
* every undefined name fails, including a macro argument the caller left out (Jinja hands macros
  an Undefined for those, which `is none`, `default` and friends would quietly accept);
* a deadline is checked on every line the compiled template executes (a trace hook that only
  fires inside template code), and sizes are capped where strings and lists can grow: `*`, `+`,
  `~`, numeric arguments of calls and filters, and the total output.

Every piece of literal template text is marked with its line, and every `{{ value }}` with the
value it came from (orderspec.expand.rendered), so that errors point at their source.
"""

from __future__ import annotations

import functools
import os
import re
import sys
import threading
import time
from dataclasses import dataclass
from typing import Any, Callable

from jinja2 import Environment, StrictUndefined, nodes
from jinja2.exceptions import SecurityError, TemplateNotFound, UndefinedError
from jinja2.loaders import FileSystemLoader, split_template_path
from jinja2.nodes import EvalContext
from jinja2.runtime import Context, Macro
from jinja2.sandbox import SandboxedEnvironment
from jinja2.visitor import NodeTransformer
from markupsafe import Markup

from orderspec.expand.common import RenderLimits
from orderspec.expand.rendered import RenderedText, mark_lines, strip_markers, value_marker, yaml_flow
from orderspec.expand.template_errors import MissingMacroArgument, TemplateTimeout, TemplateTooLarge


class _Rewrite(NodeTransformer):
    """Marks template text with its lines and routes `~` through the size-capped join."""

    def __init__(self, file_index: int, required: dict[str, tuple[str, ...]]) -> None:
        self.file_index = file_index
        self.required = required

    def visit_TemplateData(self, node: nodes.TemplateData) -> nodes.Node:
        node.data = mark_lines(node.data, node.lineno or 1, self.file_index)
        return node

    def visit_Concat(self, node: nodes.Concat) -> nodes.Node:
        self.generic_visit(node)
        return nodes.Filter(nodes.List(node.nodes, lineno=node.lineno), "orderspec_concat", [], [],
                            None, None, lineno=node.lineno)

    def visit_Macro(self, node: nodes.Macro) -> nodes.Node:
        with_default = len(node.defaults)
        names = [arg.name for arg in node.args]
        self.required[node.name] = tuple(names[: len(names) - with_default])
        self.generic_visit(node)
        return node


class _ConfinedLoader(FileSystemLoader):
    """Reads templates only from files that really lie below one of the template folders."""

    def get_source(self, environment: Any, template: str) -> tuple[str, str, Callable[[], bool]]:
        if template.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", template) or "\x00" in template:
            raise TemplateNotFound(template)
        split_template_path(template)  # refuses `..`
        source, filename, uptodate = super().get_source(environment, template)
        real = os.path.realpath(filename)
        if not any(real.startswith(os.path.realpath(str(root)) + os.sep) for root in self.searchpath):
            raise TemplateNotFound(template)
        return source, filename, uptodate


@dataclass
class _RenderState:
    deadline: float
    origin_of: Callable[[Any], int | None]
    size: int = 0


class TemplateSandbox(SandboxedEnvironment):
    """The Jinja environment templates render in. One per set of template folders."""

    intercepted_binops = frozenset({"*", "**", "+", "%"})

    def __init__(self, folders: tuple[str, ...], limits: RenderLimits = RenderLimits()) -> None:
        super().__init__(
            loader=_ConfinedLoader(list(folders)),
            undefined=StrictUndefined,
            autoescape=True,  # so that macro output (Markup) is told apart from values
            finalize=self._finalize,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
            auto_reload=True,  # a template edited between two renders in one process is re-read
        )
        self.folders = folders
        self.limits = limits
        self.files: list[str] = []
        self.required_arguments: dict[str, dict[str, tuple[str, ...]]] = {}
        self.state: _RenderState | None = None
        self._rendering = threading.Lock()
        self._functions: dict[str, Callable[..., Any]] = {}  # this render's, behind stable globals
        for name in ("lipsum", "cycler", "joiner"):
            self.globals.pop(name, None)
        for name in ("format", "wordwrap", "filesizeformat", "urlize", "xmlattr", "pprint", "center"):
            self.filters.pop(name, None)
        self.filters = {name: self._capped(f) for name, f in self.filters.items()}
        self.filters["yaml"] = lambda value: Markup(yaml_flow(self._light(value)))
        self.filters["tojson"] = self.filters["yaml"]  # JSON is YAML's flow style
        self.filters["orderspec_concat"] = self._concat

    # -- parsing ------------------------------------------------------------------------------
    def file_index(self, filename: str) -> int:
        if filename not in self.files:
            self.files.append(filename)
        return self.files.index(filename)

    def _parse(self, source: str, name: str | None, filename: str | None) -> nodes.Template:
        tree = super()._parse(source, name, filename)
        key = filename or name or "<template>"
        required = self.required_arguments.setdefault(key, {})
        result = _Rewrite(self.file_index(key), required).visit(tree)
        assert isinstance(result, nodes.Template)
        return result

    # -- guards -------------------------------------------------------------------------------
    def _check_deadline(self) -> None:
        if self.state is not None and time.monotonic() > self.state.deadline:
            raise TemplateTimeout(f"the template ran longer than {self.limits.seconds:g} s")

    def _check_numbers(self, values: Any) -> None:
        for value in values:
            if isinstance(value, int) and not isinstance(value, bool) and abs(value) > self.limits.max_number:
                raise TemplateTooLarge(f"the number {value} is larger than templates may use "
                                       f"({self.limits.max_number})")

    def _weight(self, value: Any) -> int:
        """Characters of text plus one per other value, counted until the cap is passed: what
        printing, joining or copying the value could cost."""
        cap = self.limits.max_output
        total = 0
        stack = [value]
        while stack and total <= cap:
            item = stack.pop()
            if isinstance(item, str):
                total += len(item)
            elif isinstance(item, (list, tuple)):
                total += 1
                stack.extend(item[: cap + 1])
            elif isinstance(item, dict):
                total += 1
                for key, entry in list(item.items())[: cap + 1]:
                    stack.append(key)
                    stack.append(entry)
            else:
                total += 1
        return total

    def _light(self, value: Any) -> Any:
        self._check_size(self._weight(value))
        return value

    def _check_amplifier(self, name: str, subject: Any, args: tuple[Any, ...]) -> None:
        """Operations whose result can be far larger than their inputs: bound the result first."""
        if not isinstance(subject, str):
            if name == "join":
                self._check_size(self._weight(subject) + len(str(args[0]) if args else "") * self._weight(subject))
            return
        if name == "replace" and len(args) >= 2 and isinstance(args[0], str) and isinstance(args[1], str):
            count = subject.count(args[0]) if args[0] else len(subject) + 1
            self._check_size(len(subject) + count * max(0, len(args[1]) - len(args[0])))
        elif name == "indent":
            width = args[0] if args and isinstance(args[0], int) else len(str(args[0])) if args else 4
            self._check_size(len(subject) + (subject.count("\n") + 1) * max(width, 0))
        elif name == "join" and args:
            items = args[0]
            self._check_size(self._weight(items) + len(subject) * self._weight(items))
        elif name in ("center", "ljust", "rjust", "zfill", "expandtabs"):
            raise SecurityError(f"str.{name} is not available in templates")

    def _check_size(self, size: int) -> None:
        if size > self.limits.max_output:
            raise TemplateTooLarge(f"the template built a value of {size} items or characters; "
                                   f"the cap is {self.limits.max_output}")

    def _capped(self, function: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(function)
        def capped(*args: Any, **kwargs: Any) -> Any:
            self._check_deadline()
            self._check_numbers(args[1:])
            self._check_numbers(kwargs.values())
            values = [a for a in args if not isinstance(a, (Context, EvalContext, Environment))]
            for value in values + list(kwargs.values()):
                self._light(value)
            if values:
                self._check_amplifier(function.__name__.replace("do_", ""), values[0], tuple(values[1:]))
            result = function(*args, **kwargs)
            if isinstance(result, (str, list, tuple)):
                self._check_size(len(result))
            return result

        return capped

    def _concat(self, items: list[Any]) -> str:
        for item in items:
            self._light(item)
        parts = [str(item) for item in items]
        self._check_size(sum(len(part) for part in parts))
        return "".join(parts)

    def wrap_str_format(self, value: Any) -> Callable[..., str] | None:
        # Format fields (`{:>999999999}`) allocate before any cap could look at the result.
        if super().wrap_str_format(value) is None:
            return None

        def refused(*args: Any, **kwargs: Any) -> str:
            raise SecurityError("str.format is not available in templates; use `~`")

        return refused

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        self._check_deadline()
        if operator == "%" and isinstance(left, str):
            raise SecurityError("`%` formatting is not available in templates; use `~`")
        if operator == "**":
            self._check_numbers((right,))
            if isinstance(right, int) and abs(right) > 64:
                raise TemplateTooLarge(f"the exponent {right} is larger than templates may use (64)")
        if operator == "*":
            for sequence, count in ((left, right), (right, left)):
                if isinstance(sequence, (str, list, tuple)) and isinstance(count, int):
                    self._check_size(self._weight(sequence) * max(count, 0))
        if operator == "+" and isinstance(left, (str, list, tuple)) and isinstance(right, (str, list, tuple)):
            self._check_size(self._weight(left) + self._weight(right))
        return super().call_binop(context, operator, left, right)

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: N805
        __self._check_deadline()
        __self._check_numbers(args)
        __self._check_numbers(kwargs.values())
        for value in (*args, *kwargs.values()):
            __self._light(value)
        subject = getattr(__obj, "__self__", None)
        if subject is not None and not isinstance(__obj, Macro):
            __self._check_amplifier(getattr(__obj, "__name__", ""), subject, args)
        if isinstance(__obj, Macro):
            __self._check_macro_arguments(__obj, args, kwargs)
        return super().call(__context, __obj, *args, **kwargs)

    def _check_macro_arguments(self, macro: Macro, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        filename = macro._func.__code__.co_filename
        required = self.required_arguments.get(filename, {}).get(macro.name)
        if required is None:
            return
        for position, name in enumerate(macro.arguments):
            if name in required and position >= len(args) and name not in kwargs:
                raise MissingMacroArgument(f"macro `{macro.name}` was called without its argument `{name}`")

    def _finalize(self, value: Any) -> Any:
        if hasattr(value, "__html__"):
            return value  # macro output, `caller()`, `| yaml`: already YAML text
        text = yaml_flow(self._light(value))
        state = self.state
        origin = state.origin_of(value) if state is not None else None
        return Markup((value_marker(origin) if origin is not None else "") + text)

    # -- rendering ----------------------------------------------------------------------------
    def _current(self, name: str) -> Callable[..., Any]:
        def call(*args: Any, **kwargs: Any) -> Any:
            function = self._functions.get(name)
            if function is None:
                raise UndefinedError(f"'{name}' is undefined")
            return function(*args, **kwargs)

        call.__name__ = name
        return call

    def render(self, name: str, variables: dict[str, Any], origin_of: Callable[[Any], int | None],
               functions: dict[str, Callable[..., Any]] | None = None) -> RenderedText:
        with self._rendering:  # one render at a time: the state and the functions are per render
            return self._render(name, variables, origin_of, functions or {})

    def _render(self, name: str, variables: dict[str, Any], origin_of: Callable[[Any], int | None],
                functions: dict[str, Callable[..., Any]]) -> RenderedText:
        # Functions are globals so that imported macros see them too (imports have no context).
        # Jinja keeps an imported template's module, with a copy of the globals it saw first, for
        # the life of the environment: each global is a stable function calling this render's
        # function, so a macro never calls the catalog functions of an earlier render.
        self._functions = functions
        for function in functions:
            if function not in self.globals:
                self.globals[function] = self._current(function)
        template = self.get_template(name)
        self.state = _RenderState(time.monotonic() + self.limits.seconds, origin_of)
        chunks: list[str] = []

        def in_template(frame: Any, event: str, arg: Any) -> Any:
            if frame.f_globals.get("environment") is self:
                return on_line
            return None

        def on_line(frame: Any, event: str, arg: Any) -> Any:
            if event == "line":
                self._check_deadline()
            return on_line

        previous = sys.gettrace()
        sys.settrace(in_template)
        try:
            size = 0
            for chunk in template.generate(variables):
                size += len(chunk)
                self._check_size(size)
                chunks.append(chunk)
        finally:
            sys.settrace(previous)
            self.state = None
        return strip_markers("".join(chunks), self.files, template.filename or name)

