"""Small rule sets for tests: policy text and a schema for one request kind, `probe`, built in memory."""
from __future__ import annotations

from typing import Any

from evaluator.api import PolicySet, compile_sources
from evaluator.language.source import Source

DATE = {"type": "string", "format": "date"}
TIMESTAMP = {"type": "string", "format": "date-time"}
TEXT = {"type": "string"}
INTEGER = {"type": "integer"}
NUMBER = {"type": "number"}
BOOLEAN = {"type": "boolean"}
MONEY = {"type": "object", "x-vilkar-type": "money", "additionalProperties": False,
         "required": ["amount", "currency"],
         "properties": {"amount": {"anyOf": [{"type": "number"}, {"type": "string", "pattern": "^[0-9]+(\\.[0-9]+)?$"}]},
                        "currency": {"const": "USD"}}}
ANY_MONEY = {"type": "object", "x-vilkar-type": "money", "additionalProperties": False,
             "required": ["amount", "currency"],
             "properties": {"amount": {"anyOf": [{"type": "number"}, {"type": "string"}]},
                            "currency": {"type": "string", "pattern": "^[A-Z]{3}$"}}}
LOCATION = {"type": "object", "x-vilkar-type": "location", "additionalProperties": False,
            "required": ["country", "timezone"],
            "properties": {"country": {"type": "string"}, "timezone": {"type": "string"},
                           "subdivision": {"type": "string"}}}


def enum(*values: str) -> dict[str, Any]:
    return {"type": "string", "enum": list(values)}


def array(items: dict[str, Any]) -> dict[str, Any]:
    return {"type": "array", "items": items}


def record(required: dict[str, Any], optional: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"type": "object", "additionalProperties": False, "required": sorted(required),
            "properties": {**required, **(optional or {})}}


def schema(required: dict[str, Any], optional: dict[str, Any] | None = None, kind: str = "probe") -> dict[str, Any]:
    """The JSON schema of a request kind with these fields."""
    fields = record({"kind": {"const": kind}, **required}, optional)
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "x-vilkar-event-date": None, **fields}


def build(text: str | dict[str, str], required: dict[str, Any] | None = None,
          optional: dict[str, Any] | None = None, kinds: tuple[str, ...] = ("probe", "other")) -> PolicySet:
    """A rule set from policy text (one file, or several by name) deciding requests of these kinds,
    each with the same fields."""
    files = {"policies/probe.vk": text} if isinstance(text, str) else text
    sources = {name: Source.of(name, body) for name, body in files.items()}
    schemas = {kind: schema(required or {}, optional, kind) for kind in kinds}
    return compile_sources(sources, schemas, use_cache=False)


def decide(policies: PolicySet, **fields: Any) -> dict[str, Any]:
    """The decisions for a request of kind `probe` with these fields."""
    return policies.evaluate({"kind": "probe", **fields}).decisions


def build_checked(text: str, required: dict[str, Any], optional: dict[str, Any] | None = None,
                  kind: str = "gen") -> tuple[Any, PolicySet]:
    """The checked rule set (for the reference interpreter) and the compiled one, from one policy text."""
    from evaluator.compile.compiler import CompileError, compile_rule_set, instantiate
    from evaluator.errors import PolicyError
    from evaluator.language.check import check
    from evaluator.language.diagnostics import Diagnostic
    from evaluator.language.parser import parse_module

    source = Source.of("policies/gen.vk", text)
    schemas = {kind: schema(required, optional, kind)}
    checked = check([parse_module(source)], schemas)
    errors = [d for d in checked.diagnostics if d.severity == "error"]
    if errors:
        raise PolicyError(errors, {source.name: source})
    try:
        plans, constants = compile_rule_set(checked, {source.name: source})
    except CompileError as error:
        raise PolicyError([Diagnostic(error.code, error.message, error.node.span, error.hint)],
                          {source.name: source}) from None
    kinds = {name: instantiate(plan, constants) for name, plan in plans.items()}
    return checked, PolicySet(kinds, schemas, {source.name: source}, [])
