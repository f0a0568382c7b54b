"""Stage 4: check what the Orders API would reject that a JSON Schema cannot say.

`check_request` runs the rules that look at one request; `check_batch` the ones that count
across every request being linted (orders per subscription, unique order numbers, order
actions per charge). One module per rule family; each reports through `Context.report` at
the value the human wrote. Codes and their documentation live in `orderspec.registry`.
"""

from __future__ import annotations

import marshal
from typing import Any, Callable, Iterable

from orderspec.check import (account, actions, dates, headers, limits, policies, preview_options, pricing,
                             returns, snapshot, terms)
from orderspec.check._common import Context, subscription_numbers, text
from orderspec.config import Config
from orderspec.diagnostics import Diagnostic, Location, Pointer
from orderspec.model import Endpoint, Locator, LocationsOnly, Request
from orderspec.state import State


class BatchFacts:
    """What the batch rules need to know about one request: small enough to keep 10,000 of.

    The per-file step makes these while the request is at hand, so that a batch does not keep
    every body and source map until its end. The subscription and charge numbers (with where
    each is written) are kept packed, and unpacked one request at a time as the rules count.
    """

    __slots__ = ("name", "index", "operation", "order_number", "_numbers", "source")

    def __init__(self, name: str, index: int, operation: str, order_number: str | None,
                 subscription_numbers: tuple[tuple[str, Pointer], ...],
                 charge_updates: tuple[tuple[str, str, Pointer], ...], source: Locator) -> None:
        self.name = name  # Request.name
        self.index = index  # Request.index: the document within its file
        self.operation = operation
        self.order_number = order_number
        self._numbers = marshal.dumps((subscription_numbers, charge_updates)) \
            if subscription_numbers or charge_updates else b""
        # Locates the pointers of these facts. A source map that is built only on demand is not
        # built just to note where these values are: then the caller supplies a locator later.
        self.source = source

    @property
    def subscription_numbers(self) -> tuple[tuple[str, Pointer], ...]:
        """(number, where) of every subscription the order touches, as written."""
        return marshal.loads(self._numbers)[0] if self._numbers else ()  # type: ignore[no-any-return]

    @property
    def charge_updates(self) -> tuple[tuple[str, str, Pointer], ...]:
        """(subscription, charge, where) for each order action that touches a charge."""
        return marshal.loads(self._numbers)[1] if self._numbers else ()  # type: ignore[no-any-return]

    def pointers(self) -> list[Pointer]:
        found: list[Pointer] = [("orderNumber",)] if self.order_number else []
        found.extend(pointer for _, pointer in self.subscription_numbers)
        found.extend(pointer for _, _, pointer in self.charge_updates)
        return found

    def __getstate__(self) -> tuple[Any, ...]:
        return tuple(getattr(self, name) for name in self.__slots__)

    def __setstate__(self, state: tuple[Any, ...]) -> None:
        for name, value in zip(self.__slots__, state):
            setattr(self, name, value)


class FixedLocator(LocationsOnly):
    """The locations of a few pointers, and their related places (the template line behind a
    value of a `use:` spec), looked up while the request's source map was at hand."""

    def __init__(self, locations: dict[Pointer, Location],
                 related: dict[Pointer, tuple[Location, ...]] | None = None) -> None:
        self.locations = locations
        self.related_places = related or {}

    def locate(self, pointer: Pointer, *, key: bool = False) -> Location:
        return self.locations[tuple(pointer)]

    def related(self, pointer: Pointer) -> tuple[Location, ...]:
        return self.related_places.get(tuple(pointer), ())


class Unlocated(FixedLocator):
    """The source of batch facts made with locate=False, until the caller supplies one."""

    def locate(self, pointer: Pointer, *, key: bool = False) -> Location:
        raise LookupError("batch facts made with locate=False need a source before the batch rules run")

    def __reduce__(self) -> str:
        return "UNLOCATED"  # one per process, however many facts travel


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
        pointers = facts.pointers()
        related = {pointer: request.source.related(pointer) for pointer in pointers}
        facts.source = FixedLocator({pointer: request.source.locate(pointer) for pointer in pointers},
                                    {pointer: places for pointer, places in related.items() if places})
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
    snapshot.check,
)

BATCH_CHECKS: tuple[Callable[[list[BatchFacts], Config], list[Diagnostic]], ...] = (
    limits.check_batch,
    account.check_batch,
)


def check_request(request: Request, endpoint: Endpoint, config: Config | None = None,
                  state: State | None = None) -> list[Diagnostic]:
    """Rules for one request going to `endpoint`; with `state`, also the rules against the
    tenant's subscriptions and accounts (plain data: the check stage reads no files)."""
    context = Context(request, endpoint, config or Config(), state=state)
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
