"""The emulated tenant's accounts and subscriptions, kept in the shapes of
`GET /v1/accounts/{account-key}` and `GET /v1/subscriptions/{subscription-key}`.

Orders change them as Zuora's Orders API does: a new account or subscription is opened, and the
amendments (`orderspec.emulator.amendments`) change a subscription's rate plans, status and
terms. An order is applied whole or not at all: its changes are made on copies and kept only
when every action was accepted; a refused action is a `Refusal` with Zuora's error category.

An open tenant (the default) opens an `existingAccountNumber` it has not seen on first use, and
leaves amendments of subscriptions it does not hold unchecked, as the emulator always did. A
closed tenant (started from a state folder) refuses both, as a real tenant does.
"""

from __future__ import annotations

import copy
import datetime as _dt
import re
import uuid
from dataclasses import dataclass
from typing import Any, Mapping

from orderspec.body import as_dict, as_list
from orderspec.emulator.state import Store
from orderspec.preview.emulated import TENANT_BILL_CYCLE_DAY
from orderspec.preview.state import TenantState


# The numbers the tenant hands out, by counter: the form of each, to see which numbers are taken.
NUMBERED = {"account": re.compile(r"A(\d{8})"), "subscription": re.compile(r"A-S(\d{8})"),
            "rate-plan": re.compile(r"SRP-(\d{8})"), "charge": re.compile(r"C-(\d{8})")}


class Refusal(Exception):
    """An order the tenant refuses: Zuora's error category (30 business rule, 40 not found) and message."""

    def __init__(self, category: int, message: str) -> None:
        super().__init__(message)
        self.category = category
        self.message = message


def not_found(key: str) -> Refusal:
    # The message Zuora gives for a key it cannot find (shared reference, zuora-errors.md).
    return Refusal(40, f"Cannot find entity by key: '{key}'.")


@dataclass(frozen=True)
class TenantSettings:
    closed: bool = False  # refuse accounts and subscriptions the tenant does not hold
    bill_cycle_day: int = TENANT_BILL_CYCLE_DAY  # of accounts opened on first use, as previews assume
    currency: str = "USD"  # of accounts opened on first use
    catalog: Any = None  # an orderspec.expand.Catalog: rate plans and charges of new products
    catalog_env: str | None = None


def new_id() -> str:
    return uuid.uuid4().hex


def parse_date(value: Any) -> _dt.date | None:
    if isinstance(value, _dt.date):
        return value
    if isinstance(value, str):
        try:
            return _dt.date.fromisoformat(value)
        except ValueError:
            return None
    return None


class Tenant:
    def __init__(self, store: Store, settings: TenantSettings | None = None) -> None:
        self.store = store
        self.settings = settings or TenantSettings()

    # -- what the tenant holds ------------------------------------------------------------------

    def seed(self, subscriptions: Mapping[str, Mapping[str, Any]], accounts: Mapping[str, Mapping[str, Any]]) -> None:
        """Hold these GET bodies (from a state folder), unless the database already holds a newer
        state of the same account or subscription."""
        with self.store.lock:
            for number, body in accounts.items():
                if self.store.get("account", number) is None:
                    self.store.put("account", number, {**copy.deepcopy(dict(body)), "success": True})
                self.numbered(body)
            for number, body in subscriptions.items():
                if self.store.get("subscription", number) is None:
                    self.store.put("subscription", number, {**copy.deepcopy(dict(body)), "success": True})
                self.numbered(body)

    def numbered(self, body: Mapping[str, Any]) -> None:
        """Move the counters past the numbers this account or subscription uses, so that numbers
        the tenant hands out later (A-S…, SRP-…, C-…) never repeat one it holds."""
        used = [("account", as_dict(body.get("basicInfo")).get("accountNumber")),
                ("subscription", body.get("subscriptionNumber"))]
        for plan in map(as_dict, as_list(body.get("ratePlans"))):
            used.append(("rate-plan", plan.get("subscriptionRatePlanNumber")))
            used += [("charge", charge.get("number")) for charge in map(as_dict, as_list(plan.get("ratePlanCharges")))]
        for name, number in used:
            match = NUMBERED[name].fullmatch(number) if isinstance(number, str) else None
            if match and int(match.group(1)) > int(self.store.get("counter", name) or 0):
                self.store.put("counter", name, int(match.group(1)))

    def subscription(self, key: str) -> dict[str, Any] | None:
        """The GET body of the subscription with this number or id."""
        with self.store.lock:
            found = self.store.get("subscription", key)
            if found is None:
                found = next((s for s in self.store.values("subscription") if s.get("id") == key), None)
            return copy.deepcopy(found) if found is not None else None

    def account(self, key: str) -> dict[str, Any] | None:
        """The GET body of the account with this number or id."""
        with self.store.lock:
            found = self.store.get("account", key)
            if found is None:
                found = next((a for a in self.store.values("account")
                              if as_dict(a.get("basicInfo")).get("id") == key), None)
            return copy.deepcopy(found) if found is not None else None

    def preview_state(self, body: Mapping[str, Any]) -> TenantState:
        """What a preview of this order is priced against: the GET bodies of the subscriptions it
        names and of its account, as the tenant holds them now (as the offline preview's --state)."""
        subscriptions: dict[str, Mapping[str, Any]] = {}
        for item in map(as_dict, as_list(body.get("subscriptions"))):
            number = item.get("subscriptionNumber")
            found = self.subscription(number) if isinstance(number, str) else None
            if isinstance(number, str) and found is not None:
                subscriptions[number] = found
        accounts: dict[str, Mapping[str, Any]] = {}
        account_number = body.get("existingAccountNumber")
        held = self.account(account_number) if isinstance(account_number, str) else None
        if isinstance(account_number, str) and held is not None:
            accounts[account_number] = held
        return TenantState(subscriptions, accounts)

    def next_number(self, name: str, form: str) -> str:
        """The next number of this kind, past any the tenant holds."""
        while True:
            number = form % self.store.next_number(name)
            if name == "account" and self.store.get("account", number) is None:
                return number
            if name == "subscription" and self.store.get("subscription", number) is None:
                return number
            if name not in ("account", "subscription"):
                return number

    # -- orders -----------------------------------------------------------------------------------

    def apply(self, body: Mapping[str, Any], order_number: str) -> tuple[str, list[str]]:
        """Apply an order: its account number and the numbers of its subscriptions (one per item).
        Raises Refusal, with nothing changed, when the tenant refuses any of it. The caller holds
        the store's lock."""
        from orderspec.emulator.amendments import Amend
        from orderspec.emulator.subscribe import create_subscription

        change = _Change(self)
        account_number = change.order_account(body)
        order_date = parse_date(body.get("orderDate")) or _dt.date.today()
        numbers: list[str] = []
        for item in map(as_dict, as_list(body.get("subscriptions"))):
            number = item.get("subscriptionNumber")
            subscription: dict[str, Any] | None = None
            tracked = True
            for action in map(as_dict, as_list(item.get("orderActions"))):
                kind = action.get("type")
                if kind == "CreateSubscription":
                    subscription = create_subscription(change, as_dict(action.get("createSubscription")), action,
                                                       number, account_number, order_date, order_number)
                    number = subscription["subscriptionNumber"]
                    change.subscriptions[number] = subscription
                    continue
                if subscription is None and tracked:
                    subscription = change.subscription(str(number)) if number else None
                    if subscription is None:
                        if self.settings.closed or not number:
                            raise not_found(str(number or "subscriptionNumber"))
                        tracked = False  # an open tenant does not check what it does not hold
                    else:
                        change.subscriptions[str(number)] = subscription  # later items see this item's changes
                if subscription is not None:
                    Amend(change, subscription, order_date).apply(action)
            if not number:
                number = self.next_number("subscription", "A-S%08d")
            numbers.append(str(number))
        for subscription in change.subscriptions.values():
            # An order makes one new version of each subscription it changes.
            subscription["version"] = int(subscription.get("version") or 0) + 1
            subscription["orderNumber"] = order_number
        change.commit()
        return account_number, numbers


class _Change:
    """The accounts and subscriptions an order changes, as copies, kept only on commit."""

    def __init__(self, tenant: Tenant) -> None:
        self.tenant = tenant
        self.accounts: dict[str, dict[str, Any]] = {}
        self.subscriptions: dict[str, dict[str, Any]] = {}

    @property
    def settings(self) -> TenantSettings:
        return self.tenant.settings

    def subscription(self, number: str) -> dict[str, Any] | None:
        if number in self.subscriptions:
            return self.subscriptions[number]
        return self.tenant.subscription(number)

    def account(self, number: str, *, open_unknown: bool) -> dict[str, Any]:
        """The account with this number; one opened now when the tenant is open and
        `open_unknown`; else Refusal (not found)."""
        if number in self.accounts:
            return self.accounts[number]
        found = self.tenant.account(number)
        if found is None:
            if self.settings.closed or not open_unknown:
                raise not_found(number)
            found = self.opened(number, {})
        self.accounts[found["basicInfo"]["accountNumber"]] = found
        return found

    def opened(self, number: str, details: Mapping[str, Any]) -> dict[str, Any]:
        """A new account, as GET /v1/accounts answers for it: `details` as a newAccount block gives them."""
        bill_cycle_day = details.get("billCycleDay")
        body = {
            "success": True,
            "basicInfo": {"id": new_id(), "accountNumber": number, "name": str(details.get("name") or number),
                          "status": "Active", "batch": str(details.get("batch") or "Batch1")},
            "billingAndPayment": {
                "billCycleDay": bill_cycle_day if isinstance(bill_cycle_day, int) and not isinstance(
                    bill_cycle_day, bool) and 0 <= bill_cycle_day <= 31 else self.settings.bill_cycle_day,
                "currency": str(details.get("currency") or self.settings.currency),
                "paymentTerm": str(details.get("paymentTerm") or "Due Upon Receipt"),
                "autoPay": bool(details.get("autoPay", False)),
            },
            # The API gives these amounts as decimal text.
            "metrics": {"balance": "0.00", "totalInvoiceBalance": "0.00", "creditBalance": "0.00",
                        "contractedMrr": "0.00"},
        }
        self.accounts[number] = body
        return body

    def order_account(self, body: Mapping[str, Any]) -> str:
        """The number of the account the order is for: existing, opened by `newAccount`, or a new
        number (an order that names none)."""
        existing = body.get("existingAccountNumber")
        if existing:
            return str(self.account(str(existing), open_unknown=True)["basicInfo"]["accountNumber"])
        new = as_dict(body.get("newAccount"))
        number = str(new.get("accountNumber") or self.tenant.next_number("account", "A%08d"))
        if new:
            if self.tenant.account(number) is not None or number in self.accounts:
                raise Refusal(30, f"The account number {number} already exists.")
            self.opened(number, new)
        return number

    def commit(self) -> None:
        for number, account in self.accounts.items():
            self.tenant.store.put("account", number, account)
            self.tenant.numbered(account)
        for number, subscription in self.subscriptions.items():
            self.tenant.store.put("subscription", number, subscription)
            self.tenant.numbered(subscription)
