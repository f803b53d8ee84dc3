"""What explanations say of a rule, as a compiled rule set stores it: phrases, their references, conditions.

Kept apart from `phrases.py`, which builds them from the syntax tree, so that reading a cached rule set's
rule words (for a trace, a note or an explanation) loads neither the syntax tree nor the phrase builder.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Union

from ..language.types import BoolT, Type, strip_optional


@dataclass(frozen=True)
class Ref:
    """A value a phrase speaks of: `what` is request | name | constant | set | variable, or present | absent:
    `key` is (a request path, a phrase, the field in words) said only where the request gives the field,
    or leaves it out (what `if absent` puts in its place)."""

    what: str
    key: Any  # a request path, a decision or let name, a constant's value, a set's name, a variable
    words: str  # how it is named ("service cost"); "" where only its value is said
    type: Type | None = None
    show: str = "both"  # name | value | both


Part = Union[str, Ref]
Phrase = tuple  # of Part

_UNIT_SUFFIXES = ("_days", "_minutes", "_hours")


def words_of_name(name: str, type_: Type | None = None) -> str:
    """A policy or schema name in words: `notice_days` → "notice" (its value says days)."""
    inner = strip_optional(type_) if type_ is not None else None
    for suffix in _UNIT_SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix) and inner is not None \
                and not isinstance(inner, BoolT):
            name = name[: -len(suffix)]
            break
    return name.replace("_", " ").strip()


def field_words(path: tuple[str, ...]) -> str:
    return " ".join(words_of_name(part) for part in path)


@dataclass(frozen=True)
class Test:
    """One condition of a rule: its words, and Python the explanation evaluates to see whether it held.

    `code` reads the kind's environment (the values of decisions, lets and request fields by the
    identifiers the compiled code gives them). `subject` is what it tests and `targets` the values of the
    subject at which it turns (a cell's value, a bound, members of a set), for counterfactuals."""

    phrase: Phrase
    negated: Phrase
    code: str
    subject: Ref | None = None
    targets: tuple = ()
    set_ref: Ref | None = None  # the named set it tests membership of, for "X is on the list of ..."
    negated_set: bool = False  # `not in`: the set excludes


@dataclass(frozen=True)
class RuleWords:
    """What explanations say of one rule: the author's reason and notes, its conditions and its value."""

    because: str | None
    notes: tuple[str, ...]
    tests: tuple[Test, ...]  # the rule's own conditions (a row's cells, a tier's bound, an exception's parts)
    value: tuple[Phrase, ...]  # one phrase per output
    subject: Phrase = ()  # a tier's subject, said with its value
    subject_ref: Ref | None = None
    logic: str = ""  # a yes/no rule: "and" or "or" of its `tests`, or "one" for a single condition
    # for each `min(...)`/`max(...)` of the rule: Python giving the position of the argument it chose
    choices: tuple[str, ...] = ()
    # per output that is a condition (`-> request.monitoring_scenarios <= 7`): its words when it is false
    negated: tuple[Phrase, ...] = ()
    # a single yes/no output's parts and how they combine, as `tests` and `logic` for a yes/no rule
    value_tests: tuple[Test, ...] = ()
    value_logic: str = ""
