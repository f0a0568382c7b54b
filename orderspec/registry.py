"""Every diagnostic code orderspec can report, with its default severity and documentation.

Codes are stable: once published, a code keeps its meaning. Families:
  Y  loading YAML/JSON (encoding, syntax, YAML's type traps, resource caps)
  F  the spec wrapper (orderspec version, operation, headers)
  S  the request body against the JSON Schema derived from the API reference
  L  the API's limits (sizes, counts)            -- see orderspec.check
  R  rules across fields that a schema cannot say -- see orderspec.check
  H  request headers
  T  templates, values and catalog               -- see orderspec.expand
"""

from __future__ import annotations

from dataclasses import dataclass

from orderspec.diagnostics import Severity


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    severity: Severity
    summary: str
    explanation: str = ""
    bad: str = ""
    good: str = ""


RULES: dict[str, Rule] = {}


def register(rule: Rule) -> Rule:
    if rule.code in RULES:
        raise ValueError(f"rule code {rule.code} registered twice")
    RULES[rule.code] = rule
    return rule


def rule(code: str) -> Rule:
    return RULES[code]


def default_severity(code: str) -> Severity:
    found = RULES.get(code)
    return found.severity if found else Severity.ERROR


E, W = Severity.ERROR, Severity.WARNING

for _rule in (
    # -- loading --------------------------------------------------------------------------------
    Rule("Y001", "not-utf8", E, "The file is not UTF-8 text.",
         "Order specs are read as UTF-8. Another encoding would silently change names and "
         "addresses, so the file is refused at the first byte that is not UTF-8.",
         "(a file saved as Latin-1: 'M\\xfcller')", "(the same file saved as UTF-8)"),
    Rule("Y002", "syntax", E, "The file is not valid YAML (or JSON).",
         "The parser stopped at the given position; nothing in this document is checked further.",
         "orderDate: [2024-01-01", "orderDate: 2024-01-01"),
    Rule("Y003", "empty", E, "The file holds no document.",
         "An empty file (or one with only comments) is almost always a mistake in a batch of orders.",
         "# nothing here", "orderspec: 1\noperation: create\nbody: {...}"),
    Rule("Y004", "not-a-mapping", E, "A document is not a mapping.",
         "Each YAML document must be a mapping: a spec (`orderspec: 1` ...) or, with --operation, "
         "a bare request body.",
         "- orderDate: 2024-01-01", "orderDate: 2024-01-01"),
    Rule("Y005", "duplicate-key", E, "A mapping has the same key twice.",
         "YAML loaders silently keep one of the two values; which one differs between tools. "
         "orderspec keeps the first and reports the second.",
         "orderNumber: O-1\norderNumber: O-2", "orderNumber: O-1"),
    Rule("Y006", "file-too-large", E, "The file is larger than the configured cap.",
         "Spec files come from pull requests and are untrusted; the cap bounds memory and time. "
         "Raise `max-file-bytes` in the configuration if real orders need more.",
         "", ""),
    Rule("Y007", "too-deep", E, "Nesting is deeper than the configured cap.",
         "No Orders request body nests more than about a dozen levels; a deeper file is refused "
         "before it can exhaust memory or the stack.",
         "a: [[[[[[[[ ... ]]]]]]]]", ""),
    Rule("Y008", "alias-cap", E, "Too many YAML aliases, or aliases that expand too far.",
         "An 'alias bomb' (anchors that reference anchors) expands exponentially. orderspec counts "
         "aliases and the nodes they would expand to, and refuses the document past the caps "
         "without expanding it.",
         "a: &a [x, x]\nb: &b [*a, *a]\nc: &c [*b, *b]  # ...", "(write the values out)"),
    Rule("Y009", "key-type", E, "A mapping key is not text.",
         "YAML reads unquoted keys such as `no`, `on` or `~` as booleans or null; JSON keys are text. "
         "Quote the key, or use a complex key only where the API expects one (it never does).",
         "no: 1", "'no': 1"),
    Rule("Y010", "unsupported-tag", E, "A YAML tag that orderspec does not accept.",
         "Only the plain JSON-compatible types are accepted. Tags such as `!!python/object`, "
         "`!!binary` or `!!set` could run code or have no JSON form.",
         "price: !!python/object:decimal.Decimal 9.99", "price: 9.99"),
    Rule("Y011", "non-finite-number", E, "A number that JSON cannot carry (.inf, .nan).",
         "", "price: .inf", "price: 1000000"),
    Rule("Y012", "unreadable", E, "The file could not be read.", "", "", ""),
    Rule("Y020", "coerced-scalar", E,
         "An unquoted value that YAML reads as a number, boolean or null where the API wants text.",
         "YAML 1.1 reads `00123` as the number 83, `no` as false, `1_000` as 1000 and an empty "
         "value as null. Where the API expects a string the original text would be lost; quote it.",
         "existingAccountNumber: 00123\nsoldToContact: {country: NO}",
         "existingAccountNumber: '00123'\nsoldToContact: {country: 'NO'}"),
    Rule("Y021", "ambiguous-number", E,
         "A number written in a form that YAML versions read differently.",
         "YAML 1.1 reads `0123` as octal 83 and `1e3` as text; YAML 1.2 and JSON read them as 123 "
         "and 1000. `1_000` and `1:30` are numbers only in YAML 1.1. Write the plain decimal.",
         "quantity: 010", "quantity: 10"),
    # -- spec wrapper ---------------------------------------------------------------------------
    Rule("F001", "not-a-spec", E, "The document is not an orderspec v1 spec.",
         "A spec starts with `orderspec: 1`. To lint a bare request body, pass --operation.",
         "operation: create\nbody: {...}", "orderspec: 1\noperation: create\nbody: {...}"),
    Rule("F002", "operation", E, "`operation` is missing or not one of create, preview.",
         "", "operation: submit", "operation: create"),
    Rule("F003", "unknown-spec-key", E, "A key in the spec wrapper that orderspec does not know.",
         "", "orderspec: 1\nboddy: {...}", "orderspec: 1\nbody: {...}"),
    Rule("F004", "body", E, "The spec has no request body, or it is not a mapping.",
         "", "orderspec: 1\noperation: create", "orderspec: 1\noperation: create\nbody: {...}"),
    Rule("F005", "async", E, "`async` must be true, false or auto.",
         "", "async: maybe", "async: auto"),
    Rule("F006", "headers", E, "The `headers` or `params` block is malformed.",
         "Headers are named idempotencyKey, trackId, entityIds, orgIds, version; each takes text. "
         "Params are returnIds (create) and summarizeInvoiceItem (preview), booleans.",
         "headers: {trackid: x}", "headers: {trackId: x}"),
    # -- schema ---------------------------------------------------------------------------------
    Rule("S001", "unknown-field", E, "A field the API reference does not define here.",
         "The API rejects unknown fields (error class 21). Most are typos; the message names the "
         "nearest valid field. Custom fields (`Name__c`) are accepted where the API takes them.",
         "previewOptions: {previewThroughType: TermEnd}", "previewOptions: {previewThruType: TermEnd}"),
    Rule("S002", "type", E, "A value of the wrong type.",
         "", "subscriptions: {orderActions: []}", "subscriptions: [{orderActions: []}]"),
    Rule("S003", "required", E, "A required field is missing.",
         "The API answers with error class 22 (missing required field).",
         "body: {existingAccountNumber: A1}", "body: {orderDate: 2024-01-01, existingAccountNumber: A1}"),
    Rule("S004", "enum", E, "A value that is not one of the values the API allows.",
         "", "termType: TERM", "termType: TERMED"),
    Rule("S005", "length", E, "Text that is too long or too short.",
         "", "orderNumber: (101 characters)", "orderNumber: O-2024-0001"),
    Rule("S006", "range", E, "A number outside the allowed range.", "", "billCycleDay: 32", "billCycleDay: 31"),
    Rule("S007", "format", E, "A value in the wrong format (for example a date that is not YYYY-MM-DD).",
         "", "orderDate: 01/02/2024", "orderDate: 2024-01-02"),
    Rule("S008", "pattern", E, "Text that does not match the required pattern.", "", "", ""),
    Rule("S009", "array", E, "A list with too few or too many items, or duplicate items.", "", "", ""),
    Rule("S010", "schema", E, "The value does not match the API's schema.", "", "", ""),
):
    register(_rule)

# -- offline preview (orderspec.preview) ------------------------------------------------------------
for _rule in (
    Rule("P001", "not-computable-offline", W, "A preview figure cannot be computed offline.",
         "The offline preview only shows figures it can work out from the order and the catalog. "
         "Usage charges, charges without a price, dates that depend on events that have not "
         "happened, and actions on an existing subscription need the tenant: the preview says why "
         "and leaves the figure out rather than guess. `orderspec preview --remote` asks Zuora.",
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
):
    register(_rule)
