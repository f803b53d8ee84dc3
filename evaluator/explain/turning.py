"""Where a number, an amount, a date or a timestamp turns a decision: the fewest steps in one direction.

First guesses (the steps that bring a compared value onto a bound) are tried nearest first; then the
step grows fourfold from one until the decision turns, and halves back to the nearest step that turns
(a field that never turns it costs half the tries of doubling; one that does, as many). A
value the field cannot take (past its minimum, past 2099) stops the doubling at the furthest one it
can. A turn between two doublings that turns back before the next is not seen; the guesses from the
rules' own bounds are what finds those.
"""
from __future__ import annotations

from typing import Callable

from .candidates import Field, moved, step_limit

MAX_GROWTHS = 24  # 4**24 steps: further than any field allows
GROWTH = 4

Turns = Callable[[int], "bool | None"]  # whether the decision turns at a step; None where there is no value


def turning_point(leaf: Field, direction: int, turns: Turns, guesses: set[int]) -> int | None:
    """The fewest steps in `direction` (1 or -1) at which `turns` says the decision turns, or None."""
    for guess in sorted((k for k in guesses if k * direction > 0), key=abs):
        if turns(guess):
            # a guess lands on a bound of what moves evenly with the field: if one step nearer does not
            # turn, the bound is the nearest turn; else something nearer turns too, so halve back to it
            if abs(guess) == 1 or not turns(guess - direction):
                return guess
            return narrowed(turns, 0, guess, direction)
    previous, steps = 0, direction
    limit = step_limit(leaf)
    for _ in range(MAX_GROWTHS):
        steps = direction * min(abs(steps), limit)
        outcome = turns(steps)
        if outcome is None:  # past what the field allows: try the furthest value it does allow
            steps = furthest(leaf, previous, steps)
            outcome = turns(steps) if steps != previous else False
        if outcome:
            return narrowed(turns, previous, steps, direction)
        if abs(steps) >= limit or steps == previous:
            return None
        previous, steps = steps, steps * GROWTH
    return None


def furthest(leaf: Field, valid: int, invalid: int) -> int:
    """The furthest step from `valid` towards `invalid` at which the field still has a value."""
    while abs(invalid - valid) > 1:
        middle = valid + (invalid - valid) // 2
        if moved(leaf, middle) is None:
            invalid = middle
        else:
            valid = middle
    return valid


def narrowed(turns: Turns, low: int, high: int, direction: int) -> int:
    """The nearest turning step in (low, high], given that `high` turns and `low` does not."""
    while abs(high - low) > 1:
        middle = low + (high - low) // 2 if direction > 0 else low - (low - high) // 2
        if turns(middle):
            high = middle
        else:
            low = middle
    return high
