"""Checks of a valid document at its kind's sites: numbers against vilkar's limits and in the policies'
form (`12.0` is the whole number 12, a float is read through its shortest decimal text), and open
values made plain. Nothing is copied unless something changes, and then only what is on the way."""
from __future__ import annotations

import re
from decimal import Decimal
from typing import Any, Iterator

from ..errors import RequestProblem
from .limits import LIMIT, LOW_LIMIT, SHORT_TEXT, number_problem, plain_number, text_problem
from .plain import Plain, escape, shown
from .shape import FIELD, ITEM, Path, Sites

_DECIMAL_TEXT = re.compile("[0-9]+(?:[.][0-9]+)?")


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
