"""A batch record written straight from the compiled values is byte for byte what `to_dict()` and a general JSON
encoder make of the same result: on every sample, with and without `--explain`, under a history of versions,
on generated documents (decided or refused) and on generated policies whose decisions have every type.

`VILKAR_LONG_TESTS=1` runs 2,000 examples per property instead of 60–150.
"""
from __future__ import annotations

import json
import os
import random
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

import evaluator.result as result_module
from conftest import ROOT
from evaluator import PolicyError, RequestError
from evaluator.api import default_policies, load_policies
from evaluator.batch import Decider
from evaluator.requests.documents import DocumentError, parse_line, read_text
from evaluator.result import RecordText
from generated_policies import OPTIONAL, REQUIRED, program, request
from policykit import build_checked

LONG = os.environ.get("VILKAR_LONG_TESTS") == "1"
SAMPLES = ROOT / "samples"
HISTORY = ROOT / "tests" / "history"
NAMES = ("-", "in.jsonl", 'odd "name"\\ with ü, \t and \u2028.jsonl')
# the general encoder, with the options of the record's (`check_circular` changes no text)
GENERAL = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def general_record(policies, number: int, line: str, name: str = "-", explain: bool = False,
                   as_of: Any = None) -> str | None:
    """The record of a line as `to_dict()` and the general encoder make it; None for a line that is no JSON."""
    try:
        document = parse_line(line)
    except DocumentError as error:
        if not error.errors[0].pointer:
            return None
        return GENERAL({"source": f"{name}:{number}", "line": number, "error": "invalid request",
                        "errors": [problem.to_dict() for problem in error.errors]})
    try:
        result = policies.evaluate(document, as_of=as_of)
    except RequestError as error:
        return GENERAL({"source": f"{name}:{number}", "line": number, "error": "invalid request",
                        "errors": [problem.to_dict() for problem in error.errors]})
    return GENERAL({"source": f"{name}:{number}", "line": number, **result.to_dict(trace=explain, explain=explain)})


def assert_same_record(decider: Decider, policies, number: int, line: str, name: str, as_of: Any = None) -> bool:
    text, decided = decider.record(number, line, name)
    expected = general_record(policies, number, line, name, decider.explain, as_of)
    if expected is None:
        assert not decided and json.loads(text)["error"].startswith("not valid JSON"), text
    else:
        assert text == expected, f"\nfast:    {text}\ngeneral: {expected}\nline:    {line}"
        assert decided == ("error" not in json.loads(expected))
    return decided


def sample_documents() -> list[tuple[str, Any]]:
    documents = []
    for path in sorted(SAMPLES.iterdir()):
        if path.suffix in (".json", ".yaml"):
            documents.append((path.name, read_text(str(path), path.read_text(encoding="utf-8"))[0].data))
    return documents


SAMPLE_DOCUMENTS = sample_documents()
JSON_SAMPLES = [(path.name, " ".join(path.read_text(encoding="utf-8").splitlines()))  # a JSON text, on one line
                for path in sorted(SAMPLES.iterdir()) if path.suffix == ".json"]


@pytest.fixture(scope="module")
def policies():
    return default_policies()


@pytest.fixture(scope="module")
def history():
    return load_policies(HISTORY)


@pytest.mark.parametrize("explain", [False, True])
def test_every_sample_gives_the_general_record_fields(policies, explain):
    writer = RecordText(GENERAL)
    for name, document in SAMPLE_DOCUMENTS:
        result = policies.evaluate(document)
        expected = GENERAL(result.to_dict(trace=explain, explain=explain))
        assert "{" + writer.fields(result, explain) + "}" == expected, name


@pytest.mark.parametrize("explain", [False, True])
def test_every_json_sample_line_gives_the_general_record(policies, explain):
    decider = Decider(policies, explain)
    for number, (_, line) in enumerate(JSON_SAMPLES * 2, 1):  # twice: the second time from what was made once
        for name in NAMES:
            assert assert_same_record(decider, policies, number, line, name)


def test_records_of_a_history_name_the_version_that_decided(history):
    decider = Decider(history)
    seen = set()
    for number, day in enumerate(["2026-03-01", "2026-08-01", "2026-03-02", "2026-12-30", "2025-12-31"], 1):
        line = json.dumps({"kind": "cancellation", "service": "Workshop", "service_start": "2027-01-10",
                           "cancelled_on": day, "service_cost": {"amount": 1000, "currency": "USD"}})
        if assert_same_record(decider, history, number, line, "h.jsonl"):
            seen.add(json.loads(decider.record(number, line)[0])["version"]["id"])
    assert len(seen) == 2  # both versions decided, one after the other and back


def test_as_of_records(history):
    import datetime as dt
    for day, version in (("2026-02-01", "2026-01"), ("2026-09-01", "2026-07")):
        as_of = dt.date.fromisoformat(day)
        decider = Decider(history, as_of=as_of)
        line = json.dumps({"kind": "cancellation", "service": "Workshop", "service_start": "2026-03-10",
                           "cancelled_on": "2026-03-01", "service_cost": {"amount": 1000, "currency": "USD"}})
        assert assert_same_record(decider, history, 1, line, "-", as_of)
        assert json.loads(decider.record(1, line)[0])["version"]["id"] == version


def test_full_caches_change_no_record(policies, history, monkeypatch):
    monkeypatch.setattr(result_module, "_CACHED_NOTES", 1)
    monkeypatch.setattr(result_module, "_CACHED_KINDS", 1)
    decider = Decider(policies)
    for number, (_, line) in enumerate(JSON_SAMPLES * 2, 1):
        assert_same_record(decider, policies, number, line, "-")
    decider = Decider(history)
    for number, day in enumerate(["2026-03-01", "2026-08-01"] * 3, 1):
        line = json.dumps({"kind": "cancellation", "service": "Workshop", "service_start": "2027-01-10",
                           "cancelled_on": day, "service_cost": {"amount": 1000, "currency": "USD"}})
        assert assert_same_record(decider, history, number, line, "-")


# ---------------------------------------------------------------- generated documents

def json_ready(value: Any) -> Any:
    """A sample's value as json.dumps can write it (YAML samples hold Decimals)."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {key: json_ready(item) for key, item in value.items()}
    if isinstance(value, list):
        return [json_ready(item) for item in value]
    return value


KIND_SAMPLES = [json_ready(document) for _, document in SAMPLE_DOCUMENTS]
odd_values = st.one_of(
    st.none(), st.booleans(), st.integers(-10 ** 6, 10 ** 6), st.integers(), st.floats(allow_nan=False),
    st.text(max_size=20), st.sampled_from(["", "\"", "\\", "\u2028", "ü", "😀", "\x00", "</script>", "USD", "EUR",
                                           "2026-12-01", "2026-11-30T10:15:00+01:00", "1.005", "-0", "1e400"]),
    st.lists(st.text(max_size=5), max_size=3), st.dictionaries(st.text(max_size=5), st.integers(), max_size=2))


@st.composite
def documents(draw: st.DrawFn) -> Any:
    """A sample with a few of its fields (top level or one level down) changed, added or removed."""
    document = json.loads(json.dumps(draw(st.sampled_from(KIND_SAMPLES))))
    for _ in range(draw(st.integers(0, 3))):
        target = document
        keys = sorted(target)
        if not keys:
            break
        key = draw(st.sampled_from(keys + ["extra"]))
        if isinstance(target.get(key), dict) and target[key] and draw(st.booleans()):
            target, key = target[key], draw(st.sampled_from(sorted(target[key])))
        if draw(st.integers(0, 4)) == 0:
            target.pop(key, None)
        else:
            target[key] = draw(odd_values)
    return document


DECIDERS: dict[bool, Decider] = {}  # one per explain, across examples: what each makes once is reused


@settings(max_examples=2000 if LONG else 150, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(document=documents(), number=st.integers(1, 10 ** 12), name=st.sampled_from(NAMES),
       explain=st.sampled_from([False, False, False, True]))
def test_generated_documents_give_the_general_record(policies, document, number, name, explain):
    decider = DECIDERS.setdefault(explain, Decider(policies, explain))
    assert_same_record(decider, policies, number, json.dumps(document, ensure_ascii=False), name)


@settings(max_examples=2000 if LONG else 100, deadline=None, database=None)
@given(line=st.one_of(st.text(max_size=40), st.sampled_from(['{"kind": "cancellation"}', '[]', '"x"', '{"a":1,"a":2}',
                                                             '{"kind":"cancellation","service":"\\ud800"}', '1' * 5000,
                                                             '{"kind": "nope"}', '{"kind": 1}', 'null'])))
def test_refused_lines_give_the_general_record(policies, line):
    if line and not line.isspace():
        assert not assert_same_record(DECIDERS.setdefault(False, Decider(policies)), policies, 3, line, "-")


# ---------------------------------------------------------------- generated policies: decisions of every type

@settings(max_examples=400 if LONG else 60, deadline=None, database=None,
          phases=[Phase.explicit, Phase.reuse, Phase.generate],
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much])
@given(seed=st.integers(0, 2 ** 63))
def test_generated_policies_give_the_general_record_fields(seed):
    rng = random.Random(seed)
    text, _ = program(rng)
    try:
        _, policies = build_checked(text, REQUIRED, OPTIONAL)
    except PolicyError:
        return  # refused at load (a constant that cannot be computed): no records to compare
    writer = RecordText(GENERAL)
    for _ in range(5):
        try:
            result = policies.evaluate(request(rng), validate=False)
        except RequestError:
            continue
        assert "{" + writer.fields(result) + "}" == GENERAL(result.to_dict(trace=False)), text
