"""The audit report: the share of tickets met by severity, plan, country and month, lead times, and the
tickets a naive wall clock misjudges; as a JSON-ready dict and as text."""
from __future__ import annotations

import statistics
from typing import Any

DIMENSIONS = ("severity", "plan", "country", "month")
LEAD_BINS = (0, 15, 30, 60, 120, 240, 480, 960)  # minutes; the last bin is open-ended
_ORDER = {"severity": ["1", "A", "B", "C"], "plan": ["base", "uer", "rapid_response", "aem"]}


def build_report(records: list[dict[str, Any]], rule_set: dict[str, Any]) -> dict[str, Any]:
    """Aggregate audit records (in input order) into the report."""
    tickets = [record for record in records if "error" not in record]
    judged = [ticket for ticket in tickets if ticket["met"] is not None]
    met = sum(ticket["met"] for ticket in judged)
    misjudged = [ticket for ticket in judged if ticket["naive_differs"]]
    return {
        "rule_set": rule_set,
        "summary": {"tickets": len(tickets), "judged": len(judged), "met": met, "missed": len(judged) - met,
                    "share_met": _share(met, len(judged)), "no_target": len(tickets) - len(judged),
                    "invalid_lines": len(records) - len(tickets), "naive_misjudged": len(misjudged)},
        "by": {dimension: _groups(judged, dimension) for dimension in DIMENSIONS},
        "lead_times": {clock: _histogram([t["lead_minutes"] for t in judged if t["clock"] == clock])
                       for clock in ("calendar", "business")},
        "naive_misjudged": [{"line": t["line"], "ticket": t["ticket"], "met": t["met"], "country": t["country"],
                             "opened_at": t["opened_at"], "expected_by": t["expected_by"],
                             "first_response_at": t["first_response_at"], "reason": t["reason"]} for t in misjudged],
        "errors": [record for record in records if "error" in record],
        "tickets": tickets,
    }


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _groups(judged: list[dict[str, Any]], dimension: str) -> list[dict[str, Any]]:
    values: dict[str, list[dict[str, Any]]] = {}
    for ticket in judged:
        values.setdefault(ticket[dimension], []).append(ticket)
    order = _ORDER.get(dimension)
    keys = sorted(values, key=lambda v: (order.index(v) if order and v in order else len(order or ()), v))
    rows = []
    for value in keys:
        group = values[value]
        met = sum(ticket["met"] for ticket in group)
        rows.append({"value": value, "tickets": len(group), "met": met, "missed": len(group) - met,
                     "share_met": _share(met, len(group)),
                     "median_lead_minutes": statistics.median(t["lead_minutes"] for t in group),
                     "median_margin_minutes": statistics.median(t["margin_minutes"] for t in group)})
    return rows


def _histogram(minutes: list[int]) -> list[dict[str, Any]]:
    bins = []
    for low, high in zip(LEAD_BINS, LEAD_BINS[1:] + (None,)):
        count = sum(1 for m in minutes if m >= low and (high is None or m < high))
        bins.append({"from": low, "to": high, "count": count})
    return bins


def render_text(report: dict[str, Any], rule_set_line: str | None = None) -> str:
    """The report for a terminal: the summary, a table per dimension, lead times, misjudged tickets."""
    summary, rule_set = report["summary"], report["rule_set"]
    shown = rule_set_line or (f"rule set: {rule_set['path']} ({rule_set['files']} files, "
                              f"sha256 {rule_set['sha256'][:12]}…)")
    lines = [f"{summary['tickets']:,} tickets: {summary['met']:,} met, {summary['missed']:,} missed "
             f"({_percent(summary['share_met'])} met); {summary['no_target']:,} without a target, "
             f"{summary['invalid_lines']:,} invalid lines",
             shown]
    for dimension in DIMENSIONS:
        rows = report["by"][dimension]
        width = max([len(dimension)] + [len(row["value"]) for row in rows])
        lines += ["", f"{dimension.ljust(width)}  tickets      met   missed  share met  median lead  median margin"]
        for row in rows:
            lines.append(f"{row['value'].ljust(width)}  {row['tickets']:7,}  {row['met']:7,}  {row['missed']:7,}"
                         f"  {_percent(row['share_met']):>9}  {row['median_lead_minutes']:>7g} min"
                         f"  {row['median_margin_minutes']:>9g} min")
    for clock, bins in report["lead_times"].items():
        lines += ["", f"lead time to first response ({clock} minutes)"]
        for entry in bins:
            span = f"{entry['from']}–{entry['to']}" if entry["to"] is not None else f"{entry['from']}+"
            lines.append(f"  {span:>9}  {entry['count']:7,}")
    misjudged = report["naive_misjudged"]
    lines += ["", f"{len(misjudged):,} tickets a naive wall clock misjudges (holidays, daylight saving):"]
    for ticket in misjudged:
        name = ticket["ticket"] or f"line {ticket['line']}"
        lines.append(f"  {name} ({ticket['country']}, opened {ticket['opened_at']}): {ticket['reason']}")
    return "\n".join(lines) + "\n"


def _percent(share: float | None) -> str:
    return "n/a" if share is None else f"{share * 100:.1f}%"
