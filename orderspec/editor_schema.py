"""A JSON Schema for spec files themselves, for editors that run yaml-language-server.

It describes the spec wrapper (orderspec, operation, async, headers, params, body, use, with,
vars) and, for `body`, the request body schema of the endpoint the spec goes to, taken from the
schemas in `schemas/`. yaml-language-server reads JSON Schema draft-07 and below, so the derived
Draft 2020-12 schemas are rewritten into draft-07 (`$defs` -> `definitions`, `$ref` alone).

The editor's view is a convenience; `orderspec lint` stays the judge (it also knows YAML 1.1's
type traps, the API's limits and the rules across fields).
"""

from __future__ import annotations

import json
from typing import Any

from orderspec.model import ENDPOINTS, HEADER_NAMES, PARAMS
from orderspec.resources import load_schema
from orderspec.spec import SPEC_KEYS

DRAFT_07 = "http://json-schema.org/draft-07/schema#"
# Keywords of Draft 2019-09/2020-12 that draft-07 does not know; a derived schema that uses one
# cannot be rewritten faithfully, so generation stops rather than emit a schema that lies.
_NEWER_KEYWORDS = frozenset({
    "prefixItems", "unevaluatedProperties", "unevaluatedItems", "dependentRequired",
    "dependentSchemas", "$anchor", "$dynamicRef", "$dynamicAnchor", "$recursiveRef",
    "$recursiveAnchor", "minContains", "maxContains", "$vocabulary",
})
_JSON_TYPES = {bool: "boolean", str: "string", int: "integer"}


def _definition_name(endpoint: str, name: str) -> str:
    return f"{endpoint}.{name}"


def _to_draft07(node: Any, endpoint: str) -> Any:
    """A copy of a schema node of `endpoint`'s schema, in draft-07 with namespaced references."""
    if isinstance(node, list):
        return [_to_draft07(item, endpoint) for item in node]
    if not isinstance(node, dict):
        return node
    newer = _NEWER_KEYWORDS.intersection(node)
    if newer:
        raise ValueError(f"{endpoint} schema uses {', '.join(sorted(newer))}, which draft-07 lacks")
    converted: dict[str, Any] = {}
    for key, value in node.items():
        if key in ("$schema", "$defs", "$id"):
            continue
        if key == "$ref":
            if not value.startswith("#/$defs/"):
                raise ValueError(f"{endpoint} schema has a reference outside $defs: {value}")
            converted[key] = "#/definitions/" + _definition_name(endpoint, value[len("#/$defs/"):])
        elif key in ("properties", "patternProperties"):
            converted[key] = {name: _to_draft07(sub, endpoint) for name, sub in value.items()}
        else:
            converted[key] = _to_draft07(value, endpoint)
    if "$ref" in converted and len(converted) > 1:
        # draft-07 ignores every keyword beside $ref; keep them by moving $ref into allOf.
        reference = {"$ref": converted.pop("$ref")}
        converted["allOf"] = [reference, *converted.get("allOf", [])]
    return converted


def _body_schemas() -> tuple[dict[str, Any], dict[str, Any]]:
    """definitions for every endpoint's body, and a reference to each body by endpoint name."""
    definitions: dict[str, Any] = {}
    bodies: dict[str, Any] = {}
    for name in sorted(ENDPOINTS):
        schema = load_schema(ENDPOINTS[name].schema)
        for def_name, sub in schema.get("$defs", {}).items():
            definitions[_definition_name(name, def_name)] = _to_draft07(sub, name)
        body = _to_draft07({k: v for k, v in schema.items() if k != "$comment"}, name)
        body["title"] = f"{name} request body"
        definitions[_definition_name(name, "body")] = body
        bodies[name] = {"$ref": "#/definitions/" + _definition_name(name, "body")}
    return definitions, bodies


def _when(operation: str, is_async: bool) -> dict[str, Any]:
    """The condition that a spec goes to the sync (or async) endpoint of `operation`."""
    condition: dict[str, Any] = {
        "properties": {"operation": {"const": operation}},
        "required": ["operation"],
    }
    if is_async:
        condition["properties"]["async"] = {"const": True}
        condition["required"].append("async")
    return condition


def spec_schema() -> dict[str, Any]:
    """The JSON Schema (draft-07) of an orderspec v1 spec file."""
    definitions, bodies = _body_schemas()
    params_by_operation = {
        operation: {"type": "object", "additionalProperties": False,
                    "properties": {name: {"type": _JSON_TYPES[kind]} for name, kind in params.items()}}
        for operation, params in PARAMS.items()
    }
    properties: dict[str, Any] = {
        "orderspec": {"const": 1, "description": "The spec format version: 1."},
        "operation": {"enum": ["create", "preview"],
                      "description": "create an order, or preview what it would bill."},
        "async": {"enum": [True, False, "auto"], "default": False,
                  "description": "Use the async endpoint: true, false, or auto (async only when "
                                 "the order is too large for the sync one)."},
        "headers": {
            "type": "object",
            "additionalProperties": False,
            "properties": {name: {"type": "string", "description": f"Sent as the {http} header."}
                           for name, http in HEADER_NAMES.items()},
        },
        "params": {"type": "object", "description": "Query parameters of the operation."},
        "body": {"type": "object", "description": "The request body."},
        "use": {"type": "string", "description": "A template to build the body from."},
        "with": {"type": "object", "description": "Arguments for the template."},
        "vars": {"type": "object", "description": "Values to substitute into the spec."},
    }
    missing = set(SPEC_KEYS) - set(properties)
    if missing:  # the wrapper grew a key; describe it here too
        raise ValueError(f"editor schema does not describe spec keys: {', '.join(sorted(missing))}")
    branches: list[dict[str, Any]] = []
    for operation in ("create", "preview"):
        sync, asynchronous = bodies[operation], bodies["async-" + operation]
        branches.append({"if": _when(operation, True),
                         "then": {"properties": {"body": asynchronous}},
                         "else": {"if": _when(operation, False),
                                  "then": {"properties": {"body": sync}}}})
        branches.append({"if": _when(operation, False),
                         "then": {"properties": {"params": params_by_operation[operation]}}})
    return {
        "$schema": DRAFT_07,
        "title": "orderspec v1 order spec",
        "description": "A Zuora Orders API request kept as a reviewed YAML spec "
                       "(generated by `orderspec schema`).",
        "type": "object",
        "required": ["orderspec", "operation"],
        "anyOf": [{"required": ["body"]}, {"required": ["use"]}],
        "additionalProperties": False,
        "properties": properties,
        "allOf": branches,
        "definitions": definitions,
    }


def spec_schema_text() -> str:
    return json.dumps(spec_schema(), indent=1, ensure_ascii=False, sort_keys=False) + "\n"
