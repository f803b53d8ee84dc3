"""Calendar months and years on dates (SPEC §9 §5), and periods counted from an anchor.

`date + N months` is the same day of the month N months later. Where that month lacks the day, the
rule set's declared rule decides: `roll_forward` gives the first day of the following month
(31 January + 1 month = 1 March), `clamp` the month's last day (28 or 29 February). Periods are
computed from their anchor, never chained: the k-th period of N months starts on `anchor + k·N months`
and ends the day before the next one starts.
"""
from __future__ import annotations

import datetime as dt
from typing import NamedTuple

from .limits import checked_date

ROLL_FORWARD, CLAMP = "roll_forward", "clamp"
_MONTH_DAYS = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)  # not the calendar module: it loads locale


class Period(NamedTuple):
    """An anchored period: its first and last day, and which one it is (1 for the first)."""

    start: dt.date
    end: dt.date
    number: int


def add_months(day: dt.date, count: int, rule: str) -> dt.date:
    """`day + count months` under the missing-day `rule`."""
    return checked_date(_shifted(day, count, rule), f"{day} + {count} months")


def _shifted(day: dt.date, count: int, rule: str) -> dt.date:
    years, month = divmod(day.month - 1 + count, 12)
    year = day.year + years
    if not 1 <= year <= 9998:
        return dt.date.max if year > 9998 else dt.date.min  # out of range either way; checked by the caller
    last = 29 if month == 1 and _leap(year) else _MONTH_DAYS[month]
    if day.day <= last:
        return dt.date(year, month + 1, day.day)
    if rule == CLAMP:
        return dt.date(year, month + 1, last)
    return dt.date(year, month + 1, last) + dt.timedelta(days=1)


def _leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def period(months: int, anchor: dt.date, day: dt.date, cut: dt.date | None, rule: str) -> Period:
    """The period of `months` counted from `anchor` that contains `day`, its end cut at `cut` if given."""
    if months <= 0:
        raise ValueError(f"a period of {months} months has no days")
    if day < anchor:
        raise ValueError(f"{day} is before {anchor}, where the first period starts")
    if cut is not None and day > cut:
        raise ValueError(f"{day} is after {cut}, where the last period is cut")
    # months between the two dates give the period to within one; the rule's monotony settles the rest
    index = ((day.year - anchor.year) * 12 + day.month - anchor.month) // months
    while index > 0 and _shifted(anchor, index * months, rule) > day:
        index -= 1
    while _shifted(anchor, (index + 1) * months, rule) <= day:
        index += 1
    start = _shifted(anchor, index * months, rule)
    end = _shifted(anchor, (index + 1) * months, rule) - dt.timedelta(days=1)
    if cut is not None and cut < end:
        end = cut
    return Period(checked_date(start, "the period's first day"), checked_date(end, "the period's last day"),
                  index + 1)
