"""The fields a decision reads and the values worth trying in each, for counterfactuals.

The values come from the kind's JSON schema (the other values of an enum, the other boolean, an
offering added to or taken from a list) and from the compiled rules (the texts and set members a field
is compared with, the word a description must contain). Numbers, money, dates and timestamps have no
list of values: `Field.steps` says how they move, and the search (counterfactuals.py) finds where the
decision turns.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from ..compile.plan import CompiledKind
from ..compile.runtime import contains_word, product_name

Pointer = tuple[Any, ...]  # request path, list indexes included


@dataclass
class Field:
    """One leaf of a request the decision reads: where it is, its value, and how it may change."""

    path: Pointer
    value: Any
    what: str  # enum | boolean | text | list | integer | number | money | date | timestamp
    choices: list[Any] = field(default_factory=list)  # whole values to try (enum, boolean, text, list)
    minimum: Any = None
    maximum: Any = None
    exclusive_minimum: bool = False
    order: int = 0  # position in the document, for a stable order of equal changes

    @property
    def pointer(self) -> str:
        return "/" + "/".join(str(part) for part in self.path)


def fields_read(compiled: CompiledKind, schema: dict[str, Any], document: dict[str, Any],
                paths: list[tuple[str, ...]]) -> list[Field]:
    """The leaves under the request paths a decision reads, with their candidate values."""
    texts = _compared_texts(compiled)
    found: list[Field] = []
    seen: set[Pointer] = set()
    for path in paths:
        node, value = _node(schema, schema, path), _at(document, path)
        if node is None:
            continue
        for leaf in _leaves(node, schema, path, value):
            if leaf.path in seen:
                continue
            seen.add(leaf.path)
            _choices(leaf, texts.get(tuple(p for p in leaf.path if isinstance(p, str)), ()))
            leaf.order = len(found)
            found.append(leaf)
    return found


def _leaves(node: dict[str, Any], root: dict[str, Any], path: Pointer, value: Any) -> list[Field]:
    node = _resolved(node, root)
    alternatives = node.get("anyOf") or node.get("oneOf")
    if alternatives:
        typed = [_resolved(a, root) for a in alternatives]
        preferred = [a for a in typed if _matches(a, value)] or typed
        return _leaves(preferred[0], root, path, value)
    kind = node.get("type")
    if "enum" in node:
        return [Field(path, value, "enum", [v for v in node["enum"] if v != value])]
    if kind == "object" and "properties" in node:
        if not isinstance(value, dict):
            return []
        if set(node["properties"]) == {"amount", "currency"} or _is_money(node):
            return [Field(path + ("amount",), value.get("amount"), "money", minimum=_money_minimum(node, root))]
        leaves = []
        for name, sub in node["properties"].items():
            if name in value:
                leaves.extend(_leaves(sub, root, path + (name,), value[name]))
            elif name not in node.get("required", ()):
                leaves.extend(_absent(sub, root, path + (name,)))
        return leaves
    if kind == "array":
        items = _resolved(node.get("items", {}), root)
        if "enum" in items and isinstance(value, list):
            return [Field(path, value, "list", _list_choices(value, items["enum"]))]
        if isinstance(value, list):
            leaves = []
            for index, item in enumerate(value):
                leaves.extend(_leaves(items, root, path + (index,), item))
            return leaves
        return []
    if kind == "boolean":
        return [Field(path, value, "boolean", [not value] if isinstance(value, bool) else [True, False])]
    if kind in ("integer", "number"):
        return [Field(path, value, "integer" if kind == "integer" else "number", minimum=node.get("minimum",
                      node.get("exclusiveMinimum")), maximum=node.get("maximum", node.get("exclusiveMaximum")),
                      exclusive_minimum="exclusiveMinimum" in node)]
    if kind == "string":
        formatted = node.get("format")
        if formatted == "date":
            return [Field(path, value, "date")]
        if formatted == "date-time":
            return [Field(path, value, "timestamp")]
        if node.get("pattern") or node.get("maxLength", 100) < 8:
            return [Field(path, value, "code")]  # a language or country code: only the texts compared with it
        return [Field(path, value, "text")]
    return []


def _absent(node: dict[str, Any], root: dict[str, Any], path: Pointer) -> list[Field]:
    """An optional field left out: a boolean or an enum may be given."""
    node = _resolved(node, root)
    if node.get("type") == "boolean":
        return [Field(path, None, "boolean", [True, False])]
    if "enum" in node:
        return [Field(path, None, "enum", list(node["enum"]))]
    return []


def _choices(leaf: Field, texts: tuple[tuple[str, ...], ...]) -> None:
    """The texts a text or code field is compared with (a set's members, a literal, a word to contain)."""
    if leaf.what not in ("text", "code"):
        return
    current = product_name(leaf.value) if isinstance(leaf.value, str) else None
    words = [text for kind, text in texts if kind == "word"]
    others = [text for kind, text in texts if kind != "word"]
    choices: list[Any] = []
    for text in others:
        if product_name(text) != current and text not in choices:
            choices.append(text)
    if others and leaf.what == "text" and any(product_name(text) == current for text in others):
        choices.append(f"another {leaf.path[-1]}".replace("_", " "))  # a value on none of the lists
    for word in words:
        if isinstance(leaf.value, str):
            if contains_word(leaf.value, word):
                choices.append(re.sub(r"(?<!\w)" + re.escape(word) + r"(?!\w)", "", leaf.value, flags=re.I).strip()
                               or "-")
            else:
                choices.append(f"{leaf.value} {word}".strip())
    leaf.choices = choices


def _compared_texts(compiled: CompiledKind) -> dict[tuple[str, ...], tuple[tuple[str, str], ...]]:
    """Per request path, the texts its rules compare it with: ("text", t) and words to contain ("word", w)."""
    found: dict[tuple[str, ...], list[tuple[str, str]]] = {}
    for info in compiled.definitions:
        for rule in info.rules.values():
            words = rule.words
            if words is None:
                continue
            for test in words.tests:
                subject = test.subject
                if subject is None or subject.what != "request":
                    continue
                kind = "word" if "contains the word" in "".join(p for p in test.phrase if isinstance(p, str)) \
                    else "text"
                for target in test.targets:
                    if isinstance(target, str):
                        entry = (kind, target)
                        bucket = found.setdefault(tuple(subject.key), [])
                        if entry not in bucket:
                            bucket.append(entry)
    return {path: tuple(entries) for path, entries in found.items()}


def _list_choices(value: list, values: list) -> list[list]:
    """A list of enum values with one taken out, or one more added."""
    return [[item for item in value if item != gone] for gone in value] + \
        [value + [added] for added in values if added not in value]


def _node(schema: dict[str, Any], root: dict[str, Any], path: tuple[str, ...]) -> dict[str, Any] | None:
    node: Any = schema
    for part in path:
        node = _resolved(node, root)
        alternatives = node.get("anyOf") or node.get("oneOf")
        if alternatives:
            node = next((_resolved(a, root) for a in alternatives if "properties" in _resolved(a, root)), node)
        properties = node.get("properties") if isinstance(node, dict) else None
        if not properties or part not in properties:
            return None
        node = properties[part]
    return node


def _resolved(node: Any, root: dict[str, Any]) -> dict[str, Any]:
    seen = 0
    while isinstance(node, dict) and "$ref" in node and node["$ref"].startswith("#/") and seen < 20:
        target: Any = root
        for part in node["$ref"][2:].split("/"):
            target = target.get(part, {}) if isinstance(target, dict) else {}
        merged = dict(target)
        merged.update({k: v for k, v in node.items() if k != "$ref"})
        node, seen = merged, seen + 1
    return node if isinstance(node, dict) else {}


def _matches(node: dict[str, Any], value: Any) -> bool:
    kind = node.get("type")
    if value is None:
        return kind == "null"
    return {"string": isinstance(value, str), "boolean": isinstance(value, bool),
            "integer": isinstance(value, int) and not isinstance(value, bool),
            "number": isinstance(value, (int, Decimal)) and not isinstance(value, bool),
            "object": isinstance(value, dict), "array": isinstance(value, list)}.get(kind, False)


def _is_money(node: dict[str, Any]) -> bool:
    properties = node.get("properties", {})
    return "amount" in properties and "currency" in properties


def _money_minimum(node: dict[str, Any], root: dict[str, Any]) -> Decimal:
    amount = _resolved(node.get("properties", {}).get("amount", {}), root)
    for alternative in amount.get("anyOf", [amount]):
        alternative = _resolved(alternative, root)
        if "exclusiveMinimum" in alternative:
            return Decimal(str(alternative["exclusiveMinimum"])) + Decimal("0.01")
    return Decimal(0)


def _at(document: Any, path: tuple[str, ...]) -> Any:
    value = document
    for part in path:
        value = value.get(part) if isinstance(value, dict) else None
    return value


# -- moving a value
def moved(leaf: Field, steps: int) -> Any:
    """The field's value moved by a number of steps (a day, a minute, a cent, one), or None where it cannot."""
    value = leaf.value
    try:
        if leaf.what == "date":
            day = dt.date.fromisoformat(value) + dt.timedelta(days=steps)
            return day.isoformat() if dt.date(1970, 1, 1) <= day <= dt.date(2099, 12, 31) else None
        if leaf.what == "timestamp":
            moment = dt.datetime.fromisoformat(value) + dt.timedelta(minutes=steps)
            if not 1970 <= moment.year <= 2099:
                return None
            return moment.isoformat(timespec="seconds")
        if leaf.what in ("integer", "number", "money"):
            number = Decimal(str(value)) if not isinstance(value, Decimal) else value
            unit = Decimal("0.01") if leaf.what == "money" or (leaf.what == "number" and number
                                                                != number.to_integral_value()) else Decimal(1)
            result = number + unit * steps
            low = Decimal(str(leaf.minimum)) if leaf.minimum is not None else None
            if low is not None and (result < low or leaf.exclusive_minimum and result == low):
                return None
            if leaf.maximum is not None and result > Decimal(str(leaf.maximum)) or leaf.what == "money" and result < 0:
                return None
            return int(result) if result == result.to_integral_value() else result  # as a plain document holds it
    except (ValueError, TypeError, OverflowError, ArithmeticError):
        return None
    return None


SEARCHED_YEARS = 3  # a date or moment moved further than this is not a change a person would name


def step_limit(leaf: Field) -> int:
    """How far the search may move a value: a few years for dates and moments, else many units."""
    if leaf.what == "date":
        return SEARCHED_YEARS * 366
    if leaf.what == "timestamp":
        return SEARCHED_YEARS * 366 * 24 * 60
    return 10 ** 12
