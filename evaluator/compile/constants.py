"""Literal values and values computed at load time, handed to generated code as named constants."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from ..language import ast
from ..language.typing_rules import quantity_count
from . import runtime
from .names import Names

NOT_LITERAL = object()

# Python literals that may be written into generated code as themselves: repr() of these is exact.
_INLINE_INT_LIMIT = 2 ** 62


class Constants:
    """The rule set's constant pool: one name per distinct value (tables get their own)."""

    def __init__(self, names: Names) -> None:
        self.names = names
        self.values: dict[str, Any] = {}
        self._by_value: dict[tuple, str] = {}

    def name(self, value: Any, hint: str = "") -> str:
        """An identifier bound to `value` in every generated module."""
        if isinstance(value, dict):  # lookup tables are not shared
            return self._add(value, hint)
        key = _key(value)
        if key not in self._by_value:
            self._by_value[key] = self._add(value, hint)
        return self._by_value[key]

    def code(self, value: Any) -> str:
        """Python for a value: the literal itself for small plain values, else a constant's name."""
        if value is None or isinstance(value, bool) or isinstance(value, str):
            return repr(value)
        if type(value) is int and -_INLINE_INT_LIMIT < value < _INLINE_INT_LIMIT:
            return repr(value)
        return self.name(value)

    def _add(self, value: Any, hint: str) -> str:
        name = self.names.new("constant", hint)
        self.values[name] = value
        return name


def _key(value: Any) -> tuple:
    """A key that tells apart values Python calls equal (1, 1.0, True, Decimal("1.0"))."""
    if isinstance(value, (set, frozenset)):
        return (type(value), tuple(sorted(_key(item) for item in value)))
    if isinstance(value, tuple):
        return (tuple, tuple(_key(item) for item in value))
    if isinstance(value, Decimal):
        return (Decimal, str(value))
    return (type(value), repr(value))


def literal_value(expr: ast.Expr) -> Any:
    """The value a literal stands for, as compiled code holds it, or NOT_LITERAL."""
    if isinstance(expr, ast.Number):
        return int(expr.value) if expr.is_integer else expr.value
    if isinstance(expr, ast.Quantity):
        return int(quantity_count(expr))
    if isinstance(expr, ast.Percent):
        return runtime.plain_number(expr.value)
    if isinstance(expr, ast.Money):
        return expr.amount
    if isinstance(expr, ast.DateLiteral):
        return dt.date.fromisoformat(expr.value)
    if isinstance(expr, (ast.String, ast.Boolean)):
        return expr.value
    if isinstance(expr, ast.Nothing):
        return None
    return NOT_LITERAL
