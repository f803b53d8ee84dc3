"""Policy text → AST. Lark trees never leave this module."""
from __future__ import annotations

import re
import threading
from decimal import Decimal

from lark import Lark, Token, Tree, v_args
from lark.visitors import Transformer_NonRecursive
from lark.exceptions import UnexpectedInput, VisitError

from . import ast, chains
from .diagnostics import Diagnostic
from ..resources import data_dir
from .source import Source, Span

_parser_lock = threading.Lock()
_parser: Lark | None = None

KEYWORDS = (
    "kind", "set", "let", "decision", "require", "calendar", "cites", "tiers", "of", "match", "first",
    "unique", "on", "any", "otherwise", "except", "when", "at", "if", "then", "else", "and", "or", "not",
    "in", "is", "present", "absent", "request", "true", "false", "nothing", "for", "where", "uses",
    "version", "effective", "until",
    "note", "dates", "period", "from", "containing", "cut", "using", "aliases", "exactly", "one", "starts", "with",
)


def lark_parser() -> Lark:
    """The Lark LALR parser for `grammar/vilkar.lark`, built once per process."""
    global _parser
    with _parser_lock:
        if _parser is None:
            grammar = (data_dir("grammar") / "vilkar.lark").read_text(encoding="utf-8")
            _parser = Lark(grammar, parser="lalr", lexer="contextual", propagate_positions=True,
                           maybe_placeholders=False, cache=True)
        return _parser


class ParseError(Exception):
    """A policy file that does not parse; carries one diagnostic."""

    def __init__(self, diagnostic: Diagnostic):
        super().__init__(diagnostic.message)
        self.diagnostic = diagnostic


def parse_module(source: Source) -> ast.Module:
    """Parse one policy file; raises ParseError with a located, worded diagnostic."""
    try:
        tree = lark_parser().parse(source.text)
    except UnexpectedInput as error:
        from .parse_errors import describe  # worded only when a policy does not parse
        raise ParseError(describe(error, source)) from None
    try:
        items = _Builder(source).transform(tree)
    except VisitError as error:
        if isinstance(error.orig_exc, ParseError):
            raise error.orig_exc from None
        raise
    deep = chains.too_deep(tuple(items))
    if deep is not None:
        raise ParseError(Diagnostic(
            "VK003", f"this expression is nested more than {chains.MAX_NESTING} deep", deep.span,
            "split it into named parts with `let`; long runs of `or`, `and` and `+` may be as long as you like"))
    return ast.Module(source.name, tuple(items), tuple(_comments(source)))


_STRING_OR_COMMENT = re.compile(r'"(?:[^"\\\n]|\\.)*"|#[^\n]*')


def _comments(source: Source) -> list[ast.Comment]:
    found = []
    for match in _STRING_OR_COMMENT.finditer(source.text):
        if match.group().startswith("#"):
            found.append(ast.Comment(match.group(), source.span(match.start(), match.end())))
    return found


# ---------------------------------------------------------------- tree → AST


MAX_DIGITS = 100  # the runtime computes exactly to 200 digits (compile/runtime.py): a product of two still fits


def _decimal(text: str) -> Decimal:
    return Decimal(text.replace(",", ""))


def _refuse_huge(text: str, span: Span) -> None:
    """A literal too long to compute with exactly is a policy error here, not a crash of the compiler."""
    digits = sum(char.isdigit() for char in text)
    if digits > MAX_DIGITS:
        raise ParseError(Diagnostic("VK005", f"this number has {digits} digits; vilkar computes exactly with at most "
                                    f"{MAX_DIGITS}", span, "write the amount the contract states; no term of "
                                    "it needs more digits"))


def _unquote(token: str) -> str:
    body = token[1:-1]
    return re.sub(r"\\(.)", lambda m: {"n": "\n", "t": "\t"}.get(m.group(1), m.group(1)), body)


def _split_unit(text: str) -> tuple[str, str]:
    """`6 calendar weeks` unit token → ("weeks", "calendar"); a bare unit is calendar time."""
    words = text.split()
    clock = words[0] if len(words) == 2 else "calendar"
    unit = words[-1] if words[-1].endswith("s") else words[-1] + "s"
    return unit, clock


@v_args(meta=True, inline=True)
class _Builder(Transformer_NonRecursive):
    """Builds AST nodes, attaching a span to each; iterative, so a tree's depth costs no Python stack."""

    def __init__(self, source: Source):
        super().__init__()
        self.source = source
        self.kind: str | None = None

    def _call_userfunc(self, tree, new_children=None):
        children = tree.children if new_children is None else new_children
        op = chains.ASSOCIATIVE.get(tree.data) if isinstance(tree.data, str) else None
        if op is not None and len(children) == 2:
            left, right = (c.tree(self.source) if isinstance(c, chains.Run) and c.op != op else c for c in children)
            return chains.extend(op, left, right)  # built as a tree where the run ends
        if tree.data == "group":
            return chains.group(children[0], self.source)
        children = [c.tree(self.source) if isinstance(c, chains.Run) else c for c in children]
        return super()._call_userfunc(tree, children)

    def _span(self, meta) -> Span:
        return self.source.span(meta.start_pos, meta.end_pos)

    def _token_span(self, token: Token) -> Span:
        return self.source.span(token.start_pos, token.end_pos)

    # -- items
    @v_args(inline=False, meta=True)
    def start(self, meta, items):
        return [item for item in items if item is not None]

    def kind_decl(self, meta, name, *rest):
        citation = next((r for r in rest if isinstance(r, ast.Citation)), None)
        uses = next((r for r in rest if isinstance(r, tuple)), (None, None))
        notes = [r for r in rest if isinstance(r, _Note)]
        headlines = tuple(r for r in rest if isinstance(r, ast.Headline))
        self.kind = str(name)
        conditions = tuple(note.when for note in notes) if any(note.when is not None for note in notes) else ()
        return ast.KindDecl(str(name), citation, uses[0], uses[1], tuple(note.text for note in notes),
                            self._span(meta), note_conditions=conditions, headlines=headlines)

    def kind_note(self, meta, text, when=None):
        return _Note(_unquote(text), when.children[0] if isinstance(when, Tree) else None)

    def note_when(self, meta, condition):
        return Tree("when", [condition])

    def kind_headline(self, meta, text):
        return ast.Headline(_unquote(text), self._token_span(text))  # the string: placeholders are found in it

    def reason(self, meta, text):
        return ast.Reason(_unquote(text), self._token_span(text))

    def rule_note(self, meta, text):
        return ast.Note(_unquote(text), self._token_span(text))

    def uses_calendar(self, meta, name, location):
        return (str(name), location)

    def set_decl(self, meta, name, *rest):
        marker = next((r for r in rest if isinstance(r, _SetMarker)), _SetMarker(False, False, None))
        exprs = [r for r in rest if not isinstance(r, (ast.Citation, _SetMarker, ast.Reason))]
        citation = next((r for r in rest if isinstance(r, ast.Citation)), None)
        return ast.SetDecl(str(name), marker.names, exprs[0], citation, self._span(meta), aliases=marker.aliases,
                           using=marker.using, reason=_reason(rest))

    def names_marker(self, meta, using=None):
        return _SetMarker(True, False, using)

    def aliases_marker(self, meta):
        return _SetMarker(True, True, None)

    def names_using(self, meta, name):
        return str(name)

    def let_decl(self, meta, names, *rest):
        citation = rest[0] if isinstance(rest[0], ast.Citation) else None
        return ast.LetDecl(names[0], citation, rest[-1], self.kind, self._span(meta), _declared(names[1]),
                          _reason(rest), _notes(rest))

    def decision(self, meta, names, *rest):
        citation = rest[0] if isinstance(rest[0], ast.Citation) else None
        body = rest[-1]
        return ast.Decision(names[0], citation, body, self.kind, self._span(meta), _declared(names[1]),
                          _reason(rest), _notes(rest))

    @v_args(inline=False, meta=True)
    def decision_names(self, meta, names):
        return tuple(name for name, _ in names), tuple(spec for _, spec in names)

    def decision_name(self, meta, name, spec=None):
        return str(name), spec

    def type_spec(self, meta, name, *rest):
        detail = next((r for r in rest if isinstance(r, dict)), {})
        optional = any(r == "or nothing" for r in rest if isinstance(r, str) and not isinstance(r, Token))
        return ast.TypeSpec(str(name), detail.get("low"), detail.get("high"), detail.get("values"),
                            detail.get("currency"), optional, self._span(meta))

    def type_range(self, meta, low, high):
        low, high = _share_unit(low, high)
        return {"low": low, "high": high}

    def type_currency(self, meta, currency):
        return {"currency": str(currency)}

    @v_args(inline=False, meta=True)
    def type_values(self, meta, values):
        return {"values": tuple(_unquote(str(v)) for v in values)}

    def type_optional(self, meta):
        return "or nothing"

    def requirement(self, meta, condition, *rest):
        when = rest[0].children[0] if isinstance(rest[0], Tree) else None
        tail = rest[1:] if when is not None else rest
        fields = [part for part in tail if not isinstance(part, (Token, ast.Citation))]
        message = next(part for part in tail if isinstance(part, Token))
        citation = tail[-1] if isinstance(tail[-1], ast.Citation) else None
        return ast.Requirement(condition, when, fields[0], _unquote(message), citation, self.kind, self._span(meta),
                               tuple(fields[1:]))

    def exactly_one(self, meta, *rest):
        fields = [part for part in rest if not isinstance(part, (Token, ast.Citation, Tree))]
        when = next((part.children[0] for part in rest if isinstance(part, Tree)), None)
        message = next(part for part in rest if isinstance(part, Token))
        citation = rest[-1] if isinstance(rest[-1], ast.Citation) else None
        return ast.Requirement(ast.Boolean(True, self._span(meta)), when, fields[0], _unquote(message), citation,
                               self.kind, self._span(meta), tuple(fields[1:]), True)

    def requirement_when(self, meta, condition):
        return Tree("when", [condition])

    def calendar_decl(self, meta, name, *rest):
        citation = rest[0] if rest and isinstance(rest[0], ast.Citation) else None
        clauses = tuple(r for r in rest if isinstance(r, ast.CalendarClause))
        notes = tuple(r.text for r in rest if isinstance(r, _Note))
        return ast.CalendarDecl(str(name), citation, clauses, notes, self._span(meta))

    def calendar_note(self, meta, text):
        return _Note(_unquote(text))

    def calendar_clause(self, meta, *parts):
        place = next((p.text for p in parts if isinstance(p, _Place)), None)
        what, values = next(p for p in parts if isinstance(p, tuple))
        citation = parts[-1] if isinstance(parts[-1], ast.Citation) else None
        return ast.CalendarClause(what, values, citation, place, self._span(meta))

    def calendar_place(self, meta, code):
        return _Place(_unquote(code))

    def version_decl(self, meta, version_id, effective, until=None):
        return ast.VersionDecl(_unquote(str(version_id)), str(effective), until, self._span(meta))

    def version_until(self, meta, date):
        return str(date)

    def open_hours(self, meta, start, end):
        return ("open", (str(start), str(end)))

    def working_days(self, meta, *spans):
        return ("days", tuple(spans))

    def day_span(self, meta, first, last=None):
        return first if last is None else f"{first} to {last}"

    def closed_on_holidays(self, meta):
        return ("holidays", ())

    def closed_on_day(self, meta, day, month):
        return ("closed", (str(day), month))

    def closed_on_date(self, meta, day):
        return ("closed_date", (str(day),))

    def month_rule(self, meta, rule, citation=None):
        return ast.MonthRule(rule, citation, self._span(meta))

    def roll_forward(self, meta):
        return "roll_forward"

    def clamped(self, meta):
        return "clamp"

    def weekday(self, meta, token):
        return str(token)

    def month(self, meta, token):
        return str(token)

    def hit(self, meta, token):
        return str(token)

    def citation(self, meta, text):
        return ast.Citation(_unquote(text), self._span(meta))

    # -- bodies
    def rule_body(self, meta, value, *exceptions):
        return ast.RuleBody(value, tuple(exceptions), self._span(meta))

    def exception(self, meta, *parts):
        first = isinstance(parts[0], _First)
        condition, value, *rest = parts[1:] if first else parts
        return ast.Exception_(condition, value, _citation(rest), self._span(meta), first=first,
                              reason=_reason(rest), notes=_notes(rest))

    def exception_first(self, meta):
        return _First()

    def all_of_body(self, meta, _token, *parts):
        return ast.AllOfBody(tuple(parts), self._span(meta))

    def all_of_part(self, meta, test, *rest):
        return ast.ConditionPart(test, _citation(rest), self._span(meta), reason=_reason(rest), notes=_notes(rest))

    def tiers_body(self, meta, subject, *rows):
        otherwise = rows[-1] if rows and isinstance(rows[-1], ast.OtherwiseRow) else None
        tier_rows = tuple(r for r in rows if isinstance(r, ast.TierRow))
        return ast.TiersBody(subject, tier_rows, otherwise, self._span(meta))

    def tier_row(self, meta, bound, value, *rest):
        return ast.TierRow(bound, value, _citation(rest), self._span(meta), _reason(rest), _notes(rest))

    def compare_bound(self, meta, op, value):
        return ast.CompareBound(str(op), value, self._span(meta))

    def range_bound(self, meta, low, high):
        low, high = _share_unit(low, high)
        return ast.RangeBound(low, high, self._span(meta))

    def equal_bound(self, meta, value):
        return ast.EqualBound(value, self._span(meta))

    def match_body(self, meta, hit, *rest):
        subjects = tuple(r for r in rest if not isinstance(r, (ast.MatchRow, ast.OtherwiseRow)))
        rows = tuple(r for r in rest if isinstance(r, ast.MatchRow))
        otherwise = rest[-1] if isinstance(rest[-1], ast.OtherwiseRow) else None
        return ast.MatchBody(hit, subjects, rows, otherwise, self._span(meta))

    def match_row(self, meta, *parts):
        cells = tuple(p for p in parts if isinstance(p, _CELL_TYPES))
        outputs = next(p for p in parts if isinstance(p, tuple))
        return ast.MatchRow(cells, outputs, _citation(parts), self._span(meta), _reason(parts), _notes(parts))

    def otherwise_row(self, meta, outputs, *rest):
        return ast.OtherwiseRow(outputs, _citation(rest), self._span(meta), _reason(rest), _notes(rest))

    @v_args(inline=False, meta=True)
    def outputs(self, meta, values):
        return tuple(values)

    def any_cell(self, meta):
        return ast.AnyCell(self._span(meta))

    def in_cell(self, meta, value):
        return ast.InCell(value, False, self._span(meta))

    def not_in_cell(self, meta, value):
        return ast.InCell(value, True, self._span(meta))

    def compare_cell(self, meta, op, value):
        return ast.CompareCell(str(op), value, self._span(meta))

    def range_cell(self, meta, low, high):
        low, high = _share_unit(low, high)
        return ast.RangeCell(low, high, self._span(meta))

    def equal_cell(self, meta, value):
        return ast.EqualCell(value, self._span(meta))

    # -- expressions
    def conditional(self, meta, condition, then, otherwise):
        return ast.Conditional(condition, then, otherwise, self._span(meta))

    def _binary(op):  # noqa: N805 - a factory for the methods below
        def build(self, meta, left, right):
            return ast.Binary(op, left, right, self._span(meta))
        return build

    or_op = _binary("or")  # `or`, `and` and `+` are collected into runs by _call_userfunc (chains.py)
    and_op = _binary("and")
    member = _binary("in")
    not_member = _binary("not in")
    contains_word = _binary("contains word")
    starts_with = _binary("starts with")
    add = _binary("+")
    subtract = _binary("-")
    multiply = _binary("*")
    divide = _binary("/")
    share_of = _binary("of")

    def compare(self, meta, left, op, right):
        return ast.Binary(str(op), left, right, self._span(meta))

    def not_op(self, meta, operand):
        return ast.Unary("not", operand, self._span(meta))

    def negate(self, meta, operand):
        return ast.Unary("-", operand, self._span(meta))

    def present(self, meta, operand):
        return ast.Presence(operand, True, self._span(meta))

    def absent(self, meta, operand):
        return ast.Presence(operand, False, self._span(meta))

    def if_absent(self, meta, value, fallback):
        return ast.IfAbsent(value, fallback, self._span(meta))

    def convert(self, meta, value, unit):
        name, clock = _split_unit(str(unit))
        explicit_clock = clock if len(str(unit).split()) == 2 else None
        return ast.Convert(value, name, explicit_clock, self._span(meta))

    def within_hours(self, meta, operand, unit):
        if " ".join(str(unit).split()) != "business hours":
            raise ParseError(Diagnostic(
                "VK001", f"expected `business hours` after `is within`, found `{unit}`",
                self._token_span(unit), "write `is within business hours`"))
        return ast.WithinHours(operand, self._span(meta))

    def next_business_start(self, meta, operand):
        return ast.NextBusinessStart(operand, self._span(meta))

    def period(self, meta, length, anchor, containing, cut=None):
        return ast.Period(length, anchor, containing, cut, self._span(meta))

    def period_cut(self, meta, last):
        return last

    def field(self, meta, base, name):
        return ast.Field(base, str(name), self._span(meta))

    def request(self, meta):
        return ast.Request(self._span(meta))

    def name(self, meta, token):
        return ast.Name(str(token), self._span(meta))

    def call(self, meta, function, arguments=()):
        return ast.Call(str(function), tuple(arguments), self._span(meta))

    @v_args(inline=False, meta=True)
    def arguments(self, meta, values):
        return tuple(values)

    def comprehension(self, meta, function, element, variable, source, where=None):
        return ast.Comprehension(str(function), element, str(variable), source, where, self._span(meta))

    def comprehension_where(self, meta, condition):
        return condition

    def selection(self, meta, function, binding, condition):
        return self._selection(str(function), binding, condition, meta)

    def first_selection(self, meta, binding, condition):
        return self._selection("first", binding, condition, meta)

    def _selection(self, function: str, binding, condition, meta) -> ast.Selection:
        if not (isinstance(binding, ast.Binary) and binding.op == "in" and isinstance(binding.left, ast.Name)):
            raise ParseError(Diagnostic(
                "VK001", f"`{function}(... where ...)` names an item and the list it is in",
                binding.span if hasattr(binding, "span") else self._span(meta),
                f"write for example `{function}(d in request.dates where d <= request.as_of)`"))
        return ast.Selection(function, binding.left.name, binding.right, condition, self._span(meta))

    @v_args(inline=False, meta=True)
    def set_literal(self, meta, items):
        return ast.SetLiteral(tuple(items), self._span(meta))

    @v_args(inline=False, meta=True)
    def alias_group(self, meta, names):
        return ast.AliasGroup(tuple(names), self._span(meta))

    # -- literals
    def number(self, meta, token):
        text = str(token)
        _refuse_danish(text, self._token_span(token), None)
        _refuse_huge(text, self._token_span(token))
        return ast.Number(_decimal(text), "." not in text, self._span(meta), text)

    def quantity(self, meta, number, unit):
        _refuse_danish(str(number), self._token_span(number), None)
        _refuse_huge(str(number), self._token_span(number))
        name, clock = _split_unit(str(unit))
        return ast.Quantity(_decimal(str(number)), name, clock, self._span(meta), f"{number} {' '.join(str(unit).split())}")

    def percent(self, meta, token):
        _refuse_huge(str(token), self._token_span(token))
        return ast.Percent(_decimal(str(token)[:-1]), self._span(meta), str(token))

    def money(self, meta, currency, amount):
        _refuse_danish(str(amount), self._token_span(amount), str(currency))
        _refuse_huge(str(amount), self._token_span(amount))
        return ast.Money(str(currency), _decimal(str(amount)), self._span(meta), f"{currency} {amount}")

    def date(self, meta, token):
        return ast.DateLiteral(str(token), self._span(meta))

    def string(self, meta, token):
        return ast.String(_unquote(str(token)), self._span(meta))

    def true(self, meta):
        return ast.Boolean(True, self._span(meta))

    def false(self, meta):
        return ast.Boolean(False, self._span(meta))

    def nothing(self, meta):
        return ast.Nothing(self._span(meta))


_DANISH_GROUPS = re.compile(r"^\d{1,3}(\.\d{3})+(,\d+)?$")


def _refuse_danish(text: str, span: Span, currency: str | None) -> None:
    """`USD 50.000` may be fifty or fifty thousand: the policy must say which (SPEC §3 writes `USD 50,000`)."""
    if not _DANISH_GROUPS.match(text) or (currency is None and text.count(".") < 2):
        return  # a plain 1.500 is a decimal number; only money and several groups are ambiguous
    whole = text.replace(".", "").split(",")[0]
    grouped = f"{int(whole):,}" + ("." + text.split(",")[1] if "," in text else "")
    unit = f"{currency} " if currency else ""
    if text.count(".") == 1 and "," not in text:
        small = f"{unit}{int(text.split('.')[0])}"
        message = (f"`{unit}{text}` is ambiguous: {small} if `.` is a decimal point, or {unit}{grouped} if it is a "
                   "Danish thousands separator")
        hint = f"write `{unit}{grouped}` for {unit}{grouped}, or `{unit}{text.split('.')[0]}.00` for the smaller amount"
    else:
        message = f"`{unit}{text}` uses Danish thousands separators"
        hint = f"write `{unit}{grouped}`: thousands are separated by commas and decimals by a point"
    raise ParseError(Diagnostic("VK004", message, span, hint))


def _declared(specs: tuple[ast.TypeSpec | None, ...]) -> tuple[ast.TypeSpec | None, ...]:
    """No declared types at all is `()`, so that trees written without types compare as before."""
    return specs if any(spec is not None for spec in specs) else ()


class _Note:
    """A kind's or calendar's `note "..."` (a kind's with its `when`) while its declaration is being built."""

    def __init__(self, text: str, when: ast.Expr | None = None):
        self.text = text
        self.when = when


class _Place:
    """A calendar line's `in "US"` while the line is being built."""

    def __init__(self, text: str):
        self.text = text


def _citation(parts: tuple) -> ast.Citation | None:
    return next((part for part in parts if isinstance(part, ast.Citation)), None)


def _reason(parts: tuple) -> ast.Reason | None:
    return next((part for part in parts if isinstance(part, ast.Reason)), None)


def _notes(parts: tuple) -> tuple[ast.Note, ...]:
    return tuple(part for part in parts if isinstance(part, ast.Note))


class _SetMarker:
    """What follows a set's name: `: names`, `: names using x` or `: aliases`."""

    def __init__(self, names: bool, aliases: bool, using: str | None):
        self.names, self.aliases, self.using = names, aliases, using


class _First:
    """`first` in `except first when`."""


_CELL_TYPES = (ast.AnyCell, ast.EqualCell, ast.InCell, ast.CompareCell, ast.RangeCell)


def _share_unit(low: ast.Literal, high: ast.Literal) -> tuple[ast.Literal, ast.Literal]:
    """In `6..13 days` and `10..20%` the unit written on the high end applies to the low end too."""
    if isinstance(low, ast.Number) and isinstance(high, ast.Quantity):
        low = ast.Quantity(low.value, high.unit, high.clock, low.span, low.text)
    elif isinstance(low, ast.Number) and isinstance(high, ast.Percent):
        low = ast.Percent(low.value, low.span, low.text)
    return low, high
