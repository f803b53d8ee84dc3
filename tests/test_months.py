"""Calendar months and years on dates, and periods counted from an anchor (SPEC §9 §5).

The cases run the language end to end on a fixture kind; the properties check the arithmetic against
an independent count of months, under both missing-day rules a rule set may declare.
"""
from __future__ import annotations

import calendar
import datetime as dt
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import TESTS
from evaluator import PolicyError, RequestError
from evaluator.api import compile_sources
from evaluator.calendar.limits import OutOfRange
from evaluator.calendar.months import CLAMP, ROLL_FORWARD, add_months, period
from evaluator.language.source import Source
from evaluator.tools.testing import load_cases, run_case

FIXTURE = TESTS / "fixtures" / "months"
SCHEMAS = {"periods": json.loads((FIXTURE / "periods.schema.json").read_text(encoding="utf-8"))}
POLICY = (FIXTURE / "periods.vk").read_text(encoding="utf-8")
ROLLING = compile_sources({"periods.vk": Source.of("periods.vk", POLICY)}, SCHEMAS)
CLAMPING = compile_sources({"periods.vk": Source.of("periods.vk", POLICY.replace(
    "roll forward to the first of the next month", "are clamped to the end of the month"))}, SCHEMAS)
CASES = load_cases(FIXTURE / "cases.yaml")


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_case(case):
    result = run_case(ROLLING, case)
    assert result.passed, "\n".join(result.problems)


def test_the_clamping_rule_is_the_alternative_spec_describes():
    def decide(**fields):
        return CLAMPING.evaluate({"kind": "periods", "last": "2040-12-31", "months": 12, **fields}).to_dict()[
            "decisions"]

    first = decide(start="2028-02-29", day="2029-02-27")
    assert (first["one_year_later"], first["period_end"]) == ("2029-02-28", "2029-02-27")
    assert decide(start="2028-02-29", day="2029-02-28")["period_start"] == "2029-02-28"
    assert decide(start="2026-01-31", day="2026-01-31")["one_month_later"] == "2026-02-28"


def test_a_period_is_reported_by_its_days():
    result = ROLLING.evaluate({"kind": "periods", "start": "2028-02-29", "day": "2029-03-01", "last": "2032-12-31",
                               "months": 12})
    assert "where annual_period = 2029-03-01 to 2030-02-28 (period 2)" in result.explain(detail="full")
    uses = next(entry for entry in result.to_dict()["trace"] if entry["decision"] == "period_start")["uses"]
    assert uses == {"annual_period": {"start": "2029-03-01", "end": "2030-02-28", "number": 2}}


def test_out_of_range_names_the_limit():
    with pytest.raises(RequestError) as raised:
        ROLLING.evaluate({"kind": "periods", "start": "2090-01-01", "day": "2090-01-01", "last": "2095-12-31",
                          "months": 1200})
    assert "2099-12-31" in str(raised.value)


# ---------------------------------------------------------------- properties, against an independent count

def months_later(day: dt.date, count: int, rule: str) -> dt.date:
    """The independent count: step month by month from the anchor's month, then place the day."""
    year, month = day.year, day.month
    for _ in range(count):
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    length = calendar.monthrange(year, month)[1]
    if day.day <= length:
        return dt.date(year, month, day.day)
    return dt.date(year, month, length) if rule == CLAMP else dt.date(year, month, length) + dt.timedelta(days=1)


anchors = st.dates(dt.date(1970, 1, 1), dt.date(2060, 12, 31))
leap_days = st.sampled_from([dt.date(year, 2, 29) for year in range(1972, 2060, 4)])
month_ends = st.builds(lambda y, m: dt.date(y, m, calendar.monthrange(y, m)[1]), st.integers(1970, 2060),
                       st.integers(1, 12))
any_anchor = st.one_of(anchors, leap_days, month_ends)
rules = st.sampled_from([ROLL_FORWARD, CLAMP])


@settings(max_examples=300, deadline=None)
@given(any_anchor, st.integers(0, 400), rules)
def test_adding_months_is_the_same_day_or_the_rule(anchor, count, rule):
    assert add_months(anchor, count, rule) == months_later(anchor, count, rule)


@settings(max_examples=300, deadline=None)
@given(any_anchor, st.integers(0, 30), rules)
def test_years_are_twelve_months_from_the_anchor(anchor, years, rule):
    assert add_months(anchor, 12 * years, rule) == months_later(anchor, 12 * years, rule)


@settings(max_examples=300, deadline=None)
@given(any_anchor, st.integers(0, 12000), st.sampled_from([1, 3, 6, 12, 24]), rules)
def test_the_period_holding_a_day_is_counted_from_the_anchor_never_chained(anchor, offset, months, rule):
    day = anchor + dt.timedelta(days=offset)
    if day > dt.date(2099, 1, 1):
        return
    found = period(months, anchor, day, None, rule)
    k = found.number - 1
    assert found.start == months_later(anchor, k * months, rule)  # S + k·N months, from the anchor
    assert found.end == months_later(anchor, (k + 1) * months, rule) - dt.timedelta(days=1)
    assert found.start <= day <= found.end
    if k > 0:  # the period before ends the day before this one starts: periods tile the days
        assert period(months, anchor, found.start - dt.timedelta(days=1), None, rule).number == k


@settings(max_examples=200, deadline=None)
@given(leap_days, st.integers(1, 20))
def test_a_leap_day_anchor_rolls_forward_in_common_years_only(anchor, years):
    later = add_months(anchor, 12 * years, ROLL_FORWARD)
    assert later == (dt.date(anchor.year + years, 2, 29) if calendar.isleap(anchor.year + years)
                     else dt.date(anchor.year + years, 3, 1))
    first = period(12, anchor, anchor, None, ROLL_FORWARD)
    assert first.end == dt.date(anchor.year + 1, 2, 28)  # SPEC §5: ends 28 February, the next starts 1 March


@settings(max_examples=200, deadline=None)
@given(any_anchor, st.integers(0, 3000), st.dates(dt.date(1970, 1, 1), dt.date(2099, 12, 31)))
def test_the_cut_ends_the_period_and_never_moves_its_start(anchor, offset, cut):
    day = anchor + dt.timedelta(days=offset)
    if day > cut:
        with pytest.raises(ValueError):
            period(12, anchor, day, cut, ROLL_FORWARD)
        return
    whole, cut_one = period(12, anchor, day, None, ROLL_FORWARD), period(12, anchor, day, cut, ROLL_FORWARD)
    assert (cut_one.start, cut_one.number) == (whole.start, whole.number)
    assert cut_one.end == min(whole.end, cut)


def test_dates_past_2099_are_out_of_range():
    with pytest.raises(OutOfRange):
        add_months(dt.date(2099, 12, 1), 1, ROLL_FORWARD)
    assert add_months(dt.date(2099, 11, 30), 1, ROLL_FORWARD) == dt.date(2099, 12, 30)


# ---------------------------------------------------------------- the checker

HEAD = 'kind proactive_request\n  cites "2.7 Anmodninger om proaktive tjenester"\n'
RULE = "dates that do not exist roll forward to the first of the next month\n"


@pytest.mark.parametrize("text, message", [
    (HEAD + "decision deadline = request.submitted_on + 1 month\n",
     "months and years need the rule for a day the later month lacks"),
    (HEAD + "decision deadline = the 1 year period from request.submitted_on containing request.submitted_on\n",
     "months and years need the rule for a day the later month lacks"),
    (HEAD + RULE + "decision deadline = request.work_order_expires_on - 2 months\n",
     "months and years can be added to a date, not taken away"),
    (HEAD + RULE + "decision deadline = request.submitted_on + 2 business months\n",
     "there are no business months: months and years are calendar time"),
    (HEAD + RULE + "decision deadline = request.submitted_on + 1.5 months\n", "a duration must be a whole number"),
    (HEAD + RULE + "decision deadline = request.submitted_on + 1 month + 3 days\n", None),
    (HEAD + RULE + "decision deadline = 1 month + 3 days\n", "cannot add"),
    (HEAD + RULE + "decision deadline = (request.work_order_expires_on - request.submitted_on) >= 2 months\n",
     "cannot compare"),
    (HEAD + RULE + "decision deadline = the 30 days period from request.submitted_on containing request.submitted_on\n",
     "a period is a number of months or years"),
    (HEAD + RULE + "decision deadline = the 1 year period from request.submitted_on containing request.service\n",
     "a period contains a date"),
    (HEAD + RULE + "decision deadline = the 1 year period from request.submitted_on containing request.submitted_on\n",
     "would report a whole period"),
    (HEAD + RULE + RULE + "decision deadline = request.submitted_on + 1 month\n",
     "the rule for dates that do not exist is stated twice"),
    (HEAD + RULE + "decision deadline = (request.work_order_expires_on - request.submitted_on) in months\n",
     "cannot be counted in months"),
])
def test_the_checker_words_what_months_cannot_do(text, message):
    schemas = {"proactive_request": json.loads((TESTS.parent / "schemas" / "proactive_request.schema.json")
                                               .read_text(encoding="utf-8"))}
    if message is None:  # a date plus months is a date, and a date plus days is a date again
        compile_sources({"p.vk": Source.of("p.vk", text)}, schemas)
        return
    with pytest.raises(PolicyError) as raised:
        compile_sources({"p.vk": Source.of("p.vk", text)}, schemas)
    assert any(message in d.message for d in raised.value.diagnostics), [d.message for d in raised.value.diagnostics]


def test_month_lengths_are_the_calendar_modules_in_every_year_a_date_may_reach():
    import calendar

    from evaluator.calendar.months import _MONTH_DAYS, _leap

    assert all(calendar.monthrange(year, month + 1)[1] == (29 if month == 1 and _leap(year) else _MONTH_DAYS[month])
               for year in range(1, 9999) for month in range(12))
