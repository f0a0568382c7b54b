"""Stage 4: check what the Orders API would reject that a JSON Schema cannot say.

`check_request` runs the rules that look at one request; `check_batch` the ones that count
across every request being linted (orders per subscription, unique order numbers, order
actions per charge). One module per rule family; each reports through `Context.report` at
the value the human wrote. Codes and their documentation live in `orderspec.registry`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Iterable

from orderspec.check import (account, actions, dates, headers, limits, policies, preview_options, pricing,
                             returns, terms)
from orderspec.check._common import Context, subscription_numbers, text
from orderspec.config import Config
from orderspec.diagnostics import Diagnostic, Location, Pointer
from orderspec.model import Endpoint, Locator, Request


@dataclass
class BatchFacts:
    """What the batch rules need to know about one request: small enough to keep 10,000 of.

    The per-file step makes these while the request is at hand, so that a batch does not keep
    every body and source map until its end.
    """

    name: str  # Request.name
    index: int  # Request.index: the document within its file
    operation: str
    order_number: str | None
    subscription_numbers: tuple[tuple[str, Pointer], ...]  # (number, where), as written
    charge_updates: tuple[tuple[str, str, Pointer], ...]  # (subscription, charge, where)
    # Locates the pointers above. A source map that is built only on demand (JSON files) is not
    # built just to note where these values are: then the caller supplies a locator later.
    source: Locator

    def pointers(self) -> list[Pointer]:
        found: list[Pointer] = [("orderNumber",)] if self.order_number else []
        found.extend(pointer for _, pointer in self.subscription_numbers)
        found.extend(pointer for _, _, pointer in self.charge_updates)
        return found


class FixedLocator:
    """The locations of a few pointers, looked up while the request's source map was at hand."""

    def __init__(self, locations: dict[Pointer, Location]) -> None:
        self.locations = locations

    def locate(self, pointer: Pointer, *, key: bool = False) -> Location:
        return self.locations[tuple(pointer)]

    def related(self, pointer: Pointer) -> tuple[Location, ...]:
        return ()

    def raw_plain(self, pointer: Pointer) -> str | None:
        return None

    def raw_ambiguous(self, pointer: Pointer) -> str | None:
        return None


class Unlocated(FixedLocator):
    """The source of batch facts made with locate=False, until the caller supplies one."""

    def locate(self, pointer: Pointer, *, key: bool = False) -> Location:
        raise LookupError("batch facts made with locate=False need a source before the batch rules run")


UNLOCATED: Locator = Unlocated({})


def batch_facts(request: Request, *, locate: bool = True) -> BatchFacts:
    """The batch facts of `request`. With locate=False, `source` is left for the caller to set,
    and the request's source map is not touched."""
    body: Any = request.body
    is_create = request.operation == "create" and isinstance(body, dict)
    facts = BatchFacts(
        name=request.name,
        index=request.index,
        operation=request.operation,
        order_number=text(body.get("orderNumber")) if is_create else None,
        subscription_numbers=tuple(subscription_numbers(body)) if is_create else (),
        charge_updates=tuple(limits.charge_updates(request)) if request.operation == "create" else (),
        source=UNLOCATED)
    if locate:
        facts.source = FixedLocator({pointer: request.source.locate(pointer) for pointer in facts.pointers()})
    return facts

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

BATCH_CHECKS: tuple[Callable[[list[BatchFacts], Config], list[Diagnostic]], ...] = (
    limits.check_batch,
    account.check_batch,
)


def check_request(request: Request, endpoint: Endpoint, config: Config | None = None) -> list[Diagnostic]:
    """Rules for one request going to `endpoint`."""
    context = Context(request, endpoint, config or Config())
    for rule_family in REQUEST_CHECKS:
        rule_family(context)
    return context.problems


def check_batch(requests: Iterable[Request | BatchFacts], config: Config | None = None) -> list[Diagnostic]:
    """Rules that count across every request of the batch (or their batch facts), in the order given."""
    batch = [item if isinstance(item, BatchFacts) else _facts_at_hand(item) for item in requests]
    found: list[Diagnostic] = []
    for rule_family in BATCH_CHECKS:
        found.extend(rule_family(batch, config or Config()))
    return found


def _facts_at_hand(request: Request) -> BatchFacts:
    facts = batch_facts(request, locate=False)
    facts.source = request.source
    return facts
