"""Offsets in a text and LSP positions (0-based lines, UTF-16 code units, as clients count them)."""
from __future__ import annotations

from dataclasses import dataclass

from ..language.source import Source, Span


@dataclass(frozen=True, slots=True)
class Position:
    """A 0-based line and a character in UTF-16 code units."""

    line: int
    character: int


@dataclass(frozen=True, slots=True)
class Range:
    start: Position
    end: Position


def position_at(source: Source, offset: int) -> Position:
    """The LSP position of a character offset."""
    line, col = source.position(min(max(offset, 0), len(source.text)))
    text = source.line_text(line)
    return Position(line - 1, _utf16(text[:col - 1]))


def offset_at(source: Source, position: Position) -> int:
    """The character offset of an LSP position (clamped to the text)."""
    lines = source.text.split("\n")
    if position.line >= len(lines):
        return len(source.text)
    start = sum(len(line) + 1 for line in lines[:max(position.line, 0)])
    units, index, text = 0, 0, lines[max(position.line, 0)]
    while index < len(text) and units < position.character:
        units += _utf16(text[index])
        index += 1
    return start + index


def span_range(source: Source, span: Span) -> Range:
    """The LSP range of a span: where `vilkar lint` puts its caret, in the client's units."""
    if span.line <= 0:
        return Range(Position(0, 0), Position(0, 0))
    start = _from_line_col(source, span.line, span.col)
    end = _from_line_col(source, span.end_line, span.end_col)
    return Range(start, end)


def _from_line_col(source: Source, line: int, col: int) -> Position:
    return Position(line - 1, _utf16(source.line_text(line)[:max(col - 1, 0)]))


def _utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2
