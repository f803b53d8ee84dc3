"""Output typo: a text a decision gives once that is a small edit from another text it gives.

A decision that gives texts (`"rapid_response"`, `"business_hours"`) is an enum in all but name;
results and services compare those texts exactly, so `"rapid_respons"` in one row is a different
value that nothing expects. Where a decision declares its values (`one of {...}`) or its schema lists
them, the checker reports a text outside them (VK120); for the others, a text given by one rule only
that is at most two letters from a text other rules give is reported here.

Fix: write the text the other rules give, or declare the decision's values with `one of {...}`.
"""
from __future__ import annotations

from collections import Counter
from typing import Iterator

from ...language import ast
from ...language.declared import leaves, outputs
from ...language.diagnostics import Diagnostic
from .context import LintContext
from .near_texts import near_pairs

CODE = "VK216"
NAME = "output-typo"
SEVERITY = "warning"


def check(context: LintContext) -> Iterator[Diagnostic]:
    for definition in context.definitions():
        for index, name in enumerate(definition.names):
            if index < len(definition.types) and definition.types[index] is not None:
                continue  # declared: the checker holds it to its values
            texts = [leaf for output in outputs(definition.body, index) for leaf in leaves(output)
                     if isinstance(leaf, ast.String)]
            counts = Counter(text.value for text in texts)
            once = {value for value, count in counts.items() if count == 1 and len(value) >= 4}
            nearest = _nearest(list(counts), once)
            for text in texts:
                if text.value in nearest:
                    near = nearest[text.value]
                    yield Diagnostic(CODE, f'`{name}` gives "{text.value}" only here, a small edit from "{near}" '
                                     "that it gives elsewhere: a typo?", text.span,
                                     f'write "{near}", or declare the values: `{name}: one of {{...}}`', SEVERITY)


def _nearest(values: list[str], asked: set[str]) -> dict[str, str]:
    """For each asked value, the first of `values` (in their order) at most two edits from it, if any."""
    first: dict[int, int] = {}
    for left, right in near_pairs(values, lambda i, j: values[i] not in asked and values[j] not in asked):
        for mine, other in ((left, right), (right, left)):
            if values[mine] in asked and other < first.get(mine, len(values)):
                first[mine] = other
    return {values[mine]: values[other] for mine, other in first.items()}
