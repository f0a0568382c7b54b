"""The emulator's answer to a preview: the offline engine, with the emulated tenant's settings.

A real tenant fills what an order leaves out from its product catalog and its customer accounts.
The emulated tenant's catalog bills every charge monthly unless the order says otherwise. Its
accounts' bill cycle days follow the same rules as the offline preview (the order's `newAccount`
or `previewAccountInfo`, then the project configuration's `[tool.orderspec.accounts]`); an
account neither names bills on the 1st. With orders that say how they bill (like
examples/preview-*), the emulator's preview and the offline preview are the same figures.
"""

from __future__ import annotations

from typing import Any, Iterator, Mapping

from orderspec.diagnostics import Location
from orderspec.model import OnePlace, Request
from orderspec.preview.engine import build_plan
from orderspec.preview.state import TenantState

TENANT_BILL_CYCLE_DAY = 1
TENANT_CHARGE_DEFAULTS: Mapping[str, Any] = {"billingPeriod": "Month"}


class _TenantCatalog(Mapping[str, Mapping[str, Any]]):
    """Every product rate plan charge id has the tenant's default billing settings."""

    def __getitem__(self, charge_id: str) -> Mapping[str, Any]:
        return TENANT_CHARGE_DEFAULTS

    def __iter__(self) -> Iterator[str]:
        return iter(())

    def __len__(self) -> int:
        return 0


def preview_body(body: dict[str, Any], accounts: Mapping[str, int] | None = None, *,
                 state: TenantState | None = None, bill_cycle_day: int = TENANT_BILL_CYCLE_DAY,
                 catalog: Any = None, catalog_env: str | None = None) -> dict[str, Any]:
    """The `previewResult` the emulated tenant answers POST /v1/orders/preview with; `accounts` are
    the bill cycle days of its customer accounts, by account number; `state` what it holds of the
    subscriptions and account the order names (amendments are priced against it);
    `bill_cycle_day` that of an account it knows nothing of; `catalog` the tenant's product catalog
    (an orderspec catalog, as `orderspec emulator --catalog` gives it), else every charge bills monthly."""
    request = Request("request.json", 0, "preview", False, body, OnePlace(Location("request.json", 1, 1)))
    plan = build_plan(request, catalog if catalog is not None else _TenantCatalog(), catalog_env,
                      accounts=accounts, default_bill_cycle_day=bill_cycle_day, state=state)
    return plan.result["previewResult"]
