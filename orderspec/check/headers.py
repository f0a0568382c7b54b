"""Request headers the API constrains beyond "text": Idempotency-Key and Zuora-Track-Id."""

from __future__ import annotations

from orderspec.check._common import Context
from orderspec.diagnostics import Location, at

IDEMPOTENCY_KEY_MAX = 255
TRACK_ID_MAX = 64
TRACK_ID_FORBIDDEN = ':;"\''


def check(ctx: Context) -> None:
    key = ctx.request.headers.get("Idempotency-Key")
    if key is not None and len(key) > IDEMPOTENCY_KEY_MAX:
        _report(ctx, "Idempotency-Key", "H001",
                f"Idempotency-Key is {len(key)} characters long; the API takes at most {IDEMPOTENCY_KEY_MAX}")
    track = ctx.request.headers.get("Zuora-Track-Id")
    if track is None:
        return
    problems = []
    if len(track) > TRACK_ID_MAX:
        problems.append(f"is {len(track)} characters long (at most {TRACK_ID_MAX})")
    if not track.isascii():
        problems.append("has characters outside US-ASCII")
    bad = sorted({c for c in track if c in TRACK_ID_FORBIDDEN})
    if bad:
        problems.append("contains " + " ".join(f"`{c}`" for c in bad))
    if problems:
        _report(ctx, "Zuora-Track-Id", "H002",
                "Zuora-Track-Id " + "; ".join(problems) + ": the API takes up to 64 US-ASCII characters "
                "without `:` `;` `\"` `'`")


def _report(ctx: Context, header: str, code: str, message: str) -> None:
    where = ctx.request.header_source.get(header) or Location(ctx.request.path, ctx.request.line, 1)
    ctx.problems.append(at(where, code, message))
