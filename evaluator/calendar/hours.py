"""Business calendars at run time: the calendar a policy declares, and business time at a location.

A `calendar` declared in a policy becomes a `BusinessHours`. At a request's location it becomes a
`LocalCalendar` whose day rules are chosen by SPEC §9 §5's precedence: the request's
`location.business_hours`, else the calendar's lines for the subdivision (`in "DE-BY"`), else for the
country (`in "US"`), else the calendar's own. Closed days add up: every `closed on` line that applies
closes its day, and so do the request's `closed_dates`. Business hours are [opens, closes) local
wall-clock time; the arithmetic is a `Timeline`'s.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from .limits import FIRST_DAY, LAST_DAY, OutOfRange, PastLastDay, checked_date
from .rules import MONTHS, REQUEST_DAYS, parse_time, weekdays_of
from .timeline import DayRules, micros, moment_at, timeline

if TYPE_CHECKING:  # a cached load reads calendars without the syntax tree's module
    from ..language import ast

DEFAULT_HOURS = (dt.time(9, 0), dt.time(17, 30))
DEFAULT_WORKDAYS = frozenset(range(5))
_MINUTE = 60_000_000  # microseconds


@dataclass(frozen=True)
class PlaceRules:
    """What a calendar says for one place ("" for everywhere): hours, working days, closed days."""

    hours: tuple[dt.time, dt.time] | None = None
    workdays: frozenset[int] | None = None
    closed_days: frozenset[tuple[int, int]] = frozenset()  # (month, day), every year
    closed_dates: frozenset[dt.date] = frozenset()


@dataclass(frozen=True)
class BusinessHours:
    """A compiled `calendar` declaration."""

    name: str
    places: tuple[tuple[str, PlaceRules], ...]  # "" first, then "US", "DE-BY", ...
    public_holidays: bool
    notes: tuple[str, ...] = ()

    def __hash__(self) -> int:
        # each request looks its LocalCalendar up by this calendar: hash the name, not every line
        return hash(self.name)

    @staticmethod
    def from_declaration(declaration: ast.CalendarDecl) -> BusinessHours:
        found: dict[str, dict] = {"": {}}
        public = False
        for clause in declaration.clauses:
            place = found.setdefault(clause.place or "", {})
            if clause.what == "open":
                place["hours"] = (parse_time(clause.values[0]), parse_time(clause.values[1]))
            elif clause.what == "days":
                place["workdays"] = weekdays_of(clause.values)
            elif clause.what == "holidays":
                public = True
            elif clause.what == "closed":
                day, month = int(clause.values[0]), MONTHS.index(clause.values[1]) + 1
                place.setdefault("closed_days", set()).add((month, day))
            elif clause.what == "closed_date":
                place.setdefault("closed_dates", set()).add(dt.date.fromisoformat(clause.values[0]))
        places = tuple((code, PlaceRules(rules.get("hours"), rules.get("workdays"),
                                         frozenset(rules.get("closed_days", ())),
                                         frozenset(rules.get("closed_dates", ()))))
                       for code, rules in found.items())
        return BusinessHours(declaration.name, places, public, tuple(declaration.notes))

    @staticmethod
    def standard(name: str = "support_hours") -> BusinessHours:
        """09:00–17:30 Monday to Friday, closed on public holidays: SPEC §5's calendar."""
        return BusinessHours(name, (("", PlaceRules(DEFAULT_HOURS, DEFAULT_WORKDAYS)),), True)

    def at(self, location: dict) -> LocalCalendar:
        """This calendar at a request's location (`country`, `timezone`, optional `subdivision`, `business_hours`)."""
        given = location.get("business_hours")
        return _local_calendar(self, location["country"], location.get("subdivision"), location["timezone"],
                               None if given is None else _hours_key(given))

    def rules_at(self, country: str, subdivision: str | None,
                 given: tuple[str | None, str | None, tuple[str, ...] | None, tuple[str, ...]] | None) -> DayRules:
        """The day rules at a place, by SPEC §9 §5's precedence."""
        codes = ("", country) + ((f"{country}-{subdivision}",) if subdivision is not None else ())
        chosen = sorted((item for item in self.places if item[0] in codes), key=lambda item: codes.index(item[0]))
        hours, workdays, source = DEFAULT_HOURS, DEFAULT_WORKDAYS, f"the calendar `{self.name}`"
        for code, rules in chosen:  # the most specific place last, so it wins
            if rules.hours is not None:
                hours = rules.hours
            if rules.workdays is not None:
                workdays = rules.workdays
            if code and (rules.hours is not None or rules.workdays is not None):
                source = f'the calendar `{self.name}` for "{code}"'
        closed_days = frozenset().union(*(rules.closed_days for _, rules in chosen))
        closed_dates = frozenset().union(*(rules.closed_dates for _, rules in chosen))
        if given is not None:
            opens, closes, days, dates = given
            hours = (parse_time(opens or "09:00"), parse_time(closes or "17:30"))
            workdays = frozenset(REQUEST_DAYS.index(day) for day in days) if days is not None else DEFAULT_WORKDAYS
            closed_dates = closed_dates | frozenset(dt.date.fromisoformat(day) for day in dates)
            source = "the request's `location.business_hours`"
        return DayRules(hours[0], hours[1], workdays, self.public_holidays, closed_days, closed_dates, country,
                        subdivision, source)


def _hours_key(given: dict) -> tuple[str | None, str | None, tuple[str, ...] | None, tuple[str, ...]]:
    days = given.get("days")
    return (given.get("open"), given.get("close"), None if days is None else tuple(days),
            tuple(sorted(given.get("closed_dates", ()))))


@lru_cache(maxsize=4096)
def _local_calendar(hours: BusinessHours, country: str, subdivision: str | None, timezone: str,
                    given: tuple | None) -> LocalCalendar:
    return LocalCalendar(hours, hours.rules_at(country, subdivision, given), timezone)


class LocalCalendar:
    """Business time at one location: what is open, and adding business time to a moment."""

    def __init__(self, hours: BusinessHours, rules: DayRules, timezone: str):
        self.hours = hours
        self.rules = rules
        import zoneinfo  # once per place (see _local_calendar): a start that counts no business time never loads it

        self.zone = zoneinfo.ZoneInfo(timezone)
        self.timeline = timeline(rules, timezone)
        self.opens, self.closes = rules.opens, rules.closes

    # -- days
    def closed_because(self, day: dt.date) -> str | None:
        """Why a day has no business hours ("weekend", a holiday's name), or None if it has."""
        return self.rules.closed_because(day)

    def is_business_day(self, day: dt.date) -> bool:
        return self.rules.closed_because(day) is None

    def next_business_day(self, day: dt.date) -> dt.date:
        return self.add_business_days_to_date(day, 1)

    def add_business_days_to_date(self, day: dt.date, count: int) -> dt.date:
        """The `count`-th business day after `day` (`day` itself for 0)."""
        try:
            return dt.date.fromordinal(self.timeline.add_days(day.toordinal(), count))
        except PastLastDay:
            raise OutOfRange(f"{count:,} business days after {day} would be after {LAST_DAY}") from None

    # -- moments
    def local(self, moment: dt.datetime | None) -> dt.datetime | None:
        """A timestamp as the location reads it; one past 2099-12-31 there is out of range (SPEC §5)."""
        if moment is None:
            return None
        result = moment.astimezone(self.zone)
        if result.year > LAST_DAY.year:
            raise OutOfRange(f"the moment {result.isoformat()} would be after {LAST_DAY} at the location")
        return result

    def local_date(self, moment: dt.datetime) -> dt.date:
        return moment.astimezone(self.zone).date()

    def within(self, moment: dt.datetime) -> bool:
        return self.timeline.within(micros(moment))

    def next_start(self, moment: dt.datetime) -> dt.datetime:
        """The first moment at or after this one inside business hours."""
        try:
            return self._moment(self.timeline.next_start(micros(moment)))
        except PastLastDay:
            raise OutOfRange(f"the next business start after {moment.isoformat()} would be after {LAST_DAY}") \
                from None

    def add_business_minutes(self, moment: dt.datetime, minutes: int) -> dt.datetime:
        """The moment when `minutes` of business time have passed since `moment` (0: the next business start)."""
        try:
            return self._moment(self.timeline.add(micros(moment), minutes * _MINUTE))
        except PastLastDay:
            hours = f" ({minutes // 60:,} business hours)" if minutes >= 60 and minutes % 60 == 0 else ""
            raise OutOfRange(f"{minutes:,} business minutes{hours} after {moment.isoformat()} would end after "
                             f"{LAST_DAY}") from None

    def business_seconds(self, start: dt.datetime, end: dt.datetime) -> float:
        """Business time from `start` to `end` (start ≤ end) in seconds: elapsed open time, as counted when adding."""
        return self.timeline.between(micros(start), micros(end)) / 1_000_000

    def add_business_days(self, moment: dt.datetime, count: int) -> dt.datetime:
        """The same local time `count` business days later, moved to the next business start if closed."""
        if count == 0:  # the same time of day on the same date is the moment itself
            return self.next_start(moment)
        wall = moment.astimezone(self.zone)
        day = self.add_business_days_to_date(wall.date(), count)
        # fold=0: a time of day the change skips takes the offset before it, a repeated one its first occurrence
        same_time = dt.datetime.combine(day, wall.time().replace(fold=0), tzinfo=self.zone)
        return self.next_start(same_time)

    def add_calendar_days(self, moment: dt.datetime, count: int) -> dt.datetime:
        """The same local wall-clock time `count` days later."""
        wall = moment.astimezone(self.zone).replace(tzinfo=None, fold=0)
        result = (wall + dt.timedelta(days=count)).replace(tzinfo=self.zone)
        if not FIRST_DAY <= result.date() <= LAST_DAY:
            checked_date(result.date(), f"{count} days after {moment.isoformat()}")
        return result

    def add_duration(self, moment: dt.datetime, duration: tuple[str, int], scale: str) -> dt.datetime:
        """Add a duration whose clock is known only per request: (clock, count in minutes or days)."""
        clock, count = duration
        if clock == "business":
            return self.add_business_minutes(moment, count) if scale == "minutes" \
                else self.add_business_days(moment, count)
        if scale == "minutes":
            result = (moment + dt.timedelta(minutes=count)).astimezone(self.zone)
            if not FIRST_DAY <= result.date() <= LAST_DAY:
                checked_date(result.date(), f"{count} minutes after {moment.isoformat()}")
            return result
        return self.add_calendar_days(moment, count)

    def _moment(self, us: int) -> dt.datetime:
        result = moment_at(us, self.zone)
        if result.year > LAST_DAY.year:  # only a close at 24:00 on 2099-12-31 gets here
            raise PastLastDay(f"{result.isoformat()} is after {LAST_DAY}")
        return result

    def describe(self) -> str:
        """The business hours in force here, in words, for explanations."""
        rules = self.rules
        closes = "24:00" if rules.closes == dt.time.max else f"{rules.closes:%H:%M}"
        days = _day_list(rules.workdays)
        holidays = f", closed on the public holidays of {rules.country}" + (
            f"-{rules.subdivision}" if rules.subdivision else "") if rules.public_holidays else ""
        closed = len(rules.closed_days) + len(rules.closed_dates)
        extra = f" and on {closed} more closed day{'s' if closed != 1 else ''}" if closed else ""
        return (f"business hours {rules.opens:%H:%M}–{closes} local time ({self.zone.key}), {days}{holidays}{extra}"
                f", from {rules.source}")

    def narrate(self, moment: dt.datetime, minutes: int) -> list[str]:
        """How `add_business_minutes` got its answer, a line per day, for explanations."""
        from .narration import narrate  # explanations only
        return narrate(self, moment, minutes)


def _day_list(workdays: frozenset[int]) -> str:
    names = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
    ordered = sorted(workdays)
    if len(ordered) > 2 and ordered == list(range(ordered[0], ordered[-1] + 1)):
        return f"{names[ordered[0]]} to {names[ordered[-1]]}"
    return ", ".join(names[day] for day in ordered)
