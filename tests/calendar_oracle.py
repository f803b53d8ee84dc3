"""The business calendar as vilkar computed it before issue 12: walking day by day on the wall clock.

Kept as the test oracle for the constant-time `Timeline`: the property tests require identical
answers wherever no daylight-saving change falls inside business hours (there the old walk counted
wall-clock minutes, while SPEC §5 counts elapsed time from the first occurrence of each wall time).
It reads public holidays straight from the holidays package, not through vilkar's shared tables.
"""
from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass
from functools import lru_cache

import holidays

_MAX_SEARCH_DAYS = 3700


@lru_cache(maxsize=None)
def _public(country: str, subdivision: str | None, year: int) -> frozenset[dt.date]:
    return frozenset(holidays.country_holidays(country, subdiv=subdivision, years=year))


@dataclass(frozen=True)
class OracleRules:
    """The same facts as vilkar's DayRules, stated independently."""

    opens: dt.time = dt.time(9, 0)
    closes: dt.time = dt.time(17, 30)
    workdays: frozenset[int] = frozenset(range(5))
    public_holidays: bool = True
    closed_days: frozenset[tuple[int, int]] = frozenset()
    closed_dates: frozenset[dt.date] = frozenset()


class WalkingCalendar:
    """Today's (pre-issue-12) LocalCalendar walk, unchanged but for where its rules come from."""

    def __init__(self, rules: OracleRules, country: str, subdivision: str | None, timezone: str):
        self.rules = rules
        self.country, self.subdivision = country, subdivision
        self.zone = zoneinfo.ZoneInfo(timezone)
        self.opens, self.closes = rules.opens, rules.closes

    def is_business_day(self, day: dt.date) -> bool:
        if day.weekday() not in self.rules.workdays:
            return False
        if (day.month, day.day) in self.rules.closed_days or day in self.rules.closed_dates:
            return False
        return not (self.rules.public_holidays and day in _public(self.country, self.subdivision, day.year))

    def next_business_day(self, day: dt.date) -> dt.date:
        for _ in range(_MAX_SEARCH_DAYS):
            day += dt.timedelta(days=1)
            if self.is_business_day(day):
                return day
        raise ValueError("no business day within ten years")

    def add_business_days_to_date(self, day: dt.date, count: int) -> dt.date:
        for _ in range(count):
            day = self.next_business_day(day)
        return day

    def _aware(self, wall: dt.datetime) -> dt.datetime:
        return wall.replace(tzinfo=self.zone)

    def _bounds(self, day: dt.date) -> tuple[dt.datetime, dt.datetime]:
        closes = dt.datetime.combine(day + dt.timedelta(days=1), dt.time()) if self.closes == dt.time.max \
            else dt.datetime.combine(day, self.closes)
        return dt.datetime.combine(day, self.opens), closes

    def within(self, moment: dt.datetime) -> bool:
        wall = moment.astimezone(self.zone).replace(tzinfo=None)
        opens, closes = self._bounds(wall.date())
        return opens <= wall < closes and self.is_business_day(wall.date())

    def _next_start_wall(self, wall: dt.datetime) -> dt.datetime:
        day = wall.date()
        if self.is_business_day(day):
            opens, closes = self._bounds(day)
            if wall < opens:
                return opens
            if wall < closes:
                return wall
        return self._bounds(self.next_business_day(day))[0]

    def next_start(self, moment: dt.datetime) -> dt.datetime:
        return self._aware(self._next_start_wall(moment.astimezone(self.zone).replace(tzinfo=None)))

    def add_business_minutes(self, moment: dt.datetime, minutes: int) -> dt.datetime:
        current = self._next_start_wall(moment.astimezone(self.zone).replace(tzinfo=None))
        remaining = dt.timedelta(minutes=minutes)
        while True:
            closes = self._bounds(current.date())[1]
            available = closes - current
            if remaining <= available:
                return self._aware(current + remaining)
            remaining -= available
            current = self._bounds(self.next_business_day(current.date()))[0]

    def add_business_days(self, moment: dt.datetime, count: int) -> dt.datetime:
        wall = moment.astimezone(self.zone).replace(tzinfo=None)
        day = self.add_business_days_to_date(wall.date(), count)
        return self._aware(self._next_start_wall(dt.datetime.combine(day, wall.time())))
