"""Rule bodies → Python statements: rules with exceptions, tiers and decision tables.

Every body assigns its value (or values) and the index of the rule that decided it (the trace):
-1 the rule (or base rule), i the i-th exception, tier or row, len(rows) the `otherwise` row, and
NO_RULE where no row matched and there is no `otherwise`. Long chains of rows are cut into blocks, so
that no Python statement nests deeper than two levels whatever the size of a table.
"""
from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from ..language import ast
from ..language.check import request_path
from ..language.source import Source
from ..language.types import DurationT, MoneyT, SetT, Type, strip_optional
from .constants import NOT_LITERAL, literal_value
from .emitter import Emitter
from .expressions import ExpressionCompiler
from .names import EMPTY, Names
from .plan import NO_RULE, Path
from .trace_info import LineOrigin, RuleInfo
from .ranges import constant_value
from .tables import compile_lookup

Definition = ast.Decision | ast.LetDecl

UNDECIDED = -3  # the trace of a chain of rows before any row matched
BLOCK = 64  # rows per if/elif chain; later blocks run only while nothing matched


class BodyCompiler:
    """Statements that decide one definition, and what its trace can say."""

    def __init__(self, expressions: ExpressionCompiler, emitter: Emitter, names: Names,
                 sources: dict[str, Source], definitions: dict[str, Definition]):
        self.expressions = expressions
        self.emitter = emitter
        self.names = names
        self.sources = sources
        self.definitions = definitions
        self.types = expressions.context.types
        self.words: Any = None  # a RuleWordsBuilder, when explanations are being prepared

    def code(self, expr: ast.Expr) -> str:
        return self.expressions.code(expr, EMPTY)

    def coerce(self, expr: ast.Expr, type_: Type) -> str:
        return self.expressions.coerce(expr, type_, EMPTY)

    def origin(self, node: Any, decision: Definition) -> None:
        what = "decision" if isinstance(decision, ast.Decision) else "let"
        self.emitter.origin = LineOrigin(f"{what} {decision.names[0]}", node.span.location())

    def body(self, decision: Definition, targets: list[str], types: list[Type], trace: str) -> dict[int, RuleInfo]:
        body = decision.body
        self.origin(decision, decision)
        if isinstance(body, ast.RuleBody):
            return self.rule_body(decision, body, targets[0], types[0], trace)
        if isinstance(body, ast.TiersBody):
            return self.tiers_body(decision, body, targets[0], types[0], trace)
        if isinstance(body, ast.AllOfBody):
            return self.all_of_body(decision, body, targets[0], trace)
        return self.match_body(decision, body, targets, types, trace)

    # -- a condition of parts
    def all_of_body(self, decision: Definition, body: ast.AllOfBody, target: str, trace: str) -> dict[int, RuleInfo]:
        """True when every part holds; else false, traced to the first part that does not."""
        tests = tuple(part.test for part in body.parts)
        rules = {-1: RuleInfo("every part holds", _cites(decision.citation), body.span.location(),
                              self.paths_of(tests), "holds", self.decisions_read(tests),
                              self.words.all_of(body, decision) if self.words is not None else None)}
        emit = self.emitter.emit
        keyword = "if"
        for index, part in enumerate(body.parts):
            self.origin(part, decision)
            emit(f"{keyword} not ({self.code(part.test)}):")
            emit(f"{target} = False", 2)
            emit(f"{trace} = {index}", 2)
            rules[index] = self.rule_info(part.test, part.citation, "fails", decision)
            if self.words is not None:  # the part's own reason and notes, which the test alone lacks
                rules[index] = replace(rules[index], words=self.words.part(part))
            keyword = "elif"
        emit("else:")
        emit(f"{target} = True", 2)
        emit(f"{trace} = -1", 2)
        return rules

    # -- a rule and its exceptions
    def rule_body(self, decision: Definition, body: ast.RuleBody, target: str, type_: Type,
                  trace: str) -> dict[int, RuleInfo]:
        emit = self.emitter.emit
        if not body.exceptions:
            emit(f"{target} = {self.coerce(body.value, type_)}")
            emit(f"{trace} = -1")
            return {-1: self.rule_info(body.value, decision.citation, "rule", decision)}
        # the base rule decides only when every exception was tried and failed: it read them all
        conditions = tuple(exception.condition for exception in body.exceptions)
        rules = {-1: self.rule_info(body.value, decision.citation, "base", decision, extra=conditions)}
        branches = []
        for index, exception in enumerate(body.exceptions):
            rules[index] = self.rule_info(exception, exception.citation, "exception", decision)
            branches.append((exception, exception.condition, [(target, type_, exception.value)]))
        self.chain(decision, branches, trace)
        self.origin(body.value, decision)
        self.fallback(trace, [(target, self.coerce(body.value, type_))], -1, len(branches))
        return rules

    # -- tiers
    def tiers_body(self, decision: Definition, body: ast.TiersBody, target: str, type_: Type,
                   trace: str) -> dict[int, RuleInfo]:
        rules: dict[int, RuleInfo] = {}
        for index, row in enumerate(body.rows):
            rules[index] = self.rule_info(row, row.citation, "tier", decision, extra=body.subject)
        self.add_otherwise(decision, body.otherwise, len(body.rows), rules, body.subject)
        if compile_lookup(self, decision, body, [target], [type_], trace):
            return rules
        subject = self.bound(body.subject)
        branches = [(row, self.bound_condition(subject, row.bound), [(target, type_, row.value)])
                    for row in body.rows]
        self.chain(decision, branches, trace)
        self.otherwise(decision, body.otherwise, [target], [type_], trace, len(body.rows), len(branches))
        return rules

    # -- decision tables
    def match_body(self, decision: Definition, body: ast.MatchBody, targets: list[str], types: list[Type],
                   trace: str) -> dict[int, RuleInfo]:
        rules: dict[int, RuleInfo] = {}
        for index, row in enumerate(body.rows):
            rules[index] = self.rule_info(row, row.citation, "row", decision, extra=body.subjects)
        self.add_otherwise(decision, body.otherwise, len(body.rows), rules, body.subjects)
        if compile_lookup(self, decision, body, targets, types, trace):
            return rules
        subjects = [(self.bound(subject), subject) for subject in body.subjects]
        branches = []
        for row in body.rows:
            conditions = [self.cell_condition(cell, name, subject) for cell, (name, subject) in zip(row.cells, subjects)]
            conditions = [c for c in conditions if c != "True"] or ["True"]
            branches.append((row, " and ".join(conditions), list(zip(targets, types, row.outputs))))
        self.chain(decision, branches, trace)
        self.otherwise(decision, body.otherwise, targets, types, trace, len(body.rows), len(branches))
        return rules

    def add_otherwise(self, decision: Definition, row: ast.OtherwiseRow | None, index: int,
                      rules: dict[int, RuleInfo], extra: Any) -> None:
        if row is None:
            rules[NO_RULE] = RuleInfo("no row applies", None, decision.span.location(), self.paths_of(extra),
                                      "none", self.decisions_read(extra),
                                      self.words.rule(None, "none", decision, extra) if self.words else None)
        else:
            rules[index] = self.rule_info(row, row.citation, "otherwise", decision, extra=extra)

    # -- chains of conditions
    def chain(self, decision: Definition, branches: list[tuple[Any, Any, list[tuple[str, Type, ast.Expr]]]],
              trace: str) -> None:
        """`if c0: ... elif c1: ...` in blocks of BLOCK rows; the trace stays UNDECIDED until one matches."""
        emit = self.emitter.emit
        if len(branches) > BLOCK:
            emit(f"{trace} = {UNDECIDED}")
        for start in range(0, len(branches), BLOCK):
            depth = 1
            if start:
                emit(f"if {trace} == {UNDECIDED}:")
                depth = 2
            keyword = "if"
            for index in range(start, min(start + BLOCK, len(branches))):
                node, condition, outputs = branches[index]
                self.origin(node, decision)
                test = condition if isinstance(condition, str) else self.code(condition)
                emit(f"{keyword} {test}:", depth)
                for target, type_, output in outputs:
                    emit(f"{target} = {self.coerce(output, type_)}", depth + 1)
                emit(f"{trace} = {index}", depth + 1)
                keyword = "elif"

    def fallback(self, trace: str, assignments: list[tuple[str, str]], index: int, count: int) -> None:
        """What the chain's `else` assigns: after blocks, only while nothing matched."""
        emit = self.emitter.emit
        emit(f"if {trace} == {UNDECIDED}:" if count > BLOCK else "else:")
        for target, code in assignments:
            emit(f"{target} = {code}", 2)
        emit(f"{trace} = {index}", 2)

    def otherwise(self, decision: Definition, row: ast.OtherwiseRow | None, targets: list[str],
                  types: list[Type], trace: str, index: int, count: int) -> None:
        if row is None:
            self.fallback(trace, [(target, "None") for target in targets], NO_RULE, count)
            return
        self.origin(row, decision)
        self.fallback(trace, [(target, self.coerce(output, type_))
                              for target, type_, output in zip(targets, types, row.outputs)], index, count)

    def bound(self, expr: ast.Expr) -> str:
        """A name holding the expression's value: the expression itself if it is a name already."""
        code = self.code(expr)
        if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", code):
            return code
        name = self.names.new("temp", "subject")
        self.emitter.emit(f"{name} = {code}")
        return name

    # -- table cells and tier bounds
    def bound_condition(self, subject: str, bound: ast.Bound) -> str:
        if isinstance(bound, ast.CompareBound):
            return f"{subject} {bound.op} {self.code(bound.value)}"
        if isinstance(bound, ast.RangeBound):
            return f"{self.code(bound.low)} <= {subject} <= {self.code(bound.high)}"
        return f"{subject} == {self.code(bound.value)}"

    def cell_condition(self, cell: ast.Cell, subject: str, subject_expr: ast.Expr) -> str:
        subject_type = strip_optional(self.types[id(subject_expr)])
        if isinstance(cell, ast.AnyCell):
            return "True"
        if isinstance(cell, ast.EqualCell):
            return f"{subject} == {self.coerce(cell.value, subject_type)}"
        if isinstance(cell, ast.CompareCell):
            return f"({subject} is not None and {subject} {cell.op} {self.code(cell.value)})"
        if isinstance(cell, ast.RangeCell):
            return f"({subject} is not None and {self.code(cell.low)} <= {subject} <= {self.code(cell.high)})"
        container = strip_optional(self.types[id(cell.value)])
        if isinstance(container, SetT) and container.names:
            test = f"_name_in({subject}, {self.code(cell.value)})"
        elif isinstance(container, SetT) and isinstance(strip_optional(container.element), DurationT) \
                and strip_optional(container.element).clock is not None \
                and isinstance(subject_type, DurationT) and subject_type.clock is None:
            test = f"_clock_in({subject}, {strip_optional(container.element).clock!r}, {self.code(cell.value)})"
        else:
            test = f"{subject} in {self.code(cell.value)}"
        return f"(not {test})" if cell.negated else test

    def constant_output(self, output: ast.Expr, type_: Type) -> Any:
        """A literal output as the value the decision holds, or NOT_LITERAL."""
        value = literal_value(output)
        goal = strip_optional(type_)
        if value is NOT_LITERAL and not isinstance(goal, MoneyT):
            return constant_value(self, output, type_)  # folded at load, as `-1` is
        if value is NOT_LITERAL or value is None:
            return value
        if isinstance(goal, DurationT) and goal.clock is None and isinstance(output, ast.Quantity):
            return (output.clock, value)
        if isinstance(goal, MoneyT):
            return NOT_LITERAL  # money is rounded to cents where it is decided; keep the general path
        return value

    # -- what traces say
    def rule_info(self, node: Any, citation: ast.Citation | None, role: str, decision: Definition,
                  extra: Any = None) -> RuleInfo:
        """What a trace says of a rule; `extra` is what was read to choose it (a table's columns)."""
        paths = self.paths_of(extra) + self.paths_of(node)
        words = self.words.rule(node, role, decision, extra) if self.words is not None else None
        return RuleInfo(self.text_of(node, citation), _cites(citation) or _cites(decision.citation),
                        node.span.location(), tuple(dict.fromkeys(paths)), role, self.decisions_read(node, extra),
                        words)

    def decisions_read(self, *nodes: Any) -> tuple[str, ...]:
        """The kind's decisions and lets that these nodes read."""
        found: list[str] = []
        _collect_names(nodes, found, frozenset())
        return tuple(dict.fromkeys(name for name in found if name in self.definitions))

    def text_of(self, node: Any, citation: ast.Citation | None) -> str:
        source = self.sources.get(node.span.file)
        if source is None:
            return ""
        end = citation.span.start if citation is not None and citation.span.start > node.span.start else node.span.end
        text = source.text[node.span.start:end]
        text = re.sub(r"#[^\n]*", "", text) if '"' not in text else text
        text = re.sub(r'\s(because|note)\s+"([^"\\\n]|\\.)*"', "", text)  # words for people, not the rule
        return " ".join(text.split())

    def paths_of(self, node: Any) -> tuple[Path, ...]:
        """The request paths an AST node reads, in order of appearance."""
        found: list[Path] = []
        collect_paths(node, found)
        return tuple(dict.fromkeys(found))


def collect_paths(node: Any, found: list[Path]) -> None:
    if node is None:
        return
    if isinstance(node, tuple):
        for item in node:
            collect_paths(item, found)
        return
    path = request_path(node) if hasattr(node, "span") else None
    if path:
        found.append(tuple(path))
        return
    if hasattr(node, "__dataclass_fields__"):
        for name in node.__dataclass_fields__:
            if name not in ("span", "citation"):
                collect_paths(getattr(node, name), found)


def _collect_names(node: Any, found: list[str], bound: frozenset[str]) -> None:
    """The names read, except those a comprehension binds (they shadow the kind's names inside it)."""
    if isinstance(node, tuple):
        for item in node:
            _collect_names(item, found, bound)
    elif isinstance(node, ast.Name):
        if node.name not in bound:
            found.append(node.name)
    elif isinstance(node, ast.Comprehension):
        _collect_names(node.source, found, bound)
        inner = bound | {node.variable}
        _collect_names((node.element, node.where) if node.where is not None else (node.element,), found, inner)
    elif isinstance(node, ast.Selection):
        _collect_names(node.source, found, bound)
        _collect_names(node.condition, found, bound | {node.variable})
    elif hasattr(node, "__dataclass_fields__"):
        for name in node.__dataclass_fields__:
            if name not in ("span", "citation"):
                _collect_names(getattr(node, name), found, bound)


def _cites(citation: ast.Citation | None) -> str | None:
    return citation.text if citation is not None else None
