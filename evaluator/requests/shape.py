"""What a kind's schema says about where numbers, locations and open values sit, and the schema the
compiled validator runs.

The compiled validator (jsonschema-rs) confirms a document as it is, without a copy. What it cannot
know is done here, only at the places the schema names: numbers are checked against vilkar's limits
and given the exact form the policies compute with (`12.0` is the whole number 12, a float is read
through its shortest decimal text), and values the schema leaves open are made plain JSON.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Iterator

from ..errors import RequestProblem
from .formats import DATE_PATTERN, TIMESTAMP_PATTERN, countries, time_zones
from .limits import LIMIT, LOW_LIMIT, MAX_ITEMS, SHORT_TEXT, number_problem, plain_number, text_problem
from .plain import Plain, escape, shown

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
_DECIMAL_TEXT = re.compile("[0-9]+(?:[.][0-9]+)?")
# Keywords whose subschemas constrain the same value (combinators) or parts of it (the rest).
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


# ---------------------------------------------------------------- checking documents at the sites


class SiteChecker:
    """Checks documents of one kind at its sites, as fast as the common case allows."""

    def __init__(self, sites: Sites):
        self.sites = sites
        self.named = sites.named_numbers
        self.other = sites.other_numbers
        self.simple = not self.other and not sites.open_values

    def check(self, document: Any) -> tuple[Any, list[RequestProblem]]:
        """The document with its numbers and open values in the policies' form, and what breaks the limits.

        Nothing is copied unless something changes, and then only the objects and lists on the way."""
        for path in self.named:  # the common case: whole numbers within the limits, nothing to change
            value = document
            try:
                for part in path:
                    value = value[part]
            except (KeyError, TypeError, IndexError):
                continue
            kind = type(value)
            if kind is int:
                if LOW_LIMIT < value < LIMIT:
                    continue
            elif kind is str:
                if len(value) <= SHORT_TEXT:
                    continue
            elif kind is Decimal and _final(value):
                continue
            return self.check_all(document)
        return self.check_all(document) if not self.simple else (document, [])

    def check_all(self, document: Any) -> tuple[Any, list[RequestProblem]]:
        problems: list[RequestProblem] = []
        changes: list[tuple[tuple[Any, ...], Any]] = []
        for path in self.named:
            for where, value in _values_at(document, path):
                _check_value(value, where, problems, changes)
        for path in self.other:
            for where, value in _values_at(document, path):
                _check_value(value, where, problems, changes)
        for path in self.sites.open_values:
            for where, value in _values_at(document, path):
                made = Plain(value)
                base = _pointer(where)
                problems.extend(RequestProblem(base + p.pointer, p.message, p.value, p.hint, has_value=p.has_value)
                                for p in made.problems + made.too_deep)
                if made.value is not value:
                    changes.append((where, made.value))
        if changes:
            document = _replaced(document, changes)
        return document, problems


def _final(value: Decimal) -> bool:
    """Whether a decimal is already as the policies read it: finite, not whole, within the limits."""
    return value.is_finite() and value != value.to_integral_value() and number_problem(value) is None


def _check_value(value: Any, where: tuple[Any, ...], problems: list[RequestProblem], changes: list) -> None:
    kind = type(value)
    if kind is int:
        if not LOW_LIMIT < value < LIMIT:
            problems.append(RequestProblem(_pointer(where), number_problem(value) or "", shown(value)))
    elif kind is str:
        if len(value) > SHORT_TEXT and _DECIMAL_TEXT.fullmatch(value):
            message = text_problem(value)
            if message:
                problems.append(RequestProblem(_pointer(where), message, shown(value)))
    elif kind is not bool and value is not None:
        _check_number(value, where, problems, changes)


def _check_number(value: Any, where: tuple[Any, ...], problems: list[RequestProblem], changes: list) -> None:
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            problems.append(RequestProblem(_pointer(where), "is not a finite number", shown(value)))
            return
        exact = Decimal(repr(value))
    elif isinstance(value, Decimal):
        if not value.is_finite():
            problems.append(RequestProblem(_pointer(where), "is not a finite number", shown(value)))
            return
        exact = value
    elif isinstance(value, int) and not isinstance(value, bool):
        exact = Decimal(int(value))
    else:
        return
    message = number_problem(exact)
    if message:
        problems.append(RequestProblem(_pointer(where), message, shown(value)))
        return
    plain = plain_number(exact)
    if plain is not value:
        changes.append((where, plain))


def _values_at(document: Any, path: Path) -> Iterator[tuple[tuple[Any, ...], Any]]:
    """(concrete path, value) of every value at a site path that the document has."""
    if ITEM not in path and FIELD not in path:  # the usual case: named fields only
        value = document
        for part in path:
            if not isinstance(value, dict) or part not in value:
                return
            value = value[part]
        yield path, value
        return
    stack: list[tuple[tuple[Any, ...], Any, int]] = [((), document, 0)]
    while stack:
        where, value, depth = stack.pop()
        if depth == len(path):
            yield where, value
            continue
        part = path[depth]
        if part is ITEM:
            if isinstance(value, list):
                stack.extend((where + (index,), item, depth + 1) for index, item in enumerate(value))
        elif part is FIELD:
            if isinstance(value, dict):
                stack.extend((where + (key,), item, depth + 1) for key, item in value.items())
        elif isinstance(part, str):
            if isinstance(value, dict) and part in value:
                stack.append((where + (part,), value[part], depth + 1))
        elif isinstance(value, list) and part < len(value):
            stack.append((where + (part,), value[part], depth + 1))


def _replaced(document: Any, changes: list[tuple[tuple[Any, ...], Any]]) -> Any:
    """A copy of the document with the changes made, sharing everything the changes do not touch."""
    copies: dict[int, Any] = {}

    def copy_of(value: Any) -> Any:
        if id(value) not in copies:
            duplicate = dict(value) if isinstance(value, dict) else list(value)
            copies[id(value)] = copies[id(duplicate)] = duplicate
        return copies[id(value)]

    root = copy_of(document)
    for where, new in changes:
        node = root
        for part in where[:-1]:
            node[part] = copy_of(node[part])
            node = node[part]
        node[where[-1]] = new
    return root


def _pointer(where: tuple[Any, ...]) -> str:
    return "".join("/" + escape(str(part)) for part in where)


# ---------------------------------------------------------------- the compiled validator's schema


def fast_schema(schema: dict[str, Any]) -> dict[str, Any]:
    """The schema for jsonschema-rs: formats become patterns, and the limits on lists and objects are added.

    With formats as patterns the compiled validator never calls back into Python; the patterns are the
    same expressions the report's format checker uses, so both validators agree."""
    return _fast_node(schema, schema)


def _fast_node(node: Any, root: dict[str, Any]) -> Any:
    if isinstance(node, list):
        return [_fast_node(item, root) for item in node]
    if not isinstance(node, dict):
        return node
    result = {key: (_fast_node(value, root) if key not in ("enum", "const", "default", "examples") else value)
              for key, value in node.items() if key != "format"}
    pattern = _format_pattern(node.get("format"))
    if pattern is not None:
        result["allOf"] = list(result.get("allOf", [])) + [{"pattern": pattern}]
    elif "format" in node:
        result["format"] = node["format"]  # not ours: both validators ignore it alike
    if "items" in node or "prefixItems" in node or _declares(node, "array"):
        result["maxItems"] = min(node.get("maxItems", MAX_ITEMS), MAX_ITEMS)
    if "properties" in node or "additionalProperties" in node or _declares(node, "object"):
        result["maxProperties"] = min(node.get("maxProperties", MAX_ITEMS), MAX_ITEMS)
    return result


def _declares(node: dict[str, Any], name: str) -> bool:
    declared = node.get("type")
    return declared == name or (isinstance(declared, list) and name in declared)


def _format_pattern(name: Any) -> str | None:
    if name == "date":
        return DATE_PATTERN
    if name == "date-time":
        return TIMESTAMP_PATTERN
    if name == "holidays-country":
        return _one_of(countries())
    if name == "iana-time-zone":
        return _one_of(time_zones())
    return None


def _one_of(names: Any) -> str:
    """An anchored alternation of literal names, written so that Rust's and Python's engines read it alike."""
    def literal(name: str) -> str:
        return "".join(c if c.isalnum() and c.isascii() or c in "/_-" else f"[{c}]" for c in name)
    return "^(?:" + "|".join(literal(name) for name in sorted(names)) + ")$"
