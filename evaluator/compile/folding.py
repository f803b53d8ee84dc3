"""Which expressions read nothing per request, so they are computed once, when the rule set loads.

Computing them at load makes a value that cannot be computed (a division by zero, a number too large)
a `PolicyError` that names its line (SPEC §8.3), and saves the work on every request.
"""
from __future__ import annotations

from dataclasses import fields
from typing import Any

from ..language import ast
from ..language.types import DateT, DurationT, Type, strip_optional

# Nodes whose value is a function of their operands alone; any other node (a new one included) is
# treated as reading the request, so it is never computed at load by mistake.
_PURE = (
    ast.Number, ast.Quantity, ast.Percent, ast.Money, ast.DateLiteral, ast.String, ast.Boolean, ast.Nothing,
    ast.Name, ast.Field, ast.Call, ast.Comprehension, ast.SetLiteral, ast.Unary, ast.Binary, ast.Presence,
    ast.IfAbsent, ast.Conditional, ast.Convert, ast.Selection,
)


class Facts:
    """Per expression: the names it reads freely, and whether it reads the request or the calendar."""

    def __init__(self, types: dict[int, Type]):
        self.types = types
        self.memo: dict[int, tuple[frozenset[str], bool]] = {}

    def of(self, expr: Any) -> tuple[frozenset[str], bool]:
        key = id(expr)
        if key not in self.memo:
            self.memo[key] = self._of(expr)
        return self.memo[key]

    def _of(self, expr: Any) -> tuple[frozenset[str], bool]:
        if not isinstance(expr, _PURE) or self.uses_calendar(expr):
            names, _ = self.children(expr)
            return names, True
        if isinstance(expr, ast.Name):
            return frozenset([expr.name]), False
        if isinstance(expr, ast.Comprehension):
            source, dynamic = self.of(expr.source)
            inner = [self.of(part) for part in (expr.element, expr.where) if part is not None]
            names = frozenset().union(*(n for n, _ in inner)) - {expr.variable}
            return source | names, dynamic or any(d for _, d in inner)
        if isinstance(expr, ast.Selection):
            source, dynamic = self.of(expr.source)
            names, condition_dynamic = self.of(expr.condition)
            return source | (names - {expr.variable}), dynamic or condition_dynamic
        return self.children(expr)

    def children(self, expr: Any) -> tuple[frozenset[str], bool]:
        names: frozenset[str] = frozenset()
        dynamic = False
        for child in _children(expr):
            child_names, child_dynamic = self.of(child)
            names |= child_names
            dynamic = dynamic or child_dynamic
        return names, dynamic

    def uses_calendar(self, expr: Any) -> bool:
        if isinstance(expr, ast.Call):
            return expr.function == "local_date"
        if isinstance(expr, ast.Binary) and expr.op in ("+", "-"):
            sides = [strip_optional(self.types.get(id(side), DateT())) for side in (expr.left, expr.right)]
            return any(isinstance(s, DateT) for s in sides) and \
                any(isinstance(s, DurationT) and s.clock != "calendar" for s in sides)
        return False


def _children(expr: Any) -> list[Any]:
    found = []
    for node_field in fields(expr):
        if node_field.name == "span":
            continue
        value = getattr(expr, node_field.name)
        if isinstance(value, tuple):
            found.extend(item for item in value if hasattr(item, "__dataclass_fields__"))
        elif hasattr(value, "__dataclass_fields__"):
            found.append(value)
    return found


def free_names(expr: ast.Expr) -> frozenset[str]:
    """The names an expression reads that it does not bind itself."""
    return Facts({}).of(expr)[0]
