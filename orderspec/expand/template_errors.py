"""What goes wrong in a template, and the diagnostic each failure becomes.

Templates may come from untrusted pull requests, so every exception their rendering raises is
turned into one finding (T002-T006, T021), never a traceback. It is placed on the innermost
template line of the traceback, or at the value the user supplied when a catalog lookup refused
it; orderspec.expand.template_use then reports it in the spec with that place as a note.
"""

from __future__ import annotations

import re
import traceback
from typing import TYPE_CHECKING, Any

from jinja2.exceptions import SecurityError, TemplateError, TemplateNotFound, TemplateSyntaxError, UndefinedError

from orderspec.diagnostics import Diagnostic, Location, at
from orderspec.expand.origins import TEMPLATE_ERROR_NOTE, VALUE_NOTE, display_path
from orderspec.expand.values import Values

if TYPE_CHECKING:
    from orderspec.expand.sandbox import TemplateSandbox


class TemplateTimeout(TemplateError):
    pass


class TemplateTooLarge(TemplateError):
    pass


class MissingMacroArgument(TemplateError):
    pass


class TemplateFailure(TemplateError):
    """Raised by functions offered to templates (catalog lookups) with a message for the user."""

    def __init__(self, message: str, subject: Any = None) -> None:
        super().__init__(message)
        self.subject = subject  # the value the failure is about, to find who supplied it


def template_diagnostic(error: Exception, sandbox: TemplateSandbox, values: Values,
                        identity: dict[int, tuple[Any, ...]], use: Location) -> tuple[Diagnostic, str]:
    """The finding for a render that raised `error`, and the note its place gets when it is
    reported at the spec's `use:` line. `identity` maps the ids of the values the template was
    given to their paths in `values`."""
    where = _template_frame(error, sandbox) or use
    if isinstance(error, TemplateSyntaxError):
        path = error.filename or error.name or "<template>"
        where = Location(display_path(path), error.lineno or 1, 1)
        return at(where, "T002", f"template syntax error: {error.message}"), TEMPLATE_ERROR_NOTE
    if isinstance(error, TemplateNotFound):
        return at(where, "T004", f"the template asked for `{error.name}`, which is not a template "
                  "in the template folders"), TEMPLATE_ERROR_NOTE
    if isinstance(error, TemplateFailure):
        supplied = identity.get(id(error.subject)) if error.subject is not None else None
        if supplied is not None:
            at_value = values.locate(supplied)
            if at_value is not None:
                frame = (where.noted(TEMPLATE_ERROR_NOTE),) if where != use else ()
                return at(at_value, "T021", str(error) + values.describe(supplied), related=frame), VALUE_NOTE
        return at(where, "T021", str(error)), TEMPLATE_ERROR_NOTE
    if isinstance(error, (UndefinedError, MissingMacroArgument)):
        message = str(error)
        match = re.match(r"'([^']+)' is undefined", message)
        if match:
            message = f"`{match.group(1)}` is not defined (declare it in the template's params, or pass it)"
        return at(where, "T003", message), TEMPLATE_ERROR_NOTE
    if isinstance(error, SecurityError):
        return at(where, "T004", f"refused by the template sandbox: {error}"), TEMPLATE_ERROR_NOTE
    if isinstance(error, (TemplateTimeout, TemplateTooLarge, RecursionError, MemoryError)):
        message = str(error) if isinstance(error, TemplateError) else "the template recursed too deeply"
        return at(where, "T005", message), TEMPLATE_ERROR_NOTE
    if isinstance(error, TemplateError):
        return at(where, "T006", f"the template failed: {error}"), TEMPLATE_ERROR_NOTE
    return at(where, "T006", f"the template failed: {type(error).__name__}: {error}"), TEMPLATE_ERROR_NOTE


def _template_frame(error: BaseException, sandbox: TemplateSandbox) -> Location | None:
    """The innermost template line in the traceback (Jinja rewrites frames to template lines)."""
    files = set(sandbox.files)
    found: Location | None = None
    for frame in traceback.extract_tb(error.__traceback__):
        if frame.filename in files and frame.lineno:
            found = Location(display_path(frame.filename), frame.lineno, 1)
    return found
