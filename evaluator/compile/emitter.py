"""Lines of generated Python, each remembering the policy item it was generated for."""
from __future__ import annotations

from .trace_info import LineOrigin


class Emitter:
    """Collects indented lines; `origin` is attached to every line emitted while it is set."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.origins: list[LineOrigin | None] = []
        self.origin: LineOrigin | None = None

    def emit(self, line: str, depth: int = 1) -> None:
        self.lines.append("    " * depth + line)
        self.origins.append(self.origin)

    def extend(self, other: Emitter) -> None:
        self.lines.extend(other.lines)
        self.origins.extend(other.origins)
