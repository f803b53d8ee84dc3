"""The checker: names, types and units, and every reference to the request against its JSON schema."""
from __future__ import annotations

import gc
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Iterator

from . import ast
from .diagnostics import Diagnostic, did_you_mean
from .inputs import request_type
from .source import Span
from .typing_rules import TypeRules, describe_expr, literal_type
from .versions import declared_version, event_date_problem
from .reasons import check_kind_words, check_set_words
from .types import (
    BOOL, DATE, DECIMAL, PERIOD, STRING, UNKNOWN, DurationT, EnumT, IntT, ListT, MoneyT, OptionalT, RecordT, SetT,
    Type, is_optional, optional,
    strip_optional, unify, UnknownT, TypeFold,
)

Definition = ast.Decision | ast.LetDecl


@dataclass
class KindInfo:
    """Everything the rule set says about one request kind."""

    name: str
    request: RecordT
    declarations: list[ast.KindDecl] = field(default_factory=list)
    decisions: list[ast.Decision] = field(default_factory=list)
    lets: list[ast.LetDecl] = field(default_factory=list)
    requirements: list[ast.Requirement] = field(default_factory=list)
    calendar: str | None = None
    location: ast.Expr | None = None
    notes: list[str] = field(default_factory=list)
    # name → the decision or let that defines it
    definitions: dict[str, Definition] = field(default_factory=dict)
    # decision or let → the kind-level names its rules read
    dependencies: dict[int, set[str]] = field(default_factory=dict)
    # every decision and let, each after everything it reads
    order: list[Definition] = field(default_factory=list)
    value_types: dict[str, Type] = field(default_factory=dict)


@dataclass
class CheckedRuleSet:
    """A rule set whose names, types and request references are known to be right."""

    kinds: dict[str, KindInfo]
    sets: dict[str, ast.SetDecl]
    lets: dict[str, ast.LetDecl]
    calendars: dict[str, ast.CalendarDecl]
    types: dict[int, Type]
    global_types: dict[str, Type]
    diagnostics: list[Diagnostic]
    # ids of tier and table bodies that some row always matches
    total_bodies: set[int] = field(default_factory=set)
    set_items: Callable[[ast.Expr], list[ast.Expr] | None] = lambda expr: None
    version: ast.VersionDecl | None = None  # the rule set's `version` line, if it has one
    month_rule: ast.MonthRule | None = None  # how `date + N months` treats a missing day


class _Scope:
    """Where a name is looked up: comprehension variables, then the kind, then the rule set."""

    def __init__(self, kind: KindInfo | None, owner: Definition | ast.Requirement | ast.KindDecl | None,
                 variables: dict[str, Type] | None = None,
                 present: frozenset[str] = frozenset()):
        self.kind = kind
        self.owner = owner
        self.variables = variables or {}
        self.present = present  # values known to be present here: `x is present and ... x ...`

    def with_variable(self, name: str, type_: Type) -> _Scope:
        # the variable shadows the outer name inside its expression, and with it what was known of it
        return _Scope(self.kind, self.owner, {**self.variables, name: type_}, self.present - {name})

    def knowing(self, condition: ast.Expr, holds: bool = True) -> _Scope:
        """This scope where `condition` holds (or, with `holds=False`, fails): what that says is present is present."""
        facts = _presence_facts(condition) if holds else _absence_facts(condition)
        return _Scope(self.kind, self.owner, self.variables, self.present | facts) if facts else self


def check(modules: Iterable[ast.Module], schemas: dict[str, dict[str, Any]]) -> CheckedRuleSet:
    """Check a whole rule set; problems are returned as diagnostics, never raised."""
    with _collection_paused():
        return _Checker(list(modules), schemas).run()


@contextmanager
def _collection_paused() -> Iterator[None]:
    """The checker makes types, not cyclic garbage, so Python's collector has nothing to find while it runs;
    left on, it rescans the syntax trees being checked again and again (4/5 of checking a 100,000-name set)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


class _Checker:
    def __init__(self, modules: list[ast.Module], schemas: dict[str, dict[str, Any]]):
        self.modules = modules
        self.schemas = schemas
        self.diagnostics: list[Diagnostic] = []
        self.types: dict[int, Type] = {}
        self.kinds: dict[str, KindInfo] = {}
        self.sets: dict[str, ast.SetDecl] = {}
        self.lets: dict[str, ast.LetDecl] = {}
        self.calendars: dict[str, ast.CalendarDecl] = {}
        self.global_types: dict[str, Type] = {}
        self.in_progress: set[int] = set()
        self.total_bodies: set[int] = set()
        self.rules = TypeRules(self.error)
        self.version_decls: list[ast.VersionDecl] = []
        self.month_rule: ast.MonthRule | None = None
        self.month_rule_needed: list[Span] = []

    # -- reporting
    def error(self, code: str, message: str, span: Span, hint: str | None = None) -> None:
        self.diagnostics.append(Diagnostic(code, message, span, hint))

    # -- collection
    def run(self) -> CheckedRuleSet:
        for module in self.modules:
            for item in module.items:
                self.collect(item)
        self.check_kind_names()
        for name, decl in self.sets.items():
            self.global_type(name, decl)
            check_set_words(decl, self.error)
        for name, decl in self.lets.items():
            self.global_type(name, decl)
        for calendar in self.calendars.values():
            self.check_calendar(calendar)
        for kind in self.kinds.values():
            self.check_kind(kind)
        if self.month_rule is None and self.month_rule_needed:
            self.error("VK114", "months and years need the rule for a day the later month lacks",
                       self.month_rule_needed[0],
                       "state it once in the rule set: `dates that do not exist roll forward to the first of the "
                       "next month` (or `are clamped to the end of the month`)")
        version, problems = declared_version(self.version_decls)
        self.diagnostics.extend(problems)
        return CheckedRuleSet(self.kinds, self.sets, self.lets, self.calendars, self.types,
                              self.global_types, self.diagnostics, self.total_bodies, self.set_items, version,
                              self.month_rule)

    def kind_info(self, name: str, span: Span) -> KindInfo | None:
        if name in self.kinds:
            return self.kinds[name]
        schema = self.schemas.get(name)
        if schema is None:
            self.error("VK108", f"there is no request kind `{name}`", span,
                       did_you_mean(name, self.schemas) or f"known kinds: {', '.join(sorted(self.schemas))}")
            return None
        info = KindInfo(name, request_type(name, schema))
        self.kinds[name] = info
        problem = event_date_problem(name, schema, span)
        if problem is not None:
            self.diagnostics.append(problem)
        return info

    def collect(self, item: ast.Item) -> None:
        if isinstance(item, ast.VersionDecl):
            self.version_decls.append(item)
            return
        if isinstance(item, ast.KindDecl):
            info = self.kind_info(item.name, item.span)
            if info is not None:
                info.declarations.append(item)
                info.notes.extend(item.notes)
                if item.calendar is not None:
                    info.calendar, info.location = item.calendar, item.location
            return
        if isinstance(item, ast.SetDecl):
            self.define_global(self.sets, item.name, item)
            return
        if isinstance(item, ast.CalendarDecl):
            self.define_global(self.calendars, item.name, item)
            return
        if isinstance(item, ast.MonthRule):
            if self.month_rule is not None:
                self.error("VK114", "the rule for dates that do not exist is stated twice", item.span,
                           f"the other one is at {self.month_rule.span}; keep one")
            else:
                self.month_rule = item
            return
        if isinstance(item, ast.LetDecl) and item.kind is None:
            if len(item.names) > 1 or not isinstance(item.body, ast.RuleBody) or item.body.exceptions:
                self.error("VK116", "a value outside a kind is a single constant", item.span,
                           "write `let name = value`, or move it below a `kind` line")
                return
            self.define_global(self.lets, item.names[0], item)
            return
        if item.kind is None:
            what = "decision" if isinstance(item, ast.Decision) else "requirement"
            self.error("VK115", f"this {what} belongs to no request kind", item.span,
                       "put `kind <name>` above it, for example `kind cancellation`")
            return
        info = self.kinds.get(item.kind)
        if info is None:
            return  # the unknown kind was reported at its declaration
        if isinstance(item, ast.Requirement):
            info.requirements.append(item)
            return
        for name in item.names:
            previous = info.definitions.get(name)
            if previous is not None:
                self.duplicate(name, item, previous, f" for kind `{item.kind}`")
                continue
            info.definitions[name] = item
        if isinstance(item, ast.Decision):
            info.decisions.append(item)
        else:
            info.lets.append(item)

    def define_global(self, table: dict[str, Any], name: str, item: Any) -> None:
        for other in (self.sets, self.lets, self.calendars):
            if name in other:
                self.duplicate(name, item, other[name], "")
                return
        table[name] = item

    def check_kind_names(self) -> None:
        """A kind's decision or let may not reuse a global name (SPEC §3), wherever either is written."""
        for kind in self.kinds.values():
            for name, definition in list(kind.definitions.items()):
                previous = self.sets.get(name) or self.lets.get(name) or self.calendars.get(name)
                if previous is not None:
                    self.duplicate(name, definition, previous, f" for kind `{kind.name}`")

    def duplicate(self, name: str, item: Any, previous: Any, where: str) -> None:
        """Both places of a name defined twice: the error at the later one, the hint names the earlier."""
        first, second = sorted((previous, item), key=lambda node: (node.span.file, node.span.start))
        self.error("VK106", f"`{name}` is defined twice{where}: at {first.span} and at {second.span}", second.span,
                   f"the other definition is at {first.span}; rename or remove one")

    # -- global sets and lets
    def global_type(self, name: str, decl: ast.SetDecl | ast.LetDecl) -> Type:
        if name in self.global_types:
            return self.global_types[name]
        if id(decl) in self.in_progress:
            self.error("VK107", f"`{name}` is defined in terms of itself", decl.span,
                       "break the circle: a set or value cannot include itself")
            return UNKNOWN
        self.in_progress.add(id(decl))
        value = decl.value if isinstance(decl, ast.SetDecl) else decl.body.value
        if isinstance(decl, ast.SetDecl) and decl.aliases:
            value_type = self.alias_set(decl)
        else:
            value_type = self.expr(value, _Scope(None, None))
        self.in_progress.discard(id(decl))
        if isinstance(decl, ast.SetDecl) and decl.using is not None:
            self.check_using(decl)
        if isinstance(decl, ast.SetDecl):
            if not isinstance(value_type, SetT):
                self.error("VK104", f"set `{name}` must be a set such as {{\"a\", \"b\"}}, not "
                           f"{value_type.describe()}", decl.value.span)
                value_type = SetT(STRING, decl.names)
            elif decl.names:
                if not isinstance(value_type.element, (EnumT, type(STRING))):
                    self.error("VK104", "a `names` set holds product names in quotes", decl.value.span)
                value_type = SetT(STRING, True)
        self.global_types[name] = value_type
        return value_type

    def alias_set(self, decl: ast.SetDecl) -> Type:
        """`set x: aliases = {"A" = "B", ...}`: every member a group of two or more quoted names, each name once."""
        if not isinstance(decl.value, ast.SetLiteral):
            self.error("VK104", "an `aliases` set is written out: groups of equal names in braces", decl.value.span,
                       'write for example {"Azure Communication Services" = "Azure-kommunikationstjenester"}')
            return SetT(STRING, True)
        seen: dict[str, ast.Expr] = {}
        for member in decl.value.items:
            if not isinstance(member, ast.AliasGroup):
                self.error("VK104", "each member of an `aliases` set is a group of equal names", member.span,
                           'join the names of one product with `=`: "A" = "B"')
                continue
            for name in member.names:
                if not isinstance(name, ast.String):
                    self.error("VK104", "an alias is a product name in quotes", name.span)
                    continue
                key = " ".join(name.value.split()).casefold()
                if key in seen:
                    self.error("VK104", f'"{name.value}" is in two groups of `{decl.name}`', name.span,
                               f"the other is at {seen[key].span}; one name belongs to one product")
                seen[key] = name
        return SetT(STRING, True)

    def check_using(self, decl: ast.SetDecl) -> None:
        target = self.sets.get(decl.using)
        if target is None:
            self.error("VK101", f"there is no set `{decl.using}`", decl.span,
                       did_you_mean(decl.using, [name for name, s in self.sets.items() if s.aliases])
                       or "declare it with `set <name>: aliases = {...}`")
        elif not target.aliases:
            self.error("VK104", f"`{decl.using}` is not an `aliases` set", decl.span,
                       f"`using` names a set declared `set {decl.using}: aliases = {{...}}`")

    # -- kinds
    def check_kind(self, kind: KindInfo) -> None:
        if kind.calendar is not None:
            if kind.calendar not in self.calendars:
                span = next(d.span for d in kind.declarations if d.calendar is not None)
                self.error("VK101", f"there is no calendar `{kind.calendar}`", span,
                           did_you_mean(kind.calendar, self.calendars) or "declare it with `calendar <name>`")
            location_type = self.expr(kind.location, _Scope(kind, None))
            if not (isinstance(location_type, RecordT) and location_type.role == "location"):
                self.error("VK104", f"a calendar is used at a location, not {location_type.describe()}",
                           kind.location.span, "write `at request.location`")
        for definition in kind.lets + kind.decisions:
            self.definition_type(kind, definition)
        for decision in kind.decisions:
            for name in decision.names:
                self.check_reportable(name, kind.value_types.get(name, UNKNOWN), decision)
        for requirement in kind.requirements:
            self.check_requirement(kind, requirement)
        self.check_notes(kind)
        kind.order = self.dependency_order(kind)
        self.check_requirement_lets(kind)
        check_kind_words(kind, self.error)

    def definition_type(self, kind: KindInfo, definition: Definition) -> list[Type]:
        names = definition.names
        if all(name in kind.value_types for name in names):
            return [kind.value_types[name] for name in names]
        if id(definition) in self.in_progress:
            self.error("VK107", f"`{names[0]}` depends on itself", definition.span,
                       "a decision cannot use its own value, directly or through other decisions")
            return [UNKNOWN] * len(names)
        self.in_progress.add(id(definition))
        kind.dependencies[id(definition)] = set()
        start = len(self.diagnostics)
        result = self.body(definition, _Scope(kind, definition))
        if definition.types or isinstance(definition, ast.Decision):
            result = self.declared(kind, definition, result, start)
        self.in_progress.discard(id(definition))
        for name, type_ in zip(names, result):
            kind.value_types[name] = type_
            if isinstance(definition, ast.Decision) and strip_optional(type_) == PERIOD:
                self.error("VK104", f"`{name}` would report a whole period", definition.span,
                           f"keep the period in a `let` and report its `.start` and `.end` as decisions")
        return result

    def check_reportable(self, name: str, type_: Type, decision: ast.Decision) -> None:
        """A decision's value goes into results and JSON: a record of the request is not such a value."""
        inner = strip_optional(type_)
        while isinstance(inner, (ListT, SetT)):
            inner = strip_optional(inner.element)
        if isinstance(inner, RecordT):
            self.error("VK104", f"decision `{name}` would report {type_.describe()}, which is not a result value",
                       decision.span, "report one of its fields, for example `request.location.country`, "
                       "or make it a `let`")

    def declared(self, kind: KindInfo, definition: Definition, result: list[Type], start: int) -> list[Type]:
        """Check the declared types; where a rule breaks one, it is reported once, as VK120, where written."""
        from .declared import check_definition
        before = len(self.diagnostics)
        result = check_definition(definition, result, self.schemas.get(kind.name), self.types, self.error)
        if any(d.code == "VK120" for d in self.diagnostics[before:]):
            body = definition.body.span
            self.diagnostics[start:before] = [
                d for d in self.diagnostics[start:before]
                if not (d.code == "VK104" and d.message.startswith("this gives") and body.start <= d.span.start <= body.end)]
        return result

    def dependency_order(self, kind: KindInfo) -> list[Definition]:
        ordered: list[Definition] = []
        placed: set[int] = set()

        def place(definition: Definition) -> None:
            if id(definition) in placed:
                return
            placed.add(id(definition))
            for name in sorted(kind.dependencies.get(id(definition), ())):
                place(kind.definitions[name])
            ordered.append(definition)

        for definition in kind.lets + kind.decisions:
            place(definition)
        return ordered

    def check_requirement(self, kind: KindInfo, requirement: ast.Requirement) -> None:
        scope = _Scope(kind, requirement)
        if requirement.when is not None:
            self.expect_bool(requirement.when, scope, "`when`")
        # the condition is checked only where `when` holds: what that says is present is present
        self.expect_bool(requirement.condition, scope.knowing(requirement.when) if requirement.when else scope,
                         "a requirement")
        for at in (requirement.at, *requirement.also_at):
            at_type = self.at_type(at, scope)
            if _request_path(at) is None:
                what = "`exactly one of` names request fields" if requirement.exactly_one else \
                    "`at` names the request field the problem is reported at"
                self.error("VK104", what, at.span, "write for example `request.exchange_rate`")
            elif requirement.exactly_one and not is_optional(at_type):
                self.error("VK112", f"`{'.'.join(['request'] + _request_path(at))}` is always present, so it is never "
                           "one of two", at.span, "`exactly one of` names optional fields of the schema")

    def at_type(self, at: ast.Expr, scope: _Scope) -> Type:
        """The type of a field a problem is reported at; `request.price.currency` names a part of money."""
        if isinstance(at, ast.Field) and at.name in ("amount", "currency"):
            base = self.expr(at.base, scope)
            if isinstance(strip_optional(base), MoneyT):
                return DECIMAL if at.name == "amount" else STRING
        return self.expr(at, scope)

    def check_requirement_lets(self, kind: KindInfo) -> None:
        """Requirements are checked before any decision is made: the lets they read may not read decisions."""
        for requirement in kind.requirements:
            for name in sorted(kind.dependencies.get(id(requirement), ())):
                decision = self.decision_behind(kind, name, set())
                if decision is not None:
                    self.error("VK104", f"a requirement reads only the request, sets and lets, but `{name}` depends on "
                               f"the decision `{decision}`", requirement.span,
                               "requirements are checked before any decision is made; compute it in a `let` from "
                               "the request")

    def decision_behind(self, kind: KindInfo, name: str, seen: set[str]) -> str | None:
        definition = kind.definitions[name]
        if isinstance(definition, ast.Decision):
            return name
        seen.add(name)
        for used in sorted(kind.dependencies.get(id(definition), ())):
            if used not in seen:
                found = self.decision_behind(kind, used, seen)
                if found is not None:
                    return found
        return None

    def check_notes(self, kind: KindInfo) -> None:
        for declaration in kind.declarations:
            for condition in declaration.note_conditions:
                if condition is not None:
                    self.expect_bool(condition, _Scope(kind, declaration), "`note ... when`")

    def check_calendar(self, calendar: ast.CalendarDecl) -> None:
        from ..calendar.rules import check_calendar  # the calendar's own rules live beside its runtime
        for code, message, span, hint in check_calendar(calendar):
            self.error(code, message, span, hint)

    # -- rule bodies
    def body(self, decision: Definition, scope: _Scope) -> list[Type]:
        body = decision.body
        count = len(decision.names)
        if isinstance(body, ast.MatchBody):
            return self.match_body(body, count, scope)
        if count > 1:
            self.error("VK110", f"{count} decisions are named but a single rule gives one value",
                       decision.span, "only a `match` table can decide several values, one per output column")
        if isinstance(body, ast.RuleBody):
            return [self.rule_body(body, scope)]
        if isinstance(body, ast.AllOfBody):
            return [self.all_of_body(body, scope)]
        return [self.tiers_body(body, scope)]

    def all_of_body(self, body: ast.AllOfBody, scope: _Scope) -> Type:
        for part in body.parts:
            self.expect_bool(part.test, scope, "each part of `all of`")
            if is_optional(self.types.get(id(part.test), BOOL)):
                self.error("VK112", "this part may be absent, so it is neither true nor false", part.test.span,
                           "give a fallback: `(x if absent false)`")
        return BOOL

    def rule_body(self, body: ast.RuleBody, scope: _Scope) -> Type:
        result = self.expr(body.value, scope)
        for exception in body.exceptions[1:]:
            if exception.first:
                self.error("VK104", "`first` goes on the first exception: it says the exceptions below apply in "
                           "the order written", exception.span, "write `except first when` on the first exception only")
        for exception in body.exceptions:
            self.expect_bool(exception.condition, scope, "`except when`")
            value = self.expr(exception.value, scope.knowing(exception.condition))
            result = self.merge(result, value, exception.value.span)
        return result

    def tiers_body(self, body: ast.TiersBody, scope: _Scope) -> Type:
        subject = self.expr(body.subject, scope)
        if is_optional(subject):
            self.error("VK112", "tiers need a value that is always present", body.subject.span,
                       "give a fallback: `tiers of (x if absent 0)`")
        fold = TypeFold(self.merge)
        for row in body.rows:
            for literal in _bound_literals(row.bound):
                op = row.bound.op if isinstance(row.bound, ast.CompareBound) else ">="
                self.rules.compare(op, subject, self.expr(literal, scope), literal.span, body.subject, literal)
            fold.add(self.expr(row.value, scope), row.value.span)
        result = fold.result()
        if body.otherwise is not None:
            result = self.otherwise_types(body.otherwise, [result], scope)[0]
        elif result is not None and not self.tiers_cover(body, subject):
            result = optional(result)
        elif result is not None:
            self.total_bodies.add(id(body))
        return result or UNKNOWN

    def tiers_cover(self, body: ast.TiersBody, subject: Type) -> bool:
        """Whether some tier holds for every value of the subject, so the decision is never empty."""
        from .overlap import bound_interval, coverage_gaps
        intervals = [bound_interval(row.bound) for row in body.rows]
        if any(interval is None for interval in intervals):
            return False
        integral = isinstance(strip_optional(subject), (IntT, DurationT))
        return not coverage_gaps(intervals, integral)

    def match_body(self, body: ast.MatchBody, count: int, scope: _Scope) -> list[Type]:
        subjects = [self.expr(subject, scope) for subject in body.subjects]
        columns = [TypeFold(self.merge) for _ in range(count)]
        for row in body.rows:
            if len(row.cells) != len(subjects):
                self.error("VK110", f"this row has {len(row.cells)} conditions but the table matches on "
                           f"{len(subjects)} values", row.span, "give one cell per value after `on`; `any` matches all")
            for cell, subject, subject_expr in zip(row.cells, subjects, body.subjects):
                self.cell(cell, subject, subject_expr, scope)
            self.fold_outputs(row.outputs, columns, row.span, scope)
        results = [column.result() for column in columns]
        if body.otherwise is not None:
            results = self.otherwise_types(body.otherwise, results, scope)
        elif not self.table_covers(body, subjects):
            results = [optional(r) if r is not None else None for r in results]
        else:
            self.total_bodies.add(id(body))
        if body.hit == "unique":
            self.check_unique(body)
        return [r or UNKNOWN for r in results]

    def outputs(self, outputs: tuple[ast.Expr, ...], results: list[Type | None], count: int, span: Span,
                scope: _Scope) -> list[Type | None]:
        if len(outputs) != count:
            self.error("VK110", f"this row gives {len(outputs)} value{'s' if len(outputs) != 1 else ''} but the "
                       f"decision names {count}", span,
                       "give one value per decision name, separated by commas")
        merged = list(results)
        for index, output in enumerate(outputs[:count]):
            value = self.expr(output, scope)
            merged[index] = value if merged[index] is None else self.merge(merged[index], value, output.span)
        return merged

    def fold_outputs(self, outputs: tuple[ast.Expr, ...], columns: list[TypeFold], span: Span, scope: _Scope) -> None:
        """`outputs` for the rows of a table, whose columns gather their types (see TypeFold)."""
        if len(outputs) != len(columns):
            self.error("VK110", f"this row gives {len(outputs)} value{'s' if len(outputs) != 1 else ''} but the "
                       f"decision names {len(columns)}", span,
                       "give one value per decision name, separated by commas")
        for column, output in zip(columns, outputs):
            column.add(self.expr(output, scope), output.span)

    def otherwise_types(self, row: ast.OtherwiseRow, results: list[Type | None], scope: _Scope) -> list[Type | None]:
        return self.outputs(row.outputs, results, len(results), row.span, scope)

    def cell(self, cell: ast.Cell, subject: Type, subject_expr: ast.Expr, scope: _Scope) -> None:
        if isinstance(cell, ast.AnyCell):
            return
        if isinstance(cell, ast.EqualCell):
            self.rules.compare("==", subject, self.expr(cell.value, scope), cell.span, subject_expr, cell.value)
        elif isinstance(cell, ast.InCell):
            self.rules.member(subject, self.expr(cell.value, scope), cell.span, subject_expr, cell.value,
                              self.set_items(cell.value))
        elif isinstance(cell, ast.CompareCell):
            self.rules.compare(cell.op, subject, self.expr(cell.value, scope), cell.span, subject_expr, cell.value)
        elif isinstance(cell, ast.RangeCell):
            for literal in (cell.low, cell.high):
                self.rules.compare(">=", subject, self.expr(literal, scope), literal.span, subject_expr, literal)

    def table_covers(self, body: ast.MatchBody, subjects: list[Type]) -> bool:
        """Whether some row matches every input: a row of `any`, or one column listing every enum value."""
        if any(all(isinstance(cell, ast.AnyCell) for cell in row.cells) for row in body.rows):
            return True
        for column, subject in enumerate(subjects):
            values = subject.values if isinstance(subject, EnumT) else {True, False} if subject == BOOL else None
            if values is None:
                continue
            covered: set[object] = set()
            for row in body.rows:
                others_any = all(isinstance(c, ast.AnyCell) for i, c in enumerate(row.cells) if i != column)
                cell = row.cells[column] if column < len(row.cells) else None
                if not others_any or cell is None:
                    continue
                if isinstance(cell, ast.EqualCell) and isinstance(cell.value, (ast.String, ast.Boolean)):
                    covered.add(cell.value.value)
                elif isinstance(cell, ast.InCell) and not cell.negated:
                    covered.update(i.value for i in self.set_items(cell.value) or () if isinstance(i, ast.String))
            if values <= covered:
                return True
        return False

    def check_unique(self, body: ast.MatchBody) -> None:
        from .overlap import rows_overlap  # overlap analysis is shared with the linter
        from .row_index import RowIndex
        index = RowIndex(body.rows, self.set_items)  # every pair of rows at once, not pair by pair
        pairs = sorted((first, second) for second in range(len(body.rows))
                       for first in index.overlapping_earlier(second))
        for first_index, second_index in pairs:
            first, second = body.rows[first_index], body.rows[second_index]
            witness = rows_overlap(first, second, self.set_items)
            self.error("VK113", f"rows of a `unique` table overlap: both match {witness}", second.span,
                       f"the other row is at {first.span}; make the rows exclusive, or use `match first`")

    def merge(self, left: Type, right: Type, span: Span) -> Type:
        merged = unify(left, right)
        if merged is None:
            self.error("VK104", f"this gives {right.describe()}, but the other rules give {left.describe()}",
                       span, "every rule of a decision must give the same kind of value")
            return left
        return merged

    # -- expressions
    def expect_bool(self, expr: ast.Expr, scope: _Scope, where: str) -> None:
        type_ = self.expr(expr, scope)
        if not isinstance(strip_optional(type_), (type(BOOL), UnknownT)):
            self.error("VK104", f"{where} needs a condition (true or false), not {type_.describe()}", expr.span,
                       "compare values with `==`, `<`, `in`, or combine conditions with `and`/`or`")
        else:
            self.expect_present_condition(expr, type_, where)

    def expect_present_condition(self, expr: ast.Expr, type_: Type, where: str) -> None:
        """A condition that may be absent is neither true nor false: the policy must say which it means."""
        if is_optional(type_):
            self.error("VK112", f"{where} needs a condition that is always true or false, but "
                       f"`{describe_expr(expr)}` may be absent", expr.span,
                       f"give a fallback: `{describe_expr(expr)} if absent false`")

    def expr(self, expr: ast.Expr, scope: _Scope) -> Type:
        result = self._expr(expr, scope)
        self.types[id(expr)] = result
        return result

    def _expr(self, expr: ast.Expr, scope: _Scope) -> Type:
        literal = literal_type(expr, self.error)
        if literal is not None:
            return literal
        if isinstance(expr, ast.Request):
            if scope.kind is None:
                self.error("VK109", "`request` can only be used in the items of a kind", expr.span,
                           "move this below a `kind` line, or remove the reference to the request")
                return RecordT("request", ())
            return scope.kind.request
        if isinstance(expr, ast.Name):
            return self.name(expr, scope)
        if isinstance(expr, ast.Field):
            return self.field(expr, scope)
        if isinstance(expr, ast.SetLiteral):
            return self.set_literal(expr, scope)
        if isinstance(expr, ast.Unary):
            operand = self.expr(expr.operand, scope)
            if expr.op == "not" and strip_optional(operand) == BOOL:
                self.expect_present_condition(expr.operand, operand, "`not`")
            return self.rules.unary(expr.op, operand, expr.span)
        if isinstance(expr, ast.Binary):
            return self.binary(expr, scope)
        if isinstance(expr, ast.Presence):
            operand = self.expr(expr.operand, scope)
            if not is_optional(operand):
                self.error("VK112", f"this value is always present, so `is {'present' if expr.present else 'absent'}`"
                           " is always " + ("true" if expr.present else "false"), expr.span,
                           "only optional request fields can be absent")
            return BOOL
        if isinstance(expr, ast.IfAbsent):
            value = self.expr(expr.value, scope)
            fallback = self.expr(expr.fallback, scope)
            return self.merge(strip_optional(value), fallback, expr.fallback.span)
        if isinstance(expr, ast.Conditional):
            self.expect_bool(expr.condition, scope, "`if`")
            then = self.expr(expr.then, scope.knowing(expr.condition))
            otherwise = self.expr(expr.otherwise, scope.knowing(expr.condition, holds=False))
            return self.merge(then, otherwise, expr.otherwise.span)
        if isinstance(expr, ast.Call):
            return self.rules.call(expr, [self.expr(a, scope) for a in expr.arguments], scope.kind)
        if isinstance(expr, ast.Comprehension):
            return self.comprehension(expr, scope)
        if isinstance(expr, ast.Selection):
            return self.selection(expr, scope)
        if isinstance(expr, ast.AliasGroup):
            self.error("VK104", "`=` joins equal names only in a set declared `: aliases`", expr.span,
                       'declare the groups once, `set product_names: aliases = {"A" = "B"}`, and write '
                       '`set x: names using product_names = {...}`')
            return UNKNOWN
        if isinstance(expr, ast.Convert):
            return self.rules.convert(expr, self.expr(expr.value, scope))
        if isinstance(expr, (ast.WithinHours, ast.NextBusinessStart)):
            return self.calendar_operation(expr, scope)
        if isinstance(expr, ast.Period):
            return self.period(expr, scope)
        raise AssertionError(f"unchecked expression {expr!r}")

    def name(self, expr: ast.Name, scope: _Scope) -> Type:
        found = self._name(expr, scope)
        return strip_optional(found) if expr.name in scope.present else found

    def _name(self, expr: ast.Name, scope: _Scope) -> Type:
        if expr.name in scope.variables:
            return scope.variables[expr.name]
        kind = scope.kind
        if kind is not None and expr.name in kind.definitions:
            definition = kind.definitions[expr.name]
            if isinstance(scope.owner, ast.Requirement) and isinstance(definition, ast.Decision):
                self.error("VK104", f"a requirement reads only the request, sets and lets, not the decision "
                           f"`{expr.name}`", expr.span,
                           "requirements are checked before any decision is made; compute it in a `let`")
                return UNKNOWN
            if scope.owner is not None:
                kind.dependencies.setdefault(id(scope.owner), set()).add(expr.name)
            return self.definition_type(kind, definition)[definition.names.index(expr.name)]
        if expr.name in self.lets:
            return self.global_type(expr.name, self.lets[expr.name])
        if expr.name in self.sets:
            return self.global_type(expr.name, self.sets[expr.name])
        candidates = list(scope.variables) + list(self.lets) + list(self.sets)
        if kind is not None:
            candidates += list(kind.definitions)
            if kind.request.field(expr.name) is not None:
                self.error("VK101", f"unknown name `{expr.name}`", expr.span,
                           f"the request's field is written `request.{expr.name}`")
                return UNKNOWN
        self.error("VK101", f"unknown name `{expr.name}`", expr.span,
                   did_you_mean(expr.name, candidates) or "define it with `let`, `set` or `decision`")
        return UNKNOWN

    def field(self, expr: ast.Field, scope: _Scope) -> Type:
        base = self.expr(expr.base, scope)
        record = strip_optional(base)
        if not isinstance(record, RecordT):
            self.error("VK104", f"`.{expr.name}` needs a record, but this is {base.describe()}", expr.span)
            return UNKNOWN
        field_type = record.field(expr.name)
        if field_type is None:
            owner = f"request of kind `{scope.kind.name}`" if isinstance(expr.base, ast.Request) and scope.kind \
                else f"`{record.name}`"
            fields = record.field_names()
            hint = did_you_mean(expr.name, fields) or f"its fields are: {', '.join(fields)}"
            self.error("VK102", f"the {owner} has no field `{expr.name}`", expr.span, hint)
            return UNKNOWN
        result = optional(field_type) if isinstance(base, OptionalT) else field_type
        path = _request_path(expr)
        if path is not None and "request." + ".".join(path) in scope.present:
            return strip_optional(result)
        return result

    def set_items(self, expr: ast.Expr) -> list[ast.Expr] | None:
        """The literal items of a set expression, following named sets and unions."""
        if isinstance(expr, ast.SetLiteral):
            return [name for item in expr.items
                    for name in (item.names if isinstance(item, ast.AliasGroup) else (item,))]
        if isinstance(expr, ast.Name) and expr.name in self.sets:
            return self.set_items(self.sets[expr.name].value)
        if isinstance(expr, ast.Binary) and expr.op == "+":
            left, right = self.set_items(expr.left), self.set_items(expr.right)
            return left + right if left is not None and right is not None else None
        return None

    def set_literal(self, expr: ast.SetLiteral, scope: _Scope) -> Type:
        element = TypeFold(self.merge)
        for item in expr.items:
            if item.__class__ is ast.String:  # the common item, typed as `expr` types it, without the dispatch
                item_type = self.types[id(item)] = EnumT(frozenset((item.value,)))
                element.add_text(item.value, item_type, item.span)
                continue
            item_type = self.expr(item, scope)
            if isinstance(item_type, (SetT, ListT, RecordT)) or is_optional(item_type):
                self.error("VK104", f"a set holds plain values, not {item_type.describe()}", item.span)
                continue
            element.add(item_type, item.span)
        return SetT(element.result() or UNKNOWN)

    def binary(self, expr: ast.Binary, scope: _Scope) -> Type:
        left = self.expr(expr.left, scope)
        # `x is present and ... x ...`, `x is absent or ... x ...`: the right side knows x is there
        right = self.expr(expr.right, scope.knowing(expr.left) if expr.op == "and" else
                          scope.knowing(expr.left, holds=False) if expr.op == "or" else scope)
        if expr.op in ("in", "not in"):
            return self.rules.member(left, right, expr.span, expr.left, expr.right, self.set_items(expr.right))
        if expr.op in ("==", "!=", "<", "<=", ">", ">="):
            return self.rules.compare(expr.op, left, right, expr.span, expr.left, expr.right)
        if expr.op == "starts with":
            if not isinstance(strip_optional(left), (type(STRING), EnumT, UnknownT)):
                self.error("VK104", f"`starts with` looks at the start of a text, not {left.describe()}", expr.left.span)
            inner = strip_optional(right)
            if not (isinstance(inner, (type(STRING), EnumT, UnknownT)) or isinstance(inner, SetT) and inner.names):
                self.error("VK104", f"`starts with` needs a text or a set of product names, not {right.describe()}",
                           expr.right.span, 'write for example `request.product starts with "Azure Stack"`')
            return BOOL
        if expr.op == "contains word":
            for side, type_ in ((expr.left, left), (expr.right, right)):
                if not isinstance(strip_optional(type_), (type(STRING), EnumT, UnknownT)):
                    self.error("VK104", f"`contains word` looks for a text in a text, not {type_.describe()}",
                               side.span)
            return BOOL
        if expr.op in ("and", "or"):
            for side, type_ in ((expr.left, left), (expr.right, right)):
                if not isinstance(strip_optional(type_), (type(BOOL), UnknownT)):
                    self.error("VK104", f"`{expr.op}` joins conditions, but this is {type_.describe()}", side.span)
                else:
                    self.expect_present_condition(side, type_, f"`{expr.op}`")
            return BOOL
        result = self.rules.arithmetic(expr.op, left, right, expr, scope.kind is not None and
                                       scope.kind.calendar is not None)
        if any(isinstance(side, DurationT) and side.scale == "months" for side in (left, right)) and result == DATE:
            self.month_rule_needed.append(expr.span)
        return result

    def period(self, expr: ast.Period, scope: _Scope) -> Type:
        length = self.expr(expr.length, scope)
        if not (isinstance(length, DurationT) and length.scale == "months") and not isinstance(length, UnknownT):
            self.error("VK104", f"a period is a number of months or years, not {length.describe()}",
                       expr.length.span, "write for example `the 1 year period from ...` or `the 6 months period ...`")
        for part, where in ((expr.anchor, "starts from"), (expr.containing, "contains"), (expr.cut, "is cut at")):
            if part is None:
                continue
            type_ = self.expr(part, scope)
            if is_optional(type_):
                self.error("VK112", f"`{describe_expr(part)}` may be absent, so no period {where} it", part.span,
                           f"give a fallback: `{describe_expr(part)} if absent ...`")
            elif strip_optional(type_) not in (DATE, UNKNOWN):
                self.error("VK104", f"a period {where} a date, not {type_.describe()}", part.span)
        self.month_rule_needed.append(expr.span)
        return PERIOD

    def comprehension(self, expr: ast.Comprehension, scope: _Scope) -> Type:
        source = self.expr(expr.source, scope)
        source_inner = strip_optional(source)
        self.expect_present_collection(expr.source, source)
        if not isinstance(source_inner, (ListT, SetT)):
            self.error("VK104", f"`for ... in` needs a list or set, not {source.describe()}", expr.source.span)
            element_type: Type = UNKNOWN
        else:
            element_type = source_inner.element
        inner = scope.with_variable(expr.variable, element_type)
        if expr.where is not None:
            self.expect_bool(expr.where, inner, "`where`")
        element = self.expr(expr.element, inner)
        if expr.function in ("any", "all") and strip_optional(element) == BOOL:
            self.expect_present_condition(expr.element, element, f"`{expr.function}`")
        return self.rules.aggregate(expr, element)

    def expect_present_collection(self, source: ast.Expr, type_: Type) -> None:
        """A list or set that is gone through must be there (VK112 when the request may leave it out)."""
        if is_optional(type_) and isinstance(strip_optional(type_), (ListT, SetT)):
            self.error("VK112", f"`{describe_expr(source)}` may be absent, so it cannot be gone through",
                       source.span, f"test it first: `{describe_expr(source)} is present and ...`")

    def selection(self, expr: ast.Selection, scope: _Scope) -> Type:
        """`count(d in xs where ...)` and its kin, over a list that is there."""
        source = self.expr(expr.source, scope)
        inner = strip_optional(source)
        self.expect_present_collection(expr.source, source)
        if not isinstance(inner, (ListT, SetT, UnknownT)):
            self.error("VK104", f"`{expr.function}(... in ... where ...)` needs a list or set, not {source.describe()}",
                       expr.source.span, "write for example `count(d in request.dates where d <= request.as_of)`")
            element: Type = UNKNOWN
        else:
            element = inner.element if not isinstance(inner, UnknownT) else UNKNOWN
        self.expect_bool(expr.condition, scope.with_variable(expr.variable, element), "`where`")
        return self.rules.selection(expr, element)

    def calendar_operation(self, expr: ast.WithinHours | ast.NextBusinessStart, scope: _Scope) -> Type:
        operand = self.expr(expr.operand, scope)
        if scope.kind is None or scope.kind.calendar is None:
            self.error("VK114", "business hours need a calendar", expr.span,
                       "say which calendar the kind uses: `kind incident uses calendar support_hours at request.location`")
        self.rules.expect_timestamp(operand, expr.operand.span, present=True)
        return BOOL if isinstance(expr, ast.WithinHours) else self.rules.timestamp_type()


def _presence_facts(condition: ast.Expr) -> frozenset[str]:
    """What a condition guarantees is present: `x is present`, and each side of an `and`."""
    if isinstance(condition, ast.Presence) and condition.present:
        if isinstance(condition.operand, ast.Name):
            return frozenset([condition.operand.name])
        path = _request_path(condition.operand)
        if path:
            return frozenset(["request." + ".".join(path)])
    if isinstance(condition, ast.Binary) and condition.op == "and":
        return _presence_facts(condition.left) | _presence_facts(condition.right)
    return frozenset()


def _absence_facts(condition: ast.Expr) -> frozenset[str]:
    """What a condition that fails guarantees is present: `x is absent`, and each side of an `or`."""
    if isinstance(condition, ast.Presence) and not condition.present:
        return _presence_facts(ast.Presence(condition.operand, True, condition.span))
    if isinstance(condition, ast.Binary) and condition.op == "or":
        return _absence_facts(condition.left) | _absence_facts(condition.right)
    if isinstance(condition, ast.Unary) and condition.op == "not":
        return _presence_facts(condition.operand)
    return frozenset()


def _bound_literals(bound: ast.Bound) -> list[ast.Literal]:
    if isinstance(bound, ast.RangeBound):
        return [bound.low, bound.high]
    return [bound.value]


def _request_path(expr: ast.Expr) -> list[str] | None:
    """`request.a.b` → ["a", "b"]; anything else → None."""
    path = ast.request_path(expr)
    return None if path is None else list(path)


request_path = _request_path
