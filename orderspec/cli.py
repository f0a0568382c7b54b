"""Command-line glue: parse options, call the pipeline, print, choose the exit status.

Exit status: 0 clean, 1 problems found, 2 usage error or unreadable input.
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING

import click

from orderspec import __version__
from orderspec.diagnostics import Diagnostic, Severity
from orderspec.model import ENDPOINTS

if TYPE_CHECKING:
    from orderspec.report import Report

EXIT_CLEAN, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2


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


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
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
def lint(paths: tuple[str, ...], operation: str | None, output_formats: tuple[str, ...],
         outputs: tuple[str, ...], jobs: int, include: tuple[str, ...], fail_on: str) -> None:
    """Check order specs (files or directories) and report every problem found."""
    from orderspec import pipeline, report

    try:
        destinations = report.pair_outputs(click.get_current_context().meta["orderspec.args"])
    except report.OutputError as problem:
        raise click.UsageError(str(problem))
    missing = [p for p in paths if not os.path.exists(p)]
    if missing:
        raise click.UsageError(f"no such file or directory: {', '.join(missing)}")
    options = pipeline.Options(bare_operation=operation, include=include or pipeline.DEFAULT_INCLUDE)
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
    if any(d.code == "Y012" for d in result.diagnostics):
        sys.exit(EXIT_USAGE)
    sys.exit(EXIT_PROBLEMS if _fails(result.diagnostics, fail_on) else EXIT_CLEAN)


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
            report.write_atomically(path, report.render(output_format, outcome))
        except OSError as problem:
            failure = click.ClickException(f"cannot write {path}: {problem.strerror or problem}")
            failure.exit_code = EXIT_USAGE
            raise failure from None
    # The summary is for people: stderr, so that redirected reports stay machine-readable.
    if not any(f in ("json", "sarif", "junit") and p is None for f, p in destinations):
        click.echo(report.summary(outcome), err=True)


@cli.command()
@click.option("--output", "-o", metavar="FILE", help="Write the schema to FILE (atomically) instead of stdout.")
def schema(output: str | None) -> None:
    """Write a JSON Schema of spec files, for editors that use yaml-language-server."""
    from orderspec import editor_schema, report

    text = editor_schema.spec_schema_text()
    if output is None:
        click.echo(text, nl=False)
        return
    try:
        report.write_atomically(output, text)
    except OSError as problem:
        failure = click.ClickException(f"cannot write {output}: {problem.strerror or problem}")
        failure.exit_code = EXIT_USAGE
        raise failure from None
    click.echo(f"wrote {output}", err=True)


def main() -> None:
    cli(prog_name="orderspec")
