"""YAML request documents read into plain JSON values, with the line and column of every value.

ruamel.yaml composes the node graph; the values are built here rather than by its constructor, so
that numbers keep the exact decimal they are written as (`0.1` is 0.1, `1e400` is not infinity), dates
and timestamps stay text for the schema to check, a key given twice is refused with both places, and
aliases cannot expand a small file into billions of values.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, Iterator

from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from .limits import MAX_DEPTH

# A document whose aliases add more than this many values to what is written is refused before it is
# built: a real request has a few dozen values, a "billion laughs" file has 10^9.
MAX_EXPANDED_VALUES = 100_000

_CORE = "tag:yaml.org,2002:"
# Quoted scalars and comments, whose brackets are text, not nesting (a quote starts a scalar only
# after a space or an indicator, so the apostrophe of "it's" is no quote).
_QUOTED = re.compile(r"""(?:(?<=[\s\[{,:?-])|^)(?:"(?:[^"\\]|\\.)*"|'(?:[^']|'')*')|(?:(?<=\s)|^)#[^\n]*""", re.M)
_BRACKETS = re.compile(r"[\[\]{}]")
_TRUE = {"true", "yes", "on", "y"}  # the last three only under a `%YAML 1.1` directive; 1.2 reads them as text


class YamlProblem(Exception):
    """What is wrong with a YAML document, at a JSON pointer and a 1-based line and column."""

    def __init__(self, message: str, pointer: str = "", line: int | None = None, col: int | None = None,
                 hint: str | None = None):
        super().__init__(message)
        self.message, self.pointer, self.line, self.col, self.hint = message, pointer, line, col, hint


@dataclass
class YamlDocument:
    """One document of a YAML stream: its values, and where each was written (pointer → line, col)."""

    data: Any
    positions: dict[str, tuple[int, int]] = field(default_factory=dict)


def read_stream(text: str) -> Iterator[YamlDocument | YamlProblem]:
    """Every document of a YAML stream, in order; a document that cannot be read is a YamlProblem.

    A syntax error ends the stream (nothing after it can be trusted); an empty document is skipped."""
    too_deep = _flow_too_deep(text)
    if too_deep is not None:
        yield YamlProblem(f"is nested more than {MAX_DEPTH} levels deep", "", *too_deep,
                          "a request has a few levels of objects and lists")
        return
    yaml = YAML(typ="safe", pure=True)  # the pure parser: the C one reads YAML 1.1, and positions the same
    nodes = yaml.compose_all(text)
    while True:
        try:
            node = next(nodes)
        except StopIteration:
            return
        except MarkedYAMLError as error:
            mark = error.problem_mark or error.context_mark
            yield YamlProblem(f"not valid YAML: {error.problem or error.context}", "",
                              *((mark.line + 1, mark.column + 1) if mark is not None else (None, None)))
            return
        except RecursionError:
            yield YamlProblem("not valid YAML here: it is nested too deeply to read (a request has a few levels)")
            return
        except YAMLError as error:
            yield YamlProblem(f"not valid YAML: {error}")
            return
        if node is None or _is_empty(node):
            continue
        try:
            yield build(node)
        except YamlProblem as problem:
            yield problem
        except RecursionError:
            yield YamlProblem("it is nested too deeply to read (a request has a few levels)")


def _flow_too_deep(text: str) -> tuple[int, int] | None:
    """Where `[` and `{` nest more than MAX_DEPTH deep, if they do: ruamel's scanner takes time quadratic in
    that depth (5,000 levels cost minutes), so such a text is refused before it is parsed."""
    if text.count("[") + text.count("{") <= MAX_DEPTH:
        return None
    stripped = _QUOTED.sub(lambda match: " " * len(match.group()), text)  # same length: offsets stay true
    depth = 0
    for match in _BRACKETS.finditer(stripped):
        if match.group() in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                offset = match.start()
                return text.count("\n", 0, offset) + 1, offset - (text.rfind("\n", 0, offset) + 1) + 1
        else:
            depth = max(0, depth - 1)
    return None


def build(root: Node) -> YamlDocument:
    """The plain values of a composed document, refusing alias bombs, cycles, duplicate keys and odd tags."""
    expanded, written = _expanded_size(root)
    if expanded - written > MAX_EXPANDED_VALUES:
        line, col = _where(root)
        raise YamlProblem(f"its aliases (*name) expand its {written:,} values to {expanded:,}, more than "
                          f"{MAX_EXPANDED_VALUES:,} beyond what is written", "", line, col,
                          "write the values out instead of repeating an anchor (&name) many times over")
    document = YamlDocument(None)
    document.positions[""] = _where(root)
    document.data = _Builder(document.positions).value(root, "")
    return document


class _Builder:
    def __init__(self, positions: dict[str, tuple[int, int]]):
        self.positions = positions

    def value(self, node: Node, pointer: str) -> Any:
        if isinstance(node, ScalarNode):
            return scalar(node, pointer)
        if isinstance(node, SequenceNode):
            _plain_tag(node, "seq", pointer)
            items = []
            for index, item in enumerate(node.value):
                here = f"{pointer}/{index}"
                self.positions[here] = _where(item)
                items.append(self.value(item, here))
            return items
        if isinstance(node, MappingNode):
            _plain_tag(node, "map", pointer)
            return self.mapping(node, pointer)
        raise YamlProblem("is not a YAML value vilkar reads", pointer, *_where(node))

    def mapping(self, node: MappingNode, pointer: str) -> dict[Any, Any]:
        result: dict[Any, Any] = {}
        first_at: dict[Any, tuple[int, int]] = {}
        merged: list[MappingNode] = []
        for key_node, value_node in node.value:
            if _tag(key_node) == _CORE + "merge":
                merged.extend(_merge_sources(value_node, pointer))
                continue
            key = self.key(key_node, pointer)
            here = f"{pointer}/{_escape(key)}"
            if key in first_at:
                line, col = _where(key_node)
                raise YamlProblem(f"is given twice in this object (first at line {first_at[key][0]})", here,
                                  line, col, "keep one of the two")
            first_at[key] = _where(key_node)
            self.positions[here] = _where(value_node) if isinstance(value_node, ScalarNode) else _where(key_node)
            result[key] = self.value(value_node, here)
        for source in merged:  # `<<: *defaults`: keys written in the mapping itself win, then earlier sources
            positions: dict[str, tuple[int, int]] = {}
            for key, item in _Builder(positions).mapping(source, pointer).items():
                if key not in result:
                    result[key] = item
                    here = f"{pointer}/{_escape(key)}"
                    self.positions.update((at, where) for at, where in positions.items()
                                          if at == here or at.startswith(here + "/"))
        return result

    def key(self, node: Node, pointer: str) -> Any:
        if not isinstance(node, ScalarNode):
            raise YamlProblem("a field name must be a text, not a list or an object", pointer, *_where(node))
        return scalar(node, pointer)


def scalar(node: ScalarNode, pointer: str) -> Any:
    """A scalar by its resolved tag; numbers as exact decimals of their text."""
    tag, text = _tag(node), node.value
    if tag == _CORE + "str" or tag == _CORE + "timestamp":
        return text
    if tag == _CORE + "null":
        return None
    if tag == _CORE + "bool":
        return text.lower() in _TRUE
    if tag == _CORE + "int":
        return _integer(text, node, pointer)
    if tag == _CORE + "float":
        return _decimal(text, node, pointer)
    raise YamlProblem(f"the tag {tag} is not one vilkar reads in a request", pointer, *_where(node),
                      "write the value without a tag; quote it to make it a text")


def _integer(text: str, node: Node, pointer: str) -> int | Decimal:
    digits = text.replace("_", "")
    sign, body = ("-", digits[1:]) if digits[:1] == "-" else ("", digits.lstrip("+"))
    try:
        for prefix, base in (("0x", 16), ("0o", 8), ("0b", 2)):
            if body.lower().startswith(prefix):
                return int(sign + body[2:], base)
        if len(body) > 4000:  # beyond what int() converts; exact, and the limits refuse its size later
            return Decimal(sign + body)
        return int(sign + body)
    except (ValueError, InvalidOperation):
        raise YamlProblem("is not a number vilkar can read", pointer, *_where(node)) from None


def _decimal(text: str, node: Node, pointer: str) -> Decimal:
    digits = text.replace("_", "")
    special = digits.lstrip("+-").lower()
    if special in (".inf", ".nan"):
        return Decimal(("-" if digits.startswith("-") else "") + ("Infinity" if special == ".inf" else "NaN"))
    try:
        return Decimal(digits)
    except InvalidOperation:
        raise YamlProblem("is not a number vilkar can read", pointer, *_where(node)) from None


def _merge_sources(node: Node, pointer: str) -> list[MappingNode]:
    sources = node.value if isinstance(node, SequenceNode) else [node]
    if not all(isinstance(source, MappingNode) for source in sources):
        raise YamlProblem("`<<` merges objects only", pointer, *_where(node))
    return list(sources)


def _expanded_size(root: Node) -> tuple[int, int]:
    """How many values the document holds once every alias is written out, and how many are written;
    a cycle is refused. Each node is visited once, so a bomb costs no more than its text."""
    sizes: dict[int, int] = {}
    open_nodes: set[int] = set()
    stack: list[tuple[Node, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        key = id(node)
        if children_done:
            open_nodes.discard(key)
            sizes[key] = 1 + sum(sizes[id(child)] for child in _children(node))
            continue
        if key in sizes:
            continue
        if key in open_nodes:
            raise YamlProblem("an alias (*name) refers to a value that contains it", "", *_where(node),
                              "a request cannot contain itself")
        open_nodes.add(key)
        stack.append((node, True))
        stack.extend((child, False) for child in _children(node) if id(child) not in sizes)
    return sizes[id(root)], len(sizes)


def _children(node: Node) -> list[Node]:
    if isinstance(node, SequenceNode):
        return list(node.value)
    if isinstance(node, MappingNode):
        return [part for pair in node.value for part in pair]
    return []


def _is_empty(node: Node) -> bool:
    return isinstance(node, ScalarNode) and _tag(node) == _CORE + "null" and node.value == "" \
        and not getattr(node, "anchor", None)


def _plain_tag(node: Node, expected: str, pointer: str) -> None:
    if _tag(node) != _CORE + expected:
        raise YamlProblem(f"the tag {_tag(node)} is not one vilkar reads in a request", pointer, *_where(node),
                          "write the list or object without a tag")


def _tag(node: Node) -> str:
    tag = node.tag
    return tag if isinstance(tag, str) else str(getattr(tag, "value", tag))


def _where(node: Node) -> tuple[int, int]:
    mark = node.start_mark
    return mark.line + 1, mark.column + 1


def _escape(key: Any) -> str:
    return str(key).replace("~", "~0").replace("/", "~1")
