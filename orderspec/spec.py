"""Read the spec wrapper (format v1) of a loaded document: operation, async, headers, body.

A spec looks like:

    orderspec: 1
    operation: create          # create | preview
    async: false               # true | false | auto
    headers: {trackId: ci-42}
    params: {returnIds: true}
    body: {...}                # the request body, or `use:`/`with:` a template
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from typing import Any

from orderspec.body import as_dict
from orderspec.diagnostics import Diagnostic, Location, at, format_pointer
from orderspec.load import Document, SourceMap
from orderspec.model import ENDPOINTS, HEADER_NAMES, OPERATIONS, PARAMS

SPEC_KEYS = ("orderspec", "operation", "async", "headers", "params", "body", "use", "with", "vars")


@dataclass
class Spec:
    path: str
    index: int
    line: int
    operation: str
    async_mode: bool | str
    source: SourceMap  # of the whole document
    body: dict[str, Any] | None = None
    headers: dict[str, str] = field(default_factory=dict)
    header_source: dict[str, Location] = field(default_factory=dict)
    params: dict[str, Any] = field(default_factory=dict)
    template: str | None = None
    template_args: dict[str, Any] = field(default_factory=dict)
    variables: dict[str, Any] = field(default_factory=dict)
    is_bare: bool = False


# Names people reach for that the API spells otherwise, where spelling finds nothing (`zipCode`)
# or the wrong field (`stateCode` looks like `postalCode`, `emailAddress` like `address2`).
# Lower-cased wrong name -> the API's names; a name is offered only where the API takes it.
KNOWN_ALIASES: dict[str, tuple[str, ...]] = {
    **dict.fromkeys(("zipcode", "zip", "postcode", "postalzip"), ("postalCode",)),
    **dict.fromkeys(("email", "emailaddress", "mail"), ("workEmail", "personalEmail")),
    **dict.fromkeys(("phone", "phonenumber", "telephone", "tel"), ("workPhone", "mobilePhone", "homePhone")),
    **dict.fromkeys(("address", "street", "streetaddress", "addressline1", "line1"), ("address1",)),
    **dict.fromkeys(("addressline2", "line2"), ("address2",)),
    **dict.fromkeys(("province", "statecode", "stateprovince", "region"), ("state",)),
    **dict.fromkeys(("surname", "familyname"), ("lastName",)),
    **dict.fromkeys(("givenname", "forename"), ("firstName",)),
    **dict.fromkeys(("accountname", "companyname", "company"), ("name",)),
    "accountid": ("existingAccountId",),
}


def did_you_mean(word: str, choices: list[str] | tuple[str, ...]) -> str:
    known = [name for name in KNOWN_ALIASES.get(word.lower(), ()) if name in choices]
    if known:
        names = [f"`{name}`" for name in known]
        listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]
        return f" (did you mean {listed}?)"
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    if not close:
        lowered = {c.lower(): c for c in choices}
        if word.lower() in lowered:
            close = [lowered[word.lower()]]
    return f" (did you mean `{close[0]}`?)" if close else ""


def parse(document: Document, bare_operation: str | None = None) -> tuple[Spec | None, list[Diagnostic]]:
    """Turn a loaded document into a Spec. `bare_operation` treats a non-spec as a bare body."""
    source = document.source
    value = document.value
    path = source.path
    if not isinstance(value, dict):
        kind = "a list" if isinstance(value, list) else "a single value"
        return None, [at(source.locate(()), "Y004", f"the document is {kind}, not a mapping")]

    if "orderspec" not in value:
        if bare_operation is None:
            return None, [at(source.locate(()), "F001",
                             "not an order spec: start it with `orderspec: 1`, or pass --operation "
                             "to lint a bare request body")]
        endpoint = ENDPOINTS[bare_operation]
        return Spec(path, document.index, document.line, "preview" if endpoint.is_preview else "create",
                    endpoint.is_async, source,
                    body=value, is_bare=True), []

    problems: list[Diagnostic] = []

    def report(pointer: tuple[Any, ...], code: str, message: str, *, key: bool = False) -> None:
        problems.append(at(source.locate(pointer, key=key), code, message, pointer=format_pointer(pointer)))

    for key in value:
        if key not in SPEC_KEYS:
            report((key,), "F003", f"unknown spec key `{key}`{did_you_mean(key, SPEC_KEYS)}", key=True)

    if value.get("orderspec") != 1 or isinstance(value.get("orderspec"), bool):
        report(("orderspec",), "F001", f"unsupported spec version `{value.get('orderspec')}`; this "
               "orderspec reads version 1")
        return None, problems

    operation: str | None = value.get("operation")
    if operation not in OPERATIONS:
        if "operation" not in value:
            report((), "F002", "the spec has no `operation` (create or preview)")
        else:
            hint = ""
            if isinstance(operation, str) and operation.startswith("async-"):
                hint = "; write `async: true` for the async endpoint"
            elif isinstance(operation, str):
                hint = did_you_mean(operation, OPERATIONS)
            report(("operation",), "F002", f"operation `{operation}` is not create or preview{hint}")
        operation = None

    async_mode = value.get("async", False)
    if async_mode not in (True, False, "auto") or (async_mode in (0, 1) and not isinstance(async_mode, bool)):
        report(("async",), "F005", f"`async: {async_mode}` must be true, false or auto")
        async_mode = False

    headers, header_source = _headers(value.get("headers"), source, report)
    params = _params(value.get("params"), operation, report)

    body = value.get("body")
    template = value.get("use")
    if body is None and template is None:
        report((), "F004", "the spec has no `body` (nor a template to `use`)")
    elif body is not None and not isinstance(body, dict):
        report(("body",), "F004", "`body` must be a mapping (the request body)")
        body = None
    if template is not None and not isinstance(template, str):
        report(("use",), "F003", "`use` names a template: it must be text")
        template = None
    for block in ("with", "vars"):
        if block in value and not isinstance(value[block], dict):
            report((block,), "F003", f"`{block}` must be a mapping of names to values")
        elif block in value and template is None and isinstance(body, dict):
            # Only a template reads these: with a literal body they would be dropped unseen.
            report((block,), "F007", f"`{block}` has no effect without `use:`: a literal `body` is sent as "
                   "written; write the values into the body, or `use:` a template", key=True)

    if operation is None or (body is None and template is None):
        return None, problems
    return Spec(
        path, document.index, document.line, operation, async_mode, source,
        body=body, headers=headers, header_source=header_source, params=params,
        template=template,
        template_args=as_dict(value.get("with")),
        variables=as_dict(value.get("vars")),
    ), problems


def _headers(block: Any, source: SourceMap, report: Any) -> tuple[dict[str, str], dict[str, Location]]:
    headers: dict[str, str] = {}
    where: dict[str, Location] = {}
    if block is None:
        return headers, where
    if not isinstance(block, dict):
        report(("headers",), "F006", "`headers` must be a mapping")
        return headers, where
    for key, item in block.items():
        if key not in HEADER_NAMES:
            report(("headers", key), "F006",
                   f"unknown header `{key}`{did_you_mean(key, tuple(HEADER_NAMES))}; known: "
                   + ", ".join(HEADER_NAMES), key=True)
            continue
        if not isinstance(item, str):
            raw = source.raw_plain(("headers", key))
            report(("headers", key), "F006", f"header `{key}` must be text" +
                   (f"; quote it: '{raw}'" if raw is not None else ""))
            continue
        headers[HEADER_NAMES[key]] = item
        where[HEADER_NAMES[key]] = source.locate(("headers", key))
    return headers, where


def _params(block: Any, operation: str | None, report: Any) -> dict[str, Any]:
    if block is None:
        return {}
    if not isinstance(block, dict):
        report(("params",), "F006", "`params` must be a mapping")
        return {}
    allowed = PARAMS.get(operation or "", {})
    params: dict[str, Any] = {}
    for key, item in block.items():
        if key not in allowed:
            report(("params", key), "F006",
                   f"`{key}` is not a query parameter of {operation or 'this operation'}"
                   f"{did_you_mean(key, tuple(allowed))}", key=True)
        elif not isinstance(item, allowed[key]):
            report(("params", key), "F006", f"`{key}` must be true or false")
        else:
            params[key] = item
    return params
