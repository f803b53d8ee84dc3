"""Lint's bulk answers are the pairwise ones (tests/lint_oracle.py) on generated inputs: texts at most two edits
apart, similar names across sets (VK215), output typos (VK216) and the combinations a table leaves
unmatched (VK213). Texts come from a two-letter alphabet, so that near pairs abound.
`VILKAR_INDEX_EXAMPLES` sets how many examples (default 300 each).
"""
from __future__ import annotations

import os
from decimal import Decimal
from itertools import combinations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import lint_oracle
from evaluator.language import ast
from evaluator.tools.lint import output_typo, similar_names
from evaluator.tools.lint.context import LintContext
from evaluator.tools.lint.near_texts import near_pairs
from evaluator.tools.lint.table_exhaustive import _unmatched

EXAMPLES = int(os.environ.get("VILKAR_INDEX_EXAMPLES", "300"))
SETTINGS = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])

short_texts = st.text(alphabet="ab", max_size=7)
long_texts = st.text(alphabet="abA ", min_size=6, max_size=11)  # case and spacing are ignored by VK215


@SETTINGS
@given(st.lists(short_texts, unique=True, max_size=25))
def test_near_pairs_are_the_pairs_at_most_two_edits_apart(texts):
    expected = [(i, j) for i, j in combinations(range(len(texts)), 2)
                if lint_oracle._old_distance(texts[i], texts[j], 2) <= 2]
    assert sorted(near_pairs(texts)) == expected


@SETTINGS
@given(st.lists(st.tuples(st.sampled_from(["one", "two", "three"]), long_texts), max_size=30))
def test_similar_names_are_the_pairwise_findings(members):
    by_set: dict[str, list[str]] = {}
    for set_name, text in members:
        by_set.setdefault(set_name, []).append(text)
    items = tuple(ast.SetDecl(name, True, ast.SetLiteral(tuple(ast.String(text) for text in texts)), None)
                  for name, texts in by_set.items())
    context = LintContext({}, [ast.Module("names.vk", items)], {}, None)
    assert list(similar_names.check(context)) == list(lint_oracle.similar_names(context))


@SETTINGS
@given(st.lists(short_texts, max_size=30))
def test_output_typos_are_the_pairwise_ones(given_texts):
    values = list(dict.fromkeys(given_texts))
    asked = {value for value in values if given_texts.count(value) == 1 and len(value) >= 4}
    assert output_typo._nearest(values, asked) == lint_oracle.output_nearest(values, asked)


VALUES = ["a", "b", "c"]
literal = st.one_of(st.sampled_from(VALUES).map(ast.String), st.booleans().map(ast.Boolean))
cell = st.one_of(
    st.just(ast.AnyCell()),
    literal.map(ast.EqualCell),
    st.just(ast.EqualCell(ast.Number(Decimal(1), True))),  # judged only per request
    st.builds(ast.InCell, st.lists(literal, max_size=3).map(lambda items: ast.SetLiteral(tuple(items))), st.booleans()),
    st.builds(ast.InCell, st.just(ast.Name("elsewhere")), st.booleans()),
)


def _set_items(expr: ast.Expr):
    return list(expr.items) if isinstance(expr, ast.SetLiteral) else None


@SETTINGS
@given(st.lists(st.sampled_from([VALUES, [True, False], ["a"]]), min_size=1, max_size=3).flatmap(
    lambda domains: st.tuples(st.just(domains), st.lists(
        st.lists(cell, min_size=0, max_size=len(domains) + 1).map(
            lambda cells: ast.MatchRow(tuple(cells), (ast.Number(Decimal(1), True),), None)), max_size=12))))
def test_unmatched_combinations_are_the_pairwise_ones(case):
    domains, rows = case
    assert _unmatched(tuple(rows), domains, _set_items) == lint_oracle.table_missing(rows, domains, _set_items)
