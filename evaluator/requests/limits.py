"""vilkar's own bounds on request documents, whatever a kind's schema says.

No contract amount, count or rate needs more than fifty whole digits or twenty decimal places (the
policies still compute exactly far beyond what money needs); a number beyond them would only make
the exact arithmetic produce decisions hundreds of digits long. Lists and objects are bounded too, so no document costs more than a few
milliseconds to report on.
"""
from __future__ import annotations

from decimal import Decimal

MAX_DEPTH = 64          # levels of nesting
MAX_ITEMS = 1_000       # items of a list, fields of an object
MAX_VALUES = 100_000    # values in one document
MAX_WHOLE_DIGITS = 50
MAX_PLACES = 20
LIMIT = 10 ** MAX_WHOLE_DIGITS
LOW_LIMIT = -LIMIT  # computed once: negating a 50-digit int on every check costs more than the check
SHORT_TEXT = min(MAX_WHOLE_DIGITS, MAX_PLACES)  # a decimal text this short is within both limits

TOO_LARGE = f"is too large: a number in a request has at most {MAX_WHOLE_DIGITS} digits before the decimal point"
TOO_PRECISE = f"has more than {MAX_PLACES} decimal places, more than any number in a request needs"


def number_problem(value: int | Decimal) -> str | None:
    """Why a finite number is outside the limits, or None."""
    if isinstance(value, int):
        return None if LOW_LIMIT < value < LIMIT else TOO_LARGE
    if value.adjusted() >= MAX_WHOLE_DIGITS:
        return TOO_LARGE
    _, digits, exponent = value.as_tuple()
    if isinstance(exponent, int) and exponent < -MAX_PLACES and exponent + _trailing_zeros(digits) < -MAX_PLACES:
        return TOO_PRECISE
    return None


def text_problem(text: str) -> str | None:
    """Why a decimal string (`"12500.00"`, already matched by its pattern) is outside the limits, or None."""
    if len(text) <= SHORT_TEXT:
        return None
    whole, _, fraction = text.partition(".")
    if len(whole.lstrip("0")) > MAX_WHOLE_DIGITS:
        return TOO_LARGE
    if len(fraction.rstrip("0")) > MAX_PLACES:
        return TOO_PRECISE
    return None


def plain_number(value: Decimal) -> int | Decimal:
    """A finite decimal as the policies read it: a whole number is an int (12.0 is 12), others stay exact."""
    if value == value.to_integral_value() and value.adjusted() < 30:
        return int(value)
    return value


def _trailing_zeros(digits: tuple[int, ...]) -> int:
    count = 0
    for digit in reversed(digits):
        if digit:
            break
        count += 1
    return count
