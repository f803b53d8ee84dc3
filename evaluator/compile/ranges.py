"""Tiers and decision tables whose cells are all constant: the deciding row found in O(log n), not by a scan.

A column's cells (`>= 14`, `6..13`, `3`, `in s`, `not in {…}`, `any`) only change their answer at the values
they name, so those values cut the column's domain into pieces — each value itself and the open stretch
below it (and the one above the last) — on each of which every cell answers alike. The pieces are found at
load by asking each cell with Python's own operators (the chain of rows asks the same questions per
request), and at run time the subject's piece by one binary search (`runtime.piece`), or by one dictionary
lookup for a column of `==` and `in` cells only. With one column, the piece names its first row directly;
with several, each column's piece has the set of rows it admits as the bits of an int, and the first row is
the lowest bit of their intersection (where those bits would take too much memory, the column of most pieces
lists its rows per piece instead, tried in order against a byte per row of the other columns' pieces). The row's outputs are constants in a list, or, when they compute, a
binary tree of `if r < m:` over the row number (depth log2 n). Anything else (a cell that reads the
request, a product-name set, a set whose members do not order with the column) keeps the chain of rows.
"""
from __future__ import annotations

import ast as python_ast
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from ..language import ast
from ..language.types import DateT, DecimalT, DurationT, IntT, MoneyT, OptionalT, PercentT, SetT, TimestampT, Type, \
    strip_optional
from .constants import NOT_LITERAL
from .plan import NO_RULE

if TYPE_CHECKING:
    from .bodies import BodyCompiler, Definition

_ORDERED = (IntT, DecimalT, PercentT, MoneyT, DateT, TimestampT, DurationT)
_LEAF = 4  # rows tested one by one at the bottom of the output tree
SMALL = 8  # rows up to which the chain is quicker than a call that finds the piece
# A cell as data: ("any",) ("eq", v) ("cmp", op, v) ("range", low, high) ("in", members, negated)
Cell = tuple


def compile_ranges(bodies: BodyCompiler, decision: Definition, body: ast.TiersBody | ast.MatchBody,
                   targets: list[str], types: list[Type], trace: str) -> bool:
    """Emit the lookup for the body if every cell is constant; False (and nothing emitted) if not."""
    if isinstance(body, ast.TiersBody):
        subject_types = [bodies.types[id(body.subject)]]
        if isinstance(subject_types[0], OptionalT):
            return False  # the chain faults on an absent subject; keep that
        rows = [[_bound(bodies, row.bound)] for row in body.rows]
        subjects = [body.subject]
        outputs = [[row.value] for row in body.rows]
    else:
        subject_types = [bodies.types[id(subject)] for subject in body.subjects]
        rows = [[_cell(bodies, cell, strip_optional(t)) for cell, t in zip(row.cells, subject_types)]
                for row in body.rows]
        subjects = list(body.subjects)
        outputs = [list(row.outputs) for row in body.rows]
    if len(rows) <= SMALL or any(cell is None for row in rows for cell in row):
        return False
    columns = []
    for index, type_ in enumerate(subject_types):
        column = _column([row[index] for row in rows], strip_optional(type_), isinstance(type_, OptionalT))
        if column is None:
            return False
        columns.append(column)
    if len(columns) > 1 and not _fits(columns, len(rows)):
        return False
    _emit(bodies, decision, body, columns, subjects, outputs, targets, types, trace)
    return True


# ---------------------------------------------------------------- cells as values

def constant_value(bodies: BodyCompiler, expr: ast.Expr, type_: Type | None = None) -> Any:
    """The value an expression that reads nothing per request has in generated code, or NOT_LITERAL."""
    code = bodies.coerce(expr, type_) if type_ is not None else bodies.code(expr)
    constants = bodies.expressions.constants.values
    if code in constants:
        return constants[code]
    try:
        return python_ast.literal_eval(code)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return NOT_LITERAL


def _bound(bodies: BodyCompiler, bound: ast.Bound) -> Cell | None:
    if isinstance(bound, ast.CompareBound):
        return _checked(("cmp", bound.op, constant_value(bodies, bound.value)))
    if isinstance(bound, ast.RangeBound):
        return _checked(("range", constant_value(bodies, bound.low), constant_value(bodies, bound.high)))
    return _checked(("eq", constant_value(bodies, bound.value)))


def _cell(bodies: BodyCompiler, cell: ast.Cell, subject: Type) -> Cell | None:
    if isinstance(cell, ast.AnyCell):
        return ("any",)
    if isinstance(cell, ast.EqualCell):
        return _checked(("eq", constant_value(bodies, cell.value, subject)))
    if isinstance(cell, ast.CompareCell):
        return _checked(("cmp", cell.op, constant_value(bodies, cell.value)))
    if isinstance(cell, ast.RangeCell):
        return _checked(("range", constant_value(bodies, cell.low), constant_value(bodies, cell.high)))
    container = strip_optional(bodies.types[id(cell.value)])
    element = strip_optional(container.element) if isinstance(container, SetT) else None
    if not isinstance(container, SetT) or container.names or \
            (isinstance(element, DurationT) and element.clock is not None and isinstance(subject, DurationT)
             and subject.clock is None):
        return None  # product names match loosely, mixed clocks by their count: the chain knows how
    members = constant_value(bodies, cell.value)
    if not isinstance(members, frozenset):
        return None
    return ("in", members, cell.negated)


def _checked(cell: Cell) -> Cell | None:
    return None if any(part is NOT_LITERAL for part in cell) else cell


def _covers(cell: Cell, place: dict[Any, int], ordered: bool, pieces: int) -> list[tuple[int, int]]:
    """The pieces (first, last) where the cell holds; a piece at index p of `place` is the value at 2p+1 when
    ordered (2p the values below it), and p itself otherwise (then `pieces - 2` is absent, `pieces - 1` every
    value not named). The absent subject's piece, the last one when ordered, is never among these."""
    shape = cell[0]
    top = pieces - 2  # the last piece of present values (ordered: above the last cut; else: every other value)
    if shape == "any":
        return [(0, top)] if ordered else [(0, pieces - 3), (pieces - 1, pieces - 1)]
    if shape in ("eq", "in"):
        members = [cell[1]] if shape == "eq" else list(cell[1])
        points = sorted({2 * place[m] + 1 if ordered else place[m] for m in members})
        if shape == "eq" or not cell[2]:
            return [(p, p) for p in points]
        gaps, low = [], 0  # `not in`: everything else
        for point in points:
            if low <= point - 1:
                gaps.append((low, point - 1))
            low = point + 1
        last = top if ordered else pieces - 3
        if low <= last:
            gaps.append((low, last))
        return gaps if ordered else gaps + [(pieces - 1, pieces - 1)]
    if shape == "range":
        low, high = 2 * place[cell[1]] + 1, 2 * place[cell[2]] + 1
        return [(low, high)] if low <= high else []
    op, at = cell[1], 2 * place[cell[2]] + 1
    return {"<": [(0, at - 1)], "<=": [(0, at)], ">": [(at + 1, top)], ">=": [(at, top)], "==": [(at, at)],
            "!=": [(0, at - 1), (at + 1, top)]}[op]


def _holds_absent(cell: Cell) -> bool:
    """The cell's answer for an absent subject, as the chain asks it (`x is not None and …` for bounds)."""
    if cell[0] == "any":
        return True
    if cell[0] == "in":
        return (None in cell[1]) != cell[2]
    return False


# ---------------------------------------------------------------- columns

class Column:
    """How one column's subject finds its piece, and which pieces each row's cell admits."""

    def __init__(self, points: list[Any] | None, index: dict[Any, int] | None, pieces: int,
                 covers: list[list[tuple[int, int]]], whole: bool = False):
        self.points = points  # sorted cut values (binary search), or None
        self.index = index  # value → piece (dictionary lookup), or None
        self.pieces = pieces
        self.covers = covers  # per row, the (first, last) pieces its cell admits
        self.whole = whole  # whole-number cuts and a subject that is always a whole number

    def bounds(self) -> tuple[int, ...]:
        """For whole numbers, the cuts as `bisect_right` finds a piece in one call: each cut c stands for
        the pieces below c and at c, c + 1 for the piece at c and above it; so the count of bounds at or
        below a value is its piece, the same number `runtime.piece` gives (never the empty piece between
        neighbouring cuts, which no whole number falls in)."""
        return tuple(bound for point in self.points for bound in (point, point + 1))


def _column(cells: list[Cell], subject: Type, optional: bool) -> Column | None:
    values: list[Any] = []
    ordered = False
    for cell in cells:
        if cell[0] == "eq":
            values.append(cell[1])
        elif cell[0] == "in":
            values.extend(cell[1])
        elif cell[0] in ("cmp", "range"):
            ordered = True
            values.extend(cell[1:] if cell[0] == "range" else cell[2:])
    if None in values:
        return None  # `nothing` as a cell: rare, and the chain says what it means
    try:
        if ordered:
            if not isinstance(subject, _ORDERED):
                return None
            points = sorted(set(values))
            if any(not (a < b) for a, b in zip(points, points[1:])):
                return None  # values equal but held differently (1 and 1.0): let the chain decide
        else:
            points = list(dict.fromkeys(values))  # a value that cannot be a dictionary key raises TypeError
    except TypeError:
        return None
    place = {value: position for position, value in enumerate(points)}
    pieces = 2 * len(points) + 2 if ordered else len(points) + 2
    covers = []
    for cell in cells:
        cover = [(low, high) for low, high in _covers(cell, place, ordered, pieces) if low <= high]
        if _holds_absent(cell):
            cover.append((pieces - 1 if ordered else pieces - 2,) * 2)
        covers.append(cover)
    if ordered:
        whole = isinstance(subject, IntT) and not optional and all(type(point) is int for point in points)
        return Column(points, None, pieces, covers, whole)
    index = dict(place)
    if optional:
        index[None] = pieces - 2
    return Column(None, index, pieces, covers)


def _first_rows(column: Column, none: int) -> tuple[int, ...]:
    """Per piece, the first row whose cell admits it (`none` if no row does): each piece is settled once."""
    first = [none] * column.pieces
    following = list(range(column.pieces + 1))  # the first unsettled piece at or after each one

    def unsettled(piece: int) -> int:
        root = piece
        while following[root] != root:
            root = following[root]
        while following[piece] != root:
            following[piece], piece = root, following[piece]
        return root

    for row, cover in enumerate(column.covers):
        for low, high in cover:
            piece = unsettled(low)
            while piece <= high:
                first[piece] = row
                following[piece] = piece + 1
                piece = unsettled(piece + 1)
    return tuple(first)


def _row_masks(column: Column) -> tuple[int, ...]:
    """Per piece, the rows whose cell admits it, as the bits of an int."""
    starting = [0] * (column.pieces + 1)
    ending = [0] * (column.pieces + 1)
    for row, cover in enumerate(column.covers):
        for low, high in cover:
            starting[low] |= 1 << row
            ending[high + 1] |= 1 << row
    masks, current = [], 0
    for piece in range(column.pieces):
        current = (current & ~ending[piece]) | starting[piece]  # a row's pieces may end and start again here
        masks.append(current)
    return tuple(masks)


MASK_BITS = 1 << 24  # rows × pieces held as bits, for a table of several columns
CANDIDATES = 1 << 22  # (piece, row) pairs of the column with most pieces, when its bits would be too many


def _fits(columns: list[Column], rows: int) -> bool:
    """Whether a table of several columns can be looked up in the memory allowed; else it keeps its chain."""
    primary = _primary(columns)
    others = sum(column.pieces for column in columns if column is not primary)
    if use_bits(columns, rows):
        return True
    pairs = sum(high - low + 1 for cover in primary.covers for low, high in cover)
    return others * rows <= MASK_BITS // 8 and pairs <= CANDIDATES


def use_bits(columns: list[Column], rows: int) -> bool:
    """Whether every column's pieces hold their rows as bits (else the column of most pieces lists them)."""
    return sum(column.pieces for column in columns) * rows <= MASK_BITS


def _primary(columns: list[Column]) -> Column:
    return max(columns, key=lambda column: column.pieces)


def _row_flags(column: Column, rows: int) -> tuple[bytes, ...]:
    """Per piece, a byte per row: 1 where the row's cell admits the piece (one index to test a row)."""
    flags = [bytearray(rows) for _ in range(column.pieces)]
    for row, cover in enumerate(column.covers):
        for low, high in cover:
            for piece in range(low, high + 1):
                flags[piece][row] = 1
    return tuple(bytes(piece) for piece in flags)


def _candidates(column: Column) -> tuple[tuple[int, ...], ...]:
    """Per piece, the rows whose cell admits it, in order."""
    found: list[list[int]] = [[] for _ in range(column.pieces)]
    for row, cover in enumerate(column.covers):
        for low, high in cover:
            for piece in range(low, high + 1):
                found[piece].append(row)
    return tuple(tuple(rows) for rows in found)


# ---------------------------------------------------------------- code

def _emit(bodies: BodyCompiler, decision: Definition, body: Any, columns: list[Column], subjects: list[ast.Expr],
          outputs: list[list[ast.Expr]], targets: list[str], types: list[Type], trace: str) -> None:
    """The row number (len(rows) where none applies) from the subjects' pieces, then the row's outputs."""
    emit = bodies.emitter.emit
    constants = bodies.expressions.constants
    count = len(outputs)
    pieces = []
    for column, subject in zip(columns, subjects):
        name = bodies.bound(subject)
        if column.points is not None and column.whole:  # one C call, not runtime.piece's Python frame
            pieces.append(f"_bisect_right({constants.name(column.bounds(), 'bounds')}, {name})")
        elif column.points is not None:
            pieces.append(f"_piece({constants.name(tuple(column.points), 'cuts')}, {name})")
        else:
            pieces.append(f"{constants.name(column.index, 'pieces')}.get({name}, {column.pieces - 1})")
    row = bodies.names.new("temp", "row")
    constant_outputs = _constant_outputs(bodies, outputs, body.otherwise, types)
    if len(columns) == 1:
        first = _first_rows(columns[0], count)
        found = f"{constants.name(first, 'table')}[{pieces[0]}]" if constant_outputs is None else ""
    elif use_bits(columns, count):
        masks = [_row_masks(column) for column in columns]
        found = "_first_row(" + " & ".join(f"{constants.name(mask, 'rows')}[{piece}]"
                                           for mask, piece in zip(masks, pieces)) + f", {count})"
    else:  # the rows the column of most pieces admits, in order, tested against the others' flags
        primary = _primary(columns)
        others = "".join(f"{constants.name(_row_flags(column, count), 'flags')}[{piece}], "
                         for column, piece in zip(columns, pieces) if column is not primary)
        candidates = constants.name(_candidates(primary), "candidates")
        found = f"_first_candidate({candidates}[{pieces[columns.index(primary)]}], ({others}), {count})"
    if constant_outputs is not None:
        results = tuple((*values, r) for r, values in enumerate(constant_outputs[:count]))
        miss = (*constant_outputs[count], count) if body.otherwise is not None else \
            (*(None for _ in targets), NO_RULE)
        by_row = results + (miss,)
        if len(columns) == 1:  # piece → row → outputs, composed at load
            table = constants.name(tuple(by_row[r] for r in first), "table")
            found = f"{pieces[0]}"
        else:
            table = constants.name(by_row, "table")
        emit(f"{', '.join(targets)}, {trace} = {table}[{found}]")
        return
    emit(f"{row} = {found}")
    _output_tree(bodies, decision, body, outputs, targets, types, trace, row)


def _constant_outputs(bodies: BodyCompiler, outputs: list[list[ast.Expr]], otherwise: ast.OtherwiseRow | None,
                      types: list[Type]) -> list[tuple] | None:
    """Each row's outputs (then the `otherwise` row's) as values, if every one is a constant; else None."""
    rows = outputs + ([list(otherwise.outputs)] if otherwise is not None else [])
    found = []
    for row in rows:
        values = tuple(constant_value(bodies, output, type_) for output, type_ in zip(row, types))
        if NOT_LITERAL in values or any(isinstance(v, (list, dict, set)) for v in values):
            return None
        found.append(values)
    return found


def _output_tree(bodies: BodyCompiler, decision: Definition, body: Any, outputs: list[list[ast.Expr]],
                 targets: list[str], types: list[Type], trace: str, row: str) -> None:
    """`if row < m:` halving the rows down to a few, each assigning its outputs: depth log2 of the rows."""
    count = len(outputs)
    leaves: list[tuple[Any, list[ast.Expr] | None, int]] = [(node, outputs[r], r) for r, node in enumerate(body.rows)]
    if body.otherwise is not None:
        leaves.append((body.otherwise, list(body.otherwise.outputs), count))
    else:
        leaves.append((None, None, NO_RULE))
    emit = bodies.emitter.emit

    def assign(position: int, depth: int) -> None:
        node, values, number = leaves[position]
        if node is not None:
            bodies.origin(node, decision)
        for target, type_, value in zip(targets, types, values or [None] * len(targets)):
            emit(f"{target} = {bodies.coerce(value, type_) if value is not None else 'None'}", depth)
        emit(f"{trace} = {number}", depth)

    def tree(low: int, high: int, depth: int) -> None:  # rows low..high-1, by position (the miss is last)
        if high - low == 1:
            assign(low, depth)
        elif high - low <= _LEAF:
            for position in range(low, high):
                last = position == high - 1
                emit("else:" if last else f"{'if' if position == low else 'elif'} {row} == {position}:", depth)
                assign(position, depth + 1)
        else:
            middle = (low + high) // 2
            emit(f"if {row} < {middle}:", depth)
            tree(low, middle, depth + 1)
            emit("else:", depth)
            tree(middle, high, depth + 1)

    tree(0, len(leaves), 1)
