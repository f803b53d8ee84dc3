"""The two errors the library raises: a bad request, and a rule set that does not load."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .language.diagnostics import Diagnostic, render
from .language.source import Source


@dataclass
class RequestProblem:
    """One thing wrong with a request document, at a JSON pointer."""

    pointer: str
    message: str
    value: Any = None
    hint: str | None = None
    line: int | None = None
    col: int | None = None
    has_value: bool = True

    def to_dict(self) -> dict[str, Any]:
        result: dict[str, Any] = {"pointer": self.pointer, "message": self.message}
        if self.has_value:
            result["value"] = _json_safe(self.value)
        if self.hint:
            result["hint"] = self.hint
        if self.line is not None:
            result["line"], result["col"] = self.line, self.col
        return result

    def __str__(self) -> str:
        where = f"{self.line}:{self.col}: " if self.line is not None else ""
        value = f" (got {_show(self.value)})" if self.has_value else ""
        hint = f"\n    hint: {self.hint}" if self.hint else ""
        return f"{where}{self.pointer or '/'}: {self.message}{value}{hint}"


class RequestError(Exception):
    """The document is not a valid request of its kind; `.errors` lists every problem."""

    def __init__(self, errors: list[RequestProblem]):
        self.errors = errors
        super().__init__("invalid request:\n" + "\n".join(f"  {e}" for e in errors))


class PolicyError(Exception):
    """The rule set does not parse or check; `.diagnostics` says where and why."""

    def __init__(self, diagnostics: list[Diagnostic], sources: dict[str, Source] | None = None):
        self.diagnostics = diagnostics
        self.sources = sources or {}
        super().__init__("\n".join(render(d, self.sources) for d in diagnostics))


def _show(value: Any) -> str:
    text = repr(value) if not isinstance(value, str) else f'"{value}"'
    return text if len(text) <= 80 else text[:77] + "..."


def _json_safe(value: Any) -> Any:
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return value if value == value and value not in (float("inf"), float("-inf")) else str(value)
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_safe(v) for v in value]
    return str(value)
