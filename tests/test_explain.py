"""Explanations a support desk reads: headline first, plain words, the clause quoted, notes everywhere,
and the same explanation as data, valid against the shipped result schema."""
from __future__ import annotations

import json
import re
from html.parser import HTMLParser

import jsonschema
import pytest
from click.testing import CliRunner

from conftest import ROOT
from evaluator import evaluate
from evaluator.cli import main
from evaluator.requests.documents import read_document

SAMPLES = sorted(p for p in (ROOT / "samples").iterdir() if p.suffix in (".yaml", ".json"))
RESULT_SCHEMA = json.loads((ROOT / "schemas" / "results" / "result.json").read_text(encoding="utf-8"))


def decided(path):
    return evaluate(read_document(str(path), path.read_text(encoding="utf-8")).data)


def let_names(result) -> set[str]:
    return {name for info in result._compiled.definitions if not info.reported for name in info.names}


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.stem)
def test_every_summary_is_plain_words(path):
    result = decided(path)
    text = result.explain()
    assert "`" not in text and "base rule" not in text
    # a let's name is the author's, never the contract's: none that is an identifier shows
    shown = [name for name in let_names(result) if "_" in name and re.search(rf"\b{name}\b", text)]
    assert shown == []
    for name in result.decisions:
        assert f"{name}: " in text  # every decision has its paragraph


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.stem)
def test_the_explanation_as_data_validates_against_the_result_schema(path):
    result = decided(path)
    for detail in ("summary", "full"):
        record = result.to_dict(explain=True, detail=detail)
        record["counterfactuals"] = [found.to_dict() for found in result.counterfactuals()]
        jsonschema.validate(json.loads(json.dumps(record)), RESULT_SCHEMA)
        assert set(record["explanation"]["decisions"]) == set(result.decisions)


def test_the_result_schema_is_not_taken_for_a_request_kind():
    from evaluator.requests.schema import load_schemas
    assert "result" not in load_schemas(ROOT / "schemas") and "results" not in load_schemas(ROOT / "schemas")
    jsonschema.Draft202012Validator.check_schema(RESULT_SCHEMA)


def test_the_incident_headline_comes_first_and_the_summary_is_short():
    text = decided(ROOT / "samples" / "incident-sev-b-friday-afternoon.yaml").explain()
    lines = text.splitlines()
    head = "\n".join(lines[:3])
    assert "2026-11-30T10:15:00+01:00" in head  # expected by
    assert "base" in head and "business clock" in head  # plan and clock
    assert "severity is B" in head or "Severity B" in head  # the reason
    assert len(lines) <= 40


def test_the_full_derivation_keeps_every_let_and_the_business_time_counted():
    text = decided(ROOT / "samples" / "incident-sev-b-friday-afternoon.yaml").explain(detail="full")
    assert "where fastest = 2 business hours" in text
    assert "Friday 2026-11-27: 45 business minutes, 16:45–17:30" in text
    assert "Monday 2026-11-30: 75 business minutes, 09:00–10:15" in text
    assert "rule `" in text and "at policies/incident.vk:" in text


def test_an_exclusion_list_that_decided_is_said_and_quoted():
    text = decided(ROOT / "samples" / "incident-sev-1-storsimple-government.json").explain()
    assert "fodnote 1" in text
    assert "Den anførte svartid for dine Azure-komponenter dækker ikke Azure StorSimple" in text


@pytest.mark.parametrize("path", [p for p in SAMPLES if p.name.startswith("incident-")], ids=lambda p: p.stem)
def test_incident_answers_say_times_are_expected_not_guaranteed(path):
    result = decided(path)
    assert any("not a guarantee" in note for note in result.notes)
    assert "not a guarantee" in result.explain()
    assert result.notes == result.to_dict()["notes"] == result.to_dict(explain=True)["explanation"]["notes"]


def test_why_explains_one_decision_and_what_it_depends_on():
    result = decided(ROOT / "samples" / "cancellation-9-days-notice.yaml")
    text = result.explain(decisions=["fee"])
    # the fee depends on its percentage, and that on the notice
    assert "fee: USD 6,250.00" in text and "fee_percent: 50%" in text and "notice_days: 9 days" in text
    assert "refund:" not in text
    with pytest.raises(ValueError, match="no decision"):
        result.explain(decisions=["fees"])


def test_a_reason_fills_its_placeholders_and_a_tier_is_said_in_words():
    result = decided(ROOT / "samples" / "cancellation-9-days-notice.yaml")
    paragraphs = {p.names[0]: p for p in result.explanation().paragraphs}
    assert paragraphs["fee"].because[0] == "50% of the service cost, USD 12,500.00"
    assert paragraphs["fee_percent"].because[0] == "notice is 6 to 13 days (9 days)"
    assert paragraphs["fee_percent"].cites[0].quote == ("Annulleringer, der foretages 6 til 13 dage i forvejen, vil "
                                                       "medføre en omkostning på 50 % af tjenesteomkostningerne.")


def test_values_print_one_way_in_text_and_in_json():
    result = decided(ROOT / "samples" / "incident-sev-b-friday-afternoon.yaml")
    texts, data = result.texts(), result.to_dict()["decisions"]
    assert texts["customer_response_minutes"] == "4 business hours" and data["customer_response_minutes"] == 240
    assert texts["crisis_resource_minutes"] == "none" and data["crisis_resource_minutes"] is None
    money = decided(ROOT / "samples" / "cancellation-9-days-notice.yaml")
    assert money.texts()["fee"] == "USD 6,250.00" and money.to_dict()["decisions"]["fee"] == "6250.00"
    entry = result.to_dict(explain=True)["explanation"]["decisions"]["customer_response_minutes"]
    assert entry["value"] == 240 and entry["text"] == "4 business hours"


def run(*args: str, input: str | None = None):
    return CliRunner().invoke(main, list(args), input=input)


def test_eval_records_carry_notes_and_the_explanation_as_data():
    sample = str(ROOT / "samples" / "incident-sev-b-friday-afternoon.yaml")
    [record] = json.loads(run("eval", "--format", "json", "--explain", sample).output)
    assert any("not a guarantee" in note for note in record["notes"])
    assert record["explanation"]["headline"][0].startswith("First response expected by 2026-11-30T10:15:00+01:00")
    line = json.loads(run("eval", "--format", "jsonl", sample).output.splitlines()[0])
    assert line["notes"] == record["notes"] and "explanation" not in line
    plain = run("eval", sample).output
    assert "Note: Response times are the contract's expected first-response times" in plain


def test_batch_records_carry_notes_and_with_explain_the_explanation():
    document = json.loads((ROOT / "samples" / "incident-sev-1-azure-uer.json").read_text(encoding="utf-8"))
    output = run("eval", "--batch", "-", "--workers", "1", input=json.dumps(document) + "\n").output
    [record] = [json.loads(line) for line in output.splitlines()]
    assert any("not a guarantee" in note for note in record["notes"]) and "explanation" not in record
    output = run("eval", "--batch", "--explain", "-", "--workers", "1", input=json.dumps(document) + "\n").output
    [record] = [json.loads(line) for line in output.splitlines()]
    assert record["explanation"]["notes"] == record["notes"] and record["trace"]


def test_eval_why_and_explain_full_on_the_command_line():
    sample = str(ROOT / "samples" / "cancellation-9-days-notice.yaml")
    why = run("eval", "--why", "fee_percent", sample)
    assert why.exit_code == 0 and "fee_percent: 50%" in why.output and "refund:" not in why.output
    full = run("eval", "--explain=full", sample)
    assert "rule `6..13 days -> 50%` — the tier" in full.output
    assert run("eval", "--explain=everything", sample).exit_code == 2
    assert run("eval", "--why", "fees", sample).exit_code == 2
    [record] = json.loads(run("eval", "--format", "json", "--why", "fee", sample).output)
    assert set(record["explanation"]["decisions"]) == {"fee", "fee_percent", "notice_days"}


def test_the_readme_shows_a_real_explanation_and_real_counterfactuals(monkeypatch):
    monkeypatch.chdir(ROOT)  # the README names the samples as a user in the repository does
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Why: explanations"):readme.index("## Contract versions")]
    blocks = re.findall(r"```\n(.*?)```", section, re.S)
    incident = run("eval", "--explain", "samples/incident-sev-b-friday-afternoon.yaml").output
    shown = [line for line in blocks[0].splitlines() if "…" not in line]
    assert shown and all(line in incident.splitlines() for line in shown)
    changes = run("eval", "--counterfactuals", "--why", "fee_percent", "samples/cancellation-9-days-notice.yaml").output
    shown = [line for line in blocks[1].splitlines()[1:] if "…" not in line]
    assert shown and all(line in changes.splitlines() for line in shown)


@pytest.mark.parametrize("sample, said", [
    # a yes/no computed by a condition that came out false is said negated
    ("aed-opted-minimum-price.json", "monitoring_scenarios_ok: false — enhanced features is true: monitoring scenarios "
                                     "is more than 7."),
    ("service_use-allowance-funded-29-february.yaml", "lost: false — as of is given: as of 2028-02-20 is on or "
                                                      "before use by 2028-02-29."),
    # `not (use_from <= used_on and used_on <= use_by)`: only the part that decided
    ("service_use-work-order-end.json", "lost: true — used on is given: used on 2027-07-01 is after use by 2027-06-30 ("),
    # a near miss that would give the same value explains nothing; each failed exception is said once
    ("service_lookup-rapid-response-japanese.json", "language is en or ja; rapid_response is not on the list base "
                                                   "reactive services (2.6 Yderligere vilkår og betingelser – "
                                                   "Tjenestesprog), so not if_available.\n"),
    ("rca_request-uer-open-incident.json", "request_in_time: true — no exception applies (incident closed at is none)."),
    # `all of` that holds: its parts, not "no exception applies"
    ("aed-enhanced-customer.yaml", "product_covered: true — product category is cloud and enrolled subscription "
                                    "is true and product is not in aed exclusions.\n"),
    # `count(d in ... where ...)` in words, an item as "it"
    ("aed-sip-dates.yaml", "sip_requests_counted: 1 — sip requested on is given: the number of sip requested on "
                           "2025-03-01, 2026-02-28 where it is on or before as of 2026-03-01 and as of 2026-03-01 is "
                           "before it plus 12 months."),
    # what `if absent` puts in a field's place is said only where the request leaves the field out
    ("service_use-allowance-funded-29-february.yaml", "work_order_last_day: 2030-02-28 — work order start 2027-03-01 "
                                                      "plus term months 36 months minus 1 day (work order end not given)."),
    ("aem_event-restricted-delivery.json", "booking: ineligible — cloud ok is true and restricted delivery required is "
                                           "true.\n"),
    ("aem_event-black-friday-launch.yaml", "restricted delivery required is false (not given) and notice ok is true."),
])
def test_a_reason_says_what_decided_and_nothing_that_did_not(sample, said):
    assert said in decided(ROOT / "samples" / sample).explain()


class _PageText(HTMLParser):
    """The text of an HTML fragment, and the text inside each <blockquote>."""

    def __init__(self):
        super().__init__()
        self.text, self.quotes, self.depth = [], [], 0

    def handle_starttag(self, tag, attrs):
        if tag == "blockquote":
            self.depth += 1
            self.quotes.append("")

    def handle_endtag(self, tag):
        if tag == "blockquote":
            self.depth -= 1

    def handle_data(self, data):
        self.text.append(data)
        if self.depth:
            self.quotes[-1] += data


def test_the_explanation_as_html_says_what_the_text_says_with_the_clauses_quoted(tmp_path):
    from evaluator.explain.html import summary_html
    result = decided(ROOT / "samples" / "incident-sev-b-friday-afternoon.yaml")
    page = _PageText()
    page.feed(summary_html(result.explanation()))
    text = "".join(page.text)
    explanation = result.explanation()
    assert all(line in text for line in explanation.headline + explanation.notes)
    assert all(f"{name}: {value}" in text for name, value in result.texts().items())
    quoted = {cite.quote for paragraph in explanation.paragraphs for cite in paragraph.cites if cite.quote}
    assert {quote.split("”")[0].lstrip("“") for quote in page.quotes} == quoted
    # `vilkar view --request` shows it beside the contract
    out = tmp_path / "page.html"
    done = run("view", "--out", str(out), "--request", str(ROOT / "samples" / "incident-sev-b-friday-afternoon.yaml"))
    assert done.exit_code == 0, done.output
    html = out.read_text(encoding="utf-8")
    assert '<section class="explanation" id="explanation">' in html
    assert "First response expected by 2026-11-30T10:15:00+01:00" in html


def test_a_quote_leaves_out_a_tables_check_marks_and_legend():
    text = decided(ROOT / "samples" / "workshop-recording-with-permission.yaml").explain()
    assert "✓" not in text and "Inkluderet som en del af din grundpakke" not in text
    assert ("“Bemærk, at workshops kan optages, efter der er givet behørig meddelelse og samtykke (og for visse "
            "regioner med yderligere udtrykkelig, skriftlig tilladelse).”") in text
