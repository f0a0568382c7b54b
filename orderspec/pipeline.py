"""The lint pipeline read top to bottom: load -> spec -> expand -> validate, per file; then the
checks that span the whole batch. The CLI and the other commands call this, never the stages
in their own order.
"""

from __future__ import annotations

import fnmatch
import os
from dataclasses import dataclass, field
import pickle
import zlib
from itertools import repeat
from typing import Any, Callable, Iterable, Iterator

from orderspec import expand as expand_stage
from orderspec import spec as spec_stage
from orderspec import suppress
from orderspec.check import check_batch, check_request
from orderspec.config import Config
from orderspec.diagnostics import Diagnostic, Location, Pointer, sort_key
from orderspec.load import Limits, load_file
from orderspec.model import Locator, Request, choose_endpoint
from orderspec.validate import validate

DEFAULT_INCLUDE = ("*.order.yaml", "*.order.yml", "*.order.json")
# Fewer files than this are linted in-process: starting workers would cost more than it saves.
MIN_PARALLEL_FILES = 16


@dataclass(frozen=True)
class Options:
    bare_operation: str | None = None  # lint documents without a wrapper as this endpoint's body
    limits: Limits = Limits()
    include: tuple[str, ...] = DEFAULT_INCLUDE
    # Codes to report, severities, the tenant's API limits, existing orders per subscription.
    config: Config = field(default_factory=Config)
    # Values files, --set, catalog, environment and template folders for `use:` specs.
    expand: expand_stage.ExpandContext = field(default_factory=expand_stage.ExpandContext)


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
        request, problems = expand_stage.expand(spec, options.expand)
        result.diagnostics.extend(problems)
        if request is None:
            continue
        endpoint = choose_endpoint(request, options.config.limits.sync)
        result.diagnostics.extend(validate(request, endpoint))
        result.diagnostics.extend(check_request(request, endpoint, options.config))
        result.requests.append(request)
    return result


def process_files(paths: list[str], options: Options, jobs: int = 1,
                  on_done: Callable[[FileResult], None] | None = None) -> list[FileResult]:
    """`process_file` over paths, in worker processes when jobs > 1; results in the order of paths."""
    if len(paths) < MIN_PARALLEL_FILES:
        return [_done(process_file(path, options), on_done) for path in paths]
    if jobs <= 1:
        # A large batch keeps its source maps packed in-process too: half the memory per file.
        return [_done(_process_file_packed(path, options), on_done) for path in paths]
    from concurrent.futures import ProcessPoolExecutor

    workers = min(jobs, len(paths))
    # Big enough chunks to amortise the pickling round trip, small enough to keep all busy.
    chunksize = max(1, min(64, len(paths) // (workers * 8)))
    with ProcessPoolExecutor(max_workers=workers) as pool:
        return [_done(result, on_done)
                for result in pool.map(_process_file_packed, paths, repeat(options), chunksize=chunksize)]


def _process_file_packed(path: str, options: Options) -> FileResult:
    """process_file in a worker, with each request's source map packed for the trip back."""
    result = process_file(path, options)
    for request in result.requests:
        request.source = PackedLocator(request.source)
    return result


def _pack(source: Locator) -> bytes:
    # Source maps compress ~4x (repeated keys and pointer prefixes) for ~0.1 ms each.
    return zlib.compress(pickle.dumps(source, protocol=pickle.HIGHEST_PROTOCOL), 1)


class PackedLocator:
    """A request's source map, pickled until something asks it where a value came from.

    Rebuilding every source map in the parent would cost as much as the workers save, and
    most are never asked: only a diagnostic found after the per-file step needs one.
    """

    def __init__(self, source: Locator) -> None:
        self._packed: bytes | None = _pack(source)
        self._source: Locator | None = None

    def _unpacked(self) -> Locator:
        if self._source is None:
            assert self._packed is not None
            self._source, self._packed = pickle.loads(zlib.decompress(self._packed)), None
        return self._source

    def __getstate__(self) -> dict[str, object]:
        return {"_packed": self._packed if self._source is None else _pack(self._source), "_source": None}

    def __setstate__(self, state: dict[str, object]) -> None:
        self.__dict__.update(state)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__") or name in ("_packed", "_source"):
            raise AttributeError(name)
        return getattr(self._unpacked(), name)

    def locate(self, pointer: Pointer, *, key: bool = False) -> Location:
        return self._unpacked().locate(pointer, key=key)

    def related(self, pointer: Pointer) -> tuple[Location, ...]:
        return self._unpacked().related(pointer)

    def raw_plain(self, pointer: Pointer) -> str | None:
        return self._unpacked().raw_plain(pointer)

    def raw_ambiguous(self, pointer: Pointer) -> str | None:
        return self._unpacked().raw_ambiguous(pointer)


def _done(result: FileResult, on_done: Callable[[FileResult], None] | None) -> FileResult:
    if on_done is not None:
        on_done(result)
    return result


def run(paths: Iterable[str], options: Options = Options(), jobs: int = 1,
        on_done: Callable[[FileResult], None] | None = None) -> BatchResult:
    files = process_files(discover(paths, options.include), options, jobs, on_done)
    diagnostics = [d for f in files for d in f.diagnostics]
    diagnostics.extend(check_batch([r for f in files for r in f.requests], options.config))
    diagnostics = suppress.apply(diagnostics, {f.path: f.text for f in files})
    diagnostics = options.config.apply(diagnostics)
    diagnostics.sort(key=sort_key)
    # Each file keeps what is reported about it, batch rules included, after config and comments.
    by_path: dict[str, list[Diagnostic]] = {f.path: [] for f in files}
    for diagnostic in diagnostics:
        by_path.setdefault(diagnostic.path, []).append(diagnostic)
    for file_result in files:
        file_result.diagnostics = by_path[file_result.path]
    return BatchResult(files, diagnostics)

