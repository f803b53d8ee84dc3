"""What a decision reads, for counterfactuals: its cone of decisions and lets, where their conditions
show in a decided result, and the request fields that can reach one of those conditions."""
from __future__ import annotations

from typing import Any

from ..compile.plan import CompiledKind
from ..language.types import BoolT, EnumT, strip_optional
from .reading import code_of


class Cone:
    """The definitions one decision depends on, and what can turn it rather than only move it."""

    def __init__(self, compiled: CompiledKind, name: str):
        self.compiled = compiled
        self.definitions = {each: info for info in compiled.definitions for each in info.names}
        self.index = {id(info): position for position, info in enumerate(compiled.definitions)}
        self.names = self._reach(name)
        self.traces = sorted({self.index[id(self.definitions[each])] for each in self.names})
        self.categorical = sorted(compiled.position[each] for each in self.names
                                  if categorical(compiled.types[compiled.position[each]]))
        self.choices = [code_of(compiled, code) for each in sorted(self.names)
                        for rule in self.definitions[each].rules.values() if rule.words is not None
                        for code in rule.words.choices]
        # the identifiers those choices read, so that only they are bound for each changed request
        self.chosen_reads = frozenset(name for code in self.choices for name in code.co_names)

    def _reach(self, name: str) -> set[str]:
        """The decision and every decision and let any of its rules may read, transitively."""
        found: set[str] = set()
        pending = [name]
        while pending:
            current = pending.pop()
            if current in found or current not in self.definitions:
                continue
            found.add(current)
            for rule in self.definitions[current].rules.values():
                pending.extend(rule.uses)
        return found

    def conditional(self) -> bool:
        """Whether anything in the cone can decide differently: a rule with alternatives, a yes/no or
        enum value, or a `min`/`max` that can choose another argument."""
        for name in self.names:
            info = self.definitions[name]
            if len(info.rules) > 1 or any(categorical(type_) for type_ in info.types):
                return True
            if any(rule.words is not None and rule.words.choices for rule in info.rules.values()):
                return True
        return False

    def condition_paths(self) -> list[tuple[str, ...]]:
        """The request fields that reach a condition of the cone (a row, tier or exception, a yes/no or
        enum value, a `min`/`max`): only a change of one of them can turn the decision."""
        pending: list[str] = []
        found: list[tuple[str, ...]] = []

        def add(path: tuple[str, ...]) -> None:
            if path not in found:
                found.append(path)

        for name in sorted(self.names, key=lambda each: self.index[id(self.definitions[each])]):
            info = self.definitions[name]
            if any(categorical(type_) for type_ in info.types):
                pending.append(name)
                continue
            for rule in info.rules.values():
                if rule.words is not None and rule.words.choices:
                    pending.append(name)
                for test in rule.words.tests if rule.words is not None else ():
                    for ref in [test.subject] + [part for part in test.phrase if not isinstance(part, str)]:
                        if ref is not None and ref.what == "request":
                            add(tuple(ref.key))
                        elif ref is not None and ref.what == "name":
                            pending.append(ref.key)
        seen: set[str] = set()
        while pending:
            name = pending.pop(0)
            if name in seen or name not in self.definitions:
                continue
            seen.add(name)
            info = self.definitions[name]
            for path in list(info.inputs) + [p for rule in info.rules.values() for p in rule.inputs]:
                add(path)
            pending.extend(used for rule in info.rules.values() for used in rule.uses)
        return found

    def tested_names(self) -> list[tuple[str, tuple, tuple[str, ...]]]:
        """(subject, values at which it turns, names it is compared with) of every condition on a decision
        or let of the cone: `notice_days >= 14 days` turns at 14, `total <= cap` where total reaches cap."""
        found = []
        for name in self.names:
            for rule in self.definitions[name].rules.values():
                for test in rule.words.tests if rule.words is not None else ():
                    subject = test.subject
                    if subject is not None and subject.what == "name" and subject.key in self.compiled.position:
                        others = tuple(part.key for part in test.phrase if not isinstance(part, str)
                                       and part.what == "name" and part.key != subject.key
                                       and part.key in self.compiled.position)
                        found.append((subject.key, test.targets, others))
        return found


def categorical(type_: Any) -> bool:
    return isinstance(strip_optional(type_), (BoolT, EnumT))
