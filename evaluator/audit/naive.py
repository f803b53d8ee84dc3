"""The naive clock that ticketing tools' SLA reports use, kept only to show where it misjudges a ticket.

It reads every time as local wall-clock time: calendar minutes are added to the wall clock (so a
daylight-saving change moves the deadline by an hour), and business time counts Monday–Friday in the
calendar's opening hours with one fixed closure list for every country (Christmas and New Year's
Day) instead of the location's public holidays. Nothing in a decision uses this module.
"""
from __future__ import annotations

import datetime as dt
import zoneinfo

NAIVE_CLOSED = ((12, 24), (12, 25), (12, 26), (1, 1))  # a tool's default "holidays", the same everywhere


def naive_closed(day: dt.date) -> bool:
    return day.weekday() >= 5 or (day.month, day.day) in NAIVE_CLOSED


def naive_due(opened: dt.datetime, minutes: int, clock: str, zone: zoneinfo.ZoneInfo, opens: dt.time,
              closes: dt.time) -> dt.datetime:
    """The deadline as local wall-clock time (no offset): what the naive clock says."""
    wall = opened.astimezone(zone).replace(tzinfo=None)
    if clock == "calendar":
        return wall + dt.timedelta(minutes=minutes)
    left = dt.timedelta(minutes=minutes)
    for _ in range(3700):
        day_open, day_close = dt.datetime.combine(wall.date(), opens), _closing(wall.date(), closes)
        if not naive_closed(wall.date()) and wall < day_close:
            start = max(wall, day_open)
            if start + left <= day_close:
                return start + left
            left -= day_close - start
        wall = dt.datetime.combine(wall.date() + dt.timedelta(days=1), dt.time())
    raise ValueError("no open day within ten years")


def _closing(day: dt.date, closes: dt.time) -> dt.datetime:
    """A close at 24:00 (`time.max`) is the next midnight, on any clock."""
    if closes == dt.time.max:
        return dt.datetime.combine(day + dt.timedelta(days=1), dt.time())
    return dt.datetime.combine(day, closes)


def naive_met(response: dt.datetime, due_wall: dt.datetime, zone: zoneinfo.ZoneInfo) -> bool:
    return response.astimezone(zone).replace(tzinfo=None) <= due_wall
