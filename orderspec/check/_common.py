"""What every rule module shares: the request under check, reporting, and shape-safe access.

Checks run on bodies that may have failed schema validation, so nothing here assumes a shape:
a value that is not the expected kind is skipped, never indexed.
"""

from __future__ import annotations

from decimal import Decimal
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any, Iterator

from orderspec.body import as_dict, as_list, parse_date  # re-exported for the rule modules
from orderspec.config import Config
from orderspec.diagnostics import Diagnostic, Location, Pointer, at, format_pointer
from orderspec.model import Endpoint, Request

if TYPE_CHECKING:
    from orderspec.state import State


@dataclass
class Context:
    request: Request
    endpoint: Endpoint
    config: Config
    problems: list[Diagnostic] = field(default_factory=list)
    # The tenant's subscriptions and accounts (`--state DIR`), for the rules that need them.
    state: State | None = None

    @property
    def body(self) -> dict[str, Any]:
        return self.request.body if isinstance(self.request.body, dict) else {}

    @cached_property
    def actions(self) -> tuple[Action, ...]:
        """Every order action of the body, found once for all the rule families that look at
        them (finding them again per family cost more than most of those rules)."""
        return tuple(actions(self.body))

    def locate(self, pointer: Pointer, *, key: bool = False) -> Location:
        return self.request.source.locate(pointer, key=key)

    def report(self, pointer: Pointer, code: str, message: str, *, key: bool = False,
               notes: tuple[Location, ...] = ()) -> None:
        """A finding at the value the human wrote; `notes` are further places that explain it."""
        self.problems.append(at(self.locate(pointer, key=key), code, message,
                                pointer=format_pointer(pointer),
                                related=self.request.source.related(pointer) + notes))


def text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def is_number(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    return isinstance(value, (int, float, Decimal))


@dataclass(frozen=True)
class Action:
    """One order action and where it sits in the body."""

    pointer: Pointer  # ("subscriptions", i, "orderActions", j)
    value: dict[str, Any]
    subscription_index: int
    subscription: dict[str, Any]

    @property
    def type(self) -> str | None:
        return text(self.value.get("type"))


def subscriptions(body: dict[str, Any]) -> Iterator[tuple[int, dict[str, Any]]]:
    for index, item in enumerate(as_list(body.get("subscriptions"))):
        if isinstance(item, dict):
            yield index, item


def actions(body: dict[str, Any]) -> Iterator[Action]:
    for index, subscription in subscriptions(body):
        for position, action in enumerate(as_list(subscription.get("orderActions"))):
            if isinstance(action, dict):
                yield Action(("subscriptions", index, "orderActions", position), action, index, subscription)


def subscription_numbers(body: dict[str, Any]) -> Iterator[tuple[str, Pointer]]:
    """Every subscription an order touches, named by number, with where the number is written."""
    for index, subscription in subscriptions(body):
        number = text(subscription.get("subscriptionNumber"))
        if number:
            yield number, ("subscriptions", index, "subscriptionNumber")
            continue
        for position, action in enumerate(as_list(subscription.get("orderActions"))):
            create = as_dict(as_dict(action).get("createSubscription"))
            number = text(create.get("subscriptionNumber"))
            if number:
                yield number, ("subscriptions", index, "orderActions", position, "createSubscription",
                               "subscriptionNumber")
                break
