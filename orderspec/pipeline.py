"""The lint pipeline read top to bottom: load -> spec -> expand -> validate, per file; then the
checks that span the whole batch. The CLI and the other commands call this, never the stages
in their own order.
"""

from __future__ import annotations

import fnmatch
import os
from dataclasses import dataclass, field
from typing import Iterable, Iterator

from orderspec import expand as expand_stage
from orderspec import spec as spec_stage
from orderspec.diagnostics import Diagnostic, sort_key
from orderspec.load import Limits, load_file
from orderspec.model import Request, choose_endpoint
from orderspec.validate import validate

DEFAULT_INCLUDE = ("*.order.yaml", "*.order.yml", "*.order.json")


@dataclass(frozen=True)
class Options:
    bare_operation: str | None = None  # lint documents without a wrapper as this endpoint's body
    limits: Limits = Limits()
    include: tuple[str, ...] = DEFAULT_INCLUDE


@dataclass
class FileResult:
    path: str
    requests: list[Request] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    text: str = ""


@dataclass
class BatchResult:
    files: list[FileResult]
    diagnostics: list[Diagnostic]

    @property
    def requests(self) -> list[Request]:
        return [r for f in self.files for r in f.requests]


def discover(paths: Iterable[str], include: tuple[str, ...] = DEFAULT_INCLUDE) -> list[str]:
    """Files named on the command line, and matching files found below named directories."""
    found: list[str] = []
    seen: set[str] = set()
    for path in paths:
        candidates: Iterator[str]
        if os.path.isdir(path):
            candidates = (
                os.path.join(root, name)
                for root, dirs, names in sorted_walk(path)
                for name in names
                if any(fnmatch.fnmatch(name, pattern) for pattern in include)
            )
        else:
            candidates = iter([path])
        for candidate in candidates:
            key = os.path.normpath(candidate)
            if key not in seen:
                seen.add(key)
                found.append(candidate)
    return found


def sorted_walk(top: str) -> Iterator[tuple[str, list[str], list[str]]]:
    for root, dirs, names in os.walk(top):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        yield root, dirs, sorted(names)


def process_file(path: str, options: Options) -> FileResult:
    """Load, read the spec wrappers, expand and validate every document of one file."""
    loaded = load_file(path, limits=options.limits)
    result = FileResult(path, diagnostics=list(loaded.diagnostics), text=loaded.text)
    for document in loaded.documents:
        spec, problems = spec_stage.parse(document, options.bare_operation)
        result.diagnostics.extend(problems)
        if spec is None:
            continue
        request, problems = expand_stage.expand(spec)
        result.diagnostics.extend(problems)
        if request is None:
            continue
        result.diagnostics.extend(validate(request, choose_endpoint(request)))
        result.requests.append(request)
    return result


def run(paths: Iterable[str], options: Options = Options()) -> BatchResult:
    files = [process_file(path, options) for path in discover(paths, options.include)]
    diagnostics = [d for f in files for d in f.diagnostics]
    diagnostics.sort(key=sort_key)
    return BatchResult(files, diagnostics)

