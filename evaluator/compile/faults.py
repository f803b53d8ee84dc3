"""A value the policies cannot compute, in words, with the policy line that computes it (SPEC §8.3)."""
from __future__ import annotations

import decimal
from types import TracebackType
from typing import TYPE_CHECKING

from ..calendar.limits import OutOfRange
from .runtime import Fault

if TYPE_CHECKING:
    from .trace_info import LineOrigin


def fault_words(error: BaseException) -> str:
    """What went wrong, in words rather than Python's: never the raw text of a Python exception."""
    if isinstance(error, (Fault, OutOfRange)):
        return str(error)
    if isinstance(error, decimal.DivisionUndefined):
        return "zero divided by zero"
    if isinstance(error, (decimal.DivisionByZero, ZeroDivisionError)):
        return "a division by zero"
    if isinstance(error, (decimal.Overflow, OverflowError)):
        return "a number or date beyond the largest that can be computed"
    if isinstance(error, decimal.InvalidOperation):
        return "an arithmetic operation that has no result"
    if isinstance(error, RecursionError):
        return "a computation nested too deeply"
    if isinstance(error, (KeyError, TypeError, AttributeError, IndexError)):
        return "a value of the wrong shape for its kind's schema (was the request validated?)"
    if isinstance(error, ValueError):
        return "a value that cannot be computed with"
    return "an unexpected failure"


def fault_origin(error: BaseException, filename: str,
                 origins: tuple[LineOrigin | None, ...]) -> LineOrigin | None:
    """The policy item whose generated line raised the error: the innermost frame of that code."""
    found: LineOrigin | None = None
    trace: TracebackType | None = error.__traceback__
    while trace is not None:
        if trace.tb_frame.f_code.co_filename == filename and 0 < trace.tb_lineno < len(origins):
            found = origins[trace.tb_lineno] or found
        trace = trace.tb_next
    return found


def fault_message(error: BaseException, filename: str, origins: tuple[LineOrigin | None, ...]) -> str:
    origin = fault_origin(error, filename, origins)
    where = f" in {origin.what} at {origin.source}" if origin is not None else ""
    return f"the policies cannot decide this request: {fault_words(error)}{where}"
