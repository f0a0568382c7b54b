"""The commands that talk to a tenant or stand in for one: `preview` (offline and --remote), `send`,
`job`, `journal attribute`, `pull` and `emulator`. Declarations only: the work is in
orderspec.dispatch.commands, orderspec.preview.command, orderspec.pull and orderspec.emulator,
imported when a command runs. `orderspec.cli` registers these commands."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any, Callable

import click

from orderspec.cli_options import (EXPAND_ARGS, command_config, config_option, expand_options_with, pipeline_options,
                                   state_option)

if TYPE_CHECKING:
    from orderspec.dispatch.commands import Tuning


# -- dispatch (issue 5): the work is in orderspec.dispatch.commands, imported only when used ----------

def _dispatch_options(command: Callable[..., None]) -> Callable[..., None]:
    """Where to send, and timing knobs (small values make rehearsals against the emulator fast)."""
    for option in reversed([
        click.option("--env", "env", metavar="NAME", help="Environment by name, e.g. us-api-sandbox-cloud1, "
                     "eu-production, emulator (see docs/dispatch.md)."),
        click.option("--base-url", metavar="URL", help="Base URL instead of --env (e.g. http://127.0.0.1:8765)."),
        click.option("--json", "as_json", is_flag=True, help="Print the results as JSON."),
        click.option("--timeout", type=click.FloatRange(min=0.01), default=30.0, show_default=True,
                     help="Seconds to wait for one HTTP response."),
        click.option("--max-attempts", type=click.IntRange(min=1, max=100), default=6, show_default=True,
                     help="Attempts per request, the first included (all with the same Idempotency-Key); "
                          "429s do not count."),
        click.option("--backoff", type=click.FloatRange(min=0.0), default=0.5, show_default=True,
                     help="First retry wait in seconds; doubles per retry, with jitter."),
        click.option("--max-wait", type=click.FloatRange(min=0.0), default=120.0, show_default=True,
                     help="Give up retrying a request after this many seconds of its own (429s and waiting in "
                          "line do not count); nothing but 429s this long, on every request, stops the run."),
        click.option("--poll-timeout", type=click.FloatRange(min=0.0), default=600.0, show_default=True,
                     help="Stop polling an async job after this many seconds (a re-run resumes it)."),
        click.option("--poll-interval", type=click.FloatRange(min=0.001), default=0.5, show_default=True,
                     help="First wait between job polls, in seconds."),
        click.option("--verbose", "-v", is_flag=True, help="Report every retry and its reason on stderr."),
    ]):
        command = option(command)
    return command


def _expand_args(options: dict[str, Any]) -> dict[str, Any]:
    """The template expansion options (expand_options_with) out of a command's keyword arguments,
    which hold the dispatch options beside them."""
    return {name: options.pop(name) for name in EXPAND_ARGS}


def _tuning(options: dict[str, Any]) -> Tuning:
    from orderspec.dispatch.commands import Tuning

    return Tuning(timeout=options["timeout"], max_attempts=options["max_attempts"], backoff=options["backoff"],
                  max_wait=options["max_wait"], poll_timeout=options["poll_timeout"],
                  poll_interval=options["poll_interval"], verbose=bool(options["verbose"]))


@click.command()
@click.argument("specs", nargs=-1, required=True, type=click.Path())
@click.option("--remote", is_flag=True, help="Ask the API (or the emulator) for the preview.")
@click.option("--thru", metavar="DATE", help="Preview through this date (instead of previewOptions).")
@click.option("--periods", type=click.IntRange(min=1, max=1000), help="Preview N billing periods.")
@click.option("--term-end", is_flag=True, help="Preview to the end of the term (the default for create specs).")
@click.option("--bill-cycle-day", type=click.IntRange(min=1, max=31),
              help="Offline: the customer account's bill cycle day, for charges that bill on it.")
@click.option("--include", multiple=True, metavar="GLOB",
              help="File name pattern to find in directories (repeatable; as for lint).")
@config_option
@state_option
@expand_options_with("--catalog-env")
@_dispatch_options
def preview(specs: tuple[str, ...], remote: bool, thru: str | None, periods: int | None, term_end: bool,
            bill_cycle_day: int | None, include: tuple[str, ...], config_path: str | None, state_dir: str | None,
            **options: Any) -> None:
    """Preview the orders in SPECS (files or directories): offline by default (a plan of what
    each would bill, see docs/preview.md), or --remote: charge metrics, invoice items and order
    delta metrics from the API, as tables.

    Create specs are previewed as the same order (remotely: sent to the preview endpoint, with
    previewOptions as the offline preview assumes them). --env names the dispatch environment;
    --catalog-env the catalog environment. Offline, the exit status is 3 when a charge or order
    action could not be priced (the preview is incomplete)."""
    if remote and bill_cycle_day:
        raise click.UsageError("--bill-cycle-day stands in for the customer account offline; with --remote "
                               "the tenant's account (or the order's newAccount) decides")
    window = _preview_window(thru, periods, term_end)
    lint_options = pipeline_options(config_path, _expand_args(options), include=include, state_dir=state_dir,
                                    state_bodies=not remote, paths=specs)
    if not remote:
        from orderspec.preview.command import preview_offline_command

        sys.exit(preview_offline_command(specs, bool(options["as_json"]), window, bill_cycle_day, lint_options))
    from orderspec.dispatch import commands

    sys.exit(commands.preview_remote(specs, options["env"], options["base_url"], bool(options["as_json"]),
                                     _tuning(options), lint_options, window))


def _preview_window(thru: str | None, periods: int | None, term_end: bool) -> Any:
    from orderspec.preview.command import window_option

    return window_option(thru, periods, term_end)


@click.command()
@click.argument("specs", nargs=-1, required=True, type=click.Path())
@click.option("--yes", is_flag=True, help="Really send. Without it, only print what would be sent.")
@click.option("--allow-production", is_flag=True, help="Allow creating orders in a production environment.")
@click.option("--concurrency", "-c", type=click.IntRange(min=1, max=1000), metavar="N",
              help="Orders in flight at once (default: [tool.orderspec.send] concurrency, else 8; never more than "
                   "its max-concurrency, 40). Lowered by itself on 429s and lock contention.")
@config_option
@state_option
@expand_options_with("--catalog-env")
@_dispatch_options
def send(specs: tuple[str, ...], yes: bool, allow_production: bool, config_path: str | None, state_dir: str | None,
         **options: Any) -> None:
    """Create the orders in SPECS, exactly once (journal: .orderspec/journal.jsonl next to the specs).

    Credentials come from ZUORA_CLIENT_ID and ZUORA_CLIENT_SECRET. --env names the dispatch
    environment; --catalog-env the catalog environment. Orders on the same subscription or
    account go one after the other, in spec order; the rest up to --concurrency at once.
    Exit statuses: 0 done, 1 problems, 2 usage, 4 tenant unreachable, 5 journal busy, 130 Ctrl-C."""
    from orderspec.dispatch import commands

    lint_options = pipeline_options(config_path, _expand_args(options), state_dir=state_dir, paths=specs)
    sys.exit(commands.send(specs, options["env"], options["base_url"], yes, allow_production,
                           bool(options["as_json"]), _tuning(options), lint_options, options.get("concurrency")))


@click.command()
@click.argument("job_id", metavar="JOB_ID")
@click.option("--env", "env", metavar="NAME", help="Environment by name, e.g. us-api-sandbox-cloud1, emulator.")
@click.option("--base-url", metavar="URL", help="Base URL instead of --env (e.g. http://127.0.0.1:8765).")
@click.option("--wait", is_flag=True, help="Poll until the job is Completed or Failed (up to --poll-timeout).")
@click.option("--json", "as_json", is_flag=True, help="Print the job as JSON.")
@click.option("--timeout", type=click.FloatRange(min=0.01), default=30.0, show_default=True,
              help="Seconds to wait for one HTTP response.")
@click.option("--poll-timeout", type=click.FloatRange(min=0.0), default=600.0, show_default=True,
              help="With --wait: stop polling after this many seconds.")
@click.option("--poll-interval", type=click.FloatRange(min=0.001), default=0.5, show_default=True,
              help="With --wait: first wait between polls, in seconds.")
@click.option("--verbose", "-v", is_flag=True, help="Report every retry and its reason on stderr.")
def job(job_id: str, env: str | None, base_url: str | None, wait: bool, as_json: bool, timeout: float,
        poll_timeout: float, poll_interval: float, verbose: bool) -> None:
    """Show one asynchronous job (GET /v1/async-jobs/JOB_ID) with its result: jobs started by
    `send` (the journal and `send --json` name them) or by anything else.

    A job that completed but whose order is Pending in Zuora is flagged. Exit status: 0 completed
    (or still running, without --wait), 1 failed, timed out, not known, or its order Pending."""
    from orderspec.dispatch import commands

    tuning = commands.Tuning(timeout=timeout, max_attempts=6, backoff=0.5, max_wait=120.0,
                             poll_timeout=poll_timeout, poll_interval=poll_interval, verbose=verbose)
    sys.exit(commands.job(job_id, env, base_url, wait, as_json, tuning))


@click.group()
def journal() -> None:
    """Look after send journals (.orderspec/journal.jsonl next to the specs)."""


@journal.command("attribute")
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--env", "env", metavar="NAME", help="The environment the old records went to, e.g. emulator.")
@click.option("--base-url", metavar="URL", help="The base URL they went to, instead of --env.")
def journal_attribute(paths: tuple[str, ...], env: str | None, base_url: str | None) -> None:
    """Say which tenant the records of journals written before orderspec recorded tenants went to.

    PATHS are spec folders (or spec files, or journal files). The records are kept; a line saying
    where they went is appended, and `send` then counts them for that base URL only."""
    from orderspec.dispatch import commands

    sys.exit(commands.journal_attribute(paths, env, base_url))


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=click.IntRange(min=0, max=65535), default=8765, show_default=True)
@click.option("--faults", metavar="SPEC", help="Inject faults: `rate=0.2,kinds=500+timeout+lock` (random) or a "
              "script of the next ones, `500,timeout,none`. Kinds: 500 503 429 timeout drop-before drop-after lock "
              "garbled.")
@click.option("--seed", type=int, help="Seed for random faults (repeatable rehearsals).")
@click.option("--db", type=click.Path(dir_okay=False), help="Keep state in this SQLite file.")
@click.option("--job-delay", type=click.FloatRange(min=0.0), default=2.0, show_default=True,
              help="Seconds an async job stays Processing.")
@click.option("--token-ttl", type=click.FloatRange(min=1.0), default=3600.0, show_default=True)
@click.option("--rate-limit", type=click.IntRange(min=1), help="Requests per second before answering 429.")
@click.option("--retry-after", type=click.FloatRange(min=0.0), default=1.0, show_default=True)
@click.option("--slow-delay", type=click.FloatRange(min=0.0), default=60.0, show_default=True,
              help="How long a `timeout` fault holds its answer.")
@click.option("--latency", type=click.FloatRange(min=0.0), default=0.0, show_default=True, metavar="SECONDS",
              help="Seconds added to every answer (a real tenant takes 0.3-0.8 s per call).")
@click.option("--account-lock", type=click.FloatRange(min=0.0), default=0.0, show_default=True, metavar="SECONDS",
              help="Seconds a create holds its account's lock; another create on that account meanwhile is "
                   "refused with lock contention (category 50), as a tenant does. 0: accounts are never locked.")
@click.option("--state", "state_dir", type=click.Path(file_okay=False), metavar="DIR",
              help="Start from a state folder (subscriptions/, accounts/: GET bodies, as `orderspec pull` writes "
                   "them); accounts and subscriptions not in it are then refused, as Zuora refuses them.")
@click.option("--catalog", type=click.Path(dir_okay=False, exists=True), metavar="FILE",
              help="The tenant's product catalog (catalog.yaml): rate plans and charges of new products; a product "
                   "rate plan or charge not in it is refused.")
@click.option("--catalog-env", metavar="ENV", help="The catalog environment whose ids the tenant has.")
@click.option("--bill-cycle-day", type=click.IntRange(min=1, max=31), default=1, show_default=True,
              help="Bill cycle day of accounts opened on first use.")
@config_option
def emulator(host: str, port: int, faults: str | None, seed: int | None, db: str | None, job_delay: float,
             token_ttl: float, rate_limit: int | None, retry_after: float, slow_delay: float, latency: float,
             account_lock: float, state_dir: str | None, catalog: str | None, catalog_env: str | None, bill_cycle_day: int,
             config_path: str | None) -> None:
    """Run a local emulator of the Zuora Orders API (for rehearsals and CI).

    It refuses bodies as `orderspec lint` would, with the same configuration (codes, severities,
    limits, loader caps), and keeps the accounts and subscriptions its orders make or change."""
    from orderspec.emulator import command

    sys.exit(command.run(host, port, faults, seed, db, command_config(config_path, (), (), ()), state_dir=state_dir,
                         catalog=catalog, catalog_env=catalog_env, bill_cycle_day=bill_cycle_day,
                         job_delay=job_delay, token_ttl=token_ttl, rate_limit=rate_limit, retry_after=retry_after,
                         slow_delay=slow_delay, latency=latency, account_lock=account_lock))


@click.command()
@click.argument("subscriptions", nargs=-1, required=True, metavar="SUBSCRIPTION...")
@click.option("--env", "env", metavar="NAME", help="Environment by name, e.g. us-api-sandbox-cloud1, emulator.")
@click.option("--base-url", metavar="URL", help="Base URL instead of --env (e.g. http://127.0.0.1:8765).")
@click.option("-o", "--output-dir", type=click.Path(file_okay=False), metavar="DIR",
              help="State folder to write (default: `state` in the config, else ./state).")
@click.option("--timeout", type=click.FloatRange(min=0.01), default=30.0, show_default=True,
              help="Seconds to wait for one HTTP response.")
@click.option("--max-attempts", type=click.IntRange(min=1, max=100), default=6, show_default=True,
              help="Attempts per request, the first included; 429s do not count.")
@click.option("--backoff", type=click.FloatRange(min=0.0), default=0.5, show_default=True,
              help="First retry wait in seconds; doubles per retry, with jitter.")
@click.option("--max-wait", type=click.FloatRange(min=0.0), default=120.0, show_default=True,
              help="Give up retrying a request after this many seconds of its own (429s and waiting in line "
                   "do not count); nothing but 429s this long stops the pull.")
@config_option
def pull(subscriptions: tuple[str, ...], env: str | None, base_url: str | None, output_dir: str | None,
         timeout: float, max_attempts: int, backoff: float, max_wait: float, config_path: str | None) -> None:
    """Fetch each SUBSCRIPTION (number or id) and its account into a state folder, as the API
    answers them: subscriptions/<subscriptionNumber>.json and accounts/<accountNumber>.json, keys
    sorted (pulling again when nothing changed rewrites the same bytes). Credentials come from
    ZUORA_CLIENT_ID and ZUORA_CLIENT_SECRET. Exit 0 all pulled, 1 some could not be, 2 trouble."""
    from orderspec import pull as pulling

    directory = output_dir or command_config(config_path, (), (), ()).state_dir or "state"
    sys.exit(pulling.command(subscriptions, env, base_url, directory, timeout, max_attempts, backoff, max_wait))


COMMANDS: tuple[click.Command, ...] = (preview, send, job, journal, emulator, pull)
