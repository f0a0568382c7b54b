"""`orderspec preview` without --remote: lint the specs, then print each order's offline plan.

`--json` prints `[{"spec": PATH, "incomplete": ..., "unpriced": [...], "response": ...}]`, the same
keys as `preview --remote --json` plus what could not be priced.

Exit status: 0 previewed, every charge and order action priced; 3 incomplete: something could not be
priced offline (each reason is a P001 warning, listed first in the text and under `unpriced` in
--json; what could be priced is still shown); 1 the specs have errors (nothing is previewed);
2 usage error.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

import click

from orderspec.body import parse_date
from orderspec.diagnostics import Severity
from orderspec.gate import EXIT_CLEAN, EXIT_INCOMPLETE, EXIT_USAGE, lint_status, missing_paths
from orderspec.preview.engine import Window, build_plan, spec_catalog
from orderspec.preview.state import TenantState
from orderspec.preview.text import plan_text

if TYPE_CHECKING:
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


def read_state_folder(folder: str, invoice_settlement: bool = False) -> TenantState:
    """The state folder as the preview reads it: `subscriptions/*.yaml|json` and `accounts/*.yaml|json`,
    each a GET body, keyed by its subscriptionNumber (basicInfo.accountNumber) or else its file name.
    A minimal reader (no schema checks): a file that does not load is reported (its diagnostics on
    stderr) and left out."""
    from orderspec.diagnostics import Location, at
    from orderspec.load import load_file

    found: dict[str, dict[str, Any]] = {"subscriptions": {}, "accounts": {}}
    if not os.path.isdir(folder):
        raise click.UsageError(f"--state {folder}: not a directory")
    for kind, bodies in found.items():
        where = os.path.join(folder, kind)
        for name in sorted(os.listdir(where)) if os.path.isdir(where) else []:
            stem, extension = os.path.splitext(name)
            if extension not in (".yaml", ".yml", ".json"):
                continue
            path = os.path.join(where, name)
            loaded = load_file(path)
            problems = list(loaded.diagnostics)
            if not problems and not loaded.documents:
                problems.append(at(Location(path, 1, 1), "Y003", f"the file holds no {kind[:-1]} body"))
            for document in loaded.documents if not loaded.diagnostics else []:
                body = document.value
                if not isinstance(body, dict):
                    problems.append(at(Location(path, document.line, 1), "Y004",
                                       f"a {kind[:-1]} body (GET /v1/{kind}/{{key}}) is a mapping"))
                    continue
                key = body.get("subscriptionNumber") if kind == "subscriptions" \
                    else (body.get("basicInfo") or {}).get("accountNumber")
                bodies[key if isinstance(key, str) else stem] = body
            for diagnostic in problems:
                click.echo(diagnostic.text(), err=True)
    return TenantState(found["subscriptions"], found["accounts"], invoice_settlement)


def preview_offline_command(paths: tuple[str, ...], as_json: bool, window: Window | None,
                            bill_cycle_day: int | None, options: Options | None = None,
                            state_folder: str | None = None) -> int:
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
    state = read_state_folder(state_folder, options.config.invoice_settlement) if state_folder else None
    previews: list[dict[str, Any]] = []
    incomplete = False
    for request in result.requests:
        catalog, env = spec_catalog(request.path, options.expand)
        plan = build_plan(request, catalog, env, bill_cycle_day=bill_cycle_day, window=window,
                          accounts=options.config.account_bill_cycle_days,
                          currencies=options.config.account_currencies, state=state)
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
