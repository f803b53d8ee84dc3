"""What would change a decision (SPEC §8.5): the smallest changes to the request that change it, each
verified by deciding the changed request again, with the clause of the new value.

For each field the decision reads (through its rules, tables, tiers and `let`s), the values tried come
from the schema and the compiled rules (`candidates.py`); a number, an amount, a date or a timestamp is
searched: the tier bounds and cell values the rules compare it with, through whatever arithmetic leads
there, give the first guesses (the change that brings the compared value onto a bound), and doubling
then halving the step in each direction finds where the decision turns. A change counts only when the
decision's value changes and a condition decided differently (a row, tier or exception, or a yes/no
value): moving an opening time by a minute moves a due time by a minute, which says nothing.

One field is tried first; two fields together only where no single field changes the decision, from
the changes that moved something the decision reads. Every change reported is decided again through
`PolicySet.evaluate`, schema and requirements included. The search is deterministic and bounded (at
most MAX_EVALUATIONS changed requests decided per decision), and the results are ordered: one field before two, the nearest
change first (a cent before a dollar, a day before a week, see CHOICE_COST for enums and yes/no), a
different new value before a second way to the same one, the request's own event date before other
fields, then document order.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from ..compile.plan import CompiledKind
from ..errors import RequestError
from .candidates import Field, Pointer, fields_read, moved
from .cone import Cone
from .rule_words import words_of_name
from .reading import environment
from .turning import turning_point
from .quotes import Cite, quotes_for
from .values import json_value, plain_input, text_value

# A changed enum, yes/no, text or list counts as moving a number by half of its value: a cent more of
# credits comes before moving a service to another category, which comes before an allowance cut by 80%.
CHOICE_COST = 0.5
MAX_EVALUATIONS = 500  # changed requests decided per decision at most: the search's time is bounded by it
MAX_PAIR_INPUTS = 12  # single changes that moved something, combined two at a time when one is not enough


@dataclass
class Counterfactual:
    """A verified change of the request and what it changes a decision to."""

    decision: str
    changes: dict[str, Any]  # JSON pointer → new value (JSON)
    new_value: Any  # JSON
    cites: str | None  # the citation of the rule that decides the new value
    old_value: Any = None
    text: str = ""  # the new value as people read it
    quote: Cite | None = None
    via: dict[str, str] = field(default_factory=dict)  # what the decision read that changed with it, as text
    via_words: dict[str, str] = field(default_factory=dict)  # the same, named in words
    cost: float = 0.0

    def summary(self) -> str:
        """`cancelled_on 2026-11-26 (notice 14 days) → fee_percent 0% — 2.6 …: “…”`."""
        changed = ", ".join(f"{pointer.lstrip('/').replace('/', '.')} {_shown(value)}"
                            for pointer, value in self.changes.items())
        via = ", ".join(f"{self.via_words.get(name, name)} {text}" for name, text in self.via.items())
        via = f" ({via})" if via else ""
        clause = ""
        if self.quote is not None:
            clause = f" — {self.quote.section}" + (f": “{self.quote.quote}”" if self.quote.quote else "")
        return f"with {changed}{via} → {self.decision} {self.text}{clause}"

    def to_dict(self) -> dict[str, Any]:
        return {"decision": self.decision, "changes": dict(self.changes), "new_value": self.new_value,
                "old_value": self.old_value, "text": self.text, "via": dict(self.via),
                "cites": self.quote.to_dict() if self.quote is not None else None}


def counterfactuals(result: Any, decision: str | None = None, limit: int = 3) -> list[Counterfactual]:
    """Up to `limit` verified changes per decision (or for the one named), nearest first."""
    if decision is not None and decision not in result.decisions:
        raise ValueError(f"{result.kind} has no decision {decision}")
    search = Search(result)
    names = [decision] if decision is not None else list(result.decisions)
    found: list[Counterfactual] = []
    for name in names:
        found.extend(search.for_decision(name, limit))
    return found


class Search:
    """The counterfactual search over one result; evaluations are shared between its decisions."""

    def __init__(self, result: Any):
        self.result = result
        self.compiled: CompiledKind = result._compiled
        self.policies = self.compiled.policies
        self.document = result._document
        self.base = (result._values, result._trace)
        self.memo: dict[tuple, Any] = {}
        self.budget = MAX_EVALUATIONS
        self.evaluations = 0  # changed requests decided so far, for the benchmark
        self.cones: dict[str, Cone] = {}
        self.definitions = {name: info for info in self.compiled.definitions for name in info.names}
        self.index = {id(info): position for position, info in enumerate(self.compiled.definitions)}
        self.quotes = quotes_for(self.compiled.contract)
        # the request's own event (the day of a cancellation, the moment an incident was opened) is what
        # a person changes first; the work order's terms around it stay as they are
        event = self.policies.event_fields.get(self.compiled.name) if self.policies is not None else None
        self.event: tuple[str, ...] | None = (event,) if isinstance(event, str) else None

    # -- one decision
    def for_decision(self, name: str, limit: int) -> list[Counterfactual]:
        if limit <= 0 or self.policies is None:
            return []
        self.budget = MAX_EVALUATIONS
        cone = self.cone(name)
        if not cone.conditional():
            return []  # arithmetic alone decides it: any change moves it, none turns it
        schema = self.policies.schemas.get(self.compiled.name, {})
        fields = fields_read(self.compiled, schema, self.document, cone.condition_paths())
        singles, movers, choices = [], [], []
        for leaf in fields:
            order = leaf.order if leaf.path != self.event else -1
            for changes, cost in self.tries(leaf, name, cone):
                outcome = self.outcome(changes, name, cone)
                if outcome == "flip":
                    singles.append((changes, cost, order))
                elif outcome == "moved":
                    movers.append((changes, cost, order))
                elif leaf.choices:
                    # a yes/no or enum the decision's own condition reads (`holds_aem and request.aem_event_active`)
                    # moves no let, yet may be the other half of a pair
                    choices.append((changes, cost, order))
        chosen = self.verified(name, singles, limit)
        if len(chosen) < limit:
            pairs = self.pairs(name, cone, (movers + choices)[:MAX_PAIR_INPUTS])
            chosen += self.verified(name, pairs, limit - len(chosen), [c.new_value for c in chosen])
        return chosen

    def cone(self, name: str) -> Cone:
        if name not in self.cones:
            self.cones[name] = Cone(self.compiled, name)
        return self.cones[name]

    def tries(self, leaf: Field, name: str, cone: Cone) -> list[tuple[dict, float]]:
        """The single changes of one field worth deciding: its choices, or where a number turns."""
        if leaf.choices:
            return [({leaf.path: choice}, CHOICE_COST) for choice in leaf.choices]
        if leaf.what not in ("integer", "number", "money", "date", "timestamp") or leaf.value is None:
            return []
        def turns(steps: int) -> bool | None:
            value = moved(leaf, steps)
            return None if value is None else self.outcome({leaf.path: value}, name, cone) == "flip"

        found = []
        guesses = self.guesses(leaf, cone)
        for direction in (-1, 1):
            steps = turning_point(leaf, direction, turns, guesses)
            if steps is not None:
                value = moved(leaf, steps)
                found.append(({leaf.path: value}, _distance(leaf, steps)))
        return found

    def guesses(self, leaf: Field, cone: Cone) -> set[int]:
        """Steps that bring a compared value onto a bound of a tier or cell, assuming it moves evenly."""
        found: set[int] = set()
        one = moved(leaf, 1)
        if one is None:
            return found
        after = self.evaluate({leaf.path: one})
        if after is None:
            return found
        values, _ = self.base
        for subject, targets, others in cone.tested_names():
            position = self.compiled.position[subject]
            start, next_ = _number(values[position]), _number(after[0][position])
            if start is None or next_ is None or next_ == start:
                continue
            compared = tuple(values[self.compiled.position[other]] for other in others)
            for target in targets + compared:
                bound = _number(target)
                if bound is None:
                    continue
                exact = (bound - start) / (next_ - start)
                found.update(steps for steps in (int(exact) - 1, int(exact), int(exact) + 1) if steps)
        return found

    # -- deciding changed requests
    def evaluate(self, changes: dict[Pointer, Any]) -> tuple | None:
        key = tuple(sorted((tuple(map(str, path)), repr(value)) for path, value in changes.items()))
        if key in self.memo:
            return self.memo[key]
        if self.budget <= 0:
            return None  # the search has decided as many changed requests as it may for this decision
        self.budget -= 1
        self.evaluations += 1
        document = _changed(self.document, changes)
        try:
            if self.compiled.requirement_infos and self.compiled.requirements(document):
                outcome = None
            else:
                outcome = self.compiled.decide(document)
        except Exception:  # a value this change makes impossible (past 2099, a broken invariant): not a change
            outcome = None
        self.memo[key] = outcome
        return outcome

    def outcome(self, changes: dict[Pointer, Any], name: str, cone: Cone) -> str:
        """"flip" when the decision changes through a condition, "moved" when something it reads changed."""
        decided = self.evaluate(changes)
        if decided is None:
            return "none"
        values, trace = decided
        base_values, base_trace = self.base
        position = self.compiled.position[name]
        conditions = any(trace[i] != base_trace[i] for i in cone.traces) or \
            any(values[i] != base_values[i] for i in cone.categorical) or \
            self.chosen(cone, changes, values) != self.chosen(cone, {}, base_values)
        if values[position] != base_values[position] and (conditions or position in cone.categorical):
            return "flip"
        return "moved" if conditions else "none"

    def chosen(self, cone: Cone, changes: dict[Pointer, Any], values: tuple) -> tuple:
        """Which argument each `min`/`max` of the cone chose for this request."""
        codes = cone.choices
        if not codes:
            return ()
        key = ("chosen", tuple(sorted((tuple(map(str, p)), repr(v)) for p, v in changes.items())),
               frozenset(cone.names))
        if key not in self.memo:
            bound = environment(self.compiled, _changed(self.document, changes), values, cone.chosen_reads)
            picked = []
            for code in codes:
                try:
                    picked.append(eval(code, self.compiled.namespace, dict(bound)))
                except Exception:
                    picked.append(None)
            self.memo[key] = tuple(picked)
        return self.memo[key]

    def pairs(self, name: str, cone: Cone, movers: list[tuple[dict, float, int]]) -> list[tuple[dict, float, int]]:
        found = []
        for first in range(len(movers)):
            for second in range(first + 1, len(movers)):
                (one, cost_one, order_one), (two, cost_two, order_two) = movers[first], movers[second]
                if set(one) & set(two):
                    continue
                changes = {**one, **two}
                if self.outcome(changes, name, cone) == "flip":
                    found.append((changes, cost_one + cost_two, min(order_one, order_two) * 1000 + max(order_one,
                                                                                                       order_two)))
        return found

    def verified(self, name: str, candidates: list[tuple[dict, float, int]], limit: int,
                 taken: list[Any] | None = None) -> list[Counterfactual]:
        """The nearest candidates, one per new value first, each decided again through the full evaluation."""
        taken_values = list(taken or [])
        ordered = sorted(candidates, key=lambda c: (len(c[0]), c[1], c[2]))
        first_pass = []
        seen_values: list[Any] = list(taken_values)
        for candidate in ordered:
            value = self.new_value(candidate[0], name)
            if value not in seen_values:
                seen_values.append(value)
                first_pass.append(candidate)
        rest = [candidate for candidate in ordered if candidate not in first_pass]
        chosen: list[Counterfactual] = []
        seen_changes: list[dict] = []
        for changes, cost, _ in first_pass + rest:
            if len(chosen) >= limit:
                break
            if changes in seen_changes:
                continue
            found = self.confirm(name, changes, cost)
            if found is not None:
                chosen.append(found)
                seen_changes.append(changes)
        return chosen

    def new_value(self, changes: dict, name: str) -> Any:
        decided = self.evaluate(changes)
        position = self.compiled.position[name]
        return json_value(decided[0][position], self.compiled.types[position]) if decided else None

    def confirm(self, name: str, changes: dict[Pointer, Any], cost: float) -> Counterfactual | None:
        """Decide the changed request as any caller would (schema, requirements, version) and report it."""
        document = plain_input(_changed(self.document, changes))
        try:
            decided = self.policies.evaluate(document)
        except RequestError:
            return None
        old = self.result.to_dict(trace=False)["decisions"][name]
        new = decided.to_dict(trace=False)["decisions"][name]
        if new == old:
            return None
        info, rule = decided.fired()[name]
        position = decided._compiled.position
        via = {used: text_value(decided._values[position[used]], decided.type_of(used)) for used in rule.uses
               if decided._values[position[used]] != self.result._values[self.compiled.position[used]]}
        pointers = {"/" + "/".join(str(part) for part in path): plain_input(value) for path, value in changes.items()}
        rule = self.deciding_rule(decided, name) or rule
        return Counterfactual(name, pointers, new, rule.cites, old,
                              text_value(decided._values[decided._compiled.position[name]], decided.type_of(name)),
                              self.quotes.cite(rule.cites) if rule.cites else None, via,
                              {used: words_of_name(used, decided.type_of(used)) for used in via}, cost)

    def deciding_rule(self, decided: Any, name: str) -> Any:
        """The rule whose clause decides the new value: the decision's own if another of its rules now
        applies, else the nearest rule behind it that changed (a fee's percentage tier)."""
        fired = decided.fired()
        base = self.result._trace
        pending, seen = [name], set()
        while pending:
            current = pending.pop(0)
            if current in seen or current not in fired:
                continue
            seen.add(current)
            info, rule = fired[current]
            index = self.index[id(self.definitions[current])]
            if decided._trace[index] != base[index] and rule.cites:
                return rule
            pending.extend(rule.uses)
        return None


def _number(value: Any) -> Decimal | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, tuple) and len(value) == 2:
        value = value[1] if isinstance(value[1], (int, Decimal)) else value[0]
    if isinstance(value, (int, Decimal)):
        return Decimal(value)
    return None


def _distance(leaf: Field, steps: int) -> float:
    """How far a change moves a value, comparable across fields: a share of the value, or of a year."""
    if leaf.what == "date":
        return abs(steps) / 365
    if leaf.what == "timestamp":
        return abs(steps) / (365 * 24 * 60)
    try:
        base = abs(Decimal(str(leaf.value)))
    except ArithmeticError:
        base = Decimal(0)
    unit = Decimal("0.01") if leaf.what == "money" else Decimal(1)
    return float(unit * abs(steps) / max(base, unit))


def _changed(document: dict[str, Any], changes: dict[Pointer, Any]) -> dict[str, Any]:
    """The document with the changes made, copying only the objects and lists on their paths (the
    compiled decision functions never change a document, so the rest is shared)."""
    changed = dict(document)
    for path, value in changes.items():
        target: Any = changed
        for part in path[:-1]:
            inner = target.get(part) if isinstance(target, dict) else target[part]
            inner = dict(inner) if isinstance(inner, dict) else (list(inner) if isinstance(inner, list) else {})
            target[part] = inner
            target = inner
        target[path[-1]] = value
    return changed


def _shown(value: Any) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(str(item) for item in value) + "]" if value else "[]"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    return str(value)
