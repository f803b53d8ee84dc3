"""What a decision means, written out without names, positions, comments or citations.

Two rule sets whose decisions have equal *meanings* decide every request alike: this is how a
reordering, a renamed `let`, new comments or `vilkar fmt` are recognised as equivalent without any
search. Each name a rule reads is replaced by the meaning of what it names (lets, decisions, sets,
constants), set literals are sorted, and the kind's calendar and requirements are part of it.
"""
from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

from ...language import ast
from ...language.check import CheckedRuleSet, KindInfo

_SKIPPED = {"span", "citation", "kind", "names", "text"}


@dataclass
class KindMeaning:
    """Per decision of a kind, its meaning; and the meaning of what makes a request of it valid."""

    decisions: dict[str, Any]
    validity: Any
    calendar: Any
    lets: dict[str, Any]  # the kind's lets by name, to find which definitions a change is in


def meanings(checked: CheckedRuleSet) -> dict[str, KindMeaning]:
    return {name: _Meaning(checked, kind).kind_meaning() for name, kind in checked.kinds.items()}


class _Meaning:
    def __init__(self, checked: CheckedRuleSet, kind: KindInfo):
        self.checked = checked
        self.kind = kind
        self.memo: dict[int, Any] = {}
        self.variables: list[str] = []

    def kind_meaning(self) -> KindMeaning:
        calendar = self.calendar()
        decisions = {}
        for decision in self.kind.decisions:
            for index, name in enumerate(decision.names):
                decisions[name] = ("decision", index, self.definition(decision), calendar)
        validity = tuple(sorted((repr(self.node(r.condition)), repr(self.node(r.when)), repr(self.node(r.at)),
                                 r.message) for r in self.kind.requirements))
        lets = {name: (index, self.definition(let)) for let in self.kind.lets for index, name in enumerate(let.names)}
        return KindMeaning(decisions, validity, calendar, lets)

    def calendar(self) -> Any:
        if self.kind.calendar is None:
            return None
        declaration = self.checked.calendars.get(self.kind.calendar)
        clauses = tuple(sorted((c.what, c.values) for c in declaration.clauses)) if declaration else None
        return (clauses, self.node(self.kind.location))

    def definition(self, definition: ast.Decision | ast.LetDecl) -> Any:
        key = id(definition)
        if key not in self.memo:
            self.memo[key] = ("cycle",)
            self.memo[key] = self.node(definition.body)
        return self.memo[key]

    def name(self, node: ast.Name) -> Any:
        if node.name in self.variables:
            return ("variable", len(self.variables) - 1 - self.variables[::-1].index(node.name))
        definition = self.kind.definitions.get(node.name)
        if definition is not None:
            return ("value", definition.names.index(node.name), self.definition(definition))
        if node.name in self.checked.sets:
            declaration = self.checked.sets[node.name]
            return ("set", declaration.names, self.node(declaration.value))
        if node.name in self.checked.lets:
            return ("constant", self.definition(self.checked.lets[node.name]))
        return ("name", node.name)

    def node(self, node: Any) -> Any:
        if node is None or isinstance(node, (str, int, bool)):
            return node
        if isinstance(node, tuple):
            return tuple(self.node(item) for item in node)
        if isinstance(node, ast.Name):
            return self.name(node)
        if isinstance(node, ast.SetLiteral):
            return ("set-literal", tuple(sorted(repr(self.node(item)) for item in node.items)))
        if isinstance(node, ast.Binary) and node.op in ("+",) and _is_set_union(node):
            return ("union", tuple(sorted(repr(self.node(part)) for part in (node.left, node.right))))
        if isinstance(node, ast.Comprehension):
            self.variables.append(node.variable)
            try:
                inner = (self.node(node.element), self.node(node.where))
            finally:
                self.variables.pop()
            return ("comprehension", node.function, self.node(node.source), inner)
        if not hasattr(node, "__dataclass_fields__"):
            return repr(node)
        parts = [type(node).__name__]
        for node_field in fields(node):
            if node_field.name in _SKIPPED or not node_field.compare:
                continue
            parts.append(self.node(getattr(node, node_field.name)))
        return tuple(parts)


def _is_set_union(node: ast.Binary) -> bool:
    return isinstance(node.left, (ast.SetLiteral, ast.Name)) and isinstance(node.right, (ast.SetLiteral, ast.Name))
