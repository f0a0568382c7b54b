"""Codes of loading a file and of the spec wrapper (Y, F) and of the request body against
its JSON Schema (S)."""

from orderspec.registry import E, W, Rule, register

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
