"""Offline preview: what an order would bill, computed without calling Zuora.

Along Zuora's own concepts, each a module with a plain data interface:
catalog_charges (every charge of a subscribed plan, catalog values under the order's overrides) ->
charges (rating per charge model) -> timeline (terms, charge segments) -> billcycle (the bill cycle
day) -> periods (billing periods, proration) -> schedule (a segment's invoice items) -> discounts ->
documents (billing documents) and metrics -> response (the API's preview response shape);
engine walks the order and returns the plan (plan.py); text prints it.
"""

from orderspec.preview.engine import Plan, Window, build_plan, preview_offline, spec_catalog

__all__ = ["Plan", "Window", "build_plan", "preview_offline", "spec_catalog"]
