"""Where the values of a body rendered from a template came from, in the terms the user wrote.

A finding on a `use:` spec is reported in the spec file: at the `with:` (or `vars:`) value that
the template printed there, else at the spec's `use:` line. The template line that wrote the
value, and the values file key or `--set` that supplied it, are its related places, each with a
note saying what it is. Reporting at the template instead would put the findings of every spec
that uses it on one line of one file (inside site-packages, for a stock template): nameless,
and beyond the reach of the suppression comments in the specs.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from orderspec.diagnostics import Location, Pointer
from orderspec.expand.values import Values
from orderspec.load import SourceMap

if TYPE_CHECKING:  # Jinja is imported only when a spec uses a template
    from orderspec.expand.rendered import RenderedText

# What the notes beside a finding on a `use:` spec say about each place.
TEMPLATE_NOTE = "the template line that wrote it"
VALUE_NOTE = "the value came from here"
TEMPLATE_ERROR_NOTE = "the template line"
WHOLE_TEMPLATE_NOTE = "the template"
HEADER_NOTE = "the template's parameter list"
DECLARATION_NOTE = "the parameter's declaration"


def display_path(path: str) -> str:
    """A template's path as shown in messages: relative to the working directory when below it."""
    try:
        relative = os.path.relpath(path)
    except ValueError:
        return path
    return path if relative.startswith("..") else relative


@dataclass
class ExpandedSource:
    """Locator of a body rendered from a template (see the module docstring)."""

    rendered: SourceMap  # positions in the rendered text
    text: "RenderedText"
    values: Values  # the values the template was given
    origin_paths: list[tuple[Any, ...]]  # per origin index in the rendered text: a path in `values`
    use: Location  # the spec's `use:` line
    template: str = ""  # the template file `use:` names, as shown

    def origin_location(self, index: int, below: Pointer, *, key: bool = False) -> Location:
        return self.values.locate(self.origin_paths[index] + tuple(below), key=key) or self.use

    def template_location(self, pointer: Pointer, *, key: bool = False) -> Location:
        """The template line that wrote the value (or key) at `pointer`."""
        if not pointer and self.template:
            # The body as a whole: its first line may well be in an included part.
            return Location(self.template, 1, 1, WHOLE_TEMPLATE_NOTE)
        location = self.rendered.locate(pointer, key=key)
        path, line = self.text.template_line(location.line)
        return Location(display_path(path), line, location.column, TEMPLATE_NOTE)

    def supplied_by(self, pointer: Pointer, *, key: bool = False) -> Location | None:
        """Where the value (or key) at `pointer` was supplied (spec, values file, --set), if a
        value printed by the template holds it."""
        full = tuple(pointer)
        target = self.rendered.locate(full)
        while True:
            # A value printed whole carries its origin; a part of it (an item of a printed list)
            # finds it on an ancestor that starts on the same rendered line.
            where = self.rendered.locate(full)
            origin = self.text.origins.get((where.line, where.column))
            if origin is not None:
                below = tuple(pointer)[len(full):]
                if key and not below:
                    return None  # the key of a printed value is template text
                return self.origin_location(origin, below, key=key)
            if not full or where.line != target.line:
                return None
            full = full[:-1]

    def _in_spec(self, location: Location | None) -> bool:
        return location is not None and location.path == self.use.path

    def locate(self, pointer: Pointer, *, key: bool = False) -> Location:
        supplied = self.supplied_by(pointer, key=key)
        return supplied if supplied is not None and self._in_spec(supplied) else self.use

    def related(self, pointer: Pointer) -> tuple[Location, ...]:
        supplied = self.supplied_by(pointer)
        found: list[Location] = []
        if supplied is not None and not self._in_spec(supplied):
            found.append(supplied.noted(VALUE_NOTE))
        found.append(self.template_location(pointer))
        return tuple(found)

    def raw_plain(self, pointer: Pointer) -> str | None:
        return self.rendered.raw_plain(pointer)

    def raw_ambiguous(self, pointer: Pointer) -> str | None:
        return self.rendered.raw_ambiguous(pointer)

    def ambiguous_pointers(self) -> Any:
        return self.rendered.ambiguous_pointers()
