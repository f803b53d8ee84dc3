"""The rule set an open policy belongs to, read from disk with the editor's unsaved texts on top.

A policy file belongs to the rule set directory that holds it: the one the rule set resolver finds
(`--policies`, `VILKAR_POLICIES`, `[tool.vilkar]`, `./policies`) when the file is inside it, else the
file's own directory. Schemas and the contract resolve beside it, else the bundled ones.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..language import ast
from ..language.check import CheckedRuleSet
from ..language.diagnostics import Diagnostic
from ..language.parser import parse_module
from ..language.source import Source
from ..requests.schema import load_schemas
from ..resources import data_dir
from ..tools.clauses import Contract, contract_beside, parse_contract
from ..tools.lint import lint
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


def rule_set_directory(document: Path, configured: Path | None = None) -> Path:
    """The directory of the rule set a policy file belongs to."""
    document = document.resolve()
    if configured is not None:
        configured = configured.resolve()
        folder = configured if configured.is_dir() else configured.parent
        if document.is_relative_to(folder):
            return folder
    return document.parent


def schema_directory(rule_set: Path, configured: Path | None = None) -> Path:
    """`--schemas`/`VILKAR_SCHEMAS`, else `schemas/` beside the rule set directory, else the bundled schemas."""
    if configured is not None:
        return configured
    if os.environ.get("VILKAR_SCHEMAS"):
        return Path(os.environ["VILKAR_SCHEMAS"])
    for folder in (rule_set, *rule_set.parents[:3]):
        if (folder / "schemas").is_dir() and any((folder / "schemas").glob("*.schema.json")):
            return folder / "schemas"
    return data_dir("schemas")


@lru_cache(maxsize=256)
def _parsed_text(name: str, text: str) -> ast.Module:
    """The tree of a file's text; typing in one file leaves the others' trees cached."""
    return parse_module(Source.of(name, text))


def _parsed(source: Source) -> ast.Module:
    return _parsed_text(source.name, source.text)


def analyse(directory: Path, open_texts: dict[str, str], schemas_dir: Path | None = None) -> Analysis:
    """Parse, check and lint a rule set directory; `open_texts` (by absolute path) replace what is on disk."""
    texts: dict[str, str] = {}
    for file in sorted(directory.rglob("*.vk")):
        key = str(file.resolve())
        if key not in open_texts:
            try:
                texts[key] = file.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                continue
    for key, text in open_texts.items():
        if Path(key).parent == directory or Path(key).is_relative_to(directory):
            texts[key] = text
    sources = {key: Source.of(key, text) for key, text in sorted(texts.items())}
    schemas = load_schemas(schemas_dir or schema_directory(directory))
    contract_file = contract_beside(directory)
    contract_text = contract_file.read_text(encoding="utf-8") if contract_file else None
    context = context_from_sources(sources, schemas, normalize_text(contract_text) if contract_text else None,
                                   parse=_parsed)
    modules = {module.file: module for module in context.modules}  # a file that does not parse is left out
    return Analysis(directory, sources, modules, lint(context), context.checked, schemas,
                    parse_contract(contract_text) if contract_text else None,
                    index_modules(modules, sources), context)
