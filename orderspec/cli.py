"""Command-line glue: parse options, call the pipeline, print, choose the exit status.

Exit status: 0 clean, 1 problems found, 2 usage error or unreadable input.
"""

from __future__ import annotations

import os
import sys

import click

from orderspec import __version__
from orderspec.diagnostics import Diagnostic, Severity, to_json_report
from orderspec.model import ENDPOINTS

EXIT_CLEAN, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2


def _fails(diagnostics: list[Diagnostic], fail_on: str) -> bool:
    threshold = Severity(fail_on).rank
    return any(d.severity.rank >= threshold for d in diagnostics)


def _print_diagnostics(diagnostics: list[Diagnostic], files: int, output_format: str) -> None:
    if output_format == "json":
        click.echo(to_json_report(files, diagnostics))
        return
    for diagnostic in diagnostics:
        click.echo(diagnostic.text())
    errors = sum(1 for d in diagnostics if d.severity is Severity.ERROR)
    warnings = sum(1 for d in diagnostics if d.severity is Severity.WARNING)
    noun = "file" if files == 1 else "files"
    if diagnostics:
        click.echo(f"{errors} error(s), {warnings} warning(s) in {files} {noun}", err=True)
    else:
        click.echo(f"{files} {noun} checked, no problems", err=True)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="orderspec")
def cli() -> None:
    """Lint, render and dispatch Zuora Orders API requests kept as YAML specs."""


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--operation", type=click.Choice(sorted(ENDPOINTS)),
              help="Lint documents that are bare request bodies (no spec wrapper) for this endpoint.")
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text",
              show_default=True)
@click.option("--include", multiple=True, metavar="GLOB",
              help="File name pattern to find in directories (repeatable; default *.order.yaml, "
                   "*.order.yml, *.order.json).")
@click.option("--fail-on", type=click.Choice(["error", "warning"]), default="error", show_default=True,
              help="Lowest severity that makes the exit status 1.")
def lint(paths: tuple[str, ...], operation: str | None, output_format: str, include: tuple[str, ...],
         fail_on: str) -> None:
    """Check order specs (files or directories) and report every problem found."""
    from orderspec import pipeline

    missing = [p for p in paths if not os.path.exists(p)]
    if missing:
        raise click.UsageError(f"no such file or directory: {', '.join(missing)}")
    options = pipeline.Options(bare_operation=operation, include=include or pipeline.DEFAULT_INCLUDE)
    result = pipeline.run(paths, options)
    if not result.files:
        raise click.UsageError(f"no order specs found in {', '.join(paths)} "
                               f"(looked for {', '.join(options.include)})")
    _print_diagnostics(result.diagnostics, len(result.files), output_format)
    if any(d.code == "Y012" for d in result.diagnostics):
        sys.exit(EXIT_USAGE)
    sys.exit(EXIT_PROBLEMS if _fails(result.diagnostics, fail_on) else EXIT_CLEAN)


def main() -> None:
    cli(prog_name="orderspec")
