"""Each edit of tests/diff/cases.yaml to a copy of the policies is reported as it should be by `vilkar diff`."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from evaluator import RequestError, load_policies
from evaluator.result import json_value
from evaluator.tools.diff import compare
from evaluator.tools.diff.search import VALIDITY, as_of_for

HERE = Path(__file__).resolve().parent
CASES = YAML(typ="safe").load((HERE / "cases.yaml").read_text(encoding="utf-8"))


def _apply(directory: Path, edits: list[dict]) -> None:
    for edit in edits:
        path = directory / edit["file"]
        if "create" in edit:
            path.write_text(edit["create"], encoding="utf-8")
            continue
        text = path.read_text(encoding="utf-8")
        assert edit["replace"] in text, f"{edit['file']} no longer holds {edit['replace']!r}"
        if edit.get("all"):
            text = text.replace(edit["replace"], edit["with"])
        elif edit.get("last"):
            head, _, tail = text.rpartition(edit["replace"])
            text = head + edit["with"] + tail
        else:
            text = text.replace(edit["replace"], edit["with"], 1)
        path.write_text(text, encoding="utf-8")


def _decide(policies, witness, decision):
    try:
        result = policies.evaluate(witness, as_of=as_of_for(policies))
    except RequestError:
        return False if decision == VALIDITY else None
    if decision == VALIDITY:
        return True
    return json_value(result.value(decision), result.type_of(decision)) if decision in result.decisions else None


@pytest.fixture(scope="module")
def old():
    return load_policies(HERE / "base")


@pytest.mark.parametrize("case", CASES, ids=[case["name"] for case in CASES])
def test_an_edit_is_reported_as_it_should_be(case, old, tmp_path):
    after = tmp_path / "after"
    shutil.copytree(HERE / "base", after)
    _apply(after, case["edits"])
    new = load_policies(after)
    diff = compare(old, new, {"path": "before"}, {"path": "after"}, budget=5_000)  # kept small for a fast suite
    reported = {f"{change.kind}.{change.decision}" for change in diff.changes}
    if "changed" in case:
        assert reported == set(case["changed"]), diff.sampled
        assert diff.equivalent == (not case["changed"])
    else:
        assert set(case["changed_includes"]) <= reported, (reported, diff.sampled)
    for change in diff.changes:  # every witness really differs, as the report says, checked afresh
        assert _decide(old, change.witness, change.decision) == change.old
        assert _decide(new, change.witness, change.decision) == change.new
        assert change.old != change.new
    for key, phrase in case.get("where", {}).items():
        change = next(c for c in diff.changes if f"{c.kind}.{c.decision}" == key)
        assert phrase in change.where, change.where


def test_an_unedited_copy_needs_no_search(tmp_path):
    shutil.copytree(HERE / "base", tmp_path / "copy")
    diff = compare(load_policies(HERE / "base"), load_policies(tmp_path / "copy"), {}, {})
    assert diff.equivalent and not diff.searched and "cancellation" in diff.equivalent_kinds


def test_a_valid_base_request_is_generated_for_every_kind_of_the_schemas():
    """The request generator works from the schemas alone, so a kind added later gets witnesses too."""
    from evaluator.api import default_policies
    from evaluator.tools.diff import _checked, _constants
    from evaluator.tools.diff.generate import slots
    from evaluator.tools.diff.search import _valid_base

    policies = default_policies()
    checked = _checked(policies)
    for kind, schema in sorted(policies.schemas.items()):
        every = slots(kind, schema, _constants(kind, checked))
        base = _valid_base(kind, every, {slot.path: slot.candidates[0] for slot in every}, policies, policies)
        assert base is not None, f"no schema-valid {kind} request could be generated"
