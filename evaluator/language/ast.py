"""The policy language's syntax tree: frozen dataclasses whose equality ignores source positions."""
from __future__ import annotations

from dataclasses import dataclass, field, fields
from decimal import Decimal
from typing import Union

from .source import NO_SPAN, Span


def _span() -> Span:
    return field(default=NO_SPAN, compare=False, repr=False)


def _optional(default: object) -> object:
    """A field added to a node later: left out of `dump` while it has its default, so older trees read the same."""
    return field(default=default, metadata={"omit_default": True})


# ---------------------------------------------------------------- expressions


@dataclass(frozen=True, slots=True)
class Number:
    """An integer or exact decimal: `14`, `1,000.50`."""

    value: Decimal
    is_integer: bool
    span: Span = _span()
    text: str = field(default="", compare=False, repr=False)  # as written, for the formatter


@dataclass(frozen=True, slots=True)
class Quantity:
    """A duration with its unit and clock: `15 minutes`, `6 calendar weeks`, `2 business hours`."""

    amount: Decimal
    unit: str  # minutes | hours | days | weeks | months | years
    clock: str  # calendar | business
    span: Span = _span()
    text: str = field(default="", compare=False, repr=False)  # as written, for the formatter


@dataclass(frozen=True, slots=True)
class Percent:
    """A percentage: `20%`."""

    value: Decimal
    span: Span = _span()
    text: str = field(default="", compare=False, repr=False)  # as written, for the formatter


@dataclass(frozen=True, slots=True)
class Money:
    """An amount of a currency: `USD 50,000`."""

    currency: str
    amount: Decimal
    span: Span = _span()
    text: str = field(default="", compare=False, repr=False)  # as written, for the formatter


@dataclass(frozen=True, slots=True)
class DateLiteral:
    """A calendar date: `2026-11-27`."""

    value: str
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class String:
    """A quoted text."""

    value: str
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class Boolean:
    """`true` or `false`."""

    value: bool
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class Nothing:
    """`nothing`: the contract states no value."""

    span: Span = _span()


@dataclass(frozen=True, slots=True)
class Request:
    """`request`: the request document being decided."""

    span: Span = _span()


@dataclass(frozen=True, slots=True)
class Name:
    """A reference to a decision, a `let`, a set or a comprehension variable."""

    name: str
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class Field:
    """`base.name`: a field of the request or of a record."""

    base: Expr
    name: str
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class Call:
    """A built-in function: `min(a, b)`, `ceil(x)`."""

    function: str
    arguments: tuple[Expr, ...]
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class Comprehension:
    """`sum(a.amount for a in request.allocations where a.category == "x")`."""

    function: str
    element: Expr
    variable: str
    source: Expr
    where: Expr | None
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class Selection:
    """`count(d in request.dates where d <= x)`: count, any, all, filter or first over a list's items."""

    function: str  # count | any | all | filter | first
    variable: str
    source: Expr
    condition: Expr
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class SetLiteral:
    """`{"en", "ja"}`."""

    items: tuple[Expr, ...]
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class AliasGroup:
    """`"Azure Communication Services" = "Azure-kommunikationstjenester"`: names of one product (in an `aliases` set)."""

    names: tuple[Expr, ...]
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class Unary:
    """`-x` or `not x`."""

    op: str
    operand: Expr
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class Binary:
    """Arithmetic, logic, comparison and membership: `a + b`, `a and b`, `a >= b`, `a in s`."""

    op: str  # + - * / of and or == != < <= > >= in "not in" "contains word" "starts with"
    left: Expr
    right: Expr
    span: Span = _span()
    # `+` written in parentheses: `d + (1 month + 1 month)` adds two months at once, `d + 1 month + 1 month`
    # one after the other (chains.py); not compared, as parentheses the grammar does not need are not
    grouped: bool = field(default=False, compare=False)


@dataclass(frozen=True, slots=True)
class Presence:
    """`x is present` / `x is absent`."""

    operand: Expr
    present: bool
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class IfAbsent:
    """`x if absent y`: y where x is absent."""

    value: Expr
    fallback: Expr
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class Conditional:
    """`if c then a else b`."""

    condition: Expr
    then: Expr
    otherwise: Expr
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class Convert:
    """`d in minutes`: a duration as a whole number of a unit."""

    value: Expr
    unit: str
    clock: str | None
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class WithinHours:
    """`t is within business hours` on the kind's calendar."""

    operand: Expr
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class NextBusinessStart:
    """`next business start after t` on the kind's calendar."""

    operand: Expr
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class Period:
    """`the 1 year period from anchor containing day cut at last`: the anchored period that holds a day."""

    length: Expr
    anchor: Expr
    containing: Expr
    cut: Expr | None
    span: Span = _span()


Expr = Union[
    Number, Quantity, Percent, Money, DateLiteral, String, Boolean, Nothing, Request, Name, Field,
    Call, Comprehension, SetLiteral, Unary, Binary, Presence, IfAbsent, Conditional, Convert,
    WithinHours, NextBusinessStart, Period, Selection, AliasGroup,
]
Literal = Union[Number, Quantity, Percent, Money, DateLiteral, String, Boolean, Nothing]


# ---------------------------------------------------------------- rule bodies


@dataclass(frozen=True, slots=True)
class Citation:
    """`cites "2.6 ... – Annulleringspolitik"`: the clause a rule encodes."""

    text: str
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class Reason:
    """`because "..."`: why a rule decides, in plain words, for explanations; `{name}` stands for a value."""

    text: str
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class Note:
    """`note "..."` on a rule: said in the result's notes whenever that rule decides."""

    text: str
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class Headline:
    """`headline "..."` on a kind: a line of the answer that explanations put first; `{name}` is a value."""

    text: str
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class Exception_:
    """`except when c -> v`: takes precedence over the base rule where c holds."""

    condition: Expr
    value: Expr
    citation: Citation | None
    span: Span = _span()
    first: bool = _optional(False)  # `except first when`: the author says the first exception that applies wins
    reason: Reason | None = _optional(None)
    notes: tuple[Note, ...] = _optional(())


@dataclass(frozen=True, slots=True)
class RuleBody:
    """A base rule with its exceptions, tried in order before the base."""

    value: Expr
    exceptions: tuple[Exception_, ...]
    span: Span = _span()

    @property
    def ordered(self) -> bool:
        """Whether the author stated that the exceptions apply in the order written (`except first when`)."""
        return bool(self.exceptions) and self.exceptions[0].first


@dataclass(frozen=True, slots=True)
class ConditionPart:
    """`| request.channel == "portal" cites "..."`: one part of an `all of` condition."""

    test: Expr
    citation: Citation | None
    span: Span = _span()
    reason: Reason | None = _optional(None)
    notes: tuple[Note, ...] = _optional(())


@dataclass(frozen=True, slots=True)
class AllOfBody:
    """`all of` with its parts: true when every part holds; the first part that fails decides `false`."""

    parts: tuple[ConditionPart, ...]
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class CompareBound:
    """A tier bound `>= 14 days`."""

    op: str
    value: Literal
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class RangeBound:
    """A tier bound `6..13 days` (both ends included)."""

    low: Literal
    high: Literal
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class EqualBound:
    """A tier bound that is a single value."""

    value: Literal
    span: Span = _span()


Bound = Union[CompareBound, RangeBound, EqualBound]


@dataclass(frozen=True, slots=True)
class TierRow:
    """`6..13 days -> 50%`."""

    bound: Bound
    value: Expr
    citation: Citation | None
    span: Span = _span()
    reason: Reason | None = _optional(None)
    notes: tuple[Note, ...] = _optional(())


@dataclass(frozen=True, slots=True)
class OtherwiseRow:
    """`otherwise -> ...`: applies when no row does."""

    outputs: tuple[Expr, ...]
    citation: Citation | None
    span: Span = _span()
    reason: Reason | None = _optional(None)
    notes: tuple[Note, ...] = _optional(())


@dataclass(frozen=True, slots=True)
class TiersBody:
    """`tiers of subject` with its rows; the first row whose bound holds decides."""

    subject: Expr
    rows: tuple[TierRow, ...]
    otherwise: OtherwiseRow | None
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class AnyCell:
    """`any`: matches every value."""

    span: Span = _span()


@dataclass(frozen=True, slots=True)
class EqualCell:
    """A value the column must equal."""

    value: Expr
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class InCell:
    """`in s` / `not in s`."""

    value: Expr
    negated: bool
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class CompareCell:
    """`>= 14`."""

    op: str
    value: Expr
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class RangeCell:
    """`6..13`."""

    low: Literal
    high: Literal
    span: Span = _span()


Cell = Union[AnyCell, EqualCell, InCell, CompareCell, RangeCell]


@dataclass(frozen=True, slots=True)
class MatchRow:
    """`| "1" | true -> 15 minutes`."""

    cells: tuple[Cell, ...]
    outputs: tuple[Expr, ...]
    citation: Citation | None
    span: Span = _span()
    reason: Reason | None = _optional(None)
    notes: tuple[Note, ...] = _optional(())


@dataclass(frozen=True, slots=True)
class MatchBody:
    """A decision table over some columns with a hit policy (`first` or `unique`)."""

    hit: str
    subjects: tuple[Expr, ...]
    rows: tuple[MatchRow, ...]
    otherwise: OtherwiseRow | None
    span: Span = _span()


Body = Union[RuleBody, TiersBody, MatchBody, AllOfBody]


def request_path(expr: object) -> tuple[str, ...] | None:
    """`request.a.b` → ("a", "b"), `request` → (); anything else → None."""
    parts: list[str] = []
    while isinstance(expr, Field):
        parts.append(expr.name)
        expr = expr.base
    return tuple(reversed(parts)) if isinstance(expr, Request) else None


def body_rows(body: Body) -> list:
    """The rows of a body that carry their own words: exceptions, tier and table rows with `otherwise`, `all of` parts."""
    if isinstance(body, RuleBody):
        return list(body.exceptions)
    if isinstance(body, (TiersBody, MatchBody)):
        return list(body.rows) + ([body.otherwise] if body.otherwise is not None else [])
    if isinstance(body, AllOfBody):
        return list(body.parts)
    return []


# ---------------------------------------------------------------- items


@dataclass(frozen=True, slots=True)
class TypeSpec:
    """`percent 0%..100%`, `one of {"a", "b"}`, `money USD`, `date or nothing`: what a decision must give."""

    name: str
    low: Literal | None = None
    high: Literal | None = None
    values: tuple[str, ...] | None = None
    currency: str | None = None
    optional: bool = False
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class KindDecl:
    """`kind cancellation`: the following items decide requests of this kind."""

    name: str
    citation: Citation | None
    calendar: str | None
    location: Expr | None
    notes: tuple[str, ...] = ()
    span: Span = _span()
    note_conditions: tuple[Expr | None, ...] = _optional(())  # per note: `when` it applies, None for always
    headlines: tuple[Headline, ...] = _optional(())


@dataclass(frozen=True, slots=True)
class SetDecl:
    """`set name = {...}`: a named set, global to the rule set."""

    name: str
    names: bool
    value: Expr
    citation: Citation | None
    span: Span = _span()
    aliases: bool = _optional(False)  # `: aliases`: the members are groups of equal names
    using: str | None = _optional(None)  # `: names using x`: every name of x's groups that this set names
    reason: Reason | None = _optional(None)  # what being in the set means, in plain words


@dataclass(frozen=True, slots=True)
class LetDecl:
    """`let name = body`: a named value that is not reported; written like a decision."""

    names: tuple[str, ...]
    citation: Citation | None
    body: Body
    kind: str | None
    span: Span = _span()
    types: tuple[TypeSpec | None, ...] = ()  # one per name, None where none is declared
    reason: Reason | None = _optional(None)  # the reason of its rule (the base rule, with exceptions)
    notes: tuple[Note, ...] = _optional(())


@dataclass(frozen=True, slots=True)
class Decision:
    """`decision name = body`: a value reported in the result."""

    names: tuple[str, ...]
    citation: Citation | None
    body: Body
    kind: str | None
    span: Span = _span()
    types: tuple[TypeSpec | None, ...] = ()  # one per name, None where none is declared
    reason: Reason | None = _optional(None)  # the reason of its rule (the base rule, with exceptions)
    notes: tuple[Note, ...] = _optional(())


@dataclass(frozen=True, slots=True)
class Requirement:
    """`require c when w at request.x "message"`: a request that fails it is invalid."""

    condition: Expr
    when: Expr | None
    at: Expr
    message: str
    citation: Citation | None
    kind: str | None
    span: Span = _span()
    also_at: tuple[Expr, ...] = _optional(())  # further fields the problem is reported at
    exactly_one: bool = _optional(False)  # `require exactly one of at, also_at...`: `condition` is then `true`


@dataclass(frozen=True, slots=True)
class CalendarClause:
    """One line of a calendar: opening hours, working days or closed days, everywhere or `in` one place."""

    what: str  # open | days | holidays | closed | closed_date
    values: tuple[str, ...]  # open: times; days: spans such as "Monday to Friday"; closed: day, month
    citation: Citation | None
    place: str | None = None  # "US" or "DE-BY": the line holds only there
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class CalendarDecl:
    """`calendar name ...`: business hours, working days and closed days."""

    name: str
    citation: Citation | None
    clauses: tuple[CalendarClause, ...]
    notes: tuple[str, ...] = ()
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class VersionDecl:
    """`version "2026-01" effective 2026-01-01 until 2026-07-01`: the rule set's edition and its window."""

    id: str
    effective: str
    until: str | None
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class MonthRule:
    """`dates that do not exist roll forward to the first of the next month` (or `are clamped to ...`)."""

    rule: str  # roll_forward | clamp
    citation: Citation | None
    span: Span = _span()


Item = Union[KindDecl, SetDecl, LetDecl, Decision, Requirement, CalendarDecl, VersionDecl, MonthRule]


@dataclass(frozen=True, slots=True)
class Comment:
    """A `#` comment, kept for the formatter."""

    text: str
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class Module:
    """One policy file."""

    file: str
    items: tuple[Item, ...]
    comments: tuple[Comment, ...] = field(default=(), compare=False, repr=False)


def dump(node: object, indent: int = 0) -> str:
    """An indented, position-free rendering of a syntax tree, for golden tests and debugging."""
    return "\n".join(_dump_lines(node, indent))


def _dump_lines(node: object, indent: int) -> list[str]:
    pad = "  " * indent
    if isinstance(node, tuple):
        lines = []
        for item in node:
            inner = _dump_lines(item, indent + 1)
            lines.append(f"{pad}- {inner[0].lstrip()}")
            lines.extend(inner[1:])
        return lines or [f"{pad}()"]
    if not hasattr(node, "__dataclass_fields__"):
        return [pad + (repr(str(node)) if isinstance(node, Decimal) else repr(node))]
    lines = [pad + type(node).__name__]
    after_span = False
    for node_field in fields(node):
        after_span = after_span or node_field.name == "span"
        if not node_field.compare:  # positions and the literal's spelling are not part of the tree
            continue
        if after_span and getattr(node, node_field.name) == node_field.default:
            continue  # fields added after `span` (declared types) show only where they are written
        name = node_field.name
        value = getattr(node, name)
        if node_field.metadata.get("omit_default") and value == node_field.default:
            continue
        inner = _dump_lines(value, indent + 2)
        if len(inner) == 1 and not (isinstance(value, tuple) and value):
            lines.append(f"{pad}  {name}: {inner[0].lstrip()}")
        else:
            lines.append(f"{pad}  {name}:")
            lines.extend(inner)
    return lines
