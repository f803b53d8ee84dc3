"""Whether two conditions can hold at once, for the exceptions of one rule: a small satisfiability check.

A condition is read as an or of ands of facts about subjects (`request.severity == "A"`, `x in {...}`,
`n >= 14`, `x is present`, a yes/no value). Two facts about one subject contradict when no value meets
both (an enum's values are known from its type); any other expression is an opaque fact that only its
own negation contradicts. The answer errs toward "can both hold": a pair is called exclusive only when
every combination contradicts.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Callable

from ...language import ast
from ...language.overlap import EVERYTHING, Interval
from ...language.types import BoolT, DurationT, EnumT, IntT, Type, strip_optional
from ...language.typing_rules import quantity_count
from ..fmt import expr as layout  # the formatter prints expressions as the author writes them

MAX_TERMS = 256  # beyond this many combinations the check gives up and says nothing

TypeOf = Callable[[ast.Expr], "Type | None"]
SetItems = Callable[[ast.Expr], "list[ast.Expr] | None"]


@dataclass(frozen=True)
class Fact:
    """One literal: `subject` relates to `values` (membership), to a bound (`op`, `bound`), or is opaque."""

    subject: ast.Expr
    kind: str  # in | compare | present | opaque
    values: frozenset = frozenset()
    op: str = ""
    bound: object = None
    positive: bool = True


Term = tuple[Fact, ...]


class _TooBig(Exception):
    pass


def witness(first: ast.Expr, second: ast.Expr, type_of: TypeOf, set_items: SetItems) -> list[str] | None:
    """Facts of an input for which both conditions hold, or None if no input can meet both (or it is unknown)."""
    try:
        terms_a, terms_b = _dnf(first, True, set_items), _dnf(second, True, set_items)
    except _TooBig:
        return None
    if len(terms_a) * len(terms_b) > MAX_TERMS:
        return None
    for a in terms_a:
        for b in terms_b:
            example = _consistent(a + b, type_of)
            if example is not None:
                return example
    return None


# ---------------------------------------------------------------- conditions → or of ands


def _dnf(expr: ast.Expr, positive: bool, set_items: SetItems) -> list[Term]:
    if isinstance(expr, ast.Unary) and expr.op == "not":
        return _dnf(expr.operand, not positive, set_items)
    if isinstance(expr, ast.Binary) and expr.op in ("and", "or"):
        conjunction = (expr.op == "and") == positive
        left, right = _dnf(expr.left, positive, set_items), _dnf(expr.right, positive, set_items)
        if not conjunction:
            return left + right
        if len(left) * len(right) > MAX_TERMS:
            raise _TooBig()
        return [a + b for a in left for b in right]
    if isinstance(expr, ast.Boolean):
        return [()] if expr.value == positive else []
    return [(_fact(expr, positive, set_items),)]


def _fact(expr: ast.Expr, positive: bool, set_items: SetItems) -> Fact:
    if isinstance(expr, ast.Presence):
        return Fact(expr.operand, "present", positive=positive == expr.present)
    if isinstance(expr, ast.Binary):
        literal = _literal(expr.right)
        if expr.op in ("==", "!=") and literal is not None:
            return Fact(expr.left, "in", frozenset([literal]), positive=positive == (expr.op == "=="))
        if expr.op in ("in", "not in"):
            items = set_items(expr.right)
            values = [_literal(item) for item in items] if items is not None else None
            if values is not None and None not in values:
                return Fact(expr.left, "in", frozenset(values), positive=positive == (expr.op == "in"))
        if expr.op in ("<", "<=", ">", ">=") and _ordered(literal):
            return Fact(expr.left, "compare", op=expr.op, bound=_key(literal), positive=positive)
    if isinstance(expr, (ast.Name, ast.Field)):
        return Fact(expr, "in", frozenset([True]), positive=positive)
    return Fact(expr, "opaque", positive=positive)


def _literal(expr: ast.Expr) -> object | None:
    if isinstance(expr, (ast.String, ast.Boolean)):
        return expr.value
    if isinstance(expr, ast.Number):
        return expr.value
    if isinstance(expr, ast.Quantity):
        return ("duration", expr.clock, quantity_count(expr))
    if isinstance(expr, ast.DateLiteral):
        try:
            return dt.date.fromisoformat(expr.value)
        except ValueError:
            return None
    return None


def _ordered(literal: object) -> bool:
    return isinstance(literal, (Decimal, dt.date)) or (isinstance(literal, tuple) and literal[0] == "duration")


def _key(literal: object) -> Decimal:
    if isinstance(literal, dt.date):
        return Decimal(literal.toordinal())
    if isinstance(literal, tuple):
        return Decimal(literal[2])
    return literal  # type: ignore[return-value]


# ---------------------------------------------------------------- can one input meet every fact?


@dataclass
class _Subject:
    allowed: set | None = None  # None: any value
    excluded: set = field(default_factory=set)
    interval: Interval = EVERYTHING
    present: bool | None = None
    asserted: bool = False  # some fact says what it is (`== c`, `in s`, a bound): then it is there


def _consistent(term: Term, type_of: TypeOf) -> list[str] | None:
    subjects: dict[ast.Expr, _Subject] = {}
    opaque: dict[ast.Expr, bool] = {}
    for fact in term:
        if fact.kind == "opaque":
            if opaque.setdefault(fact.subject, fact.positive) != fact.positive:
                return None
            continue
        subject = subjects.setdefault(fact.subject, _Subject(_domain(type_of(fact.subject))))
        if fact.kind == "present":
            if subject.present is not None and subject.present != fact.positive:
                return None
            subject.present = fact.positive
        elif fact.kind == "in" and fact.positive:
            subject.allowed = set(fact.values) if subject.allowed is None else subject.allowed & fact.values
            subject.asserted = True
        elif fact.kind == "in":
            subject.excluded |= fact.values
        else:
            subject.interval = subject.interval.intersect(_interval(fact.op, fact.bound, fact.positive))
            subject.asserted = True
    example = []
    for expr, subject in subjects.items():
        values = None if subject.allowed is None else subject.allowed - subject.excluded
        if values is not None and not values:
            return None
        if subject.interval.is_empty(_integral(type_of(expr))):
            return None
        if subject.present is False and subject.asserted:
            return None  # a value it must have says it is there
        example.append(_shown(expr, subject, values))
    return example


def _domain(type_: Type | None) -> set | None:
    inner = strip_optional(type_) if type_ is not None else None
    if isinstance(inner, BoolT):
        return {True, False}
    if isinstance(inner, EnumT):
        return set(inner.values)
    return None


def _integral(type_: Type | None) -> bool:
    return isinstance(strip_optional(type_), (IntT, DurationT)) if type_ is not None else False


def _interval(op: str, bound: Decimal, positive: bool) -> Interval:
    if not positive:
        op = {"<": ">=", "<=": ">", ">": "<=", ">=": "<"}[op]
    if op in ("<", "<="):
        return Interval(None, False, bound, op == "<=")
    return Interval(bound, op == ">=", None, False)


def _shown(expr: ast.Expr, subject: _Subject, values: set | None) -> str:
    name = layout(expr)
    if subject.present is False:
        return f"{name} is absent"
    if values and (subject.asserted or subject.excluded):
        value = sorted(values, key=repr)[0]
        if value is True or value is False:
            return name if value else f"not {name}"
        return f'{name} = "{value}"' if isinstance(value, str) else f"{name} = {value}"
    return f"{name} is present" if subject.present else f"{name} as the condition needs"
