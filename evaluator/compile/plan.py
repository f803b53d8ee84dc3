"""What a compiled rule set is made of: plans that can be stored, and the callable kinds made from them.

This module is deliberately light (types and runtime only): a cached rule set is rebuilt from it without
loading the parser, the checker or the compiler.
"""
from __future__ import annotations

import pickle
import threading
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Callable, Iterator

from ..language.types import DecimalT, DurationT, PercentT, SetT, Type, strip_optional
from . import runtime

if TYPE_CHECKING:  # annotations only: a cached load reads definitions and lines only when a trace asks
    from ..calendar.hours import BusinessHours
    from .trace_info import DecisionInfo, LineOrigin, RuleInfo

Path = tuple[str, ...]

NO_RULE = -2  # the trace index when no row matched and the table has no `otherwise`


@dataclass(frozen=True)
class RequirementInfo:
    """A condition on the request, reported at a JSON pointer when it fails."""

    path: Path
    message: str
    cites: str | None
    source: str
    also: tuple[Path, ...] = ()  # further fields the problem is reported at


@dataclass(frozen=True)
class SetInfo:
    """A named set as explanations speak of it: what being in it means, its clause, its members as written."""

    name: str
    words: str
    because: str | None
    cites: str | None
    members: tuple[str, ...]


@dataclass(frozen=True)
class Explaining:
    """What a kind's explanations need besides its rules: headlines, the sets its rules consult, and the
    environment in which a rule's conditions are evaluated again (identifier → what it holds)."""

    headlines: tuple[str, ...] = ()
    sets: tuple[SetInfo, ...] = ()
    # (identifier, "value", position in the values) | (identifier, "input", Python reading the request)
    environment: tuple[tuple[str, str, Any], ...] = ()


@dataclass(frozen=True)
class KindPlan:
    """Everything a compiled kind is made of that can be stored: its generated source and what traces need."""

    name: str
    source_code: str
    definitions: tuple[DecisionInfo, ...]
    requirement_infos: tuple[RequirementInfo, ...]
    names: tuple[str, ...]
    types: tuple[Type, ...]
    reported: tuple[tuple[str, int, Callable[[Any], Any] | None], ...]
    calendar: BusinessHours | None
    location: Path
    notes: tuple[str, ...] = ()
    # per line of `source_code` (1-based, index 0 unused), where it comes from; None for plumbing
    origins: tuple[LineOrigin | None, ...] = ()
    explaining: Explaining = Explaining()


@dataclass
class CompiledKind:
    """A request kind's compiled decisions, ready to evaluate many requests.

    `decide(request)` returns the values of every decision and `let` (in `names` order) and, per
    definition (in `definitions` order), the index of the rule that decided it.
    """

    name: str
    decide: Callable[[dict], tuple[tuple, tuple]]
    requirements: Callable[[dict], list[int]]
    definitions: tuple[DecisionInfo, ...]
    requirement_infos: tuple[RequirementInfo, ...]
    names: tuple[str, ...]
    types: tuple[Type, ...]
    # (name, position in the values, converter to a plain Python value) of each reported decision
    reported: tuple[tuple[str, int, Callable[[Any], Any] | None], ...]
    source_code: str
    calendar: BusinessHours | None = None
    location: Path = ()
    decide_narrated: Callable[[dict], tuple[tuple, tuple, dict[str, list[str]]]] | None = None
    notes: tuple[str, ...] = ()
    origins: tuple[LineOrigin | None, ...] = ()
    position: dict[str, int] = field(default_factory=dict)  # where each name's value is in `decide`'s result
    # (request, values) → whether each note applies; None when every note always applies
    note_flags: Callable[[dict, tuple], tuple[bool, ...]] | None = None
    explaining: Explaining = Explaining()
    namespace: dict[str, Any] = field(default_factory=dict)  # the generated module's globals
    contract: Any = None  # the contract text beside the rule set (a Path), for quotes; None: the bundled one
    policies: Any = None  # the PolicySet this kind belongs to: counterfactuals decide changed requests with it
    compiled_words: dict[str, Any] = field(default_factory=dict)  # explanation code compiled once, by its text
    # the reported decisions' conversions to JSON, made by `Result` on first use
    json_reported: tuple[tuple[str, int, Callable[[Any], Any]], ...] | None = field(default=None, repr=False,
                                                                               compare=False)
    # the function that makes `Result.decisions` from the values, written by `Result` on first use
    plain_reporter: Callable[[tuple], dict[str, Any]] | None = field(default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        self.position = {name: index for index, name in enumerate(self.names)}


def output_converter(type_: Type) -> Callable[[Any], Any] | None:
    """How a decision's compiled value becomes a plain Python value in `Result.decisions`."""
    inner = strip_optional(type_)
    if isinstance(inner, (PercentT, DecimalT)):
        return runtime.plain_number
    if isinstance(inner, DurationT) and inner.clock is None:
        return duration_count
    if isinstance(inner, SetT):
        return sorted_set
    return None


def duration_count(value: tuple[str, int] | None) -> int | None:
    """A duration whose clock is known per request, reported as its count of minutes or days."""
    return None if value is None else value[1]


def sorted_set(value: frozenset | None) -> list | None:
    return None if value is None else sorted(value, key=str)


# ---------------------------------------------------------------- what a cached load reads only when asked

# one at a time: two threads reading the same definitions first must meet the same objects (explanations
# index them by identity)
_UNPACKING = threading.Lock()
DEFERRED_ROWS = 64  # a definition with more rules than this keeps them pickled one by one until asked


class DeferredRules(Mapping):
    """A big table's rules as the cache stores them: pickled in chunks, each unpickled when a trace or an
    explanation first asks for one of its rules, so loading a 10,000-row table does not rebuild 10,000
    RuleInfos that no request reads."""

    CHUNK = 128

    def __init__(self, chunks: tuple[bytes, ...], chunk_of: dict[int, int]):
        self._chunks = chunks
        self._chunk_of = chunk_of  # rule index → its chunk, in the rules' order
        self._loaded: dict[int, RuleInfo] = {}

    @classmethod
    def of(cls, rules: Mapping[int, RuleInfo]) -> DeferredRules:
        items = list(rules.items())
        groups = [dict(items[start:start + cls.CHUNK]) for start in range(0, len(items), cls.CHUNK)]
        chunks = tuple(_packed(group) for group in groups)
        return cls(chunks, {index: number for number, group in enumerate(groups) for index in group})

    def __getitem__(self, index: int) -> RuleInfo:
        if index not in self._loaded:
            with _UNPACKING:
                if index not in self._loaded:
                    self._loaded.update(_unpacked(self._chunks[self._chunk_of[index]]))  # KeyError if unknown
        return self._loaded[index]

    def __iter__(self) -> Iterator[int]:
        return iter(self._chunk_of)

    def __len__(self) -> int:
        return len(self._chunk_of)

    def __reduce__(self):
        return (DeferredRules, (self._chunks, self._chunk_of))


class DeferredTuple(Sequence):
    """A tuple as the cache stores it: pickled, and unpickled when it is first read."""

    def __init__(self, pickled: bytes):
        self._pickled = pickled
        self._loaded: tuple | None = None

    def _items(self) -> tuple:
        if self._loaded is None:
            with _UNPACKING:
                if self._loaded is None:
                    self._loaded = _unpacked(self._pickled)
        return self._loaded

    def __getitem__(self, index):  # type: ignore[override]
        return self._items()[index]

    def __iter__(self) -> Iterator:
        return iter(self._items())

    def __len__(self) -> int:
        return len(self._items())

    def __eq__(self, other: object) -> bool:
        return self._items() == (other._items() if isinstance(other, DeferredTuple) else other)

    def __hash__(self) -> int:
        return hash(self._items())

    def __reduce__(self):
        return (type(self), (self._pickled,))


class DeferredLines(DeferredTuple):
    """Where each generated line comes from, unpickled on the first fault that asks (a few hundred objects a
    start that decides well-formed requests never reads)."""


class DeferredDefinitions(DeferredTuple):
    """A kind's definitions with their rules and rule words, unpickled when a trace, a note or an explanation
    first asks: they are most of a cached rule set, and a start that only decides never reads them."""


def deferred(plan: KindPlan) -> KindPlan:
    """The plan as the cache stores it: definitions (big rule tables chunked inside them) and the line
    origins unpickled only when used."""
    definitions = tuple(replace(info, rules=DeferredRules.of(info.rules)) if len(info.rules) > DEFERRED_ROWS
                        else info for info in plan.definitions)
    return replace(plan, definitions=DeferredDefinitions(_packed(definitions)),  # type: ignore[arg-type]
                   origins=DeferredLines(_packed(tuple(plan.origins))))


def _packed(value: Any) -> bytes:
    return zlib.compress(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL), 1)  # a tenth of the bytes to read


def _unpacked(data: bytes) -> Any:
    return pickle.loads(zlib.decompress(data))
