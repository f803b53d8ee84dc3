"""Held-out checks of SPEC §9: cases written from SPEC's words alone, kept apart from the policy tests.

`tests/spec9/<kind>.yaml` were written from the text of SPEC §9 (and §5, §6), not from the policies, with
the expected values computed by hand: every new kind and decision, months and years incl. 29 February,
location calendars with other working days and closed dates, restricted delivery, the contract's Danish
product names, fractions of a second, and invalid values of every new field (RequestError at a pointer).
The notes SPEC marks **note** are checked here too, by the contract words each must quote.
"""
from __future__ import annotations

import pytest

from conftest import TESTS
from evaluator.api import default_policies
from evaluator.tools.testing import load_cases, run_case

CASE_FILES = sorted((TESTS / "spec9").glob("*.yaml"))
CASES = [case for path in CASE_FILES for case in load_cases(path)]
DK = {"country": "DK", "timezone": "Europe/Copenhagen"}


def test_every_kind_of_the_wave_has_held_out_cases():
    wave = {"incident", "aem_event", "rca_request", "engagement", "aed", "service_use", "credit_redemption",
            "enhanced_solution", "on_demand_assessment", "service_delivery", "workshop", "support_management"}
    assert wave <= {path.stem for path in CASE_FILES}


@pytest.mark.parametrize("case", CASES, ids=[f"{c.file.rsplit('/', 1)[-1][:-5]}: {c.name}" for c in CASES])
def test_held_out_case(case):
    result = run_case(default_policies(), case)
    assert result.passed, "\n".join(result.problems)


AEM_EVENT = {"kind": "aem_event", "event_start": "2026-12-10", "event_end": "2026-12-14", "confirmed_on": "2026-10-01",
             "cloud": "public", "azure_solutions": 2, "language": "en"}
AED = {"kind": "aed", "estimated_consumption": {"amount": 75000000, "currency": "USD"}, "opted_minimum_price": False,
       "listed_as_enhanced": True, "holds_rapid_response": True, "contract_start": "2026-01-15", "as_of": "2026-06-01",
       "sip_requests_last_12_months": 0, "monitoring_scenarios": 5, "product": "Azure Kubernetes Service",
       "product_category": "cloud", "enrolled_subscription": True}
ENHANCED = {"kind": "enhanced_solution", "service": "rapid_response", "agreement_active": True,
            "multi_country_agreement": False, "site_role": "host", "service_start": "2026-01-01", "as_of": "2026-03-01"}
INCIDENT = {"kind": "incident", "severity": "A", "product": "Azure Virtual Machines", "azure_component": True,
            "cloud": "public", "offerings": ["rapid_response"], "opened_at": "2026-11-25T10:00:00+01:00", "location": DK,
            "language": "da", "channel": "portal", "description": "down", "customer_24x7_resources": True,
            "aem_event_active": False}

# (request, words the notes must contain): the notes SPEC §9 marks, each with the contract's words
NOTES = [
    (AEM_EVENT, "underlagt ressourcetilgængelighed"),
    ({**AED, "product": "Azure Kubernetes Service"}, "men er ikke begrænset til"),
    (ENHANCED, "underlagt tilgængelighed"),
    (ENHANCED, "Det er ikke sikkert, at alle yderligere tjenester er tilgængelige i dit land"),
    ({"kind": "on_demand_assessment", "azure_service_active": True, "resource": "onsite", "resource_days": 1},
     "vurderinger på stedet muligvis ikke er tilgængelige i alle geografiske områder"),
    ({"kind": "service_delivery", "service": "workshops", "onsite_requested": True}, "geografiske områder"),
    ({"kind": "support_management", "service": "reactive_support_management", "severity": "B",
      "requested_at": "2026-11-25T10:00:00+01:00", "location": DK}, "ressourcetilgængelighed"),
    (INCIDENT, "Microsoft vil tildele den relevante alvorsgrad"),
    (INCIDENT, "disse diagrammer er supplerende"),
    (INCIDENT, "Handled by Rapid Response engineers"),
    (INCIDENT, "the base package's"),
]


@pytest.mark.parametrize("request_, words", NOTES, ids=[f"{r['kind']}: {w[:40]}" for r, w in NOTES])
def test_the_notes_spec_marks_reach_services(request_, words):
    notes = default_policies().evaluate(request_).to_dict()["notes"]
    assert any(words in note for note in notes), notes
    assert all(note in default_policies().evaluate(request_).explain() for note in notes)


def test_an_aed_product_off_the_list_is_said_to_be_covered_by_an_open_ended_list_only_when_covered():
    off = default_policies().evaluate({**AED, "product": "Universal Print"}).to_dict()["notes"]
    assert not any("men er ikke begrænset til" in note for note in off)


def test_the_f10_alternative_time_is_given_exactly_when_base_beats_uer():
    uer = {**INCIDENT, "severity": "1", "offerings": ["uer"], "channel": "phone", "language": "en"}
    a40 = default_policies().evaluate({**uer, "product": "A40"}).explain()
    plain = default_policies().evaluate(uer).explain()
    assert "UER's 30 minutes" in a40 and "UER's 30 minutes" not in plain
