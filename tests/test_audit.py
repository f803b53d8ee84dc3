"""`vilkar audit`: crafted tickets across holidays and daylight saving, and a generated year whose counts
equal an independent computation (each ticket decided by `evaluate`, compared by hand)."""
from __future__ import annotations

import datetime as dt
import json
import math
import shutil
import sys
import zoneinfo
from collections import Counter

import holidays
import pytest
from click.testing import CliRunner

from conftest import ROOT
from evaluator import evaluate, load_policies
from evaluator.api import default_policies
from evaluator.audit.report import DIMENSIONS
from evaluator.audit.tickets import audit_line, audit_ticket
from evaluator.cli import main

sys.path.insert(0, str(ROOT / "benchmarks"))
from generate_tickets import CRAFTED, CRAFTED_BAD, DK, EXCHANGE, MARGINS, _at, ticket, year_of_tickets  # noqa: E402

YEAR = year_of_tickets(1500, seed=11)
TICKETS = YEAR + [crafted[0] for crafted in CRAFTED] + [margin[0] for margin in MARGINS]


@pytest.fixture(scope="module")
def tickets_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("audit") / "tickets.jsonl"
    lines = [json.dumps(t) for t in TICKETS] + CRAFTED_BAD + [""]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def report(tickets_file):
    result = CliRunner().invoke(main, ["audit", "--format", "json", str(tickets_file)])
    assert result.exit_code == 2, result.output  # two lines are not tickets
    return json.loads(result.stdout)


@pytest.mark.parametrize("ticket, expected_by, met, margin, words", CRAFTED, ids=lambda v: getattr(v, "get", None)
                         and v.get("ticket"))
def test_crafted_tickets_get_the_verdict_worked_out_by_hand(ticket, expected_by, met, margin, words):
    record = audit_ticket(default_policies(), ticket)
    assert record["expected_by"] == expected_by
    assert record["met"] is met
    assert record["margin_minutes"] == margin
    assert record["naive_differs"] is True
    assert words in record["reason"]


def independent(ticket: dict) -> tuple[dict, bool]:
    """The ticket decided by `evaluate` and its first response compared with the expected moment."""
    request = {key: value for key, value in ticket.items() if key not in ("ticket", "first_response_at")}
    decisions = evaluate(request).decisions
    met = dt.datetime.fromisoformat(ticket["first_response_at"]) <= decisions["first_response_expected_by"]
    month = ticket["opened_at"][:7]  # written at the location's own offset
    return {"severity": ticket["severity"], "plan": decisions["response_plan"],
            "country": ticket["location"]["country"], "month": month}, met


@pytest.mark.parametrize("ticket, expected_by, met, margin, lead", MARGINS, ids=lambda v: getattr(v, "get", None)
                         and v.get("ticket"))
def test_margins_on_the_request_hours_and_across_clock_changes_are_worked_out_by_hand(ticket, expected_by, met,
                                                                                     margin, lead):
    record = audit_ticket(default_policies(), ticket)
    assert (record["expected_by"], record["met"], record["margin_minutes"], record["lead_minutes"]) == \
        (expected_by, met, margin, lead)


_WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def independent_business_seconds(location: dict, start: dt.datetime, end: dt.datetime) -> float:
    """Open time in [start, end) for the shipped calendar, counted day by day in UTC from the facts of
    SPEC §5: the request's business hours, else 09:00-17:30 Monday to Friday; public holidays closed; a
    wall time a clock change skips read with the offset before it (fold 0)."""
    given = location.get("business_hours") or {}
    opens = dt.time.fromisoformat(given.get("open", "09:00"))
    closes = dt.time.fromisoformat(given.get("close", "17:30"))
    days = given.get("days", _WEEKDAYS[:5])
    closed = {dt.date.fromisoformat(day) for day in given.get("closed_dates", [])}
    zone = zoneinfo.ZoneInfo(location["timezone"])
    first, last = start.astimezone(zone).date() - dt.timedelta(days=1), end.astimezone(zone).date()
    public = holidays.country_holidays(location["country"], subdiv=location.get("subdivision"),
                                       years=range(first.year, last.year + 1))
    total, day = 0.0, first
    while day <= last:
        if _WEEKDAYS[day.weekday()] in days and day not in public and day not in closed:
            utc_open = dt.datetime.combine(day, opens, tzinfo=zone).astimezone(dt.timezone.utc)
            utc_close = dt.datetime.combine(day, closes, tzinfo=zone).astimezone(dt.timezone.utc)
            total += max(0.0, (min(end, utc_close) - max(start, utc_open)).total_seconds())
        day += dt.timedelta(days=1)
    return total


def independent_minutes(ticket: dict, clock: str, start: dt.datetime, end: dt.datetime) -> int:
    sign = 1
    if end < start:
        start, end, sign = end, start, -1
    seconds = (end - start).total_seconds() if clock == "calendar" else \
        independent_business_seconds(ticket["location"], start, end)
    return math.floor(sign * seconds / 60)


def test_margins_and_lead_times_equal_an_independent_count(report):
    assert len(report["tickets"]) == len(TICKETS)
    for ticket, record in zip(TICKETS, report["tickets"]):
        decisions = evaluate({k: v for k, v in ticket.items() if k not in ("ticket", "first_response_at")}).decisions
        opened, answered = (dt.datetime.fromisoformat(ticket[field]) for field in ("opened_at", "first_response_at"))
        due, clock = decisions["first_response_expected_by"], decisions["first_response_clock"]
        assert record["margin_minutes"] == independent_minutes(ticket, clock, answered, due), ticket["ticket"]
        assert record["lead_minutes"] == independent_minutes(ticket, clock, opened, answered), ticket["ticket"]


def test_report_counts_equal_an_independent_computation(report):
    tickets = TICKETS
    expected = {dimension: Counter() for dimension in DIMENSIONS}
    met_expected = {dimension: Counter() for dimension in DIMENSIONS}
    for ticket in tickets:
        groups, met = independent(ticket)
        for dimension in DIMENSIONS:
            expected[dimension][groups[dimension]] += 1
            met_expected[dimension][groups[dimension]] += met
    for dimension in DIMENSIONS:
        rows = report["by"][dimension]
        assert {row["value"]: row["tickets"] for row in rows} == dict(expected[dimension])
        assert {row["value"]: row["met"] for row in rows} == dict(met_expected[dimension])
        for row in rows:
            assert row["missed"] == row["tickets"] - row["met"]
            assert row["share_met"] == round(row["met"] / row["tickets"], 4)
    total_met = sum(met_expected["severity"].values())
    assert report["summary"] == {"tickets": len(tickets), "judged": len(tickets), "met": total_met,
                                 "missed": len(tickets) - total_met, "share_met": round(total_met / len(tickets), 4),
                                 "no_target": 0, "invalid_lines": 2,
                                 "naive_misjudged": len(report["naive_misjudged"])}
    assert 0.2 < report["summary"]["share_met"] < 0.8  # the generated year has both verdicts in bulk


def test_every_ticket_has_its_figures_and_the_histograms_count_them(report):
    tickets = report["tickets"]
    assert len(tickets) == len(TICKETS)
    for record in tickets:
        # 0 either way: met with less than a minute to spare, or missed but answered after a close,
        # before the next opening, so by no business minute at all
        assert record["margin_minutes"] >= 0 if record["met"] else record["margin_minutes"] <= 0
        assert record["lead_minutes"] >= 0
    for clock, bins in report["lead_times"].items():
        assert sum(entry["count"] for entry in bins) == sum(1 for t in tickets if t["clock"] == clock)


def test_the_misjudged_list_holds_the_crafted_tickets_and_only_disagreements(report):
    listed = {entry["ticket"]: entry for entry in report["naive_misjudged"]}
    for ticket, _, met, _, words in CRAFTED:
        assert listed[ticket["ticket"]]["met"] is met
        assert words in listed[ticket["ticket"]]["reason"]
    by_ticket = {record["ticket"]: record for record in report["tickets"]}
    assert all(by_ticket[name]["naive"]["met"] != by_ticket[name]["met"] for name in listed)
    assert len(listed) == sum(record["naive_differs"] for record in report["tickets"])


def test_bad_lines_are_error_records_with_their_line_numbers(report, tickets_file):
    errors = report["errors"]
    assert [error["line"] for error in errors] == [len(TICKETS) + 1, len(TICKETS) + 2]
    assert errors[0]["error"] == "invalid ticket"
    assert errors[1]["error"].startswith("not valid JSON")


@pytest.mark.parametrize("change, words", [
    ({"first_response_at": None}, "/first_response_at: is required but missing"),
    ({"first_response_at": "2026-12-23T16:00:00+01:00"}, "/first_response_at: is before the ticket was opened"),
    ({"first_response_at": "2026-12-24T10:00:00"}, "/first_response_at: is not a timestamp with a UTC offset"),
    ({"kind": "cancellation"}, "/kind: a ticket is an incident request"),
    ({"severity": "D"}, "/severity"),
])
def test_a_bad_ticket_is_refused_with_a_pointer(change, words):
    ticket = {**CRAFTED[0][0], **change}
    ticket = {key: value for key, value in ticket.items() if value is not None}
    record = audit_line(default_policies(), 7, json.dumps(ticket))
    assert record["line"] == 7 and record["error"] == "invalid ticket"
    shown = [f"{p['pointer']}: {p['message']}" for p in record["errors"]]
    assert any(words in line for line in shown), shown


def test_text_report_names_the_rule_set_and_lists_the_misjudged(tickets_file):
    result = CliRunner().invoke(main, ["audit", str(tickets_file)])
    assert result.exit_code == 2
    assert default_policies().rule_set.summary() in result.stdout
    assert "T-90001 (DK, opened 2026-12-23T16:45:00+01:00): missed because 24 December 2026 is a business day in DK" \
        in result.stdout
    assert f"{tickets_file}:{len(TICKETS) + 2}: not valid JSON" in result.stderr


def test_a_clean_file_exits_0_and_the_report_is_written_whole(tmp_path):
    path = tmp_path / "clean.jsonl"
    path.write_text("\n".join(json.dumps(c[0]) for c in CRAFTED) + "\n", encoding="utf-8")
    out = tmp_path / "report.json"
    result = CliRunner().invoke(main, ["audit", "--format", "json", "--out", str(out), str(path)])
    assert result.exit_code == 0, result.output
    assert json.loads(out.read_text(encoding="utf-8"))["summary"]["tickets"] == len(CRAFTED)
    assert not (tmp_path / "report.json.partial").exists()


def test_an_unreadable_file_is_an_input_error(tmp_path):
    result = CliRunner().invoke(main, ["audit", str(tmp_path / "missing.jsonl")])
    assert result.exit_code == 2
    assert "cannot read" in result.output


def test_the_calendar_that_decided_counts_the_margins_request_hours_over_policy_lines_over_defaults(tmp_path):
    """A rule set whose calendar opens Denmark 08:00-24:00; a request's own hours win over that."""
    policies = tmp_path / "policies"
    shutil.copytree(ROOT / "policies", policies)
    calendar = policies / "calendar.vk"
    calendar.write_text(calendar.read_text(encoding="utf-8").replace(
        "  closed on public holidays\n", '  closed on public holidays\n  in "DK" open 08:00 to 24:00\n'),
        encoding="utf-8")
    rule_set = load_policies(str(policies))
    opened, answered = _at("2026-06-10T22:30:00+02:00"), _at("2026-06-10T23:30:00+02:00")  # a Wednesday
    # Sev B, 2 business hours: 90 minutes until the 24:00 close, 30 from 08:00 on Thursday. Answered
    # 23:30: 30 minutes to the close and 30 more in the morning to spare.
    by_policy = audit_ticket(rule_set, ticket(90201, opened, DK, "B", EXCHANGE, [], "web", answered))
    assert (by_policy["expected_by"], by_policy["met"], by_policy["margin_minutes"], by_policy["lead_minutes"]) == \
        ("2026-06-11T08:30:00+02:00", True, 60, 60)
    # The request's 09:00-23:00: 30 minutes on Wednesday, 90 from 09:00 on Thursday; answered after the
    # close, 90 business minutes early, 30 after opening.
    own_hours = {**DK, "business_hours": {"open": "09:00", "close": "23:00"}}
    by_request = audit_ticket(rule_set, ticket(90202, opened, own_hours, "B", EXCHANGE, [], "web", answered))
    assert (by_request["expected_by"], by_request["met"], by_request["margin_minutes"],
            by_request["lead_minutes"]) == ("2026-06-11T10:30:00+02:00", True, 90, 30)
    # Without either, the default 09:00-17:30: two business hours from 09:00 on Thursday.
    default = audit_ticket(default_policies(), ticket(90203, opened, DK, "B", EXCHANGE, [], "web", answered))
    assert (default["expected_by"], default["margin_minutes"], default["lead_minutes"]) == \
        ("2026-06-11T11:00:00+02:00", 120, 0)
