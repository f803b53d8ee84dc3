"""Explanations as text: the summary a support desk reads (headline first, a short paragraph per
decision with the clause quoted) and the full derivation (every rule as written, every `let`, the
business time counted day by day)."""
from __future__ import annotations

from .model import Explanation, Paragraph
from .quotes import Cite
from .values import input_text


def summary(explanation: Explanation, decisions: list[str] | None = None) -> str:
    """Headline, notes, and per decision (or per decision asked about) two lines: why, and the clause."""
    lines = list(explanation.headline) + [""]
    lines.extend(f"Note: {note}" for note in explanation.notes)
    said: set[str] = set()
    quoted: set[str] = set()
    for paragraph in chosen(explanation, decisions):
        lines.extend(_paragraph(paragraph, said, quoted))
    return "\n".join(lines)


def _paragraph(paragraph: Paragraph, said: set[str], quoted: set[str]) -> list[str]:
    reasons = []
    for index, sentence in enumerate(paragraph.because):
        if index == 0 or sentence not in said:
            reasons.append(sentence)
            said.add(sentence)
    head = "; ".join(f"{name}: {paragraph.texts[name]}" for name in paragraph.names)
    reason = "; ".join(reasons)
    quotes = []
    for cite in paragraph.cites:
        if cite.quote and cite.citation not in quoted:
            quoted.add(cite.citation)
            quotes.append(_cite(cite))
    where = ""
    if not quotes and paragraph.cites:  # nothing new to quote: the clause goes on the paragraph's line
        first = paragraph.cites[0]
        where = f" ({first.section}{', quoted above' if first.quote else ''})"
    lines = [f"{head} — {reason}{where}." if reason else f"{head}{where}."]
    if paragraph.counted:
        lines.append("  counted " + "; ".join(paragraph.counted))
    if quotes:
        lines.append("  " + "; ".join(quotes))
    return lines


def _cite(cite: Cite) -> str:
    return f"{cite.section}: “{cite.quote}”"


def full(explanation: Explanation, decisions: list[str] | None = None) -> str:
    """The whole derivation: every decision with its rule as written, what it read, its clause and
    source line, and each `let` behind it where it is first used."""
    lines = list(explanation.headline)
    lines.extend(f"Note: {note}" for note in explanation.notes)
    shown: set[str] = set()
    for paragraph in chosen(explanation, decisions):
        lines.append("")
        values = ", ".join(f"{name} = {paragraph.texts[name]}" for name in paragraph.names)
        lines.append(values)
        lines.extend(_derivation(paragraph, "  "))
        for name in paragraph.steps:
            if name in shown:
                continue
            shown.add(name)
            step = explanation.lets[name]
            lines.append(f"  where {name} = {step.texts[name]}")
            lines.extend(_derivation(step, "    "))
    return "\n".join(lines)


def _derivation(paragraph: Paragraph, pad: str) -> list[str]:
    lines = [f"{pad}because {paragraph.because[0]}" if paragraph.because else f"{pad}because it applies"]
    lines.extend(f"{pad}  and {sentence}" for sentence in paragraph.because[1:])
    lines.append(f"{pad}rule {_rule(paragraph)}")
    if paragraph.inputs:
        lines.append(f"{pad}using " + ", ".join(f"{pointer.lstrip('/').replace('/', '.')} = {_plain(value)}"
                                                 for pointer, value in paragraph.inputs.items()))
    for cite in paragraph.cites:
        lines.append(f"{pad}cites {cite.citation}")
        if cite.quote:
            lines.append(f"{pad}  “{cite.quote}”")
    lines.append(f"{pad}at {paragraph.source}")
    counted = paragraph.derivation or paragraph.counted
    if counted:
        lines.append(f"{pad}counted: {counted[0]}")
        lines.extend(f"{pad}  {line}" for line in counted[1:])
    for note in paragraph.notes:
        lines.append(f"{pad}note: {note}")
    return lines


def _rule(paragraph: Paragraph) -> str:
    role = {"rule": "the rule", "base": "the base rule (no exception applies)", "exception": "the exception",
            "tier": "the tier", "row": "the table row", "otherwise": "the otherwise row",
            "none": "no row (there is no otherwise)", "holds": "every part holds",
            "fails": "the part that fails"}.get(paragraph.role, paragraph.role)
    return f"`{paragraph.rule}` — {role}" if paragraph.rule and paragraph.role != "none" else role


def _plain(value: object) -> str:
    return input_text(value)


def chosen(explanation: Explanation, decisions: list[str] | None) -> list[Paragraph]:
    """Every decision's paragraph; with `decisions`, those and the decisions they depend on."""
    if not decisions:
        return explanation.paragraphs
    wanted: list[str] = []

    def want(name: str) -> None:
        paragraph = explanation.paragraph(name)
        if paragraph is None or paragraph.names[0] in wanted:
            return
        for used in paragraph.depends_on:
            want(used)
        wanted.append(paragraph.names[0])

    for name in decisions:
        want(name)
    return [paragraph for paragraph in explanation.paragraphs if paragraph.names[0] in wanted]
