"""Headers: Idempotency-Key (H001) and Zuora-Track-Id (H002), located at the spec's header line."""

from __future__ import annotations

from pathlib import Path

import pytest
from check_support import CREATE, codes, found, lint, where


def with_headers(block: str) -> str:
    return CREATE.replace("operation: create\n", f"operation: create\nheaders:\n{block}")


def test_idempotency_key_length(tmp_path: Path) -> None:
    key = "k" * 256
    diagnostics = lint(tmp_path, with_headers(f"  idempotencyKey: {key}\n"))
    assert found(diagnostics, "H001") == [where(tmp_path / "x.order.yaml", key)]
    assert codes(lint(tmp_path, with_headers(f"  idempotencyKey: {'k' * 255}\n"))) == []


@pytest.mark.parametrize("value", ["'build:42'", "'a;b'", "'say \"hi\"'", "\"it's\"", "t" * 65, "café"])
def test_track_id_rejected(tmp_path: Path, value: str) -> None:
    diagnostics = lint(tmp_path, with_headers(f"  trackId: {value}\n"))
    assert found(diagnostics, "H002") == [where(tmp_path / "x.order.yaml", value)]


def test_track_id_accepted(tmp_path: Path) -> None:
    assert codes(lint(tmp_path, with_headers(f"  trackId: ci-build-42_{'x' * 40}\n"))) == []
