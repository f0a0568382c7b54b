"""What `orderspec preview --remote`, `orderspec send`, `orderspec job` and `orderspec journal` do;
`cli_tenant.py` only declares their options. Every function returns the exit status (orderspec.gate)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import click

from orderspec.dispatch.jobs import order_facts
from orderspec.dispatch.send import pending_note
from orderspec.gate import (EXIT_CLEAN, EXIT_INTERRUPTED, EXIT_JOURNAL_BUSY, EXIT_PROBLEMS, EXIT_UNREACHABLE,
                            EXIT_USAGE, lint_status, missing_paths, say)

if TYPE_CHECKING:
    from orderspec.config import SendConfig
    from orderspec.dispatch import Environment, Pace, SendSettings, ZuoraClient
    from orderspec.pipeline import Options
    from orderspec.preview.engine import Window


@dataclass
class Tuning:
    """The timing options of preview --remote and send (their defaults are the CLI's)."""

    timeout: float
    max_attempts: int
    backoff: float
    max_wait: float
    poll_timeout: float
    poll_interval: float
    verbose: bool


class _RetriesToStderr(logging.Handler):
    def emit(self, record: logging.LogRecord) -> None:
        click.echo(f"orderspec: {record.getMessage()}", err=True)


def _show_retries(tuning: Tuning) -> None:
    """With --verbose, every retry (and why) goes to stderr. Log lines never hold credentials."""
    logger = logging.getLogger("orderspec.dispatch")
    # Once per process: commands run again in one process (tests) must not print each line twice.
    if tuning.verbose and not any(isinstance(h, _RetriesToStderr) for h in logger.handlers):
        logger.addHandler(_RetriesToStderr())
        logger.setLevel(logging.INFO)


def _prepare(paths: tuple[str, ...], options: Options | None = None) -> tuple[int, list[Any]]:
    """Lint, then render. Any error stops here: only clean specs are sent."""
    from orderspec.dispatch import prepare

    status = missing_paths(paths)
    if status:
        return status, []
    result, items = prepare(paths, options)
    status = lint_status(result, paths, "before sending")
    return status, items if status == EXIT_CLEAN else []


def _connect(environment: Environment, tuning: Tuning, pace: Pace | None = None) -> ZuoraClient | None:
    """A client for the environment with the credentials from the environment variables (and
    --verbose retry logging); None, after saying why, when the credentials are not set."""
    from orderspec.dispatch import Credentials, DispatchError, RetryPolicy, ZuoraClient

    try:
        credentials = Credentials.from_env()
    except DispatchError as error:
        say(str(error))
        return None
    policy = RetryPolicy.with_backoff(tuning.backoff, max_attempts=tuning.max_attempts, total_time=tuning.max_wait)
    _show_retries(tuning)
    return ZuoraClient(environment.base_url, credentials, timeout=tuning.timeout, policy=policy, pace=pace)


def _environment(env: str | None, base_url: str | None) -> Environment | None:
    """The environment --env/--base-url name; None, after saying why, when they name none."""
    from orderspec.dispatch import DispatchError, resolve_environment

    try:
        return resolve_environment(env, base_url)
    except DispatchError as error:
        say(str(error))
        return None


def _settings(tuning: Tuning) -> SendSettings:
    from orderspec.dispatch import PollSettings, RetryPolicy, SendSettings

    return SendSettings(poll=PollSettings(timeout=tuning.poll_timeout, interval=tuning.poll_interval,
                                          max_interval=max(tuning.poll_interval, 10.0)),
                        retry=RetryPolicy.with_backoff(tuning.backoff))


def _json(value: Any) -> str:
    from orderspec.render import canonical_json

    return canonical_json(value).decode("utf-8").rstrip("\n")


def _show_reasons(outcome: Any) -> None:
    for reason in outcome.reasons:
        click.echo(f"  {reason.text()}")


def preview_remote(specs: tuple[str, ...], env: str | None, base_url: str | None, as_json: bool, tuning: Tuning,
                   options: Options | None = None, window: Window | None = None) -> int:
    """Preview specs on the tenant: preview specs as written, create specs as the preview of the
    same order (see orderspec.preview.remote); `window` is --thru/--periods/--term-end."""
    from orderspec.dispatch import Dispatcher
    from orderspec.preview.remote import prepare_previews
    from orderspec.preview_tables import format_preview

    status, requests = prepare_previews(specs, options, window)
    if status:
        return status
    environment = _environment(env, base_url)
    client = _connect(environment, tuning) if environment else None
    if client is None:
        return EXIT_USAGE
    failed = False
    results = []
    with client:
        dispatcher = Dispatcher(client, _settings(tuning))
        for rendered in requests:
            outcome = dispatcher.preview(rendered)
            failed = failed or not outcome.ok
            results.append(outcome)
            if as_json:
                continue
            click.echo(f"== {outcome.name} ({rendered.endpoint.method} {rendered.target})")
            if outcome.ok:
                click.echo(format_preview(outcome.payload))
            else:
                click.echo(f"preview failed: {outcome.detail}")
                _show_reasons(outcome)
    if as_json:
        click.echo(_json([{**o.as_json(), "response": o.payload} for o in results]))
    return EXIT_PROBLEMS if failed else EXIT_CLEAN


def send(specs: tuple[str, ...], env: str | None, base_url: str | None, yes: bool, allow_production: bool,
         as_json: bool, tuning: Tuning, options: Options | None = None, concurrency: int | None = None) -> int:
    from orderspec.dispatch import (Dispatcher, DispatchError, JournalBusy, JournalError, Pace, TenantUnreachable,
                                    dry_run, send_batch)
    from orderspec.dispatch.progress import Progress, show_outcome

    environment = _environment(env, base_url)
    if environment is None:
        return EXIT_USAGE
    status, items = _prepare(specs, options)
    if status:
        return status
    previews = [i.rendered.name for i in items if i.operation != "create"]
    if previews:
        say(f"not sending preview spec(s) {', '.join(previews)}: `send` creates orders "
               "(`orderspec preview --remote` previews)")
        items = [i for i in items if i.operation == "create"]
        if not items:
            return EXIT_USAGE
    target = f"{environment.description} ({environment.base_url})"
    if not yes:
        try:
            plans = dry_run(items, environment.base_url)
        except JournalError as error:
            say(str(error))
            return EXIT_USAGE
        if as_json:
            click.echo(_json({"environment": environment.base_url, "dryRun": True, "results": [
                {"spec": item.rendered.name, "action": action, "request": item.rendered.http_text().splitlines()[0],
                 "idempotencyKey": item.rendered.idempotency_key} for item, action in plans]}))
        for item, action in ([] if as_json else plans):
            click.echo(f"== {item.rendered.name}: would {action}")
            click.echo(item.rendered.http_text() + "\n" + item.rendered.body.decode("utf-8"))
        note = " It is a production environment: --allow-production is needed too." if environment.production else ""
        click.echo(f"dry run: nothing was sent to {target}. Add --yes to send.{note}", err=True)
        return EXIT_CLEAN
    if environment.production and not allow_production:
        say(f"{target} is a production environment; add --allow-production to create real orders there")
        return EXIT_USAGE
    wanted = _concurrency(concurrency, options)
    client = _connect(environment, tuning, Pace(wanted, _send_config(options).max_concurrency))
    if client is None:
        return EXIT_USAGE
    progress = Progress(len(items), as_json=as_json)
    try:
        with client:
            client.authenticate()
            outcomes = send_batch(items, Dispatcher(client, _settings(tuning)), concurrency=wanted,
                                  on_settled=progress)
    except JournalBusy as error:
        progress.close()
        say(f"{error}: wait for it to finish (nothing was sent by this run)")
        return EXIT_JOURNAL_BUSY
    except TenantUnreachable as error:
        progress.close()
        say(f"{error}. Nothing was sent; check the base URL and the network, then run the same command again")
        return EXIT_UNREACHABLE
    except (DispatchError, JournalError) as error:
        progress.close()
        say(str(error))
        return EXIT_USAGE
    except KeyboardInterrupt:
        progress.close()
        say("interrupted. Every step so far is in the journal (.orderspec/journal.jsonl next to the specs): "
            "run the same command again to finish; nothing will be created twice")
        return EXIT_INTERRUPTED
    progress.close()
    if as_json:
        click.echo(_json({"environment": environment.base_url, "concurrency": wanted,
                          "results": [o.as_json() for o in outcomes], "summary": progress.rate(outcomes)}))
    elif not progress.lines_live:
        for outcome in outcomes:
            show_outcome(outcome, click.echo)
    click.echo(progress.summary(outcomes, target), err=True)
    if client.reachability.dead is not None:
        say(f"stopped early: {client.reachability.dead}. The orders that never left are journalled as not sent; "
            "run the same command again once the tenant can be reached and takes requests")
        return EXIT_UNREACHABLE
    return EXIT_CLEAN if all(o.ok and not o.pending for o in outcomes) else EXIT_PROBLEMS


def _send_config(options: Options | None) -> SendConfig:
    from orderspec.config import SendConfig

    return options.config.send if options is not None else SendConfig()


def _concurrency(asked: int | None, options: Options | None) -> int:
    """--concurrency, else the config's, never past the configured ceiling."""
    config = _send_config(options)
    wanted = asked if asked is not None else config.concurrency
    if wanted > config.max_concurrency:
        where = f" (max-concurrency in {options.config.source})" if options and options.config.source else ""
        say(f"concurrency {wanted} is above the ceiling of {config.max_concurrency}{where}; "
            f"sending at most {config.max_concurrency} at once")
        wanted = config.max_concurrency
    return wanted


def job(job_id: str, env: str | None, base_url: str | None, wait: bool, as_json: bool, tuning: Tuning) -> int:
    """Show one asynchronous job (GET /v1/async-jobs/{jobId}) and its result; --wait polls it to
    its end. 0: completed (or still running, without --wait); 1: failed, not known, timed out, or
    completed with its order Pending."""
    from orderspec.dispatch import DispatchError, PollSettings, TenantUnreachable
    from orderspec.dispatch.jobs import JobTimeout, poll_job, read_job

    environment = _environment(env, base_url)
    if environment is None:
        return EXIT_USAGE
    client = _connect(environment, tuning)
    if client is None:
        return EXIT_USAGE
    settings = PollSettings(timeout=tuning.poll_timeout, interval=tuning.poll_interval,
                            max_interval=max(tuning.poll_interval, 10.0))
    try:
        with client:
            client.authenticate()
            found = poll_job(client, job_id, settings) if wait else read_job(client, job_id)
    except JobTimeout as error:
        say(f"{error}; `orderspec job {job_id}` shows it again later")
        return EXIT_PROBLEMS
    except TenantUnreachable as error:
        say(str(error))
        return EXIT_UNREACHABLE
    except DispatchError as error:
        say(str(error))
        return EXIT_PROBLEMS
    if as_json:
        click.echo(_json({"environment": environment.base_url, "jobId": found.job_id, "status": found.status,
                          "jobType": found.job_type, "orderNumber": found.order_number,
                          "orderStatus": found.order_status, "pending": found.pending,
                          "reasons": [r.as_json() for r in found.reasons], "result": found.result}))
    else:
        click.echo(f"job {found.job_id}: {found.status or 'status not given'}"
                   + (f" ({found.job_type})" if found.job_type else ""))
        if found.order_number or found.order_status:
            subscriptions = order_facts(found.result)[1]
            click.echo(f"order {found.order_number or '(no number)'}"
                       + (f": {found.order_status}" if found.order_status else "")
                       + (f"; subscriptions {', '.join(subscriptions)}" if subscriptions else ""))
        for reason in found.reasons:
            click.echo(f"  {reason.text()}")
        if found.status == "Completed" and not found.succeeded:
            click.echo("the job completed, but its result says the order was not created")
    if found.pending:
        say(f"PENDING: the job completed, but {pending_note(found.order_number)}")
    if found.pending or (found.finished and not found.succeeded):
        return EXIT_PROBLEMS
    return EXIT_CLEAN


def journal_attribute(paths: tuple[str, ...], env: str | None, base_url: str | None) -> int:
    """Say where the records of journals written before journals recorded tenants went."""
    from pathlib import Path

    from orderspec.dispatch import JournalError, Tenant
    from orderspec.dispatch.journal import JOURNAL_DIR, JOURNAL_NAME, Journal, journal_path_for

    environment = _environment(env, base_url)
    if environment is None:
        return EXIT_USAGE
    tenant = Tenant.of(environment.base_url)
    status = EXIT_CLEAN
    for given in paths:
        path = Path(given)  # the specs' folder, a spec file, or the journal itself
        if path.is_dir():
            journal = path / JOURNAL_DIR / JOURNAL_NAME
        else:
            journal = path if path.name == JOURNAL_NAME else journal_path_for(given)
        if not journal.is_file():
            say(f"{given}: no journal ({journal} does not exist)")
            status = EXIT_USAGE
            continue
        try:
            count = Journal(journal).attribute(tenant)
        except JournalError as error:
            say(str(error))
            status = EXIT_USAGE
            continue
        if count:
            click.echo(f"{journal}: {count} record(s) attributed to {tenant.base_url}")
        else:
            click.echo(f"{journal}: every record already names its tenant; nothing to attribute")
    return status

