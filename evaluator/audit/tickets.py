"""One ticket audited: the policies' expected-by, met or missed, by how much and the lead time on the plan's clock.

A ticket is an `incident` request plus `first_response_at` (the first non-automated contact) and,
optionally, a `ticket` id. The expected-by moment is the policies' own decision; this module only
measures the actual response against it, in calendar minutes or in business minutes as the plan's
clock says, and compares with the naive wall clock (audit/naive.py). Business minutes are counted
by the same calendar that decided the ticket: the incident kind's calendar at the request's
location, so the request's `location.business_hours`, else the calendar's lines for the subdivision
or country, else its own hours; and they are counted as the decision counts them, in elapsed open
time (`LocalCalendar.business_seconds`), whatever the clocks do.
"""
from __future__ import annotations

import datetime as dt
import json
import math
from decimal import Decimal
from typing import Any

from ..api import PolicySet
from ..calendar.hours import LocalCalendar
from ..errors import RequestError, RequestProblem
from .naive import naive_closed, naive_due, naive_met

EXTRA_FIELDS = ("first_response_at", "ticket")


def audit_line(policies: PolicySet, number: int, line: str) -> dict[str, Any]:
    """The audit record of one JSON line: the ticket's figures, or an error record like the batch's."""
    try:
        document = json.loads(line, parse_float=Decimal)
    except (json.JSONDecodeError, RecursionError) as error:
        message = getattr(error, "msg", "too deeply nested")
        return {"line": number, "error": f"not valid JSON at column {getattr(error, 'colno', 1)}: {message}"}
    try:
        return {"line": number, **audit_ticket(policies, document)}
    except RequestError as error:
        return {"line": number, "error": "invalid ticket", "errors": [p.to_dict() for p in error.errors]}


def audit_ticket(policies: PolicySet, ticket: Any) -> dict[str, Any]:
    """Expected by, met, margin and lead time of one ticket; raises RequestError for a bad one."""
    if not isinstance(ticket, dict):
        raise RequestError([RequestProblem("", "a ticket is an incident request with first_response_at",
                                           type(ticket).__name__)])
    request = {key: value for key, value in ticket.items() if key not in EXTRA_FIELDS}
    if request.get("kind") != "incident":
        raise RequestError([RequestProblem("/kind", "a ticket is an incident request", request.get("kind"),
                                           'give "kind": "incident"')])
    result = policies.evaluate(request)
    decisions = result.to_dict(trace=False)["decisions"]
    opened = moment(request["opened_at"])
    response = _response(ticket, opened)
    minutes, clock = decisions["first_response_minutes"], decisions["first_response_clock"]
    calendar = _calendar(policies, request)
    record: dict[str, Any] = {
        "ticket": str(ticket["ticket"]) if "ticket" in ticket else None,
        "severity": request["severity"], "plan": decisions["response_plan"], "country": calendar.rules.country,
        "month": opened.astimezone(calendar.zone).strftime("%Y-%m"), "clock": clock, "target_minutes": minutes,
        "opened_at": _shown(opened, calendar), "first_response_at": _shown(response, calendar),
        "expected_by": decisions["first_response_expected_by"],
    }
    if minutes is None:  # the plan states no time for this ticket: nothing to meet or miss
        record.update(met=None, margin_minutes=None, lead_minutes=None, naive=None, naive_differs=False, reason=None)
        return record
    due = moment(decisions["first_response_expected_by"])
    met = response <= due
    wall_due = naive_due(opened, minutes, clock, calendar.zone, calendar.opens, calendar.closes)
    naive = naive_met(response, wall_due, calendar.zone)
    record.update(
        met=met,
        margin_minutes=_whole_minutes(_signed(calendar, clock, response, due)),
        lead_minutes=_whole_minutes(_signed(calendar, clock, opened, response)),
        naive={"expected_by": wall_due.isoformat(timespec="seconds"), "met": naive},
        naive_differs=naive != met,
        reason=_reason(calendar, clock, opened, response, due, wall_due, met) if naive != met
        else None,
    )
    return record


def _response(ticket: dict[str, Any], opened: dt.datetime) -> dt.datetime:
    value = ticket.get("first_response_at")
    if value is None:
        raise RequestError([RequestProblem("/first_response_at", "is required but missing", has_value=False,
                                           hint="the moment of the first non-automated contact, RFC 3339")])
    try:
        response = moment(value) if isinstance(value, str) else None
    except ValueError:
        response = None
    if response is None or response.utcoffset() is None:
        raise RequestError([RequestProblem("/first_response_at", "is not a timestamp with a UTC offset", value,
                                           "write it as 2026-11-27T10:15:00+01:00")])
    if response < opened:
        raise RequestError([RequestProblem("/first_response_at", "is before the ticket was opened", value,
                                           f"opened_at is {opened.isoformat()}")])
    return response


def moment(text: str) -> dt.datetime:
    """An RFC 3339 timestamp (`z` and `t` in either case)."""
    return dt.datetime.fromisoformat(text.upper())


def _calendar(policies: PolicySet, request: dict[str, Any]) -> LocalCalendar:
    """The calendar the deciding version counted this ticket's business time with."""
    deciding = policies.history.pick(request, None) if policies.history is not None else policies
    compiled = deciding.kinds["incident"]
    if compiled.calendar is None:
        raise RequestError([RequestProblem("", "the incident policies declare no business calendar",
                                           has_value=False)])
    location: Any = request
    for part in compiled.location:  # where `uses calendar … at request.location` points
        location = location.get(part) if isinstance(location, dict) else None
    if not isinstance(location, dict):
        raise RequestError([RequestProblem("/" + "/".join(compiled.location), "is the location the calendar "
                                           "counts business time at, and is missing", has_value=False)])
    return compiled.calendar.at(location)


def _shown(moment: dt.datetime, calendar: LocalCalendar) -> str:
    return moment.astimezone(calendar.zone).isoformat(timespec="seconds")


def _signed(calendar: LocalCalendar, clock: str, start: dt.datetime, end: dt.datetime) -> float:
    """Seconds from start to end on the clock (negative when end is earlier)."""
    if end < start:
        return -_signed(calendar, clock, end, start)
    return (end - start).total_seconds() if clock == "calendar" else calendar.business_seconds(start, end)


def _whole_minutes(seconds: float) -> int:
    """Whole minutes, rounded down: 20 seconds late is one minute late, 20 seconds early is zero to spare."""
    return math.floor(seconds / 60)


def _reason(calendar: LocalCalendar, clock: str, opened: dt.datetime, response: dt.datetime, due: dt.datetime,
            wall_due: dt.datetime, met: bool) -> str:
    """Why the naive wall clock misjudges this ticket, in words."""
    last = max(response, due, wall_due.replace(tzinfo=calendar.zone))
    facts = (_calendar_facts(calendar, opened, last) if clock == "business"
             else _clock_changes(calendar, opened, last))
    verdict = "met only because" if met else "missed because"
    naive = f"a naive wall-clock count expects {wall_due:%Y-%m-%d %H:%M} and says {'missed' if met else 'met'}"
    if not facts:
        return f"{'met' if met else 'missed'}: {naive}"
    return f"{verdict} {'; and '.join(facts)} ({naive})"


def _calendar_facts(calendar: LocalCalendar, start: dt.datetime, end: dt.datetime) -> list[str]:
    rules = calendar.rules
    where = rules.country + (f"-{rules.subdivision}" if rules.subdivision else "")
    facts = []
    day, last = calendar.local_date(start), calendar.local_date(end)
    while day <= last:
        closed = calendar.closed_because(day)
        if closed is not None and closed != "weekend" and not naive_closed(day):
            facts.append(f"{_day(day)} is a public holiday in {where} ({closed})")
        elif closed is None and naive_closed(day):
            facts.append(f"{_day(day)} is a business day in {where}")
        day += dt.timedelta(days=1)
    return facts


def _clock_changes(calendar: LocalCalendar, start: dt.datetime, end: dt.datetime) -> list[str]:
    facts = []
    moment = start
    offset = start.astimezone(calendar.zone).utcoffset()
    while moment < end:
        following = min(moment + dt.timedelta(minutes=15), end)
        new_offset = following.astimezone(calendar.zone).utcoffset()
        if new_offset != offset:
            direction = "forward" if new_offset > offset else "back"
            local = following.astimezone(calendar.zone)
            facts.append(f"the clocks went {direction} on {_day(local.date())} in {calendar.zone.key} "
                         f"({_offset(offset)} → {_offset(new_offset)}), so {_clock_words(direction)}")
            offset = new_offset
        moment = following
    return facts


def _clock_words(direction: str) -> str:
    return ("an hour of wall-clock time never happened" if direction == "forward"
            else "an hour of wall-clock time happened twice")


def _offset(delta: dt.timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def _day(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"
