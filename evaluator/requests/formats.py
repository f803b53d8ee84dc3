"""The text formats of request values: dates, timestamps, countries and time zones, in one place.

Each format is a regular expression that both validators use — jsonschema-rs as a `pattern` (so
valid documents never call back into Python) and jsonschema, for the report, through a format checker —
so the two can never disagree on what a date or a timestamp is. The expressions use only what Rust's
and Python's engines read alike: `[0-9]` (never `\\d`, which is Unicode in Python), groups, alternation.
"""
from __future__ import annotations

import re
from functools import lru_cache

FIRST_YEAR, LAST_YEAR = 1970, 2099
RANGE_TEXT = f"{FIRST_YEAR}-01-01 … {LAST_YEAR}-12-31"

_YEAR = "(?:19[7-9][0-9]|20[0-9][0-9])"
# Leap years of the range: the last two digits divisible by four (2000 is one; 2100 is not in range).
_LEAP_YEAR = "(?:19(?:7[26]|8[048]|9[26])|20(?:[02468][048]|[13579][26]))"
DATE_BODY = (f"(?:{_YEAR}-(?:0[13578]|1[02])-(?:0[1-9]|[12][0-9]|3[01])"
             f"|{_YEAR}-(?:0[469]|11)-(?:0[1-9]|[12][0-9]|30)"
             f"|{_YEAR}-02-(?:0[1-9]|1[0-9]|2[0-8])"
             f"|{_LEAP_YEAR}-02-29)")
# RFC 3339 date-time with an offset; `t`, `z` and a space for `T` as RFC 3339 §5.6 allows. A leap
# second (:60) is refused: Python's datetime cannot hold it and no contract deadline needs it.
TIME_BODY = "(?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](?:[.][0-9]+)?"
OFFSET_BODY = "(?:[Zz]|[+-](?:[01][0-9]|2[0-3]):[0-5][0-9])"
TIMESTAMP_BODY = f"{DATE_BODY}[Tt ]{TIME_BODY}{OFFSET_BODY}"

DATE_PATTERN = f"^{DATE_BODY}$"
TIMESTAMP_PATTERN = f"^{TIMESTAMP_BODY}$"

# Shapes, for saying what is wrong with a value the formats refuse.
DATE_SHAPE = re.compile("[0-9]{4}-[0-9]{2}-[0-9]{2}")
TIMESTAMP_SHAPE = re.compile("[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:[0-9]{2}:[0-9]{2}(?:[.][0-9]+)?"
                             "(?:[Zz]|[+-][0-9]{2}:[0-9]{2})")
NAIVE_TIMESTAMP = re.compile("[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:[.][0-9]+)?)?")


@lru_cache(maxsize=2)
def _format(body: str) -> re.Pattern[str]:
    """A format's expression compiled on first use: only jsonschema's report reads it, and compiling both
    alternations at import cost every start 1.2 ms."""
    return re.compile(body)


def is_date(value: object) -> bool:
    """A date `YYYY-MM-DD` that exists and lies in the range; values that are not texts are the type's business."""
    return not isinstance(value, str) or _format(DATE_BODY).fullmatch(value) is not None


def is_timestamp(value: object) -> bool:
    """An RFC 3339 timestamp with a UTC offset whose date exists and lies in the range."""
    return not isinstance(value, str) or _format(TIMESTAMP_BODY).fullmatch(value) is not None


def out_of_range(value: str) -> bool:
    """Whether a well-shaped date or timestamp fails only because of its year."""
    return value[:4].isdigit() and not FIRST_YEAR <= int(value[:4]) <= LAST_YEAR


@lru_cache(maxsize=1)
def countries() -> dict[str, list[str]]:
    """Countries the holidays package knows (ISO 3166-1 alpha-2) and their subdivisions."""
    import holidays  # imported on first use: a rule set that never meets a location never pays for it

    return {code: list(subdivisions) for code, subdivisions in
            holidays.list_supported_countries(include_aliases=False).items() if len(code) == 2}


@lru_cache(maxsize=1)
def time_zones() -> frozenset[str]:
    import zoneinfo  # with its tzpath and sysconfig: only a request that names a zone needs it

    return frozenset(zoneinfo.available_timezones())


def is_country(value: object) -> bool:
    return not isinstance(value, str) or value in countries()


def is_time_zone(value: object) -> bool:
    return not isinstance(value, str) or value in time_zones()


# Zones whose UTC offset was not a whole number of minutes at some moment of the range, and the first
# moment (UTC, ISO text) from which it always is. Output timestamps show ±HH:MM, so a request at such a
# place before that moment cannot be answered exactly; tests check this table against tzdata.
ODD_OFFSET_UNTIL = {"Africa/Monrovia": "1972-01-07T00:44:30+00:00"}
