"""The types of the policy language: numbers, money, percentages, durations, dates, texts, sets, records."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable


class Type:
    """Base of all value types."""

    def describe(self) -> str:
        raise NotImplementedError


@dataclass(frozen=True, slots=True)
class IntT(Type):
    """A whole number."""

    def describe(self) -> str:
        return "a whole number"


@dataclass(frozen=True, slots=True)
class DecimalT(Type):
    """An exact decimal number."""

    def describe(self) -> str:
        return "a decimal number"


@dataclass(frozen=True, slots=True)
class BoolT(Type):
    """`true` or `false`."""

    def describe(self) -> str:
        return "a yes/no value"


@dataclass(frozen=True, slots=True)
class StringT(Type):
    """Free text."""

    def describe(self) -> str:
        return "a text"


@dataclass(frozen=True, slots=True)
class EnumT(Type):
    """A text restricted to a closed list of values."""

    values: frozenset[str]

    def describe(self) -> str:
        shown = ", ".join(f'"{v}"' for v in sorted(self.values))
        return f"one of {shown}"


@dataclass(frozen=True, slots=True)
class MoneyT(Type):
    """An amount of a currency; `currency` is None when only the request knows it."""

    currency: str | None

    def describe(self) -> str:
        return f"money in {self.currency}" if self.currency else "money in the request's currency"


@dataclass(frozen=True, slots=True)
class PercentT(Type):
    """A percentage such as 20%."""

    def describe(self) -> str:
        return "a percentage"


@dataclass(frozen=True, slots=True)
class DurationT(Type):
    """A length of time. `clock` is calendar or business (None: either, known per request);
    `scale` is minutes (minutes, hours), days (days, weeks) or months (months, years: calendar only). A request
    field declared in a unit (`x-vilkar-unit: hours`) holds `per` base units per unit it is written in; it plays
    no part in equality."""

    clock: str | None
    scale: str
    per: int = field(default=1, compare=False)

    def describe(self) -> str:
        unit = {"minutes": "minutes or hours", "days": "days or weeks", "months": "months or years"}[self.scale]
        clock = f"{self.clock} " if self.clock else "calendar or business "
        return f"a duration in {clock}{unit}"

    @property
    def unit(self) -> str:
        """The unit a count of this duration is in: minutes, days or months."""
        return self.scale


@dataclass(frozen=True, slots=True)
class DateT(Type):
    """A calendar date."""

    def describe(self) -> str:
        return "a date"


@dataclass(frozen=True, slots=True)
class TimestampT(Type):
    """A moment in time with a UTC offset."""

    def describe(self) -> str:
        return "a timestamp"


@dataclass(frozen=True, slots=True)
class UnknownT(Type):
    """The type of an expression already reported as wrong; it fits anywhere, so errors do not cascade."""

    def describe(self) -> str:
        return "an unknown value"


@dataclass(frozen=True, slots=True)
class NullT(Type):
    """`nothing`: no value."""

    def describe(self) -> str:
        return "nothing"


@dataclass(frozen=True, slots=True)
class OptionalT(Type):
    """A value that may be absent."""

    inner: Type

    def describe(self) -> str:
        return f"{self.inner.describe()} (or absent)"


@dataclass(frozen=True, slots=True)
class SetT(Type):
    """A set; a `names` set matches product names ignoring case and spacing."""

    element: Type
    names: bool = False

    def describe(self) -> str:
        return "a set of product names" if self.names else f"a set of {plural(self.element)}"


@dataclass(frozen=True, slots=True)
class ListT(Type):
    """A list from the request."""

    element: Type

    def describe(self) -> str:
        return f"a list of {plural(self.element)}"


@dataclass(frozen=True, slots=True)
class RecordT(Type):
    """An object of the request with named fields; `role` marks money and locations."""

    name: str
    fields: tuple[tuple[str, Type], ...]
    role: str | None = None

    def field(self, name: str) -> Type | None:
        for field_name, field_type in self.fields:
            if field_name == name:
                return field_type
        return None

    def field_names(self) -> list[str]:
        return [name for name, _ in self.fields]

    def describe(self) -> str:
        if self.role in ("location", "period"):
            return f"a {self.role}"
        return f"a record ({self.name})"


def plural(element: Type) -> str:
    text = element.describe()
    for article in ("a ", "an "):
        if text.startswith(article):
            return text[len(article):] + "s"
    return text


INT = IntT()
DECIMAL = DecimalT()
BOOL = BoolT()
STRING = StringT()
PERCENT = PercentT()
DATE = DateT()
TIMESTAMP = TimestampT()
NULL = NullT()
UNKNOWN = UnknownT()
# `the 1 year period from a containing d`: its first and last day, and which period it is (1 for the first)
PERIOD = RecordT("period", (("start", DATE), ("end", DATE), ("number", INT)), "period")

NUMERIC = (IntT, DecimalT)
TEXTUAL = (StringT, EnumT)


def strip_optional(t: Type) -> Type:
    return t.inner if isinstance(t, OptionalT) else t


def is_optional(t: Type) -> bool:
    return isinstance(t, (OptionalT, NullT))


def optional(t: Type) -> Type:
    return t if isinstance(t, (OptionalT, NullT)) else OptionalT(t)


def is_numeric(t: Type) -> bool:
    return isinstance(t, NUMERIC)


def is_text(t: Type) -> bool:
    return isinstance(t, TEXTUAL)


def same_family(a: Type, b: Type) -> bool:
    """Whether two values can be compared with each other."""
    a, b = strip_optional(a), strip_optional(b)
    if isinstance(a, (NullT, UnknownT)) or isinstance(b, (NullT, UnknownT)):
        return True
    if is_numeric(a) and is_numeric(b):
        return True
    if is_text(a) and is_text(b):
        return True
    if isinstance(a, DurationT) and isinstance(b, DurationT):
        return a.scale == b.scale and (a.clock is None or b.clock is None or a.clock == b.clock)
    if isinstance(a, MoneyT) and isinstance(b, MoneyT):
        return a.currency == b.currency and a.currency is not None
    return type(a) is type(b) and not isinstance(a, (RecordT, ListT, SetT))


def unify(a: Type, b: Type) -> Type | None:
    """The type that holds values of both a and b (table rows, branches), or None."""
    if a == b:
        return a
    if isinstance(a, UnknownT):
        return b
    if isinstance(b, UnknownT):
        return a
    if isinstance(a, NullT):
        return optional(b)
    if isinstance(b, NullT):
        return optional(a)
    if isinstance(a, OptionalT) or isinstance(b, OptionalT):
        inner = unify(strip_optional(a), strip_optional(b))
        return optional(inner) if inner is not None else None
    if is_numeric(a) and is_numeric(b):
        return DECIMAL
    if isinstance(a, EnumT) and isinstance(b, EnumT):
        return EnumT(a.values | b.values)
    if is_text(a) and is_text(b):
        return STRING
    if isinstance(a, DurationT) and isinstance(b, DurationT) and a.scale == b.scale:
        return DurationT(a.clock if a.clock == b.clock else None, a.scale)
    if isinstance(a, SetT) and isinstance(b, SetT):
        element = unify(a.element, b.element)
        return SetT(element, a.names or b.names) if element is not None else None
    return None


class TypeFold:
    """The type of many values (a set's items, a table column's rows) merged one after another with `merge`.

    The values of enum texts are gathered in one set and made an EnumT only when asked for: merging an
    enum of n texts with one more text n times would cost O(n²) for a set or table of n texts. The result,
    and any error `merge` reports on the way, is what merging one value at a time gives."""

    def __init__(self, merge: Callable[[Type, Type, Any], Type]):
        self.merge = merge
        self.type: Type | None = None
        self.values: set[str] | None = None  # gathering: the type is EnumT(values), optional if `optional`
        self.optional = False

    def add(self, type_: Type, where: Any) -> None:
        if self.values is not None:
            inner = strip_optional(type_)
            if isinstance(inner, EnumT):
                self.values.update(inner.values)
                self.optional = self.optional or isinstance(type_, OptionalT)
                return
            if isinstance(type_, (NullT, UnknownT)):  # unify: nothing makes it optional, unknown changes nothing
                self.optional = self.optional or isinstance(type_, NullT)
                return
            self.type = self.result()
        self.type = type_ if self.type is None else self.merge(self.type, type_, where)
        inner = strip_optional(self.type)
        if isinstance(inner, EnumT):
            self.values, self.optional = set(inner.values), isinstance(self.type, OptionalT)

    def add_text(self, value: str, type_: Type, where: Any) -> None:
        """`add(type_)` for a text literal, whose type is the one-value enum of `value`."""
        if self.values is not None:
            self.values.add(value)
        else:
            self.add(type_, where)

    def result(self) -> Type | None:
        """The merged type so far (None before any value)."""
        if self.values is not None:
            enum = EnumT(frozenset(self.values))
            self.type = OptionalT(enum) if self.optional else enum
            self.values = None
        return self.type
