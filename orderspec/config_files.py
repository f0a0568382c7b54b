"""Where the configuration is, and reading it: the nearest `orderspec.toml`, or `pyproject.toml`
with a `[tool.orderspec]` table, above the specs a command is given (their common folder, as
black finds its settings; the current directory for commands that name no specs). A file that is
not valid TOML is a ConfigError at its line and column, a pyproject.toml met on the way included.

orderspec.config says what the file means.
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path
from typing import Any, Iterable

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

CONFIG_FILES = ("orderspec.toml", "pyproject.toml")


class ConfigError(Exception):
    """A configuration file that cannot be used; the message names the file and the key."""


def search_start(paths: Iterable[str | Path]) -> Path | None:
    """Where the search for the configuration starts for a command given `paths` (specs, folders of
    specs): their common folder, so that specs carry their settings wherever orderspec runs from.

    A path that does not exist (yet, or only in a git revision) stands for its nearest existing
    folder. No paths, or paths with nothing in common (other drives): None, the current directory."""
    folders = []
    for raw in paths:
        path = Path(raw).absolute()
        while not path.exists() and path != path.parent:
            path = path.parent
        folders.append(path if path.is_dir() else path.parent)
    if not folders:
        return None
    try:
        return Path(os.path.commonpath([str(folder) for folder in folders]))
    except ValueError:
        return None


def find_config(start: Path | None = None) -> Path | None:
    """The nearest orderspec.toml, or pyproject.toml with a [tool.orderspec] table.

    A pyproject.toml on the way that is not valid TOML is a ConfigError, not a file to skip: it
    may hold [tool.orderspec] (as a table, a dotted key or an inline table, which only a parser
    can tell), and skipping it would lint with other settings than the project's without a word."""
    directory = (start or Path.cwd()).resolve()
    for folder in (directory, *directory.parents):
        for name in CONFIG_FILES:
            candidate = folder / name
            if not candidate.is_file():
                continue
            if name == "orderspec.toml":
                return candidate
            try:
                tool = read_toml(candidate).get("tool", {})
            except ConfigError as error:
                raise ConfigError(f"{error} (orderspec looks for its [tool.orderspec] settings in this "
                                  "file; fix it, or name the configuration with --config FILE)") from None
            if isinstance(tool, dict) and "orderspec" in tool:
                return candidate
    return None


# tomllib gives the place only in its message before Python 3.14 (lineno and colno since).
_TOML_PLACE = re.compile(r" \(at line (\d+), column (\d+)\)$| \(at end of document\)$")


def _toml_problem(path: Path, error: tomllib.TOMLDecodeError, text: str) -> str:
    """`path:line:col: not valid TOML: message`, the place in the file as the parser found it."""
    message = str(getattr(error, "msg", "") or error)
    found = _TOML_PLACE.search(message)
    message = _TOML_PLACE.sub("", message)
    line, column = getattr(error, "lineno", None), getattr(error, "colno", None)
    if line is None and found is not None:
        if found.group(1):
            line, column = int(found.group(1)), int(found.group(2))
        else:
            lines = text.split("\n")
            line, column = len(lines), len(lines[-1]) + 1
    where = f"{path}:{line}:{column}" if line is not None else str(path)
    return f"{where}: not valid TOML: {message}"


def read_toml(path: Path) -> dict[str, Any]:
    try:
        with open(path, "rb") as handle:
            raw = handle.read()
    except OSError as error:
        raise ConfigError(f"{path}: cannot read: {error.strerror or error}") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ConfigError(f"{path}: not valid TOML: not UTF-8 text (byte {error.start + 1})") from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(_toml_problem(path, error, text)) from None
