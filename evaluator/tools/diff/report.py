"""`vilkar diff` reports: text for a terminal, JSON (SPEC §8.7), Markdown for a pull-request comment."""
from __future__ import annotations

import json
from typing import Any

from . import Diff


def _rule_set(info: dict[str, Any]) -> str:
    version = f", version {info['version']}" if info.get("version") else ""
    return f"{info['path']} ({info['files']} files{version}, sha256 {info['sha256'][:12]}…)"


def _value(value: Any) -> str:
    return "nothing" if value is None else json.dumps(value, ensure_ascii=False) if not isinstance(value, str) \
        else value


def as_json(diff: Diff) -> str:
    return json.dumps(diff.to_dict(), ensure_ascii=False, indent=2)


def as_text(diff: Diff) -> str:
    lines = [f"old: {_rule_set(diff.old)}", f"new: {_rule_set(diff.new)}", ""]
    for change in diff.changes:
        lines.append(f"{change.kind}.{change.decision}: {_value(change.old)} → {_value(change.new)}")
        lines.append(f"  where: {change.where}")
        lines.append(f"  witness: {json.dumps(change.witness, ensure_ascii=False)}")
        if change.cites.get("old") or change.cites.get("new"):
            lines.append(f"  cites: old {change.cites.get('old') or '-'}; new {change.cites.get('new') or '-'}")
    lines.extend(_replay_text(diff))
    if diff.equivalent_kinds:
        lines.append(f"same meaning, nothing to search: {', '.join(diff.equivalent_kinds)}")
    for outcome in diff.searched:
        if outcome.complete:
            lines.append(f"searched completely: {outcome.kind} ({outcome.combinations:,} combinations of boundary values)")
    for note in diff.sampled:
        lines.append(f"sampled: {note}")
    changed = len(diff.changes) + (len(diff.replay.changed) if diff.replay is not None else 0)
    lines.append("")
    lines.append("equivalent: no decision differs" if diff.equivalent
                 else f"{changed} changed decision(s)")
    return "\n".join(lines)


def _replay_text(diff: Diff) -> list[str]:
    replay = diff.replay
    if replay is None:
        return []
    lines = [f"replay of {replay.source}: {replay.requests:,} requests, {replay.rejected:,} rejected by both"]
    for (kind, decision), count in sorted(replay.changed.items()):
        lines.append(f"  {kind}.{decision}: {count:,} request(s) decided differently")
        for example in replay.examples[(kind, decision)]:
            lines.append(f"    line {example['line']}: {_value(example['old'])} → {_value(example['new'])}")
    return lines


def as_markdown(diff: Diff) -> str:
    status = "✅ no decision changes" if diff.equivalent else f"⚠️ {len(diff.changes)} decision change(s)"
    lines = ["## vilkar diff", "", f"**{status}** — old `{_rule_set(diff.old)}`, new `{_rule_set(diff.new)}`", ""]
    if diff.changes:
        lines += ["| kind | decision | old | new | where |", "|---|---|---|---|---|"]
        for change in diff.changes:
            lines.append(f"| {change.kind} | `{change.decision}` | {_cell(change.old)} | {_cell(change.new)} | "
                         f"{_escape(change.where)} |")
        lines.append("")
        for change in diff.changes:
            lines += [f"<details><summary>witness for <code>{change.kind}.{change.decision}</code></summary>", "",
                      "```json", json.dumps(change.witness, ensure_ascii=False, indent=2), "```", "",
                      f"cites — old: {change.cites.get('old') or '–'}; new: {change.cites.get('new') or '–'}",
                      "", "</details>", ""]
    replay = diff.replay
    if replay is not None:
        lines += [f"### Replay of `{replay.source}`", "",
                  f"{replay.requests:,} requests, {replay.rejected:,} rejected by both rule sets.", ""]
        if replay.changed:
            lines += ["| kind | decision | requests changed | examples (line: old → new) |", "|---|---|---|---|"]
            for (kind, decision), count in sorted(replay.changed.items()):
                examples = "; ".join(f"{e['line']}: {_cell(e['old'])} → {_cell(e['new'])}"
                                     for e in replay.examples[(kind, decision)])
                lines.append(f"| {kind} | `{decision}` | {count:,} | {examples} |")
            lines.append("")
    if diff.equivalent_kinds:
        lines += [f"Same meaning (reordered, renamed, reformatted or untouched): {', '.join(diff.equivalent_kinds)}.", ""]
    complete = [f"{o.kind} ({o.combinations:,} combinations)" for o in diff.searched if o.complete]
    if complete:
        lines += [f"Searched completely over every boundary value: {', '.join(complete)}.", ""]
    if diff.sampled:
        lines += ["Sampled rather than searched completely:", ""] + [f"- {_escape(s)}" for s in diff.sampled] + [""]
    return "\n".join(lines)


def _cell(value: Any) -> str:
    return f"`{_value(value)}`"


def _escape(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")
