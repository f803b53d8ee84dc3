"""Compatibility (SPEC §9): every sample and every policy test case of before wave 2 decides as it did.

`tests/golden/compat/before.json` was recorded from main at ea82b68 (before wave 2) by
`tests/golden/compat/record_before.py`: each sample and each case of tests/policies/ with the request
it sent and what it decided (or the pointers it was rejected at). It is never regenerated. Today's rule
set must give every one of those decisions again, except the changes listed, with their reason, in
`tests/golden/compat/changes.yaml` (the corrected readings F2, F3, F4 and fractions of a second).
New decisions are not compared: they did not exist before.
"""
from __future__ import annotations

import json
from decimal import Decimal

import pytest
from ruamel.yaml import YAML

from conftest import TESTS
from evaluator import RequestError
from evaluator.api import default_policies

GOLDEN = TESTS / "golden" / "compat"
RECORDS = json.loads((GOLDEN / "before.json").read_text(encoding="utf-8"))
CHANGES = YAML(typ="safe", pure=True).load((GOLDEN / "changes.yaml").read_text(encoding="utf-8"))["changes"] or []
REASONS = {"F2", "F3", "F4", "fraction of a second"}
EXPECTED = {(c["id"], c["decision"]): c for c in CHANGES}


def _json_number(value):
    """A decision value as JSON reads it back: the golden keeps numbers as JSON numbers."""
    return json.loads(json.dumps(value), parse_float=Decimal)


def test_the_golden_holds_every_sample_and_case_of_before():
    assert len(RECORDS) == 764
    assert len({record["id"] for record in RECORDS}) == len(RECORDS)


def test_every_change_is_one_of_the_readings_spec_names():
    ids = {record["id"]: record for record in RECORDS}
    for change in CHANGES:
        assert change["reason"] in REASONS, change
        record = ids[change["id"]]
        assert change["decision"] in record["decisions"], change
        assert _json_number(change["before"]) == _json_number(record["decisions"][change["decision"]]), change
        assert change["before"] != change["after"], change


@pytest.mark.parametrize("record", RECORDS, ids=[record["id"] for record in RECORDS])
def test_decides_as_before(record):
    request = json.loads(json.dumps(record["request"]))  # a fresh copy: evaluation must not see another test's
    if "errors" in record:
        with pytest.raises(RequestError) as caught:
            default_policies().evaluate(request)
        assert set(record["errors"]) <= {problem.pointer for problem in caught.value.errors}
        return
    now = default_policies().evaluate(request).to_dict()["decisions"]
    for name, before in record["decisions"].items():
        change = EXPECTED.get((record["id"], name))
        expected = _json_number(before if change is None else change["after"])
        assert _json_number(now[name]) == expected, f"{name}: before {before}, now {now[name]}"
