"""Property tests of business-time arithmetic on the shipped calendar, against an independent count."""
from __future__ import annotations

import datetime as dt
import zoneinfo

import holidays
from hypothesis import given, settings
from hypothesis import strategies as st

from evaluator.api import default_policies
from evaluator.calendar.hours import BusinessHours

LOCATIONS = [
    {"country": "DK", "timezone": "Europe/Copenhagen"},
    {"country": "US", "subdivision": "CA", "timezone": "America/Los_Angeles"},
    {"country": "GB", "timezone": "Europe/London"},
    {"country": "JP", "timezone": "Asia/Tokyo"},
    {"country": "DE", "subdivision": "BY", "timezone": "Europe/Berlin"},
]
HOURS: BusinessHours = default_policies().kinds["business_time"].calendar

moments = st.datetimes(min_value=dt.datetime(2025, 12, 1), max_value=dt.datetime(2027, 2, 1),
                       timezones=st.sampled_from([dt.timezone.utc, dt.timezone(dt.timedelta(hours=1)),
                                                  dt.timezone(dt.timedelta(hours=-8))])).map(
    lambda moment: moment.replace(microsecond=0))
locations = st.sampled_from(LOCATIONS)
amounts = st.integers(min_value=1, max_value=6000)


def business_minutes_between(location: dict, start: dt.datetime, end: dt.datetime) -> int:
    """An independent count: business minutes in [start, end), day by day, from the holidays package."""
    zone = zoneinfo.ZoneInfo(location["timezone"])
    start, end = start.astimezone(zone), end.astimezone(zone)
    public = holidays.country_holidays(location["country"], subdiv=location.get("subdivision"),
                                       years=range(start.year, end.year + 1))
    total = dt.timedelta()
    day = start.date()
    while day <= end.date():
        if day.weekday() < 5 and day not in public:
            opens = dt.datetime.combine(day, dt.time(9, 0), tzinfo=zone)
            closes = dt.datetime.combine(day, dt.time(17, 30), tzinfo=zone)
            overlap = min(closes, end) - max(opens, start)
            if overlap > dt.timedelta():
                total += overlap
        day += dt.timedelta(days=1)
    return int(total.total_seconds() // 60)


def open_or_closing(calendar, moment: dt.datetime) -> bool:
    local = moment.astimezone(calendar.zone)
    closing = local.time() == dt.time(17, 30) and calendar.is_business_day(local.date())
    return calendar.within(moment) or closing


@settings(max_examples=200, deadline=None)
@given(locations, moments, amounts)
def test_results_fall_inside_business_hours(location, start, minutes):
    calendar = HOURS.at(location)
    assert open_or_closing(calendar, calendar.add_business_minutes(start, minutes))
    assert calendar.within(calendar.next_start(start))


@settings(max_examples=200, deadline=None)
@given(locations, moments, amounts, amounts)
def test_adding_a_then_b_is_adding_a_plus_b(location, start, a, b):
    calendar = HOURS.at(location)
    assert calendar.add_business_minutes(calendar.add_business_minutes(start, a), b) == \
        calendar.add_business_minutes(start, a + b)


@settings(max_examples=200, deadline=None)
@given(locations, moments, moments, amounts)
def test_monotonic_in_the_start(location, first, second, minutes):
    calendar = HOURS.at(location)
    earlier, later = sorted([first, second])
    assert calendar.add_business_minutes(earlier, minutes) <= calendar.add_business_minutes(later, minutes)


@settings(max_examples=200, deadline=None)
@given(locations, moments, amounts)
def test_business_minutes_between_start_and_result_equal_the_amount(location, start, minutes):
    calendar = HOURS.at(location)
    due = calendar.add_business_minutes(start, minutes)
    assert business_minutes_between(location, start, due) == minutes
    assert due.utcoffset() == due.astimezone(zoneinfo.ZoneInfo(location["timezone"])).utcoffset()


@settings(max_examples=150, deadline=None)
@given(locations, moments, st.integers(min_value=0, max_value=40))
def test_business_days_keep_the_time_of_day_or_move_to_the_next_start(location, start, days):
    calendar = HOURS.at(location)
    due = calendar.add_business_days(start, days)
    local_start, local_due = start.astimezone(calendar.zone), due.astimezone(calendar.zone)
    assert calendar.within(due)
    if local_due.time() != dt.time(9, 0):
        assert local_due.time() == local_start.time()
    assert local_due.date() >= calendar.add_business_days_to_date(local_start.date(), days)


@settings(max_examples=150, deadline=None)
@given(locations, moments, st.integers(min_value=1, max_value=600))
def test_calendar_minutes_are_elapsed_time(location, start, minutes):
    calendar = HOURS.at(location)
    due = calendar.add_duration(start, ("calendar", minutes), "minutes")
    assert due - start == dt.timedelta(minutes=minutes)
    assert due.tzinfo is not None


def test_spring_forward_in_copenhagen_counts_elapsed_minutes():
    calendar = HOURS.at(LOCATIONS[0])
    opened = dt.datetime(2026, 3, 29, 1, 50, tzinfo=dt.timezone(dt.timedelta(hours=1)))
    due = calendar.add_duration(opened, ("calendar", 15), "minutes")
    assert due.isoformat() == "2026-03-29T03:05:00+02:00"


def test_narration_names_the_days_skipped():
    calendar = HOURS.at(LOCATIONS[0])
    opened = dt.datetime(2026, 12, 24, 16, 45, tzinfo=dt.timezone(dt.timedelta(hours=1)))
    steps = calendar.narrate(opened, 120)
    assert "Thursday 2026-12-24: 45 business minutes, 16:45–17:30" in steps
    assert "Friday 2026-12-25: closed (Christmas Day)" in steps
    assert "Saturday 2026-12-26: closed (weekend)" in steps
    assert "Monday 2026-12-28: 75 business minutes, 09:00–10:15" in steps
