"""What compiled policies call at run time: exact money, percentages, dates, names, texts."""
from __future__ import annotations

import datetime as dt
import re
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Context, Decimal
from functools import lru_cache

# Money is exact: decimal arithmetic runs in this context, never the caller's (28 digits by default),
# so sums and products of long amounts lose nothing; a quotient keeps 200 significant digits.
EXACT = Context(prec=200, Emax=999999, Emin=-999999)

CENT = Decimal("0.01")
HUNDRED = Decimal(100)
ZERO = Decimal(0)


def to_date(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def to_timestamp(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


def to_decimal(value: object) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(value)


def money(document: dict) -> Decimal:
    """The amount of a money object whose currency the schema fixes."""
    return to_decimal(document["amount"])


def money_any(document: dict) -> tuple[Decimal, str]:
    """(amount, currency) of a money object in any currency."""
    return to_decimal(document["amount"]), document["currency"]


def cents(value: Decimal | int | None) -> Decimal | None:
    """Money is decided in whole cents, rounded half up."""
    if value is None:
        return None
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP, context=EXACT)


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


def ceil(value: Decimal | int) -> int:
    return int(Decimal(value).to_integral_value(rounding=ROUND_CEILING, context=EXACT))


def floor(value: Decimal | int) -> int:
    return int(Decimal(value).to_integral_value(rounding=ROUND_FLOOR, context=EXACT))


def round_half_up(value: Decimal | int) -> int:
    return int(Decimal(value).to_integral_value(rounding=ROUND_HALF_UP, context=EXACT))


def _present(values: tuple) -> list:
    present = [value for value in values if value is not None]
    clocks = {value[0] for value in present if isinstance(value, tuple)}
    if len(clocks) > 1:
        raise ValueError("calendar time and business time cannot be compared: "
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


def if_absent(value: object, fallback: object) -> object:
    return fallback if value is None else value


def add_days(day: dt.date, days: int) -> dt.date:
    return day + dt.timedelta(days=days)


def days_between(later: dt.date, earlier: dt.date) -> int:
    return (later - earlier).days


def add_minutes(moment: dt.datetime, minutes: int) -> dt.datetime:
    """Elapsed time: a fixed-offset moment plus real minutes."""
    return moment + dt.timedelta(minutes=minutes)


def minutes_between(later: dt.datetime, earlier: dt.datetime) -> int:
    return int((later - earlier).total_seconds() // 60)


@lru_cache(maxsize=4096)
def product_name(text: str) -> str:
    """Product names match after trimming, collapsing inner whitespace and casefolding."""
    return " ".join(text.split()).casefold()


def name_in(text: str | None, names: frozenset[str]) -> bool:
    return text is not None and product_name(text) in names


@lru_cache(maxsize=256)
def _word_pattern(word: str) -> re.Pattern[str]:
    return re.compile(r"(?<!\w)" + re.escape(word) + r"(?!\w)", re.IGNORECASE)


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
