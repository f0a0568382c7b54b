"""What the commands share: the options that reach the pipeline (--config, --state, values,
--set, --catalog, --templates), and turning them into pipeline.Options with the configuration
under them. Every command that lints specs builds its options here, so that they all read the
configuration, the tenant's state and the template inputs the same way.

Usage problems (a missing file, a broken configuration) raise click.UsageError: exit 2.
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING, Any

import click

from orderspec.gate import EXIT_USAGE

if TYPE_CHECKING:
    from orderspec.config import Config


class CannotWrite(click.ClickException):
    """An output that cannot be written is trouble with the command's input: exit 2."""

    exit_code = EXIT_USAGE

    def __init__(self, target: str, problem: OSError) -> None:
        super().__init__(f"cannot write {target}: {problem.strerror or problem}")


# The keyword arguments expand_options_with gives a command, as _expand_context takes them.
EXPAND_ARGS = ("values_files", "sets", "catalog", "catalog_env", "template_dirs")


def expand_options_with(env_option: str) -> Any:
    """The options that expand templates: values, --set, catalog, catalog environment, template
    folders. `env_option` names the catalog environment option: --env, or --catalog-env where
    --env already means the dispatch environment."""
    def decorate(command: Any) -> Any:
        options = [
            click.option("-f", "--values", "values_files", multiple=True, type=click.Path(dir_okay=False),
                         metavar="FILE", help="Values file for templates (repeatable; a later file wins)."),
            click.option("--set", "sets", multiple=True, metavar="KEY=VALUE",
                         help="Set a template value, e.g. --set account=A00000101 (repeatable; wins over "
                              "values files)."),
            click.option("--catalog", type=click.Path(dir_okay=False), metavar="FILE",
                         help="Catalog of product names (default: `catalog` in the config, else "
                              "catalog.yaml beside each spec)."),
            click.option(env_option, "catalog_env", metavar="ENV", help="Catalog environment whose ids are "
                         "used (default: `env` in the config, else the catalog's defaultEnvironment)."),
            click.option("--templates", "template_dirs", multiple=True, type=click.Path(file_okay=False),
                         metavar="DIR", help="Folder of templates, searched before the configured and the "
                                             "stock ones (repeatable)."),
        ]
        for option in reversed(options):
            command = option(command)
        return command
    return decorate


expand_options = expand_options_with("--env")


def config_option(command: Any) -> Any:
    return click.option("--config", "config_path", type=click.Path(dir_okay=False), metavar="FILE",
                        help="Configuration file (default: the nearest orderspec.toml, or pyproject.toml "
                             "with [tool.orderspec], above the specs given).")(command)


def state_option(command: Any) -> Any:
    return click.option("--state", "state_dir", type=click.Path(), metavar="DIR",
                        help="State folder: subscriptions/ and accounts/ as the API answers them (`orderspec "
                             "pull` writes it), for the rules that need the tenant's state and the offline "
                             "preview's amendments (default: `state` in the config).")(command)


def command_config(path: str | None, select: tuple[str, ...], ignore: tuple[str, ...],
                   existing_orders: tuple[str, ...], specs: tuple[str, ...] = ()) -> Config:
    """The configuration named by --config, else the nearest one above the `specs` the command is
    given (the current directory when it names none)."""
    from orderspec.config import ConfigError, load_config, parse_existing_orders
    from orderspec.config_files import search_start

    try:
        return load_config(path, start=search_start(specs)).with_cli(select=select, ignore=ignore,
                                          existing_orders=parse_existing_orders(existing_orders))
    except ConfigError as problem:
        raise click.UsageError(str(problem)) from None


def pipeline_options(config_path: str | None, expand_args: dict[str, Any], *, select: tuple[str, ...] = (),
                     ignore: tuple[str, ...] = (), existing_orders: tuple[str, ...] = (),
                     bare_operation: str | None = None, include: tuple[str, ...] = (),
                     state_dir: str | None = None, state_bodies: bool = False,
                     paths: tuple[str, ...] = ()) -> Any:
    """pipeline.Options for a command given the specs `paths`: the configuration (the nearest one
    above the specs' common folder, orderspec.config.search_start; the command line on top), the
    loader caps, the expand context and the tenant's state (--state, else `state` in the
    configuration; with `state_bodies` its GET bodies too, which the offline preview prices
    amendments against). Every command that lints specs builds them here."""
    from orderspec import pipeline

    config = command_config(config_path, select, ignore, existing_orders, paths)
    return pipeline.Options(bare_operation=bare_operation, include=include or pipeline.DEFAULT_INCLUDE,
                            limits=config.loader, config=config, expand=_expand_context(config, **expand_args),
                            state=_state(state_dir, config, state_bodies))


def _expand_context(config: Config, values_files: tuple[str, ...] = (), sets: tuple[str, ...] = (),
                    catalog: str | None = None, catalog_env: str | None = None,
                    template_dirs: tuple[str, ...] = ()) -> Any:
    """The expand context: the command line over the configuration (its values files first, so a
    later -f wins; its template folders after --templates; --catalog and the environment option
    replace the configured ones). Bad values files, --set or catalog stop here (exit 2)."""
    from orderspec.expand import ExpandContext, check_inputs

    configured = f" (from {config.source})" if config.source else ""
    missing = [p for p in (*values_files, *([catalog] if catalog else [])) if not os.path.isfile(p)]
    missing += [d for d in template_dirs if not os.path.isdir(d)]
    if missing:
        raise click.UsageError(f"no such file or directory: {', '.join(missing)}")
    from_config = [p for p in (*config.values_files, *([config.catalog] if config.catalog and not catalog else []))
                   if not os.path.isfile(p)]
    from_config += [d for d in config.template_dirs if not os.path.isdir(d)]
    if from_config:
        raise click.UsageError(f"no such file or directory: {', '.join(from_config)}{configured}")
    context = ExpandContext(values_files=config.values_files + tuple(values_files), sets=sets,
                            catalog=catalog or config.catalog, env=catalog_env or config.catalog_env,
                            template_dirs=tuple(template_dirs) + config.template_dirs, limits=config.loader)
    problems = check_inputs(context)
    if problems:
        for problem in problems:
            click.echo(problem.text(), err=True)
        sys.exit(EXIT_USAGE)
    return context


def _state(state_dir: str | None, config: Config, keep_bodies: bool = False) -> Any:
    """The state folder read (its files' problems travel with it); None when none is named."""
    from orderspec.state import load_state

    directory = state_dir or config.state_dir
    if directory is None:
        return None
    if not os.path.isdir(directory):
        configured = "" if state_dir else f" (`state` in {config.source})"
        raise click.UsageError(f"no such state folder: {directory}{configured}")
    return load_state(directory, config.loader, keep_bodies=keep_bodies)
