"""The lint pipeline read top to bottom: load -> spec -> expand -> validate, per file; then the
checks that span the whole batch. The CLI and the other commands call this, never the stages
in their own order.
"""

from __future__ import annotations

import fnmatch
import os
from dataclasses import dataclass, field
import pickle
import signal
import zlib
from typing import Any, Callable, Iterable, Iterator

from orderspec import expand as expand_stage
from orderspec import spec as spec_stage
from orderspec import suppress
from orderspec.check import BatchFacts, Unlocated, batch_facts, check_batch, check_request
from orderspec.config import Config
from orderspec.diagnostics import Diagnostic, Location, Pointer, sort_key
from orderspec.load import Limits, LoadedFile, load_file
from orderspec.model import LocationsOnly, Locator, Request, choose_endpoint
from orderspec.state import State
from orderspec.validate import validate_request

DEFAULT_INCLUDE = ("*.order.yaml", "*.order.yml", "*.order.json")
# Fewer files than this are linted in-process: starting workers (each compiles its validators and,
# for its first invalid body, imports jsonschema) costs more than it saves below ~100 corpus specs
# on 2 cores, and more for JSON bodies, which are cheaper per file (bench/pool_threshold.py).
MIN_PARALLEL_FILES = 100
# Files whose requests a batch rule had to locate by reading them again, kept for its next question.
REREAD_FILES_KEPT = 8


@dataclass(frozen=True)
class Options:
    bare_operation: str | None = None  # lint documents without a wrapper as this endpoint's body
    limits: Limits = Limits()
    include: tuple[str, ...] = DEFAULT_INCLUDE
    # Codes to report, severities, the tenant's API limits, existing orders per subscription.
    config: Config = field(default_factory=Config)
    # Values files, --set, catalog, environment and template folders for `use:` specs.
    expand: expand_stage.ExpandContext = field(default_factory=expand_stage.ExpandContext)
    # The tenant's subscriptions and accounts (`--state DIR`); its files' problems are reported
    # with the batch's.
    state: State | None = None


@dataclass(slots=True)  # a batch keeps one per file
class FileResult:
    path: str
    requests: list[Request] = field(default_factory=list)  # empty unless kept (run(keep_requests=True))
    diagnostics: list[Diagnostic] = field(default_factory=list)
    text: str = ""  # empty unless the requests are kept
    # What the batch rules and the suppression comments need once the file is done.
    facts: list[BatchFacts] = field(default_factory=list)
    silenced: suppress.Directives = field(default_factory=dict)
    checksum: int = 0  # of the text: a file reread for a location must be the file that was linted


@dataclass
class BatchResult:
    files: list[FileResult]
    diagnostics: list[Diagnostic]
    kept_requests: bool = False

    @property
    def requests(self) -> list[Request]:
        if not self.kept_requests:
            raise RuntimeError("the requests of a batch are kept only by run(..., keep_requests=True)")
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
    """Load, read the spec wrappers, expand, validate and check every document of one file."""
    loaded = load_file(path, limits=options.limits)
    result = FileResult(path, diagnostics=list(loaded.diagnostics), text=loaded.text,
                        silenced=suppress.directives(loaded.text),
                        checksum=zlib.crc32(loaded.text.encode()))
    for request in _expanded(loaded, options, result.diagnostics):
        endpoint = choose_endpoint(request, options.config.limits.sync)
        validated = validate_request(request, endpoint)
        result.diagnostics.extend(validated.diagnostics)
        request = validated.request  # the later stages judge the numbers the API reads
        result.diagnostics.extend(check_request(request, endpoint, options.config, options.state))
        result.requests.append(request)
        # A source map built only on demand is not built for this: run() supplies a locator that
        # rereads the file in the rare case that a batch rule reports something here.
        result.facts.append(batch_facts(request, locate=getattr(request.source, "built", True)))
    return result


def _expanded(loaded: LoadedFile, options: Options, diagnostics: list[Diagnostic]) -> Iterator[Request]:
    """load -> spec -> expand for each document of a loaded file; problems go to diagnostics."""
    for document in loaded.documents:
        spec, problems = spec_stage.parse(document, options.bare_operation)
        diagnostics.extend(problems)
        if spec is None:
            continue
        request, problems = expand_stage.expand(spec, options.expand)
        diagnostics.extend(problems)
        if request is not None:
            yield request


def process_files(paths: list[str], options: Options, jobs: int = 1,
                  on_done: Callable[[FileResult], None] | None = None,
                  keep_requests: bool = False) -> list[FileResult]:
    """`process_file` over paths, in worker processes when jobs > 1; results in the order of paths.

    Unless keep_requests, each result drops its requests and text once the file is done (its
    batch facts and suppression directives stay): memory does not grow with the batch.
    """
    if len(paths) < MIN_PARALLEL_FILES:
        return [_done(_finished(process_file(path, options), keep_requests, False), on_done) for path in paths]
    if jobs <= 1:
        # In a large batch, kept requests keep their source maps packed in-process too.
        return [_done(_process_file_finished(path, options, keep_requests), on_done) for path in paths]
    import multiprocessing
    from functools import partial

    workers = min(jobs, len(paths))
    # Big enough chunks to amortise the pickling round trip, small enough to keep all busy.
    chunksize = max(1, min(64, len(paths) // (workers * 8)))
    one_file = partial(_process_file_finished, options=options, keep_requests=keep_requests)
    # Ctrl-C is the parent's alone: a worker interrupted while holding the task queue's lock left
    # the others (and the parent, waiting for them) hanging. Leaving the pool, finished or
    # interrupted, terminates the workers, even one blocked reading a file. Until the pool is
    # entered, Ctrl-C waits: a worker started meanwhile would take it before its initializer
    # (a traceback), and a pool interrupted half-made is never left (its workers outlive orderspec).
    deferred = _defer_ctrl_c()
    try:
        pool = multiprocessing.Pool(workers, initializer=_ignore_ctrl_c)
    except BaseException:
        _resume_ctrl_c(deferred)
        raise
    with pool:
        _resume_ctrl_c(deferred)
        return [_done(result, on_done) for result in pool.imap(one_file, paths, chunksize=chunksize)]


def _defer_ctrl_c() -> set[int | signal.Signals] | None:
    """Block SIGINT in this thread, and so in the processes and threads it starts; the mask to
    restore (None where signals cannot be blocked)."""
    if not hasattr(signal, "pthread_sigmask"):
        return None
    return signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})


def _resume_ctrl_c(mask: set[int | signal.Signals] | None) -> None:
    if mask is not None:
        signal.pthread_sigmask(signal.SIG_SETMASK, mask)  # a Ctrl-C that waited is raised here


def _ignore_ctrl_c() -> None:
    # In that order: ignoring SIGINT drops one that came while it was blocked (since the fork).
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    # The parent's Ctrl-C watcher (orderspec.interrupt) reads the wakeup pipe a fork inherits.
    signal.set_wakeup_fd(-1)


def _process_file_finished(path: str, options: Options, keep_requests: bool) -> FileResult:
    """process_file in a worker (or a large batch), ready to be kept until the end of the batch."""
    return _finished(process_file(path, options), keep_requests, True)


def _finished(result: FileResult, keep_requests: bool, pack: bool) -> FileResult:
    if not keep_requests:
        result.requests, result.text = [], ""
    elif pack:
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
        on_done: Callable[[FileResult], None] | None = None, *, keep_requests: bool = False) -> BatchResult:
    """Lint a batch. Only with keep_requests does the result hold the requests (render, send,
    preview, diff need them); lint keeps what is reported about each file, nothing more."""
    files = process_files(discover(paths, options.include), options, jobs, on_done, keep_requests)
    diagnostics = [d for f in files for d in f.diagnostics]
    _locate_later(files, options)
    diagnostics.extend(check_batch([facts for f in files for facts in f.facts], options.config))
    if options.state is not None:
        diagnostics.extend(options.state.diagnostics)
    diagnostics = suppress.apply_directives(diagnostics, {f.path: f.silenced for f in files})
    diagnostics = options.config.apply(diagnostics)
    diagnostics.sort(key=sort_key)
    # Each file keeps what is reported about it, batch rules included, after config and comments.
    by_path: dict[str, list[Diagnostic]] = {f.path: [] for f in files}
    for diagnostic in diagnostics:
        by_path.setdefault(diagnostic.path, []).append(diagnostic)
    for file_result in files:
        file_result.diagnostics = by_path[file_result.path]
        file_result.facts = []
    return BatchResult(files, diagnostics, keep_requests)


def _locate_later(files: list[FileResult], options: Options) -> None:
    """Give batch facts made without a location a locator that rereads their file when asked."""
    reread: dict[str, dict[int, Locator]] = {}
    for file_result in files:
        for facts in file_result.facts:
            if isinstance(facts.source, Unlocated):  # (facts from workers are copies)
                facts.source = _Reread(file_result.path, file_result.checksum, facts.index, options, reread)


class _Reread(LocationsOnly):
    """Locates a request's values by loading its file again: only a batch rule that reports on a
    request whose source map was never built comes here (rarely; then once per file)."""

    def __init__(self, path: str, checksum: int, index: int, options: Options,
                 cache: dict[str, dict[int, Locator]]) -> None:
        self.path, self.checksum, self.index, self.options, self.cache = path, checksum, index, options, cache

    def _source(self) -> Locator | None:
        if self.path not in self.cache:
            if len(self.cache) >= REREAD_FILES_KEPT:
                del self.cache[next(iter(self.cache))]  # the oldest: batch rules go file by file
            loaded = load_file(self.path, limits=self.options.limits)
            same = zlib.crc32(loaded.text.encode()) == self.checksum
            self.cache[self.path] = {r.index: r.source for r in _expanded(loaded, self.options, [])} if same else {}
        return self.cache[self.path].get(self.index)

    def locate(self, pointer: Pointer, *, key: bool = False) -> Location:
        source = self._source()
        # The file changed while it was being linted: its start is all that can be said.
        return source.locate(pointer, key=key) if source is not None else Location(self.path, 1, 1)
