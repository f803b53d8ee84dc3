"""Typing rules for literals, operators and built-in functions: where units and currencies are checked."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Callable

from . import ast
from .diagnostics import did_you_mean
from .source import Span
from .types import (
    BOOL, DATE, DECIMAL, INT, NULL, PERCENT, STRING, TIMESTAMP, BoolT, optional, DateT, DecimalT, DurationT, EnumT,
    IntT, ListT, MoneyT, PercentT, RecordT, SetT, StringT, TimestampT, Type, UnknownT, UNKNOWN, is_numeric, is_optional, is_text,
    optional, same_family, strip_optional, unify,
)

Report = Callable[..., None]

MINUTES_PER = {"minutes": 1, "hours": 60}
DAYS_PER = {"days": 1, "weeks": 7}
MONTHS_PER = {"months": 1, "years": 12}

FUNCTIONS = ("min", "max", "ceil", "floor", "round", "abs", "amount", "currency", "count", "local_date", "clock")
CLOCKS = EnumT(frozenset({"calendar", "business"}))
AGGREGATES = ("sum", "count", "any", "all", "min", "max")
SELECTIONS = ("count", "any", "all", "filter", "first")


def quantity_scale(unit: str) -> str:
    return "minutes" if unit in MINUTES_PER else "months" if unit in MONTHS_PER else "days"


def quantity_count(quantity: ast.Quantity) -> Decimal:
    """A duration literal in its base unit: minutes, days or months."""
    per = MINUTES_PER.get(quantity.unit) or DAYS_PER.get(quantity.unit) or MONTHS_PER[quantity.unit]
    return quantity.amount * per


def literal_type(expr: ast.Expr, error: Report) -> Type | None:
    """The type of a literal, or None if the expression is not one."""
    if isinstance(expr, ast.Number):
        return INT if expr.is_integer else DECIMAL
    if isinstance(expr, ast.Quantity):
        count = quantity_count(expr)
        scale = quantity_scale(expr.unit)
        if count != count.to_integral_value():
            error("VK104", f"a duration must be a whole number of {scale}", expr.span,
                  "write for example `90 minutes` instead of `1.5 hours` when it is not whole")
        if scale == "months" and expr.clock == "business":
            error("VK105", f"there are no business {expr.unit}: months and years are calendar time", expr.span,
                  f"write `{expr.text.replace('business ', '')}`, or count business days")
            return DurationT("calendar", scale)
        return DurationT(expr.clock, scale)
    if isinstance(expr, ast.Percent):
        return PERCENT
    if isinstance(expr, ast.Money):
        return MoneyT(expr.currency)
    if isinstance(expr, ast.DateLiteral):
        try:
            dt.date.fromisoformat(expr.value)
        except ValueError:
            error("VK104", f"{expr.value} is not a date that exists", expr.span, "dates are written YYYY-MM-DD")
        return DATE
    if isinstance(expr, ast.String):
        return EnumT(frozenset([expr.value]))
    if isinstance(expr, ast.Boolean):
        return BOOL
    if isinstance(expr, ast.Nothing):
        return NULL
    return None


def describe_expr(expr: ast.Expr) -> str:
    """A short name of an expression for messages: `request.severity`, `fee_percent`."""
    if isinstance(expr, ast.Request):
        return "request"
    if isinstance(expr, ast.Field):
        return f"{describe_expr(expr.base)}.{expr.name}"
    if isinstance(expr, ast.Name):
        return expr.name
    return "this value"


class TypeRules:
    """Operator and function typing; reports through the checker's `error`."""

    def __init__(self, error: Report):
        self.error = error

    # -- comparisons
    def compare(self, op: str, left: Type, right: Type, span: Span, left_expr: ast.Expr,
                right_expr: ast.Expr) -> Type:
        if not same_family(left, right):
            durations = all(isinstance(strip_optional(side), DurationT) for side in (left, right))
            self.error("VK105" if durations else "VK104",
                       f"cannot compare {left.describe()} with {right.describe()}", span,
                       _mismatch_hint(left, right))
            return BOOL
        self.check_enum_values(left, right, left_expr, right_expr)
        if op not in ("==", "!="):
            for side_type, side in ((left, left_expr), (right, right_expr)):
                if is_optional(side_type):
                    self.error("VK112", f"`{describe_expr(side)}` may be absent, so it cannot be ordered with `{op}`",
                               side.span, f"give a fallback: `{describe_expr(side)} if absent ...`")
                    return BOOL
            if isinstance(strip_optional(left), (BoolT, EnumT, StringT, SetT, ListT, RecordT)):
                self.error("VK104", f"`{op}` orders numbers, money, durations and dates, not {left.describe()}", span,
                           "use `==`, `!=` or `in` for texts and yes/no values")
            elif any(isinstance(t, DurationT) and t.clock is None for t in (left, right)):
                self.error("VK105", "durations are ordered only on one clock, calendar or business", span,
                           "compare calendar time with calendar time, business time with business time")
        return BOOL

    def check_enum_values(self, left: Type, right: Type, left_expr: ast.Expr, right_expr: ast.Expr) -> None:
        left, right = strip_optional(left), strip_optional(right)
        if not (isinstance(left, EnumT) and isinstance(right, EnumT)):
            return
        if left.values & right.values:
            return
        if isinstance(right_expr, ast.String):
            self.unknown_enum_value(right_expr, left, left_expr)
        elif isinstance(left_expr, ast.String):
            self.unknown_enum_value(left_expr, right, right_expr)
        else:
            self.error("VK103", f"`{describe_expr(left_expr)}` and `{describe_expr(right_expr)}` can never be equal",
                       left_expr.span, f"one is {left.describe()}, the other {right.describe()}")

    def unknown_enum_value(self, literal: ast.String, allowed: EnumT, subject: ast.Expr) -> None:
        hint = did_you_mean(literal.value, allowed.values) or f"the allowed values are {allowed.describe()[7:]}"
        self.error("VK103", f"`{describe_expr(subject)}` is never \"{literal.value}\": it is {allowed.describe()}",
                   literal.span, hint)

    def member(self, left: Type, right: Type, span: Span, left_expr: ast.Expr, right_expr: ast.Expr,
               items: list[ast.Expr] | None) -> Type:
        container = strip_optional(right)
        if not isinstance(container, (SetT, ListT)):
            self.error("VK104", f"`in` needs a set or list on its right, not {right.describe()}", right_expr.span,
                       'write a set such as {"en", "ja"} or the name of a set')
            return BOOL
        if is_optional(right):
            self.error("VK112", f"`{describe_expr(right_expr)}` may be absent, so nothing can be looked for in it",
                       right_expr.span, f"test it first: `{describe_expr(right_expr)} is present and ...`")
            return BOOL
        element = container.element
        if isinstance(container, SetT) and container.names:
            if not is_text(strip_optional(left)):
                self.error("VK104", f"a set of product names holds texts, not {left.describe()}", span)
            return BOOL
        if not same_family(left, element):
            self.error("VK104", f"cannot look for {left.describe()} in {right.describe()}", span,
                       _mismatch_hint(left, element))
            return BOOL
        if isinstance(left_expr, ast.String) and isinstance(element, EnumT) and left_expr.value not in element.values:
            self.unknown_enum_value(left_expr, element, right_expr)
        inner = strip_optional(left)
        if isinstance(inner, EnumT) and items is not None:
            for item in items:
                if isinstance(item, ast.String) and item.value not in inner.values:
                    self.unknown_enum_value(item, inner, left_expr)
        return BOOL

    # -- arithmetic
    def unary(self, op: str, operand: Type, span: Span) -> Type:
        if isinstance(operand, UnknownT):
            return UNKNOWN
        if op == "not":
            if strip_optional(operand) != BOOL:
                hint = ("`nothing` means the contract states nothing, which is neither true nor false; write `false`"
                        if strip_optional(operand).describe() == "nothing" else
                        "`not` turns a condition around: `not (request.x in some_set)`")
                self.error("VK104", f"`not` needs a condition, not {operand.describe()}", span, hint)
            return BOOL
        inner = strip_optional(operand)
        if not isinstance(inner, (IntT, DecimalT, MoneyT, PercentT, DurationT)) or is_optional(operand):
            self.error("VK104", f"cannot negate {operand.describe()}", span)
        return operand

    def arithmetic(self, op: str, left: Type, right: Type, expr: ast.Binary, has_calendar: bool) -> Type:
        for side_type, side in ((left, expr.left), (right, expr.right)):
            if is_optional(side_type):
                self.error("VK112", f"`{describe_expr(side)}` may be absent, so it cannot be used in `{op}`",
                           side.span, f"give a fallback: `{describe_expr(side)} if absent ...`, or make the "
                           "table or tiers that decide it cover every case")
                return UNKNOWN
        if isinstance(left, UnknownT) or isinstance(right, UnknownT):
            return UNKNOWN
        result = _arithmetic_result(op, left, right)
        if result is None and any(_months(side) for side in (left, right)) \
                and any(isinstance(side, TimestampT) for side in (left, right)):
            self.error("VK104", "months and years are added to a date, not to a timestamp", expr.span,
                       "take the local date first: `local_date(request.at) + 1 month`")
            return UNKNOWN
        if result is None:
            words = {"+": "add", "-": "subtract", "*": "multiply", "/": "divide", "of": "take a share of"}
            self.error("VK105" if _unit_clash(left, right) else "VK104",
                       f"cannot {words[op]} {left.describe()} and {right.describe()}", expr.span,
                       _arithmetic_hint(op, left, right))
            return left
        if _months(right) and isinstance(left, DateT) and op == "-":
            self.error("VK104", "months and years can be added to a date, not taken away", expr.span,
                       "count forward from the earlier date: periods are computed from their anchor (SPEC §5)")
            return left
        needs_calendar = (isinstance(left, (TimestampT, DateT)) and isinstance(right, DurationT)
                          and (right.clock != "calendar" or isinstance(left, TimestampT) and right.scale == "days"))
        if needs_calendar and op == "-" and right.clock != "calendar":
            self.error("VK104", "business time can be added to a moment, not taken away", expr.span,
                       "count forward from the earlier moment instead")
        elif needs_calendar and not has_calendar:
            what = "business time" if right.clock != "calendar" else "calendar days to a moment (local dates)"
            self.error("VK114", f"adding {what} needs a calendar and a location", expr.span,
                       "say which calendar the kind uses: `kind x uses calendar support_hours at request.location`")
        return result

    # -- functions
    def call(self, expr: ast.Call, arguments: list[Type], kind) -> Type:
        name = expr.function
        if any(isinstance(argument, UnknownT) for argument in arguments) and name in FUNCTIONS:
            return UNKNOWN
        if name not in FUNCTIONS:
            self.error("VK111", f"there is no function `{name}`", expr.span,
                       did_you_mean(name, FUNCTIONS + AGGREGATES) or f"functions: {', '.join(FUNCTIONS)}")
            return UNKNOWN
        if name in ("min", "max"):
            if len(arguments) < 2:
                self.error("VK111", f"`{name}` compares two or more values", expr.span)
                return arguments[0] if arguments else DECIMAL
            # absent values are skipped; the result is absent only if every value may be
            result = arguments[0]
            for argument, argument_expr in zip(arguments[1:], expr.arguments[1:]):
                merged = unify(result, argument) if same_family(result, argument) else None
                if merged is None:
                    self.error("VK105" if _unit_clash(result, argument) else "VK104",
                               f"`{name}` of {result.describe()} and {argument.describe()}", argument_expr.span,
                               _mismatch_hint(result, argument))
                    return result
                result = merged
            return result if all(is_optional(a) for a in arguments) else strip_optional(result)
        if not self.arity(expr, arguments, 1):
            return DECIMAL
        argument = arguments[0]
        if name in ("ceil", "floor", "round"):
            if not is_numeric(argument):
                self.error("VK104", f"`{name}` rounds a number, not {argument.describe()}", expr.span)
            return INT
        if name == "abs":
            if is_optional(argument):
                self.absent_argument(expr)
            elif not isinstance(argument, (IntT, DecimalT, MoneyT, PercentT, DurationT)):
                self.error("VK104", f"`abs` is the size of a number, money, percentage or duration, not of "
                           f"{argument.describe()}", expr.span)
            return argument
        if name in ("amount", "currency"):
            if not isinstance(argument, MoneyT):
                self.error("VK104", f"`{name}` reads money, not {argument.describe()}", expr.span)
            return DECIMAL if name == "amount" else STRING
        if name == "count":
            if not isinstance(strip_optional(argument), (ListT, SetT)):
                self.error("VK104", f"`count` counts a list or set, not {argument.describe()}", expr.span)
            elif is_optional(argument):
                self.absent_argument(expr)
            return INT
        if name == "clock":
            if not isinstance(strip_optional(argument), DurationT):
                self.error("VK104", f"`clock` tells the clock of a duration, not of {argument.describe()}", expr.span)
            elif is_optional(argument):
                self.absent_argument(expr)
            return CLOCKS
        if name == "local_date":
            self.expect_timestamp(argument, expr.arguments[0].span, present=True)
            if kind is None or kind.calendar is None:
                self.error("VK114", "`local_date` needs the kind's location", expr.span,
                           "declare `kind x uses calendar <name> at request.location`")
            return DATE
        raise AssertionError(name)

    def absent_argument(self, expr: ast.Call) -> None:
        subject = describe_expr(expr.arguments[0])
        self.error("VK112", f"`{subject}` may be absent, so `{expr.function}` cannot be taken of it",
                   expr.arguments[0].span, f"give a fallback: `{expr.function}({subject} if absent ...)`, or test "
                   f"`{subject} is present` first")

    def arity(self, expr: ast.Call, arguments: list[Type], count: int) -> bool:
        if len(arguments) != count:
            self.error("VK111", f"`{expr.function}` takes {count} value{'s' if count > 1 else ''}, "
                       f"not {len(arguments)}", expr.span)
            return False
        return True

    def aggregate(self, expr: ast.Comprehension, element: Type) -> Type:
        name = expr.function
        if name not in AGGREGATES:
            self.error("VK111", f"`{name}(... for ...)` is not an aggregate", expr.span,
                       f"aggregates: {', '.join(AGGREGATES)}")
            return DECIMAL
        if name == "count":
            return INT
        if name in ("any", "all"):
            if strip_optional(element) != BOOL:
                self.error("VK104", f"`{name}` needs a condition per item, not {element.describe()}",
                           expr.element.span)
            return BOOL
        if is_optional(element) or not isinstance(element, (IntT, DecimalT, MoneyT, PercentT, DurationT)):
            self.error("VK104", f"`{name}` adds numbers, money or durations, not {element.describe()}",
                       expr.element.span)
            return DECIMAL
        if isinstance(element, MoneyT) and element.currency is None:
            self.error("VK105", f"cannot {'add' if name == 'sum' else 'compare'} money whose currency only the "
                       "request knows", expr.element.span, "take its `amount(...)` where the currencies are known "
                       "to be the same")
        if name == "sum" and isinstance(element, DurationT) and element.clock is None:
            self.error("VK105", "cannot add durations whose clock (calendar or business) is known only per request",
                       expr.element.span, "add calendar time and business time separately")
        return element if name == "sum" else unify(element, NULL) or element

    def selection(self, expr: ast.Selection, element: Type) -> Type:
        """count → a whole number; any, all → yes/no; filter → a list of the items; first → an item, or absent."""
        name = expr.function
        if name not in SELECTIONS:
            self.error("VK111", f"`{name}(... in ... where ...)` is not a selection", expr.span,
                       f"selections: {', '.join(SELECTIONS)}")
            return UNKNOWN
        if name == "count":
            return INT
        if name in ("any", "all"):
            return BOOL
        if name == "filter":
            return ListT(element)
        return optional(element) if not isinstance(element, UnknownT) else UNKNOWN

    def convert(self, expr: ast.Convert, value: Type) -> Type:
        counted = self.count_type(expr, value)
        return optional(counted) if is_optional(value) else counted

    def count_type(self, expr: ast.Convert, value: Type) -> Type:
        inner = strip_optional(value)
        if not isinstance(inner, DurationT):
            self.error("VK104", f"only a duration can be counted in {expr.unit}, not {value.describe()}", expr.span)
            return INT
        if quantity_scale(expr.unit) != inner.scale:
            hint = "a month is not a fixed number of days; count months in months or years" \
                if "months" in (inner.scale, quantity_scale(expr.unit)) else \
                "a day is not always 24 hours (daylight saving); count days in days and minutes in minutes"
            self.error("VK105", f"{inner.describe()} cannot be counted in {expr.unit}", expr.span, hint)
        if expr.clock is not None and inner.clock is not None and expr.clock != inner.clock:
            self.error("VK105", f"{inner.describe()} cannot be counted in {expr.clock} {expr.unit}", expr.span)
        return INT if expr.unit in ("minutes", "days", "months") else DECIMAL

    def expect_timestamp(self, value: Type, span: Span, present: bool = False) -> None:
        if strip_optional(value) != TIMESTAMP:
            self.error("VK104", f"expected a timestamp, not {value.describe()}", span)
        elif present and is_optional(value):
            self.error("VK112", "this timestamp may be absent", span,
                       "give a fallback with `if absent`, or test `is present` first")

    def timestamp_type(self) -> Type:
        return TIMESTAMP


def _arithmetic_result(op: str, left: Type, right: Type) -> Type | None:
    numeric = is_numeric(left) and is_numeric(right)
    if op in ("+", "-"):
        if numeric:
            return INT if isinstance(left, IntT) and isinstance(right, IntT) else DECIMAL
        if isinstance(left, MoneyT) and left == right and left.currency is not None:
            return left
        if isinstance(left, PercentT) and isinstance(right, PercentT):
            return PERCENT
        if isinstance(left, DurationT) and isinstance(right, DurationT):
            return left if left == right and left.clock is not None else None
        if isinstance(left, DateT) and isinstance(right, DurationT) and right.scale in ("days", "months") \
                and right.clock is not None:
            return DATE
        if isinstance(left, DateT) and isinstance(right, DurationT):
            return None  # a date has no time of day to add minutes to
        if op == "+" and isinstance(left, DurationT) and isinstance(right, DateT) and left.scale in ("days", "months") \
                and left.clock is not None:
            return DATE
        if op == "-" and isinstance(left, DateT) and isinstance(right, DateT):
            return DurationT("calendar", "days")
        if isinstance(left, TimestampT) and isinstance(right, DurationT) and right.scale != "months":
            return TIMESTAMP
        if op == "-" and isinstance(left, TimestampT) and isinstance(right, TimestampT):
            return DurationT("calendar", "minutes")
        if op == "+" and isinstance(left, SetT) and isinstance(right, SetT):
            merged = unify(left, right)
            return merged
        return None
    if op == "*":
        if numeric:
            return INT if isinstance(left, IntT) and isinstance(right, IntT) else DECIMAL
        for a, b in ((left, right), (right, left)):
            if isinstance(a, MoneyT) and a.currency is not None and (is_numeric(b) or isinstance(b, PercentT)):
                return a
            if isinstance(a, PercentT) and is_numeric(b):
                return DECIMAL
            if isinstance(a, DurationT) and a.clock is not None and isinstance(b, IntT):
                return a
        return None
    if op == "/":
        if numeric:
            return DECIMAL
        if isinstance(left, DurationT) and left == right and left.clock is not None:
            return DECIMAL  # how many of one duration fit in another: `coverage_days / 5 days`
        if isinstance(left, MoneyT) and left.currency is not None and is_numeric(right):
            return left
        if isinstance(left, MoneyT) and left == right and left.currency is not None:
            return DECIMAL
        return None
    if op == "of":
        if isinstance(left, PercentT) and isinstance(right, MoneyT) and right.currency is not None:
            return right
        if isinstance(left, PercentT) and is_numeric(right):
            return DECIMAL
        return None
    return None


def _months(type_: Type) -> bool:
    return isinstance(type_, DurationT) and type_.scale == "months"


def _unit_clash(left: Type, right: Type) -> bool:
    """Both sides carry units, and they differ: money and durations, USD and EUR, calendar and business."""
    united = (MoneyT, DurationT, PercentT, DateT, TimestampT)
    return isinstance(left, united) and isinstance(right, united)


def _arithmetic_hint(op: str, left: Type, right: Type) -> str:
    if isinstance(left, MoneyT) and left.currency is None or isinstance(right, MoneyT) and right.currency is None:
        return "the currency of this money is known only per request: compute with its `amount(...)`"
    if isinstance(left, MoneyT) and isinstance(right, MoneyT):
        return "amounts in different currencies cannot be mixed; convert one with an exchange rate first"
    if isinstance(left, DurationT) and isinstance(right, DurationT):
        return "calendar time and business time differ; add business time to a timestamp on a calendar instead"
    if any(isinstance(t, DurationT) and t.clock is None for t in (left, right)):
        return "the clock of this duration is known only per request: count it `in minutes` or `in days` first"
    if isinstance(left, MoneyT) or isinstance(right, MoneyT):
        return "money combines with money of the same currency, and is multiplied by numbers or percentages"
    if op == "of":
        return "write a share as a percentage of an amount: `20% of request.flexible_allowance`"
    return "check that both sides have the same unit"


def _mismatch_hint(left: Type, right: Type) -> str:
    if isinstance(strip_optional(left), MoneyT) and is_numeric(strip_optional(right)):
        return "write money with its currency, for example `USD 50,000`"
    if isinstance(strip_optional(left), DurationT) and is_numeric(strip_optional(right)):
        return "write durations with their unit, for example `14 days`"
    if is_numeric(strip_optional(left)) and isinstance(strip_optional(right), DurationT):
        return "this is a plain number; compare it with a plain number, or count the duration `in days`"
    if isinstance(strip_optional(left), DurationT) and isinstance(strip_optional(right), DurationT):
        return "a day is not always 24 hours (daylight saving): compare days with days and minutes with minutes"
    return "both sides must be the same kind of value"
