"""What compiled policies call at run time: exact money, percentages, dates, names, texts."""
from __future__ import annotations

import datetime as dt
import re
from bisect import bisect_left
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Context, Decimal
from functools import lru_cache

from ..calendar.limits import FIRST_DAY, LAST_DAY, checked_date

# Money is exact: decimal arithmetic runs in this context, never the caller's (28 digits by default),
# so sums and products of long amounts lose nothing; a quotient keeps 200 significant digits.
EXACT = Context(prec=200, Emax=999999, Emin=-999999)

CENT = Decimal("0.01")
HUNDRED = Decimal(100)
ZERO = Decimal(0)


def to_date(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


_SECOND = dt.timedelta(seconds=1)


def to_timestamp(text: str) -> dt.datetime:
    """An RFC 3339 timestamp, a non-zero fraction of a second read as the next whole second (SPEC §5).

    Rounding up, never down, keeps every answer at or after the moment given; the fraction may have
    any number of digits, so it is read here rather than by `fromisoformat` (which keeps six)."""
    if text[-1] in "zZ":
        text = text[:-1] + "+00:00"
    dot = text.find(".", 19)
    if dot < 0:
        return dt.datetime.fromisoformat(text)
    end = dot + 1
    while end < len(text) and text[end].isdigit():
        end += 1
    moment = dt.datetime.fromisoformat(text[:dot] + text[end:])
    return moment + _SECOND if text[dot + 1:end].strip("0") else moment


def to_decimal(value: object) -> Decimal:
    """An exact decimal; a binary float is read through its shortest decimal text (0.3, not 0.299…)."""
    if value.__class__ is float:  # the common case first: amounts as JSON numbers
        return Decimal(repr(value))
    if isinstance(value, Decimal):
        return value
    return Decimal(repr(value)) if isinstance(value, float) else Decimal(value)


def quantity(value: object, per: int = 1) -> Decimal | int:
    """A request number declared in a unit, in its scale's base unit (`1.5` hours → 90 minutes); half days stay exact."""
    if type(value) is int:
        return value * per
    number = EXACT.multiply(to_decimal(value), per)
    return int(number) if number == number.to_integral_value() else number


def money(document: dict) -> Decimal:
    """The amount of a money object whose currency the schema fixes."""
    return to_decimal(document["amount"])


def money_any(document: dict) -> tuple[Decimal, str]:
    """(amount, currency) of a money object in any currency."""
    return to_decimal(document["amount"]), document["currency"]


CENTS = Context(prec=200, Emax=999999, Emin=-999999, rounding=ROUND_HALF_UP)  # EXACT, rounding half up


def cents(value: Decimal | int | None) -> Decimal | None:
    """Money is decided in whole cents, rounded half up."""
    if value is None:
        return None
    return CENTS.quantize(value, CENT)


def share(percent: Decimal | int, value: Decimal | int) -> Decimal:
    """`percent of value`."""
    return EXACT.divide(EXACT.multiply(value, percent), HUNDRED)


def divide(left: Decimal | int, right: Decimal | int) -> Decimal:
    return EXACT.divide(Decimal(left), right)


def decimal_sum(values) -> Decimal:
    total = ZERO
    for value in values:
        total = EXACT.add(total, value)
    return total


def exact_sum(values: tuple) -> Decimal:
    """`a + b + c ...` in the exact context, left to right: the same roundings as nested additions."""
    total = values[0]
    for value in values[1:]:
        total = EXACT.add(total, value)
    return total


def ceil(value: Decimal | int) -> int:
    return int(Decimal(value).to_integral_value(rounding=ROUND_CEILING, context=EXACT))


def floor(value: Decimal | int) -> int:
    return int(Decimal(value).to_integral_value(rounding=ROUND_FLOOR, context=EXACT))


def round_half_up(value: Decimal | int) -> int:
    return int(Decimal(value).to_integral_value(rounding=ROUND_HALF_UP, context=EXACT))


class Fault(ValueError):
    """A value the policies cannot compute for this request, worded for whoever reads the error."""


def _present(values: tuple) -> list:
    present = [value for value in values if value is not None]
    clocks = {value[0] for value in present if isinstance(value, tuple)}
    if len(clocks) > 1:
        raise Fault("calendar time and business time cannot be compared: "
                    + ", ".join(f"{count} {clock} minutes" for clock, count in present))
    return present


def min_present(values: tuple) -> object:
    """The smallest of the values that are present; None if none is."""
    present = _present(values)
    return min(present) if present else None


def max_present(values: tuple) -> object:
    """The largest of the values that are present; None if none is."""
    present = _present(values)
    return max(present) if present else None


def first_where(items) -> object:
    """The first of the items, or None when there is none."""
    return next(iter(items), None)


def if_absent(value: object, fallback: object) -> object:
    return fallback if value is None else value


def add_days(day: dt.date, days: int) -> dt.date:
    try:
        result = day + dt.timedelta(days=days)
    except OverflowError:
        result = dt.date.max if days > 0 else dt.date.min
    if result > LAST_DAY or result < FIRST_DAY:
        checked_date(result, f"{day} {'+' if days >= 0 else '-'} {abs(days)} days")
    return result


def days_between(later: dt.date, earlier: dt.date) -> int:
    return (later - earlier).days


def add_minutes(moment: dt.datetime, minutes: int) -> dt.datetime:
    """Elapsed time (SPEC §5): real minutes, also across a daylight-saving change at the moment's location.

    Python adds a timedelta to a zone-aware moment on the wall clock, so the sum is taken in UTC."""
    if isinstance(moment.tzinfo, dt.timezone):
        return moment + dt.timedelta(minutes=minutes)
    return (moment.astimezone(dt.timezone.utc) + dt.timedelta(minutes=minutes)).astimezone(moment.tzinfo)


def minutes_between(later: dt.datetime, earlier: dt.datetime) -> int:
    """Elapsed minutes: Python subtracts two moments of one time zone on the wall clock, so in UTC."""
    delta = later.astimezone(dt.timezone.utc) - earlier.astimezone(dt.timezone.utc)
    return int(delta.total_seconds() // 60)


@lru_cache(maxsize=4096)
def product_name(text: str) -> str:
    """Product names match after trimming, collapsing inner whitespace and casefolding."""
    return " ".join(text.split()).casefold()


def name_in(text: str | None, names: frozenset[str]) -> bool:
    return text is not None and product_name(text) in names


@lru_cache(maxsize=256)
def _word_pattern(word: str) -> re.Pattern[str]:
    return re.compile(r"(?<!\w)" + re.escape(word) + r"(?!\w)", re.IGNORECASE)


def starts_with(text: str | None, start: str | frozenset | None) -> bool:
    """Whether a product name begins with a name (or with any name of a names set) as a whole word:
    "Azure Stack Hub" starts with "Azure Stack"; both are compared as product names."""
    if text is None or start is None:
        return False
    name = product_name(text)
    starts = start if isinstance(start, frozenset) else (product_name(start),)
    return any(name == s or name.startswith(s + " ") for s in starts)


def contains_word(text: str | None, word: str | None) -> bool:
    """Whether `word` occurs in `text` as a whole word, ignoring case."""
    if text is None or word is None:
        return False
    return _word_pattern(word).search(text) is not None


def plain_number(value: Decimal | int | None) -> Decimal | int | None:
    """A percentage or decimal as a plain Python number: an int when it is whole."""
    if isinstance(value, Decimal) and value == value.to_integral_value():
        return int(value)
    return value


# -- values whose representation is a pair: money in the request's currency, durations of either clock

def maybe(convert, value: object) -> object:
    """`convert(value)`, or None where the value is absent."""
    return None if value is None else convert(value)


def field_of(record: dict | None, key: str) -> object:
    """A field of a record that may itself be absent."""
    return None if record is None else record.get(key)


def list_of(convert, values: list) -> list:
    """A request list whose items are read as dates, timestamps, decimals or money."""
    return [convert(value) for value in values]


def with_clock(clock: str, count: int | None) -> tuple[str, int] | None:
    """A duration of a known clock, held as (clock, count) like one whose clock is known per request."""
    return None if count is None else (clock, count)


def clock_in(duration: tuple[str, int] | None, clock: str, counts: frozenset) -> bool:
    """Whether a duration of per-request clock is in a set of durations of one clock."""
    return duration is not None and duration[0] == clock and duration[1] in counts


def abs_number(value: Decimal | int) -> Decimal | int:
    return abs(value) if type(value) is int else EXACT.abs(value)


def abs_pair(pair: tuple) -> tuple:
    """The absolute value of (amount, currency) or of (clock, count)."""
    first, second = pair
    return (abs_number(first), second) if isinstance(first, (Decimal, int)) else (first, abs_number(second))


def negate_pair(pair: tuple) -> tuple:
    first, second = pair
    if isinstance(first, (Decimal, int)):
        return (EXACT.minus(first) if isinstance(first, Decimal) else -first, second)
    return (first, -second)


def as_names(values: frozenset) -> frozenset:
    """A set of product names as they are matched: trimmed, inner whitespace collapsed, casefolded."""
    return frozenset(product_name(value) for value in values)


def piece(cuts: tuple, value: object) -> int:
    """Which piece of a table column's domain holds the value (compile/ranges.py): 2i+1 is cuts[i] itself,
    2i the values between cuts[i-1] and cuts[i], 2·len(cuts) those above the last; an absent value is last."""
    if value is None:
        return 2 * len(cuts) + 1
    position = bisect_left(cuts, value)
    if position < len(cuts) and cuts[position] == value:
        return 2 * position + 1
    return 2 * position


def first_row(rows: int, none: int) -> int:
    """The lowest row number among the bits of `rows`, or `none`."""
    return (rows & -rows).bit_length() - 1 if rows else none


def first_candidate(rows: tuple[int, ...], admitting: tuple[bytes, ...], none: int) -> int:
    """The first of `rows` (in order) that every one of `admitting` flags (a byte per row), or `none`."""
    for row in rows:
        for flags in admitting:
            if not flags[row]:
                break
        else:
            return row
    return none
