#!/usr/bin/env python3
"""Derive strict JSON Schemas (Draft 2020-12) for the Zuora Orders API.

Usage::

    python scripts/derive_schemas.py [--openapi PATH] [--out schemas/]

Input is Zuora's published OpenAPI 3.0 description in its "compact" flavour
(no descriptions, no examples).  Output is one self-contained JSON Schema per
request body / response we care about, written under ``schemas/``.  Every
referenced component is copied under ``$defs`` and every ``$ref`` has the form
``#/$defs/Name``.  Output is deterministic (sorted keys, 2-space indent,
trailing newline), so re-running the script gives byte-identical files and
the committed schemas can be checked against the spec in CI.

Why a derivation step at all?  orderspec lints order bodies *before* they are
sent.  The lint must report one diagnostic per root cause, so the schemas are
deliberately shaped for that:

* request schemas are **strict**: every object that lists ``properties`` gets
  ``additionalProperties: false`` so a misspelt key is an error instead of
  being silently ignored (Zuora itself answers "unknown field", code suffix 21);
* ``allOf`` compositions are **flattened** into one object (union of
  properties, union of required) -- otherwise strictness cannot work and every
  error would be reported once per ``allOf`` branch;
* OpenAPI ``oneOf`` + ``discriminator`` becomes a discriminator ``enum`` plus
  one ``if``/``then`` per mapped value, so a bad body yields errors from the
  selected branch only (no ``oneOf``/``anyOf`` noise);
* custom fields (``Name__c``) are accepted through ``patternProperties`` only
  where the API takes them: in ``customFields`` containers, and directly on
  contacts, payment methods and new accounts (those embed a free-form part in
  the spec);
* response schemas stay open (responses grow over time).

OpenAPI 3.0 -> JSON Schema 2020-12 conversion: ``nullable: true`` adds
``"null"`` to ``type`` (and ``enum``); OpenAPI-only keywords (``xml``,
``discriminator``, ``readOnly``, ``writeOnly``, ``example(s)``, ``x-*``) are
dropped; odd ``format`` values are lower-cased (``UUID`` -> ``uuid``).

Repairs of known defects of the compact spec (each one is a function below,
applied to the OpenAPI components before conversion):

``restore_description_properties``
    The compaction deleted every key called ``description`` -- including
    *properties* of that name.  We put back the ones the Orders API documents:
    order-level ``description`` (string, max 500) on the four order requests,
    and ``description`` on charge overrides, charge updates and order line
    items (documented, length limit not confirmed so none is enforced).
``fix_dangling_refs``
    Relative ``$ref`` leftovers from the split source files
    (``./recurringCalculatedPricingOverride.yaml``) are pointed at the real
    component.  Any other non-local ``$ref`` reachable from our roots raises.
``repair_new_account_data_access``
    ``CreateOrderNewAccount`` and
    ``CreateOrderCreateSubscriptionNewSubscriptionOwnerAccount`` are
    ``allOf: [{properties}, DataAccessControlField]`` where the latter is
    ``{additionalProperties: {type: string}}``.  Under JSON Schema that rejects
    every non-string field (billCycleDay, billToContact, autoPay, ...).  The
    free-form part is reduced to what it is for: extra string-valued
    ``__c`` fields directly on the account.
``repair_uom_type``
    ``uom`` is typed ``number`` in pricing overrides; it is a unit-of-measure
    name such as ``"Each"``, so it becomes a string.
``repair_preview_number_of_periods``
    ``previewNumberOfPeriods`` is an integer carrying ``minLength: 1`` (a
    string keyword, ignored on integers); the intent is ``minimum: 1``.
``add_documented_missing_fields``
    Fields accepted by the API and shown in Zuora's own tutorials but absent
    from this spec version: ``createSubscription.subscribeToProducts``
    (standalone / enhanced-discount orders), ``updateProduct.chargeRemovals``
    (hard bundles), order line item ``transactionDate``, and the correctly
    spelt ``recurringCalculated`` next to the spec's misspelt
    ``recurringCalcualated`` in preview pricing updates.
``add_hard_bundle_charge_overrides``, ``add_ccref_card_fields``
    More documented-but-missing fields: ``updateProduct.chargeOverrides``
    (adding optional charges of a hard bundle) and card type/number/expiry on
    a CreditCardReferenceTransaction payment method.
``add_sdk_sent_fields``
    Fields Zuora's own Python SDK (zuora-sdk 3.21, generated from the API
    reference of 2025-08-12) sends in every request it builds, so the API
    takes them: ``isBillable`` (boolean, sent as ``null`` when unset) on
    every charge override.
``open_negotiated_price_table``
    ``negotiatedPriceTable`` entries have a newer shape than this spec knows
    (attributes + pricing); entries are left open.
``relax_standalone_charge_requirements``
    ``productRatePlanChargeId`` is required on a charge override only when
    the rate plan is not from an external catalog (standalone orders define
    charges inline); the preview rate plan's hard ``productRatePlanId``
    requirement is dropped (``productRatePlanNumber`` works too).
``allow_null_order_number``
    Zuora's own samples send ``"orderNumber": null`` (let Zuora number it).
``repair_async_job_id`` (response side)
    Async job ids are 32 lowercase hex characters, not hyphenated UUIDs as
    ``format: UUID`` in the spec suggests.
``repair_response_shapes`` (response side)
    Error ``reasons[].code`` is an 8-digit integer *or* string (and
    non-numeric words such as ``SystemError`` on 5xx); ``paidAmount`` is sent
    as a number although typed as a length-limited string; ``writeOff.amount``
    carries bogus ``minimum``/``maximum`` (9/22, left over from string length
    limits); a failed async job has ``result: null``.
"""

from __future__ import annotations

import argparse
import copy
import json
import re
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import yaml

JSON = Any
Schema = dict[str, Any]

DRAFT = "https://json-schema.org/draft/2020-12/schema"
REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OPENAPI = REPO_ROOT / ".." / "shared" / "reference" / "zuora_openapi.yaml"
DEFAULT_OUT = REPO_ROOT / "schemas"

COMPONENT_PREFIX = "#/components/schemas/"
CUSTOM_FIELD_PATTERN = "^[A-Za-z0-9_]+__c$"
JOB_ID_PATTERN = "^[0-9a-f]{32}$"
ERROR_CODE_PATTERN = "^([0-9]{8}|[A-Za-z][A-Za-z0-9_]*)$"

# Internal marker (never emitted): value is the schema for `__c` keys that an
# object accepts directly, next to its declared properties.
CUSTOM_MARK = "x-orderspec-custom-fields"

DROP_KEYS = {"xml", "discriminator", "readOnly", "writeOnly", "example", "examples", "externalDocs"}

# Known relative refs left over from the split source files.
RELATIVE_REF_FIXES = {
    "./recurringCalculatedPricingOverride.yaml": COMPONENT_PREFIX + "RecurringCalculatedPricingOverride",
    "./actiontype.yaml": COMPONENT_PREFIX + "ActionType",
}

REQUEST_ROOTS = {
    "create-order.json": ("POSTOrderRequestType", "POST /v1/orders request body"),
    "preview-order.json": ("POSTOrderPreviewRequestType", "POST /v1/orders/preview request body"),
    "async-create-order.json": ("POSTOrderAsyncRequestType", "POST /v1/async/orders request body"),
    "async-preview-order.json": (
        "POSTOrderPreviewAsyncRequestType",
        "POST /v1/async/orders/preview request body",
    ),
}

ORDER_REQUEST_TYPES = tuple(name for name, _ in REQUEST_ROOTS.values())


class DanglingRefError(RuntimeError):
    """A `$ref` reachable from an output root points nowhere we can resolve."""


# --------------------------------------------------------------------------
# Loading
# --------------------------------------------------------------------------


def load_openapi(path: Path) -> dict[str, Any]:
    """Load the OpenAPI YAML (C loader: the file is ~4 MB)."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    with path.open("r", encoding="utf-8") as fh:
        return yaml.load(fh, Loader=loader)


def _props(schema: Schema) -> dict[str, Any]:
    """The `properties` of a component, looking into a first allOf member."""
    if "properties" in schema:
        return schema["properties"]
    for part in schema.get("allOf", []):
        if "properties" in part:
            return part["properties"]
    raise KeyError("schema has no properties")


# --------------------------------------------------------------------------
# Repairs (OpenAPI level, applied to a private copy of components.schemas)
# --------------------------------------------------------------------------


def restore_description_properties(comps: dict[str, Schema]) -> None:
    """Put back `description` properties that the compaction removed.

    Confirmed (Zuora API reference / generated SDK docs / Zuora tutorials):
      * order `description`, string, max 500 chars (all four order requests);
      * charge override `description` (create, preview, change-plan overrides);
      * charge update `description` (updateProduct.chargeUpdates[]);
      * order line item `description`.
    Length limits other than the order-level one could not be confirmed, so
    none is enforced there.

    Not restored (could not be confirmed for request bodies): rate plan
    override / product rate plan description, ramp and ramp interval
    description, commitment description.
    """
    for name in ORDER_REQUEST_TYPES:
        _props(comps[name])["description"] = {"type": "string", "maxLength": 500}
    for name in (
        "CreateOrderChargeOverride",
        "PreviewOrderChargeOverride",
        "ChangePlanChargeOverride",
        "PreviewOrderChangePlanChargeOverride",
        "CreateOrderChargeUpdate",
        "PreviewOrderChargeUpdate",
        "OrderLineItemCommonPostOrder",
    ):
        _props(comps[name])["description"] = {"type": "string"}


def _objects(comps: dict[str, Schema]) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every JSON object inside the components, with where it is ("Name/properties/x/0")."""

    def walk(node: JSON, where: str) -> Iterator[tuple[str, dict[str, Any]]]:
        if isinstance(node, dict):
            yield where, node
            for key, value in node.items():
                yield from walk(value, f"{where}/{key}")
        elif isinstance(node, list):
            for index, value in enumerate(node):
                yield from walk(value, f"{where}/{index}")

    for name in sorted(comps):
        yield from walk(comps[name], name)


def fix_dangling_refs(comps: dict[str, Schema]) -> list[str]:
    """Rewrite known relative `$ref`s to local component refs; return fixes."""
    fixed: list[str] = []
    for where, node in _objects(comps):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref in RELATIVE_REF_FIXES:
            node["$ref"] = RELATIVE_REF_FIXES[ref]
            fixed.append(f"{where}: {ref}")
    return fixed


def repair_new_account_data_access(comps: dict[str, Schema]) -> None:
    """Drop DataAccessControlField from the new-account allOfs.

    What remains of it is "string-valued `__c` fields directly on the
    account" (CUSTOM_MARK), handled when the object is converted.
    """
    target = COMPONENT_PREFIX + "DataAccessControlField"
    for name in ("CreateOrderNewAccount", "CreateOrderCreateSubscriptionNewSubscriptionOwnerAccount"):
        schema = comps[name]
        parts = schema.get("allOf", [])
        kept = [p for p in parts if p.get("$ref") != target]
        if len(kept) == len(parts):
            raise RuntimeError(f"{name}: expected a DataAccessControlField allOf member")
        schema["allOf"] = kept
        schema[CUSTOM_MARK] = {"type": "string"}


def repair_uom_type(comps: dict[str, Schema]) -> list[str]:
    """`uom` typed number -> string, wherever it occurs."""
    changed: list[str] = []
    for where, node in _objects(comps):
        props = node.get("properties")
        if isinstance(props, dict):
            uom = props.get("uom")
            if isinstance(uom, dict) and uom.get("type") == "number":
                uom["type"] = "string"
                changed.append(where)
    return changed


def repair_preview_number_of_periods(comps: dict[str, Schema]) -> None:
    """previewNumberOfPeriods: integer with minLength 1 -> minimum 1."""
    prop = _props(comps["PreviewOptions"])["previewNumberOfPeriods"]
    prop.pop("minLength", None)
    prop["type"] = "integer"
    prop["minimum"] = 1


def add_documented_missing_fields(comps: dict[str, Schema]) -> None:
    """Add fields the API accepts (Zuora tutorials) but this spec lacks."""
    # Standalone orders / enhanced discounts: same item shape as
    # subscribeToRatePlans, except that external-catalog plans have no
    # productRatePlanId, so the preview variant uses the create item shape.
    for name in ("CreateOrderCreateSubscription", "PreviewOrderCreateSubscription"):
        _props(comps[name])["subscribeToProducts"] = {
            "type": "array",
            "items": {"$ref": COMPONENT_PREFIX + "CreateOrderRatePlanOverride"},
        }
    # Hard bundles: remove optional charges of a subscribed rate plan.
    for name in ("CreateOrderRatePlanUpdate", "PreviewOrderRatePlanUpdate"):
        _props(comps[name])["chargeRemovals"] = {
            "type": "array",
            "items": {"$ref": COMPONENT_PREFIX + "OrderActionRatePlanChargeRemove"},
        }
    _props(comps["OrderLineItemCommonPostOrder"])["transactionDate"] = {"type": "string", "format": "date"}
    preview_pricing = _props(comps["PreviewOrderPricingUpdate"])
    if "recurringCalcualated" in preview_pricing and "recurringCalculated" not in preview_pricing:
        preview_pricing["recurringCalculated"] = copy.deepcopy(preview_pricing["recurringCalcualated"])


def add_sdk_sent_fields(comps: dict[str, Schema]) -> None:
    """isBillable on charge overrides: zuora-sdk sends it (null when unset) with every one."""
    for charge in (
        "CreateOrderChargeOverride",
        "PreviewOrderChargeOverride",
        "ChangePlanChargeOverride",
        "PreviewOrderChangePlanChargeOverride",
    ):
        _props(comps[charge]).setdefault("isBillable", {"type": ["boolean", "null"]})


def add_hard_bundle_charge_overrides(comps: dict[str, Schema]) -> None:
    """updateProduct.chargeOverrides: add optional charges to a hard bundle.

    Documented by Zuora's hard-bundle tutorial ("add optional charges to the
    subscribed hard bundle"); each entry names the product rate plan charge.
    """
    for name, item in (
        ("CreateOrderRatePlanUpdate", "CreateOrderChargeOverride"),
        ("PreviewOrderRatePlanUpdate", "PreviewOrderChargeOverride"),
    ):
        _props(comps[name])["chargeOverrides"] = {
            "type": "array",
            "items": {"$ref": COMPONENT_PREFIX + item, "required": ["productRatePlanChargeId"]},
        }


def add_ccref_card_fields(comps: dict[str, Schema]) -> None:
    """Card details on a CreditCardReferenceTransaction payment method.

    Zuora documents that CC Ref payment methods may carry card type, number
    and expiry for gateways that need them; production integrations send
    them inline on newAccount.paymentMethod.  The definitions are taken from
    the CreditCard payment method of the same spec.
    """
    card = _props(comps["CreatePaymentMethodCreditCard"])
    ccref = _props(comps["CreatePaymentMethodCCReferenceTransaction"])
    for field in ("cardNumber", "cardType", "expirationMonth", "expirationYear"):
        ccref.setdefault(field, copy.deepcopy(card[field]))


def open_negotiated_price_table(comps: dict[str, Schema]) -> None:
    """negotiatedPriceTable entries: internals are newer than this spec.

    The spec's entry shape ({items: {...}}) does not match what Zuora's own
    tutorials send ({attributes: [...], pricing: {...}}); keep entries open.
    """
    comps["NegotiatedItems"] = {"type": "object", "additionalProperties": True}


def relax_standalone_charge_requirements(comps: dict[str, Schema]) -> None:
    """productRatePlanChargeId is required only for catalog rate plans.

    Standalone orders (`isFromExternalCatalog: true`) define their charges
    inline and have no product rate plan charge.  The requirement moves from
    the charge override to its rate plan, guarded by isFromExternalCatalog.
    The preview rate plan's hard `required: [productRatePlanId]` is dropped
    too: the create variant has none, and productRatePlanNumber (or an
    external catalog plan) identifies the plan just as well.
    """
    for charge in (
        "CreateOrderChargeOverride",
        "PreviewOrderChargeOverride",
        "ChangePlanChargeOverride",
        "PreviewOrderChangePlanChargeOverride",
    ):
        schema = comps[charge]
        required = [r for r in schema.get("required", []) if r != "productRatePlanChargeId"]
        if required:
            schema["required"] = required
        else:
            schema.pop("required", None)
    for plan in (
        "CreateOrderRatePlanOverride",
        "PreviewOrderRatePlanOverride",
        "CreateOrderChangePlanRatePlanOverride",
        "PreviewOrderChangePlanRatePlanOverride",
    ):
        schema = comps[plan]
        if plan == "PreviewOrderRatePlanOverride":
            schema["required"] = [r for r in schema.get("required", []) if r != "productRatePlanId"]
            if not schema["required"]:
                del schema["required"]
        schema["if"] = {
            "type": "object",
            "properties": {"isFromExternalCatalog": {"const": True}},
            "required": ["isFromExternalCatalog"],
        }
        schema["else"] = {"properties": {"chargeOverrides": {"items": {"required": ["productRatePlanChargeId"]}}}}


def allow_null_order_number(comps: dict[str, Schema]) -> None:
    """orderNumber may be null: Zuora's samples send null to get a generated one."""
    for name in ORDER_REQUEST_TYPES:
        _props(comps[name])["orderNumber"]["nullable"] = True


def apply_request_repairs(comps: dict[str, Schema]) -> None:
    """All OpenAPI-level repairs, in a fixed order."""
    fix_dangling_refs(comps)
    restore_description_properties(comps)
    repair_new_account_data_access(comps)
    repair_uom_type(comps)
    repair_preview_number_of_periods(comps)
    add_documented_missing_fields(comps)
    add_sdk_sent_fields(comps)
    add_hard_bundle_charge_overrides(comps)
    add_ccref_card_fields(comps)
    open_negotiated_price_table(comps)
    relax_standalone_charge_requirements(comps)
    allow_null_order_number(comps)


# --------------------------------------------------------------------------
# Conversion
# --------------------------------------------------------------------------


def _ref_name(ref: str) -> str:
    if not ref.startswith(COMPONENT_PREFIX):
        raise DanglingRefError(f"non-local $ref {ref!r}")
    return ref[len(COMPONENT_PREFIX):]


def _is_open_map(schema: JSON) -> bool:
    """An object schema with no properties whose additionalProperties is free."""
    if not isinstance(schema, dict) or "properties" in schema or "$ref" in schema:
        return False
    extra = schema.get("additionalProperties")
    return extra is True or extra == {} or extra == {"type": "object"}


def _merge_property(first: Schema, second: Schema) -> Schema:
    """Combine two definitions of one property met in different allOf parts.

    Compatible plain schemas are merged key by key (enums intersect), e.g. a
    payment method's `type: string` and the common `type` enum.  Anything
    else keeps both constraints with a (rare) nested allOf.
    """
    if first == second:
        return first
    if "$ref" not in first and "$ref" not in second:
        merged = dict(first)
        compatible = True
        for key, value in second.items():
            if key not in merged or merged[key] == value:
                merged[key] = value
            elif key == "enum":
                merged[key] = [item for item in merged[key] if item in value]
            else:
                compatible = False
                break
        if compatible:
            return merged
    return {"allOf": [first, second]}


def _custom_container() -> Schema:
    return {
        "type": "object",
        "patternProperties": {CUSTOM_FIELD_PATTERN: {}},
        "additionalProperties": False,
    }


class Converter:
    """Convert OpenAPI component schemas into a self-contained JSON Schema."""

    def __init__(self, comps: dict[str, Schema], strict: bool) -> None:
        self.comps = comps
        self.strict = strict
        self.defs: dict[str, Schema] = {}
        self._pending: list[str] = []

    # -- refs ---------------------------------------------------------------
    def _component(self, ref: str) -> Schema:
        name = _ref_name(ref)
        if name not in self.comps:
            raise DanglingRefError(f"$ref to missing component {name!r}")
        return self.comps[name]

    def _local_ref(self, ref: str) -> str:
        name = _ref_name(ref)
        if name not in self.comps:
            raise DanglingRefError(f"$ref to missing component {name!r}")
        if name not in self.defs and name not in self._pending:
            self._pending.append(name)
        return "#/$defs/" + name

    # -- allOf flattening ---------------------------------------------------
    def _flatten(self, node: Schema, seen: tuple[str, ...] = ()) -> Schema:
        """Merge allOf members (resolving $refs) into one object schema."""
        if "allOf" not in node:
            return node
        merged: Schema = {k: v for k, v in node.items() if k != "allOf"}
        props: dict[str, Any] = dict(merged.pop("properties", {}))
        required: list[str] = list(merged.pop("required", []))
        custom: Any = merged.pop(CUSTOM_MARK, None)
        for part in node["allOf"]:
            if "$ref" in part:
                name = _ref_name(part["$ref"])
                if name in seen:
                    raise RuntimeError(f"allOf cycle through {name}")
                part = self._flatten(copy.deepcopy(self._component(part["$ref"])), seen + (name,))
            else:
                part = self._flatten(part, seen)
            if _is_open_map(part):
                # e.g. ContactObjectCustomFields: custom fields on the object itself
                custom = custom if custom is not None else {}
                continue
            for key, value in part.get("properties", {}).items():
                props[key] = _merge_property(props[key], value) if key in props else value
            for key in part.get("required", []):
                if key not in required:
                    required.append(key)
            if CUSTOM_MARK in part and custom is None:
                custom = part[CUSTOM_MARK]
            for key, value in part.items():
                if key in ("properties", "required", CUSTOM_MARK):
                    continue
                merged.setdefault(key, value)
        merged["type"] = "object"
        merged["properties"] = props
        if required:
            merged["required"] = required
        if custom is not None:
            merged[CUSTOM_MARK] = custom
        return merged

    # -- discriminator ------------------------------------------------------
    def _discriminated(self, node: Schema) -> Schema:
        """oneOf + discriminator -> enum on the tag + one if/then per value."""
        disc = node["discriminator"]
        tag = disc["propertyName"]
        mapping: dict[str, str] = dict(disc.get("mapping", {}))
        if not mapping:
            raise RuntimeError("discriminator without mapping")
        values = sorted(mapping)
        out: Schema = {
            "type": "object",
            "properties": {tag: {"type": "string", "enum": values}},
            "allOf": [
                {
                    "if": {
                        "type": "object",
                        "properties": {tag: {"const": value}},
                        "required": [tag],
                    },
                    "then": {"$ref": self._local_ref(mapping[value])},
                }
                for value in values
            ],
        }
        if self.strict:
            out["required"] = [tag]
        if "title" in node:
            out["title"] = node["title"]
        return out

    # -- generic ------------------------------------------------------------
    def convert(self, node: JSON, prop_name: str | None = None) -> JSON:
        if isinstance(node, list):
            return [self.convert(item) for item in node]
        if not isinstance(node, dict):
            return node
        if "oneOf" in node and "discriminator" in node:
            return self._discriminated(node)
        node = self._flatten(node)
        if self.strict and prop_name == "customFields" and _is_open_map(node):
            return _custom_container()
        out: Schema = {}
        for key, value in node.items():
            if key in DROP_KEYS or key == "nullable" or key == CUSTOM_MARK:
                continue
            if key.startswith("x-"):
                continue
            if key == "$ref":
                out["$ref"] = self._local_ref(value)
            elif key == "properties":
                out["properties"] = {name: self.convert(sub, name) for name, sub in value.items()}
            elif key in ("items", "not", "additionalProperties") and isinstance(value, dict):
                out[key] = self.convert(value)
            elif key in ("oneOf", "anyOf", "allOf"):
                out[key] = [self.convert(item) for item in value]
            elif key == "format" and isinstance(value, str):
                out["format"] = value.lower()
            else:
                out[key] = copy.deepcopy(value)
        if node.get("nullable") is True:
            _add_null(out)
        if "properties" in out and "type" not in out:
            out["type"] = "object"
        custom = node.get(CUSTOM_MARK)
        if custom is not None:
            out["patternProperties"] = {CUSTOM_FIELD_PATTERN: copy.deepcopy(custom)}
        if self.strict and ("properties" in out or custom is not None):
            if out.get("additionalProperties") in (None, True, {}):
                out["additionalProperties"] = False
        return out

    def convert_component(self, name: str) -> Schema:
        comp = self.comps[name]
        if self.strict and _is_open_map(comp) and name.endswith("CustomFields"):
            converted = _custom_container()
        else:
            converted = self.convert(comp)
        return converted

    def build(self, root: Schema) -> Schema:
        """Convert `root` and every component it (transitively) references."""
        top = self.convert(root)
        while self._pending:
            name = self._pending.pop(0)
            if name in self.defs:
                continue
            self.defs[name] = {}  # reserve (recursion)
            self.defs[name] = self.convert_component(name)
        if self.defs:
            top["$defs"] = dict(sorted(self.defs.items()))
        return top


def _add_null(schema: Schema) -> None:
    kind = schema.get("type")
    if isinstance(kind, str):
        schema["type"] = [kind, "null"]
    elif isinstance(kind, list) and "null" not in kind:
        schema["type"] = [*kind, "null"]
    if "enum" in schema and None not in schema["enum"]:
        schema["enum"] = [*schema["enum"], None]


def check_reachable_refs(comps: dict[str, Schema], roots: Iterable[str]) -> None:
    """Raise DanglingRefError on any unresolvable ref reachable from roots."""
    seen: set[str] = set()
    todo = list(roots)
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        if name not in comps:
            raise DanglingRefError(f"missing component {name!r}")
        seen.add(name)
        stack: list[tuple[JSON, str]] = [(comps[name], name)]
        while stack:
            node, where = stack.pop()
            if isinstance(node, dict):
                refs = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
                disc = node.get("discriminator")
                if isinstance(disc, dict):
                    refs.extend(disc.get("mapping", {}).values())
                for ref in refs:
                    if not ref.startswith(COMPONENT_PREFIX):
                        raise DanglingRefError(f"{where}: unresolvable $ref {ref!r}")
                    todo.append(ref[len(COMPONENT_PREFIX):])
                stack.extend((v, f"{where}/{k}") for k, v in node.items() if k != "$ref")
            elif isinstance(node, list):
                stack.extend((v, f"{where}/{i}") for i, v in enumerate(node))


# --------------------------------------------------------------------------
# Response-side repairs
# --------------------------------------------------------------------------


def repair_async_job_id(schema: Schema) -> None:
    """jobId: 32 lowercase hex characters (not a hyphenated UUID)."""
    job = schema["properties"]["jobId"]
    job.pop("format", None)
    job["type"] = "string"
    job["pattern"] = JOB_ID_PATTERN


def error_code_schema() -> Schema:
    """reasons[].code: 8-digit integer, 8-digit string or a word (SystemError)."""
    return {
        "type": ["integer", "string"],
        "minimum": 10000000,
        "maximum": 99999999,
        "pattern": ERROR_CODE_PATTERN,
    }


def repair_response_shapes(comps: dict[str, Schema]) -> None:
    """Fix response-side typing bugs (see module docstring)."""
    for name in ("CommonResponse", "ErrorResponse"):
        reasons = comps[name]["properties"]["reasons"]
        reasons["items"]["properties"]["code"] = error_code_schema()
    result_props = comps["CreateOrderResult"]["properties"]
    result_props["paidAmount"] = {"type": ["number", "string"]}
    write_off = result_props["writeOff"]["items"]["properties"]
    write_off["amount"] = {"type": "number"}
    # A failed job reports `"result": null` (handled on the converted $def,
    # see build_response_schemas).


# --------------------------------------------------------------------------
# Building the outputs
# --------------------------------------------------------------------------


def _finish(schema: Schema, title: str, source: str) -> Schema:
    out: Schema = {"$schema": DRAFT, "title": title}
    out["$comment"] = (
        f"Generated by scripts/derive_schemas.py from Zuora OpenAPI {source}; do not edit by hand."
    )
    out.update({k: v for k, v in schema.items() if k not in ("title",)})
    return out


def build_request_schemas(comps: dict[str, Schema], version: str) -> dict[str, Schema]:
    check_reachable_refs(comps, ORDER_REQUEST_TYPES)
    outputs: dict[str, Schema] = {}
    for filename, (root, title) in REQUEST_ROOTS.items():
        conv = Converter(comps, strict=True)
        outputs[filename] = _finish(conv.build(comps[root]), title, version)
    return outputs


def build_response_schemas(spec: dict[str, Any], comps: dict[str, Schema], version: str) -> dict[str, Schema]:
    repair_response_shapes(comps)
    roots = ("PostOrderResponseType", "PostOrderPreviewResponseType", "GetAsyncOrderJobResponse", "tokenResponse",
             "GETSubscriptionByKeyWithSuccess", "GETAccountType", "GetAllOrdersResponseType")
    check_reachable_refs(comps, roots)
    outputs: dict[str, Schema] = {}

    def one(root: Schema, title: str) -> Schema:
        conv = Converter(comps, strict=False)
        return _finish(conv.build(root), title, version)

    outputs["responses/order-created.json"] = one(comps["PostOrderResponseType"], "POST /v1/orders response")
    outputs["responses/preview-result.json"] = one(
        comps["PostOrderPreviewResponseType"], "POST /v1/orders/preview response"
    )
    job_status = one(comps["GetAsyncOrderJobResponse"], "GET /v1/async-jobs/{jobId} response")
    # A failed job has `"result": null`.  The result $def is a discriminator
    # wrapper whose if/then branches only fire on objects, so allowing null at
    # its top level is enough (no anyOf needed).
    job_status["$defs"]["GetAsyncOrderJobResponseResult"]["type"] = ["object", "null"]
    outputs["responses/async-job-status.json"] = job_status

    paths = spec["paths"]
    submit = copy.deepcopy(
        paths["/v1/async/orders"]["post"]["responses"]["200"]["content"]["application/json"]["schema"]
    )
    preview_submit = paths["/v1/async/orders/preview"]["post"]["responses"]["202"]["content"]["application/json"][
        "schema"
    ]
    for key, value in preview_submit.get("properties", {}).items():
        submit["properties"].setdefault(key, copy.deepcopy(value))
    repair_async_job_id(submit)
    submit["required"] = ["jobId"]
    outputs["responses/async-job-submitted.json"] = one(
        submit, "POST /v1/async/orders and /v1/async/orders/preview response"
    )

    error = one(comps["ErrorResponse"], "Common error response")
    error["properties"].update(
        {
            "success": {"type": "boolean", "const": False},
            "processId": {"type": "string"},
            "requestId": {"type": "string"},
        }
    )
    error["required"] = ["reasons"]
    error["properties"]["reasons"]["items"]["required"] = ["code", "message"]
    outputs["responses/error.json"] = error

    outputs["responses/oauth-token.json"] = one(comps["tokenResponse"], "POST /oauth/token response")
    # The state files of `--state DIR` and `orderspec pull` are these two bodies, as fetched.
    outputs["responses/subscription.json"] = one(
        comps["GETSubscriptionByKeyWithSuccess"], "GET /v1/subscriptions/{subscription-key} response"
    )
    outputs["responses/account.json"] = one(comps["GETAccountType"], "GET /v1/accounts/{account-key} response")
    for name in ("responses/subscription.json", "responses/account.json"):
        accept_decimal_numbers(outputs[name])
    # The emulator pages what its tenant holds as the API does (users and tests count orders with it).
    outputs["responses/orders-list.json"] = one(comps["GetAllOrdersResponseType"], "GET /v1/orders response")
    return outputs


def accept_decimal_numbers(schema: Any) -> None:
    """Amounts typed `string` with `format: decimal` (account metrics, ...) come back as JSON numbers:
    the API answers `"balance": 0`, and Zuora's own SDK (3.21) types them as numbers. Accept both."""
    if isinstance(schema, dict):
        if schema.get("type") == "string" and schema.get("format") == "decimal":
            schema["type"] = ["number", "string"]
        for value in schema.values():
            accept_decimal_numbers(value)
    elif isinstance(schema, list):
        for value in schema:
            accept_decimal_numbers(value)


def derive(openapi_path: Path) -> dict[str, Schema]:
    """Return {relative output path: schema} for every output file."""
    spec = load_openapi(openapi_path)
    version = str(spec.get("info", {}).get("version", "unknown"))
    request_comps = copy.deepcopy(spec["components"]["schemas"])
    apply_request_repairs(request_comps)
    outputs = build_request_schemas(request_comps, version)
    response_comps = copy.deepcopy(spec["components"]["schemas"])
    fix_dangling_refs(response_comps)
    outputs.update(build_response_schemas(spec, response_comps, version))
    return outputs


def dump(schema: Schema) -> str:
    return json.dumps(schema, sort_keys=True, indent=2, ensure_ascii=False) + "\n"


def write_outputs(outputs: dict[str, Schema], out_dir: Path) -> list[Path]:
    written: list[Path] = []
    for rel, schema in sorted(outputs.items()):
        target = out_dir / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(dump(schema), encoding="utf-8")
        written.append(target)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--openapi", type=Path, default=DEFAULT_OPENAPI, help="path to zuora_openapi.yaml")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output directory (default: schemas/)")
    args = parser.parse_args(argv)
    if not args.openapi.exists():
        print(f"error: OpenAPI file not found: {args.openapi}", file=sys.stderr)
        return 2
    outputs = derive(args.openapi)
    for path in write_outputs(outputs, args.out):
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
