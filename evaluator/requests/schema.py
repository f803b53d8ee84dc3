"""Request validation against the kinds' JSON schemas, with every problem worded and located.

A document is first offered, as it is, to the compiled validator (jsonschema-rs, about a microsecond,
running the schema of `fast.py`), then its numbers and open values are checked at the few places the
schema names (`shape.py`, `sites.py`). Only a
document that fails there is made plain (`plain.py`) and reported on by jsonschema (`report.py`),
which words every problem; both validators read formats through the same patterns (`formats.py`).
"""
from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Mapping
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Iterator

from ..errors import PolicyError, RequestProblem
from ..language.diagnostics import Diagnostic, did_you_mean
from ..language.source import Span
from .formats import ODD_OFFSET_UNTIL, countries
from .limits import LIMIT, LOW_LIMIT
from .plain import Plain, escape, shown
from .fast import fast_schema
from .shape import SchemaProblem, Sites, admitted_types, resolve, sites_of
from .sites import SiteChecker


def load_schemas(directory: Path) -> dict[str, dict[str, Any]]:
    """Every `<kind>.schema.json` in a directory, by kind."""
    schemas = {}
    for path in sorted(directory.glob("*.schema.json")):
        schemas[path.name[: -len(".schema.json")]] = json.loads(path.read_text(encoding="utf-8"))
    return schemas


def pointer(path: Iterator[Any] | list[Any]) -> str:
    return "".join("/" + escape(str(part)) for part in path)


class KindValidator:
    """Validates documents of one kind and words every problem for a person."""

    def __init__(self, kind: str, schema: dict[str, Any], checked: bool = False):
        """`checked`: the schema passed the checks below before (a cached rule set's schemas are part of its key)."""
        self.kind = kind
        self.schema = schema
        try:
            if not checked:  # the meta-schema check loads jsonschema-rs: a cached start leaves it to the first request
                _check_meta(schema)
            self.sites: Sites = sites_of(schema)
            if not checked:
                _check_patterns(schema)
            self.checker = SiteChecker(self.sites)
            named = self.checker.named
            self._top_numbers = tuple(path[0] for path in named) \
                if self.checker.simple and all(len(path) == 1 for path in named) else None
        except SchemaProblem as problem:
            raise schema_error(kind, problem) from None
        self._fast: Any = None  # built on first use: a country check needs the holidays package loaded
        self._report = None

    @property
    def fast(self) -> Any:
        """The compiled validator, or False where jsonschema-rs is missing or cannot compile the schema."""
        if self._fast is None:
            self._fast = _compiled(self.schema)
        return self._fast

    def check(self, document: Any) -> tuple[Any, list[RequestProblem]]:
        """The document as the policies read it, and every problem with it (none for a valid document)."""
        fast = self._fast
        if fast is None:
            fast = self.fast
        if fast:
            try:
                valid = fast.is_valid(document)
            except (ValueError, TypeError, UnicodeError, OverflowError, RecursionError, MemoryError):
                valid = False  # a value jsonschema-rs cannot read (a tuple, a date, a Mapping): made plain below
            if valid:
                if self._top_numbers is not None:  # the usual kind: its numbers are top-level fields
                    for key in self._top_numbers:
                        value = document.get(key)
                        if value is not None and (type(value) is not int or not LOW_LIMIT < value < LIMIT):
                            break
                    else:
                        return document, self.location_problems(document) if self.sites.locations else []
                plain, problems = self.checker.check(document)
                if not problems:
                    return plain, self.location_problems(plain) if self.sites.locations else problems
        return self._checked_plain(document, fast)

    def valid_as_is(self) -> Callable[[Any], bool] | None:
        """For a kind whose documents the policies read exactly as they are when valid (no numbers to make
        exact, no locations to look up), jsonschema-rs's own check, called with nothing around it; it may
        raise what jsonschema-rs raises on a value it cannot read. None for other kinds: `check` decides."""
        fast = self.fast
        if not fast or self._top_numbers != () or self.sites.locations:
            return None
        return fast.is_valid

    def problems(self, document: Any) -> list[RequestProblem]:
        """Every problem with a document, one per JSON pointer, sorted by pointer."""
        return self.check(document)[1]

    def _checked_plain(self, document: Any, fast: Any) -> tuple[Any, list[RequestProblem]]:
        made = Plain(document)
        if fast and not made.problems and not made.too_deep:
            try:
                valid = fast.is_valid(made.value)
            except (ValueError, TypeError, UnicodeError, OverflowError, RecursionError, MemoryError):
                valid = False
            if valid:
                plain, problems = self.checker.check(made.value)
                if not problems:
                    return plain, self.location_problems(plain)
        found: dict[str, RequestProblem] = {}
        plain, limits = self.checker.check(made.value)
        for problem in made.problems + self.report().problems(made.value) + limits:
            found.setdefault(problem.pointer, problem)
        if not found:
            for problem in made.too_deep:
                found.setdefault(problem.pointer, problem)
        if not found:
            found.update((p.pointer, p) for p in self.location_problems(plain))
        return plain, sorted(found.values(), key=lambda p: p.pointer)

    def report(self):
        if self._report is None:
            from .report import Report  # jsonschema is loaded only when a document needs its report
            self._report = Report(self.kind, self.schema)
        return self._report

    def location_problems(self, document: Any) -> list[RequestProblem]:
        """Subdivisions the holidays package does not know, business hours that close before they open, and
        moments whose offset output cannot show."""
        found: list[RequestProblem] = []
        for path in self.sites.locations:
            location = _at(document, path)
            if not isinstance(location, dict):
                continue
            if isinstance(location.get("business_hours"), dict):
                found.extend(_business_hours_problems(location["business_hours"], list(path) + ["business_hours"]))
            if "subdivision" in location:
                found.extend(self._subdivision_problem(location, path))
            until = ODD_OFFSET_UNTIL.get(location.get("timezone"))
            if until is not None:
                found.extend(self._odd_offset_problems(document, location["timezone"], until))
        return found

    def _subdivision_problem(self, location: dict[str, Any], path: tuple[Any, ...]) -> Iterator[RequestProblem]:
        known = countries().get(location["country"], [])
        subdivision = location["subdivision"]
        if subdivision in known:
            return
        hint = (did_you_mean(subdivision, known) or
                (f"{location['country']} has these subdivisions: {', '.join(known[:30])}" if known else
                 f"the holidays package knows no subdivisions of {location['country']}; leave it out"))
        yield RequestProblem(pointer(list(path) + ["subdivision"]),
                             f"is not a subdivision of {location['country']} that the holidays package knows",
                             shown(subdivision), hint)

    def _odd_offset_problems(self, document: Any, zone: str, until: str) -> Iterator[RequestProblem]:
        from ..compile.runtime import to_timestamp

        limit = dt.datetime.fromisoformat(until)
        for path in self.sites.timestamps:
            value = _at(document, path)
            if isinstance(value, str) and to_timestamp(value) < limit:
                yield RequestProblem(pointer(path), f"is before {until[:10]}, when {zone} kept a UTC offset of "
                                     "seconds (-00:44:30) that a timestamp written ±HH:MM cannot show", value,
                                     f"vilkar decides requests at {zone} from {until[:10]} on")


def _business_hours_problems(hours: dict[str, Any], path: list[Any]) -> Iterator[RequestProblem]:
    """What the schema cannot say of `location.business_hours`: `close` is later than `open` (SPEC §9 §5)."""
    opens, closes = hours.get("open", "09:00"), hours.get("close", "17:30")
    if isinstance(opens, str) and isinstance(closes, str) and closes <= opens:  # HH:MM texts order as times do
        given = "close" if "close" in hours else "open"
        yield RequestProblem(pointer(path + [given]), f"the business hours close at {closes}, which is not later "
                             f"than they open ({opens})", hours.get(given, closes),
                             "`close` must be later than `open` on the same day; the defaults are 09:00 and 17:30")


def kind_problem(document: Mapping, kinds: list[str]) -> RequestProblem:
    """The problem with a document whose `kind` is missing or names no schema."""
    if "kind" not in document:
        return RequestProblem("/kind", "is required but missing", has_value=False,
                              hint=f"the kinds are: {', '.join(kinds)}")
    kind = document["kind"]
    hint = (did_you_mean(kind, kinds) if isinstance(kind, str) else None) or f"the kinds are: {', '.join(kinds)}"
    return RequestProblem("/kind", "is not a known request kind", shown(kind), hint)


def schema_error(kind: str, problem: SchemaProblem) -> PolicyError:
    where = f" at {problem.pointer}" if problem.pointer else ""
    return PolicyError([Diagnostic("VK170", f"the schema of kind `{kind}` cannot be used{where}: {problem.message}",
                                   Span(f"schemas/{kind}.schema.json", 0, 0, 0, 0),
                                   "fix the schema file; vilkar reads JSON Schema draft 2020-12 with local $refs")])


def _compiled(schema: dict[str, Any]) -> Any:
    """jsonschema-rs compiles a schema to native code: a valid document is confirmed in about a microsecond,
    where jsonschema interprets the schema for every document. Formats are patterns (see fast.py)."""
    try:
        import jsonschema_rs
    except ImportError:  # the pure-Python path gives the same answers, more slowly
        return False
    if not _compares_exactly(jsonschema_rs):
        return False  # a release that reads decimals as floats would pass 1.99999999999999999999 as an integer
    try:
        return jsonschema_rs.Draft202012Validator(fast_schema(schema), validate_formats=False, offline=True)
    except Exception:  # a schema the compiled validator cannot take: jsonschema, which loaded it, decides alone
        return False


@lru_cache(maxsize=1)
def _compares_exactly(jsonschema_rs: Any) -> bool:
    """Whether this jsonschema-rs compares numbers as exact decimals (always on since 0.35)."""
    try:
        probe = jsonschema_rs.Draft202012Validator({"type": "integer", "minimum": 0})
        return (not probe.is_valid(Decimal("1.99999999999999999999")) and not probe.is_valid(Decimal("-1e-400"))
                and probe.is_valid(Decimal("12.0")))
    except Exception:
        return False


def _check_meta(schema: Any) -> None:
    """The schema must be valid draft 2020-12 (jsonschema would otherwise fail on a document, not here)."""
    if not isinstance(schema, dict):
        raise SchemaProblem("a schema file holds one JSON object")
    try:
        import jsonschema_rs
        meta = jsonschema_rs.meta
    except (ImportError, AttributeError):
        meta = None  # no compiled meta-schema check: the checks below, and jsonschema's report, remain
    if meta is not None:
        try:
            meta.validate(schema)
        except jsonschema_rs.ValidationError as error:
            raise SchemaProblem(error.message, pointer(error.instance_path)) from None
        except Exception as error:  # a schema the meta-schema check itself cannot read
            raise SchemaProblem((str(error).splitlines() or [type(error).__name__])[0]) from None
    if "object" not in admitted_types(resolve(schema, schema), schema):
        raise SchemaProblem("a request kind's schema must describe an object")


def _check_patterns(schema: Any, where: str = "") -> None:
    """Every `pattern` must compile in Python's engine too, which words the report."""
    if isinstance(schema, list):
        for index, item in enumerate(schema):
            _check_patterns(item, f"{where}/{index}")
    elif isinstance(schema, dict):
        for key, value in schema.items():
            if key == "pattern" and isinstance(value, str):
                try:
                    re.compile(value)
                except re.error as error:
                    raise SchemaProblem(f"the pattern {value!r} is not a regular expression vilkar can check "
                                        f"({error})", where) from None
            elif key not in ("enum", "const", "default", "examples"):
                _check_patterns(value, f"{where}/{key}")


def _at(document: Any, path: tuple[Any, ...]) -> Any:
    for part in path:
        if not isinstance(document, dict) or part not in document:
            return None
        document = document[part]
    return document


__all__ = ["KindValidator", "Plain", "kind_problem", "load_schemas", "pointer", "resolve"]
