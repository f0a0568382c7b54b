"""Offline preview: what an order would bill, computed without calling Zuora.

periods (billing periods, bill cycle day, proration) -> charges (charge models) -> engine (walks
the order, returns the plan and the API-shaped preview result) -> text (the plan as text).
"""

from orderspec.preview.engine import Plan, Window, build_plan, preview_offline, spec_catalog

__all__ = ["Plan", "Window", "build_plan", "preview_offline", "spec_catalog"]
