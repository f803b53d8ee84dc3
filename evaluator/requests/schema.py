"""Request validation against the kinds' JSON schemas, with every problem worded and located."""
from __future__ import annotations

import datetime as dt
import json
import math
import re
import zoneinfo
from collections.abc import Mapping
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterator

from ..language.diagnostics import did_you_mean
from ..errors import RequestProblem

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})")
_NAIVE_TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?")


def load_schemas(directory: Path) -> dict[str, dict[str, Any]]:
    """Every `<kind>.schema.json` in a directory, by kind."""
    schemas = {}
    for path in sorted(directory.glob("*.schema.json")):
        schemas[path.name[: -len(".schema.json")]] = json.loads(path.read_text(encoding="utf-8"))
    return schemas


# ---------------------------------------------------------------- formats


@lru_cache(maxsize=1)
def countries() -> dict[str, list[str]]:
    """Countries the holidays package knows (ISO 3166-1 alpha-2) and their subdivisions."""
    import holidays  # imported on first use: a rule set that never meets a location never pays for it

    return {code: list(subdivisions) for code, subdivisions in
            holidays.list_supported_countries(include_aliases=False).items() if len(code) == 2}


@lru_cache(maxsize=1)
def time_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def is_date(value: object) -> bool:
    if not isinstance(value, str) or not _DATE.fullmatch(value):
        return not isinstance(value, str)
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        return False
    return True


def is_timestamp(value: object) -> bool:
    if not isinstance(value, str):
        return True
    if not _TIMESTAMP.fullmatch(value):
        return False
    try:
        dt.datetime.fromisoformat(value.replace("z", "Z"))
    except ValueError:
        return False
    return True


def _fast_validator(schema: dict[str, Any]):
    """jsonschema-rs compiles a schema to native code: a valid document is confirmed in about a microsecond,
    where jsonschema interprets the schema for every document. Same formats, same (strict) patterns."""
    try:
        import jsonschema_rs
    except ImportError:  # the pure-Python path gives the same answers, more slowly
        return None
    formats = {"date": is_date, "date-time": is_timestamp,
               "holidays-country": lambda value: value in countries(),
               "iana-time-zone": lambda value: value in time_zones()}
    return jsonschema_rs.Draft202012Validator(schema, formats=formats, validate_formats=True)


# ---------------------------------------------------------------- documents → plain JSON values


def _with_floats(value: Any) -> Any:
    """The document as the compiled validator reads it: exact decimals as floats (bounds and types only)."""
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dict):
        return {key: _with_floats(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_with_floats(item) for item in value]
    return value


def pointer(path: Iterator[Any] | list[Any]) -> str:
    return "".join("/" + str(part).replace("~", "~0").replace("/", "~1") for part in path)


class Plain:
    """A request document made plain JSON-like: what was wrong with it, and whether it holds decimals."""

    def __init__(self, document: Any):
        self.problems: list[RequestProblem] = []
        self.has_decimals = False
        self._path: list[Any] = []
        self.value = self._plain(document)

    def _plain(self, value: Any) -> Any:
        kind = type(value)
        if kind is str or kind is bool or kind is int or value is None:
            return value
        if kind is dict or isinstance(value, Mapping):
            result = {}
            for key, item in value.items():
                self._path.append(key)
                if isinstance(key, str):
                    result[str(key)] = self._plain(item)
                else:
                    self.problem("field names must be texts", key)
                self._path.pop()
            return result
        if kind is list or isinstance(value, (list, tuple)):
            result_list = []
            for index, item in enumerate(value):
                self._path.append(index)
                result_list.append(self._plain(item))
                self._path.pop()
            return result_list
        return self._scalar(value)

    def _scalar(self, value: Any) -> Any:
        if isinstance(value, bool):
            return bool(value)
        if isinstance(value, str):
            return str(value)
        if isinstance(value, int):
            return int(value)
        if isinstance(value, float):
            if not math.isfinite(value):
                return self.problem("is not a finite number", value)
            value = Decimal(repr(float(value)))  # the shortest decimal text: 0.3 stays 0.3
        if isinstance(value, Decimal):
            if not value.is_finite():
                return self.problem("is not a finite number", value)
            if value == value.to_integral_value() and value.adjusted() < 30:
                return int(value)  # 1.0 is the whole number 1 (JSON Schema agrees), and integers stay exact
            self.has_decimals = True
            return value
        if isinstance(value, (dt.datetime, dt.date)):
            return value.isoformat()
        return self.problem(f"is not a JSON value (a Python {type(value).__name__})", repr(value))

    def problem(self, message: str, value: Any) -> None:
        self.problems.append(RequestProblem(pointer(self._path), message, value))
        return None


# ---------------------------------------------------------------- validation


class KindValidator:
    """Validates documents of one kind and words every problem for a person."""

    def __init__(self, kind: str, schema: dict[str, Any]):
        self.kind = kind
        self.schema = schema
        self.fast = _fast_validator(schema)
        self._report = None
        self.location_paths = list(_location_paths(schema, schema, []))

    def problems(self, document: dict[str, Any], has_decimals: bool = True) -> list[RequestProblem]:
        """Every problem, one per JSON pointer: the most telling when several rules fail at one place.

        The compiled validator confirms a valid document; only a document it rejects (or cannot read)
        goes through jsonschema, whose report says precisely what is wrong and where.
        """
        if self.fast is not None:
            try:
                valid = self.fast.is_valid(_with_floats(document) if has_decimals else document)
            except (ValueError, TypeError, OverflowError):
                valid = False
            if valid:
                return list(self.location_problems(document))
        if self._report is None:
            from .report import Report  # jsonschema is loaded only when a document needs its report
            self._report = Report(self.kind, self.schema)
        found = self._report.problems(document)
        if not found:
            found.extend(self.location_problems(document))
        return sorted(found, key=lambda p: p.pointer)

    def location_problems(self, document: dict[str, Any]) -> Iterator[RequestProblem]:
        for path in self.location_paths:
            location = _at(document, path)
            if not isinstance(location, dict) or "subdivision" not in location:
                continue
            known = countries().get(location["country"], [])
            if location["subdivision"] not in known:
                hint = (did_you_mean(location["subdivision"], known) or
                        (f"{location['country']} has these subdivisions: {', '.join(known[:30])}" if known else
                         f"the holidays package knows no subdivisions of {location['country']}; leave it out"))
                yield RequestProblem(pointer(path + ["subdivision"]),
                                     f"is not a subdivision of {location['country']} that the holidays package knows",
                                     location["subdivision"], hint)

def _location_paths(node: dict[str, Any], root: dict[str, Any], path: list[str]) -> Iterator[list[str]]:
    while "$ref" in node:
        target: Any = root
        for part in node["$ref"][2:].split("/"):
            target = target[part]
        node = {**target, **{k: v for k, v in node.items() if k != "$ref"}}
    if node.get("x-vilkar-type") == "location":
        yield path
        return
    for name, child in node.get("properties", {}).items():
        yield from _location_paths(child, root, path + [name])


def _at(document: Any, path: list[str]) -> Any:
    for part in path:
        if not isinstance(document, dict) or part not in document:
            return None
        document = document[part]
    return document


