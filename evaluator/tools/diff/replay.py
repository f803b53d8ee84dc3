"""`vilkar diff --replay LOG.jsonl`: a real request log decided under both rule sets, on every core.

Chunks of the log travel to worker processes as byte ranges (`batch.file_tasks`); each worker returns
only counts and at most a few examples per decision, so memory stays constant however long the log is.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from ...api import PolicySet, compile_sources
from ...batch import default_workers, file_tasks, map_tasks, task_lines
from ...errors import RequestError
from ...language.source import Source
from ...result import json_value
from .search import VALIDITY

EXAMPLES = 5

_pair: tuple[PolicySet, PolicySet, Any, Any] | None = None


@dataclass
class Replay:
    """Per (kind, decision): how many requests of the log were decided differently, and a few of them."""

    source: str
    requests: int = 0
    rejected: int = 0
    changed: dict[tuple[str, str], int] = field(default_factory=dict)
    examples: dict[tuple[str, str], list[dict[str, Any]]] = field(default_factory=dict)

    def add(self, other: Replay) -> None:
        self.requests += other.requests
        self.rejected += other.rejected
        for key, count in other.changed.items():
            self.changed[key] = self.changed.get(key, 0) + count
            kept = self.examples.setdefault(key, [])
            kept.extend(other.examples[key][: EXAMPLES - len(kept)])

    def to_dict(self) -> dict[str, Any]:
        return {"source": self.source, "requests": self.requests, "rejected": self.rejected,
                "decisions": [{"kind": kind, "decision": decision, "changed": count,
                               "examples": self.examples[(kind, decision)]}
                              for (kind, decision), count in sorted(self.changed.items())]}


def replay(path: str, old: PolicySet, new: PolicySet, old_day: Any = None, new_day: Any = None,
           workers: int | None = None) -> Replay:
    """Decide every line of `path` under `old` and `new` and count the decisions that differ."""
    global _pair
    _pair = (old, new, old_day, new_day)  # forked workers inherit the two rule sets
    total = Replay(path)
    texts = (_texts(old), old.schemas, _texts(new), new.schemas, old_day, new_day)
    for _, part in map_tasks(file_tasks(path), replay_chunk, workers or default_workers(), _start, texts):
        total.add(part)
    return total


def _texts(policies: PolicySet) -> dict[str, str] | None:
    return None if policies.history is not None else {n: s.text for n, s in policies.sources.items()}


def _start(old_texts, old_schemas, new_texts, new_schemas, old_day, new_day) -> None:
    """A spawned worker compiles both rule sets itself (from the cache); a forked one already has them."""
    global _pair
    if _pair is None and old_texts is not None and new_texts is not None:
        _pair = (compile_sources({n: Source.of(n, t) for n, t in old_texts.items()}, old_schemas),
                 compile_sources({n: Source.of(n, t) for n, t in new_texts.items()}, new_schemas), old_day, new_day)


def replay_chunk(task) -> Replay:
    """Counts and examples for one chunk of the log."""
    old, new, old_day, new_day = _pair
    first, lines = task_lines(task)
    part = Replay("")
    for number, line in enumerate(lines, first):
        if not line.strip():
            continue
        part.requests += 1
        try:
            document = json.loads(line, parse_float=Decimal)
        except (json.JSONDecodeError, RecursionError):
            part.rejected += 1
            continue
        compare_one(part, number, line, document, old, new, old_day, new_day)
    return part


def compare_one(part: Replay, number: int, line: str, document: Any, old: PolicySet, new: PolicySet,
                old_day: Any, new_day: Any) -> None:
    before, after = _decide(old, document, old_day), _decide(new, document, new_day)
    if isinstance(before, RequestError) and isinstance(after, RequestError):
        part.rejected += 1
        return
    kind = document.get("kind") if isinstance(document, dict) else None
    if isinstance(before, RequestError) or isinstance(after, RequestError):
        _count(part, (str(kind), VALIDITY), number, line, not isinstance(before, RequestError),
               not isinstance(after, RequestError))
        return
    old_values, new_values = before.decisions, after.decisions
    for name in old_values.keys() | new_values.keys():
        if name in old_values and name in new_values and old_values[name] == new_values[name]:
            continue
        _count(part, (before.kind, name), number, line, _json(before, name), _json(after, name))


def _decide(policies: PolicySet, document: Any, as_of: Any):
    try:
        return policies.evaluate(document, as_of=as_of)
    except RequestError as error:
        return error


def _json(result, name: str) -> Any:
    return json_value(result.value(name), result.type_of(name)) if name in result.decisions else None


def _count(part: Replay, key: tuple[str, str], number: int, line: str, old: Any, new: Any) -> None:
    part.changed[key] = part.changed.get(key, 0) + 1
    kept = part.examples.setdefault(key, [])
    if len(kept) < EXAMPLES:
        kept.append({"line": number, "request": json.loads(line), "old": old, "new": new})
