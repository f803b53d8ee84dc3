"""Parentheses around `+` keep their meaning: the parser flattens runs of `+` (chains.py), but a date plus
months is added left to right (SPEC §5), so `d + (1 month + 1 month)` is not `d + 1 month + 1 month`."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from evaluator.language.parser import parse_module
from evaluator.language.source import Source
from evaluator.tools.fmt import format_source
from policykit import DATE, INTEGER, build, decide

GROUPS = '''
dates that do not exist roll forward to the first of the next month

kind probe
decision at_once = request.day + (1 month + 1 month)
decision stepwise = request.day + 1 month + 1 month
decision left_group = (request.day + 1 month) + 1 month
decision months_first = (request.days - request.day) + (12 months + request.day)
decision numbers = request.n + (request.n + 1) + (2 + request.n)
'''


def test_a_parenthesised_sum_of_months_is_added_at_once():
    policies = build(GROUPS, {"day": DATE, "days": DATE, "n": INTEGER})
    decided = decide(policies, day="2026-01-31", days="2026-02-02", n=1)
    assert decided["at_once"] == dt.date(2026, 3, 31)
    assert decided["stepwise"] == decided["left_group"] == dt.date(2026, 4, 1)  # 31 Jan + 1 month = 1 March
    assert decided["months_first"] == dt.date(2027, 2, 2)  # was VK105: the group was read as days + months
    assert decided["numbers"] == 6


def test_fmt_keeps_the_parentheses_that_group_a_sum():
    text = format_source(Source.of("policies/probe.vk", GROUPS))
    assert "request.day + (1 month + 1 month)" in text
    assert "stepwise = request.day + 1 month + 1 month" in text
    assert "request.days - request.day + (12 months + request.day)" in text
    before = parse_module(Source.of("a.vk", GROUPS))
    after = parse_module(Source.of("a.vk", text))
    assert [item for item in before.items] == [item for item in after.items]
    assert format_source(Source.of("policies/probe.vk", text)) == text


def test_an_exact_sum_in_parentheses_is_added_as_one_value():
    # exact decimals round at 200 digits: 1 + 5E-200 rounds to 1, 5E-200 + 5E-200 is exact; the compiled
    # code added a parenthesised sum left to right with the rest (found by the generated-policy property test)
    from policykit import NUMBER
    policies = build('''
kind probe
decision grouped = request.a + (request.b + request.c)
decision in_turn = request.a + request.b + request.c
''', {"a": NUMBER, "b": NUMBER, "c": NUMBER})
    tiny = "0." + "0" * 199 + "5"
    decided = policies.evaluate({"kind": "probe", "a": "1", "b": tiny, "c": tiny}, validate=False).decisions
    assert decided["grouped"] == Decimal("1." + "0" * 198 + "1")
    assert decided["in_turn"] == 1
