"""Codes of state files: subscriptions and accounts as the API answered them (Z; orderspec.state)."""

from orderspec.registry import E, W, Rule, register

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
