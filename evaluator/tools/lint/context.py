"""What lint rules look at: the parsed files, the checked rule set, the schemas and the contract text."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

from ...language import ast
from ...language.check import CheckedRuleSet, check
from ...language.diagnostics import Diagnostic
from ...language.parser import ParseError, parse_module
from ...resources import data_dir
from ...errors import PolicyError
from ...rule_set import RuleSet, read_schemas, read_source, resolve_schemas
from ...language.source import Source


@dataclass
class LintContext:
    """A rule set as lint rules see it."""

    sources: dict[str, Source]
    modules: list[ast.Module]
    schemas: dict[str, dict[str, Any]]
    contract: str | None
    diagnostics: list[Diagnostic] = field(default_factory=list)
    checked: CheckedRuleSet | None = None
    rule_set: RuleSet | None = None
    contract_text: str | None = None  # the contract as written, for rules that read its sections

    def items(self) -> Iterator[ast.Item]:
        for module in self.modules:
            yield from module.items

    def definitions(self) -> Iterator[ast.Decision | ast.LetDecl]:
        for item in self.items():
            if isinstance(item, (ast.Decision, ast.LetDecl)):
                yield item


def load_context(paths: list[Path] | RuleSet, schemas: Path | None = None,
                 contract: Path | None = None) -> LintContext:
    """Parse and check a rule set: a resolved one, or the policy files under the given paths."""
    rule_set = paths if isinstance(paths, RuleSet) else RuleSet.of_paths(paths, "the paths given")
    sources, unreadable = {}, []
    for file in rule_set.files:  # a file that is not UTF-8 is a finding like a parse error, not a crash
        name = rule_set.display_name(file)
        try:
            sources[name] = read_source(file, name)
        except PolicyError as error:
            unreadable.extend(error.diagnostics)
            sources.update(error.sources)
    written = _contract_text(contract, rule_set)
    context = context_from_sources(sources, read_schemas(schemas or resolve_schemas(None)),
                                   normalize_text(written) if written is not None else None, unreadable=unreadable)
    context.rule_set, context.contract_text = rule_set, written
    return context


def context_from_sources(sources: dict[str, Source], schemas: dict[str, dict[str, Any]],
                         contract: str | None, parse: Any = None,
                         unreadable: list[Diagnostic] | None = None) -> LintContext:
    """Parse and check policy texts already in memory (an editor's unsaved buffers, for instance).

    `parse` replaces `parse_module`, so that an editor can reuse the trees of files that did not change;
    `unreadable` are the diagnostics of files that could not be read as text (they are not parsed).
    """
    context = LintContext(dict(sources), [], schemas, contract, list(unreadable or []))
    unreadable_files = {d.span.file for d in unreadable or []}
    for source in (s for s in sources.values() if s.name not in unreadable_files):
        try:
            context.modules.append((parse or parse_module)(source))
        except ParseError as error:
            context.diagnostics.append(error.diagnostic)
    if not context.diagnostics:
        context.checked = check(context.modules, context.schemas)
        context.diagnostics.extend(context.checked.diagnostics)
    return context


def _contract_text(contract: Path | None, rule_set: RuleSet) -> str | None:
    """The text of the contract the policies cite: given, or `contract/*.txt` beside them, or the bundled copy."""
    candidates = [contract] if contract else []
    candidates.extend(sorted((rule_set.root / "contract").glob("*.txt")))
    candidates.extend(sorted((data_dir("policies") / "contract").glob("*.txt")))
    for candidate in candidates:
        if candidate is not None and candidate.is_file():
            return candidate.read_text(encoding="utf-8-sig")
    return None


def normalize_text(text: str) -> str:
    """Lower case with single spaces, so a citation matches across the PDF's line breaks."""
    return re.sub(r"\s+", " ", text).strip().casefold()
