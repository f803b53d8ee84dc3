"""Checked AST → straight-line Python, one module per request kind.

Generated source is built only from checked AST nodes: every identifier comes from the allocator of
`names.py` (a namespace per kind of name, so nothing a policy calls a name can collide with anything),
every literal is a constant handed to the module or the repr() of a plain value, never pasted text.

The pieces, each with one job:
- `names.py`       identifiers and the scopes of bound variables
- `constants.py`   the constant pool and literal values
- `folding.py`     which expressions read nothing per request (computed at load)
- `expressions.py` expressions, one method per AST node
- `bodies.py`      rules with exceptions, tiers, tables (`tables.py`: the ones that become lookups;
                   `ranges.py`: constant cells found by binary search per column)
- `words.py`       what explanations say of each rule
- `plan.py`        what a compiled kind is made of, as stored; `cache.py` stores it
- `runtime.py`     what generated code calls
- this module      the functions of a kind (`decide`, `requirements`), global values, instantiation

To add an AST node: an expression gets a method in `expressions.py` (see its docstring); a new body
or row shape gets a case in `bodies.py` and, if it can be looked up rather than scanned, in `tables.py`
or `ranges.py` (a new cell shape: `_cell`, `_covers` and `_holds_absent` there);
the reference interpreter (tests/reference.py) gets the same case, and the generated-policy property
test gets a way to write it.
"""
from __future__ import annotations

from typing import Any

from ..calendar import months
from ..calendar.hours import BusinessHours
from ..language import ast
from ..language.check import CheckedRuleSet, KindInfo, request_path
from ..language.source import Source
from ..language.types import MoneyT, OptionalT, RecordT, TimestampT, Type, strip_optional
from . import runtime
from .bodies import BodyCompiler
from .constants import Constants
from .emitter import Emitter
from .expressions import CompileError, Context, ExpressionCompiler
from .faults import fault_words
from .folding import Facts
from .names import CALENDAR, EMPTY, REQUEST, Names, Scope
from .plan import (  # noqa: F401  (re-exported: the names other modules import from here)
    NO_RULE, CompiledKind, Explaining, KindPlan, Path, RequirementInfo, SetInfo, duration_count, output_converter,
    sorted_set,
)
from .trace_info import DecisionInfo, LineOrigin, RuleInfo  # noqa: F401  (re-exported likewise)
from .instantiate import BUILTINS, RUNTIME_NAMES, compile_plan, instantiate, source_filename  # noqa: F401 (re-exported)
from .words import RuleWordsBuilder
from ..explain.phrases import PhraseBuilder
from ..explain.rule_words import Ref, words_of_name

Definition = ast.Decision | ast.LetDecl
_output_converter = output_converter  # the old private name, still imported by result.py

def compile_rule_set(checked: CheckedRuleSet, sources: dict[str, Source]) -> tuple[dict[str, KindPlan], dict[str, Any]]:
    """A plan per kind and the constants their generated code names; raises CompileError."""
    constants = Constants(Names())
    evaluator = _Evaluator(constants)
    globals_ = _GlobalValues(checked, constants, evaluator)
    calendars = {name: constants.name(BusinessHours.from_declaration(declaration), f"calendar_{name}")
                 for name, declaration in checked.calendars.items()}
    plans = {name: _KindCompiler(kind, checked, sources, constants, globals_, calendars, evaluator).compile()
             for name, kind in sorted(checked.kinds.items())}
    return plans, constants.values


class _Evaluator:
    """Computes expressions that read nothing per request, in the exact context, when the rule set loads."""

    def __init__(self, constants: Constants):
        self.constants = constants
        self.namespace: dict[str, Any] = {"__builtins__": BUILTINS, **RUNTIME_NAMES}
        self.copied = 0

    def value(self, code: str, node: Any) -> Any:
        values = self.constants.values
        if len(values) != self.copied:
            self.namespace.update(values)
            self.copied = len(values)
        try:
            return eval(compile(code, "<vilkar constant>", "eval"), self.namespace)
        except (ArithmeticError, ValueError, TypeError, RecursionError, MemoryError, SyntaxError) as error:
            raise CompileError(f"this value cannot be computed: {fault_words(error)}", node,
                               "change the values it is computed from") from None


class _GlobalValues:
    """The rule set's sets and global lets, each computed once, on first use."""

    def __init__(self, checked: CheckedRuleSet, constants: Constants, evaluator: _Evaluator):
        self.checked = checked
        self.constants = constants
        self.evaluator = evaluator
        self.done: dict[str, str] = {}

    def name(self, name: str) -> str:
        if name not in self.done:
            declaration = self.checked.sets.get(name) or self.checked.lets[name]
            expr = declaration.value if isinstance(declaration, ast.SetDecl) else declaration.body.value
            context = Context(self.checked.types, self.constants, Names(), self.name, {}, None,
                              month_rule=month_rule(self.checked))
            code = ExpressionCompiler(context).code(expr, EMPTY)
            value = self.evaluator.value(code, expr)
            if isinstance(declaration, ast.SetDecl) and declaration.names:
                value = runtime.as_names(value)
            if isinstance(declaration, ast.SetDecl) and declaration.using is not None:
                value = _with_aliases(value, self.checked.sets[declaration.using])
            self.done[name] = self.constants.code(value)
        return self.done[name]


class _KindCompiler:
    """The generated module of one kind: `decide`, `decide_narrated` (with a calendar) and `requirements`."""

    def __init__(self, kind: KindInfo, checked: CheckedRuleSet, sources: dict[str, Source], constants: Constants,
                 globals_: _GlobalValues, calendars: dict[str, str], evaluator: _Evaluator):
        self.kind = kind
        self.checked = checked
        self.sources = sources
        self.constants = constants
        self.globals = globals_
        self.calendars = calendars
        self.evaluator = evaluator
        self.names = Names()
        self.facts = Facts(checked.types)
        self.variables = {name: self.names.new("decision" if isinstance(d, ast.Decision) else "let", name)
                          for name, d in kind.definitions.items()}
        self.traces = {id(d): self.names.new("trace", d.names[0]) for d in kind.order}
        self.inputs: dict[Path, str] = {}
        self.input_names: dict[Path, str] = {}
        self.input_origins: dict[Path, LineOrigin] = {}
        self.current: Emitter | None = None  # the body being compiled, whose origin names a first use
        self.set_infos: dict[str, SetInfo] = {}

    # -- driver
    def compile(self) -> KindPlan:
        decide, definitions = self.decide_function(narrated=False)
        # With a calendar, a second version notes how business time was counted, for explanations only.
        narrated = self.decide_function(narrated=True)[0] if self.kind.calendar else Emitter()
        requirements, requirement_infos = self.requirements_function()
        module = Emitter()
        for part in (decide, narrated, requirements, self.note_flags_function(definitions)):
            module.extend(part)
        names = tuple(name for info in definitions for name in info.names)
        types = tuple(type_ for info in definitions for type_ in info.types)
        position = {name: index for index, name in enumerate(names)}
        reported = tuple((name, position[name], output_converter(self.kind.value_types[name]))
                         for decision in self.kind.decisions for name in decision.names)
        calendar = self.constants.values[self.calendars[self.kind.calendar]] if self.kind.calendar else None
        location = tuple(request_path(self.kind.location) or ()) if self.kind.location is not None else ()
        source = "\n".join(module.lines) + "\n"
        explaining = self.explaining(position)
        return KindPlan(self.kind.name, source, tuple(definitions), tuple(requirement_infos), names, types,
                        reported, calendar, location, tuple(self.kind.notes), (None, *module.origins), explaining)

    def explaining(self, position: dict[str, int]) -> Explaining:
        """Headlines, the sets the rules consult, and where each identifier's value comes from."""
        environment = [(self.variables[name], "value", index) for name, index in position.items()]
        environment += [(identifier, "input", self.read_path(path))
                        for path, identifier in sorted(self.input_names.items())]
        headlines = tuple(line.text for declaration in self.kind.declarations for line in declaration.headlines)
        return Explaining(headlines, tuple(self.set_infos.values()), tuple(environment))

    def set_ref(self, name: str) -> Ref | None:
        """A global set as explanations name it (recorded for the kind's explanations)."""
        declaration = self.checked.sets.get(name)
        if declaration is None:
            return None
        if name not in self.set_infos:
            members = tuple(dict.fromkeys(_set_strings(declaration.value, self.checked.sets, 0)))
            self.set_infos[name] = SetInfo(name, words_of_name(name), declaration.reason.text if declaration.reason
                                           else None, _cites(declaration.citation), members)
        return Ref("set", name, words_of_name(name), None, "name")

    def set_because(self, name: str) -> str | None:
        declaration = self.checked.sets.get(name)
        return declaration.reason.text if declaration is not None and declaration.reason is not None else None

    def words_builder(self, bodies: BodyCompiler) -> RuleWordsBuilder:
        reported = {name for decision in self.kind.decisions for name in decision.names}
        phrases = PhraseBuilder(self.kind.definitions, reported, self.checked.types, self.kind.value_types,
                                self.set_ref, self.set_because)
        return RuleWordsBuilder(phrases, bodies.code, bodies.cell_condition, bodies.bound_condition,
                                lambda name: self.set_infos[name].members if name in self.set_infos else ())

    def expressions(self, with_request: bool = True) -> ExpressionCompiler:
        context = Context(self.checked.types, self.constants, self.names, self.globals.name, self.variables,
                          self.input if with_request else None, self.fold, month_rule(self.checked))
        return ExpressionCompiler(context)

    def function(self, head: str, body: Emitter, tail: list[str]) -> Emitter:
        """A function: its head, the request paths it reads bound once, its body, its tail."""
        function = Emitter()
        function.emit(head, 0)
        for path, name in sorted(self.inputs.items()):
            function.origin = self.input_origins.get(path)
            function.emit(f"{name} = {self.read_path(path)}")
        function.origin = None
        function.extend(body)
        for line in tail:
            function.emit(line)
        function.emit("", 0)
        return function

    # -- decisions
    def decide_function(self, narrated: bool) -> tuple[Emitter, list[DecisionInfo]]:
        """Every decision and let, each after what it reads, recording the rule that fired."""
        self.inputs = {}
        body = self.current = Emitter()
        expressions = self.expressions()
        bodies = BodyCompiler(expressions, body, self.names, self.sources, self.kind.definitions)
        if not narrated:
            bodies.words = self.words_builder(bodies)
        self.bind_calendar(body, expressions, narrated)
        infos: list[DecisionInfo] = []
        values: list[str] = []
        for definition in self.kind.order:
            reported = isinstance(definition, ast.Decision)
            if narrated:
                body.emit(f"{CALENDAR}.current = {definition.names[0]!r}")  # a name the grammar admitted
            targets = [self.variables[name] for name in definition.names]
            types = [self.kind.value_types[name] for name in definition.names]
            rules = bodies.body(definition, targets, types, self.traces[id(definition)])
            for target, type_ in zip(targets, types):
                inner = strip_optional(type_)
                if reported and isinstance(inner, MoneyT) and inner.currency:
                    body.emit(f"{target} = _cents({target})" if isinstance(type_, OptionalT) else
                              f"{target} = _in_cents({target}, _CENT)")
                if isinstance(inner, TimestampT) and self.kind.calendar:
                    body.emit(f"{target} = {CALENDAR}.local({target})")  # timestamps are reported at the location
            body.origin = None
            infos.append(DecisionInfo(definition.names, tuple(types), _cites(definition.citation),
                                      definition.span.location(), bodies.paths_of(definition.body), rules, reported,
                                      tuple(note.text for note in definition.notes)))
            values.extend(targets)
        traces = [self.traces[id(definition)] for definition in self.kind.order]
        result = f"({''.join(v + ', ' for v in values)}), ({''.join(t + ', ' for t in traces)})"
        if narrated:
            return self.function(f"def decide_narrated({REQUEST}):", body,
                                 [f"return {result}, {CALENDAR}.notes"]), infos
        return self.function(f"def decide({REQUEST}):", body, [f"return {result}"]), infos

    def bind_calendar(self, body: Emitter, expressions: ExpressionCompiler, narrated: bool = False) -> None:
        if self.kind.calendar is not None:
            calendar = f"{self.calendars[self.kind.calendar]}.at({expressions.code(self.kind.location, EMPTY)})"
            body.emit(f"{CALENDAR} = _Narrator({calendar})" if narrated else f"{CALENDAR} = {calendar}")

    # -- requirements
    def requirements_function(self) -> tuple[Emitter, list[RequirementInfo]]:
        self.inputs = {}
        checks = self.current = Emitter()
        expressions = self.expressions()
        self.requirement_lets(expressions, checks)
        infos = []
        for index, requirement in enumerate(self.kind.requirements):
            checks.origin = LineOrigin("requirement", requirement.span.location())
            if requirement.exactly_one:
                given = " + ".join(f"({expressions.code(field, EMPTY)} is not None)"
                                   for field in (requirement.at, *requirement.also_at))
                condition = f"({given}) != 1"
            else:
                condition = f"not ({expressions.code(requirement.condition, EMPTY)})"
            if requirement.when is not None:
                condition = f"({expressions.code(requirement.when, EMPTY)}) and {condition}"
            checks.emit(f"if {condition}:")
            checks.emit(f"_failed.append({index})", 2)
            infos.append(RequirementInfo(tuple(request_path(requirement.at) or ()), requirement.message,
                                         _cites(requirement.citation), requirement.span.location(),
                                         tuple(tuple(request_path(at) or ()) for at in requirement.also_at)))
        body = Emitter()
        body.emit("_failed = []")
        if expressions.uses_calendar:  # only a requirement on business time needs the calendar
            self.bind_calendar(body, expressions)
        body.extend(checks)
        return self.function(f"def requirements({REQUEST}):", body, ["return _failed"]), infos

    def requirement_lets(self, expressions: ExpressionCompiler, body: Emitter) -> None:
        """The lets requirements read (and the lets those read), computed first, in dependency order."""
        needed: set[str] = set()
        pending = [name for requirement in self.kind.requirements
                   for name in self.kind.dependencies.get(id(requirement), ())]
        while pending:
            name = pending.pop()
            if name not in needed:
                needed.add(name)
                pending.extend(self.kind.dependencies.get(id(self.kind.definitions[name]), ()))
        bodies = BodyCompiler(expressions, body, self.names, self.sources, self.kind.definitions)
        for definition in self.kind.order:
            if any(name in needed for name in definition.names):
                targets = [self.variables[name] for name in definition.names]
                bodies.body(definition, targets, [self.kind.value_types[n] for n in definition.names],
                            self.traces[id(definition)])

    # -- notes that apply only `when`
    def note_conditions(self) -> list[ast.Expr | None]:
        conditions: list[ast.Expr | None] = []
        for declaration in self.kind.declarations:
            conditions.extend(declaration.note_conditions or (None,) * len(declaration.notes))
        return conditions

    def note_flags_function(self, definitions: list[DecisionInfo]) -> Emitter:
        """`note_flags(r, values)`: whether each of the kind's notes applies, read from the decided values."""
        conditions = self.note_conditions()
        if all(condition is None for condition in conditions):
            return Emitter()
        self.inputs = {}
        body = self.current = Emitter()
        expressions = self.expressions()
        flags = [expressions.code(c, EMPTY) if c is not None else "True" for c in conditions]
        checks = Emitter()
        if expressions.uses_calendar:
            self.bind_calendar(checks, expressions)
        variables = [self.variables[name] for info in definitions for name in info.names]
        checks.emit(f"({''.join(v + ', ' for v in variables)}) = _values")
        checks.extend(body)
        return self.function(f"def note_flags({REQUEST}, _values):", checks,
                             [f"return ({''.join(flag + ', ' for flag in flags)})"])

    # -- request inputs
    def input(self, path: Path) -> str:
        if path not in self.input_names:
            self.input_names[path] = self.names.new("input", "__".join(path))
        origin = self.current.origin if self.current is not None else None
        if path not in self.input_origins and origin is not None:
            self.input_origins[path] = LineOrigin(f"{origin.what}, reading request.{'.'.join(path)},", origin.source)
        self.inputs[path] = self.input_names[path]
        return self.inputs[path]

    def read_path(self, path: Path) -> str:
        """Python that reads a request path, converting its value by type, None where it is absent."""
        record: Type = self.kind.request
        code = REQUEST
        optional_seen = False
        field_type: Type = record
        for part in path:
            assert isinstance(record, RecordT)
            field_type = record.field(part)
            key = repr(part)  # a schema field name the grammar admitted as an identifier
            if optional_seen:
                code = f"_field_of({code}, {key})"
            elif isinstance(field_type, OptionalT):
                code = f"{code}.get({key})"
                optional_seen = True
            else:
                code = f"{code}[{key}]"
            record = strip_optional(field_type)
        return self.expressions(with_request=False).read(code, field_type, optional_seen)

    # -- values computed at load
    def fold(self, expr: ast.Expr, scope: Scope) -> str | None:
        """The constant holding an expression's value if it reads nothing per request, else None."""
        if isinstance(expr, ast.Name) or isinstance(expr, ast.SetLiteral) and not expr.items:
            return None
        names, dynamic = self.facts.of(expr)
        if dynamic or any(name in scope.bindings or name in self.kind.definitions for name in names):
            return None
        context = Context(self.checked.types, self.constants, Names(), self.globals.name, {}, None,
                          month_rule=month_rule(self.checked))
        code = ExpressionCompiler(context).code(expr, EMPTY)
        if code.isidentifier() and code in self.constants.values:
            return code  # a literal set: already a constant
        return self.constants.code(self.evaluator.value(code, expr))


def month_rule(checked: CheckedRuleSet) -> str:
    """The rule set's missing-day rule (the checker made sure one is stated wherever months are used)."""
    return checked.month_rule.rule if checked.month_rule is not None else months.ROLL_FORWARD


def _with_aliases(names: frozenset, aliases: ast.SetDecl) -> frozenset:
    """A names set with every name of each alias group it holds one name of."""
    assert isinstance(aliases.value, ast.SetLiteral)
    result = set(names)
    for group in aliases.value.items:
        if isinstance(group, ast.AliasGroup):
            members = {runtime.product_name(name.value) for name in group.names if isinstance(name, ast.String)}
            if members & names:
                result |= members
    return frozenset(result)


def _cites(citation: ast.Citation | None) -> str | None:
    return citation.text if citation is not None else None


def _set_strings(expr: ast.Expr, sets: dict[str, ast.SetDecl], depth: int) -> list[str]:
    """The texts a set expression names, as written (`a + {"x"}` through the sets it builds on)."""
    if isinstance(expr, ast.String):
        return [expr.value]
    if isinstance(expr, ast.SetLiteral):
        return [text for item in expr.items for text in _set_strings(item, sets, depth)]
    if isinstance(expr, ast.Binary) and expr.op == "+":
        return _set_strings(expr.left, sets, depth) + _set_strings(expr.right, sets, depth)
    if isinstance(expr, ast.Name) and expr.name in sets and depth < 20:
        return _set_strings(sets[expr.name].value, sets, depth + 1)
    names = getattr(expr, "names", None)  # an alias group: every name of one product
    if isinstance(names, tuple):
        return [text for item in names for text in _set_strings(item, sets, depth)]
    return []
