"""The pairwise analyses that lint and the checker used before their bulk indexes: every row against every
earlier row, every name against every other, O(n²). Kept verbatim as the oracle the indexes are compared
with (tests/test_row_index.py, tests/test_near_texts.py), on small generated tables and sets.
"""
from __future__ import annotations

import itertools
from collections import Counter
from decimal import Decimal
from typing import Iterator

from evaluator.language import ast
from evaluator.language.diagnostics import Diagnostic
from evaluator.tools.lint.similar_names import _alias_groups, members_of
from evaluator.language.overlap import Admits, Interval, cell_admits, coverage_gaps, rows_overlap


def first_containing(rows: list[ast.MatchRow], set_items) -> list[int | None]:
    """lint VK203 for `match first`: for each row, the first earlier row that contains it."""
    found: list[int | None] = []
    for index, row in enumerate(rows):
        hit = None
        for earlier_index, earlier in enumerate(rows[:index]):
            if _row_contains(earlier, row, set_items):
                hit = earlier_index
                break
        found.append(hit)
    return found


def overlapping_pairs(rows: list[ast.MatchRow], set_items) -> list[tuple[int, int, str]]:
    """The checker's VK113 for `match unique`: every pair of rows that can match one input, with its witness."""
    pairs = []
    for first_index, first in enumerate(rows):
        for second_index in range(first_index + 1, len(rows)):
            witness = rows_overlap(first, rows[second_index], set_items)
            if witness is not None:
                pairs.append((first_index, second_index, witness))
    return pairs


def tiers_never_applying(intervals: list[Interval | None], integral: bool) -> list[bool]:
    """lint VK203 for tiers: whether earlier tiers hold for all of a tier's values."""
    found = []
    for index, mine in enumerate(intervals):
        earlier = intervals[:index]
        if mine is None or not earlier or any(i is None for i in earlier):
            found.append(False)
            continue
        gaps = coverage_gaps(earlier, integral)
        found.append(all(gap.intersect(mine).is_empty(integral) for gap in gaps))
    return found


def first_tier_overlaps(intervals: list[Interval | None], integral: bool) -> list[int | None]:
    """lint VK202: for each tier, the first earlier tier that holds for one of its values."""
    found: list[int | None] = []
    for index, mine in enumerate(intervals):
        hit = None
        if mine is not None:
            for earlier_index, theirs in enumerate(intervals[:index]):
                if theirs is None:
                    continue
                if not mine.intersect(theirs).is_empty(integral):
                    hit = earlier_index
                    break
        found.append(hit)
    return found


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


def table_missing(rows: list[ast.MatchRow], domains: list[list], set_items) -> list[tuple]:
    """lint VK213: the combinations of the columns' values that no row matches, every row tried for each."""
    return [combination for combination in itertools.product(*domains)
            if not any(_row_matches(row, combination, set_items) for row in rows)]


UNKNOWN = object()


def _row_matches(row: ast.MatchRow, combination: tuple, set_items) -> bool:
    for cell, value in zip(row.cells, combination):
        matched = _cell_matches(cell, value, set_items)
        if matched is False:
            return False
    return True  # a cell that cannot be judged here counts as matching: nothing is reported on a guess


def _cell_matches(cell: ast.Cell, value: object, set_items) -> bool | object:
    if isinstance(cell, ast.AnyCell):
        return True
    if isinstance(cell, ast.EqualCell) and isinstance(cell.value, (ast.String, ast.Boolean)):
        return cell.value.value == value
    if isinstance(cell, ast.InCell):
        items = set_items(cell.value)
        if items is not None and all(isinstance(item, (ast.String, ast.Boolean)) for item in items):
            return (value in {item.value for item in items}) != cell.negated
    return UNKNOWN


# ---------------------------------------------------------------- lint VK215 and VK216, every pair compared

CODE, SEVERITY, MIN_LENGTH = "VK215", "warning", 8


def similar_names(context) -> Iterator[Diagnostic]:
    members, counts, sets, by_name = members_of(context)  # the gathering is shared; the pairwise search is the oracle's
    names = sorted(by_name)
    one_product = _alias_groups(context)
    reported: set[str] = set()
    for index, first in enumerate(names):
        for second in names[index + 1:]:
            if len(first) < MIN_LENGTH or len(second) < MIN_LENGTH or abs(len(first) - len(second)) > 2:
                continue
            if sets[first] & sets[second] or _old_distance(first, second, 2) > 2:
                continue  # both spellings in one set: the author lists them on purpose
            if one_product.get(first) is not None and one_product.get(first) == one_product.get(second):
                continue  # an alias set says both are names of one product
            rare, common = (first, second) if counts[first] <= counts[second] else (second, first)
            if rare in reported:
                continue
            reported.add(rare)
            for normal, set_name, literal in members:
                if normal == rare:
                    other_set, other = by_name[common]
                    yield Diagnostic(CODE, f'"{literal.value}" in set `{set_name}` is a small edit from '
                                     f'"{other.value}" in set `{other_set}`: a typo?', literal.span,
                                     f'write "{other.value}" if it is the same product', SEVERITY)


def _old_distance(left: str, right: str, limit: int) -> int:
    """Levenshtein distance, stopping early once it exceeds `limit`."""
    previous = list(range(len(right) + 1))
    for i, a in enumerate(left, 1):
        current = [i]
        for j, b in enumerate(right, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a != b)))
        if min(current) > limit:
            return limit + 1
        previous = current
    return previous[-1]


def output_nearest(values: list[str], asked: set[str]) -> dict[str, str]:
    """lint VK216: for each text given once (the asked ones), the first other text at most two edits from it."""
    found = {}
    for value in asked:
        near = [other for other in values if other != value and _old_distance(value, other, 2) <= 2]
        if near:
            found[value] = near[0]
    return found
