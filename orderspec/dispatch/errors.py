"""What the Orders API says went wrong: reasons with 8-digit codes, and what a code's class means.

A Zuora error code is a 6-digit resource part and a 2-digit category. The category is the useful
part for a person (and for deciding whether to try again): 50 means someone else was changing the
same account at that moment, 22 means a field is missing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

# Last two digits of a reason code -> what the class of error means.
CATEGORIES: dict[int, str] = {
    10: "permission or access denied (is the feature enabled?)",
    11: "authentication failed",
    20: "invalid value or format",
    21: "unknown field in the request",
    22: "missing required field",
    23: "missing required parameter",
    27: "invalid query parameter",
    30: "business rule restriction",
    40: "not found",
    45: "unsupported request method",
    50: "lock contention: something else was changing the same account or subscription; retry later",
    60: "internal error at Zuora",
    61: "temporary error; retry",
    70: "request exceeded a limit; retry later",
    90: "malformed request",
    99: "integration error (payment gateway or tax engine)",
}

LOCK_CONTENTION = 50
# Categories where the same order, sent again a little later, can succeed.
RETRYABLE_CATEGORIES = frozenset({LOCK_CONTENTION, 61, 70})

_JOB_ERROR = re.compile(r"\[\s*([0-9A-Za-z_]+)\s*\]\s*:?\s*")


@dataclass(frozen=True)
class Reason:
    code: str
    message: str

    @property
    def category(self) -> int | None:
        if len(self.code) == 8 and self.code.isdigit():
            return int(self.code[-2:])
        return None

    @property
    def meaning(self) -> str:
        category = self.category
        if category is None:
            return "not a numbered Zuora code"
        return CATEGORIES.get(category, f"category {category:02d}")

    @property
    def retryable(self) -> bool:
        return self.category in RETRYABLE_CATEGORIES

    @property
    def lock_contention(self) -> bool:
        return self.category == LOCK_CONTENTION

    def text(self) -> str:
        return f"[{self.code}] {self.message} ({self.meaning})"

    def as_json(self) -> dict[str, str]:
        return {"code": self.code, "message": self.message, "meaning": self.meaning}


def reasons_from(payload: Any) -> list[Reason]:
    """The reasons in a synchronous response (`reasons: [{code, message}]`; code may be text or number)."""
    if not isinstance(payload, dict) or not isinstance(payload.get("reasons"), list):
        return []
    found = []
    for item in payload["reasons"]:
        if isinstance(item, dict):
            found.append(Reason(str(item.get("code", "")), str(item.get("message", ""))))
    return found


def job_errors(errors: Any) -> list[Reason]:
    """Reasons from an async job's `errors`, one string of the form `[code]: message` (maybe several)."""
    if not errors:
        return []
    if isinstance(errors, list):
        return [r for item in errors for r in job_errors(item)]
    text = str(errors)
    matches = list(_JOB_ERROR.finditer(text))
    if not matches:
        return [Reason("", text.strip())]
    found = []
    for position, match in enumerate(matches):
        end = matches[position + 1].start() if position + 1 < len(matches) else len(text)
        found.append(Reason(match.group(1), text[match.end():end].strip().rstrip(";").strip()))
    return found


class DispatchError(Exception):
    """A failure to talk to the API. Its text never holds a credential or a token."""


class OutcomeUnknown(DispatchError):
    """A create was sent but no answer that can be read came back: the order may or may not exist.
    `answered`: the last attempt did get an answer (one that could not be read), so the API has
    finished with the request and a look-up can tell whether it created the order."""

    def __init__(self, message: str, *, answered: bool = False) -> None:
        super().__init__(message)
        self.answered = answered
