"""The bulk table and tier indexes give the pairwise analyses' answers (tests/lint_oracle.py), on generated
tables of every cell shape: `any`, literals, sets and their complements, comparisons (`!=` too), ranges
(empty ones too), cells known only per request, and rows with too few or too many cells.
`VILKAR_INDEX_EXAMPLES` sets how many tables (default 300 each).
"""
from __future__ import annotations

import os
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import lint_oracle
from evaluator.language import ast
from evaluator.language.overlap import bound_interval, rows_overlap
from evaluator.language.row_index import RowIndex
from evaluator.language.tier_index import covered_by_earlier, first_overlaps

EXAMPLES = int(os.environ.get("VILKAR_INDEX_EXAMPLES", "300"))
SETTINGS = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])

NUMBERS = [Decimal(text) for text in ("-1", "0", "1", "2", "2.5", "3", "10")]
number = st.sampled_from(NUMBERS).map(lambda value: ast.Number(value, value == value.to_integral_value()))
text = st.sampled_from(["a", "b", "c"]).map(ast.String)
boolean = st.booleans().map(ast.Boolean)
literal = st.one_of(number, text, boolean)
unknown = st.sampled_from(["x", "limit"]).map(ast.Name)  # a value known only per request
NAMED_SETS = {"small": ast.SetLiteral((ast.String("a"), ast.String("b"))),
              "numbers": ast.SetLiteral((ast.Number(Decimal(1), True), ast.Number(Decimal("2.5"), False)))}


def set_items(expr: ast.Expr):
    if isinstance(expr, ast.SetLiteral):
        return list(expr.items)
    if isinstance(expr, ast.Name) and expr.name in NAMED_SETS:
        return list(NAMED_SETS[expr.name].items)
    return None


set_value = st.one_of(st.lists(st.one_of(literal, literal, unknown), max_size=3).map(lambda items: ast.SetLiteral(tuple(items))),
                      st.sampled_from(["small", "numbers", "other"]).map(ast.Name))
cell = st.one_of(
    st.just(ast.AnyCell()),
    st.one_of(literal, unknown).map(ast.EqualCell),
    st.builds(ast.InCell, set_value, st.booleans()),
    st.builds(ast.CompareCell, st.sampled_from([">=", ">", "<=", "<", "==", "!="]), st.one_of(number, number, text)),
    st.builds(ast.RangeCell, st.one_of(number, number, text), number),
)


@st.composite
def tables(draw) -> list[ast.MatchRow]:
    width = draw(st.integers(1, 3))
    rows = []
    for _ in range(draw(st.integers(0, 14))):
        count = width if draw(st.integers(0, 9)) else draw(st.integers(0, 4))  # now and then a malformed row
        cells = tuple(draw(cell) for _ in range(count))
        rows.append(ast.MatchRow(cells, (ast.Number(Decimal(1), True),), None))
    return rows


@SETTINGS
@given(tables())
def test_the_first_containing_row_is_the_pairwise_one(rows):
    index = RowIndex(rows, set_items)
    assert [index.first_containing(i) for i in range(len(rows))] == lint_oracle.first_containing(rows, set_items)


@SETTINGS
@given(tables())
def test_overlapping_rows_are_the_pairwise_ones(rows):
    index = RowIndex(rows, set_items)
    found = [(j, i, rows_overlap(rows[j], rows[i], set_items)) for i in range(len(rows))
             for j in index.overlapping_earlier(i)]
    assert sorted(found) == lint_oracle.overlapping_pairs(rows, set_items)


bound = st.one_of(
    st.builds(ast.CompareBound, st.sampled_from([">=", ">", "<=", "<", "==", "!="]), st.one_of(number, number, text)),
    st.builds(ast.RangeBound, st.one_of(number, number, number, text), number),
    st.builds(ast.EqualBound, st.one_of(number, number, text)),
)
tier_lists = st.lists(bound, max_size=14).map(lambda bounds: [bound_interval(b) for b in bounds])
whole_tier_lists = st.lists(bound.filter(lambda b: all(
    not isinstance(part, ast.Number) or part.is_integer for part in (getattr(b, "value", None), getattr(b, "low", None),
                                                                     getattr(b, "high", None)))), max_size=14
).map(lambda bounds: [bound_interval(b) for b in bounds])


@SETTINGS
@given(tier_lists, st.booleans())
def test_the_first_overlapping_tier_is_the_pairwise_one(intervals, integral):
    assert first_overlaps(intervals, integral) == lint_oracle.first_tier_overlaps(intervals, integral)


@SETTINGS
@given(tier_lists)
def test_tiers_covered_by_earlier_ones_are_the_pairwise_ones(intervals):
    assert covered_by_earlier(intervals, False) == lint_oracle.tiers_never_applying(intervals, False)


@SETTINGS
@given(whole_tier_lists)
def test_whole_number_tiers_covered_by_earlier_ones_are_the_pairwise_ones(intervals):
    assert covered_by_earlier(intervals, True) == lint_oracle.tiers_never_applying(intervals, True)


def test_fractional_bounds_on_whole_numbers_are_left_to_the_pairwise_reading():
    intervals = [bound_interval(ast.RangeBound(ast.Number(Decimal("1.5"), False), ast.Number(Decimal(3), True)))]
    assert covered_by_earlier(intervals, True) is None
