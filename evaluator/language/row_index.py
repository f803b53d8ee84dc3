"""Match tables of many rows, asked in bulk what `overlap.py` and lint's containment answer for one pair:
which earlier row contains a row (so that it never applies in a `match first` table), and which pairs
of rows can match the same input (overlaps of a `unique` table).

Asked pair by pair, both cost O(n²) cell comparisons (a table of 2,000 literal rows took half a
minute to lint). Here each column files every row's cell once, by what it admits (anything; a
value or finite set, or all but one; an interval; something known only per request), in indexes:
rows by literal cell, by set member, by interval bounds. The rows whose cell contains (or overlaps)
a given cell in one column are then a union of a few index entries, held as a bitset (a Python int
with bit j for row j), and the rows that do so in every column are the AND of the columns' bitsets.
A literal table costs a dictionary lookup per cell; intervals a binary search and a prefix of
precomputed unions. The answers are those of the pairwise definitions, which the tests keep as the
oracle and compare on generated tables.
"""
from __future__ import annotations

from bisect import bisect_left, bisect_right
from decimal import Decimal
from typing import Callable, Iterator

from . import ast
from .overlap import Admits, Interval, cell_admits
from .tier_index import high_key, low_key

SetItems = Callable[[ast.Expr], "list[ast.Expr] | None"]
Key = tuple


def bits(rows: list[int] | range) -> int:
    """The bitset of some row numbers."""
    mask = 0
    for row in rows:
        mask |= 1 << row
    return mask


def lowest(mask: int) -> int:
    """The smallest row number in a non-empty bitset."""
    return (mask & -mask).bit_length() - 1


def members(mask: int) -> Iterator[int]:
    """The row numbers of a bitset, smallest first."""
    while mask:
        low = mask & -mask
        yield low.bit_length() - 1
        mask ^= low


class _Prefixes:
    """Rows sorted by a key, with the union of every prefix at hand: all rows whose key is at most (or, for
    `from_key`, at least) a given key, as a bitset, in a binary search and a few ORs."""

    STEP = 32  # unions are kept for every STEP-th prefix; the rest of a prefix is ORed row by row

    def __init__(self, keyed: list[tuple[Key, int]]):
        keyed.sort(key=lambda pair: pair[0])
        self.keys = [key for key, _ in keyed]
        self.rows = [row for _, row in keyed]
        self.unions = [0]
        mask = 0
        for index, row in enumerate(self.rows, 1):
            mask |= 1 << row
            if index % self.STEP == 0:
                self.unions.append(mask)
        self.all = mask

    def _prefix(self, count: int) -> int:
        block = count // self.STEP
        return self.unions[block] | bits(self.rows[block * self.STEP:count])

    def up_to(self, key: Key) -> int:
        """Rows whose key is ≤ key."""
        return self._prefix(bisect_right(self.keys, key))

    def from_key(self, key: Key) -> int:
        """Rows whose key is ≥ key."""
        return self.all & ~self._prefix(bisect_left(self.keys, key))


class _Column:
    """One column of a table: every row's cell filed by what it admits."""

    def __init__(self, cells: list[ast.Cell | None], set_items: SetItems):
        self.admits: list[Admits | None] = []
        self.by_cell: dict[ast.Cell, int] = {}  # rows by their cell (syntax trees compare without positions)
        self.short = 0  # rows with no cell in this column: zip() in the pairwise reading skips the column for them
        self.anything = self.known = self.odd = 0  # `any`; every row whose cell is understood; the rest (`!= x`)
        self.intervals: list[int] = []
        self.plain = self.negated = 0  # rows of finite sets, and of sets' complements (`not in`)
        self.plain_member: dict[object, int] = {}
        self.negated_member: dict[object, int] = {}
        self.plain_groups: dict[frozenset, int] = {}  # rows by their exact set, for "which sets lie within S"
        self.negated_groups: dict[frozenset, int] = {}
        self.numbers: list[tuple[Decimal, int]] = []  # the numbers of plain sets, with their rows
        for row, cell in enumerate(cells):
            if cell is None:
                self.short |= 1 << row
                self.admits.append(None)
                continue
            try:
                self.by_cell[cell] = self.by_cell.get(cell, 0) | 1 << row
            except TypeError:  # a cell whose tree holds something unhashable is only ever equal to itself
                pass
            admits = cell_admits(cell, set_items)
            self.admits.append(admits)
            if admits is not None:
                self._file(row, admits)
        self.intervals_by_low = _Prefixes([(low_key(self.admits[r].interval), r) for r in self.intervals])
        self.intervals_by_high = _Prefixes([(high_key(self.admits[r].interval), r) for r in self.intervals])
        self.interval_rows = bits(self.intervals)
        self.numbers.sort(key=lambda pair: pair[0])
        self.number_keys = [value for value, _ in self.numbers]
        self.empty_intervals = bits([r for r in self.intervals if self.admits[r].interval.is_empty(False)])

    def _file(self, row: int, admits: Admits) -> None:
        bit = 1 << row
        self.known |= bit
        if admits.anything:
            self.anything |= bit
        elif admits.interval is not None:
            self.intervals.append(row)
        elif admits.values is not None:
            if admits.negated:
                self.negated |= bit
                self.negated_groups[admits.values] = self.negated_groups.get(admits.values, 0) | bit
                for value in admits.values:
                    self.negated_member[value] = self.negated_member.get(value, 0) | bit
            else:
                self.plain |= bit
                self.plain_groups[admits.values] = self.plain_groups.get(admits.values, 0) | bit
                for value in admits.values:
                    self.plain_member[value] = self.plain_member.get(value, 0) | bit
                    if isinstance(value, Decimal):
                        self.numbers.append((value, row))
        else:
            self.odd |= bit

    # -- containment: the rows whose cell admits everything this row's cell admits
    def containing(self, row: int, cell: ast.Cell) -> int:
        found = self.short | self._same(cell)
        inner = self.admits[row]
        if inner is None:
            return found
        found |= self.anything
        if inner.anything:
            return found
        if inner.interval is not None:
            return found | self._intervals_containing(inner.interval)
        if inner.values is None:
            return found
        if inner.negated:  # only a complement of a subset contains a complement
            return found | self._groups_within(self.negated_groups, inner.values)
        values = inner.values
        with_all = self.plain
        for value in values:
            with_all &= self.plain_member.get(value, 0)
        disjoint = self.negated
        for value in values:
            disjoint &= ~self.negated_member.get(value, 0)
        found |= with_all | disjoint
        if all(isinstance(value, Decimal) for value in values):
            around = self.interval_rows
            for value in values:
                around &= self._intervals_containing(Interval(value, True, value, True))
            found |= around
        return found

    def _same(self, cell: ast.Cell) -> int:
        try:
            return self.by_cell.get(cell, 0)
        except TypeError:
            return 0

    def _intervals_containing(self, inner: Interval) -> int:
        if inner.is_empty(False):
            return self.interval_rows  # every interval contains the empty one
        return self.intervals_by_low.up_to(low_key(inner)) & self.intervals_by_high.from_key(high_key(inner))

    @staticmethod
    def _groups_within(groups: dict[frozenset, int], values: frozenset) -> int:
        found = 0
        for group, rows in groups.items():
            if group <= values:
                found |= rows
        return found

    # -- overlap: the rows whose cell admits some value this row's cell admits
    def overlapping(self, row: int) -> int:
        mine = self.admits[row]
        if mine is None:
            return self.short
        found = self.short | self.anything | self.odd
        if mine.anything or (mine.interval is None and mine.values is None):
            return self.short | self.known
        if mine.interval is not None:
            return found | self.negated | self._intervals_meeting(mine.interval) | self._numbers_in(mine.interval)
        values = mine.values
        if mine.negated:
            others = self.plain & ~self._groups_within(self.plain_groups, values)
            return found | self.negated | self.interval_rows | others
        sharing = 0
        for value in values:
            sharing |= self.plain_member.get(value, 0)
        holding_all = self.negated
        for value in values:
            holding_all &= self.negated_member.get(value, 0)
        around = 0
        for value in values:
            if isinstance(value, Decimal):
                around |= self._intervals_containing(Interval(value, True, value, True))
        return found | sharing | (self.negated & ~holding_all) | around

    def _intervals_meeting(self, mine: Interval) -> int:
        if mine.is_empty(False):
            return 0
        below = (3,) if mine.high is None else (1, mine.high, 0 if mine.high_closed else -1)
        above = (0,) if mine.low is None else (1, mine.low, 1 if mine.low_closed else 2)
        meeting = self.intervals_by_low.up_to(below) & self.intervals_by_high.from_key(above)
        return meeting & ~self.empty_intervals

    def _numbers_in(self, interval: Interval) -> int:
        keys = self.number_keys
        start = 0 if interval.low is None else (bisect_left(keys, interval.low) if interval.low_closed
                                                 else bisect_right(keys, interval.low))
        stop = len(keys) if interval.high is None else (bisect_right(keys, interval.high) if interval.high_closed
                                                         else bisect_left(keys, interval.high))
        return bits([row for _, row in self.numbers[start:stop]])


class RowIndex:
    """A table's rows, indexed column by column for containment and overlap."""

    def __init__(self, rows: tuple[ast.MatchRow, ...] | list[ast.MatchRow], set_items: SetItems):
        self.rows = rows
        width = max((len(row.cells) for row in rows), default=0)
        self.columns = [_Column([row.cells[c] if c < len(row.cells) else None for row in rows], set_items)
                        for c in range(width)]

    def first_containing(self, index: int) -> int | None:
        """The first earlier row that matches every input row `index` matches, or None."""
        found = (1 << index) - 1
        for column, cell in zip(self.columns, self.rows[index].cells):
            if not found:
                return None
            found &= column.containing(index, cell)
        return lowest(found) if found else None

    def overlapping_earlier(self, index: int) -> Iterator[int]:
        """The earlier rows that some input matches together with row `index`, in order."""
        found = (1 << index) - 1
        for column, _ in zip(self.columns, self.rows[index].cells):
            if not found:
                return
            found &= column.overlapping(index)
        yield from members(found)
