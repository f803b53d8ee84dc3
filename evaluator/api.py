"""The library API: `load_policies`, `PolicySet.evaluate`, `evaluate`, and the `Result` they return."""
from __future__ import annotations

import os
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Iterable

from .language.check import check
from .compile import cache
from .compile.compiler import CompiledKind, compile_rule_set, instantiate
from .language.diagnostics import Diagnostic, did_you_mean, sort_key
from .errors import PolicyError, RequestError, RequestProblem
from .resources import data_dir
from .result import Result
from .requests.schema import KindValidator, Plain, load_schemas
from .language.source import Source


class PolicySet:
    """A parsed, checked and compiled rule set. `evaluate` is thread-safe and does no file I/O."""

    def __init__(self, kinds: dict[str, CompiledKind], schemas: dict[str, dict[str, Any]],
                 sources: dict[str, Source], warnings: list[Diagnostic]):
        self.kinds = kinds
        self.schemas = schemas
        self.sources = sources
        self.warnings = warnings
        self.validators = {kind: KindValidator(kind, schema) for kind, schema in schemas.items()}

    def evaluate(self, document: Any, *, validate: bool = True) -> Result:
        """Decide one request document; raises RequestError listing every problem if it is invalid."""
        compiled, plain = self.prepare(document, validate)
        try:
            values, trace = compiled.decide(plain)
        except (ArithmeticError, ValueError, OverflowError, KeyError, TypeError) as error:
            raise RequestError([RequestProblem("", f"the policies cannot decide this request: {error}",
                                               has_value=False)]) from None
        return Result(compiled, plain, values, trace)

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
            failed = compiled.requirements(plain)
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
    """Parse, check and compile a rule set (a directory of `*.vk` files, or one file); raises PolicyError."""
    policy_files = _policy_files(Path(path) if path is not None else data_dir("policies"))
    schema_dir = Path(schemas) if schemas is not None else data_dir("schemas")
    sources = {}
    for file in policy_files:
        name = _display_name(file, path is None)
        sources[name] = Source.of(name, file.read_text(encoding="utf-8"))
    return compile_sources(sources, load_schemas(schema_dir))


def compile_sources(sources: dict[str, Source], schemas: dict[str, dict[str, Any]]) -> PolicySet:
    """Parse, check and compile policy texts that are already in memory (or take them from the cache)."""
    entry_key = cache.key({name: source.text for name, source in sources.items()}, schemas)
    cached = cache.load(entry_key)
    if cached is not None:
        plans, constants, warnings = cached
    else:
        plans, constants, warnings = _compile(sources, schemas)
        cache.store(entry_key, (plans, constants, warnings))
    kinds = {name: instantiate(plan, constants) for name, plan in plans.items()}
    return PolicySet(kinds, schemas, sources, warnings)


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
    plans, constants = compile_rule_set(checked, sources)
    return plans, constants, [d for d in diagnostics if d.severity != "error"]


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


def evaluate(document: Any, *, validate: bool = True) -> Result:
    """Decide a request document with the bundled policies."""
    return default_policies().evaluate(document, validate=validate)


def evaluate_many(documents: Iterable[Any], policies: PolicySet | None = None) -> Iterable[Result | RequestError]:
    """Decide many documents in order; an invalid one yields its RequestError instead of a Result."""
    policy_set = policies or default_policies()
    for document in documents:
        try:
            yield policy_set.evaluate(document)
        except RequestError as error:
            yield error
