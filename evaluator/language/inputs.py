"""The type of a request kind, read from its JSON schema, so policies are checked against it.

Every schema shape gets a type, and none raises: where a field may hold values of different kinds
(`anyOf [integer, string]`, `type: [integer, string]`, an enum of numbers and texts, no type at all) it
gets a `SchemaValueT`, which the checker lets a policy test for presence but not compare or compute
with, so the mistake is reported at the line that uses the field. A schema vilkar cannot validate
with (a remote `$ref`) is refused when the rule set loads, by the request validator.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from .types import (
    BOOL, DATE, DECIMAL, INT, NULL, STRING, TIMESTAMP, DurationT, EnumT, ListT, MoneyT, NullT, OptionalT, RecordT,
    Type,
    optional, unify,
)


@dataclass(frozen=True, slots=True)
class SchemaValueT(Type):
    """A request value the schema allows to be of several kinds (a whole number or a text, say)."""

    kinds: tuple[str, ...]

    def describe(self) -> str:
        return "a value the schema allows to be " + " or ".join(self.kinds)


ANY_VALUE = SchemaValueT(("any JSON value",))

_TYPE_WORDS = {"string": "a text", "integer": "a whole number", "number": "a number", "boolean": "a yes/no value",
               "null": "nothing", "array": "a list", "object": "an object"}
# Keywords that say what a value is; a subschema with none of them (`{"required": [...]}`) says nothing.
_DESCRIBING = ("type", "enum", "const", "$ref", "properties", "items", "anyOf", "oneOf", "allOf", "format",
               "x-vilkar-type")


# `x-vilkar-unit`: a request number counted in a unit is a duration, held in its scale's base unit.
UNITS = {"minutes": ("minutes", 1), "hours": ("minutes", 60), "days": ("days", 1), "weeks": ("days", 7),
         "months": ("months", 1), "years": ("months", 12)}


def unit_type(unit: Any) -> Type:
    """The type of a request number declared `x-vilkar-unit: <unit>`: a calendar duration."""
    if unit not in UNITS:
        return SchemaValueT((f"a number in {unit!r}, which is no unit vilkar knows ({', '.join(UNITS)})",))
    scale, per = UNITS[unit]
    return DurationT("calendar", scale, per)


def request_type(kind: str, schema: dict[str, Any]) -> RecordT:
    """The record type of a request document of this kind (no fields if the schema describes no object)."""
    result = _type_of(schema, schema, kind, frozenset())
    return result if isinstance(result, RecordT) else RecordT(kind, ())


def _resolve(node: Any, root: dict[str, Any], seen: frozenset[str]) -> tuple[dict[str, Any] | None, frozenset[str]]:
    """The node with its local `$ref`s merged in, or None where a reference leads nowhere or back to itself."""
    while isinstance(node, dict) and "$ref" in node:
        reference = node["$ref"]
        if not isinstance(reference, str) or not reference.startswith("#") or reference in seen:
            return None, seen
        seen = seen | {reference}
        target: Any = root
        for part in reference[2:].split("/") if reference != "#" else []:
            part = part.replace("~1", "/").replace("~0", "~")
            if not isinstance(target, dict) or part not in target:
                return None, seen
            target = target[part]
        if not isinstance(target, dict):
            return None, seen
        merged = dict(target)
        merged.update({k: v for k, v in node.items() if k != "$ref"})
        node = merged
    if node is True or node == {}:
        return {}, seen
    return (node, seen) if isinstance(node, dict) else (None, seen)


def _type_of(node: Any, root: dict[str, Any], name: str, seen: frozenset[str]) -> Type:
    node, seen = _resolve(node, root, seen)
    if node is None:
        return ANY_VALUE
    if "x-vilkar-unit" in node:
        return unit_type(node["x-vilkar-unit"])
    role = node.get("x-vilkar-type")
    if role == "money":
        currency, _ = _resolve((node.get("properties") or {}).get("currency", {}), root, seen)
        code = (currency or {}).get("const")
        return MoneyT(code if isinstance(code, str) else None)
    if role == "decimal":
        return DECIMAL
    for combinator in ("anyOf", "oneOf"):
        if isinstance(node.get(combinator), list) and node[combinator]:
            return _union([_type_of(option, root, name, seen) for option in node[combinator]])
    if isinstance(node.get("allOf"), list) and node["allOf"]:
        return _all_of(node, root, name, seen)
    if "const" in node:
        return _values_type([node["const"]])
    if isinstance(node.get("enum"), list):
        return _values_type(node["enum"])
    kind = node.get("type")
    if isinstance(kind, list):
        return _union([_type_of({**node, "type": k}, root, name, seen) for k in kind]) if kind else ANY_VALUE
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
    if kind == "array" or (kind is None and "items" in node):
        return ListT(_type_of(node.get("items", {}), root, name.rstrip("s"), seen))
    if kind == "object" or (kind is None and "properties" in node):
        required = set(node.get("required", ()))
        fields = []
        for field_name, field_schema in (node.get("properties") or {}).items():
            field_type = _type_of(field_schema, root, field_name, seen)
            fields.append((field_name, field_type if field_name in required else optional(field_type)))
        return RecordT(name, tuple(fields), role)
    if kind is None:
        return ANY_VALUE
    return SchemaValueT((_TYPE_WORDS.get(str(kind), f"a {kind}"),))


def _values_type(values: list[Any]) -> Type:
    """The type of a value fixed by `const` or `enum`."""
    present = [value for value in values if value is not None]
    if not present:
        return NULL
    if all(isinstance(value, str) for value in present):
        result: Type = EnumT(frozenset(present))
    elif all(isinstance(value, bool) for value in present):
        result = BOOL
    elif all(isinstance(value, int) and not isinstance(value, bool) for value in present):
        result = INT
    elif all(isinstance(value, (int, float, Decimal)) and not isinstance(value, bool) for value in present):
        result = DECIMAL
    else:
        result = SchemaValueT(tuple(sorted({_word(value) for value in present})))
    return optional(result) if len(present) < len(values) else result


def _all_of(node: dict[str, Any], root: dict[str, Any], name: str, seen: frozenset[str]) -> Type:
    """`allOf`: the one type its describing members agree on; objects merge their fields."""
    own = {key: value for key, value in node.items() if key != "allOf"}
    members = [own] + list(node["allOf"])
    types = []
    for member in members:
        resolved, _ = _resolve(member, root, seen)
        if resolved is not None and any(keyword in resolved for keyword in _DESCRIBING):
            types.append(_type_of(member, root, name, seen))
    if not types:
        return ANY_VALUE
    if all(isinstance(t, RecordT) for t in types):
        fields: dict[str, Type] = {}
        for record in types:
            for field_name, field_type in record.fields:  # type: ignore[attr-defined]
                if field_name in fields and isinstance(fields[field_name], OptionalT):
                    fields[field_name] = field_type  # required in any member: required
                else:
                    fields.setdefault(field_name, field_type)
        return RecordT(name, tuple(fields.items()), next((t.role for t in types if t.role), None))  # type: ignore
    if all(t == types[0] for t in types):
        return types[0]
    return SchemaValueT(tuple(dict.fromkeys(t.describe() for t in types)))


def _union(options: list[Type]) -> Type:
    """One type for the values of every option, or a SchemaValueT naming them where none holds them all."""
    result = options[0]
    for option in options[1:]:
        merged = unify(result, option) if not isinstance(result, SchemaValueT) else None
        if merged is None or isinstance(option, SchemaValueT):
            return SchemaValueT(tuple(dict.fromkeys(_describe(o) for o in options if not isinstance(o, NullT))))
        result = merged
    if isinstance(result, OptionalT) and result.inner == NULL:
        return NULL
    return result


def _describe(option: Type) -> str:
    text = option.describe()
    return text.removeprefix("a value the schema allows to be ")


def _word(value: Any) -> str:
    if isinstance(value, bool):
        return "a yes/no value"
    if isinstance(value, (int, float, Decimal)):
        return "a number"
    if isinstance(value, str):
        return "a text"
    return "a list" if isinstance(value, list) else "an object"
