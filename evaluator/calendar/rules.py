"""Static checks of a `calendar` declaration: hours, weekdays and closed days that exist."""
from __future__ import annotations

import datetime as dt
from typing import Iterator

from ..language import ast
from ..language.source import Span

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")

Problem = tuple[str, str, Span, "str | None"]


def parse_time(text: str) -> dt.time | None:
    try:
        hours, minutes = (int(part) for part in text.split(":"))
        if hours == 24 and minutes == 0:
            return dt.time.max
        return dt.time(hours, minutes)
    except ValueError:
        return None


def check_calendar(calendar: ast.CalendarDecl) -> Iterator[Problem]:
    seen: dict[str, ast.CalendarClause] = {}
    for clause in calendar.clauses:
        if clause.what in ("open", "days") and clause.what in seen:
            yield ("VK114", f"the calendar `{calendar.name}` states its {_what(clause)} twice", clause.span,
                   f"the other line is at {seen[clause.what].span}")
        seen.setdefault(clause.what, clause)
        if clause.what in ("open", "country_hours"):
            start, end = clause.values[-2:]
            opening, closing = parse_time(start), parse_time(end)
            if opening is None or closing is None:
                yield ("VK114", f"{start} to {end} is not a time of day", clause.span, "write times as HH:MM, 00:00–24:00")
            elif opening >= closing:
                yield ("VK114", f"opening at {start} is not before closing at {end}", clause.span,
                       "business hours must open before they close on the same day")
            if clause.what == "country_hours" and not (len(clause.values[0]) == 2 and clause.values[0].isupper()):
                yield ("VK114", f'"{clause.values[0]}" is not a country code', clause.span,
                       'use the ISO 3166-1 alpha-2 code, for example "US"')
        if clause.what == "closed":
            day, month = int(clause.values[0]), MONTHS.index(clause.values[1]) + 1
            try:
                dt.date(2024, month, day)  # a leap year, so 29 February is allowed
            except ValueError:
                yield ("VK114", f"{day} {clause.values[1]} is not a day of the year", clause.span, None)
    for needed in ("open", "days"):
        if needed not in seen:
            yield ("VK114", f"the calendar `{calendar.name}` does not state its {_what_name(needed)}", calendar.span,
                   "add `open 09:00 to 17:30` and `on Monday to Friday`")


def _what(clause: ast.CalendarClause) -> str:
    return _what_name(clause.what)


def _what_name(what: str) -> str:
    return "opening hours" if what == "open" else "working days"
