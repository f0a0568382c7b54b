"""`orderspec emulator`: run the emulated Orders API until stopped."""

from __future__ import annotations

import sys
from typing import Any

import click

from orderspec.config import Config
from orderspec.gate import EXIT_CLEAN, EXIT_USAGE, say


def run(host: str, port: int, faults: str | None, seed: int | None, db: str | None, lint_config: Config | None,
        **settings: Any) -> int:
    """Serve until Ctrl-C (exit 0: the emulator's normal stop); 2 for options that cannot work.
    `settings` are EmulatorConfig fields (job_delay, token_ttl, latency, ...)."""
    from orderspec.emulator import Emulator, EmulatorConfig, Faults

    try:
        fault_config = Faults.parse(faults, seed) if faults else Faults(seed=seed)
    except ValueError as error:
        say(str(error))
        return EXIT_USAGE
    config = EmulatorConfig(host=host, port=port, faults=fault_config, db=db, lint_config=lint_config, **settings)
    try:
        server = Emulator(config)
    except OSError as error:
        say(f"cannot listen on {host}:{port}: {error.strerror or error}")
        return EXIT_USAGE
    click.echo(f"orderspec emulator listening on {server.url} (Ctrl-C to stop)", err=True)
    sys.stderr.flush()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server.server_close()
        server.store.close()
    return EXIT_CLEAN
