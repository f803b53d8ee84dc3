"""What traces, explanations and fault messages read of a compiled kind: its definitions, the rules that can
decide them, and where each generated line comes from.

Apart from `plan.py` because a cached rule set stores all of it pickled (see `deferred`): a start that
only decides never defines these classes.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..explain.rule_words import RuleWords
    from ..language.types import Type
    from .plan import Path


@dataclass(frozen=True)
class RuleInfo:
    """One rule, exception, tier or table row a decision can fire: for traces and explanations."""

    text: str
    cites: str | None
    source: str
    inputs: tuple[Path, ...]
    role: str  # rule | base | exception | tier | row | otherwise | none
    uses: tuple[str, ...] = ()  # the decisions and lets it reads
    words: RuleWords | None = None  # what explanations say of it


@dataclass(frozen=True)
class DecisionInfo:
    """A decision or `let` (or the values of one table) with every rule that can decide it."""

    names: tuple[str, ...]
    types: tuple[Type, ...]
    cites: str | None
    source: str
    inputs: tuple[Path, ...]
    rules: dict[int, RuleInfo]
    reported: bool  # a decision, rather than a `let`
    notes: tuple[str, ...] = ()  # `note` lines on the decision itself: said for every request


@dataclass(frozen=True)
class LineOrigin:
    """Where a line of generated code comes from: the policy item and its source location."""

    what: str  # "decision fee", "let total", "requirement"
    source: str  # file:line:col
