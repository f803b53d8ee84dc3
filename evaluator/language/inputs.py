"""The type of a request kind, read from its JSON schema, so policies are checked against it."""
from __future__ import annotations

from typing import Any

from .types import (
    BOOL, DATE, DECIMAL, INT, NULL, STRING, TIMESTAMP, EnumT, ListT, MoneyT, OptionalT, RecordT, Type,
    optional, unify,
)


def request_type(kind: str, schema: dict[str, Any]) -> RecordT:
    """The record type of a request document of this kind."""
    result = _type_of(schema, schema, kind)
    assert isinstance(result, RecordT), f"the schema of {kind} does not describe an object"
    return result


def _resolve(node: dict[str, Any], root: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        reference = node["$ref"]
        if not reference.startswith("#/"):
            raise ValueError(f"only local references are supported, not {reference}")
        target: Any = root
        for part in reference[2:].split("/"):
            target = target[part]
        merged = dict(target)
        merged.update({k: v for k, v in node.items() if k != "$ref"})
        node = merged
    return node


def _type_of(node: dict[str, Any], root: dict[str, Any], name: str) -> Type:
    node = _resolve(node, root)
    role = node.get("x-vilkar-type")
    if role == "money":
        currency = _resolve(node["properties"]["currency"], root)
        return MoneyT(currency.get("const"))
    if role == "decimal":
        return DECIMAL
    for combinator in ("anyOf", "oneOf"):
        if combinator in node:
            return _union([_type_of(option, root, name) for option in node[combinator]])
    if "const" in node:
        return EnumT(frozenset([node["const"]])) if isinstance(node["const"], str) else STRING
    if "enum" in node:
        return EnumT(frozenset(v for v in node["enum"] if isinstance(v, str)))
    kind = node.get("type")
    if isinstance(kind, list):
        return _union([_type_of({**node, "type": k}, root, name) for k in kind])
    if kind == "string":
        return {"date": DATE, "date-time": TIMESTAMP}.get(node.get("format", ""), STRING)
    if kind == "integer":
        return INT
    if kind == "number":
        return DECIMAL
    if kind == "boolean":
        return BOOL
    if kind == "null":
        return NULL
    if kind == "array":
        return ListT(_type_of(node.get("items", {}), root, name.rstrip("s")))
    if kind == "object":
        required = set(node.get("required", ()))
        fields = []
        for field_name, field_schema in node.get("properties", {}).items():
            field_type = _type_of(field_schema, root, field_name)
            fields.append((field_name, field_type if field_name in required else optional(field_type)))
        return RecordT(name, tuple(fields), role)
    return STRING


def _union(options: list[Type]) -> Type:
    result = options[0]
    for option in options[1:]:
        merged = unify(result, option)
        if merged is None:
            raise ValueError(f"cannot type a schema union of {result.describe()} and {option.describe()}")
        result = merged
    if isinstance(result, OptionalT) and result.inner == NULL:
        return NULL
    return result
