"""The hand-written baselines of benchmarks/run.py decide as the shipped rule set: a race is only fair,
and the benchmark only runs, when both sides give the same decisions (it stopped with an AssertionError
once the §9 decisions `handled_by` and `post_event_summary` were added to the rule set)."""
from __future__ import annotations

import sys

import pytest

from conftest import ROOT

sys.path.insert(0, str(ROOT / "benchmarks"))

import run as benchmark  # noqa: E402  (benchmarks/run.py)
from evaluator.api import default_policies  # noqa: E402


@pytest.mark.parametrize("document, by_hand", [
    (benchmark.CANCELLATION, benchmark.cancellation_by_hand),
    (benchmark.INCIDENT_SEV_1, benchmark.incident_by_hand),
    (benchmark.INCIDENT_SEV_B, benchmark.incident_by_hand),
], ids=["cancellation", "incident Sev 1", "incident Sev B"])
def test_the_hand_written_baseline_decides_as_the_rule_set(document, by_hand):
    assert default_policies().evaluate(document, validate=False).decisions == by_hand(document)
