"""Overlapping exceptions: two exceptions of one rule that can both apply, with no order stated.

Where the conditions of two `except when` rows can hold for the same request, the one listed first
decides, and a reader may not see that the order matters (the contract's "har forrang" is about the
base rule, not about the exceptions among themselves). The finding names an input both hold for.

Fix: when the order is intended, write `except first when` on the first exception: the first listed
that applies wins. Otherwise make the conditions exclusive, or split the rule.
"""
from __future__ import annotations

from typing import Iterator

from ...language import ast
from ...language.diagnostics import Diagnostic
from .exclusive import witness
from .context import LintContext

CODE = "VK240"
NAME = "overlapping-exceptions"
SEVERITY = "warning"


def check(context: LintContext) -> Iterator[Diagnostic]:
    checked = context.checked
    for definition in context.definitions():
        body = definition.body
        if not isinstance(body, ast.RuleBody) or len(body.exceptions) < 2 or body.ordered:
            continue
        for index, exception in enumerate(body.exceptions):
            for earlier in body.exceptions[:index]:
                both = witness(earlier.condition, exception.condition, lambda e: checked.types.get(id(e)),
                               checked.set_items)
                if both is not None:
                    when = f" (for example when {', '.join(both)})" if both else ""
                    yield Diagnostic(CODE, f"this exception and the one on line {earlier.span.line} can both "
                                     f"apply{when}; the first listed wins", exception.span,
                                     "write `except first when` on the first exception if the order is meant, "
                                     "or make the conditions exclusive", "warning")
                    break
