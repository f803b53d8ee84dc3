"""Any Python value made a plain JSON value — iteratively and within bounds — and values shown briefly.

Only documents the compiled validator cannot confirm as they are come here: a Mapping that is not a
dict, a tuple, a date object, a float, a value JSON cannot hold, or an invalid document whose report
needs plain values. Nothing here recurses, so a document nested 100,000 deep is a problem, not a crash.
"""
from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from ..errors import RequestProblem
from .limits import MAX_DEPTH, MAX_ITEMS, MAX_VALUES, number_problem, plain_number

_SCALARS = (str, bool, int, type(None))


class Plain:
    """A request document as plain JSON values: what was wrong with it, and where it was cut short."""

    def __init__(self, document: Any):
        self.problems: list[RequestProblem] = []
        self.too_deep: list[RequestProblem] = []  # reported only when nothing else is wrong
        self.values = 0
        self.value = self._convert(document)

    def _convert(self, document: Any) -> Any:
        root: list[Any] = [None]
        # (where the plain value goes, its key there, the value, its pointer, its depth)
        stack: list[tuple[Any, Any, Any, str, int]] = [(root, 0, document, "", 0)]
        while stack:
            target, slot, value, pointer, depth = stack.pop()
            self.values += 1
            if self.values > MAX_VALUES:
                self.problems.append(RequestProblem("", f"holds more than {MAX_VALUES:,} values; a request holds "
                                                        "far fewer", has_value=False))
                return root[0]
            target[slot] = self._scalar(value, pointer) if not _is_container(value) else None
            if not _is_container(value):
                continue
            if depth >= MAX_DEPTH:
                if not self.too_deep:  # one is enough to say it
                    self.too_deep.append(RequestProblem(pointer, f"is nested more than {MAX_DEPTH} levels deep",
                                                        has_value=False))
                continue
            if isinstance(value, Mapping):
                target[slot] = self._mapping(value, pointer, depth, stack)
            else:
                target[slot] = self._list(value, pointer, depth, stack)
        return root[0]

    def _mapping(self, value: Mapping, pointer: str, depth: int, stack: list) -> dict[str, Any]:
        result: dict[str, Any] = {}
        items = list(value.items())
        if len(items) > MAX_ITEMS:
            self.problems.append(RequestProblem(pointer, f"has {len(items):,} fields; an object in a request has at "
                                                         f"most {MAX_ITEMS:,}", has_value=False))
            items = items[:MAX_ITEMS]
        for key, item in items:
            if not isinstance(key, str):
                self.problems.append(RequestProblem(pointer + "/" + escape(shown_text(key)),
                                                    "field names must be texts", shown(key)))
                continue
            key = str(key)
            result[key] = None
            stack.append((result, key, item, pointer + "/" + escape(key), depth + 1))
        return result

    def _list(self, value: Any, pointer: str, depth: int, stack: list) -> list[Any]:
        items = list(value)
        if len(items) > MAX_ITEMS:
            self.problems.append(RequestProblem(pointer, f"has {len(items):,} items; a list in a request has at "
                                                         f"most {MAX_ITEMS:,}", has_value=False))
            items = items[:MAX_ITEMS]
        result: list[Any] = [None] * len(items)
        for index in range(len(items) - 1, -1, -1):
            stack.append((result, index, items[index], f"{pointer}/{index}", depth + 1))
        return result

    def _scalar(self, value: Any, pointer: str) -> Any:
        kind = type(value)
        if kind is str or kind is bool or value is None:
            return value
        if kind is int:
            return value if value.bit_length() < 4000 else self.problem(pointer, number_problem(value), value)
        if isinstance(value, bool):
            return bool(value)
        if isinstance(value, str):
            return str(value)
        if isinstance(value, int):
            return self._scalar(int(value), pointer)
        if isinstance(value, float):
            if not math.isfinite(value):
                return self.problem(pointer, "is not a finite number", value)
            value = Decimal(repr(float(value)))  # the shortest decimal text: 0.3 stays 0.3
        if isinstance(value, Decimal):
            if not value.is_finite():
                return self.problem(pointer, "is not a finite number", value)
            if abs(value.adjusted()) > 4000:
                return self.problem(pointer, number_problem(value), value)
            return plain_number(value)
        if isinstance(value, dt.datetime):
            return value.isoformat()
        if isinstance(value, dt.date):
            return value.isoformat()
        return self.problem(pointer, f"is not a JSON value (a Python {type(value).__name__})", repr_of(value))

    def problem(self, pointer: str, message: str | None, value: Any) -> None:
        self.problems.append(RequestProblem(pointer, message or "is not a number vilkar reads", shown(value)))
        return None


def _is_container(value: Any) -> bool:
    return isinstance(value, (Mapping, list, tuple))


def escape(key: str) -> str:
    """A field name as one JSON-pointer step, printable (lone surrogates as escapes) and at most 200 characters."""
    step = key.replace("~", "~0").replace("/", "~1")
    if not step.isascii():
        step = step.encode("utf-8", "backslashreplace").decode("utf-8")
    return step if len(step) <= _SHOWN_TEXT else step[:_SHOWN_TEXT] + "…"


# ---------------------------------------------------------------- showing values in problems

_SHOWN_TEXT = 200
_SHOWN_ITEMS = 20
_SHOWN_DEPTH = 4


def shown(value: Any) -> Any:
    """A value as a problem shows it: itself when small, else cut short, always printable as JSON."""
    return _shown(value, 0)


def _shown(value: Any, depth: int) -> Any:
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int):
        return value if value.bit_length() < 128 else _long_number(value)
    if isinstance(value, Decimal):
        return value if not value.is_finite() or len(value.as_tuple().digits) <= 40 else _long_number(value)
    if isinstance(value, float):
        return value
    if isinstance(value, str):
        return shown_text(value)
    if isinstance(value, Mapping):
        if depth >= _SHOWN_DEPTH:
            return "{…}"
        items = list(value.items())[:_SHOWN_ITEMS]
        result = {shown_text(str(k)): _shown(v, depth + 1) for k, v in items}
        if len(value) > _SHOWN_ITEMS:
            result["…"] = f"{len(value) - _SHOWN_ITEMS:,} more fields"
        return result
    if isinstance(value, (list, tuple)):
        if depth >= _SHOWN_DEPTH:
            return "[…]"
        result_list = [_shown(v, depth + 1) for v in list(value[:_SHOWN_ITEMS])]
        if len(value) > _SHOWN_ITEMS:
            result_list.append(f"… {len(value) - _SHOWN_ITEMS:,} more items")
        return result_list
    return repr_of(value)


def shown_text(value: Any) -> str:
    """A text cut to a readable length, with lone surrogates written as escapes so it can be printed."""
    text = value if isinstance(value, str) else repr_of(value)
    if len(text) > _SHOWN_TEXT:
        text = f"{text[:_SHOWN_TEXT]}… ({len(text):,} characters)"
    if not text.isascii():
        text = text.encode("utf-8", "backslashreplace").decode("utf-8")
    return text


def repr_of(value: Any) -> str:
    try:
        text = repr(value)
    except Exception:  # a value whose own repr fails is still reported, by its type
        text = f"<a Python {type(value).__name__}>"
    return text if len(text) <= _SHOWN_TEXT else text[:_SHOWN_TEXT] + "…"


def _long_number(value: int | Decimal) -> str:
    if isinstance(value, int):
        digits = int(value.bit_length() * 0.30103) + 1
        return f"{'-' if value < 0 else ''}a number of about {digits:,} digits"
    return f"{'-' if value < 0 else ''}a number of about 10^{value.adjusted():,}"
