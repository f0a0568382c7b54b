"""Shared helpers for the dispatch and emulator tests: an emulator on 127.0.0.1, fast clients."""

from __future__ import annotations

import contextlib
import shutil
from pathlib import Path
from typing import Any, Iterator

from orderspec.dispatch import Credentials, Dispatcher, PollSettings, RetryPolicy, Secret, SendSettings, ZuoraClient
from orderspec.dispatch import prepare
from orderspec.emulator import Emulator, EmulatorConfig

FIXTURES = Path(__file__).parent / "fixtures" / "dispatch"
CLIENT_ID = "orderspec-tests"
SECRET = "s3cr3t-Zq8-never-print-me"  # distinctive, so a leak is found by a plain byte search

# CLI options that keep retries and polling in milliseconds.
FAST = ["--timeout", "1", "--backoff", "0.001", "--max-wait", "20", "--poll-interval", "0.005",
        "--poll-timeout", "10"]


@contextlib.contextmanager
def emulator(**settings: Any) -> Iterator[Emulator]:
    settings.setdefault("clients", {CLIENT_ID: SECRET})
    settings.setdefault("job_delay", 0.02)
    settings.setdefault("retry_after", 0)
    with Emulator(EmulatorConfig(**settings)) as running:
        yield running


def policy(**settings: Any) -> RetryPolicy:
    values = {"max_attempts": 8, "base_delay": 0.001, "max_delay": 0.02, "total_time": 15.0, "seed": 7}
    values.update(settings)
    return RetryPolicy(**values)


def client(server: Emulator, *, secret: str = SECRET, timeout: float = 2.0, **settings: Any) -> ZuoraClient:
    settings.setdefault("policy", policy())
    return ZuoraClient(server.url, Credentials(CLIENT_ID, Secret(secret)), timeout=timeout, **settings)


def dispatcher(zuora: ZuoraClient, **settings: Any) -> Dispatcher:
    values: dict[str, Any] = {"poll": PollSettings(timeout=10, interval=0.005, max_interval=0.02),
                              "retry": policy()}
    values.update(settings)
    sleep = values.pop("sleep", None)
    return Dispatcher(zuora, SendSettings(**values), **({"sleep": sleep} if sleep else {}))


def copy_specs(tmp_path: Path, *names: str) -> Path:
    """Fixture specs copied into a fresh folder (so each test has its own journal)."""
    folder = tmp_path / "specs"
    folder.mkdir(exist_ok=True)
    for name in names:
        shutil.copy(FIXTURES / name, folder / name)
    return folder


def drop_order_number(folder: Path, name: str = "create.order.yaml") -> None:
    """The spec without its orderNumber (so an unconfirmed send cannot be looked up)."""
    spec = folder / name
    text = spec.read_text()
    assert "  orderNumber: " in text
    spec.write_text("".join(line for line in text.splitlines(keepends=True) if not line.startswith("  orderNumber: ")))


def rendered(path: Path) -> list[Any]:
    result, items = prepare([str(path)])
    assert not [d for d in result.diagnostics if d.severity.value == "error"], result.diagnostics
    return items


def cli_env() -> dict[str, str]:
    return {"ZUORA_CLIENT_ID": CLIENT_ID, "ZUORA_CLIENT_SECRET": SECRET}


def assert_no_secret(*texts: str | bytes) -> None:
    for text in texts:
        data = text.encode() if isinstance(text, str) else text
        assert SECRET.encode() not in data


def journal_text(folder: Path) -> str:
    path = folder / ".orderspec" / "journal.jsonl"
    return path.read_text() if path.exists() else ""


def assert_no_token(server: Emulator, *texts: str | bytes) -> None:
    """No bearer token the emulator issued appears in any of the texts."""
    tokens = list(server.store.data["token"])
    for text in texts:
        data = text.encode() if isinstance(text, str) else text
        for token in tokens:
            assert token.encode() not in data
