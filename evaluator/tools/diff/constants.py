"""The literals of a rule set's syntax trees: the boundaries a witness search must try on each side of."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, fields
from decimal import Decimal
from typing import Any

from ...language import ast

# How many days a calendar unit spans; months and years vary, so every length they can have is tried.
_DAYS = {"days": (1,), "weeks": (7,), "months": (28, 29, 30, 31), "years": (365, 366)}
_MINUTES = {"minutes": 1, "hours": 60}


@dataclass
class Constants:
    """Numbers, durations, money, percentages, dates and texts written anywhere in some policies."""

    numbers: set[Decimal] = field(default_factory=set)
    days: set[int] = field(default_factory=set)
    minutes: set[int] = field(default_factory=set)
    money: set[Decimal] = field(default_factory=set)
    percents: set[Decimal] = field(default_factory=set)
    dates: set[dt.date] = field(default_factory=set)
    strings: set[str] = field(default_factory=set)
    times: set[str] = field(default_factory=set)  # HH:MM of calendar clauses
    by_path: dict[tuple[str, ...], set[str]] = field(default_factory=dict)  # texts compared with a field

    def add(self, node: Any) -> None:
        """Collect every literal below `node` (a module, an item, an expression)."""
        if isinstance(node, (tuple, list)):
            for item in node:
                self.add(item)
            return
        if isinstance(node, ast.Number):
            self.numbers.add(node.value)
        elif isinstance(node, ast.Quantity):
            self.add_quantity(node.amount, node.unit)
        elif isinstance(node, ast.Money):
            self.money.add(node.amount)
        elif isinstance(node, ast.Percent):
            self.percents.add(node.value)
        elif isinstance(node, ast.DateLiteral):
            try:
                self.dates.add(dt.date.fromisoformat(node.value))
            except ValueError:
                pass
        elif isinstance(node, ast.String):
            self.strings.add(node.value)
        elif isinstance(node, ast.CalendarClause):
            self.times.update(v for v in node.values if len(v) == 5 and v[2] == ":")
            self.strings.update(v for v in node.values if v.isupper())
        if hasattr(node, "__dataclass_fields__"):
            for node_field in fields(node):
                if node_field.name != "span":
                    self.add(getattr(node, node_field.name))

    def add_quantity(self, amount: Decimal, unit: str) -> None:
        if unit in _DAYS:
            self.days.update(int(amount * length) for length in _DAYS[unit])
        elif unit in _MINUTES:
            self.minutes.add(int(amount * _MINUTES[unit]))
            if unit == "hours" and amount % 24 == 0:
                self.days.add(int(amount // 24))

    def integers(self) -> set[int]:
        """Whole numbers a count or a difference of days may be compared with."""
        return {int(n) for n in self.numbers if n == n.to_integral_value() and abs(n) < 10**9} | self.days

    def money_boundaries(self) -> set[Decimal]:
        """Amounts where a money condition may turn: each amount, and each amount over each percentage."""
        found = set(self.money)
        for amount in self.money:
            for percent in self.percents:
                if percent:
                    found.add((amount * 100 / percent).quantize(Decimal("0.01")))
        return found


def associate(items: tuple, checked: Any, constants: Constants) -> None:
    """Record, per request field, the texts the policies compare it with (`==`, `in`, table cells)."""
    def texts(expr: Any, depth: int = 0) -> set[str]:
        if isinstance(expr, ast.String):
            return {expr.value}
        if isinstance(expr, ast.SetLiteral):
            return set().union(*(texts(item, depth) for item in expr.items)) if expr.items else set()
        if isinstance(expr, ast.Binary) and expr.op == "+":
            return texts(expr.left, depth) | texts(expr.right, depth)
        if isinstance(expr, ast.Name) and expr.name in checked.sets and depth < 20:
            return texts(checked.sets[expr.name].value, depth + 1)
        return set()

    def note(subject: Any, found: set[str]) -> None:
        path = _request_path(subject)
        if path and found:
            constants.by_path.setdefault(path, set()).update(found)

    def walk(node: Any) -> None:
        if isinstance(node, (tuple, list)):
            for item in node:
                walk(item)
            return
        if isinstance(node, ast.Binary) and node.op in ("==", "!=", "in", "not in", "contains word"):
            note(node.left, texts(node.right))
            note(node.right, texts(node.left))
        if isinstance(node, ast.MatchBody):
            for row in node.rows:
                for subject, cell in zip(node.subjects, row.cells):
                    value = getattr(cell, "value", None)
                    note(subject, texts(value) if value is not None else set())
        if hasattr(node, "__dataclass_fields__"):
            for node_field in fields(node):
                if node_field.name != "span":
                    walk(getattr(node, node_field.name))

    walk(items)


def _request_path(expr: Any) -> tuple[str, ...] | None:
    return ast.request_path(expr) or None  # a field of the request; `request` itself is not one


def collect(modules: list[ast.Module]) -> Constants:
    constants = Constants()
    for module in modules:
        constants.add(module.items)
    return constants
