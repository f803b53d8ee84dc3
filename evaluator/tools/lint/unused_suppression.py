"""Unused suppression: a `# vilkar: ignore[...]` comment that suppresses nothing.

A finding can be silenced where it is reported, with a comment on its line or on the line above:
`# vilkar: ignore[VK204] the annex has no section heading`. Several codes are separated by commas;
the reason after `]` is for the next reader. A suppression whose code has no finding on that line
or the next — because the mistake was fixed, or the code is wrong — would silence a future,
different finding there without anyone noticing, so it is itself a finding. Checker errors
(VK0xx, VK1xx) cannot be suppressed: a rule set with them does not load.

Fix: remove the suppression, or correct its code.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable

from ...language.diagnostics import Diagnostic
from ...language.source import Source

CODE = "VK290"
NAME = "unused-suppression"
SEVERITY = "warning"

_STRING_OR_COMMENT = re.compile(r'"(?:[^"\\\n]|\\.)*"|#[^\n]*')
_SUPPRESSION = re.compile(r"#\s*vilkar:\s*ignore\[([^\]]*)\]", re.IGNORECASE)


@dataclass
class Suppression:
    """One code named in one `# vilkar: ignore[...]` comment."""

    code: str
    file: str
    line: int
    diagnostic_span: object
    used: bool = False


def suppressions(sources: Iterable[Source]) -> list[Suppression]:
    """Every code suppressed by a comment, in every file (comments, not quoted texts, are read)."""
    found: list[Suppression] = []
    for source in sources:
        for match in _STRING_OR_COMMENT.finditer(source.text):
            comment = _SUPPRESSION.match(match.group())
            if comment is None:
                continue
            start = match.start() + comment.start(1)
            for code in (part.strip().upper() for part in comment.group(1).split(",")):
                if code:
                    span = source.span(start, match.start() + comment.end(1))
                    found.append(Suppression(code, source.name, span.line, span))
    return found


def apply(findings: list[Diagnostic], found: list[Suppression], suppressible: set[str]) -> list[Diagnostic]:
    """The findings no suppression silences; marks the suppressions that were used."""
    by_place: dict[tuple[str, int, str], list[Suppression]] = {}
    for suppression in found:
        by_place.setdefault((suppression.file, suppression.line, suppression.code), []).append(suppression)
    kept = []
    for finding in findings:
        span = finding.span
        hits = [s for line in (span.line, span.line - 1)
                for s in by_place.get((span.file, line, finding.code), [])] if finding.code in suppressible else []
        for hit in hits:
            hit.used = True
        if not hits:
            kept.append(finding)
    return kept


def unused(found: list[Suppression], known: set[str]) -> list[Diagnostic]:
    """A VK290 finding for every suppression that silenced nothing."""
    problems = []
    for suppression in found:
        if suppression.used:
            continue
        reason = ("there is no rule " + suppression.code) if suppression.code not in known else \
            f"there is no {suppression.code} finding on this line or the next"
        problems.append(Diagnostic(CODE, f"this suppression of {suppression.code} suppresses nothing: {reason}",
                                   suppression.diagnostic_span, "remove it, or correct the code", SEVERITY))
    return problems
