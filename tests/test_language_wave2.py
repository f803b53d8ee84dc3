"""The wave 2 language features on a fixture kind: each case decides as the language's meaning says.

`tests/golden/language/fixture.vk` uses every feature (alias sets, selections, request numbers with
units, conditional requirements, `all of`, ordered exceptions, notes `when`); its cases are data in
`fixture.yaml`, run by the same runner as `vilkar test`.
"""
from __future__ import annotations

import json

import pytest

from conftest import TESTS
from evaluator.api import compile_sources
from evaluator.language.source import Source
from evaluator.tools.lint import lint
from evaluator.tools.lint.context import LintContext
from evaluator.tools.testing import load_cases, run, run_case

FIXTURES = TESTS / "golden" / "language"
SCHEMAS = {"fixture": json.loads((FIXTURES / "fixture.schema.json").read_text(encoding="utf-8"))}
SOURCE = Source.of("fixture.vk", (FIXTURES / "fixture.vk").read_text(encoding="utf-8"))
POLICIES = compile_sources({"fixture.vk": SOURCE}, SCHEMAS)
CASES = load_cases(FIXTURES / "fixture.yaml")


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_case(case):
    result = run_case(POLICIES, case)
    assert result.passed, "\n".join(result.problems)


def test_every_rule_of_the_fixture_is_decided_by_some_case():
    report = run(POLICIES, CASES)
    assert [(m[1], m[2]) for m in report.coverage.missing(POLICIES)] == []


def test_notes_apply_when_their_condition_holds():
    many = {"kind": "fixture", "as_of": "2026-03-01", "product": "Gamma", "a": "x",
            "dates": ["2026-02-20", "2026-02-25"]}
    few = {**many, "dates": ["2026-02-20"]}
    assert POLICIES.evaluate(many).to_dict()["notes"] == ["always said", "two or more recent dates"]
    assert POLICIES.evaluate(few).to_dict()["notes"] == ["always said"]
    assert "Note: two or more recent dates" in POLICIES.evaluate(many).explain()


def test_all_of_explains_the_part_that_fails():
    result = POLICIES.evaluate({"kind": "fixture", "as_of": "2026-03-01", "product": "Gamma", "a": "x",
                                "dates": ["2026-03-05"]})
    assert result.decisions["covered"] is False
    entry = next(e for e in result.to_dict()["trace"] if e["decision"] == "covered")
    assert entry["rule"] == "not any_future" and entry["cites"] == "Tabel 11: no date in the future"
    assert "covered: false — not every part holds: any future is true (Tabel 11)." in result.explain()
    assert "rule `not any_future` — the part that fails" in result.explain(detail="full")


def test_a_failed_requirement_is_reported_at_every_field_it_names():
    from evaluator import RequestError
    with pytest.raises(RequestError) as caught:
        POLICIES.evaluate({"kind": "fixture", "as_of": "2026-03-01", "product": "Delta"})
    problems = {problem.pointer: problem for problem in caught.value.errors}
    assert set(problems) == {"/a", "/b"}
    assert problems["/a"].message == "give a or b, one of the two" and not problems["/a"].has_value


def test_overlapping_exceptions_are_found_unless_ordered():
    unordered = SOURCE.text.replace("except first when listed_product", "except when listed_product")
    findings = _lint(unordered)
    assert [f.code for f in findings] == ["VK240"]
    assert "can both apply" in findings[0].message and findings[0].span.line == SOURCE.text.splitlines().index(
        '    except when recent_count > 0 -> "recent"') + 1
    assert _lint(SOURCE.text) == []


@pytest.mark.parametrize("first, second, overlap", [
    ('request.product == "A"', 'request.product == "B"', False),
    ('request.product == "A"', 'request.product != "B"', True),
    ("request.lead_weeks is present and request.lead_weeks >= 14 days", "request.lead_weeks is absent", False),
    ("request.lead_weeks is present and request.lead_weeks >= 14 days",
     "request.lead_weeks is present and request.lead_weeks < 14 days", False),
    ("request.lead_weeks is present and request.lead_weeks >= 14 days",
     "request.lead_weeks is present and request.lead_weeks < 21 days", True),
    ("listed_product", "not listed_product", False),
    ("listed_product and recent_count > 0", "not listed_product or recent_count > 1", True),
    ("any_future", "recent_count == 0", True),
])
def test_the_overlap_check_decides_exclusive_conditions(first, second, overlap):
    text = SOURCE.text.replace("except first when listed_product", f"except when {first}").replace(
        "except when recent_count > 0", f"except when {second}")
    assert bool(_lint(text)) == overlap


def _lint(text: str) -> list:
    from evaluator.language.check import check
    from evaluator.language.parser import parse_module
    source = Source.of("fixture.vk", text)
    modules = [parse_module(source)]
    checked = check(modules, SCHEMAS)
    assert not [d for d in checked.diagnostics if d.severity == "error"], checked.diagnostics
    context = LintContext({"fixture.vk": source}, modules, SCHEMAS, None, list(checked.diagnostics), checked)
    return [finding for finding in lint(context) if finding.code == "VK240"]
