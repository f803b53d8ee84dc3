"""Unreachable rule: a table row, tier, `otherwise` or exception that can never apply.

In a `match first` table a row never applies if an earlier row matches everything it matches; a
tier never applies if earlier tiers hold for all its values; an `otherwise` never applies if some
row always matches; an exception never applies if its condition is `false`, or an earlier
exception has the same condition or `true`. Such a rule usually hides a mistake in an earlier one,
and it would cite a clause that in fact decides nothing.

Fix: narrow the earlier rule, reorder the rows, or remove the dead one.
"""
from __future__ import annotations

from decimal import Decimal
from typing import Iterator

from ...language import ast
from ...language.diagnostics import Diagnostic
from ...language.overlap import Admits, Interval, bound_interval, cell_admits, coverage_gaps
from .context import LintContext
from .values import is_integral, match_bodies, tier_bodies

CODE = "VK203"
NAME = "unreachable-rule"
SEVERITY = "error"


def check(context: LintContext) -> Iterator[Diagnostic]:
    checked = context.checked
    for definition, body in match_bodies(context):
        for index, row in enumerate(body.rows):
            for earlier in body.rows[:index]:
                if _row_contains(earlier, row, checked.set_items):
                    yield Diagnostic(CODE, "this row can never apply: the row on line "
                                     f"{earlier.span.line} matches everything it matches", row.span,
                                     "narrow the earlier row, put this one first, or remove it", SEVERITY)
                    break
        if body.otherwise is not None and id(body) in checked.total_bodies | _total(body):
            yield _dead_otherwise(body.otherwise)
    for definition, body in tier_bodies(context):
        subject_type = checked.types.get(id(body.subject))
        integral = is_integral(subject_type)
        intervals = [bound_interval(row.bound) for row in body.rows]
        for index, row in enumerate(body.rows):
            mine = intervals[index]
            earlier = intervals[:index]
            if mine is None or not earlier or any(i is None for i in earlier):
                continue
            gaps = coverage_gaps(earlier, integral)
            if all(gap.intersect(mine).is_empty(integral) for gap in gaps):
                yield Diagnostic(CODE, "this tier can never apply: earlier tiers hold for all its values",
                                 row.bound.span, "narrow the earlier tiers, or remove this one", SEVERITY)
        if body.otherwise is not None and all(i is not None for i in intervals) \
                and not coverage_gaps(intervals, integral):
            yield _dead_otherwise(body.otherwise)
    for definition in context.definitions():
        if isinstance(definition.body, ast.RuleBody):
            yield from _dead_exceptions(definition.body)


def _total(body: ast.MatchBody) -> set[int]:
    return {id(body)} if any(all(isinstance(c, ast.AnyCell) for c in row.cells) for row in body.rows) else set()


def _dead_otherwise(row: ast.OtherwiseRow) -> Diagnostic:
    return Diagnostic(CODE, "`otherwise` can never apply: some row always matches", row.span,
                      "remove the `otherwise` row", SEVERITY)


def _dead_exceptions(body: ast.RuleBody) -> Iterator[Diagnostic]:
    for index, exception in enumerate(body.exceptions):
        condition = exception.condition
        if isinstance(condition, ast.Boolean) and not condition.value:
            yield Diagnostic(CODE, "this exception can never apply: its condition is `false`", exception.span,
                             "remove it", SEVERITY)
            continue
        for earlier in body.exceptions[:index]:
            always = isinstance(earlier.condition, ast.Boolean) and earlier.condition.value
            if always or earlier.condition == condition:  # syntax trees compare without positions
                yield Diagnostic(CODE, "this exception can never apply: the exception on line "
                                 f"{earlier.span.line} applies whenever it would", exception.span,
                                 "merge the two, or remove this one", SEVERITY)
                break


def _row_contains(earlier: ast.MatchRow, row: ast.MatchRow, set_items) -> bool:
    """Whether every input the later row matches is matched by the earlier one."""
    for outer_cell, inner_cell in zip(earlier.cells, row.cells):
        if outer_cell == inner_cell:  # syntax trees compare without positions: the same cell admits the same
            continue
        outer, inner = cell_admits(outer_cell, set_items), cell_admits(inner_cell, set_items)
        if outer is None or inner is None or not _contains(outer, inner):
            return False
    return True


def _contains(outer: Admits, inner: Admits) -> bool:
    if outer.anything:
        return True
    if inner.anything:
        return False
    if outer.values is not None and inner.values is not None:
        if not outer.negated and not inner.negated:
            return inner.values <= outer.values
        if outer.negated and inner.negated:
            return outer.values <= inner.values
        if outer.negated:
            return not (outer.values & inner.values)
        return False
    if outer.interval is not None and inner.interval is not None:
        outside = coverage_gaps([outer.interval], False)
        return all(gap.intersect(inner.interval).is_empty(False) for gap in outside)
    if outer.interval is not None and inner.values is not None and not inner.negated:
        return all(isinstance(v, Decimal) and not outer.interval.intersect(Interval(v, True, v, True)).is_empty(False)
                   for v in inner.values)
    return False
