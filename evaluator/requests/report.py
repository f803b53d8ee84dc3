"""The full report on an invalid request: every problem jsonschema finds, in words, at a JSON pointer.

Loaded only when a document fails the fast validator, so deciding valid documents never imports
jsonschema.
"""
from __future__ import annotations

import json
import re
from decimal import Decimal
from typing import Any, Iterator

from jsonschema import Draft202012Validator, FormatChecker, validators
from jsonschema.exceptions import ValidationError

from ..errors import RequestProblem
from ..language.diagnostics import did_you_mean
from .formats import (
    DATE_SHAPE, NAIVE_TIMESTAMP, RANGE_TEXT, TIMESTAMP_SHAPE, countries, is_country, is_date, is_time_zone,
    is_timestamp, out_of_range, time_zones,
)
from .plain import shown
from .schema import pointer

FORMATS = FormatChecker(formats=())
FORMATS.checks("date")(is_date)
FORMATS.checks("date-time")(is_timestamp)
FORMATS.checks("holidays-country")(is_country)
FORMATS.checks("iana-time-zone")(is_time_zone)


def _strict_pattern(validator, pattern, instance, schema) -> Iterator[ValidationError]:
    """`pattern` as ECMA-262 reads it, like the compiled validator: `$` takes no trailing newline, `\\d` is ASCII."""
    if not isinstance(instance, str):
        return
    if not re.search(pattern, instance, re.ASCII) or (pattern.endswith("$") and instance.endswith("\n")):
        yield ValidationError("does not match its pattern")


def _is_integer(checker, instance) -> bool:
    """JSON Schema's integer: a number with no fractional part, also when written `1.0` (an exact decimal)."""
    if isinstance(instance, bool):
        return False
    return isinstance(instance, int) or (isinstance(instance, Decimal) and instance == instance.to_integral_value())


_Validator = validators.extend(
    Draft202012Validator, {"pattern": _strict_pattern},
    type_checker=Draft202012Validator.TYPE_CHECKER.redefine("integer", _is_integer))




class Report:
    """jsonschema's complete error report for one kind, worded for a person."""

    def __init__(self, kind: str, schema: dict[str, Any]):
        self.kind = kind
        self.validator = _Validator(schema, format_checker=FORMATS)

    def problems(self, document: dict[str, Any]) -> list[RequestProblem]:
        """Every problem, one per JSON pointer: the most telling when several rules fail at one place."""
        by_pointer: dict[str, tuple[int, RequestProblem]] = {}
        for error in self.validator.iter_errors(document):
            rank = _RANK.get(error.validator, len(_RANK))
            for problem in self.describe(error):
                if problem.pointer not in by_pointer or rank < by_pointer[problem.pointer][0]:
                    by_pointer[problem.pointer] = (rank, problem)
        found = [problem for _, problem in by_pointer.values()]
        for problem in found:
            problem.value = shown(problem.value) if problem.has_value else None
        return found

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
            hint = did_you_mean(value, [str(v) for v in expected]) if isinstance(value, str) else None
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
        if kind == "minItems" and expected == 1:
            return RequestProblem(where, "must list at least one item", value)
        return RequestProblem(where, error.message, value)

    def format_problem(self, format_name: str, where: str, value: Any) -> RequestProblem:
        text = value if isinstance(value, str) else ""
        if format_name == "date":
            if DATE_SHAPE.fullmatch(text) and out_of_range(text):
                return RequestProblem(where, f"is outside the dates vilkar decides: {RANGE_TEXT}", value)
            if DATE_SHAPE.fullmatch(text):
                return RequestProblem(where, "is not a date that exists", value, "check the day and the month")
            return RequestProblem(where, "expected a date written YYYY-MM-DD", value)
        if format_name == "date-time":
            if TIMESTAMP_SHAPE.fullmatch(text) and out_of_range(text):
                return RequestProblem(where, f"is outside the moments vilkar decides: {RANGE_TEXT}", value)
            if TIMESTAMP_SHAPE.fullmatch(text):
                return RequestProblem(where, "is not a moment that exists", value,
                                      "check the date, the time (hours 00-23, minutes and seconds 00-59) "
                                      "and the offset (at most ±23:59)")
            if NAIVE_TIMESTAMP.fullmatch(text):
                return RequestProblem(where, "is a timestamp without a UTC offset", value,
                                      f"add the offset of the place it was taken, e.g. {text[:19]}+01:00 or "
                                      f"{text[:19]}Z")
            return RequestProblem(where, "expected an RFC 3339 timestamp with a UTC offset, "
                                  "e.g. 2026-11-27T16:45:00+01:00", value)
        if format_name == "holidays-country":
            return RequestProblem(where, "is not a country the holidays package knows (ISO 3166-1 alpha-2)", value,
                                  did_you_mean(text, countries()) if text else None)
        if format_name == "iana-time-zone":
            folded = {zone.casefold(): zone for zone in time_zones()}
            exact = folded.get(text.casefold()) if len(text) < 100 else None
            hint = f"did you mean `{exact}`?" if exact else did_you_mean(text, time_zones()) if text else None
            return RequestProblem(where, "is not an IANA time zone", value, hint or "for example Europe/Copenhagen")
        return RequestProblem(where, f"is not a valid {format_name}", value)


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
    "^([01][0-9]|2[0-3]):[0-5][0-9]$": "expected a time of day written HH:MM, 00:00 to 23:59, such as \"09:00\"",
}


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, Decimal)):
        brief = shown(value)
        return f"the number {value}" if brief is value else brief
    if isinstance(value, str):
        return "a text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def _quote_hint(value: Any, expected: list[str]) -> str | None:
    if "a text" in expected and isinstance(value, (int, Decimal)) and not isinstance(value, bool) \
            and shown(value) is value:
        return f'write it in quotes: "{value}"'
    if "a text" in expected and isinstance(value, bool):
        return 'write it in quotes; in YAML an unquoted yes/no/true/false is not text'
    return None
