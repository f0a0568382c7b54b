"""The request `orderspec preview --remote` sends for a spec, so that it previews what the offline
preview of the same spec shows.

A preview spec is sent as written; a window from the command line (--thru, --periods,
--term-end) replaces its `previewThruType`, as it does offline. A create spec becomes the preview
of the same order: the create body without what only creating takes, `newAccount` as the
`previewAccountInfo` a preview takes (currency, bill cycle day, tax address), and the
`previewOptions` the offline preview assumes for a body without them (to the end of the term
unless a window is given, every preview type the offline preview produces).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Iterable, Mapping

import click

from orderspec.body import as_dict, as_list
from orderspec.diagnostics import Diagnostic, Location, Pointer, Severity
from orderspec.gate import EXIT_CLEAN, EXIT_PROBLEMS, EXIT_USAGE, lint_status, missing_paths, say
from orderspec.model import LocationsOnly, Locator, Request, SizeLimits, choose_endpoint
from orderspec.preview.engine import PREVIEW_TYPES_MODELLED, Window
from orderspec.render import RenderedRequest, render

if TYPE_CHECKING:
    from orderspec.config import Config
    from orderspec.pipeline import Options

# Top-level fields of a create body that the preview endpoints do not take (they change nothing
# the preview computes: how the order is processed, scheduled, its status, commitments).
CREATE_ONLY_FIELDS = ("processingOptions", "schedulingOptions", "status", "commitments", "externallyManagedBy")
# newAccount fields that previewAccountInfo has too.
ACCOUNT_INFO_FIELDS = ("currency", "billCycleDay", "customFields", "taxInfo")
# The part of a contact that previewAccountInfo keeps: the address, which decides tax.
ADDRESS_FIELDS = ("address1", "address2", "city", "country", "county", "postalCode", "state", "taxRegion")
WINDOW_FIELDS = ("previewThruType", "specificPreviewThruDate", "previewNumberOfPeriods")


def window_options(window: Window) -> dict[str, Any]:
    """previewOptions fields for a window."""
    if window.kind == "SpecificDate" and window.thru is not None:
        return {"previewThruType": "SpecificDate", "specificPreviewThruDate": window.thru.isoformat()}
    if window.kind == "NumberOfPeriods" and window.periods is not None:
        return {"previewThruType": "NumberOfPeriods", "previewNumberOfPeriods": window.periods}
    return {"previewThruType": "TermEnd"}


def _address(contact: Any) -> dict[str, Any]:
    return {name: value for name, value in as_dict(contact).items() if name in ADDRESS_FIELDS}


def preview_account_info(account: Mapping[str, Any]) -> dict[str, Any]:
    """previewAccountInfo for a newAccount. Zuora copies the bill-to contact to the sold-to
    contact when an account has none (or says soldToSameAsBillTo), so its address is taken then."""
    info = {name: copy.deepcopy(account[name]) for name in ACCOUNT_INFO_FIELDS if name in account}
    bill_to = account.get("billToContact")
    sold_to = bill_to if account.get("soldToSameAsBillTo") is True or "soldToContact" not in account \
        else account.get("soldToContact")
    ship_to = bill_to if account.get("shipToSameAsBillTo") is True else account.get("shipToContact")
    for name, contact in (("soldToContact", sold_to), ("shipToContact", ship_to)):
        address = _address(contact)
        if address:
            info[name] = address
    return info


def preview_body(body: Mapping[str, Any], window: Window | None) -> dict[str, Any]:
    """The preview body for a create body (see the module docstring)."""
    preview = {name: copy.deepcopy(value) for name, value in body.items()
               if name not in CREATE_ONLY_FIELDS and name != "newAccount"}
    if isinstance(body.get("newAccount"), Mapping):
        preview["previewAccountInfo"] = preview_account_info(body["newAccount"])
    preview["previewOptions"] = {**window_options(window or Window("TermEnd")),
                                 "previewTypes": list(PREVIEW_TYPES_MODELLED)}
    return preview


def with_window(body: Mapping[str, Any], window: Window) -> dict[str, Any]:
    """A preview body whose previewThruType is the window's, as the offline preview reads it."""
    preview = copy.deepcopy(dict(body))
    options = {k: v for k, v in as_dict(preview.get("previewOptions")).items() if k not in WINDOW_FIELDS}
    preview["previewOptions"] = {**window_options(window), **options}
    return preview


@dataclass(frozen=True)
class _PreviewSource(LocationsOnly):
    """Points what the conversion moved back at the spec: previewAccountInfo at newAccount, the
    added previewOptions at the top of the spec's body."""

    original: Locator

    def locate(self, pointer: Pointer, *, key: bool = False) -> Location:
        if pointer[:1] == ("previewAccountInfo",):
            return self.original.locate(("newAccount",))
        return self.original.locate(pointer, key=key)


def evergreen(body: Mapping[str, Any]) -> bool:
    """Whether the order creates (or turns into) an EVERGREEN subscription: it has no term end."""
    for subscription in as_list(body.get("subscriptions")):
        for action in as_list(as_dict(subscription).get("orderActions")):
            action = as_dict(action)
            terms = as_dict(as_dict(action.get("createSubscription")).get("terms"))
            last = as_dict(as_dict(action.get("termsAndConditions")).get("lastTerm"))
            if any(as_dict(term).get("termType") == "EVERGREEN" for term in (terms.get("initialTerm"), last)):
                return True
    return False


class NeedsWindow(ValueError):
    """A create spec whose preview cannot default to the end of the term."""


def preview_request(request: Request, window: Window | None) -> Request:
    """The preview request `preview --remote` sends for a spec's request."""
    if request.operation == "preview":
        return request if window is None else replace(request, body=with_window(request.body, window))
    if (window is None or window.kind == "TermEnd") and evergreen(request.body):
        raise NeedsWindow(f"{request.name}: creates an EVERGREEN subscription, which has no term end to "
                          "preview to; give --thru DATE or --periods N")
    # A spec's own Idempotency-Key is the create's; the preview gets one derived from its own body.
    headers = {k: v for k, v in request.headers.items() if k != "Idempotency-Key"}
    return replace(request, operation="preview", body=preview_body(request.body, window), headers=headers,
                   header_source={k: v for k, v in request.header_source.items() if k in headers},
                   params={}, source=_PreviewSource(request.source))


def _problems(requests: Iterable[Request], sync_limits: SizeLimits, config: Config) -> list[Diagnostic]:
    """Errors the preview endpoints would answer the converted requests with, judged as lint
    judges preview specs (a spec that lints clean as a create can still fail as a preview)."""
    from orderspec.check import check_request
    from orderspec.validate import validate

    found: list[Diagnostic] = []
    for request in requests:
        endpoint = choose_endpoint(request, sync_limits)
        diagnostics = validate(request, endpoint) + check_request(request, endpoint, config)
        found += [d for d in config.apply(diagnostics) if d.severity is Severity.ERROR]
    return found


def prepare_previews(specs: tuple[str, ...], options: Options | None,
                     window: Window | None) -> tuple[int, list[RenderedRequest]]:
    """Lint the specs, then render the preview request of each: (exit status, requests). Any
    error stops here, as it does before sending: a spec with lint errors, a create spec whose
    preview would be refused (its errors are printed as preview errors)."""
    from orderspec import pipeline

    status = missing_paths(specs)
    if status:
        return status, []
    options = options or pipeline.Options()
    result = pipeline.run(specs, options, keep_requests=True)
    status = lint_status(result, specs, "before sending")
    if status:
        return status, []
    try:
        requests = [preview_request(request, window) for request in result.requests]
    except NeedsWindow as problem:
        say(str(problem))
        return EXIT_USAGE, []
    sync_limits = options.config.limits.sync
    changed = [new for new, old in zip(requests, result.requests) if new is not old]
    refused = _problems(changed, sync_limits, options.config)
    if refused:
        for diagnostic in refused:
            click.echo(diagnostic.text(), err=True)
        say(f"{len(refused)} error(s) in the preview request(s) made from the specs: nothing previewed")
        return EXIT_PROBLEMS, []
    return EXIT_CLEAN, [render(request, choose_endpoint(request, sync_limits)) for request in requests]
