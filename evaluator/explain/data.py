"""Explanations as data (`to_dict(explain=True)`, `vilkar eval --explain --format json`): the same
structure the text is made from, shaped by `schemas/results/result.json`."""
from __future__ import annotations

from typing import Any

from .model import Explanation, Paragraph


def explanation_dict(explanation: Explanation, detail: str = "summary") -> dict[str, Any]:
    """`{"headline", "notes", "decisions": {name: {...}}}`, and with `detail="full"` the lets behind them."""
    decisions: dict[str, Any] = {}
    for paragraph in explanation.paragraphs:
        for name in paragraph.names:
            decisions[name] = _entry(paragraph, name)
    result: dict[str, Any] = {"headline": list(explanation.headline), "notes": list(explanation.notes),
                              "decisions": decisions}
    if detail == "full":
        result["steps"] = {name: _entry(paragraph, name) for name, paragraph in explanation.lets.items()}
    return result


def _entry(paragraph: Paragraph, name: str) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "value": paragraph.values[name],
        "text": paragraph.texts[name],
        "summary": paragraph.summary,
        "because": list(paragraph.because),
        "cites": [cite.to_dict() for cite in paragraph.cites],
        "source": paragraph.source,
        "inputs": dict(paragraph.inputs),
        "rule": paragraph.rule,
        "notes": list(paragraph.notes),
        "steps": list(paragraph.steps),
        "depends_on": list(paragraph.depends_on),
    }
    if paragraph.counted:
        entry["counted"] = list(paragraph.counted)
    if len(paragraph.names) > 1:
        entry["decided_with"] = [other for other in paragraph.names if other != name]
    return entry
