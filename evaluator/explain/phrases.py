"""Rules in plain words: what an expression says, made from the checked syntax tree when a rule set compiles.

A phrase is a tuple of text and `Ref`s; a `Ref` is a value the explanation fills in for each request (a
request field, a decision, a `let`, a constant or a named set). Phrases never show policy code: a
request field is named in words (`service_cost` → "service cost"), a decision by its name in words and
its value, a `let` by its value only (its name is the author's, not the contract's), operators in words
("is at least", "minus", "the smallest of").
"""
from __future__ import annotations

from typing import Any, Callable

from ..language import ast
from ..language.types import BoolT, DateT, ListT, SetT, TimestampT, Type, strip_optional
from .rule_words import Phrase, Ref, field_words, words_of_name


_COMPARE = {"==": "is", "!=": "is not", "<": "is less than", "<=": "is at most", ">": "is more than",
            ">=": "is at least"}
_BEFORE = {"<": "is before", "<=": "is on or before", ">": "is after", ">=": "is on or after"}
_NEGATED = {"==": "!=", "!=": "==", "<": ">=", "<=": ">", ">": "<=", ">=": "<", "in": "not in", "not in": "in"}
_ARITHMETIC = {"+": "plus", "-": "minus", "*": "times", "/": "divided by", "of": "of"}
_CALLS = {"min": "the smallest of", "max": "the largest of", "abs": "the size of", "ceil": "rounded up:",
          "floor": "rounded down:", "round": "rounded:", "amount": "the amount of", "currency": "the currency of",
          "count": "the number of", "local_date": "the local date of", "clock": "the clock of"}
class PhraseBuilder:
    """Phrases of one kind's expressions.

    `definitions` are the kind's decisions and lets by name; `reported` the names that are decisions;
    `types` the checker's type of every expression node; `set_words` names a global set in words."""

    def __init__(self, definitions: dict[str, Any], reported: set[str], types: dict[int, Type],
                 value_types: dict[str, Type], set_words: Callable[[str], Ref | None],
                 set_because: Callable[[str], str | None] = lambda name: None):
        self.definitions = definitions
        self.reported = reported
        self.types = types
        self.value_types = value_types
        self.set_words = set_words
        self.set_because = set_because
        self.depth = 0

    # -- references
    def ref(self, expr: ast.Expr, show: str) -> Ref | None:
        """A request field, decision, let, variable or set as a reference; None for anything else."""
        path = _request_path(expr)
        if path is not None:
            return Ref("request", path, field_words(path), self.types.get(id(expr)), show)
        if isinstance(expr, ast.Name):
            if expr.name in self.definitions:
                type_ = self.value_types.get(expr.name)
                if expr.name in self.reported or show != "value":
                    return Ref("name", expr.name, words_of_name(expr.name, type_), type_, show)
                return Ref("name", expr.name, "", type_, "value")  # in a value, a let is said by its value
            found = self.set_words(expr.name)
            if found is not None:
                return found
            # an item of a list (`d in request.dates`), "it" where its name is one letter
            return Ref("variable", expr.name, "it" if len(expr.name) == 1 else words_of_name(expr.name), None, "name")
        if isinstance(expr, ast.Field) and not isinstance(expr.base, ast.Name) or \
                isinstance(expr, ast.Field) and expr.base.name not in self.definitions:
            return Ref("variable", expr.name, words_of_name(expr.name), None, "name")
        return None

    def constant(self, expr: ast.Expr) -> Ref | None:
        from ..compile.constants import NOT_LITERAL, literal_value
        value = literal_value(expr)
        if value is NOT_LITERAL:
            return None
        return Ref("constant", _display_constant(expr, value), "", self.types.get(id(expr)), "value")

    # -- phrases of values: what a rule computes
    def value(self, expr: ast.Expr) -> Phrase:
        """A value in words, with the values of what it reads."""
        if self.depth > 40:
            return ("a computed value",)
        self.depth += 1
        try:
            return self._value(expr)
        finally:
            self.depth -= 1

    def _value(self, expr: ast.Expr) -> Phrase:
        constant = self.constant(expr)
        if constant is not None:
            return (constant,)
        ref = self.ref(expr, "value" if isinstance(expr, ast.Name) and expr.name not in self.reported else "both")
        if ref is not None:
            return (ref,)
        if isinstance(expr, ast.Binary):
            if expr.op in _ARITHMETIC:
                return self.value(expr.left) + (f" {_ARITHMETIC[expr.op]} ",) + self.value(expr.right)
            return self.condition(expr)
        if isinstance(expr, (ast.Unary, ast.Presence, ast.WithinHours)):
            if isinstance(expr, ast.Unary) and expr.op == "-":
                return ("minus ",) + self.value(expr.operand)
            return self.condition(expr)
        if isinstance(expr, ast.Call):
            arguments = [self.value(argument) for argument in expr.arguments]
            head = _CALLS.get(expr.function, expr.function.replace("_", " ") + " of")
            return (head + " ",) + _listed(arguments, "and")
        if isinstance(expr, ast.Comprehension):
            return self.comprehension(expr)
        if isinstance(expr, ast.Selection):
            return self.selection(expr)
        if isinstance(expr, ast.SetLiteral):
            return _listed([self.value(item) for item in expr.items], "and") if expr.items else ("none",)
        if isinstance(expr, ast.IfAbsent):
            path = _request_path(expr.value)
            if path is not None:  # the field's value where given, else what takes its place
                return (Ref("present", (path, self.value(expr.value)), ""),
                        Ref("absent", (path, self.value(expr.fallback), field_words(path)), ""))
            return self.value(expr.value) + self.absent(expr)
        if isinstance(expr, ast.Field):  # a part of a let's or decision's value: `annual_period.end`
            return (f"the {words_of_name(expr.name)} of ",) + self.value(expr.base)
        if isinstance(expr, ast.Conditional):
            return ("if ",) + self.condition(expr.condition) + (", ",) + self.value(expr.then) \
                + (", else ",) + self.value(expr.otherwise)
        if isinstance(expr, ast.Convert):
            clock = f"{expr.clock} " if expr.clock else ""
            return self.value(expr.value) + (f" in {clock}{expr.unit}",)
        if isinstance(expr, ast.NextBusinessStart):
            return ("the next business start after ",) + self.value(expr.operand)
        return self.fallback(expr)

    def negated_value(self, expr: ast.Expr) -> Phrase:
        """A yes/no value computed by a condition, in words for when it is false; () for other values."""
        condition = isinstance(expr, (ast.Presence, ast.WithinHours)) \
            or isinstance(expr, ast.Unary) and expr.op == "not" \
            or isinstance(expr, ast.Binary) and expr.op not in _ARITHMETIC
        return self.condition(expr, negate=True) if condition and self.constant(expr) is None else ()

    def absent(self, expr: ast.IfAbsent) -> Phrase:
        """What `if absent` puts in place of a request field, said only where the request leaves it out."""
        fallback = self.value(expr.fallback)
        path = _request_path(expr.value)
        if path is None:
            return (" (",) + fallback + (" where not given)",)
        return (Ref("absent", (path, fallback, ""), ""),)

    def comprehension(self, expr: ast.Comprehension, negate: bool = False) -> Phrase:
        source = self.subject(expr.source)
        where = (" whose ",) + self.condition(expr.where) if expr.where is not None else ()
        element = self.value(expr.element)
        if expr.function == "sum":
            return ("the sum of ",) + element + (" over ",) + source + where
        if expr.function in ("any", "all"):
            quantifier = {("any", False): "for some of ", ("any", True): "for none of ",
                          ("all", False): "for every one of ", ("all", True): "not for every one of "}
            return (quantifier[expr.function, negate],) + source + where + (", ",) + self.condition(expr.element)
        return (f"the {expr.function} of ",) + element + (" over ",) + source + where

    def selection(self, expr: ast.Selection, negate: bool = False) -> Phrase:
        """`count(d in request.dates where d <= x)` in words: "the number of dates where it is on or before x"."""
        source = self.subject(expr.source)
        condition = self.condition(expr.condition)
        if expr.function in ("any", "all"):
            quantifier = {("any", False): "for some of ", ("any", True): "for none of ",
                          ("all", False): "for every one of ", ("all", True): "not for every one of "}
            return (quantifier[expr.function, negate],) + source + (", ",) + condition
        head = {"count": "the number of ", "filter": "those of ", "first": "the first of "}.get(expr.function, "")
        return (head,) + self.operand(expr.source) + (" where ",) + condition if head else self.fallback(expr)

    def fallback(self, expr: ast.Expr) -> Phrase:
        """Words for an expression this builder has no phrase for: the values it reads."""
        refs: list[Ref] = []
        _refs_in(expr, self, refs)
        if not refs:
            return ("a value the rules compute",)
        parts: list[Phrase] = [(ref,) for ref in refs]
        return ("a value computed from ",) + _listed(parts, "and")

    # -- phrases of conditions: what must hold
    def condition(self, expr: ast.Expr, negate: bool = False) -> Phrase:
        """A condition in words (or its negation), naming what it tests without its value."""
        if self.depth > 40:
            return ("a condition",)
        self.depth += 1
        try:
            return self._condition(expr, negate)
        finally:
            self.depth -= 1

    def _condition(self, expr: ast.Expr, negate: bool) -> Phrase:
        if isinstance(expr, ast.Unary) and expr.op == "not":
            return self.condition(expr.operand, not negate)
        if isinstance(expr, ast.Boolean):
            return ("always",) if expr.value != negate else ("never",)
        if isinstance(expr, ast.Binary) and expr.op in ("and", "or"):
            op = expr.op if not negate else ("or" if expr.op == "and" else "and")
            return self.condition(expr.left, negate) + (f" {op} ",) + self.condition(expr.right, negate)
        if isinstance(expr, ast.Binary) and expr.op in _NEGATED:
            op = _NEGATED[expr.op] if negate else expr.op
            return self.comparison(expr.left, op, expr.right)
        if isinstance(expr, ast.Binary) and expr.op == "starts with":
            verb = " does not start with " if negate else " starts with "
            return self.subject(expr.left) + (verb,) + self.operand(expr.right)
        if isinstance(expr, ast.Binary) and expr.op == "contains word":
            verb = " does not contain the word " if negate else " contains the word "
            return self.subject(expr.left) + (verb,) + self.value(expr.right)
        if isinstance(expr, ast.Presence):
            present = expr.present != negate
            return self.subject(expr.operand) + (" is given" if present else " is none",)
        if isinstance(expr, ast.WithinHours):
            return self.subject(expr.operand) + (" is not" if negate else " is",) + (" within business hours",)
        if isinstance(expr, ast.Comprehension) and expr.function in ("any", "all"):
            return self.comprehension(expr, negate)
        if isinstance(expr, ast.Selection) and expr.function in ("any", "all"):
            return self.selection(expr, negate)
        if isinstance(expr, ast.IfAbsent):  # `request.x if absent false`: the field, and what absence means
            return self.condition(expr.value, negate) + self.absent(expr)
        inlined = self.inline(expr, negate)
        if inlined is not None:
            return inlined
        ref = self.ref(expr, "name")
        if ref is not None and ref.words:
            return (ref, " is false" if negate else " is true")
        return ("not: ",) + self.value(expr) if negate else self.value(expr)

    def inline(self, expr: ast.Expr, negate: bool) -> Phrase | None:
        """A yes/no `let` in a condition, said by its own rule: `critical` → "severity is 1 or A"."""
        if not isinstance(expr, ast.Name) or expr.name not in self.definitions or expr.name in self.reported:
            return None
        definition = self.definitions[expr.name]
        body = definition.body
        if definition.reason is not None or not isinstance(body, ast.RuleBody) or body.exceptions:
            return None
        return self.condition(body.value, negate)

    def comparison(self, left: ast.Expr, op: str, right: ast.Expr) -> Phrase:
        if op in ("in", "not in"):
            return self.membership(left, op == "not in", right)
        subject = self.subject(left) if self.constant(right) is not None else self.operand(left)
        words = _COMPARE[op]
        if op in _BEFORE and isinstance(strip_optional(self.types.get(id(left), BoolT())), (DateT, TimestampT)):
            words = _BEFORE[op]
        return subject + (f" {words} ",) + self.operand(right)

    def membership(self, left: ast.Expr, negated: bool, right: ast.Expr) -> Phrase:
        container = strip_optional(self.types.get(id(right), SetT(BoolT())))
        if isinstance(container, ListT) or (_request_path(right) is not None and not isinstance(container, SetT)):
            verb = " do not include " if negated else " include "
            return self.subject(right) + (verb,) + self.operand(left)
        if isinstance(right, ast.SetLiteral):
            items = [self.operand(item) for item in right.items]
            verb = " is not " if negated else " is "
            return self.subject(left) + (verb,) + _listed(items, "or")
        listed = self.set_because(right.name) if isinstance(right, ast.Name) else None
        if listed and not negated:  # the author's words for being on the list: "is not covered by ..."
            return self.operand(left) + (f" {listed}",)
        verb = " is not in " if negated else " is in "
        return self.subject(left) + (verb,) + self.operand(right)

    def subject(self, expr: ast.Expr) -> Phrase:
        """What a condition tests, by name (a let by its value, which has no name in the contract)."""
        if isinstance(expr, ast.IfAbsent) and self.ref(expr.value, "name") is not None:
            return (self.ref(expr.value, "name"),) + self.absent(expr)
        ref = self.ref(expr, "name")
        if ref is not None:
            return (ref,)
        return self.value(expr)

    def operand(self, expr: ast.Expr) -> Phrase:
        constant = self.constant(expr)
        if constant is not None:
            return (constant,)
        ref = self.ref(expr, "both")
        if ref is not None:
            return (ref,)
        return self.value(expr)

    # -- rows and tiers
    def bound(self, subject: ast.Expr, bound: ast.Bound) -> Phrase:
        if isinstance(bound, ast.RangeBound):
            return self.subject(subject) + (" is ",) + self.range(bound.low, bound.high)
        if isinstance(bound, ast.CompareBound):
            return self.comparison(subject, bound.op, bound.value)
        return self.subject(subject) + (" is ",) + self.operand(bound.value)

    def cell(self, subject: ast.Expr, cell: ast.Cell, negate: bool = False) -> Phrase | None:
        """A table cell as a condition on its column; None for `any`."""
        if isinstance(cell, ast.AnyCell):
            return None
        if isinstance(cell, ast.EqualCell):
            if isinstance(cell.value, ast.Boolean) and isinstance(strip_optional(self.types.get(id(subject), BoolT())),
                                                                   BoolT):
                return self.condition(subject, negate=cell.value.value == negate)
            return self.comparison(subject, "!=" if negate else "==", cell.value)
        if isinstance(cell, ast.InCell):
            return self.membership(subject, cell.negated != negate, cell.value)
        if isinstance(cell, ast.CompareCell):
            return self.comparison(subject, _NEGATED[cell.op] if negate else cell.op, cell.value)
        verb = " is not " if negate else " is "
        return self.subject(subject) + (verb,) + self.range(cell.low, cell.high)

    def range(self, low: ast.Expr, high: ast.Expr) -> Phrase:
        """`6 to 13 days`: the unit said once where both ends have it."""
        if isinstance(low, ast.Quantity) and isinstance(high, ast.Quantity) and low.unit == high.unit \
                and low.clock == high.clock:
            return (Ref("constant", ("number", low.amount), "", None, "value"), " to ") + self.operand(high)
        return self.operand(low) + (" to ",) + self.operand(high)


def _display_constant(expr: ast.Expr, value: Any) -> Any:
    """A literal as its explanation shows it: a duration keeps its unit, money its currency."""
    if isinstance(expr, ast.Quantity):
        return ("duration", expr.clock, expr.unit, expr.amount)
    if isinstance(expr, ast.Money):
        return ("money", expr.currency, expr.amount)
    if isinstance(expr, ast.Percent):
        return ("percent", value)
    return value


def _listed(items: list[Phrase], conjunction: str) -> Phrase:
    if not items:
        return ()
    result: tuple = items[0]
    for index, item in enumerate(items[1:], start=1):
        result += ((f" {conjunction} " if index == len(items) - 1 else ", "),) + item
    return result


def _refs_in(node: Any, builder: PhraseBuilder, found: list[Ref]) -> None:
    if isinstance(node, tuple):
        for item in node:
            _refs_in(item, builder, found)
        return
    if not hasattr(node, "__dataclass_fields__"):
        return
    ref = builder.ref(node, "both") if isinstance(node, (ast.Name, ast.Field)) else None
    if ref is not None and ref.what in ("request", "name"):
        if ref not in found:
            found.append(ref)
        return
    for name in node.__dataclass_fields__:
        if name not in ("span", "citation", "reason", "notes"):
            _refs_in(getattr(node, name), builder, found)


def _request_path(expr: Any) -> tuple[str, ...] | None:
    return ast.request_path(expr) or None  # a field of the request; `request` itself is not one
