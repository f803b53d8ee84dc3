"""Unused definition: a `let`, `set` or `calendar` that nothing reads.

A value defined but never used is either left over from an edit or a term someone forgot to apply
— for instance an exclusion list that no response-time table consults. Decisions are always used:
they are reported.

Fix: use it where the contract applies it, or remove it.
"""
from __future__ import annotations

from typing import Iterator

from ...language import ast
from ...language.diagnostics import Diagnostic
from .context import LintContext

CODE = "VK206"
NAME = "unused-definition"
SEVERITY = "warning"


def check(context: LintContext) -> Iterator[Diagnostic]:
    used_globally: set[str] = set()
    used_in_kind: dict[str | None, set[str]] = {}
    for item in context.items():
        names = used_in_kind.setdefault(getattr(item, "kind", None), set())
        for name in _names_read(item):
            names.add(name)
            used_globally.add(name)
        if isinstance(item, ast.KindDecl) and item.calendar:
            used_globally.add(item.calendar)
        if isinstance(item, ast.SetDecl) and item.using:
            used_globally.add(item.using)
    for item in context.items():
        if isinstance(item, ast.LetDecl):
            scope = used_globally if item.kind is None else used_in_kind.get(item.kind, set())
            for name in item.names:
                if name not in scope:
                    yield _unused(f"`{name}`", item.span)
        elif isinstance(item, (ast.SetDecl, ast.CalendarDecl)) and item.name not in used_globally:
            yield _unused(f"{'set' if isinstance(item, ast.SetDecl) else 'calendar'} `{item.name}`", item.span)


def _unused(what: str, span) -> Diagnostic:
    return Diagnostic(CODE, f"{what} is defined but never used", span,
                      "use it where the contract applies it, or remove it", SEVERITY)


def _names_read(node) -> set[str]:
    found: set[str] = set()
    stack = [node.location] if isinstance(node, ast.KindDecl) and node.location is not None else []
    if isinstance(node, ast.KindDecl):
        stack.extend(condition for condition in node.note_conditions if condition is not None)
    else:
        stack.append(node)
    while stack:
        current = stack.pop()
        if isinstance(current, ast.Name):
            found.add(current.name)
        elif isinstance(current, tuple):
            stack.extend(current)
        elif hasattr(current, "__dataclass_fields__"):
            stack.extend(getattr(current, name) for name in current.__dataclass_fields__ if name != "span")
    return found
