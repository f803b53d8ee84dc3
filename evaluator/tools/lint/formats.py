"""Lint output: ruff-style text, JSON, SARIF 2.1.0 for code scanning, and GitHub workflow commands."""
from __future__ import annotations

import json
from pathlib import PurePosixPath
from typing import Any, Iterable

from ...language.diagnostics import Diagnostic, render
from ...language.source import Source

DOCS = "https://github.com/vilkar/vilkar/blob/main/docs/lint.md"  # every rule's documentation, by anchor
SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"


def help_uri(code: str) -> str:
    return f"{DOCS}#{code.lower()}"


def counts(findings: list[Diagnostic]) -> tuple[int, int]:
    errors = sum(1 for finding in findings if finding.severity == "error")
    return errors, len(findings) - errors


def as_text(findings: list[Diagnostic], sources: dict[str, Source], strict: bool = False) -> str:
    if not findings:
        return "All checks passed."
    body = "\n\n".join(render(finding, sources) for finding in findings)
    errors, warnings = counts(findings)
    parts = [f"{errors} error{'s' if errors != 1 else ''}"] if errors else []
    if warnings:
        parts.append(f"{warnings} warning{'s' if warnings != 1 else ''}")
    note = "" if strict or not warnings else " (warnings fail the lint only with --strict)"
    return f"{body}\n\nFound {' and '.join(parts)}{note}."


def as_json(findings: list[Diagnostic], rule_set: dict[str, Any] | None = None) -> str:
    errors, warnings = counts(findings)
    report = {"rule_set": rule_set, "errors": errors, "warnings": warnings,
              "findings": [finding.to_dict() for finding in findings]}
    return json.dumps(report, ensure_ascii=False, indent=2)


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


def as_sarif(findings: list[Diagnostic], rules: Iterable[tuple[str, str, str, str]], version: str,
             rule_set: dict[str, Any] | None = None) -> str:
    """SARIF 2.1.0; `rules` are (code, name, documentation, default severity)."""
    rule_list = [_rule(code, name, doc, level) for code, name, doc, level in rules]
    index = {rule["id"]: position for position, rule in enumerate(rule_list)}
    for finding in findings:
        if finding.code not in index:
            index[finding.code] = len(rule_list)
            rule_list.append(_rule(finding.code, finding.code, finding.code, finding.severity))
    results = []
    for finding in findings:
        span = finding.span
        location = {"physicalLocation": {
            "artifactLocation": _artifact(span.file),
            "region": {"startLine": max(1, span.line), "startColumn": max(1, span.col),
                       "endLine": max(1, span.end_line, span.line), "endColumn": max(1, span.end_col)},
        }}
        results.append({
            "ruleId": finding.code,
            "ruleIndex": index[finding.code],
            "level": "error" if finding.severity == "error" else "warning",
            "message": {"text": finding.message + (f"\nhint: {finding.hint}" if finding.hint else "")},
            "locations": [location],
        })
    run: dict[str, Any] = {
        "tool": {"driver": {"name": "vilkar", "version": version, "semanticVersion": version,
                            "informationUri": DOCS, "rules": rule_list}},
        "originalUriBaseIds": {"SRCROOT": {"description": {"text": "the directory vilkar lint ran in"}}},
        "columnKind": "unicodeCodePoints",
        "results": results,
    }
    if rule_set is not None:
        run["properties"] = {"rule_set": rule_set}
    return json.dumps({"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}, ensure_ascii=False, indent=2)


def _rule(code: str, name: str, doc: str, level: str) -> dict[str, Any]:
    first = doc.strip().splitlines()[0] if doc.strip() else name
    return {"id": code, "name": name, "shortDescription": {"text": first}, "fullDescription": {"text": doc or first},
            "help": {"text": doc or first}, "helpUri": help_uri(code),
            "defaultConfiguration": {"level": "error" if level == "error" else "warning"}}


def _artifact(file: str) -> dict[str, str]:
    """A relative URI against SRCROOT; a file outside the directory lint ran in as a file: URI."""
    path = PurePosixPath(file)
    if path.is_absolute():
        return {"uri": path.as_uri()}
    return {"uri": "/".join(_quote(part) for part in path.parts), "uriBaseId": "SRCROOT"}


def _quote(part: str) -> str:
    from urllib.parse import quote
    return quote(part, safe="")
