"""The tenant's state as files: what `GET /v1/subscriptions/{key}` and `GET /v1/accounts/{key}`
answered, kept in git beside the specs.

A state folder holds `subscriptions/<subscriptionNumber>.yaml|.yml|.json` and
`accounts/<accountNumber>.yaml|.yml|.json`, each the body of the API's answer (written by hand or
by `orderspec pull`). `load_state` reads it with the spec loader (locations, caps, Decimal money),
checks each body against the response schema derived from the OpenAPI, and gives plain data: the
facts the checks need, plus each body as read, for the emulator to serve. A bad file is a
diagnostic at its file, line and column (Z codes, or the loader's Y codes), never an exception.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from typing import Any, Mapping

from orderspec.body import as_dict, as_list
from orderspec.diagnostics import Diagnostic, Location, Pointer, at, format_pointer
from orderspec.load import Document, Limits, load_file
from orderspec.model import Locator

SUBSCRIPTIONS, ACCOUNTS = "subscriptions", "accounts"
EXTENSIONS = (".yaml", ".yml", ".json")
SCHEMAS = {SUBSCRIPTIONS: "responses/subscription.json", ACCOUNTS: "responses/account.json"}
# Where each kind of body keeps the number its file is named after.
NUMBER_AT: dict[str, Pointer] = {SUBSCRIPTIONS: ("subscriptionNumber",), ACCOUNTS: ("basicInfo", "accountNumber")}


@dataclass(frozen=True)
class Charge:
    number: str | None
    id: str | None
    charged_through_date: str | None  # YYYY-MM-DD as written; periods up to it are billed
    effective_start_date: str | None
    effective_end_date: str | None
    product_rate_plan_charge_id: str | None
    name: str | None


@dataclass(frozen=True)
class RatePlan:
    id: str | None
    number: str | None  # subscriptionRatePlanNumber
    product_rate_plan_id: str | None
    name: str | None
    charges: tuple[Charge, ...]


class _Placed:
    """A state file's subscription or account: where its facts were written."""

    path: str
    places: Mapping[str, Location]

    def place(self, name: str, note: str) -> tuple[Location, ...]:
        """The place of `name` in the state file, noted, for a finding's related places."""
        where = self.places.get(name) or Location(self.path, 1, 1)
        return (where.noted(note),)


@dataclass(frozen=True)
class Subscription(_Placed):
    number: str
    status: str | None  # Active, Suspended, Cancelled, Expired, Draft, Pending Activation, ...
    account_number: str | None
    currency: str | None
    term_type: str | None  # TERMED | EVERGREEN
    term_start_date: str | None
    term_end_date: str | None
    auto_renew: bool | None
    rate_plans: tuple[RatePlan, ...]
    path: str
    # Where the facts above were written, for the notes under a finding: field name -> place.
    places: Mapping[str, Location] = field(default_factory=dict, compare=False)
    body: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)


@dataclass(frozen=True)
class Account(_Placed):
    number: str
    bill_cycle_day: int | None
    currency: str | None
    status: str | None
    path: str
    places: Mapping[str, Location] = field(default_factory=dict, compare=False)
    body: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)


@dataclass(frozen=True)
class State:
    """Subscriptions by subscriptionNumber and accounts by accountNumber; the problems found
    reading them. Files with an error are left out: rules judge only what was read cleanly."""

    subscriptions: Mapping[str, Subscription] = field(default_factory=dict)
    accounts: Mapping[str, Account] = field(default_factory=dict)
    diagnostics: tuple[Diagnostic, ...] = ()
    directory: str = ""


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _value_at(body: Mapping[str, Any], pointer: Pointer) -> Any:
    """The value at `pointer` in a body, None where a step finds no mapping or no key."""
    node: Any = body
    for step in pointer:
        node = node.get(step) if isinstance(node, dict) else None
    return node


def _places(source: Locator, pointers: Mapping[str, Pointer], body: Mapping[str, Any]) -> dict[str, Location]:
    return {name: source.locate(pointer) for name, pointer in pointers.items()
            if _value_at(body, pointer) is not None}


def subscription_from(body: Mapping[str, Any], path: str, source: Locator | None = None) -> Subscription:
    """The facts of a GET /v1/subscriptions/{key} body (one that passed its schema)."""
    plans = []
    for plan in as_list(body.get("ratePlans")):
        plan = as_dict(plan)
        charges = tuple(
            Charge(number=_text(c.get("number")), id=_text(c.get("id")),
                   charged_through_date=_text(c.get("chargedThroughDate")),
                   effective_start_date=_text(c.get("effectiveStartDate")),
                   effective_end_date=_text(c.get("effectiveEndDate")),
                   product_rate_plan_charge_id=_text(c.get("productRatePlanChargeId")),
                   name=_text(c.get("name")))
            for c in map(as_dict, as_list(plan.get("ratePlanCharges"))))
        plans.append(RatePlan(id=_text(plan.get("id")), number=_text(plan.get("subscriptionRatePlanNumber")),
                              product_rate_plan_id=_text(plan.get("productRatePlanId")),
                              name=_text(plan.get("ratePlanName")), charges=charges))
    auto_renew = body.get("autoRenew")
    places = _places(source, {name: (name,) for name in ("status", "termEndDate", "autoRenew", "currency",
                                                          "ratePlans", "subscriptionNumber", "termType")},
                     body) if source is not None else {}
    return Subscription(
        number=_text(body.get("subscriptionNumber")) or "", status=_text(body.get("status")),
        account_number=_text(body.get("accountNumber")), currency=_text(body.get("currency")),
        term_type=_text(body.get("termType")), term_start_date=_text(body.get("termStartDate")),
        term_end_date=_text(body.get("termEndDate")),
        auto_renew=auto_renew if isinstance(auto_renew, bool) else None,
        rate_plans=tuple(plans), path=path, places=places, body=body)


def account_from(body: Mapping[str, Any], path: str, source: Locator | None = None) -> Account:
    """The facts of a GET /v1/accounts/{key} body (one that passed its schema)."""
    info, billing = as_dict(body.get("basicInfo")), as_dict(body.get("billingAndPayment"))
    places = _places(source, {"currency": ("billingAndPayment", "currency"),
                              "billCycleDay": ("billingAndPayment", "billCycleDay"),
                              "status": ("basicInfo", "status")}, body) if source is not None else {}
    return Account(number=_text(info.get("accountNumber")) or "", bill_cycle_day=_int(billing.get("billCycleDay")),
                   currency=_text(billing.get("currency")), status=_text(info.get("status")),
                   path=path, places=places, body=body)


def load_state(directory: str, limits: Limits = Limits(), *, keep_bodies: bool = True) -> State:
    """Read a state folder. Problems come back as the State's diagnostics.

    Without keep_bodies each subscription and account keeps its facts only: the checks need no
    more, and lint hands the state to every worker process."""
    problems: list[Diagnostic] = []
    subscriptions: dict[str, Subscription] = {}
    accounts: dict[str, Account] = {}
    for kind in (SUBSCRIPTIONS, ACCOUNTS):
        folder = os.path.join(directory, kind)
        if not os.path.isdir(folder):
            continue
        seen: dict[str, str] = {}
        for name in sorted(os.listdir(folder)):
            path = os.path.join(folder, name)
            stem, extension = os.path.splitext(name)
            if name.startswith(".") or os.path.isdir(path):
                continue
            if extension not in EXTENSIONS:
                problems.append(at(Location(path, 1, 1), "Z005",
                                   f"not a state file: {kind}/ holds <number>.yaml, .yml or .json files only"))
                continue
            if stem in seen:
                problems.append(at(Location(path, 1, 1), "Z004",
                                   f"{stem} is also kept in {seen[stem]}: keep one file per "
                                   f"{'subscription' if kind == SUBSCRIPTIONS else 'account'}"))
                continue
            seen[stem] = path
            document, found = _read(path, kind, stem, limits)
            problems.extend(found)
            if document is None or any(d.severity.rank >= 2 for d in found):
                continue
            if kind == SUBSCRIPTIONS:
                subscription = subscription_from(document.value, path, document.source)
                subscriptions[stem] = subscription if keep_bodies else replace(subscription, body={})
            else:
                account = account_from(document.value, path, document.source)
                accounts[stem] = account if keep_bodies else replace(account, body={})
    return State(subscriptions, accounts, tuple(problems), directory)


def _read(path: str, kind: str, stem: str, limits: Limits) -> tuple[Document | None, list[Diagnostic]]:
    loaded = load_file(path, limits=limits)
    problems = list(loaded.diagnostics)
    if problems or not loaded.documents:
        return None, problems
    if len(loaded.documents) > 1:
        second = loaded.documents[1]
        return None, [at(Location(path, second.line, 1), "Z001",
                         "a state file holds one document: the body of one API answer")]
    document = loaded.documents[0]
    body = document.value
    what = "GET /v1/subscriptions/{subscription-key}" if kind == SUBSCRIPTIONS else "GET /v1/accounts/{account-key}"
    if not isinstance(body, dict):
        return None, [at(document.source.locate(()), "Z001",
                         f"a state file holds the body of {what}, a mapping; this is not one")]
    if body.get("success") is False:
        return None, [at(document.source.locate(("success",)), "Z006",
                         "this is an error answer (`success: false`), not the state of "
                         f"{'a subscription' if kind == SUBSCRIPTIONS else 'an account'}; pull it again")]
    problems.extend(_schema_problems(document, SCHEMAS[kind], what))
    number_at = NUMBER_AT[kind]
    number = _value_at(body, number_at)
    field_name = ".".join(number_at)
    if not isinstance(number, str):
        problems.append(at(document.source.locate(number_at[:1]), "Z003",
                           f"`{field_name}` is missing: the file is named after it ({stem})"))
    elif number != stem:
        problems.append(at(document.source.locate(number_at), "Z003",
                           f"`{field_name}` is {number}, but the file is named {stem}; name the file "
                           f"{number}{os.path.splitext(path)[1]}"))
    return document, problems


def _schema_problems(document: Document, schema_name: str, what: str) -> list[Diagnostic]:
    from orderspec.validate import accepted_by_schema, validator  # as for request bodies, same formats

    if accepted_by_schema(document.value, schema_name):
        return []  # jsonschema-rs accepts it, so jsonschema would find nothing: not imported
    from orderspec.schema_messages import diagnose

    found: list[Diagnostic] = []
    typed: set[tuple[Any, ...]] = set()
    for error in sorted(validator(schema_name).iter_errors(document.value), key=lambda e: list(e.absolute_path)):
        for problem in diagnose(error, document.source, typed):
            if problem.code.startswith("S"):
                # The schema's own words, under the state code: this is the tenant's answer, not a request.
                problem = at(Location(problem.path, problem.line, problem.column), "Z002",
                             f"{problem.message} (the body of {what})",
                             pointer=problem.pointer or format_pointer(tuple(error.absolute_path)))
            found.append(problem)
    return found
