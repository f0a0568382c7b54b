"""Stage 4: check what the Orders API would reject that a JSON Schema cannot say.

`check_request` runs the rules that look at one request; `check_batch` the ones that count
across every request being linted (orders per subscription, unique order numbers, order
actions per charge). One module per rule family; each reports through `Context.report` at
the value the human wrote. Codes and their documentation live in `orderspec.registry`.
"""

from __future__ import annotations

from typing import Callable, Iterable

from orderspec.check import (account, actions, dates, headers, limits, policies, preview_options, pricing,
                             returns, terms)
from orderspec.check._common import Context
from orderspec.config import Config
from orderspec.diagnostics import Diagnostic
from orderspec.model import Endpoint, Request

REQUEST_CHECKS: tuple[Callable[[Context], None], ...] = (
    limits.check,
    account.check,
    actions.check,
    dates.check,
    preview_options.check,
    terms.check,
    policies.check,
    pricing.check,
    returns.check,
    headers.check,
)

BATCH_CHECKS: tuple[Callable[[list[Request], Config], list[Diagnostic]], ...] = (
    limits.check_batch,
    account.check_batch,
)


def check_request(request: Request, endpoint: Endpoint, config: Config | None = None) -> list[Diagnostic]:
    """Rules for one request going to `endpoint`."""
    context = Context(request, endpoint, config or Config())
    for rule_family in REQUEST_CHECKS:
        rule_family(context)
    return context.problems


def check_batch(requests: Iterable[Request], config: Config | None = None) -> list[Diagnostic]:
    """Rules that count across every request of the batch, in the order given."""
    batch = list(requests)
    found: list[Diagnostic] = []
    for rule_family in BATCH_CHECKS:
        found.extend(rule_family(batch, config or Config()))
    return found
