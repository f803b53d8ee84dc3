"""A reference interpreter of the policy language: small, slow and obviously correct, for tests only.

It walks the checked syntax tree directly and holds values as `evaluator/compile/expressions.py`
documents, so that a compiled kind and this interpreter can be compared value for value and rule for rule.
It shares nothing with the compiler but the calendar (business time is the calendar's to get right) and
the exact decimal context (SPEC: vilkar computes in one context, whatever the caller's).
"""
from __future__ import annotations

import datetime as dt
import re
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal
from typing import Any

from evaluator.calendar import months
from evaluator.calendar.hours import BusinessHours
from evaluator.compile.runtime import EXACT
from evaluator.language import ast
from evaluator.language.check import CheckedRuleSet, request_path
from evaluator.language.types import (
    DateT, DecimalT, DurationT, ListT, MoneyT, OptionalT, PercentT, RecordT, SetT, TimestampT, Type, strip_optional,
)
from evaluator.language.typing_rules import quantity_count

NO_RULE = -2
UNITS = {"minutes": 1, "hours": 60, "days": 1, "weeks": 7, "months": 1, "years": 12}


class Fault(Exception):
    """The request cannot be decided: the compiled code must fail too."""


def product_name(text: str) -> str:
    return " ".join(text.split()).casefold()


class Interpreter:
    """Decides requests of one kind by walking its checked definitions."""

    def __init__(self, checked: CheckedRuleSet, kind: str):
        self.checked = checked
        self.kind = checked.kinds[kind]
        self.types = checked.types
        self.global_values: dict[str, Any] = {}
        self.month_rule = checked.month_rule.rule if checked.month_rule is not None else months.ROLL_FORWARD

    # -- the result: every definition's value and the index of the rule that decided it
    def bind(self, request: dict) -> None:
        """Start on a request: nothing decided yet, the calendar at its location."""
        self.request = request
        self.values: dict[str, Any] = {}
        self.traces: dict[str, int] = {}
        self.calendar = None
        if self.kind.calendar is not None:
            declaration = self.checked.calendars[self.kind.calendar]
            location = self.eval(self.kind.location, {})
            self.calendar = BusinessHours.from_declaration(declaration).at(location)

    def decide(self, request: dict) -> tuple[dict[str, Any], dict[str, int]]:
        self.bind(request)
        for definition in self.kind.lets + self.kind.decisions:
            self.define(definition)
        return self.values, self.traces

    def requirements(self, request: dict) -> list[int]:
        """The indexes of the kind's requirements that the request fails."""
        self.bind(request)
        failed = []
        for index, requirement in enumerate(self.kind.requirements):
            if requirement.when is not None and not self.eval(requirement.when, {}):
                continue
            if requirement.exactly_one:  # `require exactly one of a, b`: one field given, not both, not neither
                given = [self.eval(field, {}) is not None for field in (requirement.at, *requirement.also_at)]
                if sum(given) != 1:
                    failed.append(index)
            elif requirement.condition is not None and not self.eval(requirement.condition, {}):
                failed.append(index)
        return failed

    def define(self, definition: ast.Decision | ast.LetDecl) -> None:
        if definition.names[0] in self.traces:
            return
        outputs, rule = self.body(definition)
        for name, value in zip(definition.names, outputs):
            type_ = strip_optional(self.kind.value_types[name])
            if isinstance(definition, ast.Decision) and isinstance(type_, MoneyT) and type_.currency and value is not None:
                value = Decimal(value).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP, context=EXACT)
            if isinstance(type_, TimestampT) and self.calendar is not None and value is not None:
                value = value.astimezone(self.calendar.zone)
            self.values[name] = value
        self.traces[definition.names[0]] = rule

    # -- bodies
    def body(self, definition: ast.Decision | ast.LetDecl) -> tuple[list[Any], int]:
        body = definition.body
        types = [self.kind.value_types[name] for name in definition.names]
        if isinstance(body, ast.RuleBody):
            for index, exception in enumerate(body.exceptions):
                if self.eval(exception.condition, {}):
                    return [self.value_as(exception.value, types[0])], index
            return [self.value_as(body.value, types[0])], -1
        if isinstance(body, ast.AllOfBody):  # false at the first part that does not hold
            for index, part in enumerate(body.parts):
                if not self.eval(part.test, {}):
                    return [False], index
            return [True], -1
        if isinstance(body, ast.TiersBody):
            subject = self.eval(body.subject, {})
            for index, row in enumerate(body.rows):
                if self.holds(row.bound, subject):
                    return [self.value_as(row.value, types[0])], index
            return self.otherwise(body.otherwise, types, len(body.rows))
        subjects = [(self.eval(s, {}), strip_optional(self.types[id(s)])) for s in body.subjects]
        for index, row in enumerate(body.rows):
            if all(self.matches(cell, value, type_) for cell, (value, type_) in zip(row.cells, subjects)):
                return [self.value_as(output, t) for output, t in zip(row.outputs, types)], index
        return self.otherwise(body.otherwise, types, len(body.rows))

    def otherwise(self, row: ast.OtherwiseRow | None, types: list[Type], index: int) -> tuple[list[Any], int]:
        if row is None:
            return [None] * len(types), NO_RULE
        return [self.value_as(output, t) for output, t in zip(row.outputs, types)], index

    def holds(self, bound: ast.Bound, subject: Any) -> bool:
        if isinstance(bound, ast.CompareBound):
            return compare(bound.op, subject, self.eval(bound.value, {}))
        if isinstance(bound, ast.RangeBound):
            return self.eval(bound.low, {}) <= subject <= self.eval(bound.high, {})
        return subject == self.eval(bound.value, {})

    def matches(self, cell: ast.Cell, subject: Any, subject_type: Type) -> bool:
        if isinstance(cell, ast.AnyCell):
            return True
        if isinstance(cell, ast.EqualCell):
            return subject == self.value_as(cell.value, subject_type)
        if isinstance(cell, ast.CompareCell):
            return subject is not None and compare(cell.op, subject, self.eval(cell.value, {}))
        if isinstance(cell, ast.RangeCell):
            return subject is not None and self.eval(cell.low, {}) <= subject <= self.eval(cell.high, {})
        found = self.member(subject, subject_type, self.eval(cell.value, {}), self.types[id(cell.value)])
        return not found if cell.negated else found

    # -- values of one type, held as a wider one
    def value_as(self, expr: ast.Expr, target: Type) -> Any:
        return widen(self.eval(expr, {}), self.types[id(expr)], target)

    # -- expressions
    def eval(self, expr: ast.Expr, env: dict[str, Any]) -> Any:
        method = getattr(self, "eval_" + type(expr).__name__)
        return method(expr, env)

    def eval_Number(self, expr: ast.Number, env: dict) -> Any:
        return int(expr.value) if expr.is_integer else expr.value

    def eval_Quantity(self, expr: ast.Quantity, env: dict) -> Any:
        return int(quantity_count(expr))

    def eval_Percent(self, expr: ast.Percent, env: dict) -> Any:
        return int(expr.value) if expr.value == expr.value.to_integral_value() else expr.value

    def eval_Money(self, expr: ast.Money, env: dict) -> Any:
        return expr.amount

    def eval_DateLiteral(self, expr: ast.DateLiteral, env: dict) -> Any:
        return dt.date.fromisoformat(expr.value)

    def eval_String(self, expr: ast.String, env: dict) -> Any:
        return expr.value

    def eval_Boolean(self, expr: ast.Boolean, env: dict) -> Any:
        return expr.value

    def eval_Nothing(self, expr: ast.Nothing, env: dict) -> Any:
        return None

    def eval_Request(self, expr: ast.Request, env: dict) -> Any:
        return self.request

    def eval_Name(self, expr: ast.Name, env: dict) -> Any:
        if expr.name in env:
            return env[expr.name]
        definition = self.kind.definitions.get(expr.name)
        if definition is not None:
            self.define(definition)
            return self.values[expr.name]
        return self.global_value(expr.name)

    def global_value(self, name: str) -> Any:
        if name not in self.global_values:
            declaration = self.checked.sets.get(name) or self.checked.lets[name]
            if isinstance(declaration, ast.SetDecl):
                value = self.eval(declaration.value, {})
                if declaration.names:
                    value = frozenset(product_name(v) for v in value)
                if declaration.using is not None:  # every name of each alias group it names one name of
                    for group in self.checked.sets[declaration.using].value.items:
                        if isinstance(group, ast.AliasGroup):
                            members = frozenset(product_name(self.eval(name, {})) for name in group.names)
                            if members & value:
                                value |= members
            else:
                value = self.eval(declaration.body.value, {})
            self.global_values[name] = value
        return self.global_values[name]

    def eval_Field(self, expr: ast.Field, env: dict) -> Any:
        base = self.eval(expr.base, env)
        if base is None:
            return None
        record = strip_optional(self.types[id(expr.base)])
        assert isinstance(record, RecordT)
        if record.role == "period":
            return getattr(base, expr.name)
        field_type = record.field(expr.name)
        raw = base.get(expr.name) if isinstance(field_type, OptionalT) else base[expr.name]
        return read(raw, field_type)

    def eval_Call(self, expr: ast.Call, env: dict) -> Any:
        name = expr.function
        target = self.types[id(expr)]
        if name in ("min", "max"):
            values = [widen(self.eval(a, env), self.types[id(a)], target) for a in expr.arguments]
            return extreme(name, values)
        value = self.eval(expr.arguments[0], env)
        type_ = strip_optional(self.types[id(expr.arguments[0])])
        if name in ("ceil", "floor", "round"):
            rounding = {"ceil": ROUND_CEILING, "floor": ROUND_FLOOR, "round": ROUND_HALF_UP}[name]
            return int(Decimal(value).to_integral_value(rounding=rounding, context=EXACT))
        if name == "count":
            return len(value)
        if name == "abs":
            if is_pair(type_):
                first, second = value
                return (absolute(first), second) if isinstance(type_, MoneyT) else (first, absolute(second))
            return absolute(value)
        if name == "amount":
            return value[0] if is_pair(type_) else value
        if name == "currency":
            return value[1] if is_pair(type_) else type_.currency
        if name == "clock":
            return value[0] if is_pair(type_) else type_.clock
        if name == "local_date":
            return value.astimezone(self.calendar.zone).date()
        raise AssertionError(name)

    def eval_Comprehension(self, expr: ast.Comprehension, env: dict) -> Any:
        def chosen():  # item by item: `any` and `all` stop at the first item that decides them
            for item in self.eval(expr.source, env):
                inner = {**env, expr.variable: item}
                if expr.where is None or self.eval(expr.where, inner):
                    yield inner
        if expr.function == "count":
            return sum(1 for _ in chosen())
        values = (self.eval(expr.element, inner) for inner in chosen())
        if expr.function == "any":
            return any(values)
        if expr.function == "all":
            return all(values)
        values = list(values)
        if expr.function == "sum":
            total: Any = Decimal(0) if is_exact(self.types[id(expr)]) else 0
            for value in values:
                total = EXACT.add(total, value) if isinstance(total, Decimal) else total + value
            return total
        return extreme(expr.function, values)

    def eval_Selection(self, expr: ast.Selection, env: dict) -> Any:
        items = self.eval(expr.source, env)

        def holds(item: Any) -> bool:
            return self.eval(expr.condition, {**env, expr.variable: item})
        if expr.function == "count":
            return sum(1 for item in items if holds(item))
        if expr.function == "any":
            return any(holds(item) for item in items)
        if expr.function == "all":
            return all(holds(item) for item in items)
        if expr.function == "filter":
            return [item for item in items if holds(item)]
        return next((item for item in items if holds(item)), None)

    def eval_AliasGroup(self, expr: ast.AliasGroup, env: dict) -> Any:
        return frozenset(self.eval(name, env) for name in expr.names)

    def eval_SetLiteral(self, expr: ast.SetLiteral, env: dict) -> Any:
        element = self.types[id(expr)].element
        members = [name for item in expr.items  # an `aliases` set holds every name of its groups
                   for name in (item.names if isinstance(item, ast.AliasGroup) else (item,))]
        return frozenset(widen(self.eval(item, env), self.types.get(id(item), element), element) for item in members)

    def eval_Unary(self, expr: ast.Unary, env: dict) -> Any:
        value = self.eval(expr.operand, env)
        if expr.op == "not":
            return not value
        type_ = strip_optional(self.types[id(expr.operand)])
        if is_pair(type_):
            first, second = value
            return (negate(first), second) if isinstance(type_, MoneyT) else (first, -second)
        return negate(value)

    def eval_Presence(self, expr: ast.Presence, env: dict) -> Any:
        return (self.eval(expr.operand, env) is not None) == expr.present

    def eval_IfAbsent(self, expr: ast.IfAbsent, env: dict) -> Any:
        target = self.types[id(expr)]
        value = self.eval(expr.value, env)
        if value is None:
            return widen(self.eval(expr.fallback, env), self.types[id(expr.fallback)], target)
        return widen(value, self.types[id(expr.value)], target)

    def eval_Conditional(self, expr: ast.Conditional, env: dict) -> Any:
        branch = expr.then if self.eval(expr.condition, env) else expr.otherwise
        return widen(self.eval(branch, env), self.types[id(branch)], self.types[id(expr)])

    def eval_Convert(self, expr: ast.Convert, env: dict) -> Any:
        value = self.eval(expr.value, env)
        if value is None:
            return None
        if is_pair(strip_optional(self.types[id(expr.value)])):
            value = value[1]
        if expr.unit in ("hours", "weeks", "years"):
            return EXACT.divide(Decimal(value), UNITS[expr.unit])
        return value

    def eval_Period(self, expr: ast.Period, env: dict) -> Any:
        cut = self.eval(expr.cut, env) if expr.cut is not None else None
        return months.period(self.eval(expr.length, env), self.eval(expr.anchor, env),
                             self.eval(expr.containing, env), cut, self.month_rule)

    def eval_WithinHours(self, expr: ast.WithinHours, env: dict) -> Any:
        return self.calendar.within(self.eval(expr.operand, env))

    def eval_NextBusinessStart(self, expr: ast.NextBusinessStart, env: dict) -> Any:
        return self.calendar.next_start(self.eval(expr.operand, env))

    def eval_Binary(self, expr: ast.Binary, env: dict) -> Any:
        op = expr.op
        if op == "and":
            return bool(self.eval(expr.left, env)) and bool(self.eval(expr.right, env))
        if op == "or":
            return bool(self.eval(expr.left, env)) or bool(self.eval(expr.right, env))
        left_type, right_type = self.types[id(expr.left)], self.types[id(expr.right)]
        left, right = self.eval(expr.left, env), self.eval(expr.right, env)
        if op in ("==", "!=", "<", "<=", ">", ">="):
            for side in (left_type, right_type):
                if is_pair(strip_optional(side)) and isinstance(strip_optional(side), DurationT):
                    left, right = widen(left, left_type, side), widen(right, right_type, side)
            return compare(op, left, right)
        if op in ("in", "not in"):
            found = self.member(left, strip_optional(left_type), right, right_type)
            return found if op == "in" else not found
        if op == "contains word":
            if left is None or right is None:
                return False
            return re.search(r"(?<!\w)" + re.escape(right) + r"(?!\w)", left, re.IGNORECASE) is not None
        return self.arithmetic(op, left, right, strip_optional(left_type), strip_optional(right_type),
                               strip_optional(self.types[id(expr)]))

    def member(self, value: Any, value_type: Type, container: Any, container_type: Type) -> bool:
        container_type = strip_optional(container_type)
        if isinstance(container_type, SetT) and container_type.names:
            return value is not None and product_name(value) in container
        element = strip_optional(container_type.element)
        if is_pair(value_type) and isinstance(element, DurationT) and element.clock is not None:
            return value is not None and value[0] == element.clock and value[1] in container
        return widen(value, value_type, element) in container

    def arithmetic(self, op: str, left: Any, right: Any, left_type: Type, right_type: Type, result: Type) -> Any:
        if isinstance(left_type, DateT) and isinstance(right_type, DateT):
            return (left - right).days
        if isinstance(left_type, TimestampT) and isinstance(right_type, TimestampT):
            return int((left.astimezone(dt.timezone.utc) - right.astimezone(dt.timezone.utc)).total_seconds() // 60)
        if isinstance(left_type, DateT) or isinstance(right_type, DateT):
            day, days, duration = (left, right, right_type) if isinstance(left_type, DateT) else (right, left, left_type)
            if duration.clock == "business":
                return self.calendar.add_business_days_to_date(day, days)
            if duration.scale == "months":
                return months.add_months(day, days, self.month_rule)
            return within_dates(day + dt.timedelta(days=days if op == "+" else -days))
        if isinstance(left_type, TimestampT):
            return self.moment_plus(left, right, right_type, op)
        if op == "of" or op == "*" and (isinstance(left_type, PercentT) or isinstance(right_type, PercentT)):
            percent, value = (left, right) if isinstance(left_type, PercentT) else (right, left)
            return EXACT.divide(EXACT.multiply(value, percent), 100)
        if op == "/":
            return EXACT.divide(Decimal(left), right)
        if isinstance(left_type, SetT):
            return widen(left, left_type, result) | widen(right, right_type, result)
        if is_exact(result):
            return {"+": EXACT.add, "-": EXACT.subtract, "*": EXACT.multiply}[op](left, right)
        return {"+": lambda a, b: a + b, "-": lambda a, b: a - b, "*": lambda a, b: a * b}[op](left, right)

    def moment_plus(self, moment: dt.datetime, amount: Any, duration: DurationT, op: str) -> dt.datetime:
        if duration.clock is None:
            clock, count = amount
            duration = DurationT(clock, duration.scale)
            amount = count
        if duration.clock == "business":
            if duration.scale == "minutes":
                return self.calendar.add_business_minutes(moment, amount)
            return self.calendar.add_business_days(moment, amount)
        amount = amount if op == "+" else -amount
        if duration.scale == "days":
            return self.calendar.add_calendar_days(moment, amount)
        return (moment.astimezone(dt.timezone.utc) + dt.timedelta(minutes=amount)).astimezone(moment.tzinfo)


# ---------------------------------------------------------------- values

FIRST_DAY, LAST_DAY = dt.date(1970, 1, 1), dt.date(2099, 12, 31)  # the dates vilkar computes with (SPEC §5)


def within_dates(day: dt.date) -> dt.date:
    if not FIRST_DAY <= day <= LAST_DAY:
        raise Fault(f"{day} lies outside the dates vilkar computes with")
    return day


def read(raw: Any, type_: Type) -> Any:
    """A value of the request document as its type holds it."""
    if raw is None:
        return None
    inner = strip_optional(type_)
    if isinstance(inner, DateT):
        return dt.date.fromisoformat(raw)
    if isinstance(inner, TimestampT):
        return dt.datetime.fromisoformat(raw)
    if isinstance(inner, DecimalT):
        return raw if isinstance(raw, Decimal) else Decimal(raw)
    if isinstance(inner, MoneyT):
        amount = raw["amount"] if isinstance(raw["amount"], Decimal) else Decimal(raw["amount"])
        return amount if inner.currency else (amount, raw["currency"])
    if isinstance(inner, ListT):
        return [read(item, inner.element) for item in raw]
    return raw


def widen(value: Any, source: Type, target: Type) -> Any:
    """A duration of a known clock where one of a per-request clock is expected becomes (clock, count)."""
    source, target = strip_optional(source), strip_optional(target)
    if value is None:
        return None
    if isinstance(target, DurationT) and target.clock is None and isinstance(source, DurationT) and source.clock:
        return (source.clock, value)
    if isinstance(target, SetT) and isinstance(source, SetT):
        if target.names and not source.names:
            return frozenset(product_name(v) for v in value)
        return frozenset(widen(v, source.element, target.element) for v in value)
    return value


def compare(op: str, left: Any, right: Any) -> bool:
    if op == "==":
        return left == right
    if op == "!=":
        return left != right
    return {"<": left < right, "<=": left <= right, ">": left > right, ">=": left >= right}[op]


def extreme(name: str, values: list[Any]) -> Any:
    present = [v for v in values if v is not None]
    if len({v[0] for v in present if isinstance(v, tuple)}) > 1:
        raise Fault("calendar and business time compared")
    if not present:
        return None
    return min(present) if name == "min" else max(present)


def absolute(value: Any) -> Any:
    return EXACT.abs(value) if isinstance(value, Decimal) else abs(value)


def negate(value: Any) -> Any:
    return EXACT.minus(value) if isinstance(value, Decimal) else -value


def is_exact(type_: Type) -> bool:
    inner = strip_optional(type_)
    return isinstance(inner, (DecimalT, PercentT)) or isinstance(inner, MoneyT) and inner.currency is not None


def is_pair(type_: Type) -> bool:
    return isinstance(type_, MoneyT) and type_.currency is None or isinstance(type_, DurationT) and type_.clock is None


__all__ = ["Interpreter", "Fault", "request_path"]
