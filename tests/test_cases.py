"""Evaluation cases kept as data: every `tests/cases/<kind>.yaml` file, one pytest test per case.

A case has a `request` and either `expect` (decisions in their JSON form, as in
`Result.to_dict()["decisions"]`) or `error` (JSON pointers that must be among the `RequestError`'s
problems). The expected values were computed independently from SPEC §6 and the contract.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from evaluator import RequestError, evaluate

CASES_DIR = Path(__file__).parent / "cases"


def _load_cases() -> list[Any]:
    yaml = YAML(typ="safe", pure=True)
    params = []
    for path in sorted(CASES_DIR.glob("*.yaml")):
        data = yaml.load(path.read_text(encoding="utf-8"))
        assert isinstance(data, dict) and isinstance(data.get("cases"), list), f"{path.name}: needs a `cases` list"
        seen: set[str] = set()
        for case in data["cases"]:
            name = case["name"]
            assert name not in seen, f"{path.name}: duplicate case name {name!r}"
            seen.add(name)
            assert ("expect" in case) != ("error" in case), f"{path.name}: {name}: give exactly one of expect/error"
            params.append(pytest.param(case, id=f"{path.stem}: {name}"))
    return params


CASES = _load_cases()


def test_there_are_cases_for_every_kind_with_policies():
    stems = {path.stem for path in CASES_DIR.glob("*.yaml")}
    assert {"cancellation", "allowance", "service_lookup", "proactive_request", "credit_exchange", "incident", "business_time", "aem_event", "rca_request", "engagement", "aed"} <= stems


@pytest.mark.parametrize("case", CASES)
def test_case(case: dict[str, Any]) -> None:
    request = case["request"]
    if "error" in case:
        with pytest.raises(RequestError) as caught:
            evaluate(request)
        pointers = [problem.pointer for problem in caught.value.errors]
        missing = [p for p in case["error"] if p not in pointers]
        assert not missing, f"expected errors at {missing}; got {[str(p) for p in caught.value.errors]}"
        return

    result = evaluate(request)
    as_json = result.to_dict()
    decisions = as_json["decisions"]
    mismatches = {name: {"expected": expected, "got": decisions.get(name, "<missing>")}
                  for name, expected in case["expect"].items()
                  if name not in decisions or not _same(decisions[name], expected)}
    assert not mismatches, f"decisions differ: {mismatches}"

    cited = {entry["decision"] for entry in as_json["trace"] if entry.get("cites")}
    uncited = [name for name in decisions if name not in cited]
    assert not uncited, f"no trace entry with a non-empty `cites` for {uncited}"


def _same(got: Any, expected: Any) -> bool:
    """Equal and of the same JSON type (so True is not 1 and 1 is not "1")."""
    return type(got) is type(expected) and got == expected
