"""Value out of range: a rule gives a value outside the range its decision declares.

`decision fee_percent: percent 0%..100%` promises every result lies from 0% to 100%; a row that says
`150%` — a slip of the keyboard, or a misread clause — breaks that promise for every request the row
decides. The values checked are those written as literals in the decision's rules (its base value,
exceptions, tiers, rows and `otherwise`, through `if … then … else …` and `if absent`), and the ranges
are those the policy or the schema's `x-vilkar-decisions` declares. Both ends are included.

Fix: correct the value, or the declared range if the contract allows more.
"""
from __future__ import annotations

from decimal import Decimal
from typing import Iterator

from ...language import ast
from ...language.declared import leaves, outputs, schema_spec
from ...language.diagnostics import Diagnostic
from ...language.overlap import literal_value
from ...language.typing_rules import quantity_scale
from .context import LintContext
from .values import show_value

CODE = "VK210"
NAME = "value-out-of-range"
SEVERITY = "error"


def check(context: LintContext) -> Iterator[Diagnostic]:
    for definition in context.definitions():
        for index, name in enumerate(definition.names):
            spec = definition.types[index] if index < len(definition.types) else None
            if spec is None and isinstance(definition, ast.Decision) and definition.kind in context.schemas:
                spec = schema_spec(context.schemas[definition.kind], name)
            if spec is None or spec.low is None or spec.high is None:
                continue
            for output in outputs(definition.body, index):
                for leaf in leaves(output):
                    problem = _outside(leaf, spec)
                    if problem is not None:
                        yield Diagnostic(CODE, f"`{name}` is declared {_range(spec)}, but this gives {problem}",
                                         leaf.span, "correct the value, or widen the declared range", SEVERITY)


def _outside(leaf: ast.Expr, spec: ast.TypeSpec) -> str | None:
    if not isinstance(leaf, (ast.Number, ast.Percent, ast.Money, ast.Quantity)) \
            or not type(leaf) is type(spec.low) is type(spec.high):
        return None  # a computed value, or one the checker already rejects as of the wrong type
    if isinstance(leaf, ast.Quantity) and not _same_scale(leaf, spec):
        return None
    value, low, high = literal_value(leaf), literal_value(spec.low), literal_value(spec.high)
    if not all(isinstance(v, Decimal) for v in (value, low, high)):
        return None
    if low <= value <= high:
        return None
    return _written(leaf)


def _same_scale(leaf: ast.Quantity, spec: ast.TypeSpec) -> bool:
    return all(isinstance(end, ast.Quantity) and quantity_scale(end.unit) == quantity_scale(leaf.unit)
               for end in (spec.low, spec.high))


def _written(leaf: ast.Expr) -> str:
    return getattr(leaf, "text", "") or show_value(literal_value(leaf), None)


def _range(spec: ast.TypeSpec) -> str:
    return f"{spec.name} {_written(spec.low)}..{_written(spec.high)}"
