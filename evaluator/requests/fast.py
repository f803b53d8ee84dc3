"""The schema the compiled validator (jsonschema-rs) runs: formats become patterns, and vilkar's limits
on lists and objects are added.

With formats as patterns the compiled validator never calls back into Python; the patterns are the
same expressions the report's format checker uses (`formats.py`), so both validators agree."""
from __future__ import annotations

from typing import Any

from .formats import DATE_PATTERN, TIMESTAMP_PATTERN, countries, time_zones
from .limits import MAX_ITEMS


def fast_schema(schema: dict[str, Any]) -> dict[str, Any]:
    """The schema for jsonschema-rs, made from a kind's schema."""
    return _fast_node(schema)


def _fast_node(node: Any) -> Any:
    if isinstance(node, list):
        return [_fast_node(item) for item in node]
    if not isinstance(node, dict):
        return node
    result = {key: (_fast_node(value) if key not in ("enum", "const", "default", "examples") else value)
              for key, value in node.items() if key != "format"}
    pattern = _format_pattern(node.get("format"))
    if pattern is not None:
        result["allOf"] = list(result.get("allOf", [])) + [{"pattern": pattern}]
    elif "format" in node:
        result["format"] = node["format"]  # not ours: both validators ignore it alike
    if "items" in node or "prefixItems" in node or _declares(node, "array"):
        result["maxItems"] = min(node.get("maxItems", MAX_ITEMS), MAX_ITEMS)
    if "properties" in node or "additionalProperties" in node or _declares(node, "object"):
        result["maxProperties"] = min(node.get("maxProperties", MAX_ITEMS), MAX_ITEMS)
    return result


def _declares(node: dict[str, Any], name: str) -> bool:
    declared = node.get("type")
    return declared == name or (isinstance(declared, list) and name in declared)


def _format_pattern(name: Any) -> str | None:
    if name == "date":
        return DATE_PATTERN
    if name == "date-time":
        return TIMESTAMP_PATTERN
    if name == "holidays-country":
        return _one_of(countries())
    if name == "iana-time-zone":
        return _one_of(time_zones())
    return None


def _one_of(names: Any) -> str:
    """An anchored alternation of literal names, written so that Rust's and Python's engines read it alike."""
    def literal(name: str) -> str:
        return "".join(c if c.isalnum() and c.isascii() or c in "/_-" else f"[{c}]" for c in name)
    return "^(?:" + "|".join(literal(name) for name in sorted(names)) + ")$"
