"""The library API: `load_policies`, `PolicySet.evaluate`, `evaluate`, and the `Result` they return."""
from __future__ import annotations

import datetime as dt
import marshal
import os
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Iterable

from .compile import cache
from .compile.instantiate import compile_plan, instantiate, source_filename
from .compile.plan import CompiledKind
from .calendar.limits import OutOfRange
from .compile.faults import fault_message, fault_origin
from .compile.plan import deferred
from .language.diagnostics import Diagnostic, sort_key
from .errors import PolicyError, RequestError, RequestProblem
from .rule_set import (
    NotFound, RuleSet, contract_beside, not_found_diagnostic, read_schemas, read_sources, resolve_policies, resolve_schemas,
)
from .result import Result
from .requests.plain import Plain, shown
from .requests.schema import KindValidator, kind_problem
from .language.source import Source
from .versions import History, Version, as_of_day, event_day, event_field, holidays_version, identity, is_history, \
    no_version_error, version_dirs


_FIRST_DAY, _LAST_DAY = dt.date(1970, 1, 1), dt.date(2099, 12, 31)  # the dates a request may carry (SPEC §5)


class PolicySet:
    """A parsed, checked and compiled rule set. `evaluate` is thread-safe and does no file I/O."""

    def __init__(self, kinds: dict[str, CompiledKind], schemas: dict[str, dict[str, Any]],
                 sources: dict[str, Source], warnings: list[Diagnostic], version: Version | None = None,
                 history: History | None = None, schemas_checked: bool = False):
        self.kinds = kinds
        self.schemas = schemas
        self.sources = sources
        self.warnings = warnings
        self.rule_set: RuleSet | None = None  # where the files came from, once load_policies knows
        self.schemas_dir: Path | None = None
        # schemas_checked: a cache entry is stored only for schemas that passed KindValidator's checks
        self.validators = {kind: KindValidator(kind, schema, checked=schemas_checked)
                           for kind, schema in schemas.items()}
        for compiled in kinds.values():
            compiled.policies = self
        self.version = version or Version(None, None, None, identity(
            {name: source.text for name, source in sources.items()}, schemas), holidays_version())
        self.history = history  # for a history: its versions; this set's own kinds are the latest version's
        self.window = self.version.window
        # a window over every date a request may carry needs no check unless `as_of` is given
        self.window_covers_all = self.window is not None and self.window.effective <= _FIRST_DAY and (
            self.window.until is None or self.window.until > _LAST_DAY)
        self.event_fields = {kind: event_field(schema) for kind, schema in schemas.items()}
        # kind → (its compiled policies, jsonschema-rs's check where a valid document is read as it is, its
        # validator's check): filled as kinds are first decided, for kinds without versions, windows or
        # request rules, so that a plain dict is decided without the general path's steps
        self._direct: dict[str, tuple[CompiledKind, Any, Any]] = {}

    def evaluate(self, document: Any, *, validate: bool = True, as_of: Any = None) -> Result:
        """Decide one request document; raises RequestError listing every problem if it is invalid.

        With versions, the one in force on `as_of` (a date) decides, else the one in force on the
        request's event date."""
        compiled = None
        if type(document) is dict and as_of is None:  # the common case, without the general path's steps
            try:
                direct = self._direct.get(document.get("kind"))
            except TypeError:  # a `kind` that is a list or an object: the general path says what is wrong
                direct = None
            if direct is not None:
                compiled, valid_as_is, check = direct
                plain = document
                if validate:
                    try:
                        ready = valid_as_is is not None and valid_as_is(document)
                    except (ValueError, TypeError, UnicodeError, OverflowError, RecursionError, MemoryError):
                        ready = False  # a value the compiled validator cannot read: `check` makes it plain
                    if not ready:
                        plain, problems = check(document)
                        if problems:
                            raise RequestError(problems)
        if compiled is None:
            if self.history is not None:
                return self.history.pick(document, as_of).evaluate(document, validate=validate, as_of=as_of)
            compiled, plain = self.prepare(document, validate)
            if self.window is not None and (as_of is not None or not self.window_covers_all):
                self.check_window(compiled.name, plain, as_of)
            elif compiled.name not in self._direct and not compiled.requirement_infos:
                validator = self.validators[compiled.name]
                self._direct[compiled.name] = (compiled, validator.valid_as_is(), validator.check)
        try:
            values, trace = compiled.decide(plain)
        except RequestError:
            raise
        except Exception as error:  # a value the policies cannot compute: say which rule, in words
            raise _fault(error, compiled) from None
        return Result(compiled, plain, values, trace, self.version)

    def check_window(self, kind: str, document: dict[str, Any], as_of: Any) -> None:
        """Raise RequestError when this version is not in force on the request's day (or on `as_of`)."""
        day, pointer = as_of_day(as_of), ""
        if day is None:
            field = self.event_fields.get(kind)
            day, pointer = event_day(document, field), f"/{field}"
        if day is not None and not self.window.holds(day):
            raise no_version_error(day, [self.window], pointer)

    def validate(self, document: Any) -> None:
        """Check a request document without deciding it; raises RequestError."""
        self.prepare(document, True, need_policies=False)

    def prepare(self, document: Any, validate: bool,
                need_policies: bool = True) -> tuple[CompiledKind | None, dict[str, Any]]:
        if type(document) is not dict and not isinstance(document, Mapping):
            raise RequestError([RequestProblem("", "a request must be an object with a `kind` field",
                                               shown(document))])
        kind = document.get("kind")
        validator = self.validators.get(kind) if isinstance(kind, str) else None
        if validator is None:
            raise RequestError(Plain(document).problems + [kind_problem(document, sorted(self.validators))])
        plain = document
        if validate:
            plain, problems = validator.check(document)  # the document itself when nothing needs changing
            if problems:
                raise RequestError(problems)
        compiled = self.kinds.get(kind)
        if compiled is None:
            if not need_policies:
                return None, plain
            raise RequestError([RequestProblem("/kind", "this rule set has no policies for this kind yet", kind)])
        if validate and compiled.requirement_infos:
            try:
                failed = compiled.requirements(plain)
            except RequestError:
                raise
            except Exception as error:
                raise _fault(error, compiled) from None
            if failed:
                raise RequestError([problem for index in failed
                                    for problem in self.requirement_problems(compiled, index, plain)])
        return compiled, plain

    def requirement_problems(self, compiled: CompiledKind, index: int, document: dict[str, Any]) -> list[RequestProblem]:
        """A failed requirement, reported at each field it names."""
        info = compiled.requirement_infos[index]
        hint = f"{info.cites} ({info.source})" if info.cites else info.source
        problems = []
        for path in (info.path, *info.also):
            value: Any = document
            for part in path:
                value = value.get(part) if isinstance(value, dict) else None
            where = "".join("/" + part for part in path)
            problems.append(RequestProblem(where, info.message, value, hint, has_value=value is not None))
        return problems


def load_policies(path: str | os.PathLike[str] | None = None, *,
                  schemas: str | os.PathLike[str] | None = None) -> PolicySet:
    """Parse, check and compile a rule set (a directory of `*.vk` files, or one file) or a history of
    versions (a directory whose subdirectories are rule sets); raises PolicyError.

    Without a path, the rule set is the one `vilkar eval` would use here (SPEC §8.1): `VILKAR_POLICIES`,
    `[tool.vilkar] policies`, `./policies`, else the bundled rule set; schemas likewise.
    """
    try:
        rule_set = (RuleSet.at(Path(path), "the path given") if path is not None
                    else resolve_policies(None, bundled_ok=True))
        schema_dir = resolve_schemas(schemas)
    except NotFound as error:
        raise PolicyError([not_found_diagnostic(error)]) from None
    return load_rule_set(rule_set, schema_dir)


def load_rule_set(rule_set: RuleSet, schema_dir: Path) -> PolicySet:
    """Load a resolved rule set (or history) with the schemas of a directory; raises PolicyError."""
    if is_history(rule_set.path):
        from .versions import load_history
        policies = load_history(rule_set.path, [load_policies(sub, schemas=schema_dir)
                                                for sub in version_dirs(rule_set.path)])
    else:
        policies = compile_sources(read_sources(rule_set), read_schemas(schema_dir))
        contract = contract_beside(rule_set.path)
        for kind in policies.kinds.values():
            kind.contract = contract  # explanations quote the contract this rule set cites
    policies.rule_set, policies.schemas_dir = rule_set, schema_dir
    return policies


def compile_sources(sources: dict[str, Source], schemas: dict[str, dict[str, Any]], *,
                    use_cache: bool = True) -> PolicySet:
    """Parse, check and compile policy texts that are already in memory (or take them from the cache)."""
    entry_key = cache.key({name: source.text for name, source in sources.items()}, schemas) if use_cache else None
    cached = cache.load(entry_key) if entry_key is not None else None
    codes: dict[str, Any] = {}
    if cached is not None:
        plans, constants, warnings, declared, marshalled = cached
        codes = {name: marshal.loads(code) for name, code in marshalled.items()}
    else:
        plans, constants, warnings, checked_version = _compile(sources, schemas)
        # the declaration as plain values: a cached load then needs no syntax-tree class to read it
        declared = (checked_version.id, checked_version.effective, checked_version.until, checked_version.span) \
            if checked_version is not None else None
        if entry_key is not None:
            codes = {name: compile_plan(plan) for name, plan in plans.items()}
    kinds = {name: instantiate(plan, constants, codes.get(name)) for name, plan in plans.items()}
    sha256 = identity({name: source.text for name, source in sources.items()}, schemas)
    version = None
    if declared is not None:
        declared_id, effective, until, span = declared
        version = Version(declared_id, dt.date.fromisoformat(effective),
                          dt.date.fromisoformat(until) if until else None, sha256, holidays_version(), span)
    policies = PolicySet(kinds, schemas, sources, warnings, version, schemas_checked=cached is not None)
    if cached is None and entry_key is not None:  # stored only now that the schemas passed their checks too
        cache.store(entry_key, ({name: deferred(plan) for name, plan in plans.items()}, constants, warnings,
                                declared, {name: marshal.dumps(code) for name, code in codes.items()}))
    return policies


def _compile(sources: dict[str, Source], schemas: dict[str, dict[str, Any]]):
    # Lark, the checker and the compiler are loaded only when policies must be compiled, not from the cache
    from .compile.compiler import CompileError, compile_rule_set
    from .language.check import check
    from .language.parser import ParseError, parse_module

    modules, diagnostics = [], []
    for source in sources.values():
        try:
            modules.append(parse_module(source))
        except ParseError as error:
            diagnostics.append(error.diagnostic)
    if not diagnostics:
        checked = check(modules, schemas)
        diagnostics = checked.diagnostics
    errors = sorted((d for d in diagnostics if d.severity == "error"), key=sort_key)
    if errors:
        raise PolicyError(errors, sources)
    try:
        plans, constants = compile_rule_set(checked, sources)
    except CompileError as error:
        raise PolicyError([Diagnostic(error.code, error.message, error.node.span, error.hint)], sources) from None
    return plans, constants, [d for d in diagnostics if d.severity != "error"], checked.version


def _fault(error: Exception, compiled: CompiledKind) -> RequestError:
    if isinstance(error, OutOfRange):  # a computed date past 2099-12-31 is the request's: name the limit and rule
        origin = fault_origin(error, source_filename(compiled.name), compiled.origins)
        where = f" (in {origin.what} at {origin.source})" if origin is not None else ""
        return RequestError([RequestProblem("", f"{error}{where}", has_value=False)])
    message = fault_message(error, source_filename(compiled.name), compiled.origins)
    return RequestError([RequestProblem("", message, has_value=False)])


_default_lock = threading.Lock()
_default: PolicySet | None = None


def default_policies() -> PolicySet:
    """The bundled rule set, loaded once per process."""
    global _default
    if _default is not None:  # loaded: no lock to take on every `evaluate`
        return _default
    with _default_lock:
        if _default is None:
            _default = load_policies()
        return _default


def evaluate(document: Any, *, validate: bool = True, as_of: Any = None) -> Result:
    """Decide a request document with the bundled policies (at `as_of`, a date, if given)."""
    return default_policies().evaluate(document, validate=validate, as_of=as_of)


def evaluate_many(documents: Iterable[Any], policies: PolicySet | None = None) -> Iterable[Result | RequestError]:
    """Decide many documents in order; an invalid one yields its RequestError instead of a Result."""
    policy_set = policies or default_policies()
    for document in documents:
        try:
            yield policy_set.evaluate(document)
        except RequestError as error:
            yield error
