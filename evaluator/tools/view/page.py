"""The contract view as one static HTML page: no script, every link an anchor on the page."""
from __future__ import annotations

import datetime as dt
from html import escape
from typing import Any

from ..clauses import Clause, paragraphs
from .model import STATUSES, ClauseView, Rule, View
from .timeline import Timeline

_STATUS_CLASS = {status: status.replace(" ", "-") for status in STATUSES}
_TIMELINE_WIDTH = 960
_CLOSED_SHOWN = 90  # minutes of width a closed stretch is drawn with at most


def render(view: View, request: dict[str, Any] | None = None) -> str:
    """The whole page. `request`: {"name", "kind", "decisions": [(name, shown value)], "timelines"}, and
    "explanation", the HTML of the request's explanation, where there is one."""
    from pygments.formatters import HtmlFormatter
    formatter = HtmlFormatter(nowrap=True, classes=True)
    parts = [_head(formatter.get_style_defs(".code")), "<body>", _summary(view, request)]
    if request is not None:
        parts.append(_request(view, request))
    parts.append('<main id="contract">')
    for unit in view.contract.units():
        parts.append(_unit(view, unit, formatter))
    parts.append("</main>")
    if view.orphans:
        parts.append('<section id="orphans"><h2>Rules that cite no clause of the contract</h2>')
        parts.extend(_rule(rule, formatter, view) for rule in view.orphans)
        parts.append("</section>")
    parts.append("</body></html>")
    return "\n".join(parts)


def _head(code_style: str) -> str:
    return f"""<!DOCTYPE html>
<html lang="da"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>vilkar: the contract and its rules</title>
<style>
body {{ font: 15px/1.45 system-ui, "DejaVu Sans", sans-serif; margin: 0; color: #1d232a; background: #fbfbf8; }}
header, #request, main, #orphans {{ max-width: 1500px; margin: 0 auto; padding: 0 24px; }}
header {{ padding-top: 18px; }}
h1 {{ font-size: 24px; margin: 0 0 4px; }}
.ruleset {{ color: #56606b; font-size: 13px; }}
table.counts {{ border-collapse: collapse; margin: 10px 0; }}
table.counts td, table.counts th {{ border: 1px solid #d5d8dc; padding: 3px 10px; text-align: left; }}
nav ol {{ columns: 3; font-size: 13px; padding-left: 20px; }}
section.unit {{ border-top: 2px solid #c9ced3; padding: 8px 0 14px; }}
.clause {{ display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 1.15fr); gap: 20px;
           padding: 8px 10px; border-left: 6px solid #d5d8dc; margin: 6px 0; background: #fff; }}
.clause.decided {{ outline: 3px solid #e0a800; background: #fffbea; }}
.clause h2, .clause h3 {{ margin: 0 0 6px; font-size: 17px; }}
.clause h3 {{ font-size: 15px; }}
.contract-text p {{ margin: 0 0 6px; }}
.status-encoded {{ border-left-color: #2e8540; }}
.status-partly {{ border-left-color: #e0a800; }}
.status-not-computable {{ border-left-color: #8a94a0; }}
.status-not-yet-encoded {{ border-left-color: #c0392b; }}
.badge {{ display: inline-block; font-size: 12px; padding: 0 6px; border-radius: 8px; color: #fff;
          vertical-align: middle; margin-left: 6px; }}
.badge.status-encoded {{ background: #2e8540; }} .badge.status-partly {{ background: #b58900; }}
.badge.status-not-computable {{ background: #6b7580; }} .badge.status-not-yet-encoded {{ background: #c0392b; }}
.meta {{ font-size: 12px; color: #56606b; margin: 4px 0; }}
.rule {{ border: 1px solid #dde1e5; border-radius: 4px; margin: 0 0 8px; background: #f7f8fa; }}
.rule h4 {{ margin: 0; padding: 3px 8px; font-size: 13px; background: #eef1f4; }}
.rule pre {{ margin: 0; padding: 6px 8px; font-size: 12.5px; overflow-x: auto; white-space: pre; }}
.rule .cites {{ font-size: 12px; padding: 2px 8px 6px; }}
.interpretation {{ font-size: 13px; border-left: 3px solid #6c5ce7; padding: 2px 8px; margin: 6px 0;
                   background: #f3f1ff; }}
.row-ref {{ font-size: 12px; font-family: monospace; margin: 2px 0; }}
svg.timeline {{ background: #fff; border: 1px solid #d5d8dc; }}
.decisions td {{ padding: 1px 10px 1px 0; vertical-align: top; }}
.explanation .headline {{ font-weight: 600; margin: 2px 0; }}
.explanation .why {{ margin: 6px 0; }} .explanation .why p {{ margin: 0; }}
.explanation blockquote {{ margin: 2px 0 0 18px; font-size: 13px; color: #3b4450; }}
.explanation blockquote footer {{ font-size: 12px; color: #56606b; }}
{code_style}
</style></head>"""


def _summary(view: View, request: dict[str, Any] | None) -> str:
    counts = view.counts()
    rule_set = view.rule_set
    rows = "".join(f'<tr><td><span class="badge {_css(status)}">{status}</span></td>'
                   f'<td id="count-{_css(status)[7:]}" data-count="{counts[status]}">{counts[status]}</td></tr>'
                   for status in STATUSES)
    coverable = sum(v.coverable for v in view.clauses.values())
    covered = sum(v.covered for v in view.clauses.values())
    tests = (f"{view.tests} policy test cases made {covered} of {coverable} cited rules decide"
             if view.tests is not None else "no policy tests were found, so coverage is not shown")
    toc = "".join(f'<li><a href="#{unit.id}">{escape(unit.heading)}</a></li>' for unit in view.contract.units())
    warnings = "".join(f'<p class="meta warning">{escape(w)}</p>' for w in view.warnings)
    versions = "".join(f" · {escape(v)}" for v in view.notes.get("", []))
    return (f'<header><h1>The contract and the rules that encode it</h1>'
            f'<p class="ruleset" id="rule-set">rule set: {escape(rule_set["path"])} ({rule_set["files"]} files, '
            f'sha256 {rule_set["sha256"][:12]}…){versions} · {len(view.rules)} rules · {len(view.clauses)} clauses</p>'
            f'<table class="counts" id="status-counts"><tr><th>clause status</th><th>clauses</th></tr>{rows}</table>'
            f'<p class="meta" id="coverage">{tests}</p>{warnings}'
            f'<nav><ol>{toc}</ol></nav></header>')


def _request(view: View, request: dict[str, Any]) -> str:
    decided = {name: clause_id for clause_id, clause in view.clauses.items() for name in clause.decided}
    rows = "".join(f'<tr><td>{escape(name)}</td><td>{escape(value)}</td>'
                   f'<td>{_clause_link(view, decided[name]) if name in decided else ""}</td></tr>'
                   for name, value in request["decisions"])
    timelines = "".join(_timeline(t) for t in request["timelines"])
    return (f'<section id="request"><h2>Request {escape(request["name"])} ({escape(request["kind"])})</h2>'
            f'<p class="meta">Clauses that decided it are outlined below.</p>'
            f'<table class="decisions">{rows}</table>{timelines}{request.get("explanation", "")}</section>')


def _unit(view: View, unit: Clause, formatter: Any) -> str:
    parts = [f'<section class="unit" id="section-{unit.id}">']
    parts.append(_clause(view, view.clauses[unit.id], formatter, heading="h2"))
    for part in view.contract.parts(unit):
        parts.append(_clause(view, view.clauses[part.id], formatter, heading="h3"))
    parts.append("</section>")
    return "\n".join(parts)


def _clause(view: View, clause_view: ClauseView, formatter: Any, heading: str) -> str:
    clause = clause_view.clause
    text = clause.text if clause.kind in ("part", "footnote") else clause.text.partition("\n")[2]
    body = "".join(f"<p>{escape(p)}</p>" for p in paragraphs(text))
    status = clause_view.status
    meta = [f"contract lines {clause.first_line}–{clause.last_line}"]
    if clause_view.coverable:
        meta.append(f'tests: <span class="coverage" data-covered="{clause_view.covered}" '
                    f'data-coverable="{clause_view.coverable}">{clause_view.covered} of {clause_view.coverable}'
                    f'</span> rules decided by a case')
    if clause_view.reason:
        meta.append(escape(clause_view.reason))
    cited_by = [f'<a href="#{rule.id}">{escape(rule.title)}</a>' for rule in clause_view.rules]
    cited_by += [f'<a href="#{row.rule.id}">{escape(row.rule.title)} (line {row.line})</a>' for row in clause_view.rows]
    if cited_by:
        meta.append("cited by " + ", ".join(cited_by))
    rules = [_rule(rule, formatter, view) for rule in clause_view.rules]
    rules += [f'<div class="row-ref"><a href="#{row.rule.id}">{escape(row.rule.file)}:{row.line}</a> '
              f'{escape(row.code)}</div>' for row in clause_view.rows]
    decided = " decided" if clause_view.decided else ""
    decided_note = (f'<p class="meta">decided {", ".join(escape(n) for n in clause_view.decided)}</p>'
                    if clause_view.decided else "")
    return (f'<div class="clause {_css(status)}{decided}" id="{clause.id}" data-status="{status}" '
            f'data-kind="{clause.kind}">'
            f'<div class="contract-text"><{heading}><a href="#{clause.id}">{escape(clause.heading)}</a>'
            f'<span class="badge {_css(status)}">{status}</span></{heading}>{body}'
            f'<p class="meta">{" · ".join(meta)}</p>{decided_note}</div>'
            f'<div class="rules">{"".join(rules)}</div></div>')


def _rule(rule: Rule, formatter: Any, view: View) -> str:
    from pygments import highlight
    from .lexer import VilkarLexer
    code = highlight(rule.code, VilkarLexer(), formatter)
    cites = sorted({clause_id for _, clause_id in rule.citations if clause_id})
    links = ", ".join(_clause_link(view, clause_id) for clause_id in cites)
    interpretations = "".join(f'<p class="interpretation">{escape(text)}</p>' for text in rule.interpretations)
    return (f'<article class="rule" id="{rule.id}" data-home="{rule.home or ""}">'
            f'<h4>{escape(rule.title)} <small>{escape(rule.file)}:{rule.line}</small></h4>'
            f'<pre class="code">{code}</pre>{interpretations}'
            f'<div class="cites">cites {links or "no clause of its own; shown with its kind"}</div></article>')


def _clause_link(view: View, clause_id: str) -> str:
    clause = view.contract.by_id[clause_id]
    parent = view.contract.by_id.get(clause.parent) if clause.parent else None
    name = f"{parent.heading} – {clause.heading}" if parent else clause.heading
    return f'<a class="cite" href="#{clause_id}">{escape(name)}</a>'


def _timeline(timeline: Timeline) -> str:
    """Counted time to scale; a closed stretch drawn at most as wide as 90 minutes, its length in its tip."""
    widths = [interval.minutes if interval.state == "counted" else min(interval.minutes, _CLOSED_SHOWN)
              for interval in timeline.intervals]
    scale = (_TIMELINE_WIDTH - 20) / (sum(widths) or 1)
    colours = {"counted": "#2e8540", "closed": "#b8bec4", "holiday": "#e67e22"}
    shapes, x = [], 10.0
    for interval, weight in zip(timeline.intervals, widths):
        width = max(2.0, weight * scale)
        tip = f"{interval.label}: {interval.start:%a %H:%M}–{interval.end:%a %H:%M} ({interval.minutes} minutes)"
        shapes.append(f'<rect class="interval {interval.state}" data-state="{interval.state}" '
                      f'data-minutes="{interval.minutes}" x="{x:.1f}" y="24" width="{width:.1f}" height="26" '
                      f'fill="{colours[interval.state]}"><title>{escape(tip)}</title></rect>')
        label = (f"{interval.start:%a %H:%M}, {interval.minutes} min" if interval.state == "counted"
                 else f"{interval.state} until {interval.end:%a %H:%M}")
        shapes.append(f'<text x="{x + 2:.1f}" y="66" font-size="11">{escape(label)}</text>')
        x += width
    caption = (f"{timeline.decision}: {timeline.counted_minutes} business minutes counted from "
               f"{_moment(timeline.start)} to {_moment(timeline.due)} ({timeline.zone})")
    legend = ('<text x="10" y="92" font-size="11">green: counted business time, to scale · grey: closed · '
              'orange: public holiday (closed stretches shortened)</text>')
    return (f'<figure><svg class="timeline" xmlns="http://www.w3.org/2000/svg" width="{_TIMELINE_WIDTH}" '
            f'height="100" data-decision="{escape(timeline.decision)}" '
            f'data-counted-minutes="{timeline.counted_minutes}" role="img" aria-label="{escape(caption)}">'
            f'<text x="10" y="16" font-size="12">{escape(caption)}</text>{"".join(shapes)}{legend}</svg>'
            f'</figure>')


def _moment(moment: dt.datetime) -> str:
    return moment.isoformat(timespec="minutes")


def _css(status: str) -> str:
    return "status-" + _STATUS_CLASS[status]
