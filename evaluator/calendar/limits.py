"""The span of dates vilkar computes with (SPEC §5 Range), and the error for a result outside it."""
from __future__ import annotations

import datetime as dt

FIRST_DAY = dt.date(1970, 1, 1)
LAST_DAY = dt.date(2099, 12, 31)
LIMIT = f"{FIRST_DAY} … {LAST_DAY}"


class OutOfRange(ValueError):
    """A computed date or moment outside 1970-01-01 … 2099-12-31, where the holiday data ends."""

    def __init__(self, what: str):
        self.what = what
        super().__init__(f"{what}; vilkar computes dates from {FIRST_DAY} to {LAST_DAY}, the span its holiday "
                         "data covers (SPEC §5)")


class PastLastDay(OutOfRange):
    """Business time that would run past 2099-12-31 (the caller names what was being computed)."""


def checked_date(day: dt.date, what: str = "a computed date") -> dt.date:
    """`day` itself, or OutOfRange if it lies outside the span."""
    if day > LAST_DAY or day < FIRST_DAY:
        shown = day.isoformat() if dt.date.min < day < dt.date.max else ("after" if day > LAST_DAY else "before") \
            + f" {LAST_DAY if day > LAST_DAY else FIRST_DAY}"
        raise OutOfRange(f"{what} would be {shown}")
    return day
