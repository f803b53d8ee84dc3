"""What a kind's schema says: the JSON types a node admits, and where in its documents numbers, open
values, timestamps and locations sit (the checks after the compiled validator look only there)."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from .plain import escape

class _Step:
    """A path step that stands for many: every item of a list, or every value of an object."""

    def __init__(self, name: str):
        self.name = name

    def __repr__(self) -> str:
        return self.name


ITEM = _Step("*item")
FIELD = _Step("*field")
Path = tuple[Any, ...]  # field names, list indexes, ITEM and FIELD

_TYPES = {"null", "boolean", "integer", "number", "string", "array", "object"}
# Keywords whose subschemas constrain the value itself rather than a part of it.
_SAME_VALUE = ("anyOf", "oneOf", "allOf", "then", "else", "if", "not")


class SchemaProblem(Exception):
    """A schema vilkar cannot use as it is: what is wrong and where in it (a JSON pointer)."""

    def __init__(self, message: str, pointer: str = ""):
        super().__init__(message)
        self.message, self.pointer = message, pointer


@dataclass(frozen=True)
class Sites:
    """Where, in documents of one kind, a value needs more than the compiled validator's word."""

    numbers: tuple[Path, ...]       # values that may be numbers (or number-or-decimal-text)
    open_values: tuple[Path, ...]   # values the schema leaves unconstrained
    timestamps: tuple[Path, ...]
    locations: tuple[Path, ...]

    @property
    def named_numbers(self) -> tuple[Path, ...]:
        """The number sites reached through field names only (most of them)."""
        return tuple(path for path in self.numbers if _named(path))

    @property
    def other_numbers(self) -> tuple[Path, ...]:
        return tuple(path for path in self.numbers if not _named(path))


def _named(path: Path) -> bool:
    return all(isinstance(part, str) for part in path)


def resolve(node: Any, root: dict[str, Any], pointer: str = "") -> dict[str, Any]:
    """A schema node with its local `$ref`s merged in (the node's own keywords win); raises SchemaProblem."""
    seen: set[str] = set()
    while isinstance(node, dict) and "$ref" in node:
        reference = node["$ref"]
        if not isinstance(reference, str) or not reference.startswith("#"):
            raise SchemaProblem(f"only references inside the schema (\"#/...\") are supported, not {reference!r}",
                                pointer)
        if reference in seen:
            raise SchemaProblem(f"the reference {reference} refers to itself", pointer)
        seen.add(reference)
        target: Any = root
        for part in reference[2:].split("/") if reference != "#" else []:
            part = part.replace("~1", "/").replace("~0", "~")
            if not isinstance(target, dict) or part not in target:
                raise SchemaProblem(f"the reference {reference} points at nothing in the schema", pointer)
            target = target[part]
        node = {**target, **{key: value for key, value in node.items() if key != "$ref"}} \
            if isinstance(target, dict) else target
    if isinstance(node, bool):
        return {} if node else {"not": {}}
    if not isinstance(node, dict):
        raise SchemaProblem("a schema must be an object or true/false", pointer)
    return node


def admitted_types(node: dict[str, Any], root: dict[str, Any], pointer: str = "") -> set[str]:
    """The JSON types a value of this node may have (`integer` is implied by `number`)."""
    admitted = set(_TYPES)
    declared = node.get("type")
    if declared is not None:
        names = declared if isinstance(declared, list) else [declared]
        unknown = [name for name in names if name not in _TYPES]
        if unknown:
            raise SchemaProblem(f"{unknown[0]!r} is not a JSON Schema type", pointer)
        admitted = set(names) | ({"integer"} if "number" in names else set())
    for keyword in ("enum", "const"):
        if keyword in node:
            values = node["enum"] if keyword == "enum" else [node["const"]]
            if not isinstance(values, list):
                raise SchemaProblem("`enum` must be a list", pointer)
            admitted &= set().union(*(_json_types(value) for value in values)) if values else set()
    for keyword in ("anyOf", "oneOf"):
        if keyword in node:
            branches = _branches(node, keyword, pointer)
            admitted &= set().union(*(admitted_types(resolve(branch, root, f"{pointer}/{keyword}/{index}"), root,
                                                     f"{pointer}/{keyword}/{index}")
                                      for index, branch in enumerate(branches)))
    for index, branch in enumerate(_branches(node, "allOf", pointer) if "allOf" in node else []):
        admitted &= admitted_types(resolve(branch, root, f"{pointer}/allOf/{index}"), root, f"{pointer}/allOf/{index}")
    return admitted


def sites_of(schema: dict[str, Any]) -> Sites:
    """Every place of a kind's documents that the checks after the compiled validator look at."""
    found: dict[str, list[Path]] = {"numbers": [], "open": [], "timestamps": [], "locations": []}
    _walk(schema, schema, (), "", found, frozenset())
    return Sites(*(tuple(dict.fromkeys(found[name])) for name in ("numbers", "open", "timestamps", "locations")))


def _walk(node: Any, root: dict[str, Any], path: Path, pointer: str, found: dict[str, list[Path]],
          refs: frozenset[str]) -> None:
    reference = node.get("$ref") if isinstance(node, dict) else None
    if reference in refs:  # a recursive schema: whatever lies below is checked as an open value
        found["open"].append(path)
        return
    node = resolve(node, root, pointer)
    refs = refs | {reference} if reference else refs
    admitted = admitted_types(node, root, pointer)
    if admitted & {"integer", "number"}:
        found["numbers"].append(path)
    if node.get("format") == "date-time":
        found["timestamps"].append(path)
    if node.get("x-vilkar-type") == "location":
        found["locations"].append(path)
    for keyword in _SAME_VALUE:
        for index, branch in enumerate(_branches(node, keyword, pointer) if keyword in node else []):
            if keyword != "not":
                _walk(branch, root, path, f"{pointer}/{keyword}/{index}", found, refs)
    if "object" in admitted:
        for name, child in (node.get("properties") or {}).items():
            _walk(child, root, path + (name,), f"{pointer}/properties/{escape(name)}", found, refs)
        extra = node.get("additionalProperties", True)
        for index, child in enumerate((node.get("patternProperties") or {}).values()):
            _walk(child, root, path + (FIELD,), f"{pointer}/patternProperties/{index}", found, refs)
        if extra is True or (extra == {} and isinstance(extra, dict)):
            if not _constrains_object(node):
                found["open"].append(path + (FIELD,))
        elif isinstance(extra, dict):
            _walk(extra, root, path + (FIELD,), f"{pointer}/additionalProperties", found, refs)
    if "array" in admitted:
        items = node.get("items")
        for index, child in enumerate(node.get("prefixItems") or []):
            _walk(child, root, path + (index,), f"{pointer}/prefixItems/{index}", found, refs)
        if isinstance(items, dict) and items:
            _walk(items, root, path + (ITEM,), f"{pointer}/items", found, refs)
        elif items is None or items is True or items == {}:
            found["open"].append(path + (ITEM,))


def _constrains_object(node: dict[str, Any]) -> bool:
    """Whether unknown fields of an object are constrained elsewhere (combinators decide them)."""
    return any(keyword in node for keyword in ("anyOf", "oneOf", "allOf", "unevaluatedProperties"))


def _branches(node: dict[str, Any], keyword: str, pointer: str) -> list[Any]:
    value = node[keyword]
    if keyword in ("if", "then", "else", "not"):
        return [value]
    if not isinstance(value, list) or not value:
        raise SchemaProblem(f"`{keyword}` must be a non-empty list of schemas", pointer)
    return value


def _json_types(value: Any) -> set[str]:
    if value is None:
        return {"null"}
    if isinstance(value, bool):
        return {"boolean"}
    if isinstance(value, int):
        return {"integer", "number"}
    if isinstance(value, (float, Decimal)):
        return {"number"} | ({"integer"} if value == int(value) else set())
    if isinstance(value, str):
        return {"string"}
    return {"array"} if isinstance(value, list) else {"object"}
