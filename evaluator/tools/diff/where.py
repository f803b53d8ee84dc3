"""Where a change is: the row or tier whose condition or value moved, said with the witness's values."""
from __future__ import annotations

import json
from typing import Any

from ...compile.compiler import RuleInfo
from ...result import Result, json_value


def describe(kind: str, name: str, document: dict[str, Any], before: Result, after: Result,
             elsewhere: str | None = None):
    """The Change for decision `name`, which `before` and `after` decide differently for `document`."""
    from .search import Change

    old_fired, new_fired = before.fired().get(name), after.fired().get(name)
    old_value = _value(before, name)
    new_value = _value(after, name)
    if old_fired is None or new_fired is None:
        moved = "the decision was added" if old_fired is None else "the decision was removed"
        return Change(kind, name, document, old_value, new_value, moved,
                      {"old": old_fired and old_fired[1].cites, "new": new_fired and new_fired[1].cites})
    moved = _moved(name, before, after) or (
        f"`{old_fired[1].text}` still decides, but {elsewhere or 'a set, the calendar or the holiday data'} changed")
    rule = old_fired[1]
    shown_inputs = [f"{used} = {before.shown(used)}" for used in rule.uses] + [
        f"{'.'.join(path)} = {_text(_input(document, path))}" for path in rule.inputs]
    at = f"at {', '.join(shown_inputs)} " if shown_inputs else "for this request "
    where = f"{moved}: {at}{name} {_shown(before, name)} → {_shown(after, name)}"
    return Change(kind, name, document, old_value, new_value, where,
                  {"old": old_fired[1].cites, "new": new_fired[1].cites})


def _moved(name: str, before: Result, after: Result) -> str | None:
    """The first definition, from the decision down through what it reads, whose deciding rule differs."""
    old_fired, new_fired = before.fired(), after.fired()
    queue, seen = [name], set()
    while queue:
        current = queue.pop(0)
        if current in seen or current not in old_fired or current not in new_fired:
            continue
        seen.add(current)
        (old_info, old_rule), (new_info, new_rule) = old_fired[current], new_fired[current]
        prefix = "" if current == name else f"in `{current}`, "
        if old_rule.text != new_rule.text:
            index = next((i for i, rule in old_info.rules.items() if rule is old_rule), None)
            counterpart = new_info.rules.get(index) if index is not None else None
            if counterpart is not None and counterpart.text != old_rule.text and counterpart.role == old_rule.role:
                return prefix + _became(old_rule, counterpart)
            return (f"{prefix}{_role(old_rule)} `{old_rule.text}` no longer decides; "
                    f"{_role(new_rule)} `{new_rule.text}` does")
        queue.extend(old_rule.uses)
    return None


def _role(rule: RuleInfo) -> str:
    return {"tier": "tier", "row": "table row", "exception": "exception", "base": "base rule",
            "otherwise": "`otherwise`", "none": "no row", "rule": "rule"}.get(rule.role, rule.role)


def _became(old: RuleInfo, new: RuleInfo) -> str:
    """`tier `6..13 days` became `7..13 days`` when only the condition moved, likewise for the value."""
    old_condition, _, old_output = old.text.partition(" -> ")
    new_condition, _, new_output = new.text.partition(" -> ")
    if old.role in ("tier", "row") and old_output == new_output:
        return f"{_role(old)} `{old_condition}` became `{new_condition}`"
    if old.role in ("tier", "row") and old_condition == new_condition:
        return f"{_role(old)} `{old_condition}`: value `{old_output}` became `{new_output}`"
    return f"{_role(old)} `{old.text}` became `{new.text}`"


def _value(result: Result, name: str) -> Any:
    if name not in result.decisions:
        return None
    return json_value(result.value(name), result.type_of(name))


def _shown(result: Result, name: str) -> str:
    return result.shown(name) if name in result.decisions else "nothing (no such decision)"


def _input(document: dict[str, Any], path: tuple[str, ...]) -> Any:
    value: Any = document
    for part in path:
        value = value.get(part) if isinstance(value, dict) else None
    return value


def _text(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=str) if not isinstance(value, str) else value
