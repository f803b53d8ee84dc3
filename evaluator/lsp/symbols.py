"""Definitions and references of a rule set's names: kinds, sets, lets, decisions and calendars.

Names are looked up as the checker looks them up: a comprehension's variable first (local, never a
reference), then the decisions and lets of the kind, then the rule set's sets and constants.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field, fields
from typing import Iterator

from ..language import ast
from ..language.source import Source, Span


@dataclass(frozen=True)
class Symbol:
    """A defined name: where its name is written, and the item that defines it."""

    name: str
    role: str  # kind | set | let | decision | calendar
    scope: str | None  # the kind of a decision or let; None for what the whole rule set shares
    span: Span  # the name itself
    item: ast.Item = field(compare=False, repr=False)

    @property
    def key(self) -> tuple[str, str | None, str]:
        return (self.role if self.role in ("kind", "calendar") else "value", self.scope, self.name)


@dataclass(frozen=True)
class Reference:
    """A use of a name at a place in a file."""

    name: str
    role: str  # value | calendar | kind
    scope: str | None  # the kind whose items the use is in
    span: Span
    node: object = field(compare=False, repr=False, default=None)


@dataclass
class SymbolIndex:
    """Every definition and every use of a name in a rule set."""

    symbols: list[Symbol]
    references: list[Reference]

    def resolve(self, reference: Reference) -> Symbol | None:
        """The definition a use refers to, looked up as the checker does."""
        if reference.role in ("kind", "calendar"):
            return next((s for s in self.symbols if s.role == reference.role and s.name == reference.name), None)
        in_kind = [s for s in self.symbols if s.role in ("decision", "let") and s.scope == reference.scope
                   and s.name == reference.name]
        if reference.scope is not None and in_kind:
            return in_kind[0]
        return next((s for s in self.symbols if s.role in ("set", "let") and s.scope is None
                     and s.name == reference.name), None)

    def symbol_at(self, file: str, offset: int) -> Symbol | None:
        """The definition whose name, or a use of it, is at this place."""
        for symbol in self.symbols:
            if symbol.span.file == file and symbol.span.start <= offset <= symbol.span.end:
                return symbol
        reference = self.reference_at(file, offset)
        return self.resolve(reference) if reference is not None else None

    def reference_at(self, file: str, offset: int) -> Reference | None:
        found = [r for r in self.references if r.span.file == file and r.span.start <= offset <= r.span.end]
        return min(found, key=lambda r: r.span.end - r.span.start) if found else None

    def uses(self, symbol: Symbol) -> list[Reference]:
        return [r for r in self.references if self.resolve(r) == symbol]

    def in_file(self, file: str) -> list[Symbol]:
        return [symbol for symbol in self.symbols if symbol.span.file == file]


def index_modules(modules: dict[str, ast.Module], sources: dict[str, Source]) -> SymbolIndex:
    symbols: list[Symbol] = []
    references: list[Reference] = []
    for name, module in modules.items():
        source = sources[name]
        kind: str | None = None
        for item in module.items:
            if isinstance(item, ast.KindDecl):
                kind = item.name
                symbols.extend(_named(source, item, "kind", None, [item.name]))
                if item.calendar is not None:
                    span = _word_after(source, item.span, "calendar", item.calendar)
                    if span is not None:
                        references.append(Reference(item.calendar, "calendar", kind, span, item))
                if item.location is not None:
                    references.extend(_uses(item.location, kind, frozenset()))
                continue
            if isinstance(item, ast.SetDecl):
                symbols.extend(_named(source, item, "set", None, [item.name]))
                references.extend(_uses(item.value, None, frozenset()))
            elif isinstance(item, ast.CalendarDecl):
                symbols.extend(_named(source, item, "calendar", None, [item.name]))
            elif isinstance(item, (ast.Decision, ast.LetDecl)):
                role = "decision" if isinstance(item, ast.Decision) else "let"
                symbols.extend(_named(source, item, role, item.kind, list(item.names)))
                references.extend(_uses(item.body, item.kind, frozenset()))
            elif isinstance(item, ast.Requirement):
                references.extend(_uses(item, item.kind, frozenset()))
    return SymbolIndex(symbols, references)


def _named(source: Source, item: ast.Item, role: str, scope: str | None, names: list[str]) -> Iterator[Symbol]:
    """The symbols an item defines, each at the place its name is written after the keyword."""
    keyword = {"kind": "kind", "set": "set", "calendar": "calendar", "decision": "decision", "let": "let"}[role]
    text = source.text[item.span.start:item.span.end]
    match = re.match(rf"{keyword}\s+([a-z_][a-z0-9_]*(?:\s*,\s*[a-z_][a-z0-9_]*)*)", text)
    for name in names:
        offset = None
        if match:
            found = re.search(rf"\b{re.escape(name)}\b", match.group(1))
            if found:
                offset = item.span.start + match.start(1) + found.start()
        span = source.span(offset, offset + len(name)) if offset is not None else item.span
        yield Symbol(name, role, scope, span, item)


def _word_after(source: Source, span: Span, keyword: str, word: str) -> Span | None:
    text = source.text[span.start:span.end]
    match = re.search(rf"\b{keyword}\s+({re.escape(word)})\b", text)
    if not match:
        return None
    return source.span(span.start + match.start(1), span.start + match.end(1))


def _uses(node: object, scope: str | None, bound: frozenset[str]) -> Iterator[Reference]:
    """Every name a node reads, except the variables its comprehensions bind."""
    if isinstance(node, ast.Name):
        if node.name not in bound:
            yield Reference(node.name, "value", scope, node.span, node)
        return
    if isinstance(node, ast.Comprehension):
        yield from _uses(node.source, scope, bound)
        inner = bound | {node.variable}
        yield from _uses(node.element, scope, inner)
        if node.where is not None:
            yield from _uses(node.where, scope, inner)
        return
    if isinstance(node, tuple):
        for child in node:
            yield from _uses(child, scope, bound)
        return
    if hasattr(node, "__dataclass_fields__"):
        for node_field in fields(node):  # type: ignore[arg-type]
            if node_field.name != "span":
                yield from _uses(getattr(node, node_field.name), scope, bound)


def nodes_at(module: ast.Module, offset: int) -> list[object]:
    """The syntax nodes whose span holds the offset, innermost last."""
    found: list[object] = []
    stack: list[object] = list(module.items)
    while stack:
        node = stack.pop()
        if isinstance(node, tuple):
            stack.extend(node)
            continue
        if not hasattr(node, "__dataclass_fields__"):
            continue
        span = getattr(node, "span", None)
        if isinstance(span, Span) and span.line > 0 and not (span.start <= offset <= span.end):
            continue
        if isinstance(span, Span) and span.line > 0:
            found.append(node)
        stack.extend(getattr(node, f.name) for f in fields(node) if f.name != "span")  # type: ignore[arg-type]
    return sorted(found, key=lambda n: -(n.span.end - n.span.start))  # type: ignore[attr-defined]
