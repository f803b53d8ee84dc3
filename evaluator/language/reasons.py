"""The plain words of a rule set: `because` reasons and `headline` lines, whose `{name}` placeholders
stand for values, checked like any other reference.

A placeholder is `{name}` (a decision or `let` of the kind) or `{request.field.sub}` (a request
field); `{{` and `}}` are literal braces.
"""
from __future__ import annotations

import re
from typing import Callable, Iterator

from . import ast
from .diagnostics import did_you_mean
from .source import Span
from .types import ListT, RecordT, Type, strip_optional

PLACEHOLDER = re.compile(r"\{\{|\}\}|\{([^{}]*)\}|[{}]")
NAME = re.compile(r"^[a-z_][a-z0-9_]*(\.[a-z_][a-z0-9_]*)*$")

Report = Callable[[str, str, Span, "str | None"], None]


def pieces(text: str) -> Iterator[tuple[str, int, str | None]]:
    """The text as literal pieces (None) and placeholders (their name), each with its offset."""
    position = 0
    for match in PLACEHOLDER.finditer(text):
        if match.start() > position:
            yield text[position:match.start()], position, None
        token = match.group(0)
        if token in ("{{", "}}"):
            yield token[0], match.start(), None
        elif token in ("{", "}"):
            yield token, match.start(), "" if token == "{" else None
        else:
            yield token, match.start(), match.group(1).strip()
        position = match.end()
    if position < len(text):
        yield text[position:], position, None


def check_words(words: ast.Reason | ast.Headline, definitions: dict[str, object], request: RecordT,
                report: Report) -> None:
    """Report every placeholder of a reason or headline that names nothing of the kind."""
    for token, offset, name in pieces(words.text):
        if name is None:
            continue
        span = _inside(words.span, offset, len(token))
        if not name or not NAME.match(name):
            report("VK181", f"`{token}` is not a placeholder: write `{{name}}` or `{{request.field}}`", span,
                   "write `{{` or `}}` for a brace that is only a brace")
            continue
        parts = name.split(".")
        if parts[0] == "request":
            _check_field(parts[1:], request, token, span, report)
        elif len(parts) > 1:
            report("VK180", f"`{token}`: only request fields have parts", span,
                   f"write `{{{parts[0]}}}`, or `{{request.{name}}}` for a request field")
        elif name not in definitions:
            hint = did_you_mean(name, definitions) or "a placeholder names a decision or `let` of this kind"
            report("VK180", f"`{token}` names no decision or `let` of this kind", span, hint)


def _check_field(path: list[str], request: RecordT, token: str, span: Span, report: Report) -> None:
    type_: Type = request
    for index, part in enumerate(path):
        record = strip_optional(type_)
        if not isinstance(record, RecordT):
            report("VK180", f"`{token}`: `{'.'.join(path[:index])}` has no fields", span,
                   f"write `{{request.{'.'.join(path[:index])}}}` for its value")
            return
        field = record.field(part)
        if field is None:
            hint = did_you_mean(part, record.field_names()) or f"the fields are: {', '.join(record.field_names())}"
            report("VK180", f"`{token}`: the request has no field `{'.'.join(path[:index + 1])}`", span, hint)
            return
        type_ = field
    if not path:
        report("VK180", f"`{token}` names the whole request", span, "name one of its fields: `{request.field}`")
    elif isinstance(strip_optional(type_), (RecordT, ListT)):
        report("VK180", f"`{token}` is {strip_optional(type_).describe()}, not one value", span,
               "name one of its fields")


def words_of(definition: ast.Decision | ast.LetDecl) -> Iterator[ast.Reason]:
    """Every `because` of a decision or let: its own and its rows' and exceptions'."""
    if definition.reason is not None:
        yield definition.reason
    for row in ast.body_rows(definition.body):
        reason = getattr(row, "reason", None)
        if reason is not None:
            yield reason


def _inside(span: Span, offset: int, length: int) -> Span:
    """The span of a placeholder inside a one-line string literal (after its opening quote)."""
    if span.line != span.end_line or span.line <= 0:
        return span
    col = span.col + 1 + offset
    return Span(span.file, span.line, col, span.line, col + length, span.start + 1 + offset,
                span.start + 1 + offset + length)


def check_kind_words(kind, report: Report) -> None:
    """The reasons of a kind's decisions and lets, and its headlines (`kind` is the checker's KindInfo)."""
    for definition in kind.lets + kind.decisions:
        for reason in words_of(definition):
            check_words(reason, kind.definitions, kind.request, report)
    for declaration in kind.declarations:
        for headline in declaration.headlines:
            check_words(headline, kind.definitions, kind.request, report)


def check_set_words(decl: ast.SetDecl, report: Report) -> None:
    """A set's `because` says what being in the set means; it stands for no value of a request."""
    if decl.reason is None:
        return
    for token, offset, name in pieces(decl.reason.text):
        if name is not None:
            report("VK181", f"`{token}`: a set's `because` cannot name values", _inside(decl.reason.span, offset,
                   len(token)), "say in words what being in the set means")
