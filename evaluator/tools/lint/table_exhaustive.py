"""Table not exhaustive: a `match` table without `otherwise` that no row decides for some input.

When every column of a table is an enum (a request field with listed values, or a decision declared
`one of {...}`) or a yes/no value, the inputs the table can meet are known: every combination of
the columns' values. A combination that no row matches leaves the decision with nothing — usually an
`otherwise` that was removed, or a value the table forgot. The finding names such a combination.
Tables whose decisions are declared `… or nothing` mean to decide nothing sometimes and are not
reported; neither are tables with a column of numbers, texts or dates, whose inputs are not listed.

Fix: add a row for the combination, or an `otherwise` row.
"""
from __future__ import annotations

import itertools
from typing import Iterator

from ...language import ast
from ...language.diagnostics import Diagnostic
from ...language.types import BoolT, EnumT, Type
from .context import LintContext
from .values import match_bodies

CODE = "VK213"
NAME = "table-not-exhaustive"
SEVERITY = "error"
LIMIT = 4096  # combinations; a larger table is not enumerated
UNKNOWN = object()


def check(context: LintContext) -> Iterator[Diagnostic]:
    checked = context.checked
    for definition, body in match_bodies(context):
        if body.otherwise is not None or _may_be_nothing(definition):
            continue
        domains = [_domain(checked.types.get(id(subject))) for subject in body.subjects]
        if any(domain is None for domain in domains) or _size(domains) > LIMIT:
            continue
        missing = [combination for combination in itertools.product(*domains)
                   if not any(_row_matches(row, combination, checked.set_items) for row in body.rows)]
        if missing:
            shown = _combination(body, missing[0])
            more = f" (and {len(missing) - 1} more)" if len(missing) > 1 else ""
            yield Diagnostic(CODE, f"no row matches {shown}{more}, so `{', '.join(definition.names)}` is nothing "
                             "for it", body.span, "add a row for it, or an `otherwise -> …` row", SEVERITY)


def _may_be_nothing(definition: ast.Decision | ast.LetDecl) -> bool:
    return bool(definition.types) and all(spec is not None and spec.optional for spec in definition.types)


def _domain(type_: Type | None) -> list | None:
    if isinstance(type_, EnumT):
        return sorted(type_.values)
    if isinstance(type_, BoolT):
        return [True, False]
    return None  # numbers, texts, dates, or a value that may be absent: the inputs are not listed


def _size(domains: list) -> int:
    size = 1
    for domain in domains:
        size *= len(domain)
    return size


def _row_matches(row: ast.MatchRow, combination: tuple, set_items) -> bool:
    for cell, value in zip(row.cells, combination):
        matched = _cell_matches(cell, value, set_items)
        if matched is False:
            return False
    return True  # a cell that cannot be judged here counts as matching: nothing is reported on a guess


def _cell_matches(cell: ast.Cell, value: object, set_items) -> bool | object:
    if isinstance(cell, ast.AnyCell):
        return True
    if isinstance(cell, ast.EqualCell) and isinstance(cell.value, (ast.String, ast.Boolean)):
        return cell.value.value == value
    if isinstance(cell, ast.InCell):
        items = set_items(cell.value)
        if items is not None and all(isinstance(item, (ast.String, ast.Boolean)) for item in items):
            return (value in {item.value for item in items}) != cell.negated
    return UNKNOWN


def _combination(body: ast.MatchBody, combination: tuple) -> str:
    from ...tools.fmt import expr
    parts = []
    for subject, value in zip(body.subjects, combination):
        shown = ("true" if value else "false") if isinstance(value, bool) else f'"{value}"'
        parts.append(f"{expr(subject)} = {shown}")
    return ", ".join(parts)
