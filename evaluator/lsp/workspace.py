"""The rule set an open policy belongs to, read from disk with the editor's unsaved texts on top.

An open file belongs to the rule set that `vilkar lint` would check if it were run in the file's
directory or the nearest one above it where the shared resolver (SPEC §8.1, evaluator/rule_set.py)
finds a rule set holding the file: `--policies` or `VILKAR_POLICIES` if given, else
`[tool.vilkar] policies` of the nearest pyproject.toml or vilkar.toml, else `./policies`; the
bundled rule set for its own files. Its schemas resolve from that same directory (`--schemas`,
`VILKAR_SCHEMAS`, `[tool.vilkar] schemas`, `./schemas`, bundled). A file no rule set holds is a rule
set of its own directory, with the schemas found from the workspace root. The contract is the one
beside the rule set.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Mapping

from ..language import ast
from ..language.check import CheckedRuleSet
from ..language.diagnostics import Diagnostic
from ..language.parser import parse_module
from ..language.source import Source
from ..requests.schema import load_schemas
from ..resources import data_dir
from ..rule_set import NotFound, RuleSet, contract_beside, find_config, resolve_policies, resolve_schemas
from ..tools.clauses import Contract, parse_contract
from ..tools.lint import lint
from ..tools.lint.config import ConfigError, LintConfig
from ..tools.lint.context import LintContext, context_from_sources, normalize_text
from .symbols import SymbolIndex, index_modules


@dataclass
class Analysis:
    """Everything the server answers from, for one rule set at one moment."""

    directory: Path
    sources: dict[str, Source]  # by absolute path
    modules: dict[str, ast.Module]  # every file that parses, even when another does not
    findings: list[Diagnostic]
    checked: CheckedRuleSet | None
    schemas: dict[str, dict[str, Any]]
    contract: Contract | None
    index: SymbolIndex
    context: LintContext = field(repr=False, default=None)  # type: ignore[assignment]
    compiled: Any = field(repr=False, default=None)  # the PolicySet, built when a code lens first needs it

    def findings_for(self, path: str) -> list[Diagnostic]:
        return [finding for finding in self.findings if finding.span.file == path]


@dataclass(frozen=True)
class Located:
    """Where an open file's rule set is: the directory analysed, its files, its schemas."""

    directory: Path
    files: tuple[Path, ...] | None  # a rule set that is one .vk file; None: every *.vk under the directory
    schemas: Path
    rule_set: RuleSet | None  # as the resolver found it; None for a file no rule set holds
    lint_config: LintConfig = field(default_factory=LintConfig)  # [tool.vilkar.lint], as `vilkar lint` reads it
    problem: str | None = None  # a configuration that could not be read, to tell the editor

    def summary(self) -> str:
        if self.rule_set is not None:
            return f"{self.rule_set.summary()}, found by {self.rule_set.origin}; schemas: {self.schemas}"
        return f"rule set: {self.directory} (not a rule set the resolver finds); schemas: {self.schemas}"


def locate(document: Path, policies: Path | None = None, schemas: Path | None = None,
           root: Path | None = None, environ: Mapping[str, str] | None = None) -> Located:
    """The rule set and schemas of an open policy file, as the shared resolver finds them."""
    environ = os.environ if environ is None else environ
    document = document.resolve()
    given = policies is not None or bool(environ.get("VILKAR_POLICIES"))
    bundled = data_dir("policies").resolve()
    if not given and bundled.parent.name == "_data" and document.is_relative_to(bundled):
        rule_set = RuleSet.at(bundled, "the bundled rule set", bundled=True)  # an installed wheel's own files
        return Located(bundled, None, _schemas(schemas, environ, bundled), rule_set)
    for folder in [document.parent] if given else [document.parent, *document.parent.parents]:
        try:
            rule_set = resolve_policies(policies, bundled_ok=False, environ=environ, cwd=folder)
        except NotFound:
            continue
        if _holds(rule_set, document):
            single = (rule_set.path.resolve(),) if rule_set.path.is_file() else None
            return Located(rule_set.root.resolve(), single, _schemas(schemas, environ, folder), rule_set,
                           *_lint_config(folder))
    base = root.resolve() if root is not None and document.is_relative_to(root.resolve()) else document.parent
    return Located(document.parent, None, _schemas(schemas, environ, base), None, *_lint_config(base))


def _lint_config(folder: Path) -> tuple[LintConfig, str | None]:
    found = find_config(folder)
    try:
        return LintConfig.from_table(found.section("lint"), f"[tool.vilkar.lint] in {found.file}"), found.problem
    except ConfigError as error:
        return LintConfig(), str(error)


def _holds(rule_set: RuleSet, document: Path) -> bool:
    if rule_set.path.is_file():
        return rule_set.path.resolve() == document
    return document.is_relative_to(rule_set.root.resolve())


def _schemas(schemas: Path | None, environ: Mapping[str, str], folder: Path) -> Path:
    try:
        return resolve_schemas(schemas, environ=environ, cwd=folder)
    except NotFound:  # a configured directory that is not there: the bundled schemas, as the lint fallback
        return data_dir("schemas")


@lru_cache(maxsize=256)
def _parsed_text(name: str, text: str) -> ast.Module:
    """The tree of a file's text; typing in one file leaves the others' trees cached."""
    return parse_module(Source.of(name, text))


def _parsed(source: Source) -> ast.Module:
    return _parsed_text(source.name, source.text)


def analyse(directory: Path, open_texts: dict[str, str], schemas_dir: Path | None = None,
            files: tuple[Path, ...] | None = None, lint_config: LintConfig | None = None) -> Analysis:
    """Parse, check and lint a rule set (`files`, else every *.vk under `directory`); `open_texts` (by
    absolute path) replace what is on disk, and an open file the rule set holds is added to it."""
    texts: dict[str, str] = {}
    for file in files if files is not None else sorted(directory.rglob("*.vk")):
        key = str(file.resolve())
        if key not in open_texts:
            try:
                texts[key] = file.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                continue
    wanted = {str(file.resolve()) for file in files} if files is not None else None
    for key, text in open_texts.items():
        if (key in wanted) if wanted is not None else Path(key).is_relative_to(directory):
            texts[key] = text
    sources = {key: Source.of(key, text) for key, text in sorted(texts.items())}
    schemas = load_schemas(schemas_dir or data_dir("schemas"))
    contract_file = contract_beside(directory)
    contract_text = contract_file.read_text(encoding="utf-8") if contract_file else None
    context = context_from_sources(sources, schemas, normalize_text(contract_text) if contract_text else None,
                                   parse=_parsed)
    modules = {module.file: module for module in context.modules}  # a file that does not parse is left out
    return Analysis(directory, sources, modules, lint(context, lint_config), context.checked, schemas,
                    parse_contract(contract_text) if contract_text else None,
                    index_modules(modules, sources), context)
