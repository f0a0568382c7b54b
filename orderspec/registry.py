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
    Rule("P004", "tenant-proration", W, "A partial period's amount depends on a tenant setting.",
         "Partial periods of billing periods longer than a month are prorated either by day over "
         "the whole period, or by whole months first and then by day, depending on the tenant's "
         "billing rules. The offline preview prorates by day and shows the other amount; set "
         "`ratingPropertiesOverride.prorationUnit` on the charge to fix the rule.",
         "billing: {billingPeriod: Quarter, billCycleDay: 1}   # starting on the 16th",
         "ratingPropertiesOverride: {prorationUnit: ProrateByMonthFirst}"),
):
    register(_rule)

# -- templates, values and catalog (orderspec.expand) --------------------------------------------
for _rule in (
    Rule("T001", "unknown-template", E, "`use:` names a template that is not in the template folders.",
         "Templates are `NAME.yaml.j2` files in the folders given with --templates, then the stock "
         "templates shipped with orderspec. The message lists the available names.",
         "use: new-subscripton", "use: new-subscription"),
    Rule("T002", "template-syntax", E, "A template is not valid Jinja.",
         "Reported at the template line, with the spec line that uses the template.",
         "{% if x %}...", "{% if x %}...{% endif %}"),
    Rule("T003", "undefined", E, "A template uses a name nobody defined, or calls a macro without an argument.",
         "Undefined names are errors, never empty text: a missing value must not silently become an "
         "empty field of an order. Declare the name in the template's params and pass it with `with:`.",
         "{{ acount }}", "{{ account }}"),
    Rule("T004", "sandbox", E, "A template tried something the sandbox forbids.",
         "Templates run in a sandbox: no access to Python internals (`__class__`, `__globals__`), no "
         "files outside the template folders, no `%`/`format` string formatting.",
         "{{ ''.__class__.__mro__ }}", "{{ account }}"),
    Rule("T005", "template-cap", E, "A template ran too long or built too much output.",
         "Rendering stops after a time cap (2 s) and an output cap (1,000,000 characters); numbers "
         "handed to `*`, calls and filters are capped too, so that a template cannot exhaust memory.",
         "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}",
         "{% for plan in plans %}...{% endfor %}"),
    Rule("T006", "template-error", E, "The template failed while rendering (a bad filter, a division by zero...).",
         "", "{{ quantity / 0 }}", "{{ quantity }}"),
    Rule("T007", "template-output", E, "The template wrote something that is not one YAML mapping.",
         "A template writes the request body as YAML. The error is reported at the template line "
         "that wrote the bad text.", "subscriptions: [", "subscriptions: []"),
    Rule("T008", "template-params", E, "A template's `{# params: ... #}` header is malformed.",
         "Each parameter has a type (string, date, decimal, number, integer, boolean, list, mapping, "
         "any), and optionally `required`, `default`, `description`, `choices`.",
         "params:\n  startDate: datetime", "params:\n  startDate: date"),
    Rule("T009", "body-and-use", E, "A spec has both a `body` and `use:`.",
         "", "use: renew\nbody: {...}", "use: renew\nwith: {...}"),
    Rule("T010", "missing-parameter", E, "A required template parameter has no value.",
         "Give it in `with:`, `vars:`, a values file (-f) or with --set.",
         "use: cancel\nwith: {}", "use: cancel\nwith: {subscription: A-S00000001, ...}"),
    Rule("T011", "unknown-parameter", E, "`with:` gives a parameter the template does not declare.",
         "", "with: {acount: A001}", "with: {account: A001}"),
    Rule("T012", "parameter-type", E, "A value does not have the type its template parameter declares.",
         "Reported where the value was written: the spec, the values file key, or the --set option.",
         "with: {orderDate: 01/02/2024}", "with: {orderDate: 2024-01-02}"),
    Rule("T013", "values", E, "A values file or `--set` assignment is malformed.",
         "", "--set account", "--set account=A00000101"),
    Rule("T020", "catalog-file", E, "The catalog file is malformed.",
         "See docs/templates.md for the catalog format.", "products: [pro]", "products: {pro: {...}}"),
    Rule("T021", "catalog-name", E, "A name that the catalog does not know.",
         "The message names the nearest known name.", "plan: pro-monthy", "plan: pro-monthly"),
    Rule("T022", "catalog-environment", E, "The catalog has no such environment, or no id for it.",
         "", "--env prod", "--env production"),
):
    register(_rule)
