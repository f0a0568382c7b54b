"""Codes of the offline preview (P; orderspec.preview)."""

from orderspec.diagnostics import Severity
from orderspec.registry import E, W, Rule, register

for _rule in (
    Rule("P001", "not-computable-offline", W, "A preview figure cannot be computed offline.",
         "The offline preview only shows figures it can work out from the order and the catalog. "
         "Usage charges, charges without a price, dates that depend on events that have not "
         "happened, a customer account's bill cycle day no one gave, and actions on an existing "
         "subscription need the tenant: the preview says why and leaves the figure out rather than "
         "guess. A preview that leaves a charge or order action unpriced is incomplete (exit status "
         "3, `\"incomplete\": true` in --json). `orderspec preview --remote` asks Zuora.",
         "pricing: {recurringFlatFee: {}}   # no listPrice, no catalog",
         "pricing: {recurringFlatFee: {listPrice: 19.99}}"),
    Rule("P002", "preview-window", E, "previewOptions do not say how far to preview.",
         "previewThruType SpecificDate needs specificPreviewThruDate, NumberOfPeriods needs "
         "previewNumberOfPeriods. The offline preview falls back to the end of the term.",
         "previewOptions: {previewThruType: SpecificDate}",
         "previewOptions: {previewThruType: SpecificDate, specificPreviewThruDate: 2024-06-30}"),
    Rule("P003", "tax-not-computed", Severity.INFO, "Tax is not computed offline.",
         "Tax comes from the tenant's tax engine (or a connected tax vendor). Offline amounts are "
         "without tax; set `previewOptions.skipTax: true` to compare them with a live preview.",
         "previewOptions: {previewThruType: TermEnd}",
         "previewOptions: {previewThruType: TermEnd, skipTax: true}"),
    Rule("P004", "tenant-proration", W, "A partial period's amount depends on a tenant setting.",
         "Partial periods of billing periods longer than a month are prorated either by day over "
         "the whole period, or by whole months first and then by day, depending on the tenant's "
         "billing rules. The offline preview prorates by day and shows the other amount; set "
         "`ratingPropertiesOverride.prorationUnit` on the charge to fix the rule.",
         "billing: {billingPeriod: Quarter, billCycleDay: 1}   # starting on the 16th",
         "ratingPropertiesOverride: {prorationUnit: ProrateByMonthFirst}"),
):
    register(_rule)
