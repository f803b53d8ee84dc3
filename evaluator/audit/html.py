"""The audit report as one static HTML page: bar charts of the share met and lead-time histograms in inline SVG.

Inline SVG rather than a plotting library: the page stays one file with no JavaScript and no
dependency, the charts scale and print sharply, and every bar carries its figures as data attributes
and a tooltip, so a reader (and the browser test) can check each bar against the JSON report.
"""
from __future__ import annotations

from html import escape
from typing import Any

from .report import DIMENSIONS

_STYLE = """
body { font: 15px/1.45 system-ui, sans-serif; margin: 2rem auto; max-width: 62rem; color: #1d2330; }
h1 { font-size: 1.6rem; } h2 { font-size: 1.2rem; margin-top: 2.2rem; }
table { border-collapse: collapse; margin: .6rem 0; } td, th { padding: .2rem .7rem; text-align: right; }
th:first-child, td:first-child { text-align: left; } thead th { border-bottom: 1px solid #aab; }
.summary { font-size: 1.1rem; } .muted { color: #5a6170; } svg text { font: 12px system-ui, sans-serif; }
li { margin: .3rem 0; }
"""


def render_html(report: dict[str, Any]) -> str:
    """The page: summary, one share-met chart and table per dimension, lead-time histograms, misjudged tickets."""
    summary, rule_set = report["summary"], report["rule_set"]
    parts = [
        "<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8">',
        "<title>vilkar audit: first responses</title>", f"<style>{_STYLE}</style>", "</head>", "<body>",
        "<h1>First responses against the contract's expected times</h1>",
        f'<p class="summary" id="summary" data-tickets="{summary["tickets"]}" data-met="{summary["met"]}" '
        f'data-missed="{summary["missed"]}" data-share-met="{_attr(summary["share_met"])}">'
        f'{summary["tickets"]:,} tickets: <strong>{summary["met"]:,} met</strong>, {summary["missed"]:,} missed '
        f'({_percent(summary["share_met"])} met); {summary["no_target"]:,} without a target, '
        f'{summary["invalid_lines"]:,} invalid lines.</p>',
        f'<p class="muted">Rule set {escape(str(rule_set["path"]))} ({rule_set["files"]} files, sha256 '
        f'{escape(rule_set["sha256"][:12])}…). Times are the contract\'s expected first-response times, not '
        "guarantees; business minutes count on the ticket's own location calendar.</p>",
    ]
    for dimension in DIMENSIONS:
        rows = report["by"][dimension]
        parts.append(f"<h2>Share met by {dimension}</h2>")
        parts.append(_share_chart(dimension, rows))
        parts.append(_table(dimension, rows))
    for clock, bins in report["lead_times"].items():
        parts.append(f"<h2>Lead time to first response ({clock} clock, minutes)</h2>")
        parts.append(_histogram(clock, bins))
    parts.append(_misjudged(report["naive_misjudged"]))
    parts += ["</body>", "</html>"]
    return "\n".join(parts) + "\n"


def _share_chart(dimension: str, rows: list[dict[str, Any]]) -> str:
    label_width, bar_width, row_height = 130, 560, 26
    height = row_height * len(rows) + 10
    out = [f'<svg class="chart share" data-dimension="{dimension}" width="{label_width + bar_width + 90}" '
           f'height="{height}" role="img" aria-label="share met by {dimension}">']
    for index, row in enumerate(rows):
        y = 5 + index * row_height
        share = row["share_met"] or 0.0
        out.append(f'<text x="{label_width - 8}" y="{y + 16}" text-anchor="end">{escape(row["value"])}</text>')
        out.append(f'<rect class="track" x="{label_width}" y="{y + 3}" width="{bar_width}" height="{row_height - 8}" '
                   f'fill="#eef0f4"/>')
        out.append(f'<rect class="bar" x="{label_width}" y="{y + 3}" width="{share * bar_width:.1f}" '
                   f'height="{row_height - 8}" fill="#3b73b9" data-value="{escape(row["value"])}" '
                   f'data-share-met="{_attr(row["share_met"])}" data-met="{row["met"]}" '
                   f'data-tickets="{row["tickets"]}">'
                   f'<title>{escape(row["value"])}: {row["met"]:,} of {row["tickets"]:,} met '
                   f'({_percent(row["share_met"])})</title></rect>')
        out.append(f'<text class="figure" x="{label_width + bar_width + 8}" y="{y + 16}">'
                   f'{_percent(row["share_met"])}</text>')
    out.append("</svg>")
    return "\n".join(out)


def _histogram(clock: str, bins: list[dict[str, Any]]) -> str:
    width, height, left, bottom = 660, 220, 50, 40
    peak = max([entry["count"] for entry in bins] + [1])
    slot = (width - left) / len(bins)
    out = [f'<svg class="chart histogram" data-clock="{clock}" width="{width}" height="{height + bottom}" '
           f'role="img" aria-label="lead times, {clock} clock">']
    for index, entry in enumerate(bins):
        bar = entry["count"] / peak * height
        x = left + index * slot
        span = f'{entry["from"]}–{entry["to"]}' if entry["to"] is not None else f'{entry["from"]}+'
        out.append(f'<rect class="bin" x="{x + 4:.1f}" y="{height - bar:.1f}" width="{slot - 8:.1f}" '
                   f'height="{bar:.1f}" fill="#6a9a3a" data-from="{entry["from"]}" '
                   f'data-to="{"" if entry["to"] is None else entry["to"]}" data-count="{entry["count"]}">'
                   f'<title>{span} minutes: {entry["count"]:,} tickets</title></rect>')
        out.append(f'<text x="{x + slot / 2:.1f}" y="{height + 16}" text-anchor="middle">{span}</text>')
        out.append(f'<text class="figure" x="{x + slot / 2:.1f}" y="{max(height - bar - 4, 12):.1f}" '
                   f'text-anchor="middle">{entry["count"]:,}</text>')
    out.append("</svg>")
    return "\n".join(out)


def _table(dimension: str, rows: list[dict[str, Any]]) -> str:
    out = [f'<table class="figures" data-dimension="{dimension}"><thead><tr><th>{dimension}</th><th>tickets</th>'
           "<th>met</th><th>missed</th><th>share met</th><th>median lead (min)</th><th>median margin (min)</th>"
           "</tr></thead><tbody>"]
    for row in rows:
        out.append(f'<tr><td>{escape(row["value"])}</td><td>{row["tickets"]:,}</td><td>{row["met"]:,}</td>'
                   f'<td>{row["missed"]:,}</td><td>{_percent(row["share_met"])}</td>'
                   f'<td>{row["median_lead_minutes"]:g}</td><td>{row["median_margin_minutes"]:g}</td></tr>')
    out.append("</tbody></table>")
    return "\n".join(out)


def _misjudged(tickets: list[dict[str, Any]]) -> str:
    out = [f'<h2 id="misjudged">Tickets a naive wall clock misjudges ({len(tickets):,})</h2>',
           '<p class="muted">A ticketing tool that counts wall-clock time, with one holiday list for every '
           "country, judges these tickets the other way.</p>", '<ul class="misjudged">']
    for ticket in tickets:
        name = ticket["ticket"] or f'line {ticket["line"]}'
        out.append(f'<li data-line="{ticket["line"]}" data-met="{str(ticket["met"]).lower()}"><strong>'
                   f'{escape(name)}</strong> ({escape(ticket["country"])}, opened {escape(ticket["opened_at"])}, '
                   f'expected by {escape(ticket["expected_by"])}, answered {escape(ticket["first_response_at"])}): '
                   f'{escape(ticket["reason"])}</li>')
    out.append("</ul>")
    return "\n".join(out)


def _attr(share: float | None) -> str:
    return "" if share is None else f"{share}"


def _percent(share: float | None) -> str:
    return "n/a" if share is None else f"{share * 100:.1f}%"
