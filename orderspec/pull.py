"""`orderspec pull SUBSCRIPTION...`: fetch subscriptions and their accounts into a state folder.

Each subscription is `GET /v1/subscriptions/{key}`, its account `GET /v1/accounts/{accountNumber}`
(once per account), through the dispatch client: OAuth, bounded retries, secrets kept out of
every message. Each answer is written as it came, keys sorted, so that pulling again when nothing
changed rewrites the same bytes (no diff in git): `subscriptions/<subscriptionNumber>.json` and
`accounts/<accountNumber>.json`, or the `.yaml`/`.yml` file already kept for that number.
A subscription that cannot be fetched is reported and the others are still written.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Callable
from urllib.parse import quote

import yaml

from orderspec.files import write_atomically
from orderspec.render import canonical_json
from orderspec.state import ACCOUNTS, EXTENSIONS, SUBSCRIPTIONS

if TYPE_CHECKING:
    from orderspec.dispatch import ZuoraClient
    from orderspec.dispatch.client import ApiResponse

class PullError(Exception):
    """One subscription or account that could not be fetched; the message says why."""


@dataclass
class Outcome:
    written: list[str] = field(default_factory=list)  # files whose content changed (or are new)
    unchanged: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)  # one line per subscription that failed


def _sorted(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _sorted(value[key]) for key in sorted(value)}
    if isinstance(value, list):
        return [_sorted(item) for item in value]
    return value


class _Dumper(yaml.SafeDumper):
    pass


def _decimal(dumper: yaml.SafeDumper, value: Decimal) -> yaml.Node:
    # Fixed-point text, as the API wrote it: the loader reads it back as the same Decimal.
    return dumper.represent_scalar("tag:yaml.org,2002:float", format(value, "f"))


_Dumper.add_representer(Decimal, _decimal)


def serialise(body: Any, path: str) -> bytes:
    """The bytes of a state file: the same body always gives the same bytes."""
    if path.endswith(".json"):
        return canonical_json(_sorted(body))
    text = yaml.dump(body, Dumper=_Dumper, sort_keys=True, default_flow_style=False, allow_unicode=True,
                     width=100)
    return text.encode("utf-8")


def target(folder: str, number: str) -> str:
    """Where the state of `number` goes: the file already kept for it, else <number>.json."""
    for extension in EXTENSIONS:
        existing = os.path.join(folder, number + extension)
        if os.path.isfile(existing):
            return existing
    return os.path.join(folder, number + ".json")


def _safe_name(number: str, what: str) -> str:
    if not number or number in (".", "..") or "/" in number or "\\" in number or "\0" in number:
        raise PullError(f"the API named the {what} {number!r}, which cannot be a file name")
    return number


def _write(path: str, body: Any, outcome: Outcome) -> None:
    data = serialise(body, path)
    try:
        with open(path, "rb") as handle:
            same = handle.read() == data
    except OSError:
        same = False
    if same:
        outcome.unchanged.append(path)
        return
    write_atomically(path, data)
    outcome.written.append(path)


def _reasons(response: ApiResponse, *, meaning: bool = True) -> str:
    from orderspec.dispatch.errors import reasons_from

    reasons = reasons_from(response.payload)
    found = "; ".join(r.text() if meaning else f"[{r.code}] {r.message}" for r in reasons)
    return found or "no reasons given"


def _not_found(response: ApiResponse) -> bool:
    from orderspec.dispatch.errors import reasons_from

    # Zuora's codes end in 40 for "not found" (50000040: "Cannot find entity by key").
    return response.status == 404 or any(r.category == 40 for r in reasons_from(response.payload))


def fetch(client: ZuoraClient, kind: str, key: str) -> dict[str, Any]:
    """The body of GET /v1/{kind}/{key}; PullError (saying why, not what) when the API does not give it."""
    from orderspec.dispatch import DispatchError, TenantUnreachable

    try:
        response = client.request("GET", f"/v1/{kind}/{quote(key, safe='')}")
    except TenantUnreachable:
        raise
    except DispatchError as error:
        raise PullError(str(error)) from None
    if response.success and isinstance(response.payload, dict):
        return response.payload
    if _not_found(response):
        raise PullError(f"not found ({_reasons(response, meaning=False)})")
    raise PullError(f"HTTP {response.status}: {_reasons(response)}")


def pull(client: ZuoraClient, keys: list[str], output_dir: str,
         progress: Callable[[str], None] = lambda line: None) -> Outcome:
    """Fetch each subscription and its account into output_dir; one progress line per subscription.
    A tenant that cannot be reached at all fails the subscriptions not yet pulled."""
    from orderspec.dispatch import TenantUnreachable

    outcome = Outcome()
    accounts: dict[str, tuple[str, bool]] = {}  # accountNumber -> (what became of it, pulled), once per run
    for folder in (SUBSCRIPTIONS, ACCOUNTS):
        os.makedirs(os.path.join(output_dir, folder), exist_ok=True)
    for position, key in enumerate(keys, start=1):
        head = f"[{position}/{len(keys)}] {key}:"
        try:
            line, problem = _pull_one(client, key, output_dir, outcome, accounts)
        except PullError as error:
            line, problem = str(error), f"subscription {key}: {error}"
        except TenantUnreachable as error:
            for rest in keys[position - 1:]:
                outcome.failed.append(f"subscription {rest}: not pulled: {error}")
            progress(f"{head} {error}")
            break
        if problem is not None:
            outcome.failed.append(problem)
        progress(f"{head} {line}")
    return outcome


def _pull_one(client: ZuoraClient, key: str, output_dir: str, outcome: Outcome,
              accounts: dict[str, tuple[str, bool]]) -> tuple[str, str | None]:
    """Pull one subscription and (once) its account: the progress text, and the problem if any."""
    body = fetch(client, SUBSCRIPTIONS, key)
    number = body.get("subscriptionNumber")
    if not isinstance(number, str):
        raise PullError("the answer has no subscriptionNumber")
    path = target(os.path.join(output_dir, SUBSCRIPTIONS), _safe_name(number, "subscription"))
    _write(path, body, outcome)
    account = body.get("accountNumber")
    if not isinstance(account, str) or not account:
        problem = "the answer has no accountNumber, so no account was pulled"
        return f"{_said(path, outcome)}; {problem}", f"subscription {key}: {problem}"
    if account not in accounts:
        try:
            account_body = fetch(client, ACCOUNTS, account)
            account_path = target(os.path.join(output_dir, ACCOUNTS), _safe_name(account, "account"))
        except PullError as error:
            accounts[account] = (f"account {account}: {error}", False)
        else:
            _write(account_path, account_body, outcome)
            accounts[account] = (_said(account_path, outcome), True)
    said, pulled = accounts[account]
    return f"{_said(path, outcome)}, {said}", None if pulled else f"subscription {key}: {said}"


def _said(path: str, outcome: Outcome) -> str:
    return f"{path} " + ("unchanged" if path in outcome.unchanged else "written")


def command(keys: tuple[str, ...], env: str | None, base_url: str | None, output_dir: str, timeout: float,
            max_attempts: int, backoff: float, max_wait: float) -> int:
    """The `orderspec pull` command; returns the exit status (0 all pulled, 1 some not, 2 trouble)."""
    from orderspec.dispatch import Credentials, DispatchError, RetryPolicy, ZuoraClient, resolve_environment
    from orderspec.gate import EXIT_CLEAN, EXIT_PROBLEMS, EXIT_USAGE, say

    try:
        environment = resolve_environment(env, base_url)
        credentials = Credentials.from_env()
    except DispatchError as error:
        say(str(error))
        return EXIT_USAGE
    if os.path.exists(output_dir) and not os.path.isdir(output_dir):
        say(f"{output_dir} is not a folder")
        return EXIT_USAGE
    policy = RetryPolicy.with_backoff(backoff, max_attempts=max_attempts, total_time=max_wait)
    with ZuoraClient(environment.base_url, credentials, timeout=timeout, policy=policy) as client:
        try:
            client.authenticate()
        except DispatchError as error:
            say(str(error))
            return EXIT_USAGE
        try:
            outcome = pull(client, list(keys), output_dir, progress=say)
        except OSError as error:
            say(f"cannot write to {output_dir}: {error.strerror or error}")
            return EXIT_USAGE
    pulled = len(keys) - len(outcome.failed)
    say(f"pulled {pulled} of {len(keys)} subscription(s) into {output_dir} "
        f"({len(outcome.written)} file(s) written, {len(outcome.unchanged)} unchanged)")
    _report_state_problems(output_dir, outcome)
    return EXIT_PROBLEMS if outcome.failed else EXIT_CLEAN


def _report_state_problems(output_dir: str, outcome: Outcome) -> None:
    """What lint will say about the files just written (an answer that does not fit the schema)."""
    import click

    from orderspec.state import load_state

    touched = set(outcome.written) | set(outcome.unchanged)
    for diagnostic in load_state(output_dir).diagnostics:
        if diagnostic.path in touched:
            click.echo(diagnostic.text(), err=True)
