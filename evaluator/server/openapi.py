"""The service's OpenAPI 3.1 document, built from the kinds' JSON Schemas (2020-12, which OpenAPI 3.1 embeds)."""
from __future__ import annotations

from typing import Any

MAX_BATCH = 1000

_PROBLEM = {
    "type": "object",
    "description": "One thing wrong with a request: a JSON pointer into the document, what is wrong, the value.",
    "required": ["pointer", "message"],
    "properties": {
        "pointer": {"type": "string"},
        "message": {"type": "string"},
        "value": {"description": "The offending value, when there is one."},
        "hint": {"type": "string"},
    },
}

_ERRORS = {
    "type": "object",
    "description": "Every problem found; nothing was decided.",
    "required": ["errors"],
    "additionalProperties": False,
    "properties": {"errors": {"type": "array", "minItems": 1, "items": {"$ref": "#/components/schemas/Problem"}}},
}

_AS_OF = {"type": "string",
          "pattern": r"^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2}))?$"}

_VERSION = {
    "description": "The contract version that decided (SPEC §8.6), and the holiday data it counted with.",
    "type": "object",
    "required": ["id", "effective", "until", "sha256", "holidays"],
    "properties": {"id": {"type": ["string", "null"]}, "effective": {"type": ["string", "null"], "format": "date"},
                   "until": {"type": ["string", "null"], "format": "date"}, "sha256": {"type": "string"},
                   "holidays": {"type": "string"}},
}


def openapi_document(schemas: dict[str, dict[str, Any]], rule_set: dict[str, Any]) -> dict[str, Any]:
    """OpenAPI 3.1 for `vilkar serve`: every kind's schema as a component, every status SPEC §8.9 names."""
    kinds = sorted(schemas)
    any_request = {"oneOf": [{"$ref": f"#/components/schemas/{kind}"} for kind in kinds],
                   "discriminator": {"propertyName": "kind",
                                     "mapping": {kind: f"#/components/schemas/{kind}" for kind in kinds}}}
    components: dict[str, Any] = {kind: embedded(kind, schemas[kind]) for kind in kinds}
    components.update({
        "Request": any_request,
        "Decision": _decision(kinds),
        "Errors": _ERRORS,
        "Problem": _PROBLEM,
        "Version": _VERSION,
    })
    return {
        "openapi": "3.1.0",
        "jsonSchemaDialect": "https://json-schema.org/draft/2020-12/schema",
        "info": {
            "title": "vilkar decision service",
            "version": _vilkar_version(),
            "description": "Decisions of the support contract's policies for request documents "
                           f"(rule set {rule_set['path']}, sha256 {rule_set['sha256']}).",
        },
        "paths": {
            "/v1/decisions": {"post": _decide_operation()},
            "/v1/decisions/batch": {"post": _batch_operation()},
            "/health": {"get": _get("health", "The service is up and serving a rule set.", {
                "type": "object", "required": ["status"], "properties": {"status": {"const": "ok"}}})},
            "/v1/status": {"get": _get("status", "The rule set served, its versions, the counters and reloads.",
                                       _status_schema())},
            "/openapi.json": {"get": _get("openapi", "This document.", {"type": "object"})},
        },
        "components": {"schemas": components},
    }


def embedded(kind: str, schema: dict[str, Any]) -> dict[str, Any]:
    """A kind's schema as a component: unchanged but for its local `$ref`s, re-rooted at the component.

    A kind's schema refers to its own `$defs` (`#/$defs/date`), which its `$id` anchors. Inside a larger
    document many tools (Schemathesis, code generators) resolve `#` against the document's root, so the
    component drops `$id` and spells the same targets from the root: `#/components/schemas/KIND/$defs/date`.
    """
    return _rerooted({key: value for key, value in schema.items() if key != "$id"}, f"#/components/schemas/{kind}")


def _rerooted(value: Any, root: str) -> Any:
    if isinstance(value, dict):
        return {key: (root + item[1:] if key == "$ref" and isinstance(item, str) and item.startswith("#")
                      else _rerooted(item, root)) for key, item in value.items()}
    if isinstance(value, list):
        return [_rerooted(item, root) for item in value]
    return value


def _decision(kinds: list[str]) -> dict[str, Any]:
    return {
        "type": "object",
        "description": "The decisions for one request; `trace` only with ?explain=true.",
        "required": ["decision_id", "kind", "version", "decisions", "notes"],
        "properties": {
            "decision_id": {"type": "string"},
            "kind": {"enum": kinds},
            "version": {"$ref": "#/components/schemas/Version"},
            "decisions": {"type": "object"},
            "notes": {"type": "array", "items": {"type": "string"}},
            "trace": {"type": "array", "items": {"type": "object"}},
        },
    }


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _errors(description: str) -> dict[str, Any]:
    return _json({"$ref": "#/components/schemas/Errors"}, description)


def _decide_operation() -> dict[str, Any]:
    return {
        "operationId": "decide",
        "summary": "Decide one request document.",
        "parameters": [
            {"name": "as_of", "in": "query", "required": False,
             "description": "Decide under the contract version in force at this date (YYYY-MM-DD) or moment "
                            "(RFC 3339); by default at the request's own event date.",
             "schema": _AS_OF},
            {"name": "explain", "in": "query", "required": False,
             "description": "Add the trace: the rule and clause behind every decision.",
             "schema": {"type": "boolean"}},
        ],
        "requestBody": {"required": True, "content": {"application/json": {
            "schema": {"$ref": "#/components/schemas/Request"}}}},
        "responses": {
            "200": _json({"$ref": "#/components/schemas/Decision"}, "The decisions."),
            "400": _errors("The body is not JSON."),
            "413": _errors("The body is over the size limit (1 MiB by default)."),
            "422": _errors("The document is not a valid request; every problem is listed."),
        },
    }


def _batch_operation() -> dict[str, Any]:
    item = {"oneOf": [{"$ref": "#/components/schemas/Decision"}, {"$ref": "#/components/schemas/Errors"}]}
    return {
        "operationId": "decide_batch",
        "summary": f"Decide up to {MAX_BATCH:,} request documents; one record per item, in order.",
        "parameters": [
            {"name": "as_of", "in": "query", "required": False, "schema": _AS_OF,
             "description": "As for /v1/decisions, for every item."},
            {"name": "explain", "in": "query", "required": False, "schema": {"type": "boolean"},
             "description": "As for /v1/decisions, for every item."},
        ],
        "requestBody": {"required": True, "content": {"application/json": {"schema": {
            "type": "array", "maxItems": MAX_BATCH, "items": {"$ref": "#/components/schemas/Request"}}}}},
        "responses": {
            "200": _json({"type": "array", "items": item},
                         "A decision, or the problems of an invalid item, per item in input order."),
            "400": _errors("The body is not JSON."),
            "413": _errors("The body is over the size limit (16 MiB by default)."),
            "422": _errors(f"The body is not an array of at most {MAX_BATCH:,} items."),
        },
    }


def _get(operation: str, description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"operationId": operation, "summary": description, "responses": {"200": _json(schema, description)}}


def _status_schema() -> dict[str, Any]:
    return {
        "type": "object",
        "required": ["status", "rule_set", "versions", "counters", "reloads"],
        "properties": {
            "status": {"const": "ok"},
            "rule_set": {"type": "object", "required": ["path", "files", "sha256"]},
            "versions": {"type": "array", "items": {"$ref": "#/components/schemas/Version"}},
            "counters": {"type": "object", "description": "Counted over every worker of `--workers N`."},
            "reloads": {"type": "object", "description": "`ok`: reloads every worker has done; `failed`: reloads "
                                                        "a worker could not do (it serves the rule set it had)."},
            "workers": {"type": "array", "description": "Each worker process: its pid, the rule set it serves, "
                                                       "what it answered.",
                        "items": {"type": "object", "required": ["worker", "pid", "sha256", "loaded_at"]}},
        },
    }


def _vilkar_version() -> str:
    from importlib.metadata import PackageNotFoundError, version
    try:
        return version("vilkar")
    except PackageNotFoundError:
        return "0"
