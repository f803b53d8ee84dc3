"""Code in words: a `because`, `headline` or `note` that shows policy code to the people who read it.

Explanations print these texts as they are written, to a support desk and to lawyers: they must be
sentences, not rules. A text is flagged when, outside its `{placeholders}`, it holds backticks, an
operator (`==`, `!=`, `<=`, `>=`, `->`), a request path (`request.severity`), or the name of a `let`
or `set` (`holds_uer`, `base_azure_exclusions`): those are the author's names, not the contract's.
Decision names may appear: they are the public names of the answer.

Fix: say it in words ("UER is held", "the product is on the footnote-1 list"); a value that varies
goes in a placeholder, `{notice_days}` or `{request.service_start}`.
"""
from __future__ import annotations

import re
from typing import Iterator

from ...language import ast
from ...language.diagnostics import Diagnostic
from ...language.reasons import pieces
from .context import LintContext

CODE = "VK250"
NAME = "code-in-words"
SEVERITY = "warning"
_OPERATOR = re.compile(r"`|==|!=|<=|>=|->|\brequest\.[a-z_]")
_HINT = "say it in words; put a value that varies in a placeholder such as {notice_days} or {request.field}"


def check(context: LintContext) -> Iterator[Diagnostic]:
    names = _author_names(context)
    for text, span in _texts(context):
        literal = "".join(token for token, _, name in pieces(text) if name is None)
        found = _OPERATOR.search(literal)
        if found is not None:
            yield Diagnostic(CODE, f"these words show policy code: `{found.group(0)}`", span, _HINT, SEVERITY)
            continue
        named = next((word for word in re.findall(r"[a-z][a-z0-9]*(?:_[a-z0-9]+)+", literal) if word in names), None)
        if named is not None:
            yield Diagnostic(CODE, f"these words name `{named}`, a name of the policies, not of the contract", span,
                             _HINT, SEVERITY)


def _author_names(context: LintContext) -> set[str]:
    names: set[str] = set()
    for item in context.items():
        if isinstance(item, ast.LetDecl):
            names.update(item.names)
        elif isinstance(item, ast.SetDecl):
            names.add(item.name)
    return names


def _texts(context: LintContext) -> Iterator[tuple[str, object]]:
    for item in context.items():
        if isinstance(item, ast.KindDecl):
            yield from ((line.text, line.span) for line in item.headlines)
            yield from ((note, item.span) for note in item.notes)
        elif isinstance(item, ast.SetDecl) and item.reason is not None:
            yield item.reason.text, item.reason.span
        elif isinstance(item, (ast.Decision, ast.LetDecl)):
            yield from _rule_texts(item)
            yield from _rows(item.body)


def _rule_texts(node: object) -> Iterator[tuple[str, object]]:
    reason = getattr(node, "reason", None)
    if reason is not None:
        yield reason.text, reason.span
    for note in getattr(node, "notes", ()):
        yield note.text, note.span


def _rows(body: ast.Body) -> Iterator[tuple[str, object]]:
    for row in ast.body_rows(body):
        yield from _rule_texts(row)
