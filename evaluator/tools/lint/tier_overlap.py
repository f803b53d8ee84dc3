"""Tier overlap: two tiers hold for the same value.

Tiers are tried in order and the first that holds decides, so where two rows overlap the later one
never applies to the shared values. That is almost always a typing slip ("6..14 days" next to
">= 14 days"): the contract's tiers are exclusive. The finding names a value in both.

Fix: make the bounds meet without overlapping (`6..13 days` and `>= 14 days`).
"""
from __future__ import annotations

from typing import Iterator

from ...language.diagnostics import Diagnostic
from ...language.overlap import bound_interval
from ...language.tier_index import first_overlaps
from .context import LintContext
from .values import is_integral, show_value, tier_bodies

CODE = "VK202"
NAME = "tier-overlap"
SEVERITY = "error"


def check(context: LintContext) -> Iterator[Diagnostic]:
    for definition, body in tier_bodies(context):
        subject_type = context.checked.types.get(id(body.subject))
        integral = is_integral(subject_type)
        intervals = [bound_interval(row.bound) for row in body.rows]
        for row, mine, first in zip(body.rows, intervals, first_overlaps(intervals, integral)):
            if first is None:
                continue
            earlier, both = body.rows[first], mine.intersect(intervals[first])
            yield Diagnostic(
                CODE, f"`{_text(context, earlier)}` and `{_text(context, row)}` overlap at "
                f"{show_value(both.example(integral), subject_type)}", row.bound.span,
                f"the earlier row (line {earlier.span.line}) wins there; make the bounds exclusive",
                SEVERITY)


def _text(context: LintContext, row) -> str:
    return context.sources[row.span.file].snippet(row.bound.span)
