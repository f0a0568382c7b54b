"""Access to the data shipped with orderspec: JSON Schemas and stock templates.

In a wheel they live in `orderspec/_data/`; in a source checkout they are the top-level
`schemas/` and `templates/` folders.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

_PACKAGE = Path(__file__).resolve().parent


def data_dir(name: str) -> Path:
    shipped = _PACKAGE / "_data" / name
    if shipped.is_dir():
        return shipped
    return _PACKAGE.parent / name


@lru_cache(maxsize=None)
def load_schema(name: str) -> dict[str, Any]:
    with open(data_dir("schemas") / name, encoding="utf-8") as handle:
        schema: dict[str, Any] = json.load(handle)
    return schema


def templates_dir() -> Path:
    return data_dir("templates")
