"""Checked AST → straight-line Python, one function per request kind.

The generated source is built only from checked AST nodes: names are identifiers the grammar admitted
(prefixed so they cannot clash with Python), and every literal is a constant object handed to the
generated module, never pasted text.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Callable

from ..language import ast
from . import runtime
from ..calendar.hours import BusinessHours, Narrator
from ..language.check import CheckedRuleSet, KindInfo, request_path
from ..language.source import Source
from ..language.types import (
    DateT, DecimalT, DurationT, MoneyT, OptionalT, PercentT, RecordT, SetT,
    TimestampT, Type, strip_optional,
)
from ..language.typing_rules import quantity_count

Path = tuple[str, ...]
Definition = ast.Decision | ast.LetDecl


@dataclass(frozen=True)
class RuleInfo:
    """One rule, exception, tier or table row a decision can fire: for traces and explanations."""

    text: str
    cites: str | None
    source: str
    inputs: tuple[Path, ...]
    role: str  # rule | base | exception | tier | row | otherwise | none
    uses: tuple[str, ...] = ()  # the decisions and lets it reads


@dataclass(frozen=True)
class DecisionInfo:
    """A decision or `let` (or the values of one table) with every rule that can decide it."""

    names: tuple[str, ...]
    types: tuple[Type, ...]
    cites: str | None
    source: str
    inputs: tuple[Path, ...]
    rules: dict[int, RuleInfo]
    reported: bool  # a decision, rather than a `let`


@dataclass(frozen=True)
class RequirementInfo:
    """A condition on the request, reported at a JSON pointer when it fails."""

    path: Path
    message: str
    cites: str | None
    source: str


@dataclass(frozen=True)
class KindPlan:
    """Everything a compiled kind is made of that can be stored: its generated source and what traces need."""

    name: str
    source_code: str
    definitions: tuple[DecisionInfo, ...]
    requirement_infos: tuple[RequirementInfo, ...]
    names: tuple[str, ...]
    types: tuple[Type, ...]
    reported: tuple[tuple[str, int, Callable[[Any], Any] | None], ...]
    calendar: BusinessHours | None
    location: Path
    notes: tuple[str, ...] = ()


@dataclass
class CompiledKind:
    """A request kind's compiled decisions, ready to evaluate many requests.

    `decide(request)` returns the values of every decision and `let` (in `names` order) and, per
    definition (in `definitions` order), the index of the rule that decided it.
    """

    name: str
    decide: Callable[[dict], tuple[tuple, tuple]]
    requirements: Callable[[dict], list[int]]
    definitions: tuple[DecisionInfo, ...]
    requirement_infos: tuple[RequirementInfo, ...]
    names: tuple[str, ...]
    types: tuple[Type, ...]
    # (name, position in the values, converter to a plain Python value) of each reported decision
    reported: tuple[tuple[str, int, Callable[[Any], Any] | None], ...]
    source_code: str
    calendar: BusinessHours | None = None
    location: Path = ()
    decide_narrated: Callable[[dict], tuple[tuple, tuple, dict[str, list[str]]]] | None = None
    notes: tuple[str, ...] = ()
    position: dict[str, int] = field(default_factory=dict)  # where each name's value is in `decide`'s result

    def __post_init__(self) -> None:
        self.position = {name: index for index, name in enumerate(self.names)}


NO_RULE = -2  # the trace index when no row matched and the table has no `otherwise`


def compile_rule_set(checked: CheckedRuleSet, sources: dict[str, Source]) -> tuple[dict[str, KindPlan], dict[str, Any]]:
    """A plan per kind and the constants their generated code names."""
    constants = _Constants()
    globals_ = _global_values(checked, constants)
    for name, declaration in checked.calendars.items():
        globals_[name] = constants.name(BusinessHours.from_declaration(declaration))
    plans = {name: _KindCompiler(kind, checked, sources, constants, globals_).compile()
             for name, kind in sorted(checked.kinds.items())}
    return plans, constants.values


def instantiate(plan: KindPlan, constants: dict[str, Any]) -> CompiledKind:
    """Turn a plan into callable Python: the source is generated from checked AST nodes only (module docstring)."""
    namespace: dict[str, Any] = {"__builtins__": {"min": min, "max": max, "sum": sum, "any": any, "int": int,
                                                  "all": all, "len": len, "abs": abs, "frozenset": frozenset}}
    namespace.update(_RUNTIME_NAMES)
    namespace.update(constants)
    exec(compile(plan.source_code, f"<vilkar kind {plan.name}>", "exec"), namespace)
    return CompiledKind(plan.name, namespace["decide"], namespace["requirements"], plan.definitions,
                        plan.requirement_infos, plan.names, plan.types, plan.reported, plan.source_code,
                        plan.calendar, plan.location, namespace.get("decide_narrated"), plan.notes)


class _Constants:
    """Literal values handed to generated code as named constants."""

    def __init__(self) -> None:
        self.values: dict[str, Any] = {}
        self._names: dict[tuple[type, Any], str] = {}

    def name(self, value: Any) -> str:
        if isinstance(value, dict):  # lookup tables are not shared
            name = f"k{len(self._names)}"
            self._names[(dict, name)] = name
            self.values[name] = value
            return name
        key = (type(value), value if not isinstance(value, (set, frozenset)) else tuple(sorted(map(str, value))))
        if key not in self._names:
            name = f"k{len(self._names)}"
            self._names[key] = name
            self.values[name] = value
        return self._names[key]


def _global_values(checked: CheckedRuleSet, constants: _Constants) -> dict[str, str]:
    """Evaluate the rule set's sets and global lets once; name → constant name."""
    values: dict[str, Any] = {}

    def value_of(name: str) -> Any:
        if name not in values:
            decl = checked.sets.get(name) or checked.lets[name]
            value = _constant_value(decl.value if isinstance(decl, ast.SetDecl) else decl.body.value, checked,
                                    value_of)
            if isinstance(decl, ast.SetDecl) and decl.names:
                value = frozenset(runtime.product_name(v) for v in value)
            values[name] = value
        return values[name]

    return {name: constants.name(value_of(name)) for name in list(checked.sets) + list(checked.lets)}


def _constant_value(expr: ast.Expr, checked: CheckedRuleSet, value_of: Callable[[str], Any]) -> Any:
    """The value of an expression that does not read the request: sets, unions, literals."""
    literal = _literal_value(expr)
    if literal is not _NOT_LITERAL:
        return literal
    if isinstance(expr, ast.SetLiteral):
        return frozenset(_constant_value(item, checked, value_of) for item in expr.items)
    if isinstance(expr, ast.Name):
        return value_of(expr.name)
    if isinstance(expr, ast.Binary) and expr.op == "+":
        left = _constant_value(expr.left, checked, value_of)
        right = _constant_value(expr.right, checked, value_of)
        return left | right if isinstance(left, frozenset) else left + right
    if isinstance(expr, ast.Binary) and expr.op == "-":
        return _constant_value(expr.left, checked, value_of) - _constant_value(expr.right, checked, value_of)
    if isinstance(expr, ast.Binary) and expr.op == "*":
        return _constant_value(expr.left, checked, value_of) * _constant_value(expr.right, checked, value_of)
    raise _NotConstant(expr)


class _NotConstant(Exception):
    def __init__(self, expr: ast.Expr):
        super().__init__(f"not a constant: {expr}")
        self.expr = expr


_NOT_LITERAL = object()


def _literal_value(expr: ast.Expr) -> Any:
    if isinstance(expr, ast.Number):
        return int(expr.value) if expr.is_integer else expr.value
    if isinstance(expr, ast.Quantity):
        return int(quantity_count(expr))
    if isinstance(expr, ast.Percent):
        return runtime.plain_number(expr.value)
    if isinstance(expr, ast.Money):
        return expr.amount
    if isinstance(expr, ast.DateLiteral):
        return dt.date.fromisoformat(expr.value)
    if isinstance(expr, (ast.String, ast.Boolean)):
        return expr.value
    if isinstance(expr, ast.Nothing):
        return None
    return _NOT_LITERAL


_RUNTIME_NAMES = {
    "_date": runtime.to_date, "_timestamp": runtime.to_timestamp, "_decimal": runtime.to_decimal,
    "_money": runtime.money, "_money_any": runtime.money_any, "_cents": runtime.cents, "_share": runtime.share,
    "_div": runtime.divide, "_ceil": runtime.ceil, "_floor": runtime.floor, "_round": runtime.round_half_up,
    "_if_absent": runtime.if_absent, "_add_days": runtime.add_days, "_days_between": runtime.days_between,
    "_add_minutes": runtime.add_minutes, "_minutes_between": runtime.minutes_between,
    "_name_in": runtime.name_in, "_contains_word": runtime.contains_word, "_ZERO": runtime.ZERO,
    "_EXACT": runtime.EXACT, "_decimal_sum": runtime.decimal_sum,
    "_min_present": runtime.min_present, "_max_present": runtime.max_present, "_Narrator": Narrator,
}

# Arithmetic on exact decimals goes through the runtime's context rather than Python's operators.
_EXACT_METHODS = {"+": "_EXACT.add", "-": "_EXACT.subtract", "*": "_EXACT.multiply"}


class _KindCompiler:
    def __init__(self, kind: KindInfo, checked: CheckedRuleSet, sources: dict[str, Source],
                 constants: _Constants, globals_: dict[str, str]):
        self.kind = kind
        self.checked = checked
        self.types = checked.types
        self.sources = sources
        self.constants = constants
        self.globals = globals_
        self.lines: list[str] = []
        self.inputs: dict[Path, str] = {}
        self.temp_count = 0

    # -- driver
    def compile(self) -> KindPlan:
        decide, definitions = self.decide_source(narrated=False)
        # With a calendar, a second version notes how business time was counted, for explanations only.
        narrated = self.decide_source(narrated=True)[0] if self.kind.calendar else ""
        self.inputs = {}
        requirement_body, requirement_infos = self.requirements_function()
        requirement_inputs = self.input_bindings()
        requirement_lines = ["    failed = []"] + requirement_inputs + requirement_body + ["    return failed"]
        source = "\n".join([decide, narrated, f"def requirements(r{_local_names(requirement_lines)}):"]
                           + requirement_lines + [""])
        names = tuple(name for info in definitions for name in info.names)
        types = tuple(type_ for info in definitions for type_ in info.types)
        position = {name: index for index, name in enumerate(names)}
        reported = tuple((name, position[name], _output_converter(self.kind.value_types[name]))
                         for decision in self.kind.decisions for name in decision.names)
        calendar = self.constants.values[self.globals[self.kind.calendar]] if self.kind.calendar else None
        location = tuple(request_path(self.kind.location) or ()) if self.kind.location is not None else ()
        return KindPlan(self.kind.name, source, tuple(definitions), tuple(requirement_infos), names, types,
                        reported, calendar, location, tuple(self.kind.notes))

    def emit(self, line: str, depth: int = 1) -> None:
        self.lines.append("    " * depth + line)

    def temp(self) -> str:
        self.temp_count += 1
        return f"_t{self.temp_count}"

    # -- decisions
    def decide_source(self, narrated: bool) -> tuple[str, list[DecisionInfo]]:
        self.inputs = {}
        body, definitions, trace_names, value_names = self.decide_function(narrated)
        values = "".join(v + ", " for v in value_names)
        traces = "".join(t + ", " for t in trace_names)
        if narrated:
            head, tail = "def decide_narrated(r", f"    return ({values}), ({traces}), _cal.notes"
        else:
            head, tail = "def decide(r", f"    return ({values}), ({traces})"
        lines = self.input_bindings() + body + [tail]
        return "\n".join([head + _local_names(lines) + "):"] + lines + [""]), definitions

    def decide_function(self, narrated: bool = False) -> tuple[list[str], list[DecisionInfo], list[str], list[str]]:
        """Every decision and let, each after what it reads, recording the rule that fired."""
        self.lines = []
        self.bind_calendar(narrated)
        infos: list[DecisionInfo] = []
        trace_names: list[str] = []
        value_names: list[str] = []
        for definition in self.kind.order:
            reported = isinstance(definition, ast.Decision)
            trace = f"tr_{definition.names[0]}"
            if narrated:
                self.emit(f"_cal.current = {definition.names[0]!r}")  # a name the grammar admitted
            targets = [_variable_of(definition, n) for n in definition.names]
            types = [self.kind.value_types[n] for n in definition.names]
            rules = self.body(definition, targets, types, trace)
            for target, type_ in zip(targets, types):
                if reported and isinstance(strip_optional(type_), MoneyT) and strip_optional(type_).currency:
                    self.emit(f"{target} = _cents({target})")
                if isinstance(strip_optional(type_), TimestampT) and self.kind.calendar:
                    self.emit(f"{target} = _cal.local({target})")  # timestamps are reported at the location
            infos.append(DecisionInfo(definition.names, tuple(types), _cites(definition.citation),
                                      definition.span.location(), self.paths_of(definition.body), rules, reported))
            trace_names.append(trace)
            value_names.extend(targets)
        return self.lines, infos, trace_names, value_names

    def bind_calendar(self, narrated: bool = False) -> None:
        if self.kind.calendar is not None:
            calendar = f"{self.globals[self.kind.calendar]}.at({self.expr(self.kind.location)})"
            self.emit(f"_cal = _Narrator({calendar})" if narrated else f"_cal = {calendar}")

    def body(self, decision: Definition, targets: list[str], types: list[Type],
             trace: str) -> dict[int, RuleInfo]:
        body = decision.body
        if isinstance(body, ast.RuleBody):
            return self.rule_body(decision, body, targets[0], types[0], trace)
        if isinstance(body, ast.TiersBody):
            return self.tiers_body(decision, body, targets[0], types[0], trace)
        return self.match_body(decision, body, targets, types, trace)

    def rule_body(self, decision: Definition, body: ast.RuleBody, target: str, type_: Type,
                  trace: str) -> dict[int, RuleInfo]:
        if body.exceptions:
            # the base rule decides only when every exception was tried and failed: it read them all
            conditions = tuple(exception.condition for exception in body.exceptions)
            rules = {-1: self.rule_info(body.value, decision.citation, "base", decision, extra=conditions)}
        else:
            rules = {-1: self.rule_info(body.value, decision.citation, "rule", decision)}
        if not body.exceptions:
            self.emit(f"{target} = {self.coerce(body.value, type_)}")
            self.emit(f"{trace} = -1")
            return rules
        keyword = "if"
        for index, exception in enumerate(body.exceptions):
            self.emit(f"{keyword} {self.condition(exception.condition)}:")
            self.emit(f"{target} = {self.coerce(exception.value, type_)}", 2)
            self.emit(f"{trace} = {index}", 2)
            rules[index] = self.rule_info(exception, exception.citation, "exception", decision)
            keyword = "elif"
        self.emit("else:")
        self.emit(f"{target} = {self.coerce(body.value, type_)}", 2)
        self.emit(f"{trace} = -1", 2)
        return rules

    def tiers_body(self, decision: Definition, body: ast.TiersBody, target: str, type_: Type,
                   trace: str) -> dict[int, RuleInfo]:
        subject = self.bound(body.subject)
        rules: dict[int, RuleInfo] = {}
        keyword = "if"
        for index, row in enumerate(body.rows):
            self.emit(f"{keyword} {self.bound_condition(subject, row.bound)}:")
            self.emit(f"{target} = {self.coerce(row.value, type_)}", 2)
            self.emit(f"{trace} = {index}", 2)
            rules[index] = self.rule_info(row, row.citation, "tier", decision, extra=body.subject)
            keyword = "elif"
        self.otherwise(decision, body.otherwise, [target], [type_], trace, len(body.rows), rules, body.subject)
        return rules

    def match_body(self, decision: Definition, body: ast.MatchBody, targets: list[str], types: list[Type],
                   trace: str) -> dict[int, RuleInfo]:
        subjects = [(self.bound(subject), subject) for subject in body.subjects]
        rules: dict[int, RuleInfo] = {}
        if self.lookup_table(decision, body, targets, types, trace, subjects, rules):
            return rules
        keyword = "if"
        for index, row in enumerate(body.rows):
            conditions = [self.cell_condition(cell, name, subject)
                          for cell, (name, subject) in zip(row.cells, subjects)]
            conditions = [c for c in conditions if c != "True"] or ["True"]
            self.emit(f"{keyword} {' and '.join(conditions)}:")
            for target, type_, output in zip(targets, types, row.outputs):
                self.emit(f"{target} = {self.coerce(output, type_)}", 2)
            self.emit(f"{trace} = {index}", 2)
            rules[index] = self.rule_info(row, row.citation, "row", decision, extra=body.subjects)
            keyword = "elif"
        self.otherwise(decision, body.otherwise, targets, types, trace, len(body.rows), rules, extra=body.subjects)
        return rules

    def bound(self, expr: ast.Expr) -> str:
        """A name holding the expression's value: the expression itself if it is a name already."""
        code = self.expr(expr)
        if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", code):
            return code
        name = self.temp()
        self.emit(f"{name} = {code}")
        return name

    def lookup_table(self, decision: Definition, body: ast.MatchBody, targets: list[str], types: list[Type],
                     trace: str, subjects: list[tuple[str, ast.Expr]], rules: dict[int, RuleInfo]) -> bool:
        """A table of literal cells and literal outputs becomes one dictionary lookup instead of a row scan."""
        keys, values = [], []
        for row in body.rows:
            cells = [_literal_value(cell.value) if isinstance(cell, ast.EqualCell) else _NOT_LITERAL
                     for cell in row.cells]
            outputs = [self.constant_output(output, type_) for output, type_ in zip(row.outputs, types)]
            if _NOT_LITERAL in cells or _NOT_LITERAL in outputs or any(isinstance(c, Decimal) for c in cells):
                return False
            keys.append(tuple(cells) if len(cells) > 1 else cells[0])
            values.append(tuple(outputs))
        if body.otherwise is not None:
            missing = [self.constant_output(output, type_) for output, type_ in zip(body.otherwise.outputs, types)]
            if _NOT_LITERAL in missing:
                return False
            rules[len(body.rows)] = self.rule_info(body.otherwise, body.otherwise.citation, "otherwise", decision,
                                                   extra=body.subjects)
            miss = (*missing, len(body.rows))
        else:
            rules[NO_RULE] = RuleInfo("no row applies", None, decision.span.location(), self.paths_of(body.subjects),
                                      "none", self.decisions_read(body.subjects))
            miss = (*(None for _ in targets), NO_RULE)
        lookup: dict[Any, tuple] = {}
        for index, (key, value) in enumerate(zip(keys, values)):
            lookup.setdefault(key, (*value, index))  # the first matching row decides
            rules[index] = self.rule_info(body.rows[index], body.rows[index].citation, "row", decision,
                                          extra=body.subjects)
        key = "(" + ", ".join(name for name, _ in subjects) + ",)" if len(subjects) > 1 else subjects[0][0]
        self.emit(f"{', '.join(targets)}, {trace} = {self.constants.name(lookup)}.get({key}, "
                  f"{self.constants.name(miss)})")
        return True

    def constant_output(self, output: ast.Expr, type_: Type) -> Any:
        """A literal output as the value the decision holds, or _NOT_LITERAL."""
        value = _literal_value(output)
        if value is _NOT_LITERAL or value is None:
            return value
        goal = strip_optional(type_)
        if isinstance(goal, DurationT) and goal.clock is None and isinstance(output, ast.Quantity):
            return (output.clock, value)
        if isinstance(goal, MoneyT) or isinstance(value, (frozenset, dict)):
            return _NOT_LITERAL  # money is rounded to cents where it is decided; keep the general path
        return value

    def otherwise(self, decision: Definition, row: ast.OtherwiseRow | None, targets: list[str],
                  types: list[Type], trace: str, index: int, rules: dict[int, RuleInfo],
                  extra: Any = None) -> None:
        self.emit("else:")
        if row is None:
            for target in targets:
                self.emit(f"{target} = None", 2)
            self.emit(f"{trace} = {NO_RULE}", 2)
            rules[NO_RULE] = RuleInfo("no row applies", None, decision.span.location(), self.paths_of(extra),
                                      "none", self.decisions_read(extra))
            return
        for target, type_, output in zip(targets, types, row.outputs):
            self.emit(f"{target} = {self.coerce(output, type_)}", 2)
        self.emit(f"{trace} = {index}", 2)
        rules[index] = self.rule_info(row, row.citation, "otherwise", decision, extra=extra)

    def rule_info(self, node: Any, citation: ast.Citation | None, role: str, decision: Definition,
                  extra: Any = None) -> RuleInfo:
        """What a trace says of a rule; `extra` is what was read to choose it (a table's columns)."""
        paths = self.paths_of(extra) + self.paths_of(node)
        return RuleInfo(self.text_of(node, citation), _cites(citation) or _cites(decision.citation),
                        node.span.location(), tuple(dict.fromkeys(paths)), role, self.decisions_read(node, extra))

    def decisions_read(self, *nodes: Any) -> tuple[str, ...]:
        """The kind's decisions and lets that these nodes read."""
        found: list[str] = []
        _collect_names(nodes, found)
        decisions = []
        for name in found:
            if name in self.kind.definitions and name not in decisions:
                decisions.append(name)
        return tuple(decisions)

    def text_of(self, node: Any, citation: ast.Citation | None) -> str:
        source = self.sources.get(node.span.file)
        if source is None:
            return ""
        end = citation.span.start if citation is not None and citation.span.start > node.span.start else node.span.end
        text = source.text[node.span.start:end]
        text = re.sub(r"#[^\n]*", "", text) if '"' not in text else text
        return " ".join(text.split())

    def paths_of(self, node: Any) -> tuple[Path, ...]:
        """The request paths an AST node reads, in order of appearance."""
        found: list[Path] = []
        _collect_paths(node, found)
        return tuple(dict.fromkeys(found))

    # -- requirements
    def requirements_function(self) -> tuple[list[str], list[RequirementInfo]]:
        self.lines = []
        infos = []
        for index, requirement in enumerate(self.kind.requirements):
            condition = f"not ({self.condition(requirement.condition)})"
            if requirement.when is not None:
                condition = f"({self.condition(requirement.when)}) and {condition}"
            self.emit(f"if {condition}:")
            self.emit(f"failed.append({index})", 2)
            infos.append(RequirementInfo(tuple(request_path(requirement.at) or ()), requirement.message,
                                         _cites(requirement.citation), requirement.span.location()))
        if any("_cal." in line for line in self.lines):  # only a requirement on business time needs the calendar
            checks = self.lines
            self.lines = []
            self.bind_calendar()
            self.lines += checks
        return self.lines, infos

    # -- request inputs
    def input(self, path: Path) -> str:
        if path not in self.inputs:
            self.inputs[path] = "i_" + "__".join(path)
        return self.inputs[path]

    def input_bindings(self) -> list[str]:
        lines = []
        for path, name in sorted(self.inputs.items()):
            lines.append(f"    {name} = {self.read_path(path)}")
        return lines

    def read_path(self, path: Path) -> str:
        """Python that reads a request path, converting its value by type, None where it is absent."""
        record: Type = self.kind.request
        code = "r"
        optional_seen = False
        for index, part in enumerate(path):
            assert isinstance(record, RecordT)
            field_type = record.field(part)
            key = repr(part)  # part is a schema field name the grammar admitted as an identifier
            if optional_seen or isinstance(field_type, OptionalT):
                code = f"({code} or {{}}).get({key})" if optional_seen else f"{code}.get({key})"
                optional_seen = True
            else:
                code = f"{code}[{key}]"
            record = strip_optional(field_type)
        return self.convert(code, record, optional_seen)

    def convert(self, code: str, type_: Type, may_be_none: bool) -> str:
        converter = {DateT: "_date", TimestampT: "_timestamp", DecimalT: "_decimal"}.get(type(type_))
        if isinstance(type_, MoneyT):
            converter = "_money" if type_.currency else "_money_any"
        if converter is None:
            return code
        if may_be_none:
            temp = self.temp()
            return f"(None if ({temp} := {code}) is None else {converter}({temp}))"
        return f"{converter}({code})"

    # -- expressions
    def type_of(self, expr: ast.Expr) -> Type:
        return self.types[id(expr)]

    def condition(self, expr: ast.Expr) -> str:
        return self.expr(expr)

    def comparable(self, left: ast.Expr, right: ast.Expr) -> tuple[str, str]:
        """Both sides in one representation: a duration of known clock meets one of per-request clock."""
        for goal_side in (left, right):
            goal = strip_optional(self.type_of(goal_side))
            if isinstance(goal, DurationT) and goal.clock is None:
                return self.coerce(left, goal), self.coerce(right, goal)
        return self.expr(left), self.expr(right)

    def coerce(self, expr: ast.Expr, target: Type) -> str:
        """An expression's code, widened to the representation of the target type."""
        code = self.expr(expr)
        source = strip_optional(self.type_of(expr))
        goal = strip_optional(target)
        if isinstance(goal, DurationT) and goal.clock is None and isinstance(source, DurationT) \
                and source.clock is not None:
            clock = self.constants.name(source.clock)
            return f"({clock}, {code})" if not isinstance(self.type_of(expr), OptionalT) else \
                f"(None if ({(t := self.temp())} := {code}) is None else ({clock}, {t}))"
        return code

    def expr(self, expr: ast.Expr) -> str:
        literal = _literal_value(expr)
        if literal is not _NOT_LITERAL:
            if literal is None or isinstance(literal, bool):
                return repr(literal)
            return self.constants.name(literal)
        path = request_path(expr)
        if path is not None and path:
            return self.input(tuple(path))
        method = getattr(self, "expr_" + type(expr).__name__.lower())
        return method(expr)

    def expr_name(self, expr: ast.Name) -> str:
        if expr.name in self.kind.definitions:
            return _variable_of(self.kind.definitions[expr.name], expr.name)
        if expr.name in self.globals:
            return self.globals[expr.name]
        return _variable(expr.name)

    def expr_field(self, expr: ast.Field) -> str:
        record = strip_optional(self.type_of(expr.base))
        assert isinstance(record, RecordT)
        field_type = record.field(expr.name)
        base = self.expr(expr.base)
        key = repr(expr.name)  # a field name the checker found in the schema
        if isinstance(self.type_of(expr.base), OptionalT) or isinstance(field_type, OptionalT):
            temp = self.temp()
            code = f"(None if ({temp} := {base}) is None else {temp}.get({key}))"
            return self.convert(code, strip_optional(field_type), True)
        return self.convert(f"{base}[{key}]", field_type, False)

    def expr_setliteral(self, expr: ast.SetLiteral) -> str:
        values = [_literal_value(item) for item in expr.items]
        if all(v is not _NOT_LITERAL for v in values):
            return self.constants.name(frozenset(values))
        return f"frozenset(({''.join(self.expr(item) + ', ' for item in expr.items)}))"

    def expr_unary(self, expr: ast.Unary) -> str:
        if expr.op == "not":
            return f"(not {self.expr(expr.operand)})"
        if _is_exact(self.type_of(expr)):
            return f"_EXACT.minus({self.expr(expr.operand)})"
        return f"(-{self.expr(expr.operand)})"

    def expr_presence(self, expr: ast.Presence) -> str:
        return f"({self.expr(expr.operand)} is {'not ' if expr.present else ''}None)"

    def expr_ifabsent(self, expr: ast.IfAbsent) -> str:
        return f"_if_absent({self.expr(expr.value)}, {self.expr(expr.fallback)})"

    def expr_conditional(self, expr: ast.Conditional) -> str:
        target = self.type_of(expr)
        return f"({self.coerce(expr.then, target)} if {self.expr(expr.condition)} else " \
               f"{self.coerce(expr.otherwise, target)})"

    def expr_convert(self, expr: ast.Convert) -> str:
        value = self.expr(expr.value)
        source = strip_optional(self.type_of(expr.value))
        if isinstance(source, DurationT) and source.clock is None:
            value = f"{value}[1]"
        if expr.unit == "hours":
            return f"_div({value}, 60)"
        if expr.unit == "weeks":
            return f"_div({value}, 7)"
        return value

    def expr_binary(self, expr: ast.Binary) -> str:
        op = expr.op
        left_type, right_type = self.type_of(expr.left), self.type_of(expr.right)
        left, right = self.expr(expr.left), self.expr(expr.right)
        if op in ("and", "or"):
            return f"({left} {op} {right})"
        if op in ("in", "not in"):
            container = strip_optional(right_type)
            if isinstance(container, SetT) and container.names:
                test = f"_name_in({left}, {right})"
                return test if op == "in" else f"(not {test})"
            return f"({left} {op} {right})"
        if op == "contains word":
            return f"_contains_word({left}, {right})"
        if op in ("==", "!=", "<", "<=", ">", ">="):
            left, right = self.comparable(expr.left, expr.right)
            return f"({left} {op} {right})"
        return self.arithmetic(op, left, right, strip_optional(left_type), strip_optional(right_type),
                               strip_optional(self.type_of(expr)))

    def arithmetic(self, op: str, left: str, right: str, left_type: Type, right_type: Type, result: Type) -> str:
        if op == "-" and isinstance(left_type, DateT) and isinstance(right_type, DateT):
            return f"_days_between({left}, {right})"
        if op == "-" and isinstance(left_type, TimestampT) and isinstance(right_type, TimestampT):
            return f"_minutes_between({left}, {right})"
        if isinstance(left_type, DateT) or isinstance(right_type, DateT):
            day, days = (left, right) if isinstance(left_type, DateT) else (right, left)
            duration = right_type if isinstance(left_type, DateT) else left_type
            if isinstance(duration, DurationT) and duration.clock == "business":
                return f"_cal.add_business_days_to_date({day}, {days})"
            return f"_add_days({day}, {days if op == '+' else '-' + days})"
        if isinstance(left_type, TimestampT):
            return self.moment_plus(left, right, right_type, op)
        if op == "of" or (op == "*" and PercentT in (type(left_type), type(right_type))):
            percent, value = (left, right) if isinstance(left_type, PercentT) else (right, left)
            return f"_share({percent}, {value})"
        if op == "/":
            return f"_div({left}, {right})"
        if op == "+" and isinstance(left_type, SetT):
            return f"({left} | {right})"
        if _is_exact(result):
            return f"{_EXACT_METHODS[op]}({left}, {right})"
        return f"({left} {op} {right})"

    def moment_plus(self, moment: str, duration: str, duration_type: Type, op: str) -> str:
        """A timestamp plus (or minus) a duration: elapsed time, local days, or business time."""
        assert isinstance(duration_type, DurationT)
        amount = duration if op == "+" else f"-{duration}"
        if duration_type.clock is None:
            return f"_cal.add_duration({moment}, {duration}, {self.constants.name(duration_type.scale)})"
        if duration_type.clock == "business":
            method = "add_business_minutes" if duration_type.scale == "minutes" else "add_business_days"
            return f"_cal.{method}({moment}, {duration})"
        if duration_type.scale == "days":
            return f"_cal.add_calendar_days({moment}, {amount})"
        return f"_add_minutes({moment}, {amount})"

    def expr_withinhours(self, expr: ast.WithinHours) -> str:
        return f"_cal.within({self.expr(expr.operand)})"

    def expr_nextbusinessstart(self, expr: ast.NextBusinessStart) -> str:
        return f"_cal.next_start({self.expr(expr.operand)})"

    def expr_call(self, expr: ast.Call) -> str:
        arguments = [self.expr(a) for a in expr.arguments]
        name = expr.function
        if name in ("min", "max"):
            # durations whose clock is known only per request are compared as (clock, count), same clock only
            arguments = [self.coerce(a, self.type_of(expr)) for a in expr.arguments]
            return f"_{name}_present(({', '.join(arguments)}, ))"
        if name == "clock":
            return f"{arguments[0]}[0]" if strip_optional(self.type_of(expr.arguments[0])).clock is None \
                else self.constants.name(strip_optional(self.type_of(expr.arguments[0])).clock)
        simple = {"ceil": "_ceil", "floor": "_floor", "round": "_round", "abs": "abs", "count": "len"}
        if name in simple:
            return f"{simple[name]}({arguments[0]})"
        if name == "amount":
            return f"{arguments[0]}[0]"
        if name == "currency":
            return f"{arguments[0]}[1]"
        if name == "local_date":
            return f"_cal.local_date({arguments[0]})"
        raise AssertionError(f"no code for function {name}")

    def expr_comprehension(self, expr: ast.Comprehension) -> str:
        variable = _variable(expr.variable)
        source = self.expr(expr.source)
        where = f" if {self.expr(expr.where)}" if expr.where is not None else ""
        element = self.expr(expr.element)
        generator = f"{element} for {variable} in {source}{where}"
        if expr.function == "sum":
            if _is_exact(self.type_of(expr)):
                return f"_decimal_sum(({generator}))"
            return f"sum(({generator}), 0)"
        if expr.function == "count":
            return f"sum((1 for {variable} in {source}{where}), 0)"
        if expr.function in ("any", "all"):
            return f"{expr.function}(({generator}))"
        return f"{expr.function}(({generator}), default=None)"

    # -- table cells and tier bounds
    def bound_condition(self, subject: str, bound: ast.Bound) -> str:
        if isinstance(bound, ast.CompareBound):
            return f"{subject} {bound.op} {self.expr(bound.value)}"
        if isinstance(bound, ast.RangeBound):
            return f"{self.expr(bound.low)} <= {subject} <= {self.expr(bound.high)}"
        return f"{subject} == {self.expr(bound.value)}"

    def cell_condition(self, cell: ast.Cell, subject: str, subject_expr: ast.Expr) -> str:
        if isinstance(cell, ast.AnyCell):
            return "True"
        if isinstance(cell, ast.EqualCell):
            return f"{subject} == {self.expr(cell.value)}"
        if isinstance(cell, ast.CompareCell):
            return f"({subject} is not None and {subject} {cell.op} {self.expr(cell.value)})"
        if isinstance(cell, ast.RangeCell):
            return f"({subject} is not None and {self.expr(cell.low)} <= {subject} <= {self.expr(cell.high)})"
        container = strip_optional(self.type_of(cell.value))
        if isinstance(container, SetT) and container.names:
            test = f"_name_in({subject}, {self.expr(cell.value)})"
        else:
            test = f"{subject} in {self.expr(cell.value)}"
        return f"(not {test})" if cell.negated else test


def _collect_paths(node: Any, found: list[Path]) -> None:
    if node is None:
        return
    if isinstance(node, tuple):
        for item in node:
            _collect_paths(item, found)
        return
    path = request_path(node) if hasattr(node, "span") else None
    if path:
        found.append(tuple(path))
        return
    if hasattr(node, "__dataclass_fields__"):
        for name in node.__dataclass_fields__:
            if name not in ("span", "citation"):
                _collect_paths(getattr(node, name), found)


_GLOBAL_NAME = re.compile(r"\b(k\d+|_[a-zA-Z][a-zA-Z_]*)\b")


def _local_names(lines: list[str]) -> str:
    """Keyword-only defaults that make the constants and helpers a function uses into fast locals."""
    used = sorted({match for line in lines for match in _GLOBAL_NAME.findall(line)
                   if match in _RUNTIME_NAMES or match.startswith("k")} - {"_cal"})
    return "".join(f", {name}={name}" for name in used)  # positional defaults: keyword-only ones cost a dict per call


def _is_exact(type_: Type) -> bool:
    """Values held as Decimal, whose arithmetic must not depend on the caller's decimal context."""
    return isinstance(strip_optional(type_), (MoneyT, DecimalT, PercentT))


def _collect_names(node: Any, found: list[str]) -> None:
    if isinstance(node, tuple):
        for item in node:
            _collect_names(item, found)
    elif isinstance(node, ast.Name):
        found.append(node.name)
    elif hasattr(node, "__dataclass_fields__"):
        for name in node.__dataclass_fields__:
            if name not in ("span", "citation"):
                _collect_names(getattr(node, name), found)


def _cites(citation: ast.Citation | None) -> str | None:
    return citation.text if citation is not None else None


def _variable_of(definition: ast.Decision | ast.LetDecl, name: str) -> str:
    return f"d_{name}" if isinstance(definition, ast.Decision) else f"l_{name}"


def _variable(name: str) -> str:
    return f"c_{name}"


def _output_converter(type_: Type) -> Callable[[Any], Any] | None:
    """How a decision's compiled value becomes a plain Python value in `Result.decisions`."""
    inner = strip_optional(type_)
    if isinstance(inner, (PercentT, DecimalT)):
        return runtime.plain_number
    if isinstance(inner, DurationT) and inner.clock is None:
        return duration_count
    if isinstance(inner, SetT):
        return sorted_set
    return None


def duration_count(value: tuple[str, int] | None) -> int | None:
    """A duration whose clock is known per request, reported as its count of minutes or days."""
    return None if value is None else value[1]


def sorted_set(value: frozenset | None) -> list | None:
    return None if value is None else sorted(value, key=str)
