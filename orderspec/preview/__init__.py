"""Offline preview: what an order would bill, computed without calling Zuora.

Along Zuora's own concepts, each a module with a plain data interface:
catalog_charges (every charge of a subscribed plan, catalog values under the order's overrides) ->
charges (rating per charge model) -> timeline (terms, charge segments) -> billcycle (the bill cycle
day) -> periods (billing periods, proration) -> schedule (a segment's invoice items) -> discounts ->
documents (billing documents) and metrics -> response (the API's preview response shape);
engine walks the order and returns the plan (plan.py); text prints it. Order actions on a
subscription the tenant already has are priced against its snapshot (state -> amend -> billing).
"""

from orderspec.preview.engine import Plan, Window, build_plan, preview_offline, spec_catalog
from orderspec.preview.state import TenantState

__all__ = ["Plan", "TenantState", "Window", "build_plan", "preview_offline", "spec_catalog"]
