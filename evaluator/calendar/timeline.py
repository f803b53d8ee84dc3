"""Business time in constant time: a location's business days and open intervals, laid out per year.

A `Timeline` lists, for whole years, every business day (by ordinal) and every open interval as UTC
microseconds with the business time counted before it. Adding N business minutes or days is then a
binary search, whatever N is (issue 12: walking day by day made 100,000 business hours cost ~0.1 s).
Years are laid out when first needed and shared by every request with the same rules and time zone;
public holidays are read once per (country, subdivision, year).

Wall-clock times follow SPEC §5: a time that a daylight-saving change skips is read with the offset in
force before the change, one that occurs twice is its first occurrence (Python's `fold=0`). Business
time is elapsed time inside the open intervals.
"""
from __future__ import annotations

import bisect
import datetime as dt
import threading
from dataclasses import dataclass, field
from functools import lru_cache
from array import array
from itertools import accumulate
from typing import TYPE_CHECKING

from .limits import LAST_DAY, OutOfRange, PastLastDay

if TYPE_CHECKING:
    import zoneinfo

FIRST_YEAR = 1969  # a 1970-01-01 moment west of Greenwich is still 1969 locally
LAST_YEAR = LAST_DAY.year

_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)
_MICROSECOND = dt.timedelta(microseconds=1)
_DAY = dt.timedelta(days=1)


def micros(moment: dt.datetime) -> int:
    """An aware moment as whole microseconds since 1970-01-01 UTC."""
    return (moment - _EPOCH) // _MICROSECOND


def moment_at(us: int, zone: zoneinfo.ZoneInfo) -> dt.datetime:
    """Microseconds since the epoch as an aware moment in `zone`."""
    return (_EPOCH + dt.timedelta(microseconds=us)).astimezone(zone)


_holiday_lock = threading.Lock()


@lru_cache(maxsize=4096)
def public_holidays(country: str, subdivision: str | None, year: int) -> dict[dt.date, str]:
    """The public holidays of a country (and subdivision) in one year, by date; built once, shared."""
    import holidays  # loaded with the first calendar question, not with the rule set

    with _holiday_lock:  # the holidays package fills its tables lazily; build each table once
        table = holidays.country_holidays(country, subdiv=subdivision, years=year)
        return {day: name for day, name in table.items() if day.year == year}


@dataclass(frozen=True)
class DayRules:
    """What makes a day a business day at one location, and when it opens and closes."""

    opens: dt.time
    closes: dt.time  # dt.time.max stands for 24:00
    workdays: frozenset[int]  # Monday = 0
    public_holidays: bool
    closed_days: frozenset[tuple[int, int]]  # (month, day), every year
    closed_dates: frozenset[dt.date]
    country: str
    subdivision: str | None
    source: str = field(default="", compare=False)  # where the hours come from, for explanations

    def closed_because(self, day: dt.date) -> str | None:
        """Why a day has no business hours ("weekend", a holiday's name), or None if it has."""
        if day.weekday() not in self.workdays:
            return "weekend"
        if day in self.closed_dates or (day.month, day.day) in self.closed_days:
            return "closed day"
        if self.public_holidays:
            return public_holidays(self.country, self.subdivision, day.year).get(day)
        return None

    def bounds(self, day: dt.date, zone: zoneinfo.ZoneInfo) -> tuple[dt.datetime, dt.datetime]:
        """The day's opening and closing moments (fold=0: SPEC §5's reading of skipped and repeated times)."""
        opens = dt.datetime.combine(day, self.opens, tzinfo=zone)
        closes = dt.datetime.combine(day + _DAY, dt.time(), tzinfo=zone) if self.closes == dt.time.max \
            else dt.datetime.combine(day, self.closes, tzinfo=zone)
        return opens, closes


@dataclass(frozen=True)
class _Year:
    """One year laid out: business-day ordinals, and the open intervals (UTC microseconds) of those days."""

    days: array
    starts: array
    ends: array


@dataclass(frozen=True)
class _Span:
    """Contiguous years laid out; never changed once built, so readers need no lock."""

    first_year: int
    last_year: int
    low: int  # the first moment of the first year (microseconds)
    high: int  # the first moment after the last year
    days: array  # of int64, a quarter of a list's memory: a span may hold 130 years
    starts: array
    ends: array
    before: array  # business microseconds before each interval; one more entry: the total


class Timeline:
    """Business days and open intervals of one set of day rules in one time zone."""

    def __init__(self, rules: DayRules, zone: zoneinfo.ZoneInfo):
        self.rules = rules
        self.zone = zone
        self._span: _Span | None = None
        self._lock = threading.Lock()

    # -- queries
    def locate(self, us: int, following: bool = True) -> tuple[_Span, int]:
        """The laid-out span and the index of the first open interval that ends after `us`.

        With `following`, later years are laid out until there is one; without, the index may be the
        end of the span (nothing opens later in the years laid out around `us`)."""
        span = self._span
        if span is None or us < span.low or us >= span.high:
            year = moment_at(us, self.zone).year
            span = self._cover(year, year)
        index = bisect.bisect_right(span.ends, us)
        while following and index == len(span.ends):
            span = self._grow(span, 1)
            index = bisect.bisect_right(span.ends, us)
        return span, index

    def next_start(self, us: int) -> int:
        span, index = self.locate(us)
        return max(us, span.starts[index])

    def within(self, us: int) -> bool:
        span, index = self.locate(us, following=False)
        return index < len(span.ends) and span.starts[index] <= us

    def add(self, us: int, amount: int) -> int:
        """The moment when `amount` business microseconds have passed since `us` (0: the next start)."""
        while True:
            span, index = self.locate(us)
            start = max(us, span.starts[index])
            if amount == 0:
                return start
            total = span.before[index] + (start - span.starts[index]) + amount
            if total <= span.before[-1]:
                last = bisect.bisect_left(span.before, total, index + 1) - 1
                return span.starts[last] + (total - span.before[last])
            per_year = span.before[-1] // (span.last_year - span.first_year + 1) or 1
            self._grow(span, -(-(total - span.before[-1]) // per_year) + 1)

    def between(self, first: int, last: int) -> int:
        """Business microseconds in [first, last) (first ≤ last): open time counted in both places at once."""
        low, high = (moment_at(us, self.zone).year for us in (first, last))
        span = self._span
        if span is None or not (span.low <= first and last < span.high):
            span = self._cover(low, high)
        return _position(span, last) - _position(span, first)

    def add_days(self, ordinal: int, count: int) -> int:
        """The ordinal of the `count`-th business day after the day `ordinal` (the day itself for 0)."""
        if count == 0:
            return ordinal
        year = dt.date.fromordinal(ordinal).year
        while True:
            span = self._span
            if span is None or not span.first_year <= year <= span.last_year:
                span = self._cover(year, year)
            target = bisect.bisect_right(span.days, ordinal) + count - 1
            if target < len(span.days):
                return span.days[target]
            per_year = len(span.days) // (span.last_year - span.first_year + 1) or 1
            self._grow(span, (target - len(span.days)) // per_year + 1)

    # -- laying out years
    def _grow(self, span: _Span, years: int) -> _Span:
        if span.last_year >= LAST_YEAR:
            raise PastLastDay(f"the business time would end after {LAST_DAY}")
        return self._cover(span.first_year, min(LAST_YEAR, span.last_year + max(years, 1)))

    def _cover(self, first_year: int, last_year: int) -> _Span:
        if first_year < FIRST_YEAR or last_year > LAST_YEAR:
            year = first_year if first_year < FIRST_YEAR else last_year
            raise OutOfRange(f"business time in the year {year} would be needed")
        with self._lock:
            span = self._span
            if span is not None and span.first_year <= first_year and last_year <= span.last_year:
                return span
            span = self._span = self._join(span, first_year, last_year)
            return span

    def _join(self, old: _Span | None, first_year: int, last_year: int) -> _Span:
        """The old span widened to these years: only the years it lacks are laid out."""
        if old is not None:
            first_year, last_year = min(first_year, old.first_year), max(last_year, old.last_year)
        parts: list[_Year | _Span] = []
        for year in range(first_year, last_year + 1):
            if old is None or not old.first_year <= year <= old.last_year:
                parts.append(self._lay_out(year))
            elif year == old.first_year:
                parts.append(old)
        days, starts, ends = array("q"), array("q"), array("q")
        for part in parts:
            days += part.days
            if len(part.starts) and len(ends) and part.starts[0] < ends[-1]:
                starts.append(ends[-1])  # a contrived DST case: never let intervals overlap
                starts += part.starts[1:]
            else:
                starts += part.starts
            ends += part.ends
        before = array("q", accumulate(map(int.__sub__, ends, starts), initial=0))
        low = micros(dt.datetime(first_year, 1, 1, tzinfo=self.zone))
        high = micros(dt.datetime(last_year + 1, 1, 1, tzinfo=self.zone))
        return _Span(first_year, last_year, low, high, days, starts, ends, before)

    def _lay_out(self, year: int) -> _Year:
        rules, zone = self.rules, self.zone
        first = dt.date(year, 1, 1).toordinal()
        closed = {day.toordinal() for day in rules.closed_dates if day.year == year}
        for month, day in rules.closed_days:
            if month != 2 or day != 29 or year % 4 == 0 and (year % 100 != 0 or year % 400 == 0):
                closed.add(dt.date(year, month, day).toordinal())
        if rules.public_holidays:
            closed.update(day.toordinal() for day in public_holidays(rules.country, rules.subdivision, year))
        workdays = rules.workdays
        days = [o for o in range(first, dt.date(year + 1, 1, 1).toordinal())
                if (o - 1) % 7 in workdays and o not in closed]  # ordinal 1 is a Monday
        starts: list[int] = []
        ends: list[int] = []
        for ordinal in days:
            opens, closes = rules.bounds(dt.date.fromordinal(ordinal), zone)
            start, end = micros(opens), micros(closes)
            if ends and start < ends[-1]:
                start = ends[-1]
            if end > start:  # a day whose hours a DST change swallows has no business time
                starts.append(start)
                ends.append(end)
        return _Year(array("q", days), array("q", starts), array("q", ends))


def _position(span: _Span, us: int) -> int:
    """Business microseconds in the span before the moment `us`."""
    index = bisect.bisect_right(span.ends, us)
    if index < len(span.ends) and span.starts[index] <= us:
        return span.before[index] + (us - span.starts[index])
    return span.before[index]


@lru_cache(maxsize=256)
def timeline(rules: DayRules, zone: str) -> Timeline:
    """The shared timeline of these rules in this time zone."""
    import zoneinfo  # once per (rules, zone): a cached start loads it only when business time is first counted

    return Timeline(rules, zoneinfo.ZoneInfo(zone))
