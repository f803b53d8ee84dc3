"""Explanations as HTML: the summary as one section of a page (`vilkar view --request` shows it beside
the contract), made from the same structure as the text and the data, every value and word escaped."""
from __future__ import annotations

from html import escape

from .model import Explanation, Paragraph
from .text import chosen


def summary_html(explanation: Explanation, decisions: list[str] | None = None) -> str:
    """`<section class="explanation">`: the headline, the notes, and per decision why, with the clause quoted."""
    parts = ['<section class="explanation" id="explanation">']
    parts.extend(f'<p class="headline">{escape(line)}</p>' for line in explanation.headline)
    if explanation.notes:
        parts.append('<ul class="notes">' + "".join(f"<li>{escape(note)}</li>" for note in explanation.notes)
                     + "</ul>")
    said: set[str] = set()
    quoted: set[str] = set()
    for paragraph in chosen(explanation, decisions):
        parts.append(_paragraph(paragraph, said, quoted))
    parts.append("</section>")
    return "".join(parts)


def _paragraph(paragraph: Paragraph, said: set[str], quoted: set[str]) -> str:
    """One decision: its value and why (each reason said once on the page), then the clauses not yet quoted."""
    reasons = []
    for index, sentence in enumerate(paragraph.because):
        if index == 0 or sentence not in said:
            reasons.append(sentence)
            said.add(sentence)
    head = "; ".join(f'<b>{escape(name)}</b>: <span class="value">{escape(paragraph.texts[name])}</span>'
                     for name in paragraph.names)
    reason = f" — {escape('; '.join(reasons))}" if reasons else ""
    parts = [f'<div class="why" id="why-{escape(paragraph.names[0])}"><p>{head}{reason}.</p>']
    if paragraph.counted:
        parts.append('<p class="counted">counted ' + escape("; ".join(paragraph.counted)) + "</p>")
    for cite in paragraph.cites:
        if not cite.quote or cite.citation in quoted:
            continue
        quoted.add(cite.citation)
        parts.append(f'<blockquote lang="da"><p>“{escape(cite.quote)}”</p>'
                     f"<footer>{escape(cite.section)}</footer></blockquote>")
    parts.append("</div>")
    return "".join(parts)
