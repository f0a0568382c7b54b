"""Stage 6: dispatch rendered requests to the Orders API (or the bundled emulator).

`prepare` runs the lint pipeline and renders every clean request; `send_batch` (in `batch`)
creates orders exactly once with the journal, many at a time; `Dispatcher.preview` previews. The
HTTP details live in `client`, retry timing in `retry`, concurrency and the tenant's limits in
`pace`, async jobs in `jobs`, the journal in `journal`.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Iterable

from orderspec.dispatch.client import ENVIRONMENTS, Credentials, Environment, Secret, ZuoraClient, resolve_environment
from orderspec.dispatch.errors import DispatchError, OutcomeUnknown, Reason
from orderspec.dispatch.jobs import PollSettings, StatusLine
from orderspec.dispatch.journal import (JournalBusy, JournalError, OrderState, UnattributedRecords,
                                        journal_path_for, spec_id, state_in_words)
from orderspec.dispatch.pace import Pace, Reachability, RunStopped, TenantUnreachable
from orderspec.dispatch.retry import RetryPolicy
from orderspec.dispatch.settle import order_number_of
from orderspec.dispatch.plan import held_detail, plan_action
from orderspec.dispatch.send import Dispatcher, Outcome, SendSettings
from orderspec.dispatch.batch import JournalReads, journals_of, send_batch
from orderspec.dispatch.tenant import BaseUrlError, Tenant, normal_base_url
from orderspec.render import RenderedRequest

if TYPE_CHECKING:
    from orderspec.pipeline import BatchResult, Options

__all__ = [
    "ENVIRONMENTS", "BaseUrlError", "Credentials", "Dispatcher", "DispatchError", "Environment", "JournalBusy",
    "JournalError", "Outcome", "OutcomeUnknown", "Pace", "PollSettings", "Reachability", "RunStopped",
    "TenantUnreachable", "Prepared", "Reason", "RetryPolicy", "Secret", "SendSettings",
    "StatusLine", "Tenant", "UnattributedRecords", "ZuoraClient", "normal_base_url", "prepare",
    "resolve_environment", "send_batch", "dry_run",
]


@dataclass
class Prepared:
    spec_path: str  # the file the request came from; its journal lives next to it
    operation: str  # create | preview
    rendered: RenderedRequest


def prepare(paths: Iterable[str], options: "Options | None" = None) -> "tuple[BatchResult, list[Prepared]]":
    """Lint the specs (with the command's configuration and expand context) and render each
    request (only clean batches should be sent)."""
    from orderspec import pipeline
    from orderspec.model import choose_endpoint
    from orderspec.render import render

    options = options or pipeline.Options()
    result = pipeline.run(list(paths), options, keep_requests=True)
    prepared = []
    for request in result.requests:
        endpoint = choose_endpoint(request, options.config.limits.sync)
        prepared.append(Prepared(request.path, request.operation, render(request, endpoint)))
    return result, prepared


def _elsewhere(others: dict[Tenant, dict[str, OrderState]], key: str) -> str:
    """What the journal says about an order on other tenants (a rehearsal, say), for the dry run."""
    said = []
    for other, states in others.items():
        state = states.get(key)
        if state is not None:
            said.append(f"{state_in_words(state)} on {other}")
    return f" (not yet on this tenant; the journal has it {'; '.join(said)})" if said else ""


def dry_run(items: list[Prepared], base_url: str) -> list[tuple[Prepared, str]]:
    """What `send --yes` to `base_url` would do with each order, read from the journals (nothing
    is written). Raises UnattributedRecords as `send_batch` would."""
    journals = journals_of(items)
    reads = JournalReads(journals)
    others: dict[tuple[Path, Tenant], dict[Tenant, dict[str, OrderState]]] = {}
    plans = []
    for item in items:
        key = item.rendered.idempotency_key
        path = journal_path_for(item.spec_path)
        tenant = Tenant.of(base_url, item.rendered.headers)
        known, live = reads.of(path, tenant)
        if (path, tenant) not in others:
            others[path, tenant] = journals[path].elsewhere(tenant)
        spec = spec_id(item.spec_path, item.rendered.name)
        earlier = live.earlier_version(spec, key) if key not in known else None
        if earlier is not None:
            plans.append((item, f"hold: {held_detail(earlier)}"))
            continue
        state = known.get(key, OrderState(key, spec=spec))
        action = plan_action(state, time.time(), order_number=order_number_of(item.rendered))
        if key not in known:
            action += _elsewhere(others[path, tenant], key)
        plans.append((item, action))
    return plans
