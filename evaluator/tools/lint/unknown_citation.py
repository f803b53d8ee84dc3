"""Unknown citation: a citation that names no section of the contract text.

A citation starts with where the clause is — a section ("2.6 Yderligere vilkår og betingelser"),
a table ("Tabel 4 – Typer af vedligeholdelsestjenester") or an annex ("Bilag A – Reaktiv support,
fodnote 4") — optionally followed by `:` and the clause's words. Each part before the `:`,
separated by ` – `, must occur in the contract text (`policies/contract/*.txt`), ignoring case,
spacing and line breaks; a trailing ", fodnote N" names a footnote of that part. The words after
the `:` may paraphrase and are not checked.

Fix: correct the section number or heading so that it matches the contract.
"""
from __future__ import annotations

import re
from typing import Iterator

from ...language import ast
from ...language.diagnostics import Diagnostic
from .context import LintContext, normalize_text

CODE = "VK205"
NAME = "unknown-citation"
SEVERITY = "error"
_FOOTNOTE = re.compile(r",\s*fodnote\s+\d+$", re.IGNORECASE)
_SECTION = re.compile(r"^(\d+(\.\d+)*\s+\S|tabel\s+\d+|bilag\s+[a-z])", re.IGNORECASE)


def check(context: LintContext) -> Iterator[Diagnostic]:
    if context.contract is None:
        return
    seen: dict[str, str | None] = {}
    for citation in _citations(context):
        if citation.text not in seen:
            seen[citation.text] = problem(citation.text, context.contract)
        reason = seen[citation.text]
        if reason is not None:
            yield Diagnostic(CODE, f"the citation names no section of the contract: {reason}", citation.span,
                             'start with a section, table or annex as the contract writes it, e.g. '
                             '"Tabel 9 – Typer af reaktive tjenester"', SEVERITY)


def problem(text: str, contract: str) -> str | None:
    """Why a citation does not name a section of the contract, or None if it does."""
    head = text.split(":", 1)[0].strip()
    parts = [part.strip() for part in re.split(r"\s+[–-]\s+", head) if part.strip()]
    if not parts or not _SECTION.match(parts[0]):
        return f'"{head}" does not start with a section number, "Tabel N" or "Bilag X"'
    for part in parts:
        name = _FOOTNOTE.sub("", part)
        if normalize_text(name) not in contract:
            return f'"{name}" does not occur in the contract text'
    return None


def _citations(context: LintContext) -> Iterator[ast.Citation]:
    stack: list = list(context.items())
    while stack:
        node = stack.pop()
        if isinstance(node, ast.Citation):
            yield node
        elif isinstance(node, tuple):
            stack.extend(node)
        elif hasattr(node, "__dataclass_fields__"):
            stack.extend(getattr(node, name) for name in node.__dataclass_fields__ if name != "span")
