"""Which rule set, schemas and policy tests a command uses: the one resolver of SPEC §8.1.

Every command, the library's defaults (`evaluate`, `load_policies()`) and the pre-commit hooks find
policies the same way, first match wins: `--policies` (a directory or one `.vk` file), then
`VILKAR_POLICIES`, then `policies = "…"` under `[tool.vilkar]` in the nearest `pyproject.toml` or
`vilkar.toml` (top-level keys, or `[tool.vilkar]`) from the current directory upward, relative to
that file, then `./policies` when it holds `*.vk` files, and last the bundled rule set — only for
commands that use a rule set, never for `lint`, `fmt` and `test`, which check or change policy files.
Schemas resolve the same way (`--schemas`, `VILKAR_SCHEMAS`, `schemas = "…"`, `./schemas`, bundled),
and policy tests too (`tests = "…"`, `./tests/policies`).
"""
from __future__ import annotations

import hashlib
import os
import tomllib
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, Mapping

from .errors import PolicyError
from .language.diagnostics import Diagnostic
from .language.source import Source, Span
from .resources import data_dir

BOM = b"\xef\xbb\xbf"
CONFIG_FILES = ("vilkar.toml", "pyproject.toml")  # in one directory, vilkar.toml wins, as ruff.toml does


class NotFound(Exception):
    """Nothing to use was found; the message says what was looked for and where."""

    def __init__(self, what: str, looked: list[str], hint: str):
        self.what = what
        self.looked = looked
        self.hint = hint
        lines = [f"no {what} found; looked at:"] + [f"  {place}" for place in looked] + [hint]
        super().__init__("\n".join(lines))


@dataclass(frozen=True)
class Config:
    """The `[tool.vilkar]` settings of the nearest configuration file, if any."""

    file: Path | None = None
    table: Mapping[str, Any] = field(default_factory=dict)
    problem: str | None = None  # a configuration file that is not valid TOML

    def path(self, key: str) -> Path | None:
        """A path setting, resolved relative to the configuration file."""
        value = self.table.get(key)
        if value is None or self.file is None:
            return None
        if not isinstance(value, str) or not value:
            raise NotFound(key, [f"{self.file}: `{key}` must be a path in quotes, not {value!r}"],
                           f'write for example {key} = "{key}"')
        return (self.file.parent / value).resolve()

    def section(self, name: str) -> Mapping[str, Any]:
        """A sub-table such as `lint` (`[tool.vilkar.lint]`)."""
        value = self.table.get(name)
        return value if isinstance(value, Mapping) else {}

    def where(self, key: str) -> str:
        return f"[tool.vilkar] {key} in {self.file}" if self.file is not None else f"[tool.vilkar] {key}"


def find_config(start: Path | None = None) -> Config:
    """The nearest `vilkar.toml`, or `pyproject.toml` with a `[tool.vilkar]` table, from `start` upward."""
    directory = (start or Path.cwd()).resolve()
    for folder in (directory, *directory.parents):
        for name in CONFIG_FILES:
            candidate = folder / name
            if not candidate.is_file():
                continue
            try:
                data = tomllib.loads(candidate.read_text(encoding="utf-8-sig"))
            except (tomllib.TOMLDecodeError, UnicodeDecodeError, OSError) as error:
                return Config(candidate, {}, f"{candidate}: not valid TOML: {error}")
            tool = data.get("tool", {}).get("vilkar") if isinstance(data.get("tool"), dict) else None
            if isinstance(tool, dict):
                return Config(candidate, tool)
            if name == "vilkar.toml":
                return Config(candidate, data)
    return Config()


@dataclass(frozen=True)
class RuleSet:
    """The policy files a command uses, where they were found, and a fingerprint of their content."""

    path: Path
    files: tuple[Path, ...]
    origin: str
    bundled: bool = False

    @staticmethod
    def at(path: Path, origin: str, bundled: bool = False) -> RuleSet:
        """The `*.vk` files at a path (a directory, searched recursively, or one file)."""
        if path.is_file():
            if path.suffix != ".vk":
                raise NotFound("policy files", [f"{origin}: {path} is not a .vk file"], "policy files end in .vk")
            return RuleSet(path, (path,), origin, bundled)
        if not path.is_dir():
            raise NotFound("policy files", [f"{origin}: {path} does not exist"],
                           "give a directory of *.vk files, or one .vk file")
        files = tuple(sorted(path.rglob("*.vk")))
        if not files:
            raise NotFound("policy files", [f"{origin}: {path} holds no *.vk files"], "policy files end in .vk")
        return RuleSet(path, files, origin, bundled)

    @staticmethod
    def of_paths(paths: list[Path], origin: str) -> RuleSet:
        """The `*.vk` files under several paths, as one rule set."""
        if not paths:
            raise NotFound("policy files", [f"{origin}: none"], "give a directory of *.vk files")
        parts = [RuleSet.at(path, origin) for path in paths]
        if len(parts) == 1:
            return parts[0]
        files = tuple(sorted({file.resolve(): file for part in parts for file in part.files}.values()))
        common = Path(os.path.commonpath([str(part.root.resolve()) for part in parts]))
        return RuleSet(common, files, origin)

    @property
    def root(self) -> Path:
        return self.path if self.path.is_dir() else self.path.parent

    def sha256(self) -> str:
        """Content and relative names of every file, so a copy of a rule set has the same fingerprint."""
        return self._fingerprint

    @cached_property
    def _fingerprint(self) -> str:  # the files are read once: a report names the rule set as it was loaded
        digest = hashlib.sha256()
        root = self.root.resolve()
        for file in self.files:
            digest.update(file.resolve().relative_to(root).as_posix().encode("utf-8") + b"\0")
            digest.update(file.read_bytes() + b"\0")
        return digest.hexdigest()

    def shown_path(self) -> str:
        """The path as a report shows it: relative to the current directory when inside it."""
        if self.bundled:
            return "policies/ (bundled)"
        shown = _relative(self.path)
        return shown + "/" if self.path.is_dir() and not shown.endswith("/") else shown

    def describe(self) -> dict[str, Any]:
        """`{"path", "files", "sha256"}` for JSON reports."""
        return {"path": _relative(self.path), "files": len(self.files), "sha256": self.sha256()}

    def summary(self) -> str:
        """`rule set: policies/ (13 files, sha256 1a2b3c4d5e6f…)` for text reports."""
        count = len(self.files)
        return f"rule set: {self.shown_path()} ({count} file{'s' if count != 1 else ''}, sha256 {self.sha256()[:12]}…)"

    def display_name(self, file: Path) -> str:
        """The name diagnostics and traces give a policy file."""
        if self.bundled:
            return f"policies/{file.relative_to(data_dir('policies')).as_posix()}"
        return _relative(file)


def resolve_policies(option: str | os.PathLike[str] | None = None, *, bundled_ok: bool,
                     environ: Mapping[str, str] | None = None, cwd: Path | None = None) -> RuleSet:
    """The rule set, first match wins (SPEC §8.1); raises NotFound saying where it looked."""
    environ = os.environ if environ is None else environ
    here = (cwd or Path.cwd()).resolve()
    if option is not None:
        return RuleSet.at(_absolute(Path(option), here), "--policies")
    if environ.get("VILKAR_POLICIES"):
        return RuleSet.at(_absolute(Path(environ["VILKAR_POLICIES"]), here), "VILKAR_POLICIES")
    config = find_config(here)
    configured = _configured(config, "policies")
    if configured is not None:
        return RuleSet.at(configured, config.where("policies"))
    local = here / "policies"
    if local.is_dir() and any(local.rglob("*.vk")):
        return RuleSet.at(local, "./policies")
    if bundled_ok:
        bundled = data_dir("policies")
        return RuleSet.at(bundled, "the bundled rule set", bundled=True)
    raise NotFound("policy files", [
        "--policies: not given",
        "VILKAR_POLICIES: not set",
        _config_looked(config, here, "policies"),
        f"./policies: {'holds no *.vk files' if local.is_dir() else 'does not exist'} ({local})",
    ], "this command checks policy files and never uses the bundled copy: give --policies DIR, "
       "set VILKAR_POLICIES, or run it where ./policies holds *.vk files")


def resolve_schemas(option: str | os.PathLike[str] | None = None, *, environ: Mapping[str, str] | None = None,
                    cwd: Path | None = None) -> Path:
    """The directory of `<kind>.schema.json` files, first match wins; the bundled schemas last."""
    environ = os.environ if environ is None else environ
    here = (cwd or Path.cwd()).resolve()
    for given, origin in ((option, "--schemas"), (environ.get("VILKAR_SCHEMAS") or None, "VILKAR_SCHEMAS")):
        if given is not None:
            return _schema_dir(_absolute(Path(given), here), origin)
    config = find_config(here)
    configured = _configured(config, "schemas")
    if configured is not None:
        return _schema_dir(configured, config.where("schemas"))
    local = here / "schemas"
    if local.is_dir() and any(local.glob("*.schema.json")):
        return local
    return data_dir("schemas")


def resolve_tests(paths: list[Path], *, cwd: Path | None = None) -> list[Path]:
    """Where policy tests are: the paths given, `tests = "…"` in the configuration, or ./tests/policies."""
    if paths:
        return paths
    here = (cwd or Path.cwd()).resolve()
    config = find_config(here)
    configured = _configured(config, "tests")
    if configured is not None:
        if not configured.exists():
            raise NotFound("policy tests", [f"{config.where('tests')}: {configured} does not exist"],
                           "correct the path, or create the directory")
        return [configured]
    local = here / "tests" / "policies"
    if local.is_dir():
        return [local]
    raise NotFound("policy tests", [
        "PATH arguments: none given",
        _config_looked(config, here, "tests"),
        f"./tests/policies: does not exist ({local})",
    ], "give the test files or directories, or put YAML cases in tests/policies/")


def _configured(config: Config, key: str) -> Path | None:
    if config.problem is not None:
        raise NotFound(key, [config.problem], "correct the configuration file")
    return config.path(key)


def _config_looked(config: Config, here: Path, key: str) -> str:
    if config.file is None:
        return f"[tool.vilkar] {key}: no pyproject.toml or vilkar.toml with [tool.vilkar] in {here} or above"
    return f"{config.where(key)}: not set"


def _schema_dir(path: Path, origin: str) -> Path:
    if not path.is_dir():
        raise NotFound("schemas", [f"{origin}: {path} is not a directory"],
                       "give a directory of <kind>.schema.json files")
    return path


def _absolute(path: Path, here: Path) -> Path:
    return path if path.is_absolute() else here / path


def _relative(path: Path) -> str:
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def contract_beside(policies: Path) -> Path | None:
    """The contract text a rule set cites: `contract/*.txt` beside its files, else the bundled one."""
    folder = policies if policies.is_dir() else policies.parent
    for candidate in [*sorted((folder / "contract").glob("*.txt")),
                      *sorted((data_dir("policies") / "contract").glob("*.txt"))]:
        if candidate.is_file():
            return candidate
    return None


def read_source(file: Path, name: str) -> Source:
    """A policy file's text: UTF-8, with or without a byte-order mark; anything else is a PolicyError."""
    data = file.read_bytes()
    if data.startswith(BOM):
        data = data[len(BOM):]
    try:
        return Source.of(name, data.decode("utf-8"))
    except UnicodeDecodeError as error:
        shown = Source.of(name, data.decode("utf-8", errors="replace"))
        start = len(data[:error.start].decode("utf-8", errors="replace"))
        span = shown.span(start, start + 1)
        diagnostic = Diagnostic(
            "VK002", f"this file is not UTF-8 text: byte 0x{data[error.start]:02X} at line {span.line}, "
            f"column {span.col} is not UTF-8", span,
            "save it as UTF-8 (in most editors: Save As, encoding \"UTF-8\"); Windows-1252 and UTF-16 are not read")
        raise PolicyError([diagnostic], {name: shown}) from None


def read_sources(rule_set: RuleSet) -> dict[str, Source]:
    """Every file of a rule set as text, by display name; every file that is not UTF-8 is reported at once."""
    sources: dict[str, Source] = {}
    diagnostics, shown = [], {}
    for file in rule_set.files:
        name = rule_set.display_name(file)
        try:
            sources[name] = read_source(file, name)
        except PolicyError as error:
            diagnostics.extend(error.diagnostics)
            shown.update(error.sources)
        except OSError as error:
            diagnostics.append(Diagnostic("VK100", f"cannot read this file: {error.strerror or error}",
                                          Span(name, 0, 0, 0, 0), "check that the file exists and may be read"))
    if diagnostics:
        raise PolicyError(diagnostics, shown)
    return sources


def read_schemas(directory: Path) -> dict[str, dict[str, Any]]:
    """Every `<kind>.schema.json` of a directory; a file that is not JSON is a PolicyError, not a crash."""
    from .requests.schema import load_schemas
    try:
        return load_schemas(directory)
    except (ValueError, OSError) as error:  # json.JSONDecodeError and UnicodeDecodeError are ValueErrors
        where = Span(str(directory), 0, 0, 0, 0)
        raise PolicyError([Diagnostic("VK100", f"the schemas in {directory} cannot be read: {error}", where,
                                      "each <kind>.schema.json must be a JSON Schema in UTF-8")]) from None


def not_found_diagnostic(error: NotFound) -> Diagnostic:
    """A NotFound as the diagnostic of a PolicyError, for the library."""
    return Diagnostic("VK100", f"no {error.what} found ({'; '.join(error.looked)})", Span("<rule set>", 0, 0, 0, 0),
                      error.hint)
