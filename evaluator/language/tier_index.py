"""Tiers of many rows, asked in bulk what `overlap.py` answers for one pair: which earlier tier overlaps a
tier, and which tiers the earlier ones cover entirely.

Asked row by row against every earlier row, both cost O(n²) (a table of 10,000 tiers took minutes).
Here an earlier overlapping tier is found by a sweep over the tiers' lower bounds with a segment tree
of upper bounds, and coverage by keeping the union of earlier tiers as sorted disjoint segments: both
O(n log n). The answers are those of the pairwise definitions (the tests compare them on generated
tiers); where a whole-number subject has tiers with fractional bounds, whose pairwise reading has
quirks of its own, `covered_by_earlier` declines and the caller asks pair by pair.
"""
from __future__ import annotations

from bisect import bisect_left, bisect_right
from .overlap import Interval

Key = tuple


def low_key(interval: Interval) -> Key:
    """Lower bounds in the order of how much they admit: unbounded, then by value, closed before open."""
    if interval.low is None:
        return (0,)
    return (1, interval.low, 0 if interval.low_closed else 1)


def high_key(interval: Interval) -> Key:
    """Upper bounds in the order of how much they admit: by value, open before closed, then unbounded."""
    if interval.high is None:
        return (2,)
    return (1, interval.high, 1 if interval.high_closed else 0)


def first_overlaps(intervals: list[Interval | None], integral: bool) -> list[int | None]:
    """For each tier, the first earlier tier holding for a value it holds for too, or None.

    The same as trying every earlier tier in order: `not mine.intersect(theirs).is_empty(integral)`."""
    count = len(intervals)
    found: list[int | None] = [None] * count
    usable = [i for i, interval in enumerate(intervals) if interval is not None and not interval.is_empty(False)]
    if len(usable) < 2:
        return found
    # an earlier tier j can overlap tier i only if low_j ≤ high_i and high_j ≥ low_i (as real numbers):
    # tiers enter a tree of upper bounds in the order of their lower bounds, as the queries' upper bounds rise
    by_low = sorted(usable, key=lambda j: low_key(intervals[j]))
    lows = [low_key(intervals[j]) for j in by_low]
    queries = sorted(usable, key=lambda i: _below_or_at(intervals[i]))
    tree = _MaxTree(count)
    entered = 0
    for i in queries:
        mine = intervals[i]
        limit = bisect_right(lows, _below_or_at(mine))
        while entered < limit:
            j = by_low[entered]
            tree.set(j, high_key(intervals[j]))
            entered += 1
        start, threshold = 0, _at_or_above(mine)
        while True:
            j = tree.first_at_least(threshold, start, i)
            if j is None:
                break
            if not mine.intersect(intervals[j]).is_empty(integral):  # for whole numbers, a real overlap may hold none
                found[i] = j
                break
            start = j + 1
    return found


def _below_or_at(interval: Interval) -> Key:
    """The largest lower-bound key that admits a value this interval holds at its top."""
    if interval.high is None:
        return (3,)
    return (1, interval.high, 0 if interval.high_closed else -1)


def _at_or_above(interval: Interval) -> Key:
    """The smallest upper-bound key that admits a value this interval holds at its bottom."""
    if interval.low is None:
        return (0,)
    return (1, interval.low, 1 if interval.low_closed else 2)


class _MaxTree:
    """Positions 0..n-1 holding keys (or nothing); the first position in a range whose key is at least some key."""

    def __init__(self, size: int):
        self.size = 1
        while self.size < size:
            self.size *= 2
        self.best: list[Key | None] = [None] * (2 * self.size)

    def set(self, position: int, key: Key) -> None:
        node = position + self.size
        self.best[node] = key
        node //= 2
        while node:
            left, right = self.best[2 * node], self.best[2 * node + 1]
            self.best[node] = left if right is None or (left is not None and left >= right) else right
            node //= 2

    def first_at_least(self, key: Key, start: int, stop: int) -> int | None:
        """The first position p with start ≤ p < stop whose key is ≥ `key`."""
        return self._first(1, 0, self.size, key, start, stop)

    def _first(self, node: int, low: int, high: int, key: Key, start: int, stop: int) -> int | None:
        best = self.best[node]
        if high <= start or low >= stop or best is None or best < key:
            return None
        if high - low == 1:
            return low
        middle = (low + high) // 2
        found = self._first(2 * node, low, middle, key, start, stop)
        return found if found is not None else self._first(2 * node + 1, middle, high, key, start, stop)


def covered_by_earlier(intervals: list[Interval | None], integral: bool) -> list[bool] | None:
    """For each tier, whether the earlier tiers hold for every value it holds for (a tier that never applies).

    As the pairwise reading says: only while every tier so far has known bounds, never the first, and an
    empty tier always. None when a whole-number subject has a fractional bound: ask pair by pair then."""
    if integral and any(_fractional(interval) for interval in intervals if interval is not None):
        return None
    covered = [False] * len(intervals)
    union = _Union(integral)
    for index, interval in enumerate(intervals):
        if interval is None:
            break
        if index and union.covers(interval):
            covered[index] = True
        union.add(interval)
    return covered


def _fractional(interval: Interval) -> bool:
    return any(bound is not None and bound != bound.to_integral_value() for bound in (interval.low, interval.high))


class _Union:
    """The union of intervals as sorted, disjoint segments (for whole numbers: of the whole numbers they hold)."""

    def __init__(self, integral: bool):
        self.integral = integral
        self.lows: list[Key] = []
        self.segments: list[Interval] = []

    def _normal(self, interval: Interval) -> Interval | None:
        """The interval as it is counted: None when it holds nothing; for whole numbers, closed at whole ends."""
        if self.integral:
            low = interval.low if interval.low is None or interval.low_closed else interval.low + 1
            high = interval.high if interval.high is None or interval.high_closed else interval.high - 1
            if low is not None and high is not None and low > high:
                return None
            return Interval(low, low is not None, high, high is not None)
        return None if interval.is_empty(False) else interval

    def covers(self, interval: Interval) -> bool:
        normal = self._normal(interval)
        if normal is None:
            return True  # a tier that holds for nothing never applies
        at = bisect_right(self.lows, low_key(normal)) - 1
        return at >= 0 and high_key(self.segments[at]) >= high_key(normal)

    def add(self, interval: Interval) -> None:
        normal = self._normal(interval)
        if normal is None:
            return
        start = bisect_left(self.lows, low_key(normal))
        if start > 0 and self._meet(self.segments[start - 1], normal):
            start -= 1
        merged, end = normal, start
        while end < len(self.segments) and self._meet(merged, self.segments[end]):
            merged = _hull(merged, self.segments[end])
            end += 1
        self.segments[start:end] = [merged]
        self.lows[start:end] = [low_key(merged)]

    def _meet(self, first: Interval, second: Interval) -> bool:
        """Whether two intervals overlap or touch, so that their union is one segment."""
        if low_key(second) < low_key(first):
            first, second = second, first
        if first.high is None or second.low is None:
            return True
        if self.integral:
            return second.low <= first.high + 1
        return second.low < first.high or (second.low == first.high and (first.high_closed or second.low_closed))


def _hull(first: Interval, second: Interval) -> Interval:
    low = first if low_key(first) <= low_key(second) else second
    high = first if high_key(first) >= high_key(second) else second
    return Interval(low.low, low.low_closed, high.high, high.high_closed)


__all__ = ["first_overlaps", "covered_by_earlier", "low_key", "high_key"]
