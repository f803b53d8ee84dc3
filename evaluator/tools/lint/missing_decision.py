"""Missing decision: a decision SPEC names for a request kind that no policy produces.

Each kind's schema lists the decisions services rely on (`x-vilkar-decisions`). A result without
one of them breaks those services, so a rule set that loses a decision — renamed, deleted, or never
written — must not merge.

Fix: write the decision (with its citation), or correct its name.
"""
from __future__ import annotations

from typing import Iterator

from ...language import ast
from ...language.diagnostics import Diagnostic, did_you_mean
from ...language.source import Span
from .context import LintContext

CODE = "VK208"
NAME = "missing-decision"
SEVERITY = "error"


def check(context: LintContext) -> Iterator[Diagnostic]:
    produced: dict[str, set[str]] = {}
    declared: dict[str, ast.KindDecl] = {}
    for item in context.items():
        if isinstance(item, ast.Decision) and item.kind is not None:
            produced.setdefault(item.kind, set()).update(item.names)
        if isinstance(item, ast.KindDecl):
            declared.setdefault(item.name, item)
    checked_kinds = set(declared) if context.modules else set()
    for kind, schema in sorted(context.schemas.items()):
        if kind not in checked_kinds:
            continue  # a rule set may decide only some kinds; kinds it never mentions are not its concern
        have = produced.get(kind, set())
        for name in schema.get("x-vilkar-decisions", []):
            if name not in have:
                span = declared[kind].span if kind in declared else Span(f"schemas/{kind}.schema.json", 1, 1, 1, 1)
                hint = did_you_mean(name, have) or f"add `decision {name}` with the clause it encodes"
                yield Diagnostic(CODE, f"kind `{kind}` does not decide `{name}`, which SPEC names", span, hint,
                                 "warning")
