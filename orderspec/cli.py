"""Command-line glue: parse options, call the pipeline, print, choose the exit status.

Exit status: 0 clean; 1 problems found (a spec that is not UTF-8 or not YAML is one, Y001/Y002);
2 usage error, broken configuration or a spec that cannot be read at all (Y012); 3 an offline
preview that could not price everything (incomplete); 130 interrupted.
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING, Any

import click

from orderspec import __version__
from orderspec.diagnostics import Diagnostic, Severity
from orderspec.files import write_atomically
from orderspec.gate import EXIT_CLEAN, EXIT_PROBLEMS, EXIT_USAGE, unreadable_or
from orderspec.model import ENDPOINTS

if TYPE_CHECKING:
    from orderspec.config import Config
    from orderspec.report import Report


class _CannotWrite(click.ClickException):
    """An output that cannot be written is trouble with the command's input: exit 2."""

    exit_code = EXIT_USAGE

    def __init__(self, target: str, problem: OSError) -> None:
        super().__init__(f"cannot write {target}: {problem.strerror or problem}")


def _fails(diagnostics: list[Diagnostic], fail_on: str) -> bool:
    threshold = Severity(fail_on).rank
    return any(d.severity.rank >= threshold for d in diagnostics)


class _LintCommand(click.Command):
    """Keeps the raw arguments: --format/--output pair up by their order on the command line."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        ctx.meta["orderspec.args"] = list(args)
        return super().parse_args(ctx, args)


def _default_jobs() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _expand_options_with(env_option: str) -> Any:
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


_expand_options = _expand_options_with("--env")


def _config_option(command: Any) -> Any:
    return click.option("--config", "config_path", type=click.Path(dir_okay=False), metavar="FILE",
                        help="Configuration file (default: the nearest orderspec.toml, or pyproject.toml "
                             "with [tool.orderspec], above the specs given).")(command)


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


def _pipeline_options(config_path: str | None, expand_args: dict[str, Any], *, select: tuple[str, ...] = (),
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

    config = _load_config(config_path, select, ignore, existing_orders, paths)
    return pipeline.Options(bare_operation=bare_operation, include=include or pipeline.DEFAULT_INCLUDE,
                            limits=config.loader, config=config, expand=_expand_context(config, **expand_args),
                            state=_state(state_dir, config, state_bodies))


def _state_option(command: Any) -> Any:
    return click.option("--state", "state_dir", type=click.Path(), metavar="DIR",
                        help="State folder: subscriptions/ and accounts/ as the API answers them (`orderspec "
                             "pull` writes it), for the rules that need the tenant's state and the offline "
                             "preview's amendments (default: `state` in the config).")(command)


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


from orderspec.gate import EXIT_INTERRUPTED  # noqa: E402  (130: 128 + SIGINT, as shells report Ctrl-C)


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


@cli.command(cls=_LintCommand)
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--operation", type=click.Choice(sorted(ENDPOINTS)),
              help="Lint documents that are bare request bodies (no spec wrapper) for this endpoint.")
@click.option("--format", "output_formats", multiple=True,
              type=click.Choice(["text", "json", "sarif", "github", "junit"]),
              help="Report format (repeatable; default text). Each --output FILE after a --format "
                   "receives that format; a --format without one prints to stdout.")
@click.option("--output", "outputs", multiple=True, metavar="FILE",
              help="Write the preceding --format to FILE (atomically) instead of stdout.")
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=_default_jobs,
              show_default="the CPU count", help="Worker processes (1 lints in-process).")
@click.option("--include", multiple=True, metavar="GLOB",
              help="File name pattern to find in directories (repeatable; default *.order.yaml, "
                   "*.order.yml, *.order.json).")
@click.option("--fail-on", type=click.Choice(["error", "warning"]), default="error", show_default=True,
              help="Lowest severity that makes the exit status 1.")
@_config_option
@click.option("--select", multiple=True, metavar="CODES",
              help="Report only these codes or code prefixes (repeatable, comma-separated).")
@click.option("--ignore", multiple=True, metavar="CODES",
              help="Do not report these codes or code prefixes (repeatable, comma-separated).")
@click.option("--existing-orders", multiple=True, metavar="SUB=N",
              help="Orders subscription SUB already has in Zuora, for the 1000-orders limit (repeatable).")
@_state_option
@_expand_options
def lint(paths: tuple[str, ...], operation: str | None, output_formats: tuple[str, ...],
         outputs: tuple[str, ...], jobs: int, include: tuple[str, ...], fail_on: str,
         config_path: str | None, select: tuple[str, ...], ignore: tuple[str, ...],
         existing_orders: tuple[str, ...], state_dir: str | None, **expand_args: Any) -> None:
    """Check order specs (files or directories) and report every problem found."""
    from orderspec import pipeline, report

    try:
        destinations = report.pair_outputs(click.get_current_context().meta["orderspec.args"])
    except report.OutputError as problem:
        raise click.UsageError(str(problem))
    missing = [p for p in paths if not os.path.exists(p)]
    if missing:
        raise click.UsageError(f"no such file or directory: {', '.join(missing)}")
    options = _pipeline_options(config_path, expand_args, select=select, ignore=ignore,
                                existing_orders=existing_orders, bare_operation=operation, include=include,
                                state_dir=state_dir, paths=paths)
    found = pipeline.discover(paths, options.include)
    progress = report.Progress(len(found), sys.stderr)
    try:
        result = pipeline.run(found, options, jobs=jobs, on_done=progress)
    finally:
        progress.close()
    if not result.files:
        raise click.UsageError(f"no order specs found in {', '.join(paths)} "
                               f"(looked for {', '.join(options.include)})")
    outcome = report.Report([f.path for f in result.files], result.diagnostics, Severity(fail_on))
    _write_reports(outcome, destinations)
    sys.exit(unreadable_or(EXIT_PROBLEMS if _fails(result.diagnostics, fail_on) else EXIT_CLEAN, result.diagnostics))


def _write_reports(outcome: Report, destinations: list[tuple[str, str | None]]) -> None:
    from orderspec import report

    for output_format, path in destinations:
        if path is None:
            if output_format == "text":
                colour = report.wants_colour(sys.stdout)
                click.echo(report.text_lines(outcome, colour=colour), nl=False, color=colour)
            else:
                click.echo(report.render(output_format, outcome), nl=False)
            continue
        try:
            write_atomically(path, report.render(output_format, outcome))
        except OSError as problem:
            raise _CannotWrite(path, problem) from None
    # The summary is for people: stderr, so that redirected reports stay machine-readable.
    if not any(f in ("json", "sarif", "junit") and p is None for f, p in destinations):
        click.echo(report.summary(outcome), err=True)


@cli.command()
@click.option("--output", "-o", metavar="FILE", help="Write the schema to FILE (atomically) instead of stdout.")
def schema(output: str | None) -> None:
    """Write a JSON Schema of spec files, for editors that use yaml-language-server."""
    from orderspec import editor_schema

    text = editor_schema.spec_schema_text()
    if output is None:
        click.echo(text, nl=False)
        return
    try:
        write_atomically(output, text)
    except OSError as problem:
        raise _CannotWrite(output, problem) from None
    click.echo(f"wrote {output}", err=True)


def _load_config(path: str | None, select: tuple[str, ...], ignore: tuple[str, ...],
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


@cli.command()
@click.option("--format", "output_format", type=click.Choice(["text", "markdown"]), default="text",
              show_default=True)
def rules(output_format: str) -> None:
    """List every diagnostic code with its severity and summary."""
    from orderspec.check import docs

    click.echo(docs.markdown() if output_format == "markdown" else docs.rules_table(), nl=False)


@cli.command()
@click.argument("code")
def explain(code: str) -> None:
    """Explain one diagnostic code, with a bad and a good example."""
    from orderspec.check import docs
    from orderspec.registry import RULES
    from orderspec.spec import did_you_mean

    wanted = code.strip().upper()
    found = RULES.get(wanted)
    if found is None:
        # Codes are a letter and digits: O for 0 and I or L for 1 are the usual slips.
        digits = wanted[1:].translate(str.maketrans("OIL", "011"))
        hint = (f" (did you mean `{wanted[:1] + digits}`?)" if wanted[:1] + digits in RULES
                else did_you_mean(wanted, tuple(RULES)))
        raise click.UsageError(f"unknown rule code `{code}`{hint}; `orderspec rules` lists them")
    click.echo(docs.explain(found), nl=False)


@cli.command("render")
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("-o", "--output-dir", default="rendered", show_default=True, type=click.Path(file_okay=False),
              help="Folder for <spec>.json (body) and <spec>.http (request line and headers).")
@click.option("--check", is_flag=True,
              help="Write nothing; exit 1 when files render writes in the folder are missing, stale or "
                   "extra (rendered from a spec that is gone).")
@click.option("--include", multiple=True, metavar="GLOB",
              help="File name pattern to find in directories (repeatable; as for lint).")
@_config_option
@_state_option
@_expand_options
def render_command(paths: tuple[str, ...], output_dir: str, check: bool, include: tuple[str, ...],
                   config_path: str | None, state_dir: str | None, **expand_args: Any) -> None:
    """Lint specs, then write each request as canonical JSON and its .http header file.

    Nothing is written when any spec has an error."""
    from orderspec import pipeline, render
    from orderspec.model import choose_endpoint

    missing = [p for p in paths if not os.path.exists(p)]
    if missing:
        raise click.UsageError(f"no such file or directory: {', '.join(missing)}")
    options = _pipeline_options(config_path, expand_args, include=include, state_dir=state_dir, paths=paths)
    result = pipeline.run(pipeline.discover(paths, options.include), options, keep_requests=True)
    if not result.files:
        raise click.UsageError(f"no order specs found in {', '.join(paths)}")
    for diagnostic in result.diagnostics:
        click.echo(diagnostic.text())
    if any(d.severity is Severity.ERROR for d in result.diagnostics):
        click.echo("errors found: nothing rendered", err=True)
        sys.exit(unreadable_or(EXIT_PROBLEMS, result.diagnostics))
    try:
        files = render.output_files(result.requests, lambda r: choose_endpoint(r, options.config.limits.sync))
    except render.OutputClash as clash:
        raise click.UsageError(str(clash)) from None
    try:
        if check:
            sys.exit(_render_check(files, output_dir))
        synced = render.write_outputs(files, output_dir)
    except render.ManifestError as problem:
        raise click.UsageError(str(problem)) from None
    except OSError as problem:
        raise _CannotWrite(f"to {output_dir}", problem) from None
    for name in synced.removed:
        click.echo(f"{os.path.join(output_dir, name)}: removed (rendered before; no spec renders to it now)",
                   err=True)
    for name in synced.unrecorded:
        click.echo(f"{os.path.join(output_dir, name)}: left alone: no spec renders to it, and {output_dir} has "
                   f"no record ({render.MANIFEST}) that orderspec wrote it; delete it if it is a leftover",
                   err=True)
    removed = f", {len(synced.removed)} removed" if synced.removed else ""
    click.echo(f"rendered {len(result.requests)} request(s) into {output_dir} "
               f"({len(synced.changed)} file(s) changed{removed})", err=True)
    sys.exit(EXIT_CLEAN)


def _render_check(files: dict[str, bytes], output_dir: str) -> int:
    from orderspec import render

    problems = render.stale_outputs(files, output_dir)
    for name, state in problems:
        click.echo(f"{os.path.join(output_dir, name)}: {state}")
    if problems:
        click.echo(f"{len(problems)} rendered file(s) out of date: run `orderspec render` to update",
                   err=True)
        return EXIT_PROBLEMS
    click.echo(f"{len(files)} rendered file(s) up to date in {output_dir}", err=True)
    return EXIT_CLEAN


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--git", "revisions", multiple=True, metavar="REV",
              help="Compare PATHS at git revision REV with the working tree (twice: REV with REV).")
@click.option("--markdown", is_flag=True, help="Markdown for a pull request comment.")
@click.option("--bill-cycle-day", type=click.IntRange(min=1, max=31),
              help="The customer account's bill cycle day, for the offline figures.")
@click.option("--output", "-o", type=click.Path(dir_okay=False), help="Write the report to this file.")
@_config_option
@_state_option
@_expand_options
def diff(paths: tuple[str, ...], revisions: tuple[str, ...], markdown: bool, bill_cycle_day: int | None,
         output: str | None, config_path: str | None, state_dir: str | None, **expand_args: Any) -> None:
    """What changed between OLD and NEW specs (files or directories), or with --git between
    revisions: orders added/removed, request fields changed, and the change in MRR, TCV and
    invoiced amounts. Exit 0 same, 1 different, 2 trouble."""
    from orderspec.diff import run_command

    sys.exit(run_command(paths, revisions, markdown, bill_cycle_day, output,
                         _pipeline_options(config_path, expand_args, state_dir=state_dir, state_bodies=True,
                                           paths=paths)))


# The commands that talk to a tenant (or rehearse against the emulator) are declared in their own
# module; importing it registers them on `cli`.
from orderspec import cli_tenant  # noqa: E402,F401


def main() -> None:
    from orderspec.interrupt import guard_ctrl_c

    guard_ctrl_c()
    cli(prog_name="orderspec")
