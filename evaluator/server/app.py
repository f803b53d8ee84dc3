"""The Starlette application: the routes, status codes and bodies of SPEC §8.9.

Bodies are read with a cap (a declared Content-Length over it is refused unread), parsed on the event
loop (a megabyte of JSON parses in milliseconds), and decided on a worker thread, so that deciding
never stalls the loop that accepts connections. Single decisions and batches have a thread each:
deciding holds the GIL, so more threads would only add switching, and a batch of 1,000 never queues
ahead of single decisions. A plain executor, not Starlette's run_in_threadpool: its capacity limiter
and task group cost more than the decision itself (measured: 5,500 against 7,500 requests/s).
"""
from __future__ import annotations

import asyncio
import json
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from starlette.applications import Starlette
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response
from starlette.routing import Route

from ..errors import RequestProblem
from .body import BodyError, parse_json
from .decide import decide, query_as_of, query_flag
from .openapi import MAX_BATCH
from .state import Service

MAX_BODY = 1 << 20  # SPEC §8.9: a request document over 1 MiB is refused with 413
MAX_BATCH_BODY = 16 << 20  # room for 1,000 documents of up to 16 KiB each


def create_app(service: Service, max_body: int = MAX_BODY, max_batch_body: int = MAX_BATCH_BODY) -> Starlette:
    """The decision service over `service`'s rule set."""
    deciding = ThreadPoolExecutor(1, thread_name_prefix="vilkar-decide")
    batching = ThreadPoolExecutor(1, thread_name_prefix="vilkar-batch")

    async def decide_one(request: Request) -> Response:
        service.counters["requests"] += 1
        try:
            as_of, explain = _query(request)
            document = parse_json(await _read(request, max_body))
        except BodyError as error:
            return _refused(service, error)
        loaded = service.loaded  # read once: a reload during this request does not change its rule set
        status, record = await asyncio.get_running_loop().run_in_executor(
            deciding, decide, service, loaded, document, as_of, explain)
        _count(service, status, record)
        return _json(status, record)

    async def decide_batch(request: Request) -> Response:
        service.counters["requests"] += 1
        service.counters["batches"] += 1
        try:
            as_of, explain = _query(request)
            items = parse_json(await _read(request, max_batch_body))
            if not isinstance(items, list):
                raise BodyError(422, RequestProblem("", "a batch is a JSON array of request documents",
                                                    type(items).__name__, "send [ {...}, {...} ]"))
            if len(items) > MAX_BATCH:
                raise BodyError(422, RequestProblem("", f"a batch holds at most {MAX_BATCH:,} documents",
                                                    len(items), "split it into several batches"))
        except BodyError as error:
            return _refused(service, error)
        loaded = service.loaded
        records = await asyncio.get_running_loop().run_in_executor(
            batching, _decide_all, service, loaded, items, as_of, explain)
        for status, record in records:
            _count(service, status, record)
        return _json(200, [record for _, record in records])

    async def health(request: Request) -> Response:
        return _json(200, {"status": "ok"})

    async def status(request: Request) -> Response:
        return _json(200, service.status())

    async def openapi(request: Request) -> Response:
        return Response(service.loaded.openapi, media_type="application/json")

    routes = [
        Route("/v1/decisions", decide_one, methods=["POST"]),
        Route("/v1/decisions/batch", decide_batch, methods=["POST"]),
        Route("/health", health, methods=["GET"]),
        Route("/v1/status", status, methods=["GET"]),
        Route("/openapi.json", openapi, methods=["GET"]),
    ]
    return Starlette(routes=routes)


def _decide_all(service: Service, loaded: Any, items: list[Any], as_of: Any,
                explain: bool) -> list[tuple[int, dict[str, Any]]]:
    return [decide(service, loaded, item, as_of, explain) for item in items]


def _query(request: Request) -> tuple[Any, bool]:
    params = request.query_params
    return query_as_of(params.get("as_of")), query_flag("explain", params.get("explain"))


async def _read(request: Request, limit: int) -> bytes:
    """The body, refused with 413 as soon as it is known to be over `limit` bytes."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise _too_large(limit)
    chunks, size = [], 0
    try:
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                raise _too_large(limit)
            chunks.append(chunk)
    except ClientDisconnect:
        raise BodyError(400, RequestProblem("", "the client closed the connection before the body ended",
                                            has_value=False)) from None
    return b"".join(chunks)


def _too_large(limit: int) -> BodyError:
    return BodyError(413, RequestProblem("", f"the body is over the limit of {limit:,} bytes", has_value=False,
                                         hint="send a smaller document, or raise the limit with --max-body"))


def _refused(service: Service, error: BodyError) -> Response:
    service.counters[{400: "malformed", 413: "too_large"}.get(error.status, "invalid")] += 1
    return _json(error.status, {"errors": [error.problem.to_dict()]})


def _count(service: Service, status: int, record: dict[str, Any]) -> None:
    if status == 200:
        service.counters["decisions"] += 1
        service.decided_by_kind[record["kind"]] += 1
    else:
        service.counters["invalid"] += 1


def _json(status: int, body: Any) -> Response:
    text = json.dumps(body, ensure_ascii=False, separators=(",", ":"))
    return Response(text.encode(), status_code=status, media_type="application/json")
