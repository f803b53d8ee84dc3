"""Evaluation cases kept as data: every `tests/policies/<kind>.yaml`, one pytest test per case.

The same files are what `vilkar test` runs; the expected values were computed independently from
SPEC §6 and the contract. Each case also checks that every decision is traced to a citation.
"""
from __future__ import annotations

import pytest

from conftest import TESTS
from evaluator.api import default_policies
from evaluator.tools.testing import load_cases, run_case

CASE_FILES = sorted((TESTS / "policies").glob("*.yaml"))
CASES = [case for path in CASE_FILES for case in load_cases(path)]


def test_there_are_cases_for_every_kind():
    assert {path.stem for path in CASE_FILES} == set(default_policies().schemas)


@pytest.mark.parametrize("case", CASES, ids=[f"{c.file.rsplit('/', 1)[-1][:-5]}: {c.name}" for c in CASES])
def test_case(case):
    result = run_case(default_policies(), case)
    assert result.passed, "\n".join(result.problems)
    if case.expect is not None:
        trace = default_policies().evaluate(case.request).to_dict()["trace"]
        assert all(entry["cites"] for entry in trace)
