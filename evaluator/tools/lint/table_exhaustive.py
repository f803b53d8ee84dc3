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


def check(context: LintContext) -> Iterator[Diagnostic]:
    checked = context.checked
    for definition, body in match_bodies(context):
        if body.otherwise is not None or _may_be_nothing(definition):
            continue
        domains = [_domain(checked.types.get(id(subject))) for subject in body.subjects]
        if any(domain is None for domain in domains) or _size(domains) > LIMIT:
            continue
        missing = _unmatched(body.rows, domains, checked.set_items)
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


def _unmatched(rows: tuple[ast.MatchRow, ...], domains: list[list], set_items) -> list[tuple]:
    """The combinations no row matches, in the order of `itertools.product`.

    Each column gives, per value, the rows that match it as a bitset (bit r for row r), filed from
    each row's cell once; a combination is matched when the AND of its values' bitsets is not empty.
    Trying every row for every combination would cost rows × combinations (a 4,096-row table: 12 s)."""
    columns = [_matching_rows(rows, column, domain, set_items) for column, domain in enumerate(domains)]
    missing: list[tuple] = []

    def visit(column: int, rows_left: int, chosen: tuple) -> None:
        if column == len(columns):
            if not rows_left:
                missing.append(chosen)
            return
        for value, matching in zip(domains[column], columns[column]):
            visit(column + 1, rows_left & matching, chosen + (value,))

    visit(0, (1 << len(rows)) - 1, ())
    return missing


def _matching_rows(rows: tuple[ast.MatchRow, ...], column: int, domain: list, set_items) -> list[int]:
    """For each value of a column's domain, the rows whose cell there matches it (or cannot be judged)."""
    always = listed_out = 0  # rows matching every value; rows of `not in {...}`
    listed: dict[object, int] = {}
    excluded: dict[object, int] = {}
    for index, row in enumerate(rows):
        bit = 1 << index
        if column >= len(row.cells):
            always |= bit  # zip() stops at the row's last cell: the column does not constrain it
            continue
        cell = row.cells[column]
        if isinstance(cell, ast.EqualCell) and isinstance(cell.value, (ast.String, ast.Boolean)):
            listed[cell.value.value] = listed.get(cell.value.value, 0) | bit
            continue
        items = set_items(cell.value) if isinstance(cell, ast.InCell) else None
        if items is not None and all(isinstance(item, (ast.String, ast.Boolean)) for item in items):
            values = {item.value for item in items}
            if cell.negated:
                listed_out |= bit
            for value in values:
                target = excluded if cell.negated else listed
                target[value] = target.get(value, 0) | bit
            continue
        always |= bit  # `any`, or a cell judged only per request: counted as matching: nothing is reported on a guess
    return [always | listed.get(value, 0) | (listed_out & ~excluded.get(value, 0)) for value in domain]


def _combination(body: ast.MatchBody, combination: tuple) -> str:
    from ...tools.fmt import expr
    parts = []
    for subject, value in zip(body.subjects, combination):
        shown = ("true" if value else "false") if isinstance(value, bool) else f'"{value}"'
        parts.append(f"{expr(subject)} = {shown}")
    return ", ".join(parts)
