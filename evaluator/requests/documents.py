"""Reading request documents from YAML and JSON files, keeping where each value was written."""
from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.constructor import RoundTripConstructor
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from ..errors import RequestProblem


class _Constructor(RoundTripConstructor):
    """Round-trip YAML, except that dates and timestamps stay text: the schema checks them, offsets intact."""


_Constructor.add_constructor("tag:yaml.org,2002:timestamp", _Constructor.construct_yaml_str)


class DocumentError(Exception):
    """A file that is not readable YAML or JSON; the message says where."""


@dataclass
class Document:
    """A request document and, for YAML, the positions of its values."""

    name: str
    data: Any
    yaml: bool

    def locate(self, problem: RequestProblem) -> RequestProblem:
        """Add the YAML line:col of the value a problem points at (1-based)."""
        if not self.yaml:
            return problem
        position = _position(self.data, problem.pointer)
        if position is not None:
            problem.line, problem.col = position
        return problem


def read_document(name: str, text: str) -> Document:
    """Parse a request file: JSON if it is named .json (or looks like JSON on stdin), else YAML."""
    looks_json = name.endswith(".json") or (name == "-" and text.lstrip().startswith(("{", "[")))
    if looks_json:
        try:
            return Document(name, json.loads(text, parse_float=Decimal), False)
        except json.JSONDecodeError as error:
            raise DocumentError(f"{name}:{error.lineno}:{error.colno}: not valid JSON: {error.msg}") from None
    yaml = YAML(typ="rt")
    yaml.Constructor = _Constructor
    try:
        return Document(name, yaml.load(text), True)
    except MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        where = f"{name}:{mark.line + 1}:{mark.column + 1}" if mark is not None else name
        raise DocumentError(f"{where}: not valid YAML: {error.problem or error.context}") from None
    except YAMLError as error:
        raise DocumentError(f"{name}: not valid YAML: {error}") from None


def _position(data: Any, pointer: str) -> tuple[int, int] | None:
    parts = [p.replace("~1", "/").replace("~0", "~") for p in pointer.split("/")[1:]]
    node, position = data, _own_position(data)
    for part in parts:
        if isinstance(node, CommentedMap):
            if part not in node:
                return position  # a missing field: point at the object that lacks it
            line, col = node.lc.value(part) if _is_scalar(node[part]) else node.lc.key(part)
            position, node = (line + 1, col + 1), node[part]
        elif isinstance(node, CommentedSeq) and part.isdigit() and int(part) < len(node):
            line, col = node.lc.item(int(part))
            position, node = (line + 1, col + 1), node[int(part)]
        else:
            return position
    return position


def _own_position(node: Any) -> tuple[int, int] | None:
    if isinstance(node, (CommentedMap, CommentedSeq)):
        return node.lc.line + 1, node.lc.col + 1
    return None


def _is_scalar(value: Any) -> bool:
    return not isinstance(value, (CommentedMap, CommentedSeq))
