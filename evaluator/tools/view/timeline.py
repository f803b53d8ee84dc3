"""The business time behind a request's due time: counted, closed and holiday intervals, day by day.

The intervals come from the kind's calendar at the request's location, independently of how the engine
added the time; a timeline is drawn only where adding its counted minutes to the start gives the
engine's due time again, so the picture and the answer cannot disagree unnoticed.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

_NARRATED_MINUTES = re.compile(r"(\d+) business minutes")


@dataclass(frozen=True)
class Interval:
    """A stretch of local time between the start and the due time."""

    start: dt.datetime
    end: dt.datetime
    state: str  # counted | closed | holiday
    label: str

    @property
    def minutes(self) -> int:
        return int((self.end - self.start).total_seconds() // 60)


@dataclass(frozen=True)
class Timeline:
    decision: str
    start: dt.datetime
    due: dt.datetime
    zone: str
    intervals: tuple[Interval, ...]

    @property
    def counted_minutes(self) -> int:
        return sum(interval.minutes for interval in self.intervals if interval.state == "counted")


def build_timeline(calendar: Any, decision: str, start: dt.datetime, due: dt.datetime) -> Timeline:
    """Every interval from `start` to `due` on a LocalCalendar, classified."""
    zone = calendar.zone
    start, due = start.astimezone(zone), due.astimezone(zone)
    intervals: list[Interval] = []
    day = start.date()
    while day <= due.date():
        for low, high, state, label in _day_intervals(calendar, day):
            low, high = max(low, start), min(high, due)
            if low < high:
                intervals.append(Interval(low, high, state, label))
        day += dt.timedelta(days=1)
    return Timeline(decision, start, due, zone.key, tuple(_merged(intervals)))


def _day_intervals(calendar: Any, day: dt.date) -> list[tuple[dt.datetime, dt.datetime, str, str]]:
    zone = calendar.zone
    midnight = dt.datetime.combine(day, dt.time(), zone)
    following = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), zone)
    reason = calendar.closed_because(day)
    if reason is not None:
        state = "closed" if reason in ("weekend", "closed day") else "holiday"
        return [(midnight, following, state, f"{day:%a %d %b}: {reason}")]
    opens = dt.datetime.combine(day, calendar.opens, zone)
    closes = following if calendar.closes == dt.time.max else dt.datetime.combine(day, calendar.closes, zone)
    return [(midnight, opens, "closed", f"{day:%a %d %b}: before {calendar.opens:%H:%M}"),
            (opens, closes, "counted", f"{day:%a %d %b}: business hours"),
            (closes, following, "closed", f"{day:%a %d %b}: after {calendar.closes:%H:%M}")]


def _merged(intervals: list[Interval]) -> list[Interval]:
    """Adjacent closed stretches (an evening, a weekend, the next morning) become one."""
    merged: list[Interval] = []
    for interval in intervals:
        last = merged[-1] if merged else None
        if last is not None and last.state == interval.state == "closed" and last.end == interval.start:
            merged[-1] = Interval(last.start, interval.end, "closed", f"{last.label}, {interval.label.split(': ', 1)[-1]}")
        else:
            merged.append(interval)
    return merged


def request_timelines(policies: Any, result: Any) -> list[Timeline]:
    """A timeline for each decision whose due time the engine counted in business minutes."""
    compiled = policies.kinds[result.kind]
    if compiled.calendar is None:
        return []
    location = result.input_value(tuple(compiled.location))
    if not isinstance(location, dict):
        return []
    calendar = compiled.calendar.at(location)
    notes = result.counted()
    timelines = []
    for name, value in result.decisions.items():
        narrated = [int(m) for line in notes.get(name, []) for m in _NARRATED_MINUTES.findall(line)]
        if not isinstance(value, dt.datetime) or not narrated:
            continue
        start = _start(result, name)
        if start is None:
            continue
        timeline = build_timeline(calendar, name, start, value)
        if calendar.add_business_minutes(start, timeline.counted_minutes) == value:
            timelines.append(timeline)
    return timelines


def _start(result: Any, name: str) -> dt.datetime | None:
    """The request moment the decision's rule counts from."""
    _, rule = result.fired()[name]
    for path in rule.inputs:
        value = result.input_value(path)
        if isinstance(value, str):
            try:
                moment = dt.datetime.fromisoformat(value)
            except ValueError:
                continue
            if moment.tzinfo is not None:
                return moment
        if isinstance(value, dt.datetime):
            return value
    return None
