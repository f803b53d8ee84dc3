"""One way to print a value (SPEC §8.4): the same text wherever people read it, the same JSON wherever
programs do. Money `USD 6,250.00` in text and `"6250.00"` in JSON; durations with their unit in text
(`2 business hours`) and as whole minutes or days in JSON; absent as `none` in text and `null` in JSON.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from ..calendar.months import Period
from ..language.types import DurationT, MoneyT, PercentT, Type, strip_optional


def json_value(value: Any, type_: Type | None) -> Any:
    """A value as JSON: money "6250.00", dates "YYYY-MM-DD", timestamps RFC 3339 with offset, durations
    as their count of minutes or days."""
    inner = strip_optional(type_) if type_ is not None else None
    if isinstance(value, Period):
        return {"start": value.start.isoformat(), "end": value.end.isoformat(), "number": value.number}
    if isinstance(value, tuple) and len(value) == 2 and isinstance(inner, DurationT):
        return value[1]  # a duration whose clock is known per request: (clock, count)
    if isinstance(value, tuple) and len(value) == 2 and isinstance(inner, MoneyT):
        return json_value(value[0], MoneyT(value[1]))  # money in the request's currency: (amount, code)
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, Decimal):
        if isinstance(inner, MoneyT):
            return f"{value:.2f}"
        return int(value) if value == value.to_integral_value() else str(value)
    if isinstance(value, dt.datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, (list, tuple, set, frozenset)):
        items = sorted(value, key=str) if isinstance(value, (set, frozenset)) else value
        return [json_value(item, _element(type_)) for item in items]
    return str(value)


def text_value(value: Any, type_: Type | None) -> str:
    """A value as people read it, the same in `vilkar eval`, every explanation and every counterfactual."""
    inner = strip_optional(type_) if type_ is not None else None
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Period):
        return f"{value.start} to {value.end} (period {value.number})"
    if isinstance(inner, DurationT):
        clock, count = value if isinstance(value, tuple) else (inner.clock, value)
        return duration_text(count, clock, inner.scale)
    if isinstance(inner, MoneyT):
        amount, currency = value if isinstance(value, tuple) else (value, inner.currency)
        return money_text(Decimal(amount), currency)
    if isinstance(inner, PercentT):
        return f"{_number(value)}%"
    if isinstance(value, (list, tuple, set, frozenset)):
        items = sorted(value, key=str) if isinstance(value, (set, frozenset)) else list(value)
        return ", ".join(text_value(item, _element(type_)) for item in items) if items else "none"
    if isinstance(value, Decimal):
        return _number(value)
    shown = json_value(value, type_)
    return str(shown)


def input_text(value: Any, type_: Type | None = None) -> str:
    """A request field's value as people read it: a money object as money, absent as `none`."""
    if isinstance(value, dict) and set(value) == {"amount", "currency"}:
        return money_text(Decimal(str(value["amount"])), value["currency"])
    if isinstance(value, dict):
        return ", ".join(f"{key} {input_text(item)}" for key, item in value.items())
    if isinstance(value, list):
        return ", ".join(input_text(item) for item in value) if value else "none"
    if isinstance(value, (float, Decimal)):
        return _number(Decimal(str(value)))
    return text_value(value, type_)


def money_text(amount: Decimal, currency: str | None) -> str:
    return f"{currency + ' ' if currency else ''}{amount:,.2f}"


def duration_text(count: Any, clock: str | None, scale: str) -> str:
    """`120` business minutes → "2 business hours"; `1440` calendar minutes → "24 hours"; `9` days;
    half a day (a request's `resource_days: 0.5`) → "0.5 days"."""
    prefix = "business " if clock == "business" else ""
    number = Decimal(str(count))
    if scale == "minutes" and number and number % 60 == 0:
        number, unit = number / 60, "hour"
    else:
        unit = {"months": "month", "days": "day"}.get(scale, "minute")
    return f"{_number(number)} {prefix}{unit if abs(number) == 1 else unit + 's'}"


def constant_text(key: Any, type_: Type | None) -> str:
    """A literal of a rule as written in words: `2 business hours`, `USD 50,000.00`, `50%`."""
    if isinstance(key, tuple) and key and key[0] == "duration":
        _, clock, unit, amount = key
        amount = _number(amount)
        singular = unit.rstrip("s")
        shown = singular if str(amount) == "1" else unit
        return f"{amount} {'business ' if clock == 'business' else ''}{shown}"
    if isinstance(key, tuple) and key and key[0] == "money":
        return money_text(Decimal(key[2]), key[1])
    if isinstance(key, tuple) and key and key[0] == "number":
        return _number(key[1])
    if isinstance(key, tuple) and key and key[0] == "percent":
        return f"{_number(key[1])}%"
    if isinstance(key, str):
        return key
    return text_value(key, type_)


def _number(value: Any) -> str:
    if isinstance(value, Decimal):
        return str(int(value)) if value == value.to_integral_value() else format(value.normalize(), "f")
    return str(value)


def _element(type_: Type | None) -> Type | None:
    inner = strip_optional(type_) if type_ is not None else None
    return getattr(inner, "element", None)


def plain_input(value: Any) -> Any:
    """A request field's value as JSON (numbers that were read as exact decimals become JSON numbers)."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else str(value)
    if isinstance(value, dict):
        return {key: plain_input(item) for key, item in value.items()}
    if isinstance(value, list):
        return [plain_input(item) for item in value]
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    return value
