"""How business time was counted, in words: the day-by-day lines of an explanation.

Compiled policies narrate only when an explanation is asked for, so deciding pays nothing for it.
A long count shows its first and last days and says how many it passed over in between.
"""
from __future__ import annotations

import bisect
import datetime as dt

from .hours import LocalCalendar
from .timeline import micros, moment_at

_SHOWN_FIRST, _SHOWN_LAST = 20, 10  # business days shown at each end of a long count
_MINUTE = 60_000_000


def narrate(calendar: LocalCalendar, moment: dt.datetime, minutes: int) -> list[str]:
    """The lines of `add_business_minutes(moment, minutes)`: where counting started, then each day counted."""
    zone = calendar.zone
    local = moment.astimezone(zone)
    steps = [f"from {_day(local)} {local:%H:%M} ({zone.key}, UTC{local.isoformat()[-6:]})"]
    start_us = calendar.timeline.next_start(micros(moment))
    start = moment_at(start_us, zone)
    if start_us != micros(moment):
        day = local.date()
        while day < start.date():
            reason = calendar.closed_because(day)
            steps.append(f"{_day(day)}: " + (f"closed ({reason})" if reason else "after business hours"))
            day += dt.timedelta(days=1)
        steps.append(f"business time starts {_day(start)} {start:%H:%M}")
    end_us = calendar.timeline.add(start_us, minutes * _MINUTE)
    span, first = calendar.timeline.locate(start_us)
    last = max(first, bisect.bisect_left(span.ends, end_us, first))
    pieces = [(max(s, start_us), min(e, end_us)) for s, e in zip(span.starts[first:last + 1], span.ends[first:last + 1])]
    tail = len(pieces) - _SHOWN_LAST if len(pieces) > _SHOWN_FIRST + _SHOWN_LAST + 1 else None
    shown = range(len(pieces)) if tail is None else [*range(_SHOWN_FIRST), *range(tail, len(pieces))]
    previous: dt.date | None = None
    for index in shown:
        begin, end = moment_at(pieces[index][0], zone), moment_at(pieces[index][1], zone)
        if index == tail:
            skipped = pieces[_SHOWN_FIRST:tail]
            counted = sum(e - s for s, e in skipped) // _MINUTE
            steps.append(f"… {len(skipped):,} more business days, {counted:,} business minutes, "
                         f"{_day(moment_at(skipped[0][0], zone))} to {_day(moment_at(skipped[-1][0], zone))} …")
        elif previous is not None:
            steps.extend(_closed_between(calendar, previous, begin.date()))
        steps.append(f"{_day(begin)}: {(pieces[index][1] - pieces[index][0]) // _MINUTE} business minutes, "
                     f"{begin:%H:%M}–{end:%H:%M}")
        previous = begin.date()
    return steps


def _closed_between(calendar: LocalCalendar, last: dt.date, following: dt.date) -> list[str]:
    lines = []
    day = last + dt.timedelta(days=1)
    while day < following:
        lines.append(f"{_day(day)}: closed ({calendar.closed_because(day)})")
        day += dt.timedelta(days=1)
    return lines


class Narrator:
    """A LocalCalendar that notes, per decision, how each step of business time was counted.

    Compiled policies use it only when an explanation is asked for, so deciding pays nothing for it.
    """

    def __init__(self, calendar: LocalCalendar):
        self.calendar = calendar
        self.current = ""
        self.notes: dict[str, list[str]] = {}
        self._described: set[str] = set()

    def note(self, lines: list[str]) -> None:
        self.notes.setdefault(self.current, []).extend(lines)

    def describe(self) -> None:
        """Once per decision: which business hours were in force, and the calendar's notes (F9)."""
        if self.current in self._described:
            return
        self._described.add(self.current)
        self.note([self.calendar.describe()] + list(self.calendar.hours.notes))

    def local(self, moment: dt.datetime | None) -> dt.datetime | None:
        return self.calendar.local(moment)

    def local_date(self, moment: dt.datetime) -> dt.date:
        return self.calendar.local_date(moment)

    def within(self, moment: dt.datetime) -> bool:
        result = self.calendar.within(moment)
        local = moment.astimezone(self.calendar.zone)
        self.note([f"{local:%A %Y-%m-%d %H:%M} is {'inside' if result else 'outside'} business hours"])
        self.describe()
        return result

    def next_start(self, moment: dt.datetime) -> dt.datetime:
        result = self.calendar.next_start(moment)
        if result != moment:
            self.note([f"{moment.astimezone(self.calendar.zone):%A %Y-%m-%d %H:%M} is outside business hours; "
                       f"they next start {result:%A %Y-%m-%d %H:%M}"])
        self.describe()
        return result

    def add_business_minutes(self, moment: dt.datetime, minutes: int) -> dt.datetime:
        result = self.calendar.add_business_minutes(moment, minutes)
        self.note(narrate(self.calendar, moment, minutes))
        self.describe()
        return result

    def add_business_days(self, moment: dt.datetime, count: int) -> dt.datetime:
        result = self.calendar.add_business_days(moment, count)
        local = moment.astimezone(self.calendar.zone)
        self.note([f"{count} business days after {_day(local)} is {_day(result)}"
                   + ("" if result.time() == local.time() else f", at the next business start {result:%H:%M}")])
        self.describe()
        return result

    def add_business_days_to_date(self, day: dt.date, count: int) -> dt.date:
        result = self.calendar.add_business_days_to_date(day, count)
        between = (result - day).days - 1
        skipped = [f"{_day(d)} ({self.calendar.closed_because(d)})" for d in
                   (day + dt.timedelta(days=offset) for offset in range(1, min(between, 60) + 1))
                   if not self.calendar.is_business_day(d)]
        more = " and more" if between > 60 else ""
        self.note([f"{count} business days after {_day(day)} is {_day(result)}"
                   + (f"; not counted: {', '.join(skipped)}{more}" if skipped else "")])
        self.describe()
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


def _day(moment: dt.date | dt.datetime) -> str:
    return f"{moment:%A} {moment:%Y-%m-%d}"
