"""`vilkar test`: pass/fail per case with the differing decisions, clause coverage, JUnit XML."""
from __future__ import annotations

import xml.etree.ElementTree as ElementTree

from click.testing import CliRunner

from conftest import TESTS
from evaluator.cli import main

CASE = """cases:
  - name: nine days
    request: {kind: cancellation, service: x, service_start: "2026-12-10", cancelled_on: "2026-12-01",
              service_cost: {amount: 100, currency: USD}}
    expect: {fee_percent: 50, fee: "50.00"}
  - name: wrong on purpose
    request: {kind: cancellation, service: x, service_start: "2026-12-10", cancelled_on: "2026-12-01",
              service_cost: {amount: 100, currency: USD}}
    expect: {fee_percent: 100, refund: "50.00"}
  - name: euro is rejected
    request: {kind: cancellation, service: x, service_start: "2026-12-10", cancelled_on: "2026-12-01",
              service_cost: {amount: 100, currency: EUR}}
    error: ["/service_cost/currency"]
"""


def test_the_shipped_suite_passes_with_full_clause_coverage():
    result = CliRunner().invoke(main, ["test", "-q", str(TESTS / "policies")])
    assert result.exit_code == 0, result.output[-3000:]
    assert "0 failed" in result.output
    assert "(100.0%)" in result.output


def test_failures_show_the_differing_decisions_and_junit_records_them(tmp_path):
    cases = tmp_path / "cases.yaml"
    cases.write_text(CASE, encoding="utf-8")
    junit = tmp_path / "junit.xml"
    result = CliRunner().invoke(main, ["test", str(cases), "--junit", str(junit)])
    assert result.exit_code == 1
    assert "ok   nine days" in result.output
    assert "FAIL wrong on purpose" in result.output
    assert "fee_percent: expected 100, got 50" in result.output
    assert "3 cases: 2 passed, 1 failed" in result.output
    assert "rules no case made decide:" in result.output
    assert "`fee_percent` tier `>= 14 days -> 0%`" in result.output
    suite = ElementTree.parse(junit).getroot().find("testsuite")
    assert suite.get("tests") == "3" and suite.get("failures") == "1"
    failure = [case for case in suite if case.find("failure") is not None]
    assert [case.get("name") for case in failure] == ["wrong on purpose"]


def test_fail_under_turns_missing_coverage_into_a_failure(tmp_path):
    cases = tmp_path / "cases.yaml"
    cases.write_text(CASE.split("  - name: wrong on purpose")[0], encoding="utf-8")
    assert CliRunner().invoke(main, ["test", str(cases)]).exit_code == 0
    assert CliRunner().invoke(main, ["test", str(cases), "--fail-under", "100"]).exit_code == 1


def test_malformed_test_files_are_input_errors(tmp_path):
    broken = tmp_path / "broken.yaml"
    broken.write_text("cases:\n  - name: no request\n    expect: {}\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["test", str(broken)])
    assert result.exit_code == 2 and "broken.yaml:2: case 1 needs a `name` and a `request`" in result.output
    assert CliRunner().invoke(main, ["test", str(tmp_path / "missing")]).exit_code == 2
