"""What the contract view shows: each clause, the rules citing it, its status and its test coverage.

A rule is an item of a policy file (a decision, `let`, set, requirement, calendar or kind). Its home
is the clause its own citation names, else its kind's clause, else the first clause a row of it cites;
a row, tier or exception that cites another clause is shown there too, as a reference to the item.

A clause's status: *encoded* when a rule cites it (or *partly*, when `contract/status.yaml` says what
is left out); otherwise what status.yaml says (*not computable* or *not yet encoded*), and *not yet
encoded* when it says nothing.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

from ...language import ast
from ...language.parser import ParseError, parse_module
from ...language.source import Source
from ...requests.documents import DocumentError, read_document
from ..clauses import Clause, Contract

STATUSES = ("encoded", "partly", "not computable", "not yet encoded")
_INTERPRETATION = re.compile(r"\b(interpret|alternative|read as|reading)", re.IGNORECASE)


class ViewError(Exception):
    """The status file or the rule set cannot be shown; the message says where and why."""


@dataclass
class RowReference:
    """A row, tier or exception of a rule that cites a clause other than the rule's home."""

    rule: Rule
    line: int
    code: str
    citation: str


@dataclass
class Rule:
    """One item of a policy file, as the view shows it."""

    id: str
    file: str
    line: int
    title: str
    code: str
    citations: list[tuple[str, str | None]]  # (citation text, clause id it names)
    interpretations: list[str]
    home: str | None = None


@dataclass
class ClauseView:
    clause: Clause
    status: str
    reason: str | None
    rules: list[Rule] = field(default_factory=list)
    rows: list[RowReference] = field(default_factory=list)
    covered: int = 0  # rules citing this clause that a policy test made decide
    coverable: int = 0  # rules citing this clause that a test could make decide
    decided: list[str] = field(default_factory=list)  # with --request: the decisions this clause decided


@dataclass
class View:
    """The whole page's content."""

    contract: Contract
    clauses: dict[str, ClauseView]
    rules: list[Rule]
    orphans: list[Rule]
    rule_set: dict[str, Any]
    warnings: list[str]
    tests: int | None = None  # policy test cases run for coverage; None: none were found
    notes: dict[str, list[str]] = field(default_factory=dict)  # kind → its notes; "" → the rule set's versions

    def counts(self) -> dict[str, int]:
        counts = {status: 0 for status in STATUSES}
        for view in self.clauses.values():
            counts[view.status] += 1
        return counts


def build_view(sources: dict[str, Source], contract: Contract, status_text: str | None,
               status_name: str = "status.yaml", rule_set_path: str = "policies/",
               rule_set: dict[str, Any] | None = None) -> View:
    """Place every rule beside its clause and give every clause its status.

    `rule_set` is `{"path", "files", "sha256"}` as the resolver names it (SPEC §8.1); without it the
    texts themselves are fingerprinted."""
    rules, rows, notes = _rules(sources, contract)
    cited = {clause_id for rule in rules for _, clause_id in rule.citations if clause_id}
    listed = read_status(status_text, status_name, contract) if status_text is not None else {}
    warnings: list[str] = []
    clauses: dict[str, ClauseView] = {}
    for clause in contract.clauses:
        status, reason = listed.get(clause.id, (None, None))
        if clause.id in cited:
            if status not in (None, "partly"):
                warnings.append(f"{status_name}: {clause.id} is cited by a rule, so it is encoded, not {status}")
            status = "partly" if status == "partly" else "encoded"
        elif status in (None, "encoded", "partly"):
            if status is not None:
                warnings.append(f"{status_name}: {clause.id} is {status} there, but no rule cites it")
            status = "not yet encoded"
        clauses[clause.id] = ClauseView(clause, status, reason)
    orphans = []
    for rule in rules:
        if rule.home is None:
            orphans.append(rule)
        else:
            clauses[rule.home].rules.append(rule)
    for row in rows:
        clauses[row.citation].rows.append(row)
    if rule_set is None:
        digest = hashlib.sha256()
        for name, source in sorted(sources.items()):
            digest.update(name.encode() + b"\0" + source.text.encode() + b"\0")
        rule_set = {"path": rule_set_path, "files": len(sources), "sha256": digest.hexdigest()}
    return View(contract, clauses, rules, orphans, rule_set, warnings, notes=notes)


def read_status(text: str, name: str, contract: Contract) -> dict[str, tuple[str, str | None]]:
    """`clauses: {anchor: {status, reason}}`; raises ViewError for an unknown anchor or status."""
    try:
        document = read_document(name, text)
        data = document.data
    except DocumentError as error:
        raise ViewError(str(error)) from None
    entries = data.get("clauses") if isinstance(data, dict) else None
    if not isinstance(entries, dict):
        raise ViewError(f"{name}:1:1: the file holds `clauses:`, a map from clause anchors to a status")
    result = {}
    for anchor, entry in entries.items():
        line = document.line_of("clauses", anchor)
        where = f"{name}:{line}"
        if anchor not in contract.by_id:
            from ...language.diagnostics import did_you_mean
            hint = did_you_mean(str(anchor), contract.by_id) or "the anchors are the ids `vilkar view` shows"
            raise ViewError(f"{where}: no clause of the contract has the anchor {anchor!r}; {hint}")
        status = entry.get("status") if isinstance(entry, dict) else entry
        if status not in STATUSES:
            raise ViewError(f"{where}: the status of {anchor} is {status!r}; it is one of {', '.join(STATUSES)}")
        reason = entry.get("reason") if isinstance(entry, dict) else None
        result[str(anchor)] = (str(status), str(reason) if reason else None)
    return result


def read_sources(files: list[Path], display: dict[Path, str]) -> dict[str, Source]:
    return {display[file]: Source.of(display[file], file.read_text(encoding="utf-8")) for file in files}


def add_coverage(view: View, policies: Any, cases: list[Any]) -> None:
    """Run the policy tests and count, per clause, the rules citing it that some case made decide."""
    from ..testing import run
    report = run(policies, cases)
    fired = report.coverage.fired
    for kind, name, index, rule in report.coverage.universe(policies):
        clause = view.contract.resolve(rule.cites) if rule.cites else None
        if clause is None:
            continue
        target = view.clauses[clause.id]
        target.coverable += 1
        target.covered += (kind, name, index) in fired
    view.tests = len(cases)


def mark_decided(view: View, result: Any) -> None:
    """With --request: the clauses whose rules decided the request."""
    for name, (info, rule) in result.fired().items():
        if name not in result.decisions:
            continue
        for cites in {rule.cites, info.cites} - {None}:
            clause = view.contract.resolve(cites)
            if clause is not None and name not in view.clauses[clause.id].decided:
                view.clauses[clause.id].decided.append(name)


# ---------------------------------------------------------------- rules from the policy files


def _rules(sources: dict[str, Source], contract: Contract) -> tuple[list[Rule], list[RowReference], dict]:
    rules: list[Rule] = []
    rows: list[RowReference] = []
    notes: dict[str, list[str]] = {}
    for name, source in sources.items():
        try:
            module = parse_module(source)
        except ParseError as error:
            raise ViewError(f"{error.diagnostic.span}: {error.diagnostic.code} {error.diagnostic.message}") from None
        lines = source.text.splitlines()
        previous_end = 0
        kind_clause: dict[str, str | None] = {}
        for item in module.items:
            if isinstance(item, ast.VersionDecl):  # the rule set's edition, shown in the page's header
                notes.setdefault("", []).append(f'version "{item.id}" effective {item.effective}'
                                                + (f" until {item.until}" if item.until else ""))
                previous_end = item.span.end_line
                continue
            if isinstance(item, ast.MonthRule):  # rule-set-wide date arithmetic, shown in the header too
                rolls = "roll forward to the first of the next month" if item.rule == "roll_forward" \
                    else "are clamped to the end of the month"
                notes.setdefault("", []).append(f"dates that do not exist {rolls}")
                previous_end = item.span.end_line
                continue
            first = _leading_comment_start(lines, item.span.line, previous_end)
            code = "\n".join(lines[first - 1:item.span.end_line])
            citations = [(c.text, _resolved(contract, c.text)) for c in _citations(item)]
            comments = "\n".join(line.strip() for line in lines[first - 1:item.span.line - 1])
            rule = Rule(f"rule-{_slug(name)}-{item.span.line}", name, item.span.line, _title(item), code,
                        citations, _interpretations(comments))
            own = getattr(item, "citation", None)
            kind = item.name if isinstance(item, ast.KindDecl) else getattr(item, "kind", None)
            home = _resolved(contract, own.text) if isinstance(own, ast.Citation) else None
            if isinstance(item, ast.KindDecl):
                kind_clause[item.name] = home
                notes.setdefault(item.name, []).extend(item.notes)
            home = home or kind_clause.get(kind or "") or next((c for _, c in citations if c), None)
            rule.home = home
            rules.append(rule)
            for citation in _row_citations(item):
                clause_id = _resolved(contract, citation.text)
                if clause_id and clause_id != home:
                    rows.append(RowReference(rule, citation.span.line, lines[citation.span.line - 1].strip(), clause_id))
            previous_end = item.span.end_line
    return rules, rows, notes


def _leading_comment_start(lines: list[str], line: int, previous_end: int) -> int:
    """The first line of the comment block just above an item (blank lines between are allowed)."""
    first = line
    index = line - 2
    while index >= previous_end:
        text = lines[index].strip()
        if text.startswith("#"):
            first = index + 1
        elif text:
            break
        index -= 1
    while first < line and not lines[first - 1].strip():
        first += 1
    return first


def _interpretations(comments: str) -> list[str]:
    """Comment paragraphs that state an interpretation or the alternative reading."""
    paragraphs = [" ".join(part.lstrip("# ").strip() for part in block.splitlines())
                  for block in re.split(r"\n\s*#\s*\n", comments) if block.strip()]
    return [p.strip() for p in paragraphs if _INTERPRETATION.search(p)]


def _citations(node: object) -> Iterator[ast.Citation]:
    if isinstance(node, ast.Citation):
        yield node
    elif isinstance(node, tuple):
        for child in node:
            yield from _citations(child)
    elif hasattr(node, "__dataclass_fields__"):
        for name in node.__dataclass_fields__:  # type: ignore[union-attr]
            if name != "span":
                yield from _citations(getattr(node, name))


def _row_citations(item: ast.Item) -> list[ast.Citation]:
    own = getattr(item, "citation", None)
    return [c for c in _citations(item) if c is not own]


def _resolved(contract: Contract, text: str) -> str | None:
    clause = contract.resolve(text)
    return clause.id if clause is not None else None


def _title(item: ast.Item) -> str:
    if isinstance(item, ast.KindDecl):
        return f"kind {item.name}"
    if isinstance(item, ast.SetDecl):
        return f"set {item.name}"
    if isinstance(item, ast.CalendarDecl):
        return f"calendar {item.name}"
    if isinstance(item, ast.Requirement):
        return f"require ({item.kind})"
    role = "decision" if isinstance(item, ast.Decision) else "let"
    where = f" ({item.kind})" if item.kind else ""
    return f"{role} {', '.join(item.names)}{where}"


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", Path(name).name.lower()).strip("-")
