"""Business calendars at run time: opening hours, working days and public holidays at a location.

A `calendar` declared in a policy becomes a `BusinessHours`; at a request's location it becomes a
`LocalCalendar`, cached per (calendar, country, subdivision, time zone), whose holiday table is built
once per year. Business hours are the half-open interval [opens, closes) in local wall-clock time.
"""
from __future__ import annotations

import datetime as dt
import threading
import zoneinfo
from dataclasses import dataclass
from functools import lru_cache

from ..language import ast
from .rules import MONTHS, WEEKDAYS, parse_time

_MAX_SEARCH_DAYS = 3700  # a calendar with no business day in ten years is a broken calendar


@dataclass(frozen=True)
class BusinessHours:
    """A compiled `calendar` declaration."""

    name: str
    opens: dt.time
    closes: dt.time
    workdays: frozenset[int]  # Monday = 0
    public_holidays: bool
    closed_days: frozenset[tuple[int, int]]  # (month, day)
    country_hours: tuple[tuple[str, dt.time, dt.time], ...] = ()

    @staticmethod
    def from_declaration(declaration: ast.CalendarDecl) -> BusinessHours:
        opens, closes = dt.time(9, 0), dt.time(17, 30)
        workdays: frozenset[int] = frozenset(range(5))
        public, closed, per_country = False, set(), []
        for clause in declaration.clauses:
            if clause.what == "open":
                opens, closes = parse_time(clause.values[0]), parse_time(clause.values[1])
            elif clause.what == "days":
                first, last = WEEKDAYS.index(clause.values[0]), WEEKDAYS.index(clause.values[1])
                workdays = frozenset(day % 7 for day in range(first, last + 1 if last >= first else last + 8))
            elif clause.what == "holidays":
                public = True
            elif clause.what == "closed":
                closed.add((MONTHS.index(clause.values[1]) + 1, int(clause.values[0])))
            elif clause.what == "country_hours":
                per_country.append((clause.values[0], parse_time(clause.values[1]), parse_time(clause.values[2])))
        return BusinessHours(declaration.name, opens, closes, workdays, public, frozenset(closed),
                             tuple(per_country))

    def at(self, location: dict) -> LocalCalendar:
        """This calendar at a request's location (`country`, `timezone`, optional `subdivision`)."""
        return _local_calendar(self, location["country"], location.get("subdivision"), location["timezone"])


@lru_cache(maxsize=1024)
def _local_calendar(hours: BusinessHours, country: str, subdivision: str | None, timezone: str) -> LocalCalendar:
    return LocalCalendar(hours, country, subdivision, zoneinfo.ZoneInfo(timezone))


_holiday_lock = threading.Lock()


@lru_cache(maxsize=4096)
def _holidays(country: str, subdivision: str | None, year: int) -> dict[dt.date, str]:
    """The public holidays of a country (and subdivision) in one year, by date."""
    import holidays  # loaded with the first calendar question, not with the rule set

    with _holiday_lock:  # the holidays package fills its tables lazily; build each table once
        table = holidays.country_holidays(country, subdiv=subdivision, years=year)
        return {day: name for day, name in table.items() if day.year == year}


class LocalCalendar:
    """Business time at one location: what is open, and adding business time to a moment."""

    def __init__(self, hours: BusinessHours, country: str, subdivision: str | None, zone: zoneinfo.ZoneInfo):
        self.hours = hours
        self.country = country
        self.subdivision = subdivision
        self.zone = zone
        self.opens, self.closes = hours.opens, hours.closes
        for code, opens, closes in hours.country_hours:
            if code == country:
                self.opens, self.closes = opens, closes

    # -- days
    def closed_because(self, day: dt.date) -> str | None:
        """Why a day has no business hours ("weekend", a holiday's name), or None if it has."""
        if day.weekday() not in self.hours.workdays:
            return "weekend"
        if (day.month, day.day) in self.hours.closed_days:
            return "closed day"
        if self.hours.public_holidays:
            name = _holidays(self.country, self.subdivision, day.year).get(day)
            if name is not None:
                return name
        return None

    def is_business_day(self, day: dt.date) -> bool:
        return self.closed_because(day) is None

    def next_business_day(self, day: dt.date) -> dt.date:
        for _ in range(_MAX_SEARCH_DAYS):
            day += dt.timedelta(days=1)
            if self.is_business_day(day):
                return day
        raise ValueError(f"the calendar `{self.hours.name}` has no business day within ten years of {day}")

    def add_business_days_to_date(self, day: dt.date, count: int) -> dt.date:
        for _ in range(count):
            day = self.next_business_day(day)
        return day

    # -- moments
    def local(self, moment: dt.datetime | None) -> dt.datetime | None:
        return None if moment is None else moment.astimezone(self.zone)

    def local_date(self, moment: dt.datetime) -> dt.date:
        return moment.astimezone(self.zone).date()

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
        """The first moment at or after this one inside business hours."""
        return self._aware(self._next_start_wall(moment.astimezone(self.zone).replace(tzinfo=None)))

    def add_business_minutes(self, moment: dt.datetime, minutes: int) -> dt.datetime:
        """The moment when `minutes` of business time have passed since `moment`."""
        return self._aware(self._walk(moment, minutes, None))

    def _walk(self, moment: dt.datetime, minutes: int, steps: list[str] | None) -> dt.datetime:
        current = self._next_start_wall(moment.astimezone(self.zone).replace(tzinfo=None))
        remaining = dt.timedelta(minutes=minutes)
        while True:
            closes = self._bounds(current.date())[1]
            available = closes - current
            if remaining <= available:
                if steps is not None:
                    steps.append(f"{_day(current)}: {_minutes(remaining)} business minutes, "
                                 f"{current:%H:%M}–{current + remaining:%H:%M}")
                return current + remaining
            remaining -= available
            if steps is not None and available:
                steps.append(f"{_day(current)}: {_minutes(available)} business minutes, "
                             f"{current:%H:%M}–{closes:%H:%M}")
            following = self.next_business_day(current.date())
            if steps is not None:
                self._skipped(current.date(), following, steps)
            current = self._bounds(following)[0]

    def _skipped(self, last: dt.date, following: dt.date, steps: list[str]) -> None:
        day = last + dt.timedelta(days=1)
        while day < following:
            steps.append(f"{_day(day)}: closed ({self.closed_because(day)})")
            day += dt.timedelta(days=1)

    def add_business_days(self, moment: dt.datetime, count: int) -> dt.datetime:
        """The same local time `count` business days later, moved to the next business start if closed."""
        wall = moment.astimezone(self.zone).replace(tzinfo=None)
        day = self.add_business_days_to_date(wall.date(), count)
        return self._aware(self._next_start_wall(dt.datetime.combine(day, wall.time())))

    def add_calendar_days(self, moment: dt.datetime, count: int) -> dt.datetime:
        """The same local wall-clock time `count` days later."""
        wall = moment.astimezone(self.zone).replace(tzinfo=None)
        return self._aware(wall + dt.timedelta(days=count))

    def add_duration(self, moment: dt.datetime, duration: tuple[str, int], scale: str) -> dt.datetime:
        """Add a duration whose clock is known only per request: (clock, count in minutes or days)."""
        clock, count = duration
        if clock == "business":
            return self.add_business_minutes(moment, count) if scale == "minutes" \
                else self.add_business_days(moment, count)
        if scale == "minutes":
            return (moment + dt.timedelta(minutes=count)).astimezone(self.zone)
        return self.add_calendar_days(moment, count)

    def narrate(self, moment: dt.datetime, minutes: int) -> list[str]:
        """How `add_business_minutes` got its answer, a line per day, for explanations."""
        local = moment.astimezone(self.zone)
        steps = [f"from {_day(local)} {local:%H:%M} ({self.zone.key}, UTC{local.isoformat()[-6:]})"]
        wall = local.replace(tzinfo=None)
        start = self._next_start_wall(wall)
        if start != wall:
            day = wall.date()
            while day < start.date():
                reason = self.closed_because(day)
                steps.append(f"{_day(day)}: " + (f"closed ({reason})" if reason else "after business hours"))
                day += dt.timedelta(days=1)
            steps.append(f"business time starts {_day(start)} {start:%H:%M}")
        self._walk(moment, minutes, steps)
        return steps


class Narrator:
    """A LocalCalendar that notes, per decision, how each step of business time was counted.

    Compiled policies use it only when an explanation is asked for, so deciding pays nothing for it.
    """

    def __init__(self, calendar: LocalCalendar):
        self.calendar = calendar
        self.current = ""
        self.notes: dict[str, list[str]] = {}

    def note(self, lines: list[str]) -> None:
        self.notes.setdefault(self.current, []).extend(lines)

    def local(self, moment: dt.datetime | None) -> dt.datetime | None:
        return self.calendar.local(moment)

    def local_date(self, moment: dt.datetime) -> dt.date:
        return self.calendar.local_date(moment)

    def within(self, moment: dt.datetime) -> bool:
        return self.calendar.within(moment)

    def next_start(self, moment: dt.datetime) -> dt.datetime:
        result = self.calendar.next_start(moment)
        if result != moment:
            self.note([f"{moment.astimezone(self.calendar.zone):%A %Y-%m-%d %H:%M} is outside business hours; "
                       f"they next start {result:%A %Y-%m-%d %H:%M}"])
        return result

    def add_business_minutes(self, moment: dt.datetime, minutes: int) -> dt.datetime:
        self.note(self.calendar.narrate(moment, minutes))
        return self.calendar.add_business_minutes(moment, minutes)

    def add_business_days(self, moment: dt.datetime, count: int) -> dt.datetime:
        result = self.calendar.add_business_days(moment, count)
        local = moment.astimezone(self.calendar.zone)
        self.note([f"{count} business days after {_day(local)} is {_day(result)}"
                   + ("" if result.time() == local.time() else f", at the next business start {result:%H:%M}")])
        return result

    def add_business_days_to_date(self, day: dt.date, count: int) -> dt.date:
        result = self.calendar.add_business_days_to_date(day, count)
        skipped = [f"{_day(d)} ({self.calendar.closed_because(d)})" for d in _days_between(day, result)
                   if not self.calendar.is_business_day(d)]
        self.note([f"{count} business days after {_day(day)} is {_day(result)}"
                   + (f"; not counted: {', '.join(skipped)}" if skipped else "")])
        return result

    def add_calendar_days(self, moment: dt.datetime, count: int) -> dt.datetime:
        return self.calendar.add_calendar_days(moment, count)

    def add_duration(self, moment: dt.datetime, duration: tuple[str, int], scale: str) -> dt.datetime:
        clock, count = duration
        if clock == "business":
            return self.add_business_minutes(moment, count) if scale == "minutes" \
                else self.add_business_days(moment, count)
        result = self.calendar.add_duration(moment, duration, scale)
        self.note([f"{count} calendar {scale} after {moment.astimezone(self.calendar.zone):%A %Y-%m-%d %H:%M} "
                   f"({self.calendar.zone.key}) is {result:%A %Y-%m-%d %H:%M}, counted as elapsed time"])
        return result


def _days_between(first: dt.date, last: dt.date) -> list[dt.date]:
    return [first + dt.timedelta(days=offset) for offset in range(1, (last - first).days)]


def _day(moment: dt.date | dt.datetime) -> str:
    return f"{moment:%A} {moment:%Y-%m-%d}"


def _minutes(delta: dt.timedelta) -> int:
    return int(delta.total_seconds() // 60)
