"""Checked expressions → Python expressions, one method per AST node.

How values are held in compiled code (the interpreter in tests/ holds them the same way):
- whole numbers `int`; decimals, money of a fixed currency and percentages `Decimal` (or `int` when a
  literal is whole); money whose currency only the request knows `(amount, currency)`;
- durations of a known clock their count of minutes or days; of a clock known only per request
  `(clock, count)` — `coerce` widens the first to the second wherever the two meet;
- dates `date`, timestamps `datetime`, sets `frozenset` (a names set holds normalised names), request
  lists `list` (items read by type), records the request's own `dict` (fields read by type on access);
- absent values `None`.

Adding a node: give it a method here and an entry in `ExpressionCompiler.__init__`'s table (the test
`test_every_node_has_a_case` fails until both the compiler and the reference interpreter have one), and
if it reads the request, the kind's names or the calendar, say so in `folding.py`.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import partial
from typing import Any, Callable

from ..language import ast
from ..language.check import request_path
from ..language.types import (
    DateT, DecimalT, DurationT, IntT, ListT, MoneyT, OptionalT, PercentT, RecordT, SetT, TimestampT, Type,
    strip_optional,
)
from . import runtime
from .constants import NOT_LITERAL, Constants, literal_value
from .names import CALENDAR, REQUEST, Names, Scope

Path = tuple[str, ...]

_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")

# Arithmetic on exact decimals goes through the runtime's context rather than Python's operators.
_EXACT_METHODS = {"+": "_EXACT.add", "-": "_EXACT.subtract", "*": "_EXACT.multiply"}

_SCALAR_READERS = {DateT: "_date", TimestampT: "_timestamp", DecimalT: "_decimal"}


class CompileError(Exception):
    """A checked program the compiler cannot turn into Python; the message names the limit or the fault."""

    def __init__(self, message: str, node: Any, hint: str | None = None, code: str = "VK130"):
        super().__init__(message)
        self.message, self.node, self.hint, self.code = message, node, hint, code


@dataclass
class Context:
    """What expressions are compiled against: the checker's types and the names in scope."""

    types: dict[int, Type]
    constants: Constants
    names: Names
    # a global `let` or `set` → the constant holding its value (computed on first use)
    global_value: Callable[[str], str]
    # a decision or `let` of the kind → its variable
    definitions: dict[str, str]
    # a request path → the variable it is read into; None where there is no request (global lets)
    input: Callable[[Path], str] | None
    # a subexpression that reads nothing per request → the constant holding its value, else None
    fold: Callable[[ast.Expr, Scope], str | None] | None = None
    # how `date + N months` treats a day the later month lacks: the rule set's `dates that do not exist ...`
    month_rule: str = "roll_forward"


class ExpressionCompiler:
    """Python source for expressions; every name comes from `Names`, every literal from `Constants`."""

    def __init__(self, context: Context):
        self.context = context
        self.constants = context.constants
        self.iterable_depth = 0  # inside a comprehension's `in ...`, where Python forbids `:=`
        self.uses_calendar = False  # whether any code compiled so far needs the kind's calendar bound
        self.cases: dict[type, Callable[[Any, Scope], str]] = {
            ast.Number: self.literal, ast.Quantity: self.literal, ast.Percent: self.literal,
            ast.Money: self.literal, ast.DateLiteral: self.literal, ast.String: self.literal,
            ast.Boolean: self.literal, ast.Nothing: self.literal,
            ast.Request: self.request, ast.Name: self.name, ast.Field: self.field, ast.Call: self.call,
            ast.Comprehension: self.comprehension, ast.SetLiteral: self.set_literal, ast.Unary: self.unary,
            ast.Binary: self.binary, ast.Presence: self.presence, ast.IfAbsent: self.if_absent,
            ast.Conditional: self.conditional, ast.Convert: self.convert,
            ast.WithinHours: self.within_hours, ast.NextBusinessStart: self.next_business_start,
            ast.Period: self.period, ast.Selection: self.selection, ast.AliasGroup: self.alias_group,
        }

    # -- entry points
    def code(self, expr: ast.Expr, scope: Scope) -> str:
        """Python for an expression, in the representation of its own type."""
        fold = self.context.fold
        if fold is not None and literal_value(expr) is NOT_LITERAL:
            folded = fold(expr, scope)
            if folded is not None:
                return folded
        case = self.cases.get(type(expr))
        if case is None:
            raise CompileError(f"the compiler has no case for {type(expr).__name__}", expr)
        return case(expr, scope)

    def coerce(self, expr: ast.Expr, target: Type, scope: Scope) -> str:
        """An expression's code, widened to the representation of the target type."""
        code = self.code(expr, scope)
        return self.widen(code, self.type_of(expr), target)

    def widen(self, code: str, source: Type, target: Type) -> str:
        goal, inner = strip_optional(target), strip_optional(source)
        if isinstance(goal, DurationT) and goal.clock is None and isinstance(inner, DurationT) \
                and inner.clock is not None:
            if isinstance(source, OptionalT):
                return f"_with_clock({inner.clock!r}, {code})"
            return f"({inner.clock!r}, {code})"
        if isinstance(goal, SetT) and isinstance(inner, SetT):
            element = self.widen_set(code, inner, goal)
            if element is not None:
                return element
        return code

    def widen_set(self, code: str, source: SetT, goal: SetT) -> str | None:
        if goal.names and not source.names:
            return f"_as_names({code})"
        item, want = strip_optional(source.element), strip_optional(goal.element)
        if isinstance(want, DurationT) and want.clock is None and isinstance(item, DurationT) and item.clock:
            return f"frozenset(({item.clock!r}, _c) for _c in {code})"
        return None

    def type_of(self, expr: ast.Expr) -> Type:
        return self.context.types[id(expr)]

    def calendar(self) -> str:
        """The kind's calendar at the request's location, which the function binds when this is used."""
        self.uses_calendar = True
        return CALENDAR

    # -- reuse of a value without computing it twice
    def reuse(self, code: str) -> tuple[str, str]:
        """(first use, later uses) of a value: a name is just read again; anything else is bound once."""
        if _IDENTIFIER.fullmatch(code):
            return code, code
        if self.iterable_depth:
            return code, code  # expressions are pure, so computing it again gives the same value
        temp = self.context.names.new("temp")
        return f"({temp} := {code})", temp

    # -- leaves
    def literal(self, expr: ast.Expr, scope: Scope) -> str:
        return self.constants.code(literal_value(expr))

    def request(self, expr: ast.Request, scope: Scope) -> str:
        return REQUEST

    def name(self, expr: ast.Name, scope: Scope) -> str:
        bound = scope.lookup(expr.name)
        if bound is not None:
            return bound
        if expr.name in self.context.definitions:
            return self.context.definitions[expr.name]
        return self.context.global_value(expr.name)

    def field(self, expr: ast.Field, scope: Scope) -> str:
        path = request_path(expr)
        if path and self.context.input is not None:
            return self.context.input(tuple(path))
        base_type = self.type_of(expr.base)
        record = strip_optional(base_type)
        assert isinstance(record, RecordT)
        field_type = record.field(expr.name)
        base = self.code(expr.base, scope)
        if record.role == "period":  # a runtime Period: `start`, `end`, `number`, names the checker knows
            return f"{base}.{expr.name}"
        key = repr(expr.name)  # a field name the checker found in the schema
        if isinstance(base_type, OptionalT) or isinstance(field_type, OptionalT):
            return self.read(f"_field_of({base}, {key})" if isinstance(base_type, OptionalT)
                             else f"{base}.get({key})", field_type, True)
        return self.read(f"{base}[{key}]", field_type, False)

    def read(self, code: str, type_: Type, may_be_none: bool) -> str:
        """A value read from the request document, converted to how its type is held."""
        reader = self.reader(strip_optional(type_))
        if reader is None:
            return code
        if reader == "_money" and not may_be_none:  # the hot path of a fee: one call, not two
            return f"_decimal({code}['amount'])"
        return f"_maybe({reader}, {code})" if may_be_none else f"{reader}({code})"

    def reader(self, type_: Type) -> str | None:
        """The name of a function that converts a document value of this type, or None if none is needed."""
        if isinstance(type_, MoneyT):
            return "_money" if type_.currency else "_money_any"
        if isinstance(type_, DurationT):  # a request number declared in a unit (x-vilkar-unit)
            if type_.per == 1:
                return "_quantity"
            return self.constants.name(partial(runtime.quantity, per=type_.per), "quantity_reader")
        if type(type_) in _SCALAR_READERS:
            return _SCALAR_READERS[type(type_)]
        if isinstance(type_, ListT):
            item = self.reader_function(strip_optional(type_.element))
            if item is not None:
                if isinstance(type_.element, OptionalT):
                    item = partial(runtime.maybe, item)
                return self.constants.name(partial(runtime.list_of, item), "list_reader")
        return None

    def reader_function(self, type_: Type) -> Callable[[Any], Any] | None:
        if isinstance(type_, MoneyT):
            return runtime.money if type_.currency else runtime.money_any
        if isinstance(type_, DurationT):
            return partial(runtime.quantity, per=type_.per)
        simple = {DateT: runtime.to_date, TimestampT: runtime.to_timestamp, DecimalT: runtime.to_decimal}
        if type(type_) in simple:
            return simple[type(type_)]
        if isinstance(type_, ListT):
            item = self.reader_function(strip_optional(type_.element))
            return partial(runtime.list_of, item) if item is not None else None
        return None

    # -- functions
    def call(self, expr: ast.Call, scope: Scope) -> str:
        name = expr.function
        if name in ("min", "max"):
            # durations whose clock is known only per request are compared as (clock, count), same clock only
            target = self.type_of(expr)
            arguments = [self.coerce(a, target, scope) for a in expr.arguments]
            return f"_{name}_present(({', '.join(arguments)}, ))"
        argument = self.code(expr.arguments[0], scope)
        argument_type = strip_optional(self.type_of(expr.arguments[0]))
        if name in ("ceil", "floor", "round"):
            return f"_{name}({argument})"
        if name == "count":
            return f"len({argument})"
        if name == "local_date":
            return f"{self.calendar()}.local_date({argument})"
        if name == "abs":
            if _is_pair(argument_type):
                return f"_abs_pair({argument})"
            return f"_abs_number({argument})" if _is_exact(argument_type) else f"abs({argument})"
        if name == "amount":
            return f"{argument}[0]" if _is_pair(argument_type) else argument
        if name == "currency":
            assert isinstance(argument_type, MoneyT)
            return f"{argument}[1]" if argument_type.currency is None else repr(argument_type.currency)
        if name == "clock":
            assert isinstance(argument_type, DurationT)
            return f"{argument}[0]" if argument_type.clock is None else repr(argument_type.clock)
        raise CompileError(f"the compiler has no case for the function `{name}`", expr)

    def iterated(self, source: ast.Expr, scope: Scope) -> str:
        """The code of a list or set a comprehension or selection goes through."""
        self.iterable_depth += 1
        try:
            return self.code(source, scope)
        finally:
            self.iterable_depth -= 1

    def comprehension(self, expr: ast.Comprehension, scope: Scope) -> str:
        source = self.iterated(expr.source, scope)
        variable = self.context.names.new("variable", expr.variable)
        inner = scope.bind(expr.variable, variable)
        where = f" if {self.code(expr.where, inner)}" if expr.where is not None else ""
        loop = f"for {variable} in {source}{where}"
        function = expr.function
        if function == "count":
            return f"sum((1 {loop}), 0)"
        element = self.code(expr.element, inner)
        generator = f"{element} {loop}"
        if function == "sum":
            if _is_exact(self.type_of(expr)):
                return f"_decimal_sum(({generator}))"
            return f"sum(({generator}), 0)"
        if function in ("any", "all"):
            return f"{function}(({generator}))"
        element_type = strip_optional(self.type_of(expr.element))
        if isinstance(element_type, DurationT) and element_type.clock is None:
            return f"_{function}_present(tuple({generator}))"
        return f"{function}(({generator}), default=None)"

    def set_literal(self, expr: ast.SetLiteral, scope: Scope) -> str:
        target = self.type_of(expr)
        element = strip_optional(target.element) if isinstance(target, SetT) else None
        members = [name for item in expr.items  # an `aliases` set holds every name of its groups
                   for name in (item.names if isinstance(item, ast.AliasGroup) else (item,))]
        values = [literal_value(item) for item in members]
        if all(value is not NOT_LITERAL for value in values):
            return self.constants.name(frozenset(self.widen_value(value, item, element)
                                                 for value, item in zip(values, members)))
        items = "".join(self.widen(self.code(item, scope), self.type_of(item), element) + ", "
                        if element is not None else self.code(item, scope) + ", " for item in members)
        return f"frozenset(({items}))"

    def widen_value(self, value: Any, item: ast.Expr, element: Type | None) -> Any:
        """A literal as a member of a set whose durations' clocks are known only per request."""
        if isinstance(element, DurationT) and element.clock is None and isinstance(item, ast.Quantity):
            return (item.clock, value)
        return value

    def alias_group(self, expr: ast.AliasGroup, scope: Scope) -> str:
        """A product's names (inside an `aliases` set the checker allows nowhere else): the set of them."""
        return self.constants.name(frozenset(literal_value(name) for name in expr.names))

    def selection(self, expr: ast.Selection, scope: Scope) -> str:
        """`count(d in xs where c)` and its kin."""
        source = self.iterated(expr.source, scope)
        variable = self.context.names.new("variable", expr.variable)
        condition = self.code(expr.condition, scope.bind(expr.variable, variable))
        loop = f"for {variable} in {source} if {condition}"
        if expr.function == "count":
            return f"sum((1 {loop}), 0)"
        if expr.function == "any":
            return f"any(({condition} for {variable} in {source}))"
        if expr.function == "all":
            return f"all(({condition} for {variable} in {source}))"
        if expr.function == "filter":
            return f"[{variable} {loop}]"
        return f"_first_where(({variable} {loop}))"

    def unary(self, expr: ast.Unary, scope: Scope) -> str:
        operand = self.code(expr.operand, scope)
        if expr.op == "not":
            return f"(not {operand})"
        type_ = strip_optional(self.type_of(expr.operand))
        if _is_pair(type_):
            return f"_negate_pair({operand})"
        if _is_exact(type_):
            return f"_EXACT.minus({operand})"
        return f"(-{operand})"

    def presence(self, expr: ast.Presence, scope: Scope) -> str:
        return f"({self.code(expr.operand, scope)} is {'not ' if expr.present else ''}None)"

    def if_absent(self, expr: ast.IfAbsent, scope: Scope) -> str:
        target = self.type_of(expr)
        first, again = self.reuse(self.coerce(expr.value, target, scope))
        fallback = self.coerce(expr.fallback, target, scope)
        return f"({fallback} if {first} is None else {again})"

    def conditional(self, expr: ast.Conditional, scope: Scope) -> str:
        target = self.type_of(expr)
        return f"({self.coerce(expr.then, target, scope)} if {self.code(expr.condition, scope)} else " \
               f"{self.coerce(expr.otherwise, target, scope)})"

    def convert(self, expr: ast.Convert, scope: Scope) -> str:
        source = self.type_of(expr.value)
        value = self.code(expr.value, scope)
        inner = strip_optional(source)
        if isinstance(source, OptionalT):
            first, again = self.reuse(value)
            counted = self.count_in(again, inner, expr.unit)
            return f"(None if {first} is None else {counted})"
        return self.count_in(value, inner, expr.unit)

    def count_in(self, value: str, duration: Type, unit: str) -> str:
        if isinstance(duration, DurationT) and duration.clock is None:
            value = f"{value}[1]"
        if unit == "hours":
            return f"_div({value}, 60)"
        if unit == "weeks":
            return f"_div({value}, 7)"
        if unit == "years":
            return f"_div({value}, 12)"
        return value

    def period(self, expr: ast.Period, scope: Scope) -> str:
        parts = [self.code(part, scope) for part in (expr.length, expr.anchor, expr.containing)]
        cut = self.code(expr.cut, scope) if expr.cut is not None else "None"
        return f"_period({', '.join(parts)}, {cut}, {self.context.month_rule!r})"

    def within_hours(self, expr: ast.WithinHours, scope: Scope) -> str:
        return f"{self.calendar()}.within({self.code(expr.operand, scope)})"

    def next_business_start(self, expr: ast.NextBusinessStart, scope: Scope) -> str:
        return f"{self.calendar()}.next_start({self.code(expr.operand, scope)})"

    # -- operators
    def binary(self, expr: ast.Binary, scope: Scope) -> str:
        op = expr.op
        if op in ("and", "or"):
            return "(" + f" {op} ".join(self.code(operand, scope) for operand in _chain(expr, op)) + ")"
        if op in ("==", "!=", "<", "<=", ">", ">="):
            left, right = self.comparable(expr.left, expr.right, scope)
            return f"({left} {op} {right})"
        if op in ("in", "not in"):
            test = self.member(expr.left, expr.right, scope)
            return test if op == "in" else f"(not {test})"
        if op == "starts with":
            return f"_starts_with({self.code(expr.left, scope)}, {self.code(expr.right, scope)})"
        if op == "contains word":
            return f"_contains_word({self.code(expr.left, scope)}, {self.code(expr.right, scope)})"
        if op == "+":
            chained = self.addition_chain(expr, scope)
            if chained is not None:
                return chained
        return self.arithmetic(expr, scope)

    def addition_chain(self, expr: ast.Binary, scope: Scope) -> str | None:
        """`a + b + c ...` of plain numbers or of exact decimals as one flat Python expression (long chains
        nest no Python), added left to right as the nested form would; None for other additions."""
        links = _left_spine(expr)
        if len(links) < 2:
            return None
        types = [strip_optional(self.type_of(link)) for link in links]
        operands = [self.code(operand, scope) for operand in [links[-1].left] + [link.right for link in links[::-1]]]
        if all(isinstance(t, IntT) or isinstance(t, DurationT) and t.clock is not None for t in types):
            return _grouped_sum(operands)
        if all(_is_exact(t) for t in types):
            return f"_exact_sum(({', '.join(operands)}, ))"
        return None

    def comparable(self, left: ast.Expr, right: ast.Expr, scope: Scope) -> tuple[str, str]:
        """Both sides in one representation: a duration of known clock meets one of per-request clock."""
        for side in (left, right):
            goal = strip_optional(self.type_of(side))
            if isinstance(goal, DurationT) and goal.clock is None:
                return self.coerce(left, goal, scope), self.coerce(right, goal, scope)
        return self.code(left, scope), self.code(right, scope)

    def member(self, left: ast.Expr, right: ast.Expr, scope: Scope) -> str:
        container = strip_optional(self.type_of(right))
        if isinstance(container, SetT) and container.names:
            return f"_name_in({self.code(left, scope)}, {self.code(right, scope)})"
        element = strip_optional(container.element) if isinstance(container, (SetT, ListT)) else None
        left_type = strip_optional(self.type_of(left))
        if isinstance(element, DurationT) and element.clock is not None and isinstance(left_type, DurationT) \
                and left_type.clock is None:
            return f"_clock_in({self.code(left, scope)}, {element.clock!r}, {self.code(right, scope)})"
        if element is not None:
            return f"({self.coerce(left, element, scope)} in {self.code(right, scope)})"
        return f"({self.code(left, scope)} in {self.code(right, scope)})"

    def arithmetic(self, expr: ast.Binary, scope: Scope) -> str:
        op = expr.op
        left_type, right_type = strip_optional(self.type_of(expr.left)), strip_optional(self.type_of(expr.right))
        result = strip_optional(self.type_of(expr))
        left, right = self.code(expr.left, scope), self.code(expr.right, scope)
        if op == "-" and isinstance(left_type, DateT) and isinstance(right_type, DateT):
            return f"_days_between({left}, {right})"
        if op == "-" and isinstance(left_type, TimestampT) and isinstance(right_type, TimestampT):
            return f"_minutes_between({left}, {right})"
        if isinstance(left_type, DateT) or isinstance(right_type, DateT):
            day, days = (left, right) if isinstance(left_type, DateT) else (right, left)
            duration = right_type if isinstance(left_type, DateT) else left_type
            if isinstance(duration, DurationT) and duration.clock == "business":
                return f"{self.calendar()}.add_business_days_to_date({day}, {days})"
            if isinstance(duration, DurationT) and duration.scale == "months":
                return f"_add_months({day}, {days}, {self.context.month_rule!r})"
            return f"_add_days({day}, {days if op == '+' else f'-{days}'})"
        if isinstance(left_type, TimestampT):
            return self.moment_plus(left, right, right_type, op)
        if op == "of" or (op == "*" and PercentT in (type(left_type), type(right_type))):
            percent, value = (left, right) if isinstance(left_type, PercentT) else (right, left)
            return f"_exact_div(_exact_mul({value}, {percent}), _HUNDRED)"  # runtime.share, without a call
        if op == "/":
            return f"_div({left}, {right})"
        if op == "+" and isinstance(left_type, SetT):
            union = f"({self.widen(left, left_type, result)} | {self.widen(right, right_type, result)})"
            return union
        if _is_exact(result):
            return f"{_EXACT_METHODS[op]}({left}, {right})"
        return f"({left} {op} {right})"

    def moment_plus(self, moment: str, duration: str, duration_type: Type, op: str) -> str:
        """A timestamp plus (or minus) a duration: elapsed time, local days, or business time."""
        assert isinstance(duration_type, DurationT)
        if duration_type.clock is None:
            return f"{self.calendar()}.add_duration({moment}, {duration}, {duration_type.scale!r})"
        if duration_type.clock == "business":
            method = "add_business_minutes" if duration_type.scale == "minutes" else "add_business_days"
            return f"{self.calendar()}.{method}({moment}, {duration})"
        amount = duration if op == "+" else f"-{duration}"
        if duration_type.scale == "days":
            return f"{self.calendar()}.add_calendar_days({moment}, {amount})"
        return f"_add_minutes({moment}, {amount})"


def _chain(expr: ast.Binary, op: str) -> list[ast.Expr]:
    """The operands of `a op b op c ...` however the parser nested them, left to right, without recursion."""
    operands: list[ast.Expr] = []
    pending: list[ast.Expr] = [expr]
    while pending:
        node = pending.pop()
        if isinstance(node, ast.Binary) and node.op == op:
            pending.append(node.right)
            pending.append(node.left)
        else:
            operands.append(node)
    return operands


def _grouped_sum(operands: list[str]) -> str:
    """`a + b + …` in parenthesised halves: Python nests a flat `+` chain one level per term when it compiles."""
    if len(operands) <= 16:
        return "(" + " + ".join(operands) + ")"
    middle = len(operands) // 2
    return f"({_grouped_sum(operands[:middle])} + {_grouped_sum(operands[middle:])})"


def _left_spine(expr: ast.Binary) -> list[ast.Binary]:
    """The `+` nodes down the left of a sum, outermost first: the additions done one after the other. A
    right operand that is a sum of its own (in parentheses, or the second half of a long run) is added as one
    value, as the tree says: exact decimals round at 200 digits, so the grouping is kept (SPEC §3)."""
    nodes: list[ast.Binary] = []
    node: ast.Expr = expr
    while isinstance(node, ast.Binary) and node.op == "+" and (node is expr or not node.grouped):
        nodes.append(node)
        node = node.left
    return nodes


def _is_exact(type_: Type) -> bool:
    """Values held as Decimal, whose arithmetic must not depend on the caller's decimal context."""
    inner = strip_optional(type_)
    return isinstance(inner, (DecimalT, PercentT)) or isinstance(inner, MoneyT) and inner.currency is not None


def _is_pair(type_: Type) -> bool:
    """Values held as a pair: money in the request's currency, durations of a per-request clock."""
    inner = strip_optional(type_)
    return isinstance(inner, MoneyT) and inner.currency is None or isinstance(inner, DurationT) and inner.clock is None


