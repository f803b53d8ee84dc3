"""Helpers the lint rules share: finding tier and table bodies, and showing values with their units."""
from __future__ import annotations

from decimal import Decimal
from typing import Iterator

from ...language import ast
from ...language.types import DurationT, IntT, MoneyT, PercentT, Type, strip_optional
from .context import LintContext


def tier_bodies(context: LintContext) -> Iterator[tuple[ast.Decision | ast.LetDecl, ast.TiersBody]]:
    for definition in context.definitions():
        if isinstance(definition.body, ast.TiersBody):
            yield definition, definition.body


def match_bodies(context: LintContext) -> Iterator[tuple[ast.Decision | ast.LetDecl, ast.MatchBody]]:
    for definition in context.definitions():
        if isinstance(definition.body, ast.MatchBody):
            yield definition, definition.body


def is_integral(type_: Type | None) -> bool:
    return isinstance(strip_optional(type_), (IntT, DurationT)) if type_ is not None else False


def show_value(value: object, type_: Type | None) -> str:
    """A number as the policy would write it: `14 days`, `USD 50,000`, `20%`."""
    if isinstance(value, Decimal):
        value = int(value) if value == value.to_integral_value() else value.normalize()
    inner = strip_optional(type_) if type_ is not None else None
    if isinstance(inner, DurationT):
        unit = inner.unit
        clock = "business " if inner.clock == "business" else ""
        return f"{value} {clock}{unit}"
    if isinstance(inner, MoneyT):
        return f"{inner.currency or ''} {value}".strip()
    if isinstance(inner, PercentT):
        return f"{value}%"
    return str(value)
