"""`orderspec emulator`: run the emulated Orders API until stopped."""

from __future__ import annotations

import os
import sys
from typing import Any

import click

from orderspec.config import Config
from orderspec.diagnostics import Diagnostic, Severity, sort_key
from orderspec.emulator.tenant import TenantSettings
from orderspec.gate import EXIT_CLEAN, EXIT_USAGE, say
from orderspec.load import Limits


def tenant_from(state_dir: str | None, catalog_path: str | None, catalog_env: str | None, bill_cycle_day: int,
                limits: Limits) -> tuple[TenantSettings, Any] | None:
    """The tenant's settings and state folder, read; None (after saying why, with each problem
    as `path:line:col: CODE [error] message`) when a file cannot be used."""
    from orderspec.expand import CatalogError, load_catalog
    from orderspec.state import load_state

    problems: list[Diagnostic] = []
    catalog = None
    if catalog_path is not None:
        catalog, found = load_catalog(catalog_path, limits)
        problems += [d for d in found if d.severity is Severity.ERROR]
        if catalog is not None and catalog_env is not None:
            try:
                catalog.environment(catalog_env)
            except CatalogError as error:
                say(f"{catalog_path}: {error}")
                return None
    state = None
    if state_dir is not None:
        if not os.path.isdir(state_dir):
            say(f"{state_dir}: no such state folder (it holds subscriptions/ and accounts/)")
            return None
        state = load_state(state_dir, limits)
        problems += [d for d in state.diagnostics if d.severity is Severity.ERROR]
    if problems:
        for problem in sorted(problems, key=sort_key):
            click.echo(problem.text(), err=True)
        say("the emulator was not started: fix the files above")
        return None
    return TenantSettings(bill_cycle_day=bill_cycle_day, catalog=catalog, catalog_env=catalog_env), state


def run(host: str, port: int, faults: str | None, seed: int | None, db: str | None, lint_config: Config | None,
        state_dir: str | None = None, catalog: str | None = None, catalog_env: str | None = None,
        bill_cycle_day: int = 1, **settings: Any) -> int:
    """Serve until Ctrl-C (exit 0: the emulator's normal stop); 2 for options or files that cannot
    work. `settings` are EmulatorConfig fields (job_delay, token_ttl, latency, ...)."""
    from orderspec.emulator import Emulator, EmulatorConfig, Faults

    try:
        fault_config = Faults.parse(faults, seed) if faults else Faults(seed=seed)
    except ValueError as error:
        say(str(error))
        return EXIT_USAGE
    tenant = tenant_from(state_dir, catalog, catalog_env, bill_cycle_day,
                         lint_config.loader if lint_config is not None else Limits())
    if tenant is None:
        return EXIT_USAGE
    config = EmulatorConfig(host=host, port=port, faults=fault_config, db=db, lint_config=lint_config,
                            tenant=tenant[0], state=tenant[1], **settings)
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
