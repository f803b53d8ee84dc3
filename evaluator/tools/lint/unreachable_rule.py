"""Unreachable rule: a table row, tier, `otherwise` or exception that can never apply.

In a `match first` table a row never applies if an earlier row matches everything it matches; a
tier never applies if earlier tiers hold for all its values; an `otherwise` never applies if some
row always matches; an exception never applies if its condition is `false`, or an earlier
exception has the same condition or `true`. Such a rule usually hides a mistake in an earlier one,
and it would cite a clause that in fact decides nothing.

Fix: narrow the earlier rule, reorder the rows, or remove the dead one.
"""
from __future__ import annotations

from typing import Iterator

from ...language import ast
from ...language.diagnostics import Diagnostic
from ...language.overlap import Interval, bound_interval, coverage_gaps
from ...language.row_index import RowIndex
from ...language.tier_index import covered_by_earlier
from .context import LintContext
from .values import is_integral, match_bodies, tier_bodies

CODE = "VK203"
NAME = "unreachable-rule"
SEVERITY = "error"


def check(context: LintContext) -> Iterator[Diagnostic]:
    checked = context.checked
    for definition, body in match_bodies(context):
        rows = RowIndex(body.rows, checked.set_items)  # each row against every earlier one, in bulk
        for index, row in enumerate(body.rows):
            earlier = rows.first_containing(index)
            if earlier is not None:
                yield Diagnostic(CODE, "this row can never apply: the row on line "
                                 f"{body.rows[earlier].span.line} matches everything it matches", row.span,
                                 "narrow the earlier row, put this one first, or remove it", SEVERITY)
        if body.otherwise is not None and id(body) in checked.total_bodies | _total(body):
            yield _dead_otherwise(body.otherwise)
    for definition, body in tier_bodies(context):
        subject_type = checked.types.get(id(body.subject))
        integral = is_integral(subject_type)
        intervals = [bound_interval(row.bound) for row in body.rows]
        covered = covered_by_earlier(intervals, integral)
        if covered is None:
            covered = _covered_pairwise(intervals, integral)
        for row, never in zip(body.rows, covered):
            if never:
                yield Diagnostic(CODE, "this tier can never apply: earlier tiers hold for all its values",
                                 row.bound.span, "narrow the earlier tiers, or remove this one", SEVERITY)
        if body.otherwise is not None and all(i is not None for i in intervals) \
                and not coverage_gaps(intervals, integral):
            yield _dead_otherwise(body.otherwise)
    for definition in context.definitions():
        if isinstance(definition.body, ast.RuleBody):
            yield from _dead_exceptions(definition.body)


def _covered_pairwise(intervals: list[Interval | None], integral: bool) -> list[bool]:
    """Tier by tier against the gaps the earlier ones leave: for whole-number tiers with fractional bounds,
    whose reading (a point 1.5 counts, whole numbers around it are what matters) the bulk union does not model."""
    covered = []
    for index, mine in enumerate(intervals):
        earlier = intervals[:index]
        if mine is None or not earlier or any(i is None for i in earlier):
            covered.append(False)
            continue
        covered.append(all(gap.intersect(mine).is_empty(integral) for gap in coverage_gaps(earlier, integral)))
    return covered


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
