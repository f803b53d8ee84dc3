"""Lint configuration (SPEC §8.3): which rules run and how severe their findings are.

From `[tool.vilkar.lint]` in the configuration file (`select`, `ignore`, `severity = {VK204 = "error"}`),
then `--select`/`--ignore` on the command line, which replace the file's lists. A code selects itself;
a prefix (`VK2`) selects every code it starts. Errors fail the lint; warnings fail it only with `--strict`.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping

SEVERITIES = ("error", "warning")


class ConfigError(Exception):
    """A lint setting that is not well-formed; the message says which and how to write it."""


@dataclass
class LintConfig:
    """The rules selected, the rules ignored, and per-rule severities."""

    select: tuple[str, ...] | None = None  # None: every rule
    ignore: tuple[str, ...] = ()
    severity: dict[str, str] = field(default_factory=dict)
    strict: bool = False

    @staticmethod
    def from_table(table: Mapping[str, Any], where: str = "[tool.vilkar.lint]") -> LintConfig:
        unknown = set(table) - {"select", "ignore", "severity", "strict"}
        if unknown:
            raise ConfigError(f"{where}: unknown setting {', '.join(sorted(unknown))}; "
                              "the settings are select, ignore, severity and strict")
        config = LintConfig(strict=bool(table.get("strict", False)))
        if "select" in table:
            config.select = _codes(table["select"], f"{where} select")
        config.ignore = _codes(table.get("ignore", []), f"{where} ignore")
        severity = table.get("severity", {})
        if not isinstance(severity, Mapping):
            raise ConfigError(f'{where} severity: write a table, e.g. severity = {{VK204 = "error"}}')
        for code, level in severity.items():
            if level not in SEVERITIES:
                raise ConfigError(f'{where} severity: {code} = {level!r}; write "error" or "warning"')
            config.severity[str(code).upper()] = level
        return config

    def with_flags(self, select: Iterable[str], ignore: Iterable[str], strict: bool) -> LintConfig:
        chosen, dropped = _split(select), _split(ignore)
        return LintConfig(chosen if chosen else self.select, dropped if dropped else self.ignore,
                          dict(self.severity), strict or self.strict)

    def enabled(self, code: str) -> bool:
        selected = self.select is None or any(code.startswith(prefix) for prefix in self.select)
        return selected and not any(code.startswith(prefix) for prefix in self.ignore)

    def level(self, code: str, default: str) -> str:
        return self.severity.get(code, default)

    def fails(self, severity: str) -> bool:
        return severity == "error" or self.strict


def _codes(value: Any, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(code, str) for code in value):
        raise ConfigError(f'{where}: write a list of codes in quotes, e.g. ["VK201", "VK2"]')
    return tuple(code.strip().upper() for code in value if code.strip())


def _split(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(code.strip().upper() for value in values for code in value.split(",") if code.strip())
