"""A generated year of support tickets for `vilkar audit`: incident requests plus `first_response_at`.

    python benchmarks/generate_tickets.py COUNT FILE [--year 2026] [--seed 7]

Tickets are opened at random moments of the year in five locations (Copenhagen, Berlin, London,
Los Angeles, Tokyo), on every severity, with and without the enhanced offerings; the first response
comes after a delay drawn per severity, independent of the contract's times, so some are met and
some missed. `CRAFTED` adds tickets where naive wall-clock arithmetic misjudges met/missed — across
holidays and daylight-saving changes — each with the verdict SPEC's rules give by hand, and `MARGINS`
tickets whose margins depend on a request's own business hours and on days that a daylight-saving
change makes 23 or 25 hours long.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import zoneinfo
from pathlib import Path

LOCATIONS = [
    {"country": "DK", "timezone": "Europe/Copenhagen"},
    {"country": "DE", "timezone": "Europe/Berlin"},
    {"country": "GB", "timezone": "Europe/London"},
    {"country": "US", "subdivision": "CA", "timezone": "America/Los_Angeles"},
    {"country": "JP", "timezone": "Asia/Tokyo"},
]
PRODUCTS = [("Azure Kubernetes Service", True), ("Azure SQL Database", True), ("Microsoft Exchange Server", False),
            ("Microsoft Teams", False), ("Azure StorSimple", True), ("Windows Server", False)]
# Minutes until the first response: around-the-clock severities answer fast, business ones slower.
DELAYS = {"1": (2, 40), "A": (10, 120), "B": (30, 1440), "C": (60, 4320)}


def ticket(number: int, opened: dt.datetime, location: dict, severity: str, product: tuple[str, bool],
           offerings: list[str], channel: str, response: dt.datetime) -> dict:
    return {"ticket": f"T-{number:05d}", "kind": "incident", "severity": severity, "product": product[0],
            "azure_component": product[1], "cloud": "public", "offerings": offerings,
            "opened_at": opened.isoformat(timespec="seconds"), "location": location, "language": "en",
            "channel": channel, "description": "Service degraded", "customer_24x7_resources": severity in "1A",
            "aem_event_active": False, "first_response_at": response.isoformat(timespec="seconds")}


def year_of_tickets(count: int, year: int = 2026, seed: int = 7) -> list[dict]:
    """`count` tickets opened during `year`, deterministic for a seed."""
    chance = random.Random(seed)
    start = dt.datetime(year, 1, 1, tzinfo=dt.timezone.utc)
    seconds = (dt.datetime(year + 1, 1, 1, tzinfo=dt.timezone.utc) - start).total_seconds() - 4 * 86400
    tickets = []
    for number in range(1, count + 1):
        location = chance.choice(LOCATIONS)
        zone = zoneinfo.ZoneInfo(location["timezone"])
        opened = (start + dt.timedelta(seconds=chance.randrange(int(seconds)) // 60 * 60)).astimezone(zone)
        severity = chance.choice("1AABBBCC")
        low, high = DELAYS[severity]
        response = opened + dt.timedelta(minutes=chance.randint(low, high))
        offerings = chance.choice([[], [], ["uer"], ["rapid_response"], ["uer", "rapid_response"]])
        channel = chance.choice(["phone", "web", "portal"])
        tickets.append(ticket(number, opened, location, severity, chance.choice(PRODUCTS), offerings, channel,
                              response.astimezone(zone)))
    return tickets


def _at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


DK, US_CA = LOCATIONS[0], LOCATIONS[3]
EXCHANGE, AKS = PRODUCTS[2], PRODUCTS[0]

# (ticket, expected_by, met, margin in minutes on the plan's clock, words the reason must contain)
CRAFTED = [
    # Sev B, 2 business hours from Wednesday 23 December 16:45: 45 minutes that day, 75 on the 24th,
    # a business day in DK -> 10:15 on the 24th. Answered at 14:00: 225 business minutes late. A tool
    # that closes 24-26 December expects Monday 28 December 10:15 and calls it met.
    (ticket(90001, _at("2026-12-23T16:45:00+01:00"), DK, "B", EXCHANGE, [], "phone", _at("2026-12-24T14:00:00+01:00")),
     "2026-12-24T10:15:00+01:00", False, -225, "missed because 24 December 2026 is a business day in DK"),
    # Sev B from Wednesday 13 May 16:45: Ascension Day (14 May) is a public holiday in DK -> Friday 10:15.
    # Answered Friday 09:30: met with 45 business minutes to spare; a weekday-only clock says Thursday 10:15.
    (ticket(90002, _at("2026-05-13T16:45:00+02:00"), DK, "B", EXCHANGE, [], "web", _at("2026-05-15T09:30:00+02:00")),
     "2026-05-15T10:15:00+02:00", True, 45, "met only because 14 May 2026 is a public holiday in DK (Ascension Day)"),
    # Sev C, 4 business hours from Wednesday 25 November 15:00 in California: 150 minutes that day,
    # Thanksgiving and the day after are holidays in US-CA, the weekend follows -> Monday 10:30.
    (ticket(90003, _at("2026-11-25T15:00:00-08:00"), US_CA, "C", EXCHANGE, [], "web", _at("2026-11-30T10:00:00-08:00")),
     "2026-11-30T10:30:00-08:00", True, 30, "26 November 2026 is a public holiday in US-CA (Thanksgiving Day)"),
    # Sev 1 Azure, 15 calendar minutes from 01:50 on the spring-forward night in Copenhagen: 03:05 local.
    # Answered at 03:00 local (10 minutes later): met; adding 15 minutes to the wall clock gives 02:05.
    (ticket(90004, _at("2026-03-29T01:50:00+01:00"), DK, "1", AKS, [], "phone", _at("2026-03-29T03:00:00+02:00")),
     "2026-03-29T03:05:00+02:00", True, 5, "met only because the clocks went forward on 29 March 2026"),
    # Sev A, 60 calendar minutes from 02:30 CEST on the fall-back night: 02:30 CET. Answered 02:50 CET
    # (80 minutes later): missed by 20; the wall clock says 03:30 and met.
    (ticket(90005, _at("2026-10-25T02:30:00+02:00"), DK, "A", EXCHANGE, [], "phone", _at("2026-10-25T02:50:00+01:00")),
     "2026-10-25T02:30:00+01:00", False, -20, "missed because the clocks went back on 25 October 2026"),
]
DE = LOCATIONS[1]
EVERY_DAY = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]

# Tickets whose margins and lead times only come out right when business time is elapsed open time on
# the calendar that decided them: a request's own `location.business_hours`, and whole days of
# business time that a daylight-saving change makes 23 or 25 hours long.
# (ticket, expected_by, met, margin, lead time, both in minutes on the plan's clock)
MARGINS = [
    # Sev C (4 business hours) in Berlin, open 00:00-23:59 every day, from Saturday 28 March 12:00 CET:
    # due 16:00. Answered Monday 12:00 CEST: 479 minutes on Saturday, 1,379 on Sunday (the clocks
    # went forward, so that day is an hour short), 720 on Monday: 2,578 late; lead time 2,818.
    (ticket(90101, _at("2026-03-28T12:00:00+01:00"), {**DE, "business_hours": {"open": "00:00", "close": "23:59",
                                                                            "days": EVERY_DAY}},
            "C", EXCHANGE, [], "web", _at("2026-03-30T12:00:00+02:00")),
     "2026-03-28T16:00:00+01:00", False, -2578, 2818),
    # The same across the fall-back night: Sunday 25 October has 1,499 open minutes, so 2,698 late.
    (ticket(90102, _at("2026-10-24T12:00:00+02:00"), {**DE, "business_hours": {"open": "00:00", "close": "23:59",
                                                                            "days": EVERY_DAY}},
            "C", EXCHANGE, [], "web", _at("2026-10-26T12:00:00+01:00")),
     "2026-10-24T16:00:00+02:00", False, -2698, 2938),
    # Sev B (2 business hours), open Sundays from 02:30, a time the spring-forward night skips: it is
    # read with the offset before the change, so business time starts at 03:30 CEST and ends 05:30.
    (ticket(90103, _at("2026-03-28T20:00:00+01:00"), {**DE, "business_hours": {"open": "02:30", "close": "10:00",
                                                                            "days": ["sun"]}},
            "B", EXCHANGE, [], "web", _at("2026-03-29T05:00:00+02:00")),
     "2026-03-29T05:30:00+02:00", True, 30, 90),
    # Sev C in California, the request's hours 07:00-15:00: 2 hours on Thursday 2 July, Friday 3 July
    # is Independence Day observed, then the weekend: due Monday 09:00. Answered 08:00: 60 to spare.
    (ticket(90104, _at("2026-07-02T13:00:00-07:00"), {**US_CA, "business_hours": {"open": "07:00", "close": "15:00"}},
            "C", EXCHANGE, [], "web", _at("2026-07-06T08:00:00-07:00")),
     "2026-07-06T09:00:00-07:00", True, 60, 180),
]
CRAFTED_BAD = [
    '{"ticket": "T-99990", "kind": "incident", "severity": "B"}',
    "{not json",
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("count", type=int)
    parser.add_argument("file", type=Path)
    parser.add_argument("--year", type=int, default=2026)
    parser.add_argument("--seed", type=int, default=7)
    arguments = parser.parse_args()
    lines = [json.dumps(t, ensure_ascii=False) for t in year_of_tickets(arguments.count, arguments.year,
                                                                        arguments.seed)]
    lines += [json.dumps(crafted[0], ensure_ascii=False) for crafted in CRAFTED + MARGINS]
    arguments.file.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{arguments.file}: {len(lines):,} tickets")


if __name__ == "__main__":
    main()
