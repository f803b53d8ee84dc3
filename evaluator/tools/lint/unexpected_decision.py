"""Unexpected decision: a decision that the kind's list of decisions does not name.

Results carry exactly the decisions of the kind's public contract (`x-vilkar-decisions` in its
schema). A value needed only to reach them belongs in a `let`, which is traced and explained but
not reported; a genuinely new decision belongs in the schema's list first.

Fix: turn it into a `let`, or add it to the kind's `x-vilkar-decisions`.
"""
from __future__ import annotations

from typing import Iterator

from ...language import ast
from ...language.declared import names
from ...language.diagnostics import Diagnostic
from .context import LintContext

CODE = "VK209"
NAME = "unexpected-decision"
SEVERITY = "warning"


def check(context: LintContext) -> Iterator[Diagnostic]:
    for item in context.items():
        if not isinstance(item, ast.Decision) or item.kind not in context.schemas:
            continue
        if "x-vilkar-decisions" not in context.schemas[item.kind]:
            continue
        listed = names(context.schemas[item.kind])
        for name in item.names:
            if name not in listed:
                yield Diagnostic(CODE, f"`{name}` is not among the decisions of kind `{item.kind}`", item.span,
                                 "make it a `let`, or add it to the kind's x-vilkar-decisions", SEVERITY)
