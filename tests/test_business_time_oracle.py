"""The constant-time business calendar gives exactly the old day-by-day walk's answers (issue 12).

Random calendars (hours, working days, closed days), places and moments; the oracle is the walk
vilkar used before (tests/calendar_oracle.py). Hours stay clear of the night-time daylight-saving
changes of these zones, where the old walk counted wall-clock minutes and SPEC §5 elapsed time.
`VILKAR_LONG_TESTS=1` runs 3,000 examples per property instead of a few hundred.
"""
from __future__ import annotations

import datetime as dt
import os
from typing import Callable

from hypothesis import given, settings
from hypothesis import strategies as st

from calendar_oracle import OracleRules, WalkingCalendar
from evaluator.calendar.hours import BusinessHours, LocalCalendar
from evaluator.calendar.limits import LAST_DAY, OutOfRange
from evaluator.calendar.timeline import DayRules, Timeline

EXAMPLES = 3000 if os.environ.get("VILKAR_LONG_TESTS") == "1" else 150
PLACES = [
    ("DK", None, "Europe/Copenhagen"), ("US", "CA", "America/Los_Angeles"), ("US", "NY", "America/New_York"),
    ("GB", None, "Europe/London"), ("JP", None, "Asia/Tokyo"), ("DE", "BY", "Europe/Berlin"),
    ("AU", "NSW", "Australia/Sydney"), ("IN", None, "Asia/Kolkata"), ("IL", None, "Asia/Jerusalem"),
    ("BR", None, "America/Sao_Paulo"),
]


@st.composite
def calendars(draw, standard: bool = False) -> tuple[LocalCalendar, WalkingCalendar]:
    country, subdivision, zone = draw(st.sampled_from(PLACES))
    if standard or draw(st.booleans()):
        opens, closes = dt.time(9, 0), dt.time(17, 30)
    else:
        start = draw(st.integers(min_value=4 * 60, max_value=20 * 60))
        end = draw(st.integers(min_value=start + 1, max_value=24 * 60))
        opens = dt.time(start // 60, start % 60)
        closes = dt.time.max if end == 24 * 60 else dt.time(end // 60, end % 60)
    workdays = frozenset(draw(st.sets(st.integers(0, 6), min_size=1))) if not standard and draw(st.booleans()) \
        else frozenset(range(5))
    closed_days = frozenset(draw(st.sets(st.tuples(st.integers(1, 12), st.integers(1, 28)), max_size=4)))
    closed_dates = frozenset(draw(st.sets(st.dates(dt.date(2024, 1, 1), dt.date(2028, 12, 31)), max_size=20)))
    public = draw(st.booleans())
    rules = DayRules(opens, closes, workdays, public, closed_days, closed_dates, country, subdivision)
    oracle = OracleRules(opens, closes, workdays, public, closed_days, closed_dates)
    return (LocalCalendar(BusinessHours.standard(), rules, zone),
            WalkingCalendar(oracle, country, subdivision, zone))


moments = st.datetimes(min_value=dt.datetime(2024, 1, 1), max_value=dt.datetime(2028, 12, 31),
                       timezones=st.sampled_from([dt.timezone.utc, dt.timezone(dt.timedelta(hours=1)),
                                                  dt.timezone(dt.timedelta(hours=-8)),
                                                  dt.timezone(dt.timedelta(hours=5, minutes=30))]))
minutes = st.one_of(st.integers(0, 600), st.integers(0, 30_000), st.sampled_from([0, 1, 30, 60, 510, 511]))


def same(new: dt.datetime, old: dt.datetime) -> bool:
    """The same instant, and the same local reading at the location."""
    return new == old and new.isoformat() == old.astimezone(new.tzinfo).isoformat()


def agree(new: Callable[[], dt.datetime | dt.date], old: Callable[[], dt.datetime | dt.date]) -> None:
    """Both give the same answer, or vilkar refuses one that the oracle puts past 2099-12-31 (SPEC §5 Range)."""
    try:
        answer = new()
    except OutOfRange:
        expected = old()
        assert (expected.date() if isinstance(expected, dt.datetime) else expected) > LAST_DAY
        return
    expected = old()
    assert same(answer, expected) if isinstance(answer, dt.datetime) else answer == expected


@settings(max_examples=EXAMPLES, deadline=None)
@given(calendars(), moments)
def test_within_and_next_start_agree(pair, moment):
    new, old = pair
    assert new.within(moment) == old.within(moment)
    assert same(new.next_start(moment), old.next_start(moment))


@settings(max_examples=EXAMPLES, deadline=None)
@given(calendars(), moments, minutes)
def test_business_minutes_agree(pair, moment, amount):
    new, old = pair
    agree(lambda: new.add_business_minutes(moment, amount), lambda: old.add_business_minutes(moment, amount))


@settings(max_examples=EXAMPLES, deadline=None)
@given(calendars(), moments, st.one_of(st.integers(0, 40), st.integers(0, 2000)))
def test_business_days_agree(pair, moment, days):
    new, old = pair
    agree(lambda: new.add_business_days(moment, days), lambda: old.add_business_days(moment, days))
    day = moment.date()
    agree(lambda: new.add_business_days_to_date(day, days), lambda: old.add_business_days_to_date(day, days))


@settings(max_examples=max(10, EXAMPLES // 50), deadline=None)
@given(calendars(standard=True), moments, st.integers(5_000_000, 6_000_000))
def test_up_to_a_hundred_thousand_business_hours_agree(pair, moment, amount):
    new, old = pair
    assert same(new.add_business_minutes(moment, amount), old.add_business_minutes(moment, amount))


def test_threads_sharing_a_timeline_get_the_answers_of_one_thread():
    """Years are laid out lazily, forwards and backwards, while other threads read the same timeline."""
    import random
    from concurrent.futures import ThreadPoolExecutor

    rules = DayRules(dt.time(8, 15), dt.time(16, 45), frozenset({0, 1, 2, 3, 5}), True, frozenset(),
                     frozenset(), "DE", "BY")
    generator = random.Random(12)
    zone = dt.timezone(dt.timedelta(hours=1))
    asks = [(dt.datetime(generator.randint(1975, 2090), generator.randint(1, 12), generator.randint(1, 28),
                         generator.randint(0, 23), tzinfo=zone), generator.choice([0, 45, 600, 90_000]))
            for _ in range(400)]
    oracle = WalkingCalendar(OracleRules(dt.time(8, 15), dt.time(16, 45), frozenset({0, 1, 2, 3, 5})), "DE", "BY",
                             "Europe/Berlin")

    def answer(calendar: LocalCalendar, ask) -> tuple:
        moment, amount = ask
        return (calendar.add_business_minutes(moment, amount), calendar.add_business_days(moment, amount // 60),
                calendar.within(moment))

    shared, alone = (LocalCalendar(BusinessHours.standard(), rules, "Europe/Berlin") for _ in range(2))
    shared.timeline, alone.timeline = Timeline(rules, shared.zone), Timeline(rules, alone.zone)  # fresh, unshared
    with ThreadPoolExecutor(max_workers=8) as pool:
        together = list(pool.map(lambda ask: answer(shared, ask), asks))
    for ask, (minutes, days, within) in zip(asks[:60], together[:60]):
        assert same(minutes, oracle.add_business_minutes(*ask))
        assert same(days, oracle.add_business_days(ask[0], ask[1] // 60)) and within == oracle.within(ask[0])
    assert together == [answer(alone, ask) for ask in asks]


@settings(max_examples=EXAMPLES, deadline=None)
@given(calendars(), moments, minutes, st.integers(0, 59))
def test_business_time_between_a_moment_and_its_due_time_is_the_amount_added(pair, moment, amount, seconds):
    new, old = pair
    start = moment.replace(second=seconds, microsecond=0)
    try:
        due = new.add_business_minutes(start, amount)
    except OutOfRange:
        return
    assert new.business_seconds(start, due) == amount * 60
    assert new.business_seconds(start, start) == 0
    assert new.business_seconds(new.next_start(start), due) == amount * 60


@settings(max_examples=EXAMPLES, deadline=None)
@given(calendars(), moments, st.integers(0, 60 * 24 * 40))
def test_business_time_between_two_moments_is_the_open_time_between_them(pair, start, later):
    new, old = pair
    end = start + dt.timedelta(minutes=later)
    expected = dt.timedelta()
    day = start.astimezone(old.zone).date() - dt.timedelta(days=1)
    while day <= end.astimezone(old.zone).date():
        if old.is_business_day(day):
            opens, closes = (wall.replace(tzinfo=old.zone) for wall in old._bounds(day))
            overlap = min(closes, end) - max(opens, start)  # aware values of different zones: elapsed time
            expected += max(overlap, dt.timedelta())
        day += dt.timedelta(days=1)
    assert new.business_seconds(start, end) == expected.total_seconds()
