"""`vilkar test`: policy tests kept as YAML data, and clause coverage by citation.

A test file holds `cases:`, each a `name`, a `request`, and either `expect` (decisions in their JSON
form, as `Result.to_dict()["decisions"]` gives them; list only those you assert) or `error` (JSON
pointers that must be among the `RequestError`'s problems).
"""
from __future__ import annotations

import time
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..api import PolicySet
from ..compile.plan import NO_RULE
from ..requests.documents import DocumentError, read_document
from ..errors import RequestError

DEFAULT_DIRECTORY = Path("tests") / "policies"


class CaseFileError(Exception):
    """A test file that is not a list of well-formed cases; the message says where."""


@dataclass
class PolicyCase:
    """One test: a request and what the policies must decide (or reject) for it."""

    file: str
    line: int
    name: str
    request: Any
    expect: dict[str, Any] | None = None
    error: list[str] | None = None


@dataclass
class CaseResult:
    case: PolicyCase
    passed: bool
    problems: list[str]
    seconds: float


@dataclass
class Coverage:
    """Which rules (by definition and rule index) the cases made decide."""

    fired: set[tuple[str, str, int]] = field(default_factory=set)

    def universe(self, policies: PolicySet) -> list[tuple[str, str, int, Any]]:
        rules = []
        for kind, compiled in sorted(policies.kinds.items()):
            for info in compiled.definitions:
                for index, rule in info.rules.items():
                    if index != NO_RULE:  # "no row applies" is the absence of a clause, not one
                        rules.append((kind, info.names[0], index, rule))
        return rules

    def missing(self, policies: PolicySet) -> list[tuple[str, str, int, Any]]:
        return [entry for entry in self.universe(policies) if entry[:3] not in self.fired]


@dataclass
class TestReport:
    results: list[CaseResult]
    coverage: Coverage

    @property
    def failed(self) -> list[CaseResult]:
        return [result for result in self.results if not result.passed]


def discover(paths: list[Path]) -> list[Path]:
    """Test files: the YAML files given, or under the directories given (default: tests/policies/)."""
    found: list[Path] = []
    for path in paths or [DEFAULT_DIRECTORY]:
        if path.is_dir():
            found.extend(sorted(p for p in path.rglob("*") if p.suffix in (".yaml", ".yml")))
        elif path.is_file():
            found.append(path)
        else:
            raise CaseFileError(f"{path}: no such file or directory")
    return found


def load_cases(path: Path) -> list[PolicyCase]:
    try:
        document = read_document(str(path), path.read_text(encoding="utf-8"))
    except (DocumentError, OSError, UnicodeDecodeError) as error:
        raise CaseFileError(str(error)) from None
    data = document.data
    if not isinstance(data, dict) or not isinstance(data.get("cases"), list):
        raise CaseFileError(f"{path}:1:1: a test file holds `cases:`, a list of cases")
    cases, seen = [], set()
    for index, entry in enumerate(data["cases"]):
        line = document.line_of("cases", index)
        where = f"{path}:{line}"
        if not isinstance(entry, dict) or not isinstance(entry.get("name"), str) or "request" not in entry:
            raise CaseFileError(f"{where}: case {index + 1} needs a `name` and a `request`")
        if ("expect" in entry) == ("error" in entry):
            raise CaseFileError(f"{where}: case {entry['name']!r} needs exactly one of `expect` and `error`")
        if entry["name"] in seen:
            raise CaseFileError(f"{where}: the case name {entry['name']!r} is used twice")
        seen.add(entry["name"])
        expect = entry.get("expect")
        error = entry.get("error")
        if expect is not None and not isinstance(expect, dict):
            raise CaseFileError(f"{where}: `expect` maps decision names to values")
        if error is not None and not (isinstance(error, list) and all(isinstance(p, str) for p in error)):
            raise CaseFileError(f"{where}: `error` lists JSON pointers, such as [\"/severity\"]")
        cases.append(PolicyCase(str(path), line, entry["name"], entry["request"],
                                _plain(expect) if expect is not None else None, list(error) if error else None))
    return cases


def run(policies: PolicySet, cases: list[PolicyCase]) -> TestReport:
    coverage = Coverage()
    return TestReport([run_case(policies, case, coverage) for case in cases], coverage)


def run_case(policies: PolicySet, case: PolicyCase, coverage: Coverage | None = None) -> CaseResult:
    started = time.perf_counter()
    problems: list[str] = []
    try:
        result = policies.evaluate(case.request)
    except RequestError as error:
        pointers = [problem.pointer for problem in error.errors]
        if case.error is None:
            problems.append("the request was rejected: " + "; ".join(str(p) for p in error.errors))
        else:
            problems.extend(f"no error at {pointer}; the errors were at {', '.join(pointers) or '/'}"
                            for pointer in case.error if pointer not in pointers)
        return CaseResult(case, not problems, problems, time.perf_counter() - started)
    if case.error is not None:
        problems.append(f"expected errors at {', '.join(case.error)}, but the request was decided")
    else:
        decisions = result.to_dict()["decisions"]
        for name, expected in (case.expect or {}).items():
            if name not in decisions:
                problems.append(f"{name}: no such decision")
            elif not _same(decisions[name], expected):
                problems.append(f"{name}: expected {_show(expected)}, got {_show(decisions[name])}")
    if coverage is not None:
        for name, (info, rule) in result.fired().items():
            if name == info.names[0]:
                index = next(i for i, r in info.rules.items() if r is rule)
                coverage.fired.add((result.kind, name, index))
    return CaseResult(case, not problems, problems, time.perf_counter() - started)


def _same(got: Any, expected: Any) -> bool:
    """Equal and of the same JSON type, so that true is not 1 and 1 is not "1"."""
    return type(got) is type(expected) and got == expected


def _show(value: Any) -> str:
    import json
    return json.dumps(value, ensure_ascii=False)


def _plain(value: Any) -> Any:
    """YAML round-trip containers as plain dicts and lists, scalars as plain Python values."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    return str(value)


def junit_xml(report: TestReport) -> str:
    suites = ElementTree.Element("testsuites", name="vilkar")
    by_file: dict[str, list[CaseResult]] = {}
    for result in report.results:
        by_file.setdefault(result.case.file, []).append(result)
    for file, results in by_file.items():
        failures = sum(1 for r in results if not r.passed)
        suite = ElementTree.SubElement(suites, "testsuite", name=file, tests=str(len(results)),
                                       failures=str(failures), errors="0",
                                       time=f"{sum(r.seconds for r in results):.4f}")
        for result in results:
            case = ElementTree.SubElement(suite, "testcase", classname=file, name=result.case.name,
                                          file=file, line=str(result.case.line), time=f"{result.seconds:.4f}")
            if not result.passed:
                failure = ElementTree.SubElement(case, "failure", message=result.problems[0])
                failure.text = "\n".join(result.problems)
    return ElementTree.tostring(suites, encoding="unicode", xml_declaration=True)


def junit_error_xml(error: Exception) -> str:
    """JUnit XML for a run that could not start because the rule set does not load: one test in error."""
    suites = ElementTree.Element("testsuites", name="vilkar", tests="1", failures="0", errors="1")
    suite = ElementTree.SubElement(suites, "testsuite", name="rule set", tests="1", failures="0", errors="1",
                                   time="0")
    case = ElementTree.SubElement(suite, "testcase", classname="rule set", name="the rule set loads", time="0")
    diagnostics = getattr(error, "diagnostics", [])
    first = diagnostics[0] if diagnostics else None
    message = (f"{first.span}: {first.code} {first.message}" if first is not None else str(error))
    failure = ElementTree.SubElement(case, "error", message=f"the rule set does not load: {message}",
                                     type="PolicyError")
    failure.text = str(error)
    return ElementTree.tostring(suites, encoding="unicode", xml_declaration=True)
