"""A decided request: plain values, and — built only when asked — the trace, notes and explanation."""
from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Callable

from .compile.plan import NO_RULE, CompiledKind, output_converter
from .explain.values import json_value, plain_input
from .language.types import MoneyT, Type, strip_optional

if TYPE_CHECKING:  # a cached start defines these only when a trace reads its definitions
    from .compile.trace_info import DecisionInfo, RuleInfo


class Result:
    """The decisions for one request; `decisions` holds plain Python values."""

    __slots__ = ("kind", "_compiled", "_document", "_values", "_trace", "_decisions", "_counted", "_notes",
                 "_explanation", "version")

    def __init__(self, compiled: CompiledKind, document: dict[str, Any], values: tuple, trace: tuple,
                 version: Any = None):
        self.kind = compiled.name
        self.version = version  # the Version that decided: id, window, sha256 and holiday data
        self._compiled = compiled
        self._document = document
        self._values = values
        self._trace = trace
        self._decisions: dict[str, Any] | None = None
        self._counted: dict[str, list[str]] | None = None
        self._notes: list[str] | None = None
        self._explanation: Any = None

    def applicable_notes(self) -> list[str]:
        """The kind's notes that apply to this request: every plain `note`, and each `note ... when` that holds."""
        compiled = self._compiled
        if compiled.note_flags is None:
            return list(compiled.notes)
        flags = compiled.note_flags(self._document, self._values)
        return [note for note, applies in zip(compiled.notes, flags) if applies]

    @property
    def decisions(self) -> dict[str, Any]:
        decisions = self._decisions
        if decisions is None:
            report = self._compiled.plain_reporter
            if report is None:
                report = self._compiled.plain_reporter = plain_reporter(self._compiled.reported)
            decisions = self._decisions = report(self._values)
        return decisions

    def notes_key(self) -> Any:
        """What `notes` depends on besides the kind: the rule that decided each definition, and which
        `note ... when` hold (records of the same kind and key have the same notes)."""
        flags = self._compiled.note_flags
        if flags is None:
            return self._trace
        return self._trace, tuple(bool(applies) for applies in flags(self._document, self._values))

    @property
    def notes(self) -> list[str]:
        """What this answer must be read with: the kind's notes, then the notes of the decisions and of
        the rules that decided them (interpretations, hedges), each once (SPEC §4, §8.4)."""
        if self._notes is None:
            compiled = self._compiled
            found = self.applicable_notes()
            if compiled.calendar is not None:  # how its business hours are read (F9) holds for every answer
                found.extend(note for note in compiled.calendar.notes if note not in found)
            for info, index in zip(self._compiled.definitions, self._trace):
                words = info.rules[index].words
                for note in info.notes + (words.notes if words is not None else ()):
                    if note not in found:
                        found.append(note)
            self._notes = found
        return list(self._notes)

    def __repr__(self) -> str:
        return f"Result(kind={self.kind!r}, decisions={self.decisions!r})"

    def counted(self) -> dict[str, list[str]]:
        """How business time was counted for each decision or let that counted it (run once, on demand)."""
        if self._counted is None:
            narrated = self._compiled.decide_narrated
            self._counted = narrated(self._document)[2] if narrated is not None else {}
        return self._counted

    # -- the trace, built only when asked for
    def fired(self) -> dict[str, tuple[DecisionInfo, RuleInfo]]:
        """For every decision and let, by name: its definition and the rule that decided it."""
        fired = {}
        for info, index in zip(self._compiled.definitions, self._trace):
            for name in info.names:
                fired[name] = (info, info.rules[index])
        return fired

    def value(self, name: str) -> Any:
        """The value of a decision or let, as a plain Python value."""
        index = self._compiled.position[name]
        type_ = self._compiled.types[index]
        convert = output_converter(type_)
        value = self._values[index]
        return value if convert is None else convert(value)

    def type_of(self, name: str) -> Type:
        compiled = self._compiled
        return compiled.types[compiled.position[name]]

    def input_value(self, path: tuple[str, ...]) -> Any:
        value: Any = self._document
        for part in path:
            value = value.get(part) if isinstance(value, dict) else None
        return value

    def trace(self) -> list[dict[str, Any]]:
        entries = []
        fired = self.fired()
        for name in self.decisions:
            info, rule = fired[name]
            entries.append({
                "decision": name,
                "value": json_value(self.value(name), self.type_of(name)),
                "rule": rule.text,
                "cites": rule.cites,
                "source": rule.source,
                "inputs": {"/".join(path): plain_input(self.input_value(path)) for path in rule.inputs},
                "uses": {used: json_value(self.value(used), self.type_of(used)) for used in rule.uses},
            })
        return entries

    def texts(self) -> dict[str, str]:
        """Each decision's value as people read it (`USD 6,250.00`, `2 business hours`, `none`)."""
        from .explain.values import text_value
        return {name: text_value(self._values[index], self._compiled.types[index])
                for name, index, _ in self._compiled.reported}

    def shown(self, name: str) -> str:
        """A decision's or let's value as people read it (the same text as `texts()` and explanations)."""
        from .explain.values import text_value
        return text_value(self._values[self._compiled.position[name]], self.type_of(name))

    def json_decisions(self) -> dict[str, Any]:
        """The decisions as JSON values: `json_value` of each, with the converters made once per kind."""
        values = self._values
        return {name: value if (value := values[index]).__class__ in _PLAIN else convert(value)
                for name, index, convert in _json_reporters(self._compiled)}

    def to_dict(self, trace: bool = True, explain: bool = False, detail: str = "summary") -> dict[str, Any]:
        """JSON-ready: decisions with money as two-decimal strings, dates as ISO text, the notes, the trace;
        with `explain`, the explanation as data (SPEC §8.4)."""
        result: dict[str, Any] = {
            "kind": self.kind,
            "decisions": self.json_decisions(),
            "notes": self.notes,
        }
        if self.version is not None:
            result["version"] = self.version.to_dict()
        if trace:
            result["trace"] = self.trace()
        if explain:
            from .explain.data import explanation_dict
            result["explanation"] = explanation_dict(self.explanation(), detail)
        return result

    # -- explanations
    def explanation(self) -> Any:
        """The explanation as one structure (evaluator.explain.model.Explanation), built once."""
        if self._explanation is None:
            from .explain.model import Explainer
            from .explain.quotes import quotes_for
            self._explanation = Explainer(self, quotes_for(self._compiled.contract)).explanation()
        return self._explanation

    def explain(self, detail: str = "summary", decisions: list[str] | None = None) -> str:
        """Why each decision has its value, in plain words with the clause quoted: the answer first.

        `detail="full"` gives the whole derivation (every rule as written, every let, the business time
        counted day by day); `decisions` explains only those decisions and what they depend on."""
        from .explain import text
        if detail not in ("summary", "full"):
            raise ValueError(f"detail is 'summary' or 'full', not {detail!r}")
        unknown = [name for name in decisions or () if name not in self.decisions]
        if unknown:
            raise ValueError(f"{self.kind} has no decision {', '.join(unknown)}")
        render = text.full if detail == "full" else text.summary
        return render(self.explanation(), list(decisions) if decisions else None)

    def headline(self) -> str:
        """The answer in one line (the first of the explanation's headline)."""
        lines = self.explanation().headline
        return lines[0] if lines else ""

    def counterfactuals(self, decision: str | None = None, limit: int = 3) -> list[Any]:
        """For each decision (or the one named), up to `limit` smallest verified changes to the request
        that change it (SPEC §8.5)."""
        from .explain.counterfactuals import counterfactuals
        return counterfactuals(self, decision, limit)


def plain_reporter(reported: tuple[tuple[str, int, Callable[[Any], Any] | None], ...]) -> Callable[[tuple], dict]:
    """The function that makes a kind's `decisions` from its values: written out once per kind as one dict
    display, because a loop over the reported decisions costs several times the decision itself in a small
    table (benchmarks/run.py, "full validated evaluate")."""
    names: dict[str, Any] = {}
    fields = []
    for number, (name, index, convert) in enumerate(reported):
        value = f"values[{int(index)}]"
        if convert is not None:
            names[f"_convert{number}"] = convert
            value = f"_convert{number}({value})"
        fields.append(f"{name!r}: {value}")
    source = "def report(values):\n    return {" + ", ".join(fields) + "}\n"
    exec(compile(source, "<vilkar decisions>", "exec"), names)  # noqa: S102 - written here from the kind's names
    return names["report"]


_PLAIN = frozenset({bool, int, str, type(None)})  # values that are their own JSON, whatever the decision's type


def _json_reporters(compiled: CompiledKind) -> tuple[tuple[str, int, Callable[[Any], Any]], ...]:
    """Per reported decision: its name, its place among the values, and its value's conversion to JSON."""
    made = compiled.json_reported
    if made is None:
        made = compiled.json_reported = tuple(
            (name, index, _json_converter(convert, compiled.types[index])) for name, index, convert in compiled.reported)
    return made


def _json_converter(convert: Callable[[Any], Any] | None, type_: Type) -> Callable[[Any], Any]:
    if convert is not None:
        return lambda value: json_value(convert(value), type_)
    if isinstance(strip_optional(type_), MoneyT):  # the commonest decisions, converted without the dispatch
        return lambda value: f"{value:.2f}" if value.__class__ is Decimal else json_value(value, type_)
    return lambda value: value.isoformat(timespec="seconds") if value.__class__ is dt.datetime \
        else json_value(value, type_)


# JSON text of a string as the encoder writes it with ensure_ascii=False (the C function the encoder itself calls)
_string = json.encoder.encode_basestring
_CACHED_NOTES = 256  # distinct note lists remembered per kind: memory stays bounded whatever the batch
_CACHED_KINDS = 256  # compiled kinds (and versions) remembered per writer, should one serve many rule sets


class _KindText:
    """What a kind's records share: their head, each decision's key text and conversion, their lists of notes."""

    def __init__(self, compiled: CompiledKind):
        self.compiled = compiled
        self.head = '"kind":' + _string(compiled.name) + ',"decisions":{'
        # per reported decision: `"name":` (after a comma but for the first), its place, its conversion to
        # JSON, and whether it is money (a Decimal then is written as the converter would, without the call)
        self.reporters = tuple(
            (("," if place else "") + _string(name) + ":", index, convert,
             plain is None and isinstance(strip_optional(compiled.types[index]), MoneyT))  # as `_json_converter`
            for place, ((name, index, convert), (_, _, plain)) in enumerate(zip(_json_reporters(compiled),
                                                                                compiled.reported)))
        self.notes: dict[Any, str] = {}


class RecordText:
    """A result's record fields as JSON text, written straight from its compiled values: the very text that
    `encode` makes of `to_dict()`, with what is constant per kind, version and list of notes encoded once.

    `encode` is the record's encoder (ensure_ascii=False, separators "," and ":"); a value that is not a
    string, an integer, a boolean or null after conversion goes through it, as it would inside `to_dict()`."""

    def __init__(self, encode: Callable[[Any], str]):
        self.encode = encode
        # by the id of the compiled kind and of the version, each kept in its entry so that its id stays its
        # own: the versions of a history have kinds of the same name, and a batch's lines may alternate
        self._kinds: dict[int, _KindText] = {}
        self._versions: dict[int, tuple[Any, str]] = {}

    def fields(self, result: Result, explain: bool = False) -> str:
        """`"kind":…,"decisions":{…},"notes":[…],"version":{…}` as in `to_dict(trace=explain, explain=explain)`,
        without the braces, so that a record can put its own fields first."""
        compiled = result._compiled
        kind = self._kinds.get(id(compiled))
        if kind is None:
            if len(self._kinds) >= _CACHED_KINDS:
                self._kinds.clear()
            kind = self._kinds[id(compiled)] = _KindText(compiled)
        values = result._values
        parts = [kind.head]
        for key, index, convert, money in kind.reporters:
            parts.append(key)
            value = values[index]
            kind_of = value.__class__
            if kind_of is int:
                parts.append(int.__repr__(value))
            elif kind_of is str:
                parts.append(_string(value))
            elif money and kind_of is Decimal:
                parts.append(f'"{value:.2f}"')  # what the money converter gives, quoted (digits need no escape)
            elif kind_of in _PLAIN:
                parts.append(self.encode(value))
            else:
                parts.append(self.encode(convert(value)))
        parts.append('},"notes":')
        key = result.notes_key()
        notes = kind.notes.get(key)
        if notes is None:
            if len(kind.notes) >= _CACHED_NOTES:
                kind.notes.clear()
            notes = kind.notes[key] = self.encode(result.notes)
        parts.append(notes)
        version = result.version
        if version is not None:
            known = self._versions.get(id(version))
            if known is None:
                if len(self._versions) >= _CACHED_KINDS:
                    self._versions.clear()
                known = self._versions[id(version)] = (version, ',"version":' + self.encode(version.to_dict()))
            parts.append(known[1])
        if explain:
            from .explain.data import explanation_dict
            parts.append(',"trace":')
            parts.append(self.encode(result.trace()))
            parts.append(',"explanation":')
            parts.append(self.encode(explanation_dict(result.explanation(), "summary")))
        return "".join(parts)


__all__ = ["Result", "RecordText", "json_value", "NO_RULE"]
