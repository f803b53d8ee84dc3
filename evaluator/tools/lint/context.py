"""What lint rules look at: the parsed files, the checked rule set, the schemas and the contract text."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

from ...language import ast
from ...api import _display_name, _policy_files
from ...language.check import CheckedRuleSet, check
from ...language.diagnostics import Diagnostic
from ...language.parser import ParseError, parse_module
from ...resources import data_dir
from ...requests.schema import load_schemas
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

    def items(self) -> Iterator[ast.Item]:
        for module in self.modules:
            yield from module.items

    def definitions(self) -> Iterator[ast.Decision | ast.LetDecl]:
        for item in self.items():
            if isinstance(item, (ast.Decision, ast.LetDecl)):
                yield item


def load_context(paths: list[Path], schemas: Path | None = None, contract: Path | None = None) -> LintContext:
    """Parse and check the policy files under the given paths (default: the bundled rule set)."""
    files: list[tuple[Path, bool]] = []
    for path in paths or [data_dir("policies")]:
        files.extend((file, not paths) for file in _policy_files(path))
    sources = {}
    for file, bundled in files:
        name = _display_name(file, bundled)
        sources[name] = Source.of(name, file.read_text(encoding="utf-8"))
    return context_from_sources(sources, load_schemas(schemas or data_dir("schemas")),
                                _contract_text(contract, paths))


def context_from_sources(sources: dict[str, Source], schemas: dict[str, dict[str, Any]],
                         contract: str | None, parse: Any = None) -> LintContext:
    """Parse and check policy texts already in memory (an editor's unsaved buffers, for instance).

    `parse` replaces `parse_module`, so that an editor can reuse the trees of files that did not change.
    """
    context = LintContext(sources, [], schemas, contract)
    for source in sources.values():
        try:
            context.modules.append((parse or parse_module)(source))
        except ParseError as error:
            context.diagnostics.append(error.diagnostic)
    if not context.diagnostics:
        context.checked = check(context.modules, context.schemas)
        context.diagnostics.extend(context.checked.diagnostics)
    return context


def _contract_text(contract: Path | None, paths: list[Path]) -> str | None:
    """The contract the policies cite: given, or `contract/*.txt` beside the policies."""
    candidates = [contract] if contract else []
    for path in paths or [data_dir("policies")]:
        folder = path if path.is_dir() else path.parent
        candidates.extend(sorted((folder / "contract").glob("*.txt")))
    candidates.extend(sorted((data_dir("policies") / "contract").glob("*.txt")))
    for candidate in candidates:
        if candidate is not None and candidate.is_file():
            return normalize_text(candidate.read_text(encoding="utf-8"))
    return None


def normalize_text(text: str) -> str:
    """Lower case with single spaces, so a citation matches across the PDF's line breaks."""
    return re.sub(r"\s+", " ", text).strip().casefold()
