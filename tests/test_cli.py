"""The entry point: every command the cli_* modules declare is reachable from `orderspec`."""

from __future__ import annotations

import click

from orderspec import cli_reference, cli_specs, cli_tenant
from orderspec.cli import cli


def test_every_declared_command_is_registered() -> None:
    registered = set(cli.commands.values())
    registered |= {sub for group in registered if isinstance(group, click.Group) for sub in group.commands.values()}
    for module in (cli_specs, cli_reference, cli_tenant):
        declared = {value for value in vars(module).values() if isinstance(value, click.Command)}
        assert declared, module.__name__
        assert declared <= registered, (module.__name__, sorted(c.name or "" for c in declared - registered))


def test_the_group_lists_the_commands_by_name() -> None:
    assert sorted(cli.commands) == ["diff", "emulator", "explain", "job", "journal", "lint", "preview", "pull",
                                    "render", "rules", "schema", "send"]
