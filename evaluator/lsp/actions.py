"""Edits the server offers: the formatted file, and quick fixes where a finding's hint names the fix."""
from __future__ import annotations

import re
from dataclasses import dataclass

from ..language.diagnostics import Diagnostic
from ..language.parser import ParseError
from ..language.source import Source, Span
from ..tools.fmt import format_source

_DID_YOU_MEAN = re.compile(r"did you mean `([^`]+)`\?")
_WRITTEN_AS = re.compile(r"is written `(request\.[a-z0-9_.]+)`")


@dataclass(frozen=True)
class Edit:
    """Replace the text between two offsets."""

    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Fix:
    """A quick fix for one finding."""

    title: str
    diagnostic: Diagnostic
    edit: Edit


def formatted(source: Source) -> list[Edit]:
    """What `vilkar fmt` would write, as one edit of the whole text; none if it is formatted or does not parse."""
    try:
        text = format_source(source)
    except ParseError:
        return []
    return [] if text == source.text else [Edit(0, len(source.text), text)]


def quick_fixes(source: Source, findings: list[Diagnostic]) -> list[Fix]:
    """A fix for each finding whose hint spells the replacement: a misspelt name, keyword or value."""
    fixes = []
    for finding in findings:
        if finding.hint is None or finding.span.line <= 0:
            continue
        start, end = _offsets(source, finding.span)
        written = source.text[start:end]
        match = _DID_YOU_MEAN.search(finding.hint)
        if match:
            replacement = match.group(1)
            if written.startswith('"') and not replacement.startswith('"'):
                replacement = f'"{replacement}"'  # an enum value is replaced inside its quotes
            fixes.append(Fix(f"Change `{written}` to `{replacement}`", finding, Edit(start, end, replacement)))
            continue
        match = _WRITTEN_AS.search(finding.hint)
        if match:
            fixes.append(Fix(f"Write `{match.group(1)}`", finding, Edit(start, end, match.group(1))))
    return fixes


def _offsets(source: Source, span: Span) -> tuple[int, int]:
    """Offsets from a span's line and column, as lint reports them."""
    lines = source.text.split("\n")
    def offset(line: int, col: int) -> int:
        return sum(len(text) + 1 for text in lines[:line - 1]) + col - 1
    return offset(span.line, span.col), offset(span.end_line, span.end_col)
