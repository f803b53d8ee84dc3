"""Tier gap: some value of the subject falls in no tier.

A `tiers of x` with no `otherwise` row decides nothing (the value is absent) for a value no row
holds for. The contract rarely means that: "14 days or more", "6 to 13 days" and "5 days or less"
together cover every whole number of days, but "6..12" instead of "6..13" would leave 13 days
undecided. The finding names a value in the gap. Whole-number subjects (counts, days, minutes)
have gaps only where a whole number is missing.

Fix: add a row for the gap, widen a neighbouring row, or add `otherwise -> ...`.
"""
from __future__ import annotations

from typing import Iterator

from ...language import ast
from ...language.diagnostics import Diagnostic
from ...language.overlap import Interval, bound_interval, coverage_gaps
from .context import LintContext
from .values import is_integral, show_value, tier_bodies

CODE = "VK201"
NAME = "tier-gap"
SEVERITY = "error"


def check(context: LintContext) -> Iterator[Diagnostic]:
    for definition, body in tier_bodies(context):
        if body.otherwise is not None:
            continue
        intervals = [bound_interval(row.bound) for row in body.rows]
        if any(interval is None for interval in intervals):
            continue
        subject_type = context.checked.types.get(id(body.subject))
        integral = is_integral(subject_type)
        for gap in coverage_gaps(intervals, integral):
            example = gap.example(integral)
            yield Diagnostic(
                CODE, f"{_subject(body)} = {show_value(example, subject_type)} falls in no tier"
                + _describe(gap, subject_type, integral), body.subject.span,
                "add a row for these values, widen a neighbouring row, or add `otherwise -> ...`", SEVERITY)


def _subject(body: ast.TiersBody) -> str:
    from ...language.typing_rules import describe_expr
    return describe_expr(body.subject)


def _describe(gap: Interval, subject_type, integral: bool) -> str:
    """The whole gap, when it is more than the example: ` (nor does any value below 0 days)`."""
    if gap.low is None and gap.high is None:
        return " (no row holds for any value)"
    if integral and gap.low is not None and gap.high is not None:
        low = gap.low if gap.low_closed else gap.low + 1
        high = gap.high if gap.high_closed else gap.high - 1
        if low == high:
            return ""
        return f" (nor does any value from {show_value(low, subject_type)} to {show_value(high, subject_type)})"
    if gap.low is None:
        return f" (nor does any value {'up to' if gap.high_closed else 'below'} {show_value(gap.high, subject_type)})"
    if gap.high is None:
        return f" (nor does any value {'from' if gap.low_closed else 'above'} {show_value(gap.low, subject_type)})"
    return f" (nor does any value between {show_value(gap.low, subject_type)} and {show_value(gap.high, subject_type)})"
