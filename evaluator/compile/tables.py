"""Tables and tiers whose rows are all literal become a lookup instead of a scan of their rows."""
from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from ..language import ast
from ..language.types import DurationT, Type, strip_optional
from .constants import NOT_LITERAL, literal_value
from .plan import NO_RULE
from .ranges import compile_ranges

if TYPE_CHECKING:
    from .bodies import BodyCompiler, Definition


def compile_lookup(bodies: BodyCompiler, decision: Definition, body: ast.TiersBody | ast.MatchBody,
                   targets: list[str], types: list[Type], trace: str) -> bool:
    """Emit a lookup for the body if its rows allow one; False (and nothing emitted) if they do not."""
    if isinstance(body, ast.MatchBody) and _literal_table(bodies, body, targets, types, trace):
        return True
    return compile_ranges(bodies, decision, body, targets, types, trace)


def _literal_table(bodies: BodyCompiler, body: ast.MatchBody, targets: list[str], types: list[Type],
                   trace: str) -> bool:
    """A table of literal cells and literal outputs: one dictionary lookup."""
    subject_types = [strip_optional(bodies.types[id(subject)]) for subject in body.subjects]
    keys, values = [], []
    for row in body.rows:
        cells = [_key(cell, type_) for cell, type_ in zip(row.cells, subject_types)]
        outputs = [bodies.constant_output(output, type_) for output, type_ in zip(row.outputs, types)]
        if NOT_LITERAL in cells or NOT_LITERAL in outputs or any(isinstance(c, Decimal) for c in cells):
            return False
        keys.append(tuple(cells) if len(cells) > 1 else cells[0])
        values.append(tuple(outputs))
    if body.otherwise is not None:
        missing = [bodies.constant_output(output, type_) for output, type_ in zip(body.otherwise.outputs, types)]
        if NOT_LITERAL in missing:
            return False
        miss = (*missing, len(body.rows))
    else:
        miss = (*(None for _ in targets), NO_RULE)
    lookup: dict[Any, tuple] = {}
    for index, (key, value) in enumerate(zip(keys, values)):
        lookup.setdefault(key, (*value, index))  # the first matching row decides
    subjects = [bodies.bound(subject) for subject in body.subjects]
    key = "(" + ", ".join(subjects) + ",)" if len(subjects) > 1 else subjects[0]
    constants = bodies.expressions.constants
    bodies.emitter.emit(f"{', '.join(targets)}, {trace} = {constants.name(lookup, 'table')}.get({key}, "
                        f"{constants.name(miss)})")
    return True


def _key(cell: ast.Cell, subject: Type) -> Any:
    """The value a literal `==` cell matches, as the subject holds it; NOT_LITERAL for any other cell."""
    if not isinstance(cell, ast.EqualCell):
        return NOT_LITERAL
    value = literal_value(cell.value)
    if isinstance(subject, DurationT) and subject.clock is None and isinstance(cell.value, ast.Quantity):
        return (cell.value.clock, value)
    return value
