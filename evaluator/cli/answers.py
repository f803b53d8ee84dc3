"""What `vilkar eval` prints for a decided request: its decisions and notes, the explanation (summary or
full, of every decision or the ones asked about with `--why`), and what would change each decision."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .common import style


@dataclass(frozen=True)
class Asked:
    """What the caller asked of each answer: `--explain[=full]`, `--why`, `--counterfactuals`."""

    detail: str | None = None  # summary | full | None (decisions only)
    why: tuple[str, ...] = ()
    counterfactuals: bool = False

    @property
    def explains(self) -> bool:
        return self.detail is not None or bool(self.why)


def text_of(name: str, result: Any, asked: Asked) -> str:
    """The text answer: decisions (or the explanation) with their notes, then what would change them."""
    version = getattr(result, "version", None)
    shown = f" (version {version.id})" if version is not None and version.id else ""
    lines = [style(f"{name}: {result.kind}{shown}", bold=True)]
    if asked.explains:
        lines.append(result.explain(asked.detail or "summary", list(asked.why) or None))
    else:
        texts = result.texts()
        width = max((len(key) for key in texts), default=0)
        lines.extend(f"  {key.ljust(width)}  {value}" for key, value in texts.items())
        lines.extend(f"Note: {note}" for note in result.notes)
    if asked.counterfactuals:
        lines.extend(_counterfactual_lines(result, asked.why))
    return "\n".join(lines) + "\n"


def _counterfactual_lines(result: Any, why: tuple[str, ...]) -> list[str]:
    lines = ["", "What would change the decisions:"]
    for decision in why or tuple(result.decisions):
        found = result.counterfactuals(decision)
        if found:
            lines.extend(f"  {counterfactual.summary()}" for counterfactual in found)
        else:
            lines.append(f"  {decision}: no single change of one or two request fields turns it")
    return lines


def record_of(result: Any, asked: Asked) -> dict[str, Any]:
    """The JSON record: `to_dict()`, its explanation with `--explain`, its counterfactuals when asked."""
    record = result.to_dict(explain=asked.explains, detail=asked.detail or "summary")
    if asked.why and "explanation" in record:
        wanted = set(asked.why) | _depended(record["explanation"]["decisions"], asked.why)
        record["explanation"]["decisions"] = {name: entry for name, entry in
                                              record["explanation"]["decisions"].items() if name in wanted}
    if asked.counterfactuals:
        record["counterfactuals"] = [found.to_dict() for decision in asked.why or tuple(result.decisions)
                                     for found in result.counterfactuals(decision)]
    return record


def _depended(entries: dict[str, Any], names: tuple[str, ...]) -> set[str]:
    found: set[str] = set()
    pending = list(names)
    while pending:
        name = pending.pop()
        for used in entries.get(name, {}).get("depends_on", []):
            if used not in found:
                found.add(used)
                pending.append(used)
    return found
