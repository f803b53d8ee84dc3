"""Request validation against the kinds' JSON schemas, with every problem worded and located."""
from __future__ import annotations

import datetime as dt
import difflib
import json
import math
import re
import zoneinfo
from collections.abc import Mapping
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterator

import holidays
from jsonschema import Draft202012Validator, FormatChecker, validators
from jsonschema.exceptions import ValidationError

from .errors import RequestProblem

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})")
_NAIVE_TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?")


def load_schemas(directory: Path) -> dict[str, dict[str, Any]]:
    """Every `<kind>.schema.json` in a directory, by kind."""
    schemas = {}
    for path in sorted(directory.glob("*.schema.json")):
        schema = json.loads(path.read_text(encoding="utf-8"))
        Draft202012Validator.check_schema(schema)
        schemas[path.name[: -len(".schema.json")]] = schema
    return schemas


# ---------------------------------------------------------------- formats


@lru_cache(maxsize=1)
def countries() -> dict[str, list[str]]:
    """Countries the holidays package knows (ISO 3166-1 alpha-2) and their subdivisions."""
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


FORMATS = FormatChecker(formats=())
FORMATS.checks("date")(is_date)
FORMATS.checks("date-time")(is_timestamp)
FORMATS.checks("holidays-country")(lambda v: not isinstance(v, str) or v in countries())
FORMATS.checks("iana-time-zone")(lambda v: not isinstance(v, str) or v in time_zones())


def _strict_pattern(validator, pattern, instance, schema) -> Iterator[ValidationError]:
    """`pattern`, except that `$` does not accept a trailing newline (Python's `re` would)."""
    if not isinstance(instance, str):
        return
    if not re.search(pattern, instance) or (pattern.endswith("$") and instance.endswith("\n")):
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


def _is_integer(checker, instance) -> bool:
    """JSON Schema's integer: a number with no fractional part, also when written `1.0` (an exact decimal)."""
    if isinstance(instance, bool):
        return False
    return isinstance(instance, int) or (isinstance(instance, Decimal) and instance == instance.to_integral_value())


_Validator = validators.extend(
    Draft202012Validator, {"pattern": _strict_pattern},
    type_checker=Draft202012Validator.TYPE_CHECKER.redefine("integer", _is_integer))


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
            self.has_decimals = True
            return Decimal(repr(float(value)))  # the shortest decimal text: 0.3 stays 0.3
        if isinstance(value, Decimal):
            if not value.is_finite():
                return self.problem("is not a finite number", value)
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
        self.validator = _Validator(schema, format_checker=FORMATS)
        self.fast = _fast_validator(schema)
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
        by_pointer: dict[str, tuple[int, RequestProblem]] = {}
        for error in self.validator.iter_errors(document):
            rank = _RANK.get(error.validator, len(_RANK))
            for problem in self.describe(error):
                if problem.pointer not in by_pointer or rank < by_pointer[problem.pointer][0]:
                    by_pointer[problem.pointer] = (rank, problem)
        found = [problem for _, problem in by_pointer.values()]
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

    def describe(self, error: ValidationError) -> list[RequestProblem]:
        path = list(error.absolute_path)
        where = pointer(path)
        value = error.instance
        kind = error.validator
        if kind == "required":
            missing = [name for name in error.validator_value if isinstance(value, dict) and name not in value]
            return [RequestProblem(pointer(path + [name]), "is required but missing", has_value=False,
                                   hint=self.field_hint(error.schema, name)) for name in missing]
        if kind == "additionalProperties":
            allowed = list(error.schema.get("properties", {}))
            extras = [name for name in value if name not in allowed]
            return [RequestProblem(pointer(path + [name]), f"is not a field of this {self.noun(path)}", value[name],
                                   did_you_mean(name, allowed) or f"the fields are: {', '.join(allowed)}")
                    for name in extras]
        if kind in ("anyOf", "oneOf"):
            return [self.any_of(error, where)]
        return [self.single(kind, error, where, value)]

    def noun(self, path: list[Any]) -> str:
        return f"`{self.kind}` request" if not path else "object"

    def field_hint(self, schema: dict[str, Any], name: str) -> str | None:
        description = schema.get("properties", {}).get(name, {}).get("description")
        return description

    def any_of(self, error: ValidationError, where: str) -> RequestProblem:
        branches = [e for e in error.context if e.validator != "type"]
        if branches:
            inner = branches[0]
            return self.single(inner.validator, inner, where, error.instance)
        expected = sorted({_TYPE_WORDS.get(t, t) for e in error.context for t in _as_list(e.validator_value)})
        return RequestProblem(where, f"expected {' or '.join(expected)}, got {_json_type(error.instance)}",
                              error.instance, _quote_hint(error.instance, expected))

    def single(self, kind: str, error: ValidationError, where: str, value: Any) -> RequestProblem:
        expected = error.validator_value
        if kind == "type":
            words = [_TYPE_WORDS.get(t, t) for t in _as_list(expected)]
            return RequestProblem(where, f"expected {' or '.join(words)}, got {_json_type(value)}", value,
                                  _quote_hint(value, words))
        if kind == "enum":
            shown = ", ".join(json.dumps(v) for v in expected)
            hint = did_you_mean(str(value), [str(v) for v in expected])
            if isinstance(value, (int, Decimal)) and not isinstance(value, bool) and str(value) in map(str, expected):
                hint = f'write it in quotes: "{value}" (a YAML or JSON number is not the text "{value}")'
            return RequestProblem(where, f"expected one of {shown}", value, hint)
        if kind == "const":
            if where.endswith("/currency"):
                return RequestProblem(where, f"only {expected} is accepted: this contract is priced in {expected}",
                                      value, f'write "currency": "{expected}"')
            if where == "/kind":
                return RequestProblem(where, f'expected "{expected}"', value)
            return RequestProblem(where, f"expected {json.dumps(expected)}", value)
        if kind == "format":
            return self.format_problem(expected, where, value)
        if kind == "pattern":
            return RequestProblem(where, _PATTERN_WORDS.get(expected, f"does not match the pattern {expected}"), value)
        if kind in ("minimum", "exclusiveMinimum", "maximum", "exclusiveMaximum"):
            words = {"minimum": "at least", "exclusiveMinimum": "more than", "maximum": "at most",
                     "exclusiveMaximum": "less than"}[kind]
            return RequestProblem(where, f"must be {words} {expected}", value)
        if kind == "minLength" and expected == 1:
            return RequestProblem(where, "must not be empty", value)
        if kind == "uniqueItems":
            return RequestProblem(where, "lists an item more than once", value)
        return RequestProblem(where, error.message, value)

    def format_problem(self, format_name: str, where: str, value: Any) -> RequestProblem:
        if format_name == "date":
            if isinstance(value, str) and _DATE.fullmatch(value):
                return RequestProblem(where, "is not a date that exists", value, "check the day and the month")
            return RequestProblem(where, "expected a date written YYYY-MM-DD", value)
        if format_name == "date-time":
            if isinstance(value, str) and _NAIVE_TIMESTAMP.fullmatch(value):
                return RequestProblem(where, "is a timestamp without a UTC offset", value,
                                      f"add the offset of the place it was taken, e.g. {value[:19]}+01:00 or "
                                      f"{value[:19]}Z")
            return RequestProblem(where, "expected an RFC 3339 timestamp with a UTC offset, "
                                  "e.g. 2026-11-27T16:45:00+01:00", value)
        if format_name == "holidays-country":
            return RequestProblem(where, "is not a country the holidays package knows (ISO 3166-1 alpha-2)", value,
                                  did_you_mean(str(value), countries()))
        if format_name == "iana-time-zone":
            folded = {zone.casefold(): zone for zone in time_zones()}
            exact = folded.get(str(value).casefold())
            hint = f"did you mean `{exact}`?" if exact else did_you_mean(str(value), time_zones())
            return RequestProblem(where, "is not an IANA time zone", value, hint or "for example Europe/Copenhagen")
        return RequestProblem(where, f"is not a valid {format_name}", value)


def did_you_mean(value: str, candidates: Any) -> str | None:
    matches = difflib.get_close_matches(value, list(candidates), n=1, cutoff=0.6)
    return f"did you mean `{matches[0]}`?" if matches else None


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


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


# When several rules fail at one pointer, the earlier in this list says more about what to write.
_RANK = {name: rank for rank, name in enumerate(
    ["required", "additionalProperties", "enum", "const", "format", "pattern", "anyOf", "oneOf", "type"])}

_TYPE_WORDS = {"string": "a text", "integer": "a whole number", "number": "a number", "boolean": "true or false",
               "object": "an object", "array": "a list", "null": "null"}

_PATTERN_WORDS = {
    "^[a-z]{2}$": "expected a two-letter lower-case ISO 639-1 language code, such as \"en\"",
    "^[A-Z]{2}$": "expected a two-letter upper-case ISO 3166-1 country code, such as \"DK\"",
    "^[A-Z]{3}$": "expected a three-letter ISO 4217 currency code, such as \"EUR\"",
    "^[0-9]+(\\.[0-9]+)?$": "expected a decimal number of at least 0, such as \"12500.00\"",
    "^(?=.*[1-9])[0-9]+(\\.[0-9]+)?$": "expected a decimal number above 0, such as \"1250.00\"",
}


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int):
        return f"the number {value}"
    if isinstance(value, Decimal):
        return f"the number {value}"
    if isinstance(value, str):
        return "a text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def _quote_hint(value: Any, expected: list[str]) -> str | None:
    if "a text" in expected and isinstance(value, (int, Decimal)) and not isinstance(value, bool):
        return f'write it in quotes: "{value}"'
    if "a text" in expected and isinstance(value, bool):
        return 'write it in quotes; in YAML an unquoted yes/no/true/false is not text'
    return None
