"""What values a table cell or tier bound admits, and whether two rows can match the same input."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Callable

from . import ast
from .typing_rules import quantity_count

SetItems = Callable[[ast.Expr], "list[ast.Expr] | None"]


@dataclass(frozen=True)
class Interval:
    """Numbers between low and high; None is unbounded."""

    low: Decimal | None
    low_closed: bool
    high: Decimal | None
    high_closed: bool

    def is_empty(self, integral: bool) -> bool:
        if self.low is None or self.high is None:
            return False
        if self.low > self.high:
            return True
        if self.low == self.high:
            return not (self.low_closed and self.high_closed)
        if integral:
            low = _ceil(self.low) if self.low_closed else _floor(self.low) + 1
            high = _floor(self.high) if self.high_closed else _ceil(self.high) - 1
            return low > high
        return False

    def intersect(self, other: Interval) -> Interval:
        low, low_closed = _tighter_low((self.low, self.low_closed), (other.low, other.low_closed))
        high, high_closed = _tighter_high((self.high, self.high_closed), (other.high, other.high_closed))
        return Interval(low, low_closed, high, high_closed)

    def example(self, integral: bool) -> Decimal:
        """A value inside the interval (assumed non-empty)."""
        if self.low is None and self.high is None:
            return Decimal(0)
        if self.low is None:
            return self.high if self.high_closed else (self.high - 1 if integral else self.high - Decimal("0.5"))
        if self.low_closed:
            return _ceil(self.low) if integral else self.low
        candidate = _floor(self.low) + 1 if integral else self.low + Decimal("0.5")
        if self.high is not None and not integral and candidate >= self.high:
            candidate = (self.low + self.high) / 2
        return candidate


EVERYTHING = Interval(None, False, None, False)


def _ceil(value: Decimal) -> Decimal:
    return value.to_integral_value(rounding="ROUND_CEILING")


def _floor(value: Decimal) -> Decimal:
    return value.to_integral_value(rounding="ROUND_FLOOR")


def _tighter_low(a: tuple[Decimal | None, bool], b: tuple[Decimal | None, bool]) -> tuple[Decimal | None, bool]:
    if a[0] is None:
        return b
    if b[0] is None or a[0] > b[0]:
        return a
    if b[0] > a[0]:
        return b
    return a[0], a[1] and b[1]


def _tighter_high(a: tuple[Decimal | None, bool], b: tuple[Decimal | None, bool]) -> tuple[Decimal | None, bool]:
    if a[0] is None:
        return b
    if b[0] is None or a[0] < b[0]:
        return a
    if b[0] < a[0]:
        return b
    return a[0], a[1] and b[1]


def literal_value(expr: ast.Expr) -> object | None:
    """The comparable value of a literal: numbers, durations in base units, money amounts, texts."""
    if isinstance(expr, ast.Number):
        return expr.value
    if isinstance(expr, ast.Quantity):
        return quantity_count(expr)
    if isinstance(expr, (ast.Percent,)):
        return expr.value
    if isinstance(expr, ast.Money):
        return expr.amount
    if isinstance(expr, (ast.String, ast.Boolean, ast.DateLiteral)):
        return expr.value
    return None


def compare_interval(op: str, value: Decimal) -> Interval | None:
    return {
        ">=": Interval(value, True, None, False),
        ">": Interval(value, False, None, False),
        "<=": Interval(None, False, value, True),
        "<": Interval(None, False, value, False),
        "==": Interval(value, True, value, True),
    }.get(op)


def bound_interval(bound: ast.Bound) -> Interval | None:
    """The numbers a tier bound admits, or None if it is not numeric."""
    if isinstance(bound, ast.RangeBound):
        low, high = literal_value(bound.low), literal_value(bound.high)
        if isinstance(low, Decimal) and isinstance(high, Decimal):
            return Interval(low, True, high, True)
        return None
    value = literal_value(bound.value)
    if not isinstance(value, Decimal):
        return None
    return compare_interval(bound.op if isinstance(bound, ast.CompareBound) else "==", value)


@dataclass(frozen=True)
class Admits:
    """The values one cell admits: an interval, a finite set (or its complement), or anything."""

    interval: Interval | None = None
    values: frozenset | None = None
    negated: bool = False
    anything: bool = False


def cell_admits(cell: ast.Cell, set_items: SetItems) -> Admits | None:
    """What a cell admits, or None when it depends on values known only per request."""
    if isinstance(cell, ast.AnyCell):
        return Admits(anything=True)
    if isinstance(cell, ast.RangeCell):
        low, high = literal_value(cell.low), literal_value(cell.high)
        if isinstance(low, Decimal) and isinstance(high, Decimal):
            return Admits(interval=Interval(low, True, high, True))
        return None
    if isinstance(cell, ast.CompareCell):
        value = literal_value(cell.value)
        if isinstance(value, Decimal):
            return Admits(interval=compare_interval(cell.op, value))
        return None
    if isinstance(cell, ast.EqualCell):
        value = literal_value(cell.value)
        if isinstance(value, Decimal):
            return Admits(interval=Interval(value, True, value, True))
        return Admits(values=frozenset([value])) if value is not None else None
    items = set_items(cell.value)
    if items is None:
        return None
    values = [literal_value(item) for item in items]
    if any(v is None for v in values):
        return None
    return Admits(values=frozenset(values), negated=cell.negated)


def overlap_example(a: Admits, b: Admits) -> object | None:
    """A value both admit, `_ANY` if any value does, or None if they are disjoint."""
    if a.anything and b.anything:
        return _ANY
    if a.anything or b.anything:
        other = b if a.anything else a
        return _example(other)
    if a.interval is not None and b.interval is not None:
        both = a.interval.intersect(b.interval)
        return None if both.is_empty(False) else both.example(False)
    if a.values is not None and b.values is not None:
        if not a.negated and not b.negated:
            common = a.values & b.values
        elif not a.negated:
            common = a.values - b.values
        elif not b.negated:
            common = b.values - a.values
        else:
            return _ANY
        return sorted(common, key=str)[0] if common else None
    finite = a if a.values is not None else b
    interval = b.interval if a.values is not None else a.interval
    if finite.values is not None and interval is not None and not finite.negated:
        inside = [v for v in finite.values if isinstance(v, Decimal) and not
                  interval.intersect(Interval(v, True, v, True)).is_empty(False)]
        return inside[0] if inside else None
    return _ANY


_ANY = object()


def _example(admits: Admits) -> object:
    if admits.interval is not None:
        return admits.interval.example(False)
    if admits.values is not None and not admits.negated and admits.values:
        return sorted(admits.values, key=str)[0]
    return _ANY


def show(value: object) -> str:
    if value is _ANY:
        return "any value"
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def rows_overlap(first: ast.MatchRow, second: ast.MatchRow, set_items: SetItems) -> str | None:
    """A description of an input both rows match, or None if they cannot both match (or it is unknowable)."""
    examples = []
    for a_cell, b_cell in zip(first.cells, second.cells):
        a, b = cell_admits(a_cell, set_items), cell_admits(b_cell, set_items)
        if a is None or b is None:
            return None
        example = overlap_example(a, b)
        if example is None:
            return None
        examples.append(show(example))
    return "(" + ", ".join(examples) + ")"


def coverage_gaps(intervals: list[Interval], integral: bool) -> list[Interval]:
    """The parts of the number line that no interval covers (whole numbers only, if integral)."""
    gaps: list[Interval] = []
    # `reach` is how far the union covers from minus infinity: (value, closed); None before any cover.
    reach: tuple[Decimal | None, bool] | None = None
    for interval in sorted(intervals, key=_low_key):
        if reach is None:
            if interval.low is not None:
                gaps.append(Interval(None, False, interval.low, not interval.low_closed))
        elif reach[0] is not None and interval.low is not None and not _touches(reach, interval, integral):
            gaps.append(Interval(reach[0], not reach[1], interval.low, not interval.low_closed))
        reach = _further((interval.high, interval.high_closed), reach)
        if reach[0] is None:
            break
    if reach is None:
        return [EVERYTHING]
    if reach[0] is not None:
        gaps.append(Interval(reach[0], not reach[1], None, False))
    return [gap for gap in gaps if not gap.is_empty(integral)]


def _low_key(interval: Interval) -> tuple[int, Decimal, int]:
    if interval.low is None:
        return (0, Decimal(0), 0)
    return (1, interval.low, 0 if interval.low_closed else 1)


def _touches(reach: tuple[Decimal | None, bool], interval: Interval, integral: bool) -> bool:
    end, end_closed = reach
    assert end is not None and interval.low is not None
    if interval.low < end or (interval.low == end and (end_closed or interval.low_closed)):
        return True
    return Interval(end, not end_closed, interval.low, not interval.low_closed).is_empty(integral)


def _further(a: tuple[Decimal | None, bool], b: tuple[Decimal | None, bool] | None) -> tuple[Decimal | None, bool]:
    if b is None or a[0] is None:
        return a
    if b[0] is None or b[0] > a[0]:
        return b
    if a[0] > b[0]:
        return a
    return a[0], a[1] or b[1]
