"""Deciding documents for the service: the records of SPEC §8.9, with no HTTP in sight."""
from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from ..errors import RequestError, RequestProblem
from ..result import Result
from .body import BodyError
from .state import Loaded, Service

_TRUE, _FALSE = ("true", "1", "yes"), ("false", "0", "no", "")


def query_flag(name: str, value: str | None) -> bool:
    """`?explain=true`; anything that is not a yes or a no is a request error, not a silent no."""
    if value is None:
        return False
    if value.lower() in _TRUE:
        return True
    if value.lower() in _FALSE:
        return False
    raise BodyError(422, RequestProblem(f"?{name}", "is not true or false", value, "write ?explain=true"))


def query_as_of(value: str | None) -> dt.date | dt.datetime | None:
    """`?as_of=2026-01-01` or an RFC 3339 moment."""
    if value is None:
        return None
    try:
        if len(value) == 10:
            return dt.date.fromisoformat(value)
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        moment = None
    if moment is None or moment.utcoffset() is None:
        raise BodyError(422, RequestProblem("?as_of", "is not a date (YYYY-MM-DD) or a moment with a UTC offset",
                                            value, "write ?as_of=2026-01-01 or ?as_of=2026-01-01T09:00:00+01:00"))
    return moment


def decide(service: Service, loaded: Loaded, document: Any, as_of: dt.date | dt.datetime | None,
           explain: bool) -> tuple[int, dict[str, Any]]:
    """(200, decision record) or (422, the errors), and the decision logged; runs off the event loop."""
    try:
        result = loaded.policies.evaluate(document, as_of=as_of)
    except RequestError as error:
        return 422, {"errors": [problem.to_dict() for problem in error.errors]}
    record = decision_record(str(uuid.uuid4()), result, explain)
    service.log_decision(record, document)
    return 200, record


def decision_record(decision_id: str, result: Result, explain: bool) -> dict[str, Any]:
    """`{"decision_id", "kind", "version", "decisions", "notes", "trace"?}` from the result's own JSON form."""
    entry = result.to_dict(trace=explain)
    record = {"decision_id": decision_id, "kind": entry["kind"], "version": entry["version"],
              "decisions": entry["decisions"], "notes": entry["notes"]}
    if explain:
        record["trace"] = entry["trace"]
    return record
