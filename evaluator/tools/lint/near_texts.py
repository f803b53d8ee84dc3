"""Which texts of many are at most two edits apart (Levenshtein), without comparing every pair.

Comparing each text with every other costs O(n²) distance computations: two sets of 3,000 product
names took eight minutes to lint, a table of 10,000 distinct output texts would take hours. Instead
each text is cut into three pieces at places that depend only on its length, and filed by them.
Two edits touch at most two pieces of the shorter text of a pair, so its third piece appears
unchanged in the longer one, at most two characters from where it starts in the shorter. A text is
therefore compared only with the texts one of whose pieces it holds near that place (the
pigeonhole filter of Li, Deng and Feng's Pass-Join), and each candidate is confirmed with the exact
distance, after the common beginning and end are set aside (which leaves the distance as it is).
Texts that share long common parts (`outcome 1`, `outcome 2`, …) still meet many candidates.
"""
from __future__ import annotations

from collections import defaultdict
from functools import lru_cache
from typing import Callable, Iterator

LIMIT = 2


def near_pairs(texts: list[str], skip: Callable[[int, int], bool] | None = None) -> Iterator[tuple[int, int]]:
    """Every pair (i, j), i < j, of the texts (distinct) at most two edits apart, unless `skip(i, j)`."""
    filed: dict[tuple[int, int, str], list[int]] = defaultdict(list)  # (length, piece, its text) -> texts
    for index, text in enumerate(texts):
        for piece, (start, size) in enumerate(_pieces(len(text))):
            filed[(len(text), piece, text[start:start + size])].append(index)
    for index, text in enumerate(texts):  # each text as the longer of a pair (or one of the same length)
        length = len(text)
        met: set[int] = set()
        for shorter in range(max(length - LIMIT, 0), length + 1):
            for piece, (start, size) in enumerate(_pieces(shorter)):
                for at in range(max(start - LIMIT, 0), min(start + LIMIT, length - size) + 1):
                    for other in filed.get((shorter, piece, text[at:at + size]), ()):
                        if other in met or (shorter == length and other >= index):
                            continue  # texts of the same length: each pair is asked for once, by the later
                        met.add(other)
                        pair = (index, other) if index < other else (other, index)
                        if (skip is None or not skip(*pair)) and within(text, texts[other]):
                            yield pair


@lru_cache(maxsize=None)
def _pieces(length: int) -> tuple[tuple[int, int], ...]:
    """Where the three pieces of a text of this length start, and their sizes (the first ones longer)."""
    base, extra = divmod(length, LIMIT + 1)
    pieces, start = [], 0
    for piece in range(LIMIT + 1):
        size = base + (1 if piece < extra else 0)
        pieces.append((start, size))
        start += size
    return tuple(pieces)


def within(left: str, right: str, limit: int = LIMIT) -> bool:
    """Whether the Levenshtein distance of two texts is at most `limit`."""
    start, stop_left, stop_right = 0, len(left), len(right)
    while start < stop_left and start < stop_right and left[start] == right[start]:
        start += 1
    while stop_left > start and stop_right > start and left[stop_left - 1] == right[stop_right - 1]:
        stop_left -= 1
        stop_right -= 1
    return distance(left[start:stop_left], right[start:stop_right], limit) <= limit


def distance(left: str, right: str, limit: int) -> int:
    """Levenshtein distance, stopping early once it exceeds `limit`."""
    previous = list(range(len(right) + 1))
    for i, a in enumerate(left, 1):
        current = [i]
        for j, b in enumerate(right, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a != b)))
        if min(current) > limit:
            return limit + 1
        previous = current
    return previous[-1]
