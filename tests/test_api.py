"""The library API: results, errors, thread safety, and no exception but RequestError for any input."""
from __future__ import annotations

import datetime as dt
import json
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import ROOT
from evaluator import PolicyError, RequestError, evaluate, load_policies

CANCELLATION = {"kind": "cancellation", "service": "Workshop", "service_start": "2026-12-10",
                "cancelled_on": "2026-12-01", "service_cost": {"amount": 12500, "currency": "USD"}}


def test_decisions_are_plain_python_values():
    result = evaluate(CANCELLATION)
    assert result.decisions == {"notice_days": 9, "fee_percent": 50, "fee": Decimal("6250.00"),
                                "refund": Decimal("6250.00")}
    assert result.kind == "cancellation"


def test_to_dict_matches_the_spec_shape():
    payload = evaluate(CANCELLATION).to_dict()
    assert payload["kind"] == "cancellation"
    assert payload["decisions"] == {"notice_days": 9, "fee_percent": 50, "fee": "6250.00", "refund": "6250.00"}
    entry = next(e for e in payload["trace"] if e["decision"] == "fee_percent")
    assert entry["value"] == 50
    assert entry["rule"] == "6..13 days -> 50%"
    assert entry["cites"].startswith("2.6 Yderligere vilkår og betingelser – Annulleringspolitik")
    assert entry["source"].startswith("policies/cancellation.vk:")
    assert entry["uses"] == {"notice_days": 9}
    json.dumps(payload)  # JSON-ready


def test_explain_has_a_paragraph_per_decision_with_its_clause():
    text = evaluate(CANCELLATION).explain()
    for name in ("notice_days: 9 days", "fee_percent: 50%", "fee: USD 6,250.00", "refund: USD 6,250.00"):
        assert name in text
    assert text.count("2.6 Yderligere vilkår og betingelser – Annulleringspolitik") == 4  # each with its clause


def test_full_explanation_keeps_the_derivation():
    text = evaluate(CANCELLATION).explain(detail="full")
    for name in ("notice_days = 9 days", "fee_percent = 50%", "fee = USD 6,250.00", "refund = USD 6,250.00"):
        assert name in text
    assert text.count("cites 2.6 Yderligere vilkår og betingelser") == 4
    assert "rule `6..13 days -> 50%` — the tier" in text


def test_python_floats_are_read_through_their_shortest_decimal_text():
    document = dict(CANCELLATION, service_cost={"amount": 0.3, "currency": "USD"})
    assert evaluate(document).decisions["fee"] == Decimal("0.15")


def test_dates_given_as_python_dates_are_accepted():
    document = dict(CANCELLATION, service_start=dt.date(2026, 12, 10), cancelled_on=dt.date(2026, 12, 1))
    assert evaluate(document).decisions["notice_days"] == 9


def test_request_error_lists_every_problem():
    document = {"kind": "cancellation", "service": "", "service_start": "2026-13-01",
                "service_cost": {"amount": "12,500", "currency": "EUR"}}
    with pytest.raises(RequestError) as caught:
        evaluate(document)
    pointers = {e.pointer for e in caught.value.errors}
    assert pointers == {"/service", "/service_start", "/cancelled_on", "/service_cost/amount",
                        "/service_cost/currency"}
    currency = next(e for e in caught.value.errors if e.pointer == "/service_cost/currency")
    assert currency.value == "EUR" and "USD" in currency.message


def test_requirements_in_policies_are_request_errors():
    document = {"kind": "credit_exchange", "credits": 10,
                "from_site": {"country": "DK", "role": "host", "in_work_order": True, "exception_country": False,
                              "credit_price": {"amount": "7450.00", "currency": "DKK"}},
                "to_site": {"country": "GB", "role": "downstream", "in_work_order": True,
                            "exception_country": False, "credit_price": {"amount": "860.00", "currency": "GBP"}}}
    with pytest.raises(RequestError) as caught:
        evaluate(document)
    [problem] = caught.value.errors
    assert problem.pointer == "/exchange_rate"
    assert "different currencies" in problem.message
    assert "2.5 Support i flere lande" in problem.hint


def test_validation_can_be_skipped_for_trusted_documents():
    assert evaluate(CANCELLATION, validate=False).decisions["fee_percent"] == 50


def test_evaluate_is_thread_safe():
    policies = load_policies()
    documents = [dict(CANCELLATION, cancelled_on=f"2026-12-{day:02d}") for day in range(1, 11)]
    expected = [policies.evaluate(d).to_dict() for d in documents]
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(lambda d: policies.evaluate(d).to_dict(), documents * 50))
    assert results == expected * 50


def test_changing_a_tier_in_the_policy_changes_the_decision(tmp_path):
    text = (ROOT / "policies" / "cancellation.vk").read_text(encoding="utf-8")
    (tmp_path / "cancellation.vk").write_text(text.replace(">= 14 days", ">= 21 days").replace("6..13", "6..20"),
                                              encoding="utf-8")
    edited = load_policies(tmp_path)
    document = dict(CANCELLATION, cancelled_on="2026-11-26")  # 14 days
    assert load_policies().evaluate(document).decisions["fee_percent"] == 0
    assert edited.evaluate(document).decisions["fee_percent"] == 50


@pytest.mark.parametrize("mistake, code", [
    ("request.sevrity == \"1\"", "VK102"),
    ("request.severity == \"D\"", "VK103"),
    ("USD 5 + 3 days", "VK105"),
])
def test_typos_are_rejected_at_load_time(tmp_path, mistake, code):
    (tmp_path / "incident.vk").write_text(f"kind incident\ndecision x\n  cites \"Bilag A\"\n  = {mistake}\n",
                                          encoding="utf-8")
    with pytest.raises(PolicyError) as caught:
        load_policies(tmp_path)
    [diagnostic] = caught.value.diagnostics
    assert (diagnostic.code, diagnostic.span.line) == (code, 4)
    assert diagnostic.hint
    assert f"incident.vk:4:{diagnostic.span.col}: {code}" in str(caught.value)
    assert "^" in str(caught.value)


def test_an_empty_or_missing_policy_directory_is_a_policy_error(tmp_path):
    with pytest.raises(PolicyError):
        load_policies(tmp_path)
    with pytest.raises(PolicyError):
        load_policies(tmp_path / "nowhere")


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=12)
    | st.decimals(allow_nan=True) | st.dates().map(str),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=5),
    max_leaves=20)
kinds = st.sampled_from(["cancellation", "allowance", "service_lookup", "proactive_request", "credit_exchange",
                         "incident", "nope"])


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.text(max_size=12), json_values, max_size=6), kinds)
def test_no_input_raises_anything_but_request_error(document, kind):
    document["kind"] = kind
    try:
        evaluate(document)
    except RequestError as error:
        assert error.errors and all(isinstance(e.pointer, str) for e in error.errors)


@settings(max_examples=200, deadline=None)
@given(json_values)
def test_non_object_documents_are_request_errors(value):
    if isinstance(value, dict):
        value = {"kind": value}
    with pytest.raises(RequestError):
        evaluate(value)


@settings(max_examples=150, deadline=None)
@given(st.fixed_dictionaries({
    "service_start": st.dates(dt.date(2000, 1, 1), dt.date(2099, 12, 31)),  # SPEC §5: the range ends in 2099
    "cancelled_on": st.dates(dt.date(2026, 1, 1), dt.date(2099, 12, 31)),  # the shipped version is in force from 2026
    "amount": st.decimals(min_value=0, max_value=10**9, places=2),
}))
def test_cancellation_refund_and_fee_add_up_to_the_cost(values):
    document = dict(CANCELLATION, service_start=values["service_start"], cancelled_on=values["cancelled_on"],
                    service_cost={"amount": str(values["amount"]), "currency": "USD"})
    decisions = evaluate(document).decisions
    assert decisions["fee"] + decisions["refund"] == values["amount"]
    assert decisions["notice_days"] == (values["service_start"] - values["cancelled_on"]).days


def test_an_integer_written_with_a_fraction_of_zero_is_an_integer():
    document = {"kind": "aem_event", "event_start": "2026-12-01", "event_end": "2026-12-06", "confirmed_on": "2026-10-01",
                "cloud": "public", "azure_solutions": 2.0, "language": "en"}
    assert evaluate(document).decisions["events_required"] == 4
    with pytest.raises(RequestError):
        evaluate(dict(document, azure_solutions=2.5))


def test_the_fast_and_the_full_validator_agree(monkeypatch):
    """The compiled validator only confirms; a rejected document gets jsonschema's full report."""
    from evaluator.api import default_policies
    validator = default_policies().validators["cancellation"]
    assert validator.fast
    assert validator.problems(dict(CANCELLATION)) == []
    monkeypatch.setattr(validator, "_fast", False)
    assert validator.problems(dict(CANCELLATION)) == []
    assert [p.pointer for p in validator.problems(dict(CANCELLATION, service_start="2026-02-30"))] == \
        ["/service_start"]
