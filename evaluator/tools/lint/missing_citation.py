"""Missing citation: a rule, row, tier or exception that does not say which clause it encodes.

Every value vilkar decides is traced to the clause behind it, so ops can check it against the
contract. A decision, a table or tier row, an exception, a requirement, a calendar and any `let`
written as a table, tiers or exceptions must carry `cites "..."`. A `let` that only names an
expression (`let holds_uer = "uer" in request.offerings`) is a definition, not a clause, and needs
none.

Fix: add `cites "<section> – <heading>"` naming the clause, e.g.
`cites "2.6 Yderligere vilkår og betingelser – Annulleringspolitik"`.
"""
from __future__ import annotations

from typing import Iterator

from ...language import ast
from ...language.diagnostics import Diagnostic
from .context import LintContext

CODE = "VK204"
NAME = "missing-citation"
SEVERITY = "warning"
_HINT = 'add `cites "<section> – <heading>"`, e.g. `cites "2.6 Yderligere vilkår og betingelser – Annulleringspolitik"`'


def check(context: LintContext) -> Iterator[Diagnostic]:
    for item in context.items():
        if isinstance(item, ast.Decision) and item.citation is None:
            yield _missing(f"decision `{', '.join(item.names)}`", item.span)
        if isinstance(item, ast.LetDecl) and item.citation is None and _is_clause(item.body):
            yield _missing(f"`let {', '.join(item.names)}`", item.span)
        if isinstance(item, (ast.Requirement, ast.CalendarDecl)) and item.citation is None:
            yield _missing("this requirement" if isinstance(item, ast.Requirement) else f"calendar `{item.name}`",
                           item.span)
        if isinstance(item, (ast.Decision, ast.LetDecl)):
            yield from _rows(item.body)


def _is_clause(body: ast.Body) -> bool:
    return not isinstance(body, ast.RuleBody) or bool(body.exceptions)


def _rows(body: ast.Body) -> Iterator[Diagnostic]:
    rows: list = []
    if isinstance(body, ast.RuleBody):
        rows = list(body.exceptions)
    elif isinstance(body, (ast.TiersBody, ast.MatchBody)):
        rows = list(body.rows) + ([body.otherwise] if body.otherwise is not None else [])
    for row in rows:
        if row.citation is None:
            what = {ast.Exception_: "exception", ast.TierRow: "tier", ast.MatchRow: "table row",
                    ast.OtherwiseRow: "`otherwise` row"}[type(row)]
            yield _missing(f"this {what}", row.span)


def _missing(what: str, span) -> Diagnostic:
    return Diagnostic(CODE, f"{what} cites no clause", span, _HINT, SEVERITY)
