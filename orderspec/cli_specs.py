"""The commands that work on spec files without a tenant: `lint` reports every problem, `render`
writes each request as it would be sent, `diff` says what changed between two sets of specs.
Declarations and printing only: the work is in orderspec.pipeline, orderspec.render and
orderspec.diff, imported when a command runs. `orderspec.cli` registers these commands."""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING, Any

import click

from orderspec.cli_options import CannotWrite, config_option, expand_options, pipeline_options, state_option
from orderspec.diagnostics import Diagnostic, Severity
from orderspec.files import write_atomically
from orderspec.gate import EXIT_CLEAN, EXIT_PROBLEMS, unreadable_or
from orderspec.model import ENDPOINTS

if TYPE_CHECKING:
    from orderspec.report import Report


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


@click.command(cls=_LintCommand)
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
@config_option
@click.option("--select", multiple=True, metavar="CODES",
              help="Report only these codes or code prefixes (repeatable, comma-separated).")
@click.option("--ignore", multiple=True, metavar="CODES",
              help="Do not report these codes or code prefixes (repeatable, comma-separated).")
@click.option("--existing-orders", multiple=True, metavar="SUB=N",
              help="Orders subscription SUB already has in Zuora, for the 1000-orders limit (repeatable).")
@state_option
@expand_options
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
    options = pipeline_options(config_path, expand_args, select=select, ignore=ignore,
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
            raise CannotWrite(path, problem) from None
    # The summary is for people: stderr, so that redirected reports stay machine-readable.
    if not any(f in ("json", "sarif", "junit") and p is None for f, p in destinations):
        click.echo(report.summary(outcome), err=True)


@click.command("render")
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("-o", "--output-dir", default="rendered", show_default=True, type=click.Path(file_okay=False),
              help="Folder for <spec>.json (body) and <spec>.http (request line and headers).")
@click.option("--check", is_flag=True,
              help="Write nothing; exit 1 when files render writes in the folder are missing, stale or "
                   "extra (rendered from a spec that is gone).")
@click.option("--include", multiple=True, metavar="GLOB",
              help="File name pattern to find in directories (repeatable; as for lint).")
@config_option
@state_option
@expand_options
def render_command(paths: tuple[str, ...], output_dir: str, check: bool, include: tuple[str, ...],
                   config_path: str | None, state_dir: str | None, **expand_args: Any) -> None:
    """Lint specs, then write each request as canonical JSON and its .http header file.

    Nothing is written when any spec has an error."""
    from orderspec import pipeline, render
    from orderspec.model import choose_endpoint

    missing = [p for p in paths if not os.path.exists(p)]
    if missing:
        raise click.UsageError(f"no such file or directory: {', '.join(missing)}")
    options = pipeline_options(config_path, expand_args, include=include, state_dir=state_dir, paths=paths)
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
        raise CannotWrite(f"to {output_dir}", problem) from None
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


@click.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--git", "revisions", multiple=True, metavar="REV",
              help="Compare PATHS at git revision REV with the working tree (twice: REV with REV).")
@click.option("--markdown", is_flag=True, help="Markdown for a pull request comment.")
@click.option("--bill-cycle-day", type=click.IntRange(min=1, max=31),
              help="The customer account's bill cycle day, for the offline figures.")
@click.option("--output", "-o", type=click.Path(dir_okay=False), help="Write the report to this file.")
@config_option
@state_option
@expand_options
def diff(paths: tuple[str, ...], revisions: tuple[str, ...], markdown: bool, bill_cycle_day: int | None,
         output: str | None, config_path: str | None, state_dir: str | None, **expand_args: Any) -> None:
    """What changed between OLD and NEW specs (files or directories), or with --git between
    revisions: orders added/removed, request fields changed, and the change in MRR, TCV and
    invoiced amounts. Exit 0 same, 1 different, 2 trouble."""
    from orderspec.diff import run_command

    sys.exit(run_command(paths, revisions, markdown, bill_cycle_day, output,
                         pipeline_options(config_path, expand_args, state_dir=state_dir, state_bodies=True,
                                           paths=paths)))


COMMANDS: tuple[click.Command, ...] = (lint, render_command, diff)
