"""Calendars per location (SPEC §9 §5): lines for a country or subdivision in the policy calendar,
the request's `location.business_hours`, and their precedence; the checker's view of such lines.

The bundled rule set names no place (the contract names none), so these run on a fixture rule set.
"""
from __future__ import annotations

import datetime as dt

import pytest

from conftest import ROOT, TESTS
from evaluator import PolicyError, load_policies
from evaluator.api import compile_sources, default_policies
from evaluator.language.source import Source
from evaluator.requests.schema import load_schemas
from evaluator.tools.fmt import format_source
from evaluator.tools.testing import load_cases, run_case

FIXTURE = TESTS / "fixtures" / "calendar_overrides"
POLICIES = load_policies(FIXTURE, schemas=ROOT / "schemas")
CASES = load_cases(FIXTURE / "cases.yaml")
SCHEMAS = load_schemas(ROOT / "schemas")


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_case(case):
    result = run_case(POLICIES, case)
    assert result.passed, "\n".join(result.problems)


def test_the_explanation_says_which_hours_applied_and_the_calendars_note():
    result = POLICIES.evaluate({"kind": "business_time", "at": "2026-12-04T16:30:00-05:00",
                                "location": {"country": "US", "timezone": "America/New_York"},
                                "add": {"amount": 60, "unit": "business_minutes"}})
    text = result.explain(detail="full")  # the derivation names the calendar; the summary says the hours
    assert 'business hours 08:00–17:00 local time (America/New_York), Monday to Friday, closed on the public ' \
           'holidays of US and on 1 more closed day, from the calendar `office_hours` for "US"' in text
    assert 'business hours 08:00–17:00 local time (America/New_York), Monday to Friday, closed on the public ' \
           'holidays of US and on 1 more closed day, from the rule set\'s calendar for "US"' in result.explain()
    assert "Hours are local wall-clock time (test fixture)." in text
    assert "Friday 2026-12-04: 30 business minutes, 16:30–17:00" in text
    assert "Monday 2026-12-07: 30 business minutes, 08:00–08:30" in text


def test_the_request_hours_are_named_in_the_explanation():
    result = POLICIES.evaluate({"kind": "business_time", "at": "2026-11-30T09:00:00-05:00",
                                "location": {"country": "US", "timezone": "America/New_York",
                                             "business_hours": {"open": "10:00", "days": ["mon", "wed", "fri"]}}})
    assert "business hours 10:00–17:30 local time (America/New_York), Monday, Wednesday, Friday" in result.explain()
    assert "from the request's `location.business_hours`" in result.explain(detail="full")
    assert "from the request's location.business_hours" in result.explain()


def test_the_shipped_calendar_states_f9_in_every_business_hours_explanation():
    document = {"kind": "business_time", "at": "2026-07-01T09:30:00+02:00",
                "location": {"country": "DK", "timezone": "Europe/Copenhagen"}}
    text = default_policies().evaluate(document).explain()
    assert "'lokal standardtid', F9" in text and "10:00–18:30 CEST" in text
    source = (ROOT / "policies" / "calendar.vk").read_text(encoding="utf-8")
    assert "lokal standardtid" in source and "10:00–18:30 CEST" in source


def test_the_fixture_is_formatted_canonically():
    text = (FIXTURE / "business_time.vk").read_text(encoding="utf-8")
    assert format_source(Source.of("business_time.vk", text)) == text


CALENDAR = """calendar office_hours
  cites "Bilag A – Reaktiv support, fodnote 4"
  open 09:00 to 17:30
  on Monday to Friday
  closed on public holidays
{extra}
kind business_time uses calendar office_hours at request.location
  cites "Bilag A – Reaktiv support, fodnote 4"

decision is_business_hours
  cites "Bilag A – Reaktiv support, fodnote 4"
  = request.at is within business hours
"""


@pytest.mark.parametrize("line, message", [
    ('in "XX" open 08:00 to 17:00', '"XX" is not a country the holidays package knows'),
    ('in "DE-XX" closed on 24 December', '"XX" is not a subdivision of DE that the holidays package knows'),
    ('in "US" closed on public holidays', "public holidays are always the location's own"),
    ('in "US" open 17:00 to 08:00', "opening at 17:00 is not before closing at 08:00"),
    ('in "US" open 08:00 to 25:00', "08:00 to 25:00 is not a time of day"),
    ('in "US" open 08:00 to 17:00\n  in "US" open 07:00 to 16:00',
     'the calendar `office_hours` states its opening hours for "US" twice'),
    ('in "IL" on Sunday to Thursday\n  in "IL" on Sunday', 'states its working days for "IL" twice'),
    ("closed on 2026-02-30", "2026-02-30 is not a date that exists"),
    ("closed on 2100-01-01", "2100-01-01 lies outside 1970-01-01 … 2099-12-31"),
    ("closed on 30 February", "30 February is not a day of the year"),
])
def test_the_checker_rejects_lines_that_cannot_hold(line, message):
    sources = {"calendar.vk": Source.of("calendar.vk", CALENDAR.format(extra="  " + line + "\n"))}
    with pytest.raises(PolicyError) as raised:
        compile_sources(sources, SCHEMAS)
    found = [d for d in raised.value.diagnostics if d.code == "VK114"]
    assert any(message in d.message for d in found), [d.message for d in raised.value.diagnostics]


def test_lines_for_places_that_exist_load():
    extra = '  in "US" open 08:00 to 17:00\n  in "US-CA" on Monday to Thursday\n  in "DE-BY" closed on 24 December\n' \
            '  in "GB-SCT" closed on 2026-12-31\n  in "DK" open 08:00 to 24:00\n'
    sources = {"calendar.vk": Source.of("calendar.vk", CALENDAR.format(extra=extra))}
    policies = compile_sources(sources, SCHEMAS)
    decided = policies.evaluate({"kind": "business_time", "at": "2026-11-30T23:59:00+01:00",
                                 "location": {"country": "DK", "timezone": "Europe/Copenhagen"}})
    assert decided.decisions["is_business_hours"] is True
    assert dt.time.max == policies.kinds["business_time"].calendar.at(
        {"country": "DK", "timezone": "Europe/Copenhagen"}).closes


KIND_CASES = load_cases(TESTS / "fixtures" / "business_hours_kinds" / "cases.yaml")


@pytest.mark.parametrize("case", KIND_CASES, ids=[case.name for case in KIND_CASES])
def test_business_hours_in_every_kind_with_a_location(case):
    result = run_case(default_policies(), case)
    assert result.passed, "\n".join(result.problems)
