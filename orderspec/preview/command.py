"""`orderspec preview` without --remote: lint the specs, then print each order's offline plan.

`--json` prints `[{"spec": PATH, "incomplete": ..., "unpriced": [...], "response": ...}]`, the same
keys as `preview --remote --json` plus what could not be priced.

Exit status: 0 previewed, every charge and order action priced; 3 incomplete: something could not be
priced offline (each reason is a P001 warning, listed first in the text and under `unpriced` in
--json; what could be priced is still shown); 1 the specs have errors (nothing is previewed);
2 usage error.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

from orderspec.body import parse_date
from orderspec.diagnostics import Severity
from orderspec.gate import EXIT_CLEAN, EXIT_INCOMPLETE, EXIT_USAGE, lint_status, missing_paths
from orderspec.preview.engine import Window, build_plan, spec_catalog
from orderspec.preview.state import TenantState, tenant_state
from orderspec.preview.text import plan_text

if TYPE_CHECKING:
    from orderspec.model import Request
    from orderspec.preview.plan import Plan
    from orderspec.pipeline import Options


def window_option(thru: str | None, periods: int | None, term_end: bool) -> Window | None:
    """The preview window asked for on the command line (None: the spec's previewOptions)."""
    chosen = [name for name, given in (("--thru", thru), ("--periods", periods), ("--term-end", term_end)) if given]
    if len(chosen) > 1:
        raise click.UsageError(f"{' and '.join(chosen)} exclude each other")
    if thru:
        when = parse_date(thru)
        if when is None:
            raise click.UsageError(f"--thru {thru!r} is not a date (YYYY-MM-DD)")
        return Window("SpecificDate", thru=when)
    if periods:
        return Window("NumberOfPeriods", periods=periods)
    return Window("TermEnd") if term_end else None


def configured_plan(request: Request, options: Options, state: TenantState | None,
                    bill_cycle_day: int | None = None, window: Window | None = None) -> Plan:
    """The offline plan of one linted request, with what the configuration and the command line
    know of the tenant: its catalog, accounts and state (preview and diff price alike)."""
    catalog, env = spec_catalog(request.path, options.expand)
    return build_plan(request, catalog, env, bill_cycle_day=bill_cycle_day, window=window,
                      accounts=options.config.account_bill_cycle_days,
                      currencies=options.config.account_currencies, state=state)


def preview_offline_command(paths: tuple[str, ...], as_json: bool, window: Window | None,
                            bill_cycle_day: int | None, options: Options | None = None) -> int:
    from orderspec import pipeline
    from orderspec.preview_tables import format_preview
    from orderspec.render import canonical_json

    if missing_paths(paths):
        return EXIT_USAGE
    options = options or pipeline.Options()
    result = pipeline.run(paths, options, keep_requests=True)
    status = lint_status(result, paths, "first")
    if status:
        return status
    state = tenant_state(options.state, options.config.invoice_settlement)
    previews: list[dict[str, Any]] = []
    incomplete = False
    for request in result.requests:
        plan = configured_plan(request, options, state, bill_cycle_day, window)
        incomplete = incomplete or plan.incomplete
        for diagnostic in plan.diagnostics:
            if diagnostic.severity is not Severity.INFO or not as_json:
                click.echo(diagnostic.text(), err=True)
        if as_json:
            previews.append({"spec": request.name, "incomplete": plan.incomplete,
                             "unpriced": [u.as_json() for u in plan.unpriced], "response": plan.result})
            continue
        click.echo(plan_text(plan))
        click.echo(format_preview(plan.result))
    if as_json:
        click.echo(canonical_json(previews).decode("utf-8"), nl=False)
    return EXIT_INCOMPLETE if incomplete else EXIT_CLEAN
