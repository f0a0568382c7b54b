"""Codes of the check stage: the API's limits, rules across fields, headers (L, R, H;
orderspec.check)."""

from orderspec.registry import E, W, Rule, register

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
