"""What would change a decision: every counterfactual of every sample is checked by applying its changes
to the sample as written and deciding it again, and on three samples the changes are the ones a person
would name."""
from __future__ import annotations

import copy
import json

import pytest
from click.testing import CliRunner

from conftest import ROOT
from evaluator import evaluate
from evaluator.cli import main
from evaluator.requests.documents import read_document

SAMPLES = sorted(p for p in (ROOT / "samples").iterdir() if p.suffix in (".yaml", ".json"))


def document_of(name: str) -> dict:
    path = ROOT / "samples" / name
    return json.loads(json.dumps(read_document(str(path), path.read_text(encoding="utf-8")).data, default=str))


def changed(document: dict, changes: dict) -> dict:
    """A JSON pointer's change made to a plain copy of the document, independently of the search."""
    result = copy.deepcopy(document)
    for pointer, value in changes.items():
        parts = [int(part) if part.isdigit() else part for part in pointer.lstrip("/").split("/")]
        target = result
        for part in parts[:-1]:
            target = target.setdefault(part, {}) if isinstance(target, dict) else target[part]
        target[parts[-1]] = value
    return result


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.stem)
def test_every_counterfactual_is_verified_by_deciding_it_again(path):
    document = document_of(path.name)
    result = evaluate(document)
    before = result.to_dict(trace=False)["decisions"]
    found = result.counterfactuals()
    for counterfactual in found:
        assert 1 <= len(counterfactual.changes) <= 2
        after = evaluate(changed(document, counterfactual.changes)).to_dict(trace=False)["decisions"]
        name = counterfactual.decision
        assert after[name] == counterfactual.new_value != before[name] == counterfactual.old_value, counterfactual
        assert counterfactual.cites  # the clause of the new value
    assert [c.to_dict() for c in found] == [c.to_dict() for c in evaluate(document).counterfactuals()]  # stable


def changes(name: str, decision: str) -> list[tuple[dict, object]]:
    return [(c.changes, c.new_value) for c in evaluate(document_of(name)).counterfactuals(decision)]


def test_a_cancellation_turns_at_the_tier_bounds_of_its_notice():
    assert changes("cancellation-9-days-notice.yaml", "fee_percent") == [
        ({"/cancelled_on": "2026-12-05"}, 100),  # 5 days' notice
        ({"/cancelled_on": "2026-11-26"}, 0),  # 14 days' notice: a full refund
        ({"/service_start": "2026-12-06"}, 100),
    ]
    assert changes("cancellation-9-days-notice.yaml", "refund")[:2] == [
        ({"/cancelled_on": "2026-12-05"}, "0.00"), ({"/cancelled_on": "2026-11-26"}, "12500.00")]
    assert changes("cancellation-9-days-notice.yaml", "notice_days") == []  # arithmetic: any change moves it


def test_an_incident_turns_with_its_severity_and_with_uer_held():
    name = "incident-sev-b-friday-afternoon.yaml"
    assert changes(name, "first_response_expected_by") == [
        ({"/severity": "1"}, "2026-11-27T17:45:00+01:00"),  # an hour on the calendar clock
        ({"/severity": "C"}, "2026-11-30T12:15:00+01:00"),  # four business hours
        ({"/severity": "A"}, "2026-11-27T17:45:00+01:00"),
    ]
    # no single field makes UER's time apply to a Sev B: holding UER and a Sev 1 or A does
    assert changes(name, "response_plan") == [({"/severity": "1", "/offerings": ["uer"]}, "uer"),
                                              ({"/severity": "A", "/offerings": ["uer"]}, "uer")]
    assert changes(name, "language_available") == [({"/language": "en"}, "yes")]
    assert changes(name, "effort") == [({"/severity": "1"}, "24x7"), ({"/severity": "A"}, "24x7")]
    # AEM's post-event summary needs AEM held and its event running: a yes/no the rule reads itself
    assert changes(name, "post_event_summary") == [({"/offerings": ["aem"], "/aem_event_active": True}, True)]


def test_an_allowance_turns_at_the_cap_the_deadline_and_the_whole_allowance():
    name = "allowance-within-cap.yaml"
    assert changes(name, "within_cap") == [
        ({"/allocations/0/amount/amount": "30000.01"}, False),  # a cent over the USD 50,000 cap
        ({"/allocations/1/amount/amount": "20000.01"}, False),
        ({"/allocations/2/category": "proactive_credits"}, False),
    ]
    assert changes(name, "allocated_in_time") == [({"/allocated_on": "2026-01-16"}, False),
                                                  ({"/contract_executed_on": "2026-01-11"}, False)]
    assert changes(name, "forfeited") == [({"/allocated_on": "2026-01-16"}, "250000.00"),
                                          ({"/flexible_allowance/amount": 230000}, "0.00"),
                                          ({"/contract_executed_on": "2026-01-11"}, "250000.00")]
    # the cap is the higher of 20% and USD 50,000, but never more than the allowance itself
    assert changes(name, "proactive_credit_cap") == [({"/flexible_allowance/amount": "49999.99"}, "49999.99")]


def test_counterfactuals_on_the_command_line_in_text_and_json():
    sample = str(ROOT / "samples" / "cancellation-9-days-notice.yaml")
    text = CliRunner().invoke(main, ["eval", "--counterfactuals", "--why", "fee_percent", sample]).output
    assert "with cancelled_on 2026-11-26 (notice 14 days) → fee_percent 0%" in text
    assert "2.6 Yderligere vilkår og betingelser – Annulleringspolitik: “Hvis du anmoder om annullering" in text
    [record] = json.loads(CliRunner().invoke(main, ["eval", "--format", "json", "--counterfactuals", sample]).output)
    assert {c["decision"] for c in record["counterfactuals"]} == {"fee_percent", "fee", "refund"}
    assert record["counterfactuals"][0]["cites"]["section"].startswith("2.6 Yderligere")
