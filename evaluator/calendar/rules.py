"""Static checks of a `calendar` declaration: hours, weekdays, places and closed days that exist."""
from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Iterator

from ..language.source import Span
from .limits import FIRST_DAY, LAST_DAY

if TYPE_CHECKING:  # business hours read these tables at run time, without the syntax tree's module
    from ..language import ast

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")
REQUEST_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")  # `location.business_hours.days`

Problem = tuple[str, str, Span, "str | None"]


def parse_time(text: str) -> dt.time | None:
    try:
        hours, minutes = (int(part) for part in text.split(":"))
        if hours == 24 and minutes == 0:
            return dt.time.max
        return dt.time(hours, minutes)
    except ValueError:
        return None


def weekdays_of(spans: tuple[str, ...]) -> frozenset[int]:
    """`("Monday to Friday", "Sunday")` → {0, 1, 2, 3, 4, 6}; a span may wrap (`Friday to Monday`)."""
    days: set[int] = set()
    for span in spans:
        first, _, last = span.partition(" to ")
        start, end = WEEKDAYS.index(first), WEEKDAYS.index(last or first)
        days.update(day % 7 for day in range(start, end + 1 if end >= start else end + 8))
    return frozenset(days)


def check_calendar(calendar: ast.CalendarDecl) -> Iterator[Problem]:
    seen: dict[tuple[str, str], ast.CalendarClause] = {}
    for clause in calendar.clauses:
        key = (clause.what, clause.place or "")
        if clause.what in ("open", "days", "holidays") and key in seen:
            where = f' for "{clause.place}"' if clause.place else ""
            yield ("VK114", f"the calendar `{calendar.name}` states its {_what_name(clause.what)}{where} twice",
                   clause.span, f"the other line is at {seen[key].span}")
        seen.setdefault(key, clause)
        if clause.place is not None:
            yield from _check_place(clause)
        if clause.what == "open":
            yield from _check_hours(clause)
        elif clause.what == "closed":
            day, month = int(clause.values[0]), MONTHS.index(clause.values[1]) + 1
            try:
                dt.date(2024, month, day)  # a leap year, so 29 February is allowed
            except ValueError:
                yield ("VK114", f"{day} {clause.values[1]} is not a day of the year", clause.span, None)
        elif clause.what == "closed_date":
            yield from _check_date(clause)
    for needed in ("open", "days"):
        if (needed, "") not in seen:
            yield ("VK114", f"the calendar `{calendar.name}` does not state its {_what_name(needed)}", calendar.span,
                   "add `open 09:00 to 17:30` and `on Monday to Friday`")


def _check_hours(clause: ast.CalendarClause) -> Iterator[Problem]:
    start, end = clause.values
    opening, closing = parse_time(start), parse_time(end)
    if opening is None or closing is None:
        yield ("VK114", f"{start} to {end} is not a time of day", clause.span, "write times as HH:MM, 00:00–24:00")
    elif opening >= closing:
        yield ("VK114", f"opening at {start} is not before closing at {end}", clause.span,
               "business hours must open before they close on the same day")


def _check_date(clause: ast.CalendarClause) -> Iterator[Problem]:
    try:
        day = dt.date.fromisoformat(clause.values[0])
    except ValueError:
        yield ("VK114", f"{clause.values[0]} is not a date that exists", clause.span, "dates are written YYYY-MM-DD")
        return
    if not FIRST_DAY <= day <= LAST_DAY:
        yield ("VK114", f"{day} lies outside {FIRST_DAY} … {LAST_DAY}, the span of dates vilkar computes with",
               clause.span, None)


def _check_place(clause: ast.CalendarClause) -> Iterator[Problem]:
    if clause.what == "holidays":
        yield ("VK114", "public holidays are always the location's own", clause.span,
               "write `closed on public holidays` once, without `in`")
        return
    country, _, subdivision = clause.place.partition("-")
    known = _countries()
    if country not in known:
        from ..language.diagnostics import did_you_mean
        yield ("VK114", f'"{clause.place}" is not a country the holidays package knows', clause.span,
               did_you_mean(country, known) or 'use an ISO 3166-1 alpha-2 code such as "US", or "DE-BY" for a '
                                                'subdivision')
    elif subdivision and subdivision not in known[country]:
        from ..language.diagnostics import did_you_mean
        yield ("VK114", f'"{subdivision}" is not a subdivision of {country} that the holidays package knows',
               clause.span, did_you_mean(subdivision, known[country]) or
               f"{country} has these subdivisions: {', '.join(known[country][:30]) or 'none'}")


def _countries() -> dict[str, list[str]]:
    from ..requests.schema import countries  # the same list the request validator uses
    return countries()


def _what_name(what: str) -> str:
    return {"open": "opening hours", "days": "working days", "holidays": "public holidays"}[what]
