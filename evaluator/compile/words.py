"""What explanations need of each rule, made while it compiles: its words, its conditions as code the
explanation can evaluate on its own, and the values at which each condition turns."""
from __future__ import annotations

from typing import Any, Callable

from ..explain.phrases import PhraseBuilder
from ..explain.rule_words import Phrase, Ref, RuleWords, Test
from ..language import ast
from ..language.types import UNKNOWN, BoolT, strip_optional
from .constants import NOT_LITERAL, literal_value


class RuleWordsBuilder:
    """RuleWords for the rules of one kind; `code` is the body compiler's expression compiler."""

    def __init__(self, phrases: PhraseBuilder, code: Callable[[ast.Expr], str],
                 cell_code: Callable[[ast.Cell, str, ast.Expr], str], bound_code: Callable[[str, ast.Bound], str],
                 set_members: Callable[[str], tuple[str, ...]]):
        self.phrases = phrases
        self.code = code
        self.cell_code = cell_code
        self.bound_code = bound_code
        self.set_members = set_members

    def rule(self, node: Any, role: str, decision: Any, extra: Any) -> RuleWords:
        own = getattr(node, "reason", None)
        header = decision.reason.text if decision.reason is not None else None
        because = own.text if own is not None else None
        notes = tuple(note.text for note in getattr(node, "notes", ()))
        if role in ("rule", "base"):
            tests, logic = self.parts(node)
            return RuleWords(header, (), tests, (self.phrases.value(node),), logic=logic, choices=self.choices(node),
                             negated=(self.phrases.negated_value(node),))
        if role == "exception":
            tests = tuple(self.condition(part) for part in _conjuncts(node.condition))
            value_tests, value_logic = self.value_parts(node.value)
            return RuleWords(because, notes, tests, (self.phrases.value(node.value),),
                             negated=(self.phrases.negated_value(node.value),), value_tests=value_tests,
                             value_logic=value_logic)
        if role == "tier":
            test = self.tier(extra, node.bound)
            subject = self.phrases.subject(extra)
            return RuleWords(because or header, notes, (test,), (self.phrases.value(node.value),),
                             _valued(subject), self.phrases.ref(extra, "both"))
        if role == "row":
            tests = tuple(test for test in (self.cell(subject, cell) for subject, cell in zip(extra, node.cells))
                          if test is not None)
            value_tests, value_logic = self.value_parts(node.outputs[0]) if len(node.outputs) == 1 else ((), "")
            return RuleWords(because or header, notes, tests, tuple(self.phrases.value(o) for o in node.outputs),
                             negated=tuple(self.phrases.negated_value(o) for o in node.outputs),
                             value_tests=value_tests, value_logic=value_logic)
        if role == "fails":  # see part(): the compiler gives a part of `all of` its own words
            return RuleWords(None, (), (self.condition(node),), ())
        if role == "otherwise":
            return RuleWords(because or header, notes, (), tuple(self.phrases.value(o) for o in node.outputs))
        return RuleWords(header, (), (), ())

    def choices(self, expr: ast.Expr) -> tuple[str, ...]:
        """Which argument each `min`/`max` chose, as code: a higher allowance choosing 20% over USD 50,000
        changes a cap as surely as a table row does."""
        found: list[str] = []
        for call in _calls(expr):
            arguments = ", ".join(self.code(argument) for argument in call.arguments)
            found.append(f"[{arguments}].index({self.code(call)})")
        return tuple(found)

    def all_of(self, body: ast.AllOfBody, decision: Any) -> RuleWords:
        """`all of` when every part holds: the parts, which all held."""
        header = decision.reason.text if decision.reason is not None else None
        return RuleWords(header, (), tuple(self.condition(part.test) for part in body.parts), (), logic="and")

    def part(self, part: ast.ConditionPart) -> RuleWords:
        """A part of `all of` that does not hold: its own reason and notes, else its words negated."""
        return RuleWords(part.reason.text if part.reason is not None else None,
                         tuple(note.text for note in part.notes), (self.condition(part.test),), ())

    # -- conditions
    def parts(self, expr: ast.Expr) -> tuple[tuple[Test, ...], str]:
        """A yes/no rule's parts (`a and b`, `a or b`, or itself), so its reason can name the ones that decided."""
        if not isinstance(strip_optional(self.phrases.types.get(id(expr), UNKNOWN)), BoolT) \
                or isinstance(expr, (ast.Boolean, ast.Name)) and not _is_let(expr, self.phrases):
            return (), ""
        for op in ("and", "or"):
            if isinstance(expr, ast.Binary) and expr.op == op:
                return tuple(self.condition(part) for part in _chain(expr, op)), op
        return (self.condition(expr),), "one"

    def value_parts(self, expr: ast.Expr) -> tuple[tuple[Test, ...], str]:
        """A yes/no output's parts, as parts(), with `not (a and b)` read as `not a or not b`, so the
        explanation names the part that decided."""
        negate = False
        while isinstance(expr, ast.Unary) and expr.op == "not":
            expr, negate = expr.operand, not negate
        tests, logic = self.parts(expr)
        if not negate:
            return tests, logic
        flipped = tuple(Test(test.negated, test.phrase, f"not ({test.code})", test.subject, test.targets,
                             test.set_ref, not test.negated_set) for test in tests if test.negated)
        if len(flipped) != len(tests):
            return (), ""
        return flipped, {"and": "or", "or": "and"}.get(logic, logic)

    def condition(self, expr: ast.Expr) -> Test:
        subject, targets, set_ref, negated = self.turns(expr)
        return Test(self.phrases.condition(expr), self.phrases.condition(expr, negate=True), self.code(expr),
                    subject, targets, set_ref, negated)

    def tier(self, subject: ast.Expr, bound: ast.Bound) -> Test:
        code = self.bound_code(f"({self.code(subject)})", bound)
        values = [getattr(bound, name) for name in ("value", "low", "high") if hasattr(bound, name)]
        targets = tuple(v for v in (literal_value(value) for value in values) if v is not NOT_LITERAL)
        phrase = self.phrases.bound(subject, bound)
        return Test(phrase, ("not: ",) + phrase, code, self.phrases.ref(subject, "both"), targets)

    def cell(self, subject: ast.Expr, cell: ast.Cell) -> Test | None:
        phrase = self.phrases.cell(subject, cell)
        if phrase is None:
            return None
        code = self.cell_code(cell, f"({self.code(subject)})", subject)
        targets: tuple = ()
        set_ref = None
        value = getattr(cell, "value", None)
        if isinstance(cell, ast.RangeCell):
            targets = tuple(v for v in (literal_value(cell.low), literal_value(cell.high)) if v is not NOT_LITERAL)
        elif value is not None:
            targets, set_ref = self.operand_targets(value)
        return Test(phrase, self.phrases.cell(subject, cell, negate=True) or (), code,
                    self.phrases.ref(_unwrapped(subject), "both"), targets, set_ref,
                    isinstance(cell, ast.InCell) and cell.negated)

    def turns(self, expr: ast.Expr) -> tuple[Ref | None, tuple, Ref | None, bool]:
        """What a condition tests, the values at which it turns, the set it consults, whether negated."""
        negated = False
        while isinstance(expr, ast.Unary) and expr.op == "not":
            expr, negated = expr.operand, not negated
        if isinstance(expr, ast.Binary) and expr.op in ("==", "!=", "<", "<=", ">", ">=", "in", "not in",
                                                        "contains word"):
            left, right = expr.left, expr.right
            if expr.op in ("in", "not in") and self.phrases.ref(right, "both") is not None \
                    and self.phrases.ref(right, "both").what == "request":
                left, right = right, left  # `"uer" in request.offerings`: the list is what is tested
            targets, set_ref = self.operand_targets(right)
            return self.phrases.ref(_unwrapped(left), "both"), targets, set_ref, negated != (expr.op == "not in")
        if isinstance(expr, ast.Presence):
            return self.phrases.ref(expr.operand, "both"), (None,), None, negated
        ref = self.phrases.ref(expr, "both")
        return ref, ((True, False) if ref is not None else ()), None, negated

    def operand_targets(self, value: ast.Expr) -> tuple[tuple, Ref | None]:
        literal = literal_value(value)
        if literal is not NOT_LITERAL:
            return (literal,), None
        if isinstance(value, ast.SetLiteral):
            found = tuple(v for v in (literal_value(item) for item in value.items) if v is not NOT_LITERAL)
            return found, None
        if isinstance(value, ast.Name):
            ref = self.phrases.set_words(value.name)
            if ref is not None:
                return self.set_members(value.name), ref
        return (), None


def _calls(node: Any) -> list[ast.Call]:
    """The `min` and `max` calls of two or more arguments in an expression, outermost first."""
    found: list[ast.Call] = []
    if isinstance(node, ast.Call) and node.function in ("min", "max") and len(node.arguments) > 1:
        found.append(node)
    if isinstance(node, tuple):
        for item in node:
            found.extend(_calls(item))
    elif isinstance(node, ast.Comprehension):
        found.extend(_calls(node.source))  # inside, a call reads the bound variable: no one choice to name
    elif hasattr(node, "__dataclass_fields__"):
        for name in node.__dataclass_fields__:
            if name not in ("span", "citation", "reason", "notes"):
                found.extend(_calls(getattr(node, name)))
    return found


def _unwrapped(expr: ast.Expr) -> ast.Expr:
    """`request.x if absent y` tests `request.x`."""
    return expr.value if isinstance(expr, ast.IfAbsent) else expr


def _chain(expr: ast.Expr, op: str) -> list[ast.Expr]:
    if isinstance(expr, ast.Binary) and expr.op == op:
        return _chain(expr.left, op) + _chain(expr.right, op)
    return [expr]


def _is_let(expr: ast.Expr, phrases: PhraseBuilder) -> bool:
    return isinstance(expr, ast.Name) and expr.name in phrases.definitions


def _conjuncts(expr: ast.Expr) -> list[ast.Expr]:
    if isinstance(expr, ast.Binary) and expr.op == "and":
        return _conjuncts(expr.left) + _conjuncts(expr.right)
    return [expr]


def _valued(phrase: Phrase) -> Phrase:
    """A subject said with its value ("notice 9 days") rather than by name alone."""
    return tuple(Ref(part.what, part.key, part.words, part.type, "both") if isinstance(part, Ref) and
                 part.what in ("request", "name") else part for part in phrase)
