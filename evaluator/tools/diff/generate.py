"""Requests generated from a kind's JSON schema: a valid base request, and for every field the values to try.

Works from the schema alone (required fields, enums, consts, bounds, formats, `$ref`, `anyOf`, arrays
and objects), so a kind added later needs nothing here; the policies' literals (`Constants`) add the
boundaries, and a value on each side of each, for the fields they compare.
"""
from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from .constants import Constants

ANCHOR = dt.date(2026, 11, 18)  # a Wednesday with ordinary business days around it
ABSENT = object()  # an optional field left out
_ZONE = "Europe/Copenhagen"
_COUNTRIES = ["DK", "US", "DE", "GB", "JP"]
_ZONES = ["Europe/Copenhagen", "America/New_York", "Asia/Tokyo"]
# texts that satisfy common patterns without being any value a policy names: free text, a language,
# a currency, a two-letter code
_NEUTRAL_TEXTS = ["Other product", "da", "EUR", "XX", "x", "USD", "DKK", "en"]
MAX_CANDIDATES = 60


@dataclass
class Slot:
    """One place in a request (a JSON path) and the values a search tries there; the first is the base."""

    path: tuple[str, ...]
    what: str  # enum | boolean | integer | number | amount | date | timestamp | text | list | null
    candidates: list[Any]
    sampled: list[str] = field(default_factory=list)  # for timestamps: what the samples stand for

    @property
    def pointer(self) -> str:
        return "/" + "/".join(self.path)


def slots(kind: str, schema: dict[str, Any], constants: Constants, anchor: dt.date = ANCHOR) -> list[Slot]:
    """Every field of a kind's requests with its candidate values, the base value first."""
    found: list[Slot] = []
    _walk(schema, schema, (), True, constants, anchor, found)
    return [slot for slot in found if slot.path != ("kind",) and slot.candidates]


def build(kind: str, chosen: dict[tuple[str, ...], Any]) -> dict[str, Any]:
    """A request document with the value chosen for each slot (ABSENT leaves a field out)."""
    document: dict[str, Any] = {"kind": kind}
    absent = [path for path, value in chosen.items() if value is ABSENT]
    for path, value in sorted(chosen.items(), key=lambda item: len(item[0])):
        if any(path[:len(gone)] == gone for gone in absent):
            continue
        target = document
        for part in path[:-1]:
            target = target.setdefault(part, {})
        if isinstance(value, dict) and not value:
            target.setdefault(path[-1], {})  # a present optional object: its fields follow
        else:
            target[path[-1]] = value
    return document


def _resolve(schema: dict[str, Any], root: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema and schema["$ref"].startswith("#/$defs/"):
        merged = dict(root.get("$defs", {}).get(schema["$ref"][len("#/$defs/"):], {}))
        merged.update({k: v for k, v in schema.items() if k not in ("$ref", "description")})
        schema = merged
    return schema


def _walk(schema: dict[str, Any], root: dict[str, Any], path: tuple[str, ...], required: bool,
          constants: Constants, anchor: dt.date, found: list[Slot]) -> None:
    schema = _resolve(schema, root)
    if schema.get("type") == "object" and "properties" in schema:
        if not required and path:  # an optional object is there or not as a whole
            found.append(Slot(path, "presence", [ABSENT, {}]))
        needed = set(schema.get("required", ()))
        for name, sub in schema["properties"].items():
            _walk(sub, root, path + (name,), name in needed, constants, anchor, found)
        return
    slot = _leaf(schema, root, path, constants, anchor)
    if not required:
        slot.candidates = [ABSENT] + slot.candidates
    found.append(slot)


def _leaf(schema: dict[str, Any], root: dict[str, Any], path: tuple[str, ...], constants: Constants,
          anchor: dt.date) -> Slot:
    alternatives = schema.get("anyOf") or schema.get("oneOf")
    if alternatives:
        parts = [_leaf(_resolve(a, root), root, path, constants, anchor) for a in alternatives]
        values = _unique(v for part in parts for v in part.candidates)
        what = next((p.what for p in parts if p.what != "null"), "null")
        return Slot(path, what, values, [s for p in parts for s in p.sampled])
    if "const" in schema:
        return Slot(path, "enum", [schema["const"]])
    if "enum" in schema:
        return Slot(path, "enum", list(schema["enum"]))
    kind = schema.get("type")
    if kind == "null":
        return Slot(path, "null", [None])
    if kind == "boolean":
        return Slot(path, "boolean", [False, True])
    if kind == "integer":
        return Slot(path, "integer", _integers(schema, constants))
    if kind == "number":
        return Slot(path, "amount" if _is_amount(path) else "number", _numbers(schema, path, constants))
    if kind == "string":
        return _string(schema, path, constants, anchor)
    if kind == "array":
        return Slot(path, "list", _lists(schema, root, path, constants, anchor))
    if kind == "object":  # a free-form object: only its base, an empty one
        return Slot(path, "object", [{}])
    return Slot(path, "null", [None])


def _is_amount(path: tuple[str, ...]) -> bool:
    return bool(path) and path[-1] == "amount"


def _bounds(schema: dict[str, Any]) -> tuple[Decimal | None, Decimal | None]:
    low = schema.get("minimum", schema.get("exclusiveMinimum"))
    high = schema.get("maximum", schema.get("exclusiveMaximum"))
    return (Decimal(str(low)) if low is not None else None, Decimal(str(high)) if high is not None else None)


def _within(values: set[Decimal], schema: dict[str, Any]) -> list[Decimal]:
    low, high = _bounds(schema)
    above = (lambda v: v > low) if "exclusiveMinimum" in schema else (lambda v: v >= low)
    below = (lambda v: v < high) if "exclusiveMaximum" in schema else (lambda v: v <= high)
    return sorted(v for v in values if (low is None or above(v)) and (high is None or below(v)))


def _integers(schema: dict[str, Any], constants: Constants) -> list[int]:
    low, high = _bounds(schema)
    values = {Decimal(0), Decimal(1), Decimal(2)} | ({low, low + 1} if low is not None else set()) | (
        {high - 1, high} if high is not None else set())
    for n in constants.integers():
        values.update({Decimal(n - 1), Decimal(n), Decimal(n + 1)})
    ordered = [int(v) for v in _within(values, schema) if v == v.to_integral_value()]
    base = next((v for v in ordered if v >= 1), ordered[0] if ordered else 1)  # one, where the schema allows it
    return _limit([base] + [v for v in ordered if v != base])


def _numbers(schema: dict[str, Any], path: tuple[str, ...], constants: Constants) -> list[Any]:
    cent = Decimal("0.01")
    if _is_amount(path):
        values = {Decimal(0), Decimal(1), Decimal(12500)}
        for m in constants.money_boundaries():
            values.update({m - cent, m, m + cent})
    else:
        values = {Decimal(1), Decimal("0.5"), Decimal(2)}
        for n in constants.numbers:
            values.update({n - 1, n - Decimal("0.5"), n, n + Decimal("0.5"), n + 1})
    kept = [v for v in _within(values, schema) if v >= 0 or schema.get("minimum") is None]
    base = Decimal(12500) if _is_amount(path) and Decimal(12500) in kept else (kept[0] if kept else Decimal(1))
    return _limit([_plain_number(base)] + [_plain_number(v) for v in kept if v != base])


def _plain_number(value: Decimal) -> Any:
    return int(value) if value == value.to_integral_value() else str(value)


def _string(schema: dict[str, Any], path: tuple[str, ...], constants: Constants, anchor: dt.date) -> Slot:
    form = schema.get("format")
    if form == "date":
        return Slot(path, "date", [d.isoformat() for d in _dates(constants, anchor)])
    if form == "date-time":
        values, sampled = _timestamps(constants, anchor)
        return Slot(path, "timestamp", values, sampled)
    if form == "holidays-country":
        texts = _COUNTRIES + sorted(s for s in constants.strings if re.fullmatch(r"[A-Z]{2}", s))
    elif form == "iana-time-zone":
        texts = list(_ZONES)
    else:
        pattern = schema.get("pattern")
        own = sorted(constants.by_path.get(path, constants.strings))  # the texts this field meets, if known
        texts = [t for t in _NEUTRAL_TEXTS + own if not pattern or re.search(pattern, t)]
        texts = [t for t in texts if len(t) >= schema.get("minLength", 0)]
        if pattern and texts and texts[0] in _NEUTRAL_TEXTS:
            # a neutral value the policies never name first, then every value they do name
            texts = [texts[0]] + [t for t in texts[1:] if t not in _NEUTRAL_TEXTS]
        if not pattern:
            texts = ["Other product"] + own + [f"see {word} now" for word in own if re.fullmatch(r"\w+", word)]
    return Slot(path, "text", _unique(texts)[: 4 * MAX_CANDIDATES])


def _dates(constants: Constants, anchor: dt.date) -> list[dt.date]:
    offsets = {0}
    for n in constants.integers():
        if abs(n) <= 40000:
            offsets.update({n - 1, n, n + 1, -n - 1, -n, -n + 1})
    days = {anchor + dt.timedelta(days=o) for o in offsets if _in_range(anchor, o)}
    for literal in constants.dates:
        days.update(literal + dt.timedelta(days=o) for o in (-1, 0, 1) if _in_range(literal, o))
    return [anchor] + sorted(days - {anchor})


def _in_range(day: dt.date, offset: int) -> bool:
    try:
        moved = day + dt.timedelta(days=offset)
    except OverflowError:
        return False
    return dt.date(1970, 1, 1) <= moved <= dt.date(2099, 12, 31)


def _timestamps(constants: Constants, anchor: dt.date) -> tuple[list[str], list[str]]:
    """Moments around the calendar's boundaries, and what each group stands for (they are samples)."""
    zone = zoneinfo.ZoneInfo(_ZONE)
    base = dt.datetime.combine(anchor, dt.time(10, 0), zone)
    moments = [base]
    sampled = [f"{anchor} 10:00 {_ZONE} (the base)"]
    for hhmm in sorted(constants.times | {"09:00", "17:30"}):
        at = dt.datetime.combine(anchor, dt.time.fromisoformat(hhmm), zone)
        moments += [at - dt.timedelta(minutes=1), at, at + dt.timedelta(minutes=1)]
        sampled.append(f"{hhmm} and one minute either side (opening or closing)")
    friday = anchor + dt.timedelta(days=(4 - anchor.weekday()) % 7)
    moments += [dt.datetime.combine(friday, dt.time(16, 45), zone),
                dt.datetime.combine(friday + dt.timedelta(days=1), dt.time(11, 0), zone),
                dt.datetime.combine(friday + dt.timedelta(days=2), dt.time(23, 59), zone)]
    sampled.append(f"Friday {friday} 16:45, Saturday 11:00, Sunday 23:59 (weekend)")
    holiday = dt.date(anchor.year, 12, 25)
    moments += [dt.datetime.combine(holiday, dt.time(10, 0), zone), dt.datetime.combine(
        holiday - dt.timedelta(days=1), dt.time(16, 0), zone)]
    sampled.append(f"{holiday} (a public holiday in DK, US, DE, GB) and the afternoon before")
    for night in (dt.date(anchor.year, 3, 29), dt.date(anchor.year, 10, 25)):
        moments += [dt.datetime.combine(night, dt.time(1, 50), zone),
                    dt.datetime.combine(night - dt.timedelta(days=2), dt.time(16, 0), zone)]
    sampled.append(f"{anchor.year}-03-29 and {anchor.year}-10-25 01:50 (daylight-saving changes in {_ZONE})")
    for days in sorted(d for d in constants.days if 0 < d <= 400):
        moments += [base + dt.timedelta(days=days), base - dt.timedelta(days=days)]
    for minutes in sorted(m for m in constants.minutes if 0 < m <= 10080):
        moments += [base + dt.timedelta(minutes=minutes + step) for step in (-1, 0, 1)]
        moments += [base - dt.timedelta(minutes=minutes + step) for step in (-1, 0, 1)]
    if constants.days or constants.minutes:
        sampled.append("the base moved by each duration the policies name (one minute either side)")
    texts = _unique(moment.isoformat(timespec="seconds") for moment in moments)
    return texts[: 3 * MAX_CANDIDATES], sampled


def _lists(schema: dict[str, Any], root: dict[str, Any], path: tuple[str, ...], constants: Constants,
           anchor: dt.date) -> list[list[Any]]:
    items = _resolve(schema.get("items", {}), root)
    low = schema.get("minItems", 0)
    found: list[Slot] = []
    _walk(items, root, (), True, constants, anchor, found)
    base_item = {slot.path: slot.candidates[0] for slot in found}
    variants = [base_item] + [{**base_item, slot.path: value} for slot in found
                              for value in slot.candidates[1:]]
    values = [_item(v) for v in variants]
    lists: list[list[Any]] = [] if low > 0 else [[]]
    lists += [[value] for value in values]
    enum = next((slot for slot in found if slot.what == "enum" and len(slot.candidates) > 1), None)
    if schema.get("uniqueItems") and all(not isinstance(v, dict) for v in values):
        lists.append(_unique(values))  # every value at once
        lists += [[a, b] for i, a in enumerate(values) for b in values[i + 1:]]
    elif enum is not None:
        amounts = [s for s in found if s.what == "amount"]
        for i, first in enumerate(enum.candidates):
            for second in enum.candidates[i:]:
                for amount in (amounts[0].candidates if amounts else [None])[:12]:
                    pair = [{**base_item, enum.path: first}, {**base_item, enum.path: second}]
                    if amount is not None:
                        pair = [{**item, amounts[0].path: amount} for item in pair]
                    lists.append([_item(item) for item in pair])
    return _limit([lst for lst in lists if len(lst) >= low], 4 * MAX_CANDIDATES)


def _item(chosen: dict[tuple[str, ...], Any]) -> Any:
    if list(chosen) == [()]:
        return chosen[()]
    document = build("", chosen)
    document.pop("kind")
    return document


def _unique(values) -> list[Any]:
    seen, kept = set(), []
    for value in values:
        key = repr(value)
        if key not in seen:
            seen.add(key)
            kept.append(value)
    return kept


def _limit(values: list[Any], most: int = MAX_CANDIDATES) -> list[Any]:
    """At most `most` values, spread over the whole sorted list so both ends stay."""
    if len(values) <= most:
        return values
    step = (len(values) - 1) / (most - 1)
    return _unique([values[0]] + [values[round(i * step)] for i in range(1, most)])
