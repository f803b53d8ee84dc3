"""Contract versions: a rule set's identity, the window it is in force, and a history of versions.

A rule set may declare `version "ID" effective DATE [until DATE]`. A *history* is a directory whose
subdirectories are versions; the version that decides a request is the one in force on `as_of`, or
else on the request's event date (the field its kind's schema names in `x-vilkar-event-date`).
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import RequestError, RequestProblem
from .language.source import NO_SPAN, Span
from .language.versions import EVENT_DATE_KEY, Window

if TYPE_CHECKING:
    from .api import PolicySet
    from .language.diagnostics import Diagnostic
    from .language.source import Source

_VERSION_LINE = re.compile(r'^[ \t]*version[ \t]+"', re.MULTILINE)


@lru_cache(maxsize=1)
def holidays_version() -> str:
    """The installed `holidays` package's version: its data decides which days are public holidays."""
    from importlib.util import find_spec

    spec = find_spec("holidays")  # its dist-info beside it: importlib.metadata alone costs a cached load ~50 ms
    if spec is not None and spec.origin:
        found = sorted(Path(spec.origin).parent.parent.glob("holidays-*.dist-info"))
        if len(found) == 1:
            return found[0].name[len("holidays-"):-len(".dist-info")]
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("holidays")
    except PackageNotFoundError:
        return "unknown"


def identity(sources: dict[str, str], schemas: dict[str, Any]) -> str:
    """A sha256 of everything a rule set's answers depend on: policy texts, schemas and holiday data."""
    prefix = os.path.commonpath(list(sources)) if len(sources) > 1 else os.path.dirname(next(iter(sources), ""))
    digest = hashlib.sha256(b"vilkar-rule-set-1\0")
    for name, text in sorted((os.path.relpath(name, prefix or "."), text) for name, text in sources.items()):
        digest.update(name.replace(os.sep, "/").encode() + b"\0" + text.encode() + b"\0")
    digest.update(json.dumps(schemas, sort_keys=True).encode())
    digest.update(b"\0holidays\0" + holidays_version().encode())
    return digest.hexdigest()


@dataclass(frozen=True)
class Version:
    """Which rule set decided a result: its declared id and window, its sha256, and the holiday data."""

    id: str | None
    effective: dt.date | None
    until: dt.date | None
    sha256: str
    holidays: str
    span: Span = field(default=NO_SPAN, compare=False, repr=False)  # where the version is declared

    @property
    def window(self) -> Window | None:
        return Window(self.id or "", self.effective, self.until, self.span) if self.effective is not None else None

    def to_dict(self) -> dict[str, Any]:
        return dict(self._json)  # a copy: every result's record is its caller's to change

    @cached_property
    def _json(self) -> dict[str, Any]:
        return {"id": self.id, "effective": _iso(self.effective), "until": _iso(self.until),
                "sha256": self.sha256, "holidays": self.holidays}


def event_field(schema: dict[str, Any] | None) -> str | None:
    return schema.get(EVENT_DATE_KEY) if schema else None


def event_day(document: Any, field: str | None) -> dt.date | None:
    """The local date of the request's event (a timestamp's date as written, at its own offset), if it has one."""
    if field is None or not isinstance(document, dict):
        return None
    value = document.get(field)
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and len(value) >= 10:
        try:
            return dt.date.fromisoformat(value[:10])
        except ValueError:
            return None
    return None


def as_of_day(as_of: Any) -> dt.date | None:
    """`as_of` as a date: a `date`, a `datetime` (its own date) or `YYYY-MM-DD`; a RequestError otherwise."""
    if as_of is None:
        return None
    if isinstance(as_of, dt.datetime):
        return as_of.date()
    if isinstance(as_of, dt.date):
        return as_of
    if isinstance(as_of, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", as_of):
        try:
            return dt.date.fromisoformat(as_of)
        except ValueError:
            pass
    raise RequestError([RequestProblem("", "as_of is not a date", str(as_of), "give as_of as YYYY-MM-DD")])


def no_version_error(day: dt.date, windows: list[Window], pointer: str) -> RequestError:
    """The request's day falls in no version's window: name the nearest versions and their windows."""
    before = [w for w in windows if w.effective <= day]
    after = [w for w in windows if w.effective > day]
    nearest = ([max(before, key=lambda w: w.effective)] if before else []) + \
        ([min(after, key=lambda w: w.effective)] if after else [])
    hint = "the nearest version" + ("s are " if len(nearest) > 1 else " is ") + " and ".join(
        w.describe() for w in nearest)
    where = "on as_of" if pointer == "" else "on the request's event date"
    return RequestError([RequestProblem(pointer, f"no version of the rule set is in force {where} {day}",
                                        day.isoformat(), hint)])


def is_history(path: Path) -> bool:
    """A directory with no policy files of its own, one of whose subdirectories declares a version."""
    if not path.is_dir() or any(path.glob("*.vk")):
        return False
    return any(_declares_version(sub) for sub in version_dirs(path))


def version_dirs(path: Path) -> list[Path]:
    """The subdirectories of a history that hold policy files, in name order."""
    return [sub for sub in sorted(path.iterdir()) if sub.is_dir() and any(sub.rglob("*.vk"))]


def _declares_version(directory: Path) -> bool:
    for file in directory.rglob("*.vk"):
        try:
            if _VERSION_LINE.search(file.read_text(encoding="utf-8", errors="replace")):
                return True
        except OSError:
            continue
    return False


class History:
    """Versions of a rule set whose windows tile, each a PolicySet; picks the one in force on a day."""

    def __init__(self, versions: list[PolicySet]):
        self.versions = sorted(versions, key=lambda policies: policies.version.effective)
        self.windows = [policies.version.window for policies in self.versions]

    @property
    def latest(self) -> PolicySet:
        return self.versions[-1]

    def by_id(self, version_id: str) -> PolicySet | None:
        return next((p for p in self.versions if p.version.id == version_id), None)

    def at(self, day: dt.date) -> PolicySet | None:
        return next((p for p, w in zip(self.versions, self.windows) if w.holds(day)), None)

    def pick(self, document: Any, as_of: Any) -> PolicySet:
        """The version that decides `document`; raises RequestError when none is in force."""
        day = as_of_day(as_of)
        pointer = ""
        if day is None:
            kind = document.get("kind") if isinstance(document, dict) else None
            schema = self.latest.schemas.get(kind) if isinstance(kind, str) else None
            field = event_field(schema)
            if schema is None:
                return self.latest  # an unknown kind or a non-object: the latest version words the error
            if field is None or field not in document:
                if field is not None and field in schema.get("required", ()):
                    return self.latest  # the missing event date is reported by validation
                day = dt.date.today()  # nothing dates the request: the version in force today
            else:
                day = event_day(document, field)
                if day is None:
                    return self.latest  # a malformed date is reported by validation
                pointer = "/" + field
        chosen = self.at(day)
        if chosen is None:
            self.latest.validate(document)  # a broken document is reported as such first
            raise no_version_error(day, self.windows, pointer)
        return chosen


def load_history(path: Path, versions: list[PolicySet]) -> PolicySet:
    """One PolicySet over a history's versions, after proving that their windows tile; raises PolicyError."""
    from .api import PolicySet
    from .errors import PolicyError
    from .language.diagnostics import Diagnostic
    from .language.versions import tiling_problems

    problems, sources, warnings = [], {}, []
    for directory, policies in zip(version_dirs(path), versions):
        sources.update(policies.sources)
        warnings.extend(policies.warnings)
        if policies.version.id is None:
            problems.append(Diagnostic("VK154", f"{directory} is a version of the history {path} but declares none",
                                       Span(directory.as_posix(), 0, 0, 0, 0),
                                       'add a line such as `version "2026-07" effective 2026-07-01` to one of its files'))
    if not problems:
        problems = tiling_problems([policies.version.window for policies in versions])
    if problems:
        raise PolicyError(problems, sources)
    return history_of(versions, sources, warnings)


def history_of(versions: list[PolicySet], sources: dict[str, Source] | None = None,
               warnings: list[Diagnostic] | None = None) -> PolicySet:
    """One PolicySet over versions whose windows are known to tile: the latest's kinds, every version's texts."""
    from .api import PolicySet

    if sources is None:
        sources = {name: source for policies in versions for name, source in policies.sources.items()}
    if warnings is None:
        warnings = [warning for policies in versions for warning in policies.warnings]
    history = History(versions)
    latest = history.latest
    return PolicySet(latest.kinds, latest.schemas, sources, warnings, latest.version, history)


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day is not None else None
