"""Diagnostics: a stable code, a message, where it is, and how to fix it."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from .source import Source, Span


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One problem found in a policy file."""

    code: str
    message: str
    span: Span
    hint: str | None = None
    severity: str = "error"

    def to_dict(self) -> dict[str, object]:
        return {
            "code": self.code,
            "severity": self.severity,
            "message": self.message,
            "file": self.span.file,
            "line": self.span.line,
            "col": self.span.col,
            "end_line": self.span.end_line,
            "end_col": self.span.end_col,
            "hint": self.hint,
        }


def render(diagnostic: Diagnostic, sources: dict[str, Source]) -> str:
    """ruff-style text: `file:line:col: CODE message`, the source line, a caret, the hint."""
    span = diagnostic.span
    lines = [f"{span.file}:{span.line}:{span.col}: {diagnostic.code} {diagnostic.message}"]
    source = sources.get(span.file)
    if source is not None and span.line > 0:
        text = source.line_text(span.line).expandtabs(1)
        gutter = str(span.line)
        pad = " " * len(gutter)
        width = span.end_col - span.col if span.end_line == span.line else len(text) - span.col + 1
        caret = "^" * max(1, width)
        lines.append(f"{pad} |")
        lines.append(f"{gutter} | {text}")
        lines.append(f"{pad} | {' ' * (span.col - 1)}{caret} {diagnostic.code}")
        lines.append(f"{pad} |")
    if diagnostic.hint:
        lines.append(f"  = hint: {diagnostic.hint}")
    return "\n".join(lines)


def sort_key(diagnostic: Diagnostic) -> tuple[str, int, int, str]:
    return (diagnostic.span.file, diagnostic.span.line, diagnostic.span.col, diagnostic.code)


def did_you_mean(name: str, candidates: Iterable[str]) -> str | None:
    """A close spelling among the candidates, phrased as a hint (for short names only: a long text is no typo,
    and comparing it costs time quadratic in its length)."""
    if not isinstance(name, str) or len(name) > 64:
        return None
    import difflib  # only a misspelt name needs it, never a cached load

    matches = difflib.get_close_matches(name, list(candidates), n=1, cutoff=0.6)
    return f"did you mean `{matches[0]}`?" if matches else None
