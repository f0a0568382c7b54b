"""Shape-safe reading of an order body, for the stages that run on bodies that may have failed
schema validation (check, preview): a value that is not the expected kind reads as empty or
None, and is never indexed.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache
from typing import Any

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}\Z")


def as_dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def parse_date(value: Any) -> dt.date | None:
    """A YYYY-MM-DD calendar date, else None.

    Only the form the API takes: date.fromisoformat alone also reads "20240101" and "2024-W01-1"
    from Python 3.11 on, which would make the result depend on the Python version."""
    return _calendar_date(value) if isinstance(value, str) else None


# A body repeats its few dates across ~100 trigger and action dates; the rules read each again.
@lru_cache(maxsize=4096)
def _calendar_date(value: str) -> dt.date | None:
    if not _ISO_DATE.match(value):
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None
