"""The command line's entry point: the `orderspec` group, and the commands registered on it.

The commands are declared by what they work on: orderspec.cli_specs (lint, render, diff),
orderspec.cli_reference (rules, explain, schema) and orderspec.cli_tenant (preview, send, job,
journal, pull, emulator); the options they share are in orderspec.cli_options. Each is glue:
parse options, call the stage that does the work, print, choose the exit status.

Exit status: 0 clean; 1 problems found (a spec that is not UTF-8 or not YAML is one, Y001/Y002);
2 usage error, broken configuration or a spec that cannot be read at all (Y012); 3 an offline
preview that could not price everything (incomplete); 130 interrupted.
"""

from __future__ import annotations

from typing import Any

import click

from orderspec import __version__, cli_reference, cli_specs, cli_tenant
from orderspec.gate import EXIT_INTERRUPTED  # 130: 128 + SIGINT, as shells report Ctrl-C


class _Commands(click.Group):
    """Ctrl-C stops any command with exit status 130 and one line, never a traceback; click alone
    would say "Aborted!" and exit 1, which reads as "problems found"."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt:
            # On a new line: ^C was echoed where the cursor stood (a progress bar, say).
            click.echo("\norderspec: interrupted", err=True)
            ctx.exit(EXIT_INTERRUPTED)


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="orderspec")
def cli() -> None:
    """Lint, render and dispatch Zuora Orders API requests kept as YAML specs."""


# Each command module lists what it declares, so that a command added there is registered here.
for _module in (cli_specs, cli_reference, cli_tenant):
    for _command in _module.COMMANDS:
        cli.add_command(_command)


def main() -> None:
    from orderspec.interrupt import guard_ctrl_c

    guard_ctrl_c()
    cli(prog_name="orderspec")
