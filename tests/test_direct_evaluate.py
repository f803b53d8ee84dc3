"""`PolicySet.evaluate` decides a plain dict of a kind it has decided before without its general steps
(SPEC §7: the library API); these tests hold that short way to the general one on every sample and on
generated documents: the same decisions, notes and trace, or the same problems."""
from __future__ import annotations

import copy
import os
from typing import Any

from hypothesis import HealthCheck, given, settings

from evaluator import RequestError, load_policies
from evaluator.api import default_policies
from conftest import ROOT
from test_request_properties import SAMPLE_DOCUMENTS, documents

LONG = os.environ.get("VILKAR_LONG_TESTS") == "1"


def outcome(policies: Any, document: Any, general: bool, validate: bool = True) -> tuple:
    if general:
        policies._direct.clear()  # the first request of each kind takes the general way
    try:
        result = policies.evaluate(document, validate=validate)
    except RequestError as error:
        return "refused", [(problem.pointer, problem.message, problem.value, problem.hint) for problem in error.errors]
    return "decided", result.decisions, result.notes, result.trace(), result.to_dict()


def test_every_kind_of_the_rule_set_is_decided_the_short_way_after_its_first_request():
    policies = default_policies()
    for kind, document in SAMPLE_DOCUMENTS.items():
        general = outcome(policies, copy.deepcopy(document), general=True)
        assert general[0] == "decided", (kind, general)
        if not policies.kinds[kind].requirement_infos and policies.window_covers_all:
            assert kind in policies._direct, kind
        assert outcome(policies, copy.deepcopy(document), general=False) == general, kind


@settings(max_examples=400 if LONG else 80, deadline=None, suppress_health_check=list(HealthCheck))
@given(documents())
def test_the_short_way_gives_what_the_general_way_gives(document):
    policies = default_policies()
    general = outcome(policies, document, general=True)
    for kind in SAMPLE_DOCUMENTS:  # every kind known, whatever the document is
        if kind not in policies._direct:
            try:
                policies.evaluate(copy.deepcopy(SAMPLE_DOCUMENTS[kind]))
            except RequestError:
                pass
    assert outcome(policies, document, general=False) == general


def test_without_validation_the_short_way_reads_the_document_as_given():
    policies = default_policies()
    document = copy.deepcopy(SAMPLE_DOCUMENTS["cancellation"])
    general = outcome(policies, document, general=True, validate=False)
    assert outcome(policies, document, general=False, validate=False) == general


def test_a_kind_named_by_a_list_or_an_object_is_refused_as_before():
    policies = default_policies()
    policies.evaluate(copy.deepcopy(SAMPLE_DOCUMENTS["cancellation"]))
    for kind in (["cancellation"], {"a": 1}, None, 3):
        document = dict(SAMPLE_DOCUMENTS["cancellation"], kind=kind)
        refused = outcome(policies, document, general=False)
        assert refused[0] == "refused" and refused[1][0][0] == "/kind", refused


def test_versions_and_windows_keep_the_general_way(tmp_path):
    # a rule set that is in force only from a date checks every request's date: it never goes the short way
    windowed = tmp_path / "policies"
    windowed.mkdir()
    for path in (ROOT / "benchmarks" / "policies").glob("*.vk"):
        text = path.read_text(encoding="utf-8")
        (windowed / path.name).write_text('version "2027-01" effective 2027-01-01\n\n' + text, encoding="utf-8")
    policies = load_policies(windowed, schemas=ROOT / "benchmarks" / "schemas")
    document = {"kind": "bench_table", "severity": "1", "family": "azure"}
    assert policies.evaluate(document).decisions == {"minutes": 15, "around_the_clock": True}
    assert policies._direct == {}
