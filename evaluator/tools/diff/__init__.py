"""`vilkar diff`: which decisions two rule sets decide differently, for which requests, and why.

First the meanings of both versions' decisions are compared (`structure`): a decision whose meaning
is unchanged cannot decide differently, which is how reorderings, renamed lets, comments and
formatting are reported as equivalent. For every other decision a witness search (`search`) looks for
a request that really is decided differently, evaluating it under both rule sets.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ...api import PolicySet
from ...language import ast
from ...language.check import CheckedRuleSet, check
from ...language.parser import parse_module
from .constants import Constants, associate
from .search import VALIDITY, Change, Outcome, search_kind
from .structure import KindMeaning, meanings

DEFAULT_BUDGET = 20_000


@dataclass
class Diff:
    """The result of comparing two rule sets."""

    old: dict[str, Any]
    new: dict[str, Any]
    changes: list[Change] = field(default_factory=list)
    sampled: list[str] = field(default_factory=list)
    equivalent_kinds: list[str] = field(default_factory=list)  # unchanged in meaning, no search needed
    searched: list[Outcome] = field(default_factory=list)
    replay: Any = None

    @property
    def equivalent(self) -> bool:
        return not self.changes and (self.replay is None or not self.replay.changed)

    def to_dict(self) -> dict[str, Any]:
        result = {"old": self.old, "new": self.new, "equivalent": self.equivalent,
                  "changes": [change.to_dict() for change in self.changes], "sampled": self.sampled}
        if self.replay is not None:
            result["replay"] = self.replay.to_dict()
        return result


def compare(old: PolicySet, new: PolicySet, old_info: dict[str, Any], new_info: dict[str, Any],
            budget: int = DEFAULT_BUDGET) -> Diff:
    """Every decision whose behaviour differs between `old` and `new`, each with a verified witness."""
    diff = Diff(old_info, new_info)
    old_checked, new_checked = _checked(old), _checked(new)
    old_meanings, new_meanings = meanings(old_checked), meanings(new_checked)
    for kind in sorted(set(old_meanings) | set(new_meanings)):
        suspects = _suspects(old_meanings.get(kind), new_meanings.get(kind))
        if not suspects:
            diff.equivalent_kinds.append(kind)
            continue
        constants = _constants(kind, old_checked)
        constants_new = _constants(kind, new_checked)
        _merge(constants, constants_new)
        outcome = search_kind(kind, suspects, old, new, constants, budget,
                              elsewhere=_calendar_change(kind, old_checked, new_checked),
                              changed=_changed_definitions(old_meanings.get(kind), new_meanings.get(kind)))
        diff.searched.append(outcome)
        diff.changes.extend(outcome.changes)
        diff.sampled.extend(outcome.sampled)
    return diff


def _checked(policies: PolicySet) -> CheckedRuleSet:
    """The checked syntax trees of a loaded rule set (of its latest version, for a history)."""
    modules = [parse_module(source) for source in policies.sources.values()
               if policies.history is None or source.name in policies.history.latest.sources]
    return check(modules, policies.schemas)


def _suspects(old: KindMeaning | None, new: KindMeaning | None) -> set[str]:
    """The decisions of a kind whose meaning differs, and VALIDITY when what a valid request is differs."""
    if old is None or new is None:
        present = old or new
        return set(present.decisions) | {VALIDITY}
    names = set(old.decisions) | set(new.decisions)
    suspects = {name for name in names if old.decisions.get(name) != new.decisions.get(name)}
    if old.validity != new.validity:
        suspects.add(VALIDITY)
    return suspects


def _changed_definitions(old: KindMeaning | None, new: KindMeaning | None) -> set[str]:
    """The decisions and lets whose own meaning differs: where the change is, not what it reaches."""
    if old is None or new is None:
        return set()
    changed = set()
    for table_old, table_new in ((old.decisions, new.decisions), (old.lets, new.lets)):
        for name in set(table_old) | set(table_new):
            if table_old.get(name) != table_new.get(name):
                changed.add(name)
    return changed


def _constants(kind: str, checked: CheckedRuleSet) -> Constants:
    """The literals a kind's decisions can meet: its own items, the sets, constants and its calendar."""
    constants = Constants()
    info = checked.kinds[kind] if kind in checked.kinds else None
    if info is None:
        return constants
    constants.add(tuple(info.decisions) + tuple(info.lets) + tuple(info.requirements))
    associate(tuple(info.decisions) + tuple(info.lets), checked, constants)
    constants.add(tuple(checked.sets.values()) + tuple(checked.lets.values()))
    if info.calendar in checked.calendars:
        constants.add(checked.calendars[info.calendar])
    return constants


def _calendar_change(kind: str, old: CheckedRuleSet, new: CheckedRuleSet) -> str | None:
    """`the calendar `support_hours` (added `closed on 24 December`)` when the kind's calendar changed."""
    from ..fmt import _clause

    names = [checked.kinds[kind].calendar if kind in checked.kinds else None for checked in (old, new)]
    clauses = [{_clause(c) for c in checked.calendars[name].clauses} if name in checked.calendars else set()
               for name, checked in zip(names, (old, new))]
    if clauses[0] == clauses[1]:
        return None
    parts = [f"added `{c}`" for c in sorted(clauses[1] - clauses[0])]
    parts += [f"removed `{c}`" for c in sorted(clauses[0] - clauses[1])]
    return f"the calendar `{names[1] or names[0]}` ({'; '.join(parts)})"


def _merge(into: Constants, other: Constants) -> None:
    for name in ("numbers", "days", "minutes", "money", "percents", "dates", "strings", "times"):
        getattr(into, name).update(getattr(other, name))
    for path, texts in other.by_path.items():
        into.by_path.setdefault(path, set()).update(texts)


__all__ = ["compare", "Diff", "Change", "DEFAULT_BUDGET", "ast"]
