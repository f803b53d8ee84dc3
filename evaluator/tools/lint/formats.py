"""Lint output: ruff-style text, JSON, SARIF 2.1.0 for code scanning, and GitHub workflow commands."""
from __future__ import annotations

import json
from typing import Iterable

from ...language.diagnostics import Diagnostic, render
from ...language.source import Source


def as_text(findings: list[Diagnostic], sources: dict[str, Source]) -> str:
    if not findings:
        return "All checks passed."
    body = "\n\n".join(render(finding, sources) for finding in findings)
    return f"{body}\n\nFound {len(findings)} problem{'s' if len(findings) != 1 else ''}."


def as_json(findings: list[Diagnostic]) -> str:
    return json.dumps([finding.to_dict() for finding in findings], ensure_ascii=False, indent=2)


def as_github(findings: list[Diagnostic]) -> str:
    lines = []
    for finding in findings:
        level = "error" if finding.severity == "error" else "warning"
        message = finding.message + (f" ({finding.hint})" if finding.hint else "")
        lines.append(f"::{level} file={finding.span.file},line={finding.span.line},col={finding.span.col},"
                     f"endLine={finding.span.end_line},endColumn={finding.span.end_col},"
                     f"title={finding.code}::{_escape(message)}")
    return "\n".join(lines)


def _escape(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def as_sarif(findings: list[Diagnostic], rules: Iterable[tuple[str, str, str]], version: str) -> str:
    """SARIF 2.1.0; `rules` are (code, name, documentation)."""
    rule_list = [{"id": code, "name": name, "shortDescription": {"text": doc.splitlines()[0] if doc else name},
                  "fullDescription": {"text": doc}, "help": {"text": doc}} for code, name, doc in rules]
    known = {rule["id"] for rule in rule_list}
    for finding in findings:
        if finding.code not in known:
            known.add(finding.code)
            rule_list.append({"id": finding.code, "name": finding.code,
                              "shortDescription": {"text": finding.code}})
    results = []
    for finding in findings:
        results.append({
            "ruleId": finding.code,
            "level": "error" if finding.severity == "error" else "warning",
            "message": {"text": finding.message + (f"\nhint: {finding.hint}" if finding.hint else "")},
            "locations": [{"physicalLocation": {
                "artifactLocation": {"uri": finding.span.file},
                "region": {"startLine": max(1, finding.span.line), "startColumn": max(1, finding.span.col),
                           "endLine": max(1, finding.span.end_line), "endColumn": max(1, finding.span.end_col)},
            }}],
        })
    sarif = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{"tool": {"driver": {"name": "vilkar", "version": version,
                                      "informationUri": "https://vilkar.dev", "rules": rule_list}},
                  "results": results}],
    }
    return json.dumps(sarif, ensure_ascii=False, indent=2)
