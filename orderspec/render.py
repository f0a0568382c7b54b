"""Stage 5: render a request as canonical JSON bytes, with its request line and headers.

Canonical form: keys in the order the spec (or template) wrote them, 2-space indent, UTF-8 (no
\\u escapes for non-ASCII text), numbers exactly as written (Decimal, never float), one trailing
newline. The same input gives the same bytes on any machine, and the Idempotency-Key is derived
from the endpoint and those bytes: the same order always gets the same key, a changed order a
new one.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Callable

from orderspec.files import write_atomically
from orderspec.model import Endpoint, Request

_encode_text = json.JSONEncoder(ensure_ascii=False).encode


def _number(value: int | Decimal) -> str:
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError(f"{value} has no JSON form")
        return str(value)
    return str(int(value))


def _write(value: Any, indent: str, out: list[str]) -> None:
    if value is None:
        out.append("null")
    elif value is True:
        out.append("true")
    elif value is False:
        out.append("false")
    elif isinstance(value, str):
        out.append(_encode_text(value))
    elif isinstance(value, (int, Decimal)):
        out.append(_number(value))
    elif isinstance(value, float):
        raise TypeError("floats are never rendered: money must stay Decimal")
    elif isinstance(value, dict):
        if not value:
            out.append("{}")
            return
        inner = indent + "  "
        out.append("{")
        for position, (key, item) in enumerate(value.items()):
            out.append(("\n" if position == 0 else ",\n") + inner + _encode_text(str(key)) + ": ")
            _write(item, inner, out)
        out.append("\n" + indent + "}")
    elif isinstance(value, (list, tuple)):
        if not value:
            out.append("[]")
            return
        inner = indent + "  "
        out.append("[")
        for position, item in enumerate(value):
            out.append(("\n" if position == 0 else ",\n") + inner)
            _write(item, inner, out)
        out.append("\n" + indent + "]")
    else:
        raise TypeError(f"cannot render {type(value).__name__} as JSON")


def canonical_json(value: Any) -> bytes:
    out: list[str] = []
    _write(value, "", out)
    out.append("\n")
    return "".join(out).encode("utf-8")


def idempotency_key(endpoint: Endpoint, body: bytes) -> str:
    """A stable key for one order: the same endpoint and body bytes always give the same key."""
    digest = hashlib.sha256()
    digest.update(f"{endpoint.method} {endpoint.path}\n".encode())
    digest.update(body)
    return "orderspec-" + digest.hexdigest()


@dataclass(frozen=True)
class RenderedRequest:
    name: str  # the spec it came from ("file" or "file#2")
    endpoint: Endpoint
    headers: dict[str, str]  # HTTP header names, in a fixed order
    query: dict[str, str]
    body: bytes

    @property
    def idempotency_key(self) -> str:
        return self.headers["Idempotency-Key"]

    @property
    def target(self) -> str:
        query = "&".join(f"{k}={v}" for k, v in sorted(self.query.items()))
        return self.endpoint.path + (f"?{query}" if query else "")

    def http_text(self) -> str:
        """The request line and headers, as they would go on the wire (no Authorization)."""
        lines = [f"{self.endpoint.method} {self.target} HTTP/1.1"]
        lines += [f"{name}: {value}" for name, value in self.headers.items()]
        return "\n".join(lines) + "\n"


def render(request: Request, endpoint: Endpoint) -> RenderedRequest:
    body = canonical_json(request.body_as_written)
    headers = {"Content-Type": "application/json"}
    headers["Idempotency-Key"] = request.headers.get("Idempotency-Key") or idempotency_key(endpoint, body)
    for name in sorted(request.headers):
        if name != "Idempotency-Key":
            headers[name] = request.headers[name]
    query = {k: ("true" if v is True else "false" if v is False else str(v)) for k, v in request.params.items()}
    return RenderedRequest(request.name, endpoint, headers, query, body)


# -- output files -----------------------------------------------------------------------------
_SPEC_SUFFIXES = (".order.yaml", ".order.yml", ".order.json", ".yaml", ".yml", ".json")


class OutputClash(ValueError):
    """Two specs would write the same output file."""


def output_stem(spec_path: str) -> str:
    """`examples/renew.order.yaml` -> `renew`: the file name without its spec suffix."""
    name = os.path.basename(spec_path)
    for suffix in _SPEC_SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)]
    return name


def output_files(requests: list[Request], choose: Callable[[Request], Endpoint]) -> dict[str, bytes]:
    """File name -> bytes for every request: `<stem>.json` (the body) and `<stem>.http` (request
    line and headers). A file holding several specs numbers them by document: `<stem>-2.json`."""
    per_file: dict[str, int] = {}
    for request in requests:
        per_file[request.path] = per_file.get(request.path, 0) + 1
    files: dict[str, bytes] = {}
    owners: dict[str, str] = {}
    for request in requests:
        stem = output_stem(request.path)
        if per_file[request.path] > 1:
            stem += f"-{request.index + 1}"
        if stem in owners:
            raise OutputClash(f"{request.name} and {owners[stem]} would both be rendered to {stem}.json; "
                              "rename one of them")
        owners[stem] = request.name
        rendered = render(request, choose(request))
        files[stem + ".json"] = rendered.body
        files[stem + ".http"] = rendered.http_text().encode("utf-8")
    return dict(sorted(files.items()))


# -- the output folder: what render wrote there, and nothing else ---------------------------------
MANIFEST = ".orderspec-rendered"
_MANIFEST_FORMAT = "orderspec-rendered/1"
_RENDERED_SUFFIXES = (".json", ".http")


class ManifestError(ValueError):
    """The folder's manifest is not one render wrote: nothing there is touched on its word."""


def manifest_bytes(names: list[str]) -> bytes:
    """The manifest listing `names`: canonical JSON, one name a line, so it diffs well in git."""
    return canonical_json({"format": _MANIFEST_FORMAT, "files": sorted(names)})


def read_manifest(directory: str) -> list[str] | None:
    """The names the last render recorded in `directory`, or None where it has no manifest
    (never rendered into, or rendered by a version that kept none).

    Only plain `.json`/`.http` names in the folder itself are accepted: render removes the files a
    manifest names, so a hand-edited one must not reach anything render could not have written."""
    path = os.path.join(directory, MANIFEST)
    data = _read(path)
    if data is None:
        return None
    try:
        parsed = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        parsed = None
    names = parsed.get("files") if isinstance(parsed, dict) and parsed.get("format") == _MANIFEST_FORMAT else None
    if not isinstance(names, list):
        raise ManifestError(f"{path}: not a manifest of `orderspec render`; delete it and render again "
                            "(files it listed are then left for you to remove)")
    for name in names:
        if (not isinstance(name, str) or not name.endswith(_RENDERED_SUFFIXES)
                or os.path.basename(name) != name or "/" in name or "\\" in name or "\0" in name):
            raise ManifestError(f"{path}: lists {name!r}, which is not a file render writes; delete the "
                                "manifest and render again")
    return names


@dataclass(frozen=True)
class Synced:
    """What `write_outputs` did to the folder."""

    changed: list[str]  # written because new or different
    removed: list[str]  # recorded by an earlier render, no spec renders to them now
    unrecorded: list[str]  # `.json`/`.http` files no spec renders to, with no manifest to vouch for them


def write_outputs(files: dict[str, bytes], directory: str) -> Synced:
    """Make `directory` hold exactly `files` among what render writes there; other files stay.

    The manifest lists what render wrote; files it recorded earlier that no spec renders to now
    are removed. Before the files change, the manifest is widened to everything that may then be
    there, so a render stopped half-way still knows every file it may have written. A folder
    without a manifest (new, or rendered before there was one) gets one; its `.json`/`.http`
    files that nothing renders to are reported, never removed: nothing says who wrote them."""
    os.makedirs(directory, exist_ok=True)
    recorded = read_manifest(directory)
    _write_if_changed(os.path.join(directory, MANIFEST), manifest_bytes(sorted({*(recorded or ()), *files})))
    changed = [name for name, data in files.items() if _write_if_changed(os.path.join(directory, name), data)]
    removed = []
    for name in sorted(set(recorded or ()) - set(files)):
        try:
            os.remove(os.path.join(directory, name))
        except FileNotFoundError:
            continue  # already gone (removed by hand, or by a render stopped before its manifest)
        except IsADirectoryError:
            continue  # not a file render wrote, whatever the manifest says
        removed.append(name)
    _write_if_changed(os.path.join(directory, MANIFEST), manifest_bytes(list(files)))
    unrecorded = [] if recorded is not None else _unknown_outputs(files, directory)
    return Synced(changed, removed, unrecorded)


def _write_if_changed(path: str, data: bytes) -> bool:
    if _read(path) == data:
        return False
    write_atomically(path, data)
    return True


def _unknown_outputs(files: dict[str, bytes], directory: str) -> list[str]:
    return sorted(name for name in os.listdir(directory)
                  if name.endswith(_RENDERED_SUFFIXES) and name not in files
                  and os.path.isfile(os.path.join(directory, name)))


def stale_outputs(files: dict[str, bytes], directory: str) -> list[tuple[str, str]]:
    """(file name, "missing" | "stale" | "extra") for each file in `directory` that `write_outputs`
    would change: render's own files only (the manifest among them), never a file a user put there.

    "extra" is a file the manifest records that no spec renders to now; without a manifest (a
    folder rendered before there was one) the manifest itself is "missing", and render writes it."""
    recorded = read_manifest(directory)
    expected = {**files, MANIFEST: manifest_bytes(list(files))}
    problems = []
    for name, data in sorted(expected.items()):
        existing = _read(os.path.join(directory, name))
        if existing is None:
            problems.append((name, "missing"))
        elif existing != data:
            problems.append((name, "stale"))
    for name in sorted(set(recorded or ()) - set(files)):
        if os.path.isfile(os.path.join(directory, name)):
            problems.append((name, "extra"))
    return problems


def _read(path: str) -> bytes | None:
    try:
        with open(path, "rb") as stream:
            return stream.read()
    except OSError:
        return None
