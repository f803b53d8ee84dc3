"""Request bodies of the decision service: JSON read exactly as the CLI reads it, or a worded reason why not."""
from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from ..errors import RequestProblem


class BodyError(Exception):
    """A body that is not one JSON value (400), or a JSON value that no request can be (422)."""

    def __init__(self, status: int, problem: RequestProblem):
        self.status = status
        self.problem = problem
        super().__init__(problem.message)


def parse_json(raw: bytes) -> Any:
    """The JSON value of a body, numbers with a fraction as exact Decimals; raises BodyError."""
    try:
        text = raw.decode("utf-8-sig")  # a byte-order mark is accepted, as from a file (SPEC §8.2)
    except UnicodeDecodeError as error:
        raise BodyError(400, RequestProblem("", f"the body is not UTF-8 text (byte {error.start})",
                                            has_value=False, hint="send the request document as UTF-8 JSON"))
    try:
        return _DECODER.decode(text)
    except json.JSONDecodeError as error:
        raise BodyError(400, RequestProblem("", f"not valid JSON at line {error.lineno} column {error.colno}: "
                                                f"{error.msg}", has_value=False,
                                            hint="the body must be one JSON object: a request document"))
    except RecursionError:
        raise BodyError(400, RequestProblem("", "not valid JSON: nested too deeply", has_value=False))
    except _Constant as constant:
        raise BodyError(400, RequestProblem("", f"not valid JSON: {constant.name} is not a JSON number",
                                            has_value=False, hint="write numbers as digits"))
    except _DuplicateKey as duplicate:
        raise BodyError(422, RequestProblem("", f"the key {json.dumps(duplicate.key)} appears twice in one object",
                                            duplicate.key, "give each field once"))


class _DuplicateKey(ValueError):
    def __init__(self, key: str):
        self.key = key
        super().__init__(key)


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) != len(pairs):  # SPEC §5: duplicate keys are a request error, in JSON as in YAML
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise _DuplicateKey(key)
            seen.add(key)
    return result


class _Constant(ValueError):
    def __init__(self, name: str):
        self.name = name
        super().__init__(name)


def _no_constant(name: str) -> Any:
    raise _Constant(name)  # Python's json reads NaN and Infinity, which JSON does not have


# made once: json.loads with options makes a decoder each call
_DECODER = json.JSONDecoder(parse_float=Decimal, parse_constant=_no_constant, object_pairs_hook=_object)


def plain_json(value: Any) -> Any:
    """A parsed document made JSON-serialisable again for the decision log: Decimals become numbers."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() and value.is_finite() else float(value)
    if isinstance(value, dict):
        return {key: plain_json(item) for key, item in value.items()}
    if isinstance(value, list):
        return [plain_json(item) for item in value]
    return value
