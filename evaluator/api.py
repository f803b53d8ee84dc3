"""The library API: `load_policies`, `PolicySet.evaluate`, `evaluate`, and the `Result` they return."""
from __future__ import annotations

import datetime as dt
import os
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Iterable

from .language.check import check
from .compile import cache
from .compile.compiler import CompiledKind, CompileError, compile_rule_set, instantiate, source_filename
from .compile.faults import fault_message
from .language.diagnostics import Diagnostic, did_you_mean, sort_key
from .errors import PolicyError, RequestError, RequestProblem
from .resources import data_dir
from .result import Result
from .requests.schema import KindValidator, Plain, load_schemas
from .language.source import Source
from .versions import History, Version, as_of_day, event_day, event_field, holidays_version, identity, is_history, \
    no_version_error, version_dirs


class PolicySet:
    """A parsed, checked and compiled rule set. `evaluate` is thread-safe and does no file I/O."""

    def __init__(self, kinds: dict[str, CompiledKind], schemas: dict[str, dict[str, Any]],
                 sources: dict[str, Source], warnings: list[Diagnostic], version: Version | None = None,
                 history: History | None = None):
        self.kinds = kinds
        self.schemas = schemas
        self.sources = sources
        self.warnings = warnings
        self.validators = {kind: KindValidator(kind, schema) for kind, schema in schemas.items()}
        self.version = version or Version(None, None, None, identity(
            {name: source.text for name, source in sources.items()}, schemas), holidays_version())
        self.history = history  # for a history: its versions; this set's own kinds are the latest version's
        self.window = self.version.window
        self.event_fields = {kind: event_field(schema) for kind, schema in schemas.items()}

    def evaluate(self, document: Any, *, validate: bool = True, as_of: Any = None) -> Result:
        """Decide one request document; raises RequestError listing every problem if it is invalid.

        With versions, the one in force on `as_of` (a date) decides, else the one in force on the
        request's event date."""
        if self.history is not None:
            return self.history.pick(document, as_of).evaluate(document, validate=validate, as_of=as_of)
        compiled, plain = self.prepare(document, validate)
        if self.window is not None:
            self.check_window(compiled.name, plain, as_of)
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
                                               _shown(document))])
        plain, problems, has_decimals = document, [], True
        if validate:
            made_plain = Plain(document)
            plain, problems, has_decimals = made_plain.value, made_plain.problems, made_plain.has_decimals
        kind = plain.get("kind")
        if not isinstance(kind, str) or kind not in self.validators:
            problems.append(self.kind_problem(plain))
            raise RequestError(problems)
        if validate:
            problems.extend(self.validators[kind].problems(plain, has_decimals))
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
                raise RequestError([self.requirement_problem(compiled, index, plain) for index in failed])
        return compiled, plain

    def kind_problem(self, document: dict[str, Any]) -> RequestProblem:
        kinds = sorted(self.validators)
        if "kind" not in document:
            return RequestProblem("/kind", "is required but missing", has_value=False,
                                  hint=f"the kinds are: {', '.join(kinds)}")
        kind = document["kind"]
        hint = (did_you_mean(kind, kinds) if isinstance(kind, str) else None) or f"the kinds are: {', '.join(kinds)}"
        return RequestProblem("/kind", "is not a known request kind", kind, hint)

    def requirement_problem(self, compiled: CompiledKind, index: int, document: dict[str, Any]) -> RequestProblem:
        info = compiled.requirement_infos[index]
        value: Any = document
        for part in info.path:
            value = value.get(part) if isinstance(value, dict) else None
        where = "".join("/" + part for part in info.path)
        hint = f"{info.cites} ({info.source})" if info.cites else info.source
        return RequestProblem(where, info.message, value, hint, has_value=value is not None)


def load_policies(path: str | os.PathLike[str] | None = None, *,
                  schemas: str | os.PathLike[str] | None = None) -> PolicySet:
    """Parse, check and compile a rule set (a directory of `*.vk` files, or one file) or a history of
    versions (a directory whose subdirectories are rule sets); raises PolicyError."""
    if path is not None and is_history(Path(path)):
        from .versions import load_history
        return load_history(Path(path), [load_policies(sub, schemas=schemas) for sub in version_dirs(Path(path))])
    policy_files = _policy_files(Path(path) if path is not None else data_dir("policies"))
    schema_dir = Path(schemas) if schemas is not None else data_dir("schemas")
    sources = {}
    for file in policy_files:
        name = _display_name(file, path is None)
        sources[name] = Source.of(name, file.read_text(encoding="utf-8"))
    return compile_sources(sources, load_schemas(schema_dir))


def compile_sources(sources: dict[str, Source], schemas: dict[str, dict[str, Any]], *,
                    use_cache: bool = True) -> PolicySet:
    """Parse, check and compile policy texts that are already in memory (or take them from the cache)."""
    entry_key = cache.key({name: source.text for name, source in sources.items()}, schemas) if use_cache else None
    cached = cache.load(entry_key) if entry_key is not None else None
    if cached is not None:
        plans, constants, warnings, declared = cached
    else:
        plans, constants, warnings, declared = _compile(sources, schemas)
        if entry_key is not None:
            cache.store(entry_key, (plans, constants, warnings, declared))
    kinds = {name: instantiate(plan, constants) for name, plan in plans.items()}
    sha256 = identity({name: source.text for name, source in sources.items()}, schemas)
    version = Version(declared.id, dt.date.fromisoformat(declared.effective),
                      dt.date.fromisoformat(declared.until) if declared.until else None, sha256,
                      holidays_version(), declared.span) if declared is not None else None
    return PolicySet(kinds, schemas, sources, warnings, version)


def _compile(sources: dict[str, Source], schemas: dict[str, dict[str, Any]]):
    from .language.parser import ParseError, parse_module  # Lark is loaded only when policies must be parsed

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


def _policy_files(path: Path) -> list[Path]:
    if path.is_file():
        return [path]
    if not path.is_dir():
        raise PolicyError([Diagnostic("VK100", f"no policy file or directory at {path}",
                                      _nowhere(str(path)), "give a directory of *.vk files")])
    files = sorted(path.rglob("*.vk"))
    if not files:
        raise PolicyError([Diagnostic("VK100", f"{path} holds no *.vk policy files", _nowhere(str(path)),
                                      "policy files end in .vk")])
    return files


def _display_name(file: Path, bundled: bool) -> str:
    if bundled:
        return f"policies/{file.relative_to(data_dir('policies')).as_posix()}"
    try:
        return file.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return file.as_posix()


def _fault(error: Exception, compiled: CompiledKind) -> RequestError:
    message = fault_message(error, source_filename(compiled.name), compiled.origins)
    return RequestError([RequestProblem("", message, has_value=False)])


def _nowhere(file: str):
    from .language.source import Span
    return Span(file, 0, 0, 0, 0)


def _shown(value: Any) -> Any:
    return value if isinstance(value, (str, int, float, bool, type(None), list)) else repr(value)


_default_lock = threading.Lock()
_default: PolicySet | None = None


def default_policies() -> PolicySet:
    """The bundled rule set, loaded once per process."""
    global _default
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
