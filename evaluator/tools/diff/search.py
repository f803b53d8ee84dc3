"""The witness search: requests that two rule sets decide differently, each verified under both.

Candidates come from the schema and from the literals of both versions' syntax trees (`generate`).
The search tries the base request, then every single-field change, then every two-field change, and
then — where the candidates' full product is within the budget — every combination, which makes it
complete over those values; beyond the budget it samples combinations and says so.
"""
from __future__ import annotations

import datetime as dt
import itertools
import math
import random
from dataclasses import dataclass, field
from typing import Any, Iterator

from ...api import PolicySet
from ...errors import RequestError
from ...result import Result, json_value
from .generate import ANCHOR, Slot, build, slots
from .where import describe

VALIDITY = "(request is valid)"


@dataclass
class Change:
    """One decision two rule sets decide differently, with the request that shows it."""

    kind: str
    decision: str
    witness: dict[str, Any]
    old: Any
    new: Any
    where: str
    cites: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "decision": self.decision, "witness": self.witness, "old": self.old,
                "new": self.new, "where": self.where, "cites": self.cites}


@dataclass
class Outcome:
    """What the search found for one kind, and how thoroughly it looked."""

    kind: str
    changes: list[Change] = field(default_factory=list)
    tried: int = 0
    combinations: int = 0
    complete: bool = False
    sampled: list[str] = field(default_factory=list)


def as_of_for(policies: PolicySet, day: dt.date = ANCHOR) -> dt.date | None:
    """A day inside the rule set's window (the anchor if it can be), so that a version decides by its rules."""
    window = policies.version.window
    if policies.history is not None or window is None:
        return None
    if window.holds(day):
        return day
    return window.effective if day < window.effective else window.until - dt.timedelta(days=1)


def search_kind(kind: str, suspects: set[str], old: PolicySet, new: PolicySet, constants, budget: int,
                seed: int = 0, elsewhere: str | None = None, changed: set[str] | None = None) -> Outcome:
    """Search for witnesses of every suspect decision (and of a change in what is a valid request)."""
    outcome = Outcome(kind)
    schema = new.schemas.get(kind) or old.schemas.get(kind)
    read = _paths_read(kind, old) | _paths_read(kind, new)
    every = slots(kind, schema, constants)
    varied = [slot for slot in every if _relevant(slot.path, read)] if VALIDITY not in suspects else every
    # the fields the suspect decisions themselves read come first, so their pairs are tried first
    where_changed = changed or suspects
    focus = _paths_read(kind, old, where_changed) | _paths_read(kind, new, where_changed)
    varied.sort(key=lambda slot: not _relevant(slot.path, focus))
    focused = sum(1 for slot in varied if _relevant(slot.path, focus))
    fixed = {slot.path: slot.candidates[0] for slot in every}
    base = _valid_base(kind, every, fixed, old, new)
    if base is None:
        outcome.sampled.append(f"{kind}: no schema-valid request could be generated; nothing was compared")
        return outcome
    for slot in varied:  # a value no version accepts, even alone, only makes invalid requests
        slot.candidates = [slot.candidates[0]] + [
            value for value in slot.candidates[1:]
            if _plausible(kind, build(kind, {**base, slot.path: value}), old, new)]
    outcome.combinations = math.prod(len(slot.candidates) for slot in varied) if varied else 1
    outcome.complete = outcome.combinations <= budget
    old_day, new_day = as_of_for(old), as_of_for(new)
    found: dict[str, Change] = {}
    for chosen in _combinations(base, varied, focused, budget, outcome.complete, seed):
        outcome.tried += 1
        document = build(kind, chosen)
        for change in _compare(kind, document, old, new, old_day, new_day, suspects, elsewhere):
            if change.decision not in found:
                found[change.decision] = _shrink(change, chosen, base, varied, old, new, old_day, new_day,
                                                 suspects, elsewhere)
        if suspects <= set(found):
            break
    outcome.changes = [found[name] for name in sorted(found)]
    if not outcome.complete:
        outcome.sampled.append(
            f"{kind}: {outcome.tried:,} of {outcome.combinations:,} combinations of boundary values "
            "(every one- and two-field change, then random combinations)")
    for slot in varied:
        if slot.what == "timestamp":
            outcome.sampled.append(f"{kind}{slot.pointer}: timestamps sampled at " + "; ".join(slot.sampled))
    return outcome


def _shrink(change: Change, chosen: dict, base: dict, varied: list[Slot], old: PolicySet, new: PolicySet,
            old_day, new_day, suspects: set[str], elsewhere: str | None) -> Change:
    """The witness with every field that the difference does not need put back to its base value."""
    best = change
    for slot in varied:
        if chosen[slot.path] == base[slot.path]:
            continue
        trial = {**chosen, slot.path: base[slot.path]}
        found = [c for c in _compare(change.kind, build(change.kind, trial), old, new, old_day, new_day, suspects,
                                     elsewhere) if c.decision == change.decision]
        if found:
            chosen, best = trial, found[0]
    return best


def _paths_read(kind: str, policies: PolicySet, only: set[str] | None = None) -> set[tuple[str, ...]]:
    """The request paths a kind's definitions read (only those of the decisions named, if given)."""
    compiled = policies.kinds.get(kind)
    if compiled is None:
        return set()
    if only is not None:
        return _paths_behind(compiled, only)
    paths = {path for info in compiled.definitions for path in info.inputs}
    paths |= {info.path for info in compiled.requirement_infos}
    if compiled.location:
        paths.add(tuple(compiled.location))
    return paths


def _paths_behind(compiled, names: set[str]) -> set[tuple[str, ...]]:
    """The request paths the named decisions read, directly or through the lets and decisions they use."""
    by_name = {name: info for info in compiled.definitions for name in info.names}
    paths: set[tuple[str, ...]] = set()
    queue, seen = [n for n in names if n in by_name], set()
    while queue:
        info = by_name[queue.pop()]
        if id(info) in seen:
            continue
        seen.add(id(info))
        paths.update(info.inputs)
        for rule in info.rules.values():
            paths.update(rule.inputs)
            queue.extend(used for used in rule.uses if used in by_name)
    return paths


def _relevant(path: tuple[str, ...], read: set[tuple[str, ...]]) -> bool:
    return any(path[:len(r)] == r or r[:len(path)] == path for r in read)


def _valid_base(kind: str, every: list[Slot], fixed: dict, old: PolicySet, new: PolicySet) -> dict | None:
    """The first candidate of every field, with optional fields added one by one until it is valid."""
    if _valid(build(kind, fixed), old) and _valid(build(kind, fixed), new):
        return fixed
    for slot in every:
        for value in slot.candidates[1:]:
            trial = {**fixed, slot.path: value}
            if _valid(build(kind, trial), old) and _valid(build(kind, trial), new):
                return trial
    return None


def _valid(document: dict, policies: PolicySet) -> bool:
    try:
        policies.validate(document)
    except RequestError:
        return False
    return True


def _combinations(base: dict, varied: list[Slot], focused: int, budget: int, complete: bool,
                  seed: int) -> Iterator[dict]:
    yield base
    for slot in varied:
        for value in slot.candidates[1:]:
            yield {**base, slot.path: value}
    if complete:  # the full product holds every pair already
        for values in itertools.product(*(slot.candidates for slot in varied)):
            yield {**base, **{slot.path: value for slot, value in zip(varied, values)}}
        return
    count = 1 + sum(len(s.candidates) - 1 for s in varied)
    inner = math.prod(len(slot.candidates) for slot in varied[:focused])
    if 0 < focused and count + inner <= budget // 2:  # every combination of the fields the change reads
        count += inner
        for values in itertools.product(*(slot.candidates for slot in varied[:focused])):
            yield {**base, **{slot.path: value for slot, value in zip(varied, values)}}
    pairs = list(itertools.combinations(range(len(varied)), 2))
    pairs.sort(key=lambda pair: (pair[1] >= focused, pair))  # pairs of focused fields first
    rng = random.Random(seed)
    for i, j in pairs:  # half the budget at most, so that combinations of three fields get their turn
        first, second = varied[i], varied[j]
        for a in first.candidates[1:]:
            for b in second.candidates[1:]:
                if count >= budget // 2:
                    break
                count += 1
                yield {**base, first.path: a, second.path: b}
    triples = list(itertools.combinations(varied[:focused], 3))
    while triples and count < budget * 3 // 4:  # three of the fields the changed decisions read
        count += 1
        chosen = rng.choice(triples)
        yield {**base, **{slot.path: rng.choice(slot.candidates) for slot in chosen}}
    while count < budget:
        count += 1
        yield {**base, **{slot.path: rng.choice(slot.candidates) for slot in varied}}


def _decide(policies: PolicySet, document: dict, as_of: dt.date | None) -> Result | RequestError:
    try:
        return policies.evaluate(document, as_of=as_of)
    except RequestError as error:
        return error


def _plausible(kind: str, document: dict, old: PolicySet, new: PolicySet) -> bool:
    """False when both versions' compiled schema validators reject the document (a fast check, no report)."""
    return _schema_accepts(kind, document, old) or _schema_accepts(kind, document, new)


def _schema_accepts(kind: str, document: dict, policies: PolicySet) -> bool:
    validator = policies.validators.get(kind)
    if validator is None or validator.fast is None:
        return True
    try:
        return validator.fast.is_valid(document) and not any(validator.location_problems(document))
    except (ValueError, TypeError, OverflowError):
        return True


def _compare(kind: str, document: dict, old: PolicySet, new: PolicySet, old_day, new_day,
             suspects: set[str], elsewhere: str | None = None) -> list[Change]:
    if not _plausible(kind, document, old, new):
        return []
    before, after = _decide(old, document, old_day), _decide(new, document, new_day)
    if isinstance(before, RequestError) and isinstance(after, RequestError):
        return []
    if isinstance(before, RequestError) or isinstance(after, RequestError):
        return [Change(kind, VALIDITY, document, _validity(before), _validity(after),
                       "what a valid request is changed: " + _reason(before if isinstance(before, RequestError)
                                                                  else after), {"old": None, "new": None})]
    changes = []
    old_values, new_values = before.decisions, after.decisions
    for name in sorted(set(old_values) | set(new_values)):
        if name not in suspects:
            continue
        if name in old_values and name in new_values and old_values[name] == new_values[name]:
            continue
        changes.append(describe(kind, name, document, before, after, elsewhere))
    return changes


def _validity(outcome: Result | RequestError) -> Any:
    return True if isinstance(outcome, Result) else False


def _reason(error: RequestError) -> str:
    problem = error.errors[0]
    return f"{problem.pointer or '/'}: {problem.message}"


__all__ = ["Change", "Outcome", "search_kind", "as_of_for", "VALIDITY", "json_value"]
