"""Codes of templates, values files and the catalog (T; orderspec.expand)."""

from orderspec.registry import E, Rule, register

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
