"""The size targets of issue 12, each printed with its measured ratio and PASS or MISS.

    python benchmarks/scale.py [--quick] [SECTION...]      # sections: business_time, tables

One process, pinned to one core where the OS allows it; the contenders of each comparison run in
interleaved rounds and the best round counts (the least disturbed). Ratios are side by side, so a
busy machine shifts both sides alike.
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import time
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))  # the old day-by-day walk, kept there as the test oracle
sys.path.insert(0, str(ROOT / "benchmarks"))

from evaluator import RequestError  # noqa: E402
from evaluator.api import default_policies  # noqa: E402
from evaluator.calendar import timeline as timeline_module  # noqa: E402
from evaluator.calendar.hours import BusinessHours  # noqa: E402

Outcome = tuple[str, float, float, bool]  # target, measured ratio, limit, passed


def per_call(function: Callable[[], object], seconds: float) -> float:
    """Microseconds per call, looping until `seconds` have passed."""
    calls, start = 0, time.perf_counter()
    while True:
        function()
        calls += 1
        elapsed = time.perf_counter() - start
        if elapsed >= seconds:
            return elapsed / calls * 1e6


def interleaved(contenders: dict[str, Callable[[], object]], rounds: int, seconds: float) -> dict[str, float]:
    best = {name: float("inf") for name in contenders}
    for _ in range(rounds):
        for name, function in contenders.items():
            best[name] = min(best[name], per_call(function, seconds))
    return best


# ---------------------------------------------------------------- business time

DK = {"country": "DK", "timezone": "Europe/Copenhagen"}


def _request(amount: int, unit: str, at: str = "2026-01-05T10:00:00+01:00", location: dict = DK) -> dict:
    return {"kind": "business_time", "at": at, "location": location, "add": {"amount": amount, "unit": unit}}


def _refused(policies, document: dict) -> Callable[[], object]:
    def run() -> object:
        try:
            return policies.evaluate(document)
        except RequestError as error:
            return error
    return run


def business_time(rounds: int, seconds: float) -> list[Outcome]:
    """Adding 100,000 business hours or days costs at most 3× adding one; holiday tables are shared."""
    from calendar_oracle import OracleRules, WalkingCalendar

    policies = default_policies()
    calendar = BusinessHours.standard().at(DK)
    start = dt.datetime(2026, 1, 5, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=1)))
    early = dt.datetime(1975, 1, 6, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=1)))
    for warm in (start, early):  # lay out every year once, as a long-running service would have
        calendar.add_business_minutes(warm, 6_000_000)
        calendar.add_business_days(early, 30_000)
    outcomes: list[Outcome] = []
    print("business time (DK, 09:00–17:30 Monday to Friday, public holidays), µs per call")
    comparisons = {
        "add_business_minutes: 100,000 business hours vs 1": (
            lambda: calendar.add_business_minutes(start, 60), lambda: calendar.add_business_minutes(start, 6_000_000)),
        "add_business_days: 30,000 business days (1975 → 2092) vs 1": (
            lambda: calendar.add_business_days(early, 1), lambda: calendar.add_business_days(early, 30_000)),
        "evaluate business_time: 100,000 business_hours vs 1": (
            lambda: policies.evaluate(_request(1, "business_hours"), validate=False),
            lambda: policies.evaluate(_request(100_000, "business_hours"), validate=False)),
        "evaluate business_time: 100,000 business_days (refused: past 2099) vs 1": (
            lambda: policies.evaluate(_request(1, "business_days"), validate=False),
            _refused(policies, _request(100_000, "business_days"))),
    }
    for target, (one, many) in comparisons.items():
        times = interleaved({"one": one, "many": many}, rounds, seconds)
        ratio = times["many"] / times["one"]
        outcomes.append((target, ratio, 3.0, ratio <= 3.0))
        print(f"  {target}: {times['one']:.2f} vs {times['many']:.2f} → {ratio:.2f}×")
    walk = WalkingCalendar(OracleRules(), "DK", None, "Europe/Copenhagen")
    old = interleaved({"walk": lambda: walk.add_business_minutes(start, 6_000_000),
                       "timeline": lambda: calendar.add_business_minutes(start, 6_000_000)}, 1, seconds)
    print(f"  for comparison, the old day-by-day walk: 100,000 business hours in {old['walk'] / 1000:.1f} ms, "
          f"{old['walk'] / old['timeline']:,.0f}× the timeline")
    outcomes.append(_shared_holiday_tables(policies))
    return outcomes


def _shared_holiday_tables(policies) -> Outcome:
    """Many requests at a few places, each with its own hours: one holiday table per (country, subdivision, year)."""
    import collections

    import holidays

    built: collections.Counter = collections.Counter()
    original = holidays.country_holidays

    def counting(country, subdiv=None, years=None, **options):
        built[(country, subdiv, years)] += 1
        return original(country, subdiv=subdiv, years=years, **options)

    timeline_module.public_holidays.cache_clear()
    holidays.country_holidays = counting
    try:
        places = [("DK", None, "Europe/Copenhagen"), ("US", "CA", "America/Los_Angeles"),
                  ("DE", "BY", "Europe/Berlin"), ("GB", None, "Europe/London"), ("JP", None, "Asia/Tokyo")]
        for index in range(1000):
            country, subdivision, zone = places[index % len(places)]
            location = {"country": country, "timezone": zone, "business_hours": {
                "open": f"{7 + index % 4:02d}:{(index * 7) % 60:02d}", "close": "17:00"}}
            if subdivision:
                location["subdivision"] = subdivision
            at = f"{2024 + (index // 5) % 5}-03-0{1 + index % 9}T10:00:00+00:00"
            policies.evaluate(_request(40 + index, "business_hours", at, location))
    finally:
        holidays.country_holidays = original
    most = max(built.values())
    print(f"  holiday tables: {sum(built.values())} built for {len(built)} distinct (country, subdivision, year), "
          f"1,000 requests with 1,000 different business_hours; no table built twice: {most == 1}")
    return ("holiday tables built once per (country, subdivision, year)", float(most), 1.0, most == 1)


def tables(rounds: int, seconds: float) -> list[Outcome]:
    from scale_tables import tables as table_targets  # benchmarks/scale_tables.py
    return table_targets(rounds, seconds, interleaved)


SECTIONS = {"business_time": business_time, "tables": tables}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sections", nargs="*", metavar="SECTION", help=f"one of: {', '.join(SECTIONS)}")
    parser.add_argument("--quick", action="store_true", help="fewer and shorter rounds")
    arguments = parser.parse_args()
    unknown = [name for name in arguments.sections if name not in SECTIONS]
    if unknown:
        parser.error(f"unknown section {unknown[0]}; the sections are: {', '.join(SECTIONS)}")
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    rounds, seconds = (2, 0.1) if arguments.quick else (5, 0.3)
    outcomes: list[Outcome] = []
    for name in arguments.sections or list(SECTIONS):
        outcomes.extend(SECTIONS[name](rounds, seconds))
    print("\ntargets")
    for target, ratio, limit, passed in outcomes:
        print(f"  {'PASS' if passed else 'MISS'}  {target}: {ratio:.2f}× (target ≤ {limit:g}×)")
    return 0 if all(passed for *_, passed in outcomes) else 1


if __name__ == "__main__":
    sys.exit(main())
