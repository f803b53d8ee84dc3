"""JSON request documents: exact decimals, no duplicate keys, and every odd input a problem with a place.

One decoder is built once and shared (building one per call cost about half a decode). A key given
twice is refused as YAML refuses it, rather than silently keeping the last value; `NaN`, a number too
long for Python's int conversion, nesting too deep to decode and lone surrogates (`"\\ud800"`) each come
back as a problem, never as an exception of the decoder.
"""
from __future__ import annotations

import json
import re
from decimal import Decimal
from typing import Any

_SPACE = " \t\n\r"
_LONE_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]", re.ASCII)  # any surrogate, high (D8-DB) or low (DC-DF)


class JsonProblem(Exception):
    """What is wrong with a JSON document: a message, a JSON pointer, and where in the text."""

    def __init__(self, message: str, pointer: str = "", line: int | None = None, col: int | None = None,
                 hint: str | None = None):
        super().__init__(message)
        self.message, self.pointer, self.line, self.col, self.hint = message, pointer, line, col, hint


class _DuplicateKey(Exception):
    pass


def _unique(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) != len(pairs):
        raise _DuplicateKey
    return result


class _Marked(dict):
    """An object of the second, slow reading that had a key twice: `twice` names it."""

    twice: str = ""


def _marking(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) == len(pairs):
        return result
    marked = _Marked(result)
    seen: set[str] = set()
    marked.twice = next(key for key, _ in pairs if key in seen or seen.add(key))
    return marked


def _constant(name: str) -> Decimal:
    return Decimal({"NaN": "NaN", "Infinity": "Infinity", "-Infinity": "-Infinity"}[name])


def _long_int(text: str) -> int | Decimal:
    return Decimal(text) if len(text) > 4000 else int(text)


_DECODER = json.JSONDecoder(parse_float=Decimal, parse_constant=_constant, object_pairs_hook=_unique)
_CAREFUL = json.JSONDecoder(parse_float=Decimal, parse_constant=_constant, object_pairs_hook=_marking,
                            parse_int=_long_int)


def parse_json(text: str) -> Any:
    """The value of a JSON text; raises JsonProblem."""
    start = len(text) - len(text.lstrip(_SPACE))
    try:
        try:
            value, end = _DECODER.raw_decode(text, start)
        except json.JSONDecodeError:
            raise
        except (_DuplicateKey, ValueError):  # a key twice, or an integer of more than 4,300 digits
            value, end = _careful(text, start)
    except json.JSONDecodeError as error:
        raise JsonProblem(f"not valid JSON: {error.msg}", "", error.lineno, error.colno) from None
    except RecursionError:
        raise JsonProblem("it is nested too deeply to read (a request has a few levels)") from None
    if end != len(text) and text[end:].strip(_SPACE):
        line, col = _line_col(text, end)
        raise JsonProblem("not valid JSON: there is more after the value", "", line, col,
                          "one file holds one request; use `vilkar eval --batch` for JSON Lines")
    if "\\u" in text and _LONE_SURROGATE_ESCAPE.search(text):
        _refuse_lone_surrogates(value)
    return value


def _careful(text: str, start: int) -> tuple[Any, int]:
    value, end = _CAREFUL.raw_decode(text, start)
    twice = _find_marked(value)
    if twice is not None:
        pointer, key = twice
        raise JsonProblem("is given twice in this object", f"{pointer}/{_escape(key)}",
                          hint="keep one of the two: JSON readers disagree on which one counts")
    return value, end


def _find_marked(root: Any) -> tuple[str, str] | None:
    stack: list[tuple[str, Any]] = [("", root)]
    while stack:
        pointer, value = stack.pop()
        if isinstance(value, _Marked):
            return pointer, value.twice
        if isinstance(value, dict):
            stack.extend((f"{pointer}/{_escape(key)}", item) for key, item in value.items())
        elif isinstance(value, list):
            stack.extend((f"{pointer}/{index}", item) for index, item in enumerate(value))
    return None


def _refuse_lone_surrogates(root: Any) -> None:
    """A `\\ud800` escape that pairs with no other is not Unicode text: say where, as for any bad value."""
    stack: list[tuple[str, Any]] = [("", root)]
    while stack:
        pointer, value = stack.pop()
        if isinstance(value, str):
            if _has_lone_surrogate(value):
                raise JsonProblem("is not Unicode text: it holds a lone surrogate escape (\\uD800–\\uDFFF)",
                                  pointer, hint="write the character itself, or its surrogate pair")
        elif isinstance(value, dict):
            for key, item in value.items():
                here = f"{pointer}/{_escape(key)}"
                if _has_lone_surrogate(key):
                    raise JsonProblem("this field name is not Unicode text: it holds a lone surrogate escape",
                                      here.encode("utf-8", "backslashreplace").decode("utf-8"))
                stack.append((here, item))
        elif isinstance(value, list):
            stack.extend((f"{pointer}/{index}", item) for index, item in enumerate(value))


def _has_lone_surrogate(text: str) -> bool:
    if text.isascii():
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _line_col(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def _escape(key: str) -> str:
    return key.replace("~", "~0").replace("/", "~1")
