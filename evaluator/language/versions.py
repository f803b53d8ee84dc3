"""Checks on `version` declarations: one per rule set, real dates, and windows that tile a history."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .diagnostics import Diagnostic
from .source import NO_SPAN, Span

if TYPE_CHECKING:  # a version's window is read at run time, without the syntax tree's module
    from . import ast

EVENT_DATE_KEY = "x-vilkar-event-date"


@dataclass(frozen=True)
class Window:
    """The days a version is in force: from `effective` up to, not including, `until` (None: open-ended)."""

    id: str
    effective: dt.date
    until: dt.date | None
    span: Span = NO_SPAN

    def holds(self, day: dt.date) -> bool:
        return self.effective <= day and (self.until is None or day < self.until)

    def describe(self) -> str:
        end = f"until {self.until.isoformat()} (exclusive)" if self.until else "open-ended"
        return f'"{self.id}" (in force from {self.effective.isoformat()}, {end})'


def declared_version(declarations: list[ast.VersionDecl]) -> tuple[ast.VersionDecl | None, list[Diagnostic]]:
    """The rule set's one version declaration, and what is wrong with the ones it has."""
    problems: list[Diagnostic] = []
    for extra in declarations[1:]:
        problems.append(Diagnostic("VK150", f'the rule set declares its version twice ("{extra.id}")', extra.span,
                                   f"a rule set has one `version` line; the first is at {declarations[0].span}"))
    if not declarations:
        return None, problems
    declaration = declarations[0]
    effective = _date(declaration.effective)
    until = _date(declaration.until) if declaration.until is not None else None
    if effective is None or (declaration.until is not None and until is None):
        wrong = declaration.effective if effective is None else declaration.until
        problems.append(Diagnostic("VK151", f"{wrong} is not a date of the calendar", declaration.span,
                                   "write a real date as YYYY-MM-DD"))
    elif until is not None and until <= effective:
        problems.append(Diagnostic("VK151", f'version "{declaration.id}" ends ({until}) before it starts ({effective})',
                                   declaration.span, "`until` is the first day the version is no longer in "
                                   "force, so it must come after `effective`"))
    return declaration, problems


def window_of(declaration: ast.VersionDecl) -> Window:
    """The window of a declaration that `declared_version` found well-formed."""
    until = dt.date.fromisoformat(declaration.until) if declaration.until else None
    return Window(declaration.id, dt.date.fromisoformat(declaration.effective), until, declaration.span)


def tiling_problems(windows: list[Window]) -> list[Diagnostic]:
    """Why a history's windows do not tile the days from the first version to the last: overlaps and gaps."""
    problems: list[Diagnostic] = []
    seen: dict[str, Window] = {}
    for window in windows:
        if window.id in seen:
            problems.append(Diagnostic("VK155", f'two versions are called "{window.id}"', window.span,
                                       f"the other is declared at {seen[window.id].span}; give each its own id"))
        seen.setdefault(window.id, window)
    ordered = sorted(windows, key=lambda w: w.effective)
    for earlier, later in zip(ordered, ordered[1:]):
        if earlier.until is None or earlier.until > later.effective:
            day = later.effective
            problems.append(Diagnostic(
                "VK152", f"versions {earlier.describe()} and {later.describe()} are both in force on {day}",
                later.span, f'end "{earlier.id}" with `until {later.effective}`, the day "{later.id}" takes effect'))
        elif earlier.until < later.effective:
            last_day = later.effective - dt.timedelta(days=1)
            problems.append(Diagnostic(
                "VK153", f"no version is in force from {earlier.until} to {last_day}: "
                f'"{earlier.id}" ends before "{later.id}" takes effect', later.span,
                f'end "{earlier.id}" with `until {later.effective}`, or let "{later.id}" take effect on {earlier.until}'))
    return problems


def event_date_problem(kind: str, schema: dict[str, Any], span: Span) -> Diagnostic | None:
    """A kind's schema must name the field whose date picks the version in force (or null: none has one)."""
    hint = (f'add "{EVENT_DATE_KEY}": "<field>" to schemas/{kind}.schema.json, naming the top-level date or '
            "timestamp field whose day decides which contract version applies (null if the kind has none)")
    if EVENT_DATE_KEY not in schema:
        return Diagnostic("VK156", f"the schema of kind `{kind}` does not say which date is the request's event date",
                          span, hint)
    field = schema[EVENT_DATE_KEY]
    if field is None:
        return None
    properties = schema.get("properties", {})
    if not isinstance(field, str) or field not in properties or _format(properties[field], schema) not in (
            "date", "date-time"):
        return Diagnostic("VK156", f"the event date of kind `{kind}` ({field!r}) is not a date or timestamp field "
                          "of its schema", span, hint)
    return None


def _format(property_schema: dict[str, Any], schema: dict[str, Any]) -> str | None:
    reference = property_schema.get("$ref", "")
    if reference.startswith("#/$defs/"):
        property_schema = schema.get("$defs", {}).get(reference[len("#/$defs/"):], {})
    return property_schema.get("format")


def _date(text: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text) if text else None
    except ValueError:
        return None
