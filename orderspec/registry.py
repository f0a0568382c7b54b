"""Every diagnostic code orderspec can report, with its default severity and documentation.

Codes are stable: once published, a code keeps its meaning. Families:
  Y  loading YAML/JSON (encoding, syntax, YAML's type traps, resource caps)
  F  the spec wrapper (orderspec version, operation, headers)
  S  the request body against the JSON Schema derived from the API reference
  L  the API's limits (sizes, counts)            -- see orderspec.check
  R  rules across fields that a schema cannot say -- see orderspec.check
  H  request headers
  T  templates, values and catalog               -- see orderspec.expand
  Z  state files: subscriptions and accounts as the API answered them -- see orderspec.state
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
         "(a 50 MB file of generated orders)", "(one order per file, each well under the cap)"),
    Rule("Y007", "too-deep", E, "Nesting is deeper than the configured cap.",
         "No Orders request body nests more than about a dozen levels; a deeper file is refused "
         "before it can exhaust memory or the stack. The cap is `max-depth` in the configuration.",
         "a: [[[[[[[[ ... ]]]]]]]]", "subscriptions: [{orderActions: [{type: AddProduct}]}]"),
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
         "YAML has infinity and not-a-number (`.inf`, `.nan`); JSON, and so the API, has neither. "
         "Write the real amount.", "price: .inf", "price: 1000000"),
    Rule("Y012", "unreadable", E, "The file could not be read.",
         "The file named on the command line (or found in a folder) could not be opened: it is "
         "missing, a folder, or not readable by this user. The exit status is 2.",
         "orderspec lint orders/missing.order.yaml", "orderspec lint orders/"),
    Rule("Y020", "coerced-scalar", E,
         "An unquoted value that YAML reads as a number, boolean or null where the API wants text.",
         "YAML 1.1 reads `00123` as the number 83, `no` as false, `1_000` as 1000 and an empty "
         "value as null. Where the API expects a string the original text would be lost; quote it. "
         "In a JSON file the value is what was written (`null`, `123`): send a string, or leave an "
         "optional field out rather than sending null.",
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
         "`operation` says which call the spec is for: create (POST /v1/orders) or preview "
         "(POST /v1/orders/preview). The asynchronous endpoints are chosen with `async`, not here.",
         "operation: submit", "operation: create"),
    Rule("F003", "unknown-spec-key", E, "A key in the spec wrapper that orderspec does not know.",
         "The wrapper takes orderspec, operation, async, headers, params, body, use, with and vars. "
         "Anything else is most likely a typo that would otherwise be silently ignored.",
         "orderspec: 1\nboddy: {...}", "orderspec: 1\nbody: {...}"),
    Rule("F004", "body", E, "The spec has no request body, or it is not a mapping.",
         "A spec sends a request body: write it under `body`, or name a template with `use`.",
         "orderspec: 1\noperation: create", "orderspec: 1\noperation: create\nbody: {...}"),
    Rule("F005", "async", E, "`async` must be true, false or auto.",
         "`async: true` sends the order to the asynchronous endpoint, `false` (the default) to the "
         "synchronous one, and `auto` picks the synchronous one when the order fits its limits.",
         "async: maybe", "async: auto"),
    Rule("F006", "headers", E, "The `headers` or `params` block is malformed.",
         "Headers are named idempotencyKey, trackId, entityIds, orgIds, version; each takes text. "
         "Params are returnIds (create) and summarizeInvoiceItem (preview), booleans.",
         "headers: {trackid: x}", "headers: {trackId: x}"),
    Rule("F007", "vars-without-template", W, "`vars` or `with` has no effect without `use:`.",
         "Only a template reads `vars:` and `with:`. A spec with a literal `body` is sent exactly as "
         "written, so values given there would be silently dropped: write them into the body, or "
         "name a template with `use:`.",
         "body: {orderDate: 2024-01-01, ...}\nvars: {account: A00000101}",
         "use: new-subscription\nvars: {account: A00000101}"),
    # -- schema ---------------------------------------------------------------------------------
    Rule("S001", "unknown-field", E, "A field the API reference does not define here.",
         "The API rejects unknown fields (error class 21). Most are typos; the message names the "
         "nearest valid field, or the field meant by a name the API spells otherwise (`zipCode`: "
         "`postalCode`, `stateCode`: `state`, `email`: `workEmail` or `personalEmail`). Custom "
         "fields (`Name__c`) are accepted where the API takes them.",
         "previewOptions: {previewThroughType: TermEnd}", "previewOptions: {previewThruType: TermEnd}"),
    Rule("S002", "type", E, "A value of the wrong type.",
         "The API reference gives each field a type (text, number, true/false, list, mapping); a "
         "value of another type is rejected (error class 20). A list written as a mapping is the "
         "most common case.",
         "subscriptions: {orderActions: []}", "subscriptions: [{orderActions: []}]"),
    Rule("S003", "required", E, "A required field is missing.",
         "The API answers with error class 22 (missing required field).",
         "body: {existingAccountNumber: A1}", "body: {orderDate: 2024-01-01, existingAccountNumber: A1}"),
    Rule("S004", "enum", E, "A value that is not one of the values the API allows.",
         "The field takes one of a fixed list of values (spelled exactly, case included); the "
         "message lists them and names the closest one.",
         "termType: TERM", "termType: TERMED"),
    Rule("S005", "length", E, "Text that is too long or too short.",
         "The API reference limits the length of this text; longer text is rejected, not cut.",
         "orderNumber: (101 characters)", "orderNumber: O-2024-0001"),
    Rule("S006", "range", E, "A number outside the allowed range.",
         "The API reference gives the field a smallest or largest value (a bill cycle day is 1-31, "
         "a number of preview periods at least 1).",
         "billCycleDay: 32", "billCycleDay: 31"),
    Rule("S007", "format", E, "A value in the wrong format (for example a date that is not YYYY-MM-DD).",
         "Dates are written YYYY-MM-DD and must exist in the calendar (the message says which: "
         "`2025-02-30` is in the form, but February 2025 has 28 days); date-times in ISO 8601.",
         "orderDate: 01/02/2024", "orderDate: 2024-01-02"),
    Rule("S008", "pattern", E, "Text that does not match the required pattern.",
         "The schema gives a pattern the text must match. (The schemas derived from today's API "
         "reference define no such pattern; the code is kept for when they do.)",
         "(text that does not match the field's pattern)", "(text that matches it)"),
    Rule("S009", "array", E, "A list with too few or too many items, or duplicate items.",
         "The schema bounds the number of items in this list, or forbids repeating one. (The "
         "schemas derived from today's API reference set no such bound; the API's own limits on "
         "lists are the L rules.)",
         "(a list with more items than the schema allows)", "(a list within the bounds)"),
    Rule("S010", "schema", E, "The value does not match the API's schema.",
         "A schema rule without a more specific code (for example a value that matches none of "
         "the shapes the field allows). The message gives the schema's own words.",
         "newAccount: {}", "newAccount: {name: Acme, currency: USD, billToContact: {...}}"),
    Rule("S011", "number-as-text", W, "A number written as text where the API takes a number.",
         "Numeric text (`\"4\"`, `\"7.50\"`) where the API reference documents a number is read by "
         "Zuora as that number; its own tutorials send quantities, prices and periods so. orderspec "
         "does the same: the later checks and the preview judge the number, and `render` sends the "
         "body as written. Write the number itself so the spec says what it means. Text that is not "
         "a plain decimal number (`four`, `1e3`, `1,000`, or a fraction where a whole number is "
         "wanted) stays a type error (S002).",
         "quantity: \"4\"\nlistPrice: \"7.50\"", "quantity: 4\nlistPrice: 7.50"),
):
    register(_rule)

# -- check stage: the API's limits, rules across fields, headers (orderspec.check) --------------
for _rule in (
    Rule("L001", "order-line-items", E, "An order has more than 100 order line items.",
         "The Orders API takes at most 100 order line items in one order (the number can be raised "
         "for a tenant: set `limits.order-line-items`). The diagnostic points at the first item over "
         "the limit; split the items over several orders.",
         "orderLineItems: [ ...101 items... ]", "orderLineItems: [ ...100 items... ]  # and a second order"),
    Rule("L002", "orders-per-subscription", E, "A subscription would get more than 1000 orders.",
         "A subscription can have at most 1000 orders. orderspec counts the orders of the whole batch "
         "being linted that touch each subscription, plus the orders it already has "
         "(`--existing-orders SUB=N` or `[tool.orderspec.existing-orders]`), and flags every order "
         "past the limit. Previews create no order and are not counted.",
         "# 1001 spec files with subscriptionNumber: A-S00000001",
         "# at most 1000, counting the orders the subscription already has"),
    Rule("L003", "actions-per-charge", E, "A rate plan charge would get more than 1000 order actions.",
         "Zuora allows at most 1000 order actions on one rate plan charge. orderspec counts the "
         "UpdateProduct and RemoveProduct actions of the batch that name a charge (`chargeNumber`) "
         "of a subscription.",
         "# 1001 UpdateProduct actions on chargeNumber C-00000001",
         "# fewer updates, or a new charge (RemoveProduct + AddProduct)"),
    Rule("L004", "actions-per-charge-recommended", W,
         "A rate plan charge gets more than the recommended 100 order actions.",
         "Zuora recommends at most 100 order actions on one rate plan charge; past that, every later "
         "change to the subscription gets slower. Counted like L003.",
         "# 101 UpdateProduct actions on chargeNumber C-00000001",
         "# at most 100, or replace the charge"),
    Rule("L005", "sync-size", E, "The order is too big for a synchronous call; the async endpoint takes it.",
         "POST /v1/orders and /v1/orders/preview take at most 50 subscriptions, 50 order actions and "
         "50 order actions per subscription. The asynchronous endpoints take 300 of each. Write "
         "`async: true`, or `async: auto` to let orderspec pick the endpoint from the order's size. "
         "Raised tenant limits go in `[tool.orderspec.limits]` (`sync-subscriptions`, ...).",
         "async: false\nbody: {subscriptions: [ ...51 subscriptions... ]}",
         "async: auto\nbody: {subscriptions: [ ...51 subscriptions... ]}"),
    Rule("L006", "async-size", E, "The order is too big even for the asynchronous endpoint.",
         "POST /v1/async/orders and /v1/async/orders/preview take at most 300 subscriptions, 300 "
         "order actions and 300 order actions per subscription. Split the order.",
         "async: true\nbody: {subscriptions: [ ...301 subscriptions... ]}",
         "# two orders of at most 300 subscriptions each"),
    Rule("R001", "account", E, "The order must name exactly one account.",
         "A create order names its account with exactly one of existingAccountNumber, "
         "existingAccountId or newAccount; a preview with exactly one of existingAccountNumber, "
         "existingAccountId or previewAccountInfo. Orders made only of order line items need one too.",
         "existingAccountNumber: A00000101\nexistingAccountId: 8ad0823f...",
         "existingAccountNumber: A00000101"),
    Rule("R002", "order-number-characters", E, "The order number contains `/`, `#` or `?`.",
         "The order number becomes part of API paths such as /v1/orders/{orderNumber}; Zuora "
         "refuses order numbers with a slash, and `#` and `?` would break those URLs.",
         "orderNumber: O-2024/0001", "orderNumber: O-2024-0001"),
    Rule("R003", "order-number-duplicate", E, "Two orders in the batch have the same order number.",
         "Order numbers are unique in a tenant: the second order with the same number is rejected. "
         "The message names the file and line of the first one.",
         "# a.order.yaml and b.order.yaml both: orderNumber: O-1", "# O-1 and O-2"),
    Rule("R004", "action-payload", E, "An order action's `type` and its payload field disagree.",
         "Each order action type carries its details in one field: CreateSubscription in "
         "`createSubscription`, AddProduct in `addProduct`, Suspend in `suspend`, and so on. The "
         "field for the action's type is required (only RenewSubscription may leave it out), and "
         "a field that belongs to another type is an error.",
         "- type: AddProduct\n  removeProduct: {ratePlanId: 8ad0...}",
         "- type: AddProduct\n  addProduct: {productRatePlanId: 8ad0...}"),
    Rule("R005", "subscription-number", E,
         "Order actions on an existing subscription need its subscriptionNumber; new ones must not have it.",
         "Every action except CreateSubscription changes an existing subscription, named by "
         "`subscriptionNumber` on the `subscriptions` item. A subscription that a CreateSubscription "
         "action creates leaves it empty; choose the new number with "
         "`createSubscription.subscriptionNumber` instead.",
         "subscriptions:\n  - orderActions: [{type: Suspend, suspend: {suspendPolicy: Today}}]",
         "subscriptions:\n  - subscriptionNumber: A-S00000001\n    orderActions: [{type: Suspend, suspend: {suspendPolicy: Today}}]"),
    Rule("R006", "trigger-date-duplicate", E, "An order action gives the same trigger date twice.",
         "Each of ContractEffective, ServiceActivation and CustomerAcceptance can be given once per "
         "order action; with two, which one Zuora uses is not defined.",
         "triggerDates:\n  - {name: ContractEffective, triggerDate: 2024-01-01}\n"
         "  - {name: ContractEffective, triggerDate: 2024-02-01}",
         "triggerDates:\n  - {name: ContractEffective, triggerDate: 2024-01-01}"),
    Rule("R007", "trigger-date-order", W, "Trigger dates out of lifecycle order.",
         "A subscription is signed (ContractEffective), then its service starts (ServiceActivation), "
         "then the customer accepts it (CustomerAcceptance). A later step dated before an earlier "
         "one is almost always a typo, and Zuora refuses subscriptions whose service activation "
         "precedes the contract.",
         "- {name: ContractEffective, triggerDate: 2024-02-01}\n- {name: ServiceActivation, triggerDate: 2024-01-01}",
         "- {name: ContractEffective, triggerDate: 2024-01-01}\n- {name: ServiceActivation, triggerDate: 2024-02-01}"),
    Rule("R010", "preview-thru-date", E,
         "previewThruType SpecificDate needs specificPreviewThruDate, on or after the order date.",
         "A preview through a specific date needs the date, and a date before the order date would "
         "preview nothing.",
         "previewOptions: {previewThruType: SpecificDate, previewTypes: [BillingDocs]}",
         "previewOptions: {previewThruType: SpecificDate, specificPreviewThruDate: 2024-12-31, "
         "previewTypes: [BillingDocs]}"),
    Rule("R011", "preview-periods", E, "previewThruType NumberOfPeriods needs previewNumberOfPeriods.",
         "A preview through a number of billing periods needs the number (1 or more).",
         "previewOptions: {previewThruType: NumberOfPeriods, previewTypes: [BillingDocs]}",
         "previewOptions: {previewThruType: NumberOfPeriods, previewNumberOfPeriods: 3, "
         "previewTypes: [BillingDocs]}"),
    Rule("R012", "preview-term-end-evergreen", E,
         "previewThruType TermEnd with an EVERGREEN subscription in the order.",
         "An EVERGREEN subscription has no term end, so a preview through the term end has no end "
         "date. Preview through a SpecificDate or a NumberOfPeriods instead.",
         "previewOptions: {previewThruType: TermEnd}\n# ...initialTerm: {termType: EVERGREEN}",
         "previewOptions: {previewThruType: NumberOfPeriods, previewNumberOfPeriods: 12}"),
    Rule("R013", "preview-types", E, "previewTypes is empty or lists a type twice.",
         "`previewTypes` says what the preview returns (ChargeMetrics, BillingDocs, OrderMetrics, "
         "...); an empty list previews nothing and a repeated type is a mistake.",
         "previewTypes: [BillingDocs, BillingDocs]", "previewTypes: [BillingDocs, ChargeMetrics]"),
    Rule("R020", "termed-needs-length", E, "A TERMED term without period and periodType.",
         "A TERMED initial term needs its length: `period` and `periodType`. A changed last term "
         "(termsAndConditions.lastTerm) needs them or an `endDate`.",
         "initialTerm: {termType: TERMED, startDate: 2024-01-01}",
         "initialTerm: {termType: TERMED, period: 12, periodType: Month, startDate: 2024-01-01}"),
    Rule("R021", "evergreen-has-length", E, "An EVERGREEN term with a period, periodType or endDate.",
         "An EVERGREEN subscription runs until it is cancelled; a length on it contradicts the term "
         "type. Remove the length, or make the term TERMED.",
         "initialTerm: {termType: EVERGREEN, period: 12, periodType: Month}",
         "initialTerm: {termType: EVERGREEN}"),
    Rule("R022", "renewal-terms-evergreen", E, "renewalTerms on an EVERGREEN subscription.",
         "Renewal terms apply only to TERMED subscriptions; an EVERGREEN subscription never renews.",
         "terms:\n  initialTerm: {termType: EVERGREEN}\n  renewalTerms: [{period: 12, periodType: Month}]",
         "terms:\n  initialTerm: {termType: EVERGREEN}"),
    Rule("R030", "cancel-policy", E, "cancellationPolicy SpecificDate needs cancellationEffectiveDate.",
         "A cancellation on a specific date needs the date; EndOfCurrentTerm and "
         "EndOfLastInvoicePeriod work it out themselves.",
         "cancelSubscription: {cancellationPolicy: SpecificDate}",
         "cancelSubscription: {cancellationPolicy: SpecificDate, cancellationEffectiveDate: 2024-06-30}"),
    Rule("R031", "suspend-policy", E, "A suspendPolicy without the date or periods it needs.",
         "suspendPolicy SpecificDate needs `suspendSpecificDate`; FixedPeriodsFromToday needs "
         "`suspendPeriods` (1 or more) and `suspendPeriodsType`. Today and EndOfLastInvoicePeriod "
         "need neither.",
         "suspend: {suspendPolicy: FixedPeriodsFromToday, suspendPeriods: 2}",
         "suspend: {suspendPolicy: FixedPeriodsFromToday, suspendPeriods: 2, suspendPeriodsType: Month}"),
    Rule("R032", "resume-policy", E, "A resumePolicy without the date or periods it needs.",
         "resumePolicy SpecificDate needs `resumeSpecificDate`; FixedPeriodsFromToday and "
         "FixedPeriodsFromSuspendDate need `resumePeriods` (1 or more) and `resumePeriodsType`. "
         "Today and SuspendDate need neither. (`extendsTerm` belongs in `resume` only; elsewhere the "
         "schema reports it as an unknown field, S001.)",
         "resume: {resumePolicy: SpecificDate}",
         "resume: {resumePolicy: SpecificDate, resumeSpecificDate: 2024-09-01, extendsTerm: true}"),
    Rule("R033", "policy-field-unused", W, "A date or period that the chosen policy does not use.",
         "The field belongs to another cancel, suspend or resume policy, so this order would not use "
         "it. Either the policy or the field is a mistake.",
         "cancelSubscription: {cancellationPolicy: EndOfCurrentTerm, cancellationEffectiveDate: 2024-06-30}",
         "cancelSubscription: {cancellationPolicy: SpecificDate, cancellationEffectiveDate: 2024-06-30}"),
    Rule("R040", "tier-numbering", E, "Price tiers are not numbered 1, 2, 3, ... in order.",
         "The `tier` of each price tier is its position in the list, starting at 1.",
         "tiers:\n  - {tier: 1, startingUnit: 0, endingUnit: 10, price: 5, priceFormat: PerUnit}\n"
         "  - {tier: 3, startingUnit: 11, price: 4, priceFormat: PerUnit}",
         "tiers:\n  - {tier: 1, startingUnit: 0, endingUnit: 10, price: 5, priceFormat: PerUnit}\n"
         "  - {tier: 2, startingUnit: 11, price: 4, priceFormat: PerUnit}"),
    Rule("R041", "tier-units", E, "Price tiers overlap, leave a gap, or leave a tier before the last open.",
         "Tiers make one price table: each tier starts where the previous ends (at its endingUnit or "
         "the unit after it), and every tier but the last has an endingUnit above its startingUnit. "
         "The last tier may end or be open-ended (no endingUnit): the price tables in Zuora's "
         "pricing docs end theirs (a volume table up to 100 units); a quantity above its end is R043. In "
         "usageTieredWithOverage the last tier must end: the units above it are billed at the overage "
         "price.",
         "- {tier: 1, startingUnit: 1, endingUnit: 5, ...}\n- {tier: 2, startingUnit: 10, endingUnit: 20, ...}",
         "- {tier: 1, startingUnit: 1, endingUnit: 5, ...}\n- {tier: 2, startingUnit: 6, endingUnit: 20, ...}"),
    Rule("R042", "pricing-models", E, "A pricing block sets more than one charge model.",
         "A charge override's `pricing` holds the override for the charge's one charge model "
         "(recurringFlatFee, usageTiered, ...). Two models in one block cannot both apply.",
         "pricing:\n  recurringFlatFee: {listPrice: 10}\n  recurringPerUnit: {listPrice: 1}",
         "pricing:\n  recurringFlatFee: {listPrice: 10}"),
    Rule("R043", "quantity-above-tiers", W, "A quantity above the end of the last price tier.",
         "When the last tier of a tiered or volume price table ends (has an endingUnit), the table "
         "gives the units above it no price: only an overage price does, which an order's tiers "
         "cannot set. The message gives the quantity and the last tier's end; raise that tier's "
         "endingUnit, leave it out, or lower the quantity. The offline preview does not price such "
         "a charge. (A warning: the catalog charge may have an overage price, which the order does "
         "not show.)",
         "recurringVolume:\n  quantity: 120\n  tiers:\n    - {tier: 1, startingUnit: 0, endingUnit: 50, ...}\n"
         "    - {tier: 2, startingUnit: 51, endingUnit: 100, ...}",
         "recurringVolume:\n  quantity: 100\n  tiers:\n    - {tier: 1, startingUnit: 0, endingUnit: 50, ...}\n"
         "    - {tier: 2, startingUnit: 51, endingUnit: 100, ...}"),
    Rule("R050", "return-line-item", E,
         "A Return order line item without originalOrderNumber and originalOrderLineItemNumber.",
         "An order line item with `itemCategory: Return` takes back an item sold earlier and names it "
         "by the original order number and its line item number.",
         "- {itemName: Widget, itemCategory: Return, quantity: 1}",
         "- {itemName: Widget, itemCategory: Return, quantity: 1, originalOrderNumber: O-000001, "
         "originalOrderLineItemNumber: '1'}"),
    Rule("R051", "return-category", W, "Return line items in an order whose category is not Return.",
         "Orders that return order line items are Return orders (`category: Return`); the default "
         "category is NewSales.",
         "orderLineItems: [{itemCategory: Return, ...}]",
         "category: Return\norderLineItems: [{itemCategory: Return, ...}]"),
    Rule("R060", "unknown-rate-plan", E, "A rate plan the subscription does not have.",
         "With a state folder (`--state DIR`), a RemoveProduct, UpdateProduct or ChangePlan action on a "
         "subscription that has a snapshot must name one of its rate plans (`ratePlanId` or "
         "`subscriptionRatePlanNumber`); Zuora answers a not-found error (code ending 40) otherwise. "
         "A rate plan removed earlier in the same order is reported as R065. Pull the subscription "
         "again (`orderspec pull`) if the snapshot is old.",
         "removeProduct: {ratePlanId: 8a8aa0f1bad}   # not in state/subscriptions/A-S00000101.yaml",
         "removeProduct: {ratePlanId: 8a8aa0f1rp1}   # a ratePlans[].id of the snapshot"),
    Rule("R061", "unknown-charge", E, "A charge number the subscription does not have.",
         "With a state folder, `chargeNumber` in an UpdateProduct (chargeUpdates, chargeRemovals) or "
         "RemoveProduct (chargeUpdates) action must be a charge of the rate plan "
         "it changes (or of the subscription, when the rate plan is not named).",
         "chargeUpdates: [{chargeNumber: C-00000999}]", "chargeUpdates: [{chargeNumber: C-00000001}]"),
    Rule("R062", "after-term-end", E, "An action dated after the subscription's current term ends.",
         "A TERMED subscription's current term ends at its termEndDate; Zuora refuses changes dated "
         "later until the term is renewed, auto-renewing subscriptions included (they renew when a "
         "renewal is processed, not on the day) (\"Cancellation Date (03/17/2026) cannot be later than the subscription's "
         "current term end date (02/20/2026)\"). Put a RenewSubscription or TermsAndConditions action "
         "before it in the same order, as Zuora's own integrations do.",
         "orderActions: [{type: RemoveProduct, triggerDates: [{name: ContractEffective, "
         "triggerDate: 2026-03-17}], ...}]   # termEndDate 2026-02-20",
         "orderActions: [{type: RenewSubscription, ...}, {type: RemoveProduct, ...}]"),
    Rule("R063", "wrong-status", E, "The action does not fit the subscription's status.",
         "Resuming needs a Suspended subscription; suspending one that is already Suspended, "
         "cancelling one that is already Cancelled, or changing a Cancelled or Expired subscription "
         "is refused. The status is the snapshot's, or what earlier actions of the same order made it "
         "(then R065).",
         "orderActions: [{type: Resume, ...}]   # status: Active",
         "orderActions: [{type: Suspend, ...}]   # status: Active"),
    Rule("R064", "currency", E, "A currency other than the account's.",
         "A subscription is billed in its account's currency (`billingAndPayment.currency` of the account "
         "snapshot); a new subscription, order line item or commitment in another currency is refused "
         "unless the tenant has multi-currency subscriptions, for which set this rule's severity.",
         "createSubscription: {currency: EUR}   # the account bills in USD",
         "createSubscription: {currency: USD}"),
    Rule("R065", "contradictory-actions", E, "Actions in one order that contradict each other.",
         "Given the subscription's state, an earlier action of the same order already did what this one "
         "undoes or needs undone: a rate plan removed twice or changed after it was removed, a second "
         "suspension, a resume after the order resumed it, any change after the order cancelled the "
         "subscription.",
         "orderActions: [{type: RemoveProduct, removeProduct: {ratePlanId: P1}}, "
         "{type: UpdateProduct, updateProduct: {ratePlanId: P1}}]",
         "orderActions: [{type: UpdateProduct, updateProduct: {ratePlanId: P1}}]"),
    Rule("H001", "idempotency-key", E, "Idempotency-Key is longer than 255 characters.",
         "Zuora takes idempotency keys of at most 255 characters. (orderspec derives a key from the "
         "body when none is given.)",
         "headers: {idempotencyKey: (300 characters)}", "headers: {idempotencyKey: order-2024-0001}"),
    Rule("H002", "track-id", E, "Zuora-Track-Id is too long or has characters the API refuses.",
         "Zuora-Track-Id takes at most 64 US-ASCII characters and none of `:` `;` `\"` `'`. It is "
         "echoed in Zuora's logs to trace a call.",
         "headers: {trackId: 'build:42'}", "headers: {trackId: build-42}"),
):
    register(_rule)

# -- offline preview (orderspec.preview) ------------------------------------------------------------
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

# -- state files (orderspec.state) ------------------------------------------------------------------
for _rule in (
    Rule("Z001", "state-document", E, "A state file is not one mapping.",
         "A state file holds the body of one API answer: GET /v1/subscriptions/{subscription-key} in "
         "`subscriptions/`, GET /v1/accounts/{account-key} in `accounts/`.",
         "- subscriptionNumber: A-S00000101", "subscriptionNumber: A-S00000101\nstatus: Active"),
    Rule("Z002", "state-shape", E, "A state file does not have the shape of the API's answer.",
         "State files are checked against the response schemas derived from Zuora's OpenAPI "
         "(schemas/responses/subscription.json, account.json). Unknown fields are allowed (answers "
         "grow); wrong types, dates that are not dates and the like are not.",
         "termEndDate: 31/12/2025\nautoRenew: 'no'", "termEndDate: 2025-12-31\nautoRenew: false"),
    Rule("Z003", "state-name", E, "A state file is not named after the number it holds.",
         "`subscriptions/<subscriptionNumber>.yaml` and `accounts/<accountNumber>.yaml` (the account "
         "number is `basicInfo.accountNumber`): the rules find a subscription by the file's name.",
         "# subscriptions/A-S1.yaml\nsubscriptionNumber: A-S00000101",
         "# subscriptions/A-S00000101.yaml\nsubscriptionNumber: A-S00000101"),
    Rule("Z004", "state-duplicate", E, "Two state files for the same subscription or account.",
         "`A-S00000101.yaml` and `A-S00000101.json` side by side: which is current cannot be told. "
         "Keep one.", "subscriptions/A-S00000101.yaml\nsubscriptions/A-S00000101.json",
         "subscriptions/A-S00000101.yaml"),
    Rule("Z005", "state-stray-file", W, "A file in a state folder that is not a state file.",
         "`subscriptions/` and `accounts/` hold .yaml, .yml and .json files only; others are ignored.",
         "subscriptions/A-S00000101.txt", "subscriptions/A-S00000101.yaml"),
    Rule("Z006", "state-error-answer", E, "A state file is an error answer (`success: false`).",
         "The file holds what the API answered when it could not give the subscription or account "
         "(not found, no permission). Pull it again, or remove it.",
         "success: false\nreasons: [{code: 50000040, message: ...}]", "success: true\nsubscriptionNumber: ..."),
):
    register(_rule)

# -- templates, values and catalog (orderspec.expand) --------------------------------------------
for _rule in (
    Rule("T001", "unknown-template", E, "`use:` names a template that is not in the template folders.",
         "Templates are `NAME.yaml.j2` files in the folders given with --templates, then the stock "
         "templates shipped with orderspec. The message lists the available names.",
         "use: new-subscripton", "use: new-subscription"),
    Rule("T002", "template-syntax", E, "A template is not valid Jinja.",
         "Reported at the `use:` line of the spec that uses the template, with the template line as a note.",
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
         "A template writes the request body as YAML. The error is reported at the spec's `use:` "
         "line, with the template line that wrote the bad text as a note.", "subscriptions: [", "subscriptions: []"),
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
