"""A decided request: plain values, and — built only when asked — the trace and the explanation."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from .calendar.months import Period
from .compile.plan import NO_RULE, CompiledKind, DecisionInfo, RuleInfo, output_converter
from .language.types import DurationT, MoneyT, PercentT, Type, strip_optional


class Result:
    """The decisions for one request; `decisions` holds plain Python values."""

    __slots__ = ("kind", "_compiled", "_document", "_values", "_trace", "_decisions", "_notes", "version")

    def __init__(self, compiled: CompiledKind, document: dict[str, Any], values: tuple, trace: tuple,
                 version: Any = None):
        self.kind = compiled.name
        self.version = version  # the Version that decided: id, window, sha256 and holiday data
        self._compiled = compiled
        self._document = document
        self._values = values
        self._trace = trace
        self._decisions: dict[str, Any] | None = None
        self._notes: dict[str, list[str]] | None = None

    def notes(self) -> dict[str, list[str]]:
        """How business time was counted for each decision or let that counted it (run once, on demand)."""
        if self._notes is None:
            narrated = self._compiled.decide_narrated
            self._notes = narrated(self._document)[2] if narrated is not None else {}
        return self._notes

    @property
    def decisions(self) -> dict[str, Any]:
        if self._decisions is None:
            values = self._values
            self._decisions = {name: values[index] if convert is None else convert(values[index])
                               for name, index, convert in self._compiled.reported}
        return self._decisions

    def __repr__(self) -> str:
        return f"Result(kind={self.kind!r}, decisions={self.decisions!r})"

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
                "inputs": {"/".join(path): _json_input(self.input_value(path)) for path in rule.inputs},
                "uses": {used: json_value(self.value(used), self.type_of(used)) for used in rule.uses},
            })
        return entries

    def to_dict(self, trace: bool = True) -> dict[str, Any]:
        """JSON-ready: decisions with money as two-decimal strings, dates as ISO text, and the trace."""
        result: dict[str, Any] = {
            "kind": self.kind,
            "decisions": {name: json_value(value, self.type_of(name)) for name, value in self.decisions.items()},
            "notes": list(self._compiled.notes),  # the kind's notes apply to every request of it (SPEC §4)
        }
        if self.version is not None:
            result["version"] = self.version.to_dict()
        if trace:
            result["trace"] = self.trace()
        return result

    def explain(self) -> str:
        """Why each decision has its value, rule by rule, with the clause it cites."""
        fired = self.fired()
        shown: set[str] = set()  # each let is explained once, where it is first used
        lines = [f"{self.kind}: {len(self.decisions)} decisions"]
        lines.extend(f"Note: {note}" for note in self._compiled.notes)
        for name in self.decisions:
            info, rule = fired[name]
            if name != info.names[0]:
                continue  # the other values of a table are explained with its first
            values = ", ".join(f"{n} = {self.shown(n)}" for n in info.names)
            lines.append("")
            lines.append(values)
            lines.extend(self.explain_rule(rule, "  "))
            lines.extend(self.explain_notes(name, "  "))
            for used in self.lets_behind(rule, fired):
                if used in shown:
                    continue
                shown.add(used)
                let_info, let_rule = fired[used]
                lines.append(f"  where {used} = {self.shown(used)}")
                lines.extend(self.explain_rule(let_rule, "    "))
                lines.extend(self.explain_notes(used, "    "))
        return "\n".join(lines)

    def explain_rule(self, rule: RuleInfo, pad: str) -> list[str]:
        lines = [f"{pad}because {_because(rule)}"]
        inputs = [f"{'.'.join(path)} = {_shown_input(self.input_value(path))}" for path in rule.inputs]
        inputs += [f"{used} = {self.shown(used)}" for used in rule.uses if used in self.decisions]
        if inputs:
            lines.append(f"{pad}using {', '.join(inputs)}")
        if rule.cites:
            lines.append(f"{pad}cites {rule.cites}")
        lines.append(f"{pad}at {rule.source}")
        return lines

    def explain_notes(self, name: str, pad: str) -> list[str]:
        notes = self.notes().get(name, [])
        return [f"{pad}counted: {notes[0]}"] + [f"{pad}  {line}" for line in notes[1:]] if notes else []

    def lets_behind(self, rule: RuleInfo, fired: dict[str, tuple[DecisionInfo, RuleInfo]]) -> list[str]:
        """The lets a rule reads, directly or through other lets, each once, deepest first."""
        ordered: list[str] = []

        def visit(names: tuple[str, ...]) -> None:
            for name in names:
                if name in self.decisions or name in ordered:
                    continue
                visit(fired[name][1].uses)
                ordered.append(name)

        visit(rule.uses)
        return ordered

    def shown(self, name: str) -> str:
        index = self._compiled.position[name]
        return _shown(self._values[index], self._compiled.types[index])


def _because(rule: RuleInfo) -> str:
    return {
        "rule": f"the rule `{rule.text}` applies",
        "base": f"no exception applies, so the base rule `{rule.text}`",
        "exception": f"the exception `{rule.text}` applies",
        "tier": f"the tier `{rule.text}` applies",
        "row": f"the table row `{rule.text}` matches",
        "otherwise": f"no row matches, so `{rule.text}`",
        "none": "no row matches and there is no `otherwise`: the contract states nothing here",
    }[rule.role]


def json_value(value: Any, type_: Type) -> Any:
    """A decision value as JSON: money "6250.00", dates "YYYY-MM-DD", timestamps RFC 3339 with offset."""
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, Decimal):
        if isinstance(strip_optional(type_), MoneyT):
            return f"{value:.2f}"
        return int(value) if value == value.to_integral_value() else str(value)
    if isinstance(value, Period):
        return {"start": value.start.isoformat(), "end": value.end.isoformat(), "number": value.number}
    if isinstance(value, dt.datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, (list, tuple, set, frozenset)):
        return [json_value(v, type_) for v in value]
    return str(value)


def _shown(value: Any, type_: Type) -> str:
    shown = json_value(value, type_)
    if shown is None:
        return "nothing"
    if isinstance(value, Period):
        return f"{value.start} to {value.end} (period {value.number})"
    duration = strip_optional(type_)
    if isinstance(duration, DurationT):
        clock, count = value if isinstance(value, tuple) else (duration.clock, value)
        unit = duration.unit
        return f"{count} {unit}" if clock == "calendar" else f"{count} business {unit}"
    if isinstance(strip_optional(type_), MoneyT):
        return f"{strip_optional(type_).currency or ''} {shown}".strip()
    if isinstance(strip_optional(type_), PercentT):
        return f"{shown}%"
    if isinstance(shown, bool):
        return "true" if shown else "false"
    return str(shown)


def _json_input(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else str(value)
    if isinstance(value, dict):
        return {k: _json_input(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_json_input(v) for v in value]
    return value


def _shown_input(value: Any) -> str:
    if isinstance(value, dict) and set(value) == {"amount", "currency"}:
        return f"{value['currency']} {value['amount']}"
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "absent"
    if isinstance(value, str):
        return f'"{value}"'
    return str(_json_input(value))


__all__ = ["Result", "json_value", "NO_RULE"]
