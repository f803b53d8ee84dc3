"""The ASGI application: the routes, status codes and bodies of SPEC §8.9.

`POST /v1/decisions`, nearly every request the service gets, is answered by a plain ASGI handler in
front of Starlette; everything else (batches, health, status, OpenAPI, and the 404 and 405 answers)
goes through Starlette's routing. The handler sends what Starlette would: the same status codes,
bodies and headers (the tests hold it to that).

Bodies are read with a cap (a declared Content-Length over it is refused unread) and parsed on the
event loop. A document of up to `INLINE_BODY` bytes is decided on the loop too: measured side by side
(benchmarks/serve_profile.py), handing a decision to a thread and back costs more CPU than the whole
request does without it, and a small document decides in tens of microseconds, so the loop's other
connections wait no longer than that. Larger documents and batches are decided on a worker thread, so
that deciding never holds up the loop for long: one thread for single decisions and one for batches,
because deciding holds the GIL and more threads would only add switching. A plain executor, not
Starlette's run_in_threadpool, whose capacity limiter and task group cost more still. Several cores
are used by several worker processes (server/run.py), not threads.
"""
from __future__ import annotations

import asyncio
import json
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Awaitable, Callable
from urllib.parse import parse_qsl

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
INLINE_BODY = 16 << 10  # documents up to this size are decided on the event loop (see above)

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]
_JSON_TYPE = (b"content-type", b"application/json")


class DecisionService:
    """The service's ASGI callable: the hot endpoint directly, the rest through Starlette."""

    def __init__(self, decide_one: DecideOne, rest: Starlette):
        self.decide_one = decide_one
        self.rest = rest

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "POST" and scope["path"] == "/v1/decisions" \
                and not scope.get("root_path"):
            await self.decide_one(scope, receive, send)
        else:
            await self.rest(scope, receive, send)


class DecideOne:
    """`POST /v1/decisions` as a plain ASGI app: one request document in, one record out."""

    def __init__(self, service: Service, max_body: int, inline_body: int, deciding: ThreadPoolExecutor):
        self.service = service
        self.max_body = max_body
        self.inline_body = inline_body
        self.deciding = deciding

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            status, record = await self.decide(scope, receive)
        except Exception:  # as Starlette's ServerErrorMiddleware: a plain 500, and the error to the server's log
            await send({"type": "http.response.start", "status": 500,
                        "headers": [(b"content-length", b"21"), (b"content-type", b"text/plain; charset=utf-8")]})
            await send({"type": "http.response.body", "body": b"Internal Server Error"})
            raise
        await send_json(send, status, record)

    async def decide(self, scope: Scope, receive: Receive) -> tuple[int, dict[str, Any]]:
        service = self.service
        service.counters.add("requests")
        try:
            as_of, explain = parse_query(scope["query_string"])
            body = await read_body(scope, receive, self.max_body)
            document = parse_json(body)
        except BodyError as error:
            return refused(service, error)
        loaded = service.loaded  # read once: a reload during this request does not change its rule set
        if len(body) <= self.inline_body:
            status, record = decide(service, loaded, document, as_of, explain)
        else:
            status, record = await asyncio.get_running_loop().run_in_executor(
                self.deciding, decide, service, loaded, document, as_of, explain)
        count(service, status, record)
        return status, record


def create_app(service: Service, max_body: int = MAX_BODY, max_batch_body: int = MAX_BATCH_BODY,
               inline_body: int = INLINE_BODY) -> DecisionService:
    """The decision service over `service`'s rule set."""
    deciding = ThreadPoolExecutor(1, thread_name_prefix="vilkar-decide")
    batching = ThreadPoolExecutor(1, thread_name_prefix="vilkar-batch")
    decide_one = DecideOne(service, max_body, inline_body, deciding)

    async def decide_batch(request: Request) -> Response:
        service.counters.add("requests")
        service.counters.add("batches")
        try:
            as_of, explain = parse_query(request.scope["query_string"])
            items = parse_json(await _read(request, max_batch_body))
            if not isinstance(items, list):
                raise BodyError(422, RequestProblem("", "a batch is a JSON array of request documents",
                                                    type(items).__name__, "send [ {...}, {...} ]"))
            if len(items) > MAX_BATCH:
                raise BodyError(422, RequestProblem("", f"a batch holds at most {MAX_BATCH:,} documents",
                                                    len(items), "split it into several batches"))
        except BodyError as error:
            return _json(*refused(service, error))
        loaded = service.loaded
        records = await asyncio.get_running_loop().run_in_executor(
            batching, _decide_all, service, loaded, items, as_of, explain)
        for status, record in records:
            count(service, status, record)
        return _json(200, [record for _, record in records])

    async def health(request: Request) -> Response:
        return _json(200, {"status": "ok"})

    async def status(request: Request) -> Response:
        return _json(200, service.status())

    async def openapi(request: Request) -> Response:
        return Response(service.loaded.openapi, media_type="application/json")

    routes = [
        Route("/v1/decisions", decide_one, methods=["POST"]),  # reached only for the 405 and a root path
        Route("/v1/decisions/batch", decide_batch, methods=["POST"]),
        Route("/health", health, methods=["GET"]),
        Route("/v1/status", status, methods=["GET"]),
        Route("/openapi.json", openapi, methods=["GET"]),
    ]
    return DecisionService(decide_one, Starlette(routes=routes))


def _decide_all(service: Service, loaded: Any, items: list[Any], as_of: Any,
                explain: bool) -> list[tuple[int, dict[str, Any]]]:
    return [decide(service, loaded, item, as_of, explain) for item in items]


def parse_query(query_string: bytes) -> tuple[Any, bool]:
    """`?as_of=` and `?explain=`; the last of a repeated parameter counts, as in Starlette."""
    if not query_string:
        return None, False
    params = dict(parse_qsl(query_string.decode("latin-1"), keep_blank_values=True))
    return query_as_of(params.get("as_of")), query_flag("explain", params.get("explain"))


async def read_body(scope: Scope, receive: Receive, limit: int) -> bytes:
    """The body, refused with 413 as soon as it is known to be over `limit` bytes."""
    for name, value in scope["headers"]:
        if name == b"content-length":
            if value.isdigit() and int(value) > limit:
                raise _too_large(limit)
            break
    chunks, size = [], 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise _disconnected()
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise _too_large(limit)
        chunks.append(chunk)
        if not message.get("more_body", False):
            return chunks[0] if len(chunks) == 1 else b"".join(chunks)


async def _read(request: Request, limit: int) -> bytes:
    """As `read_body`, through Starlette's request (for the batch endpoint)."""
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
        raise _disconnected() from None
    return b"".join(chunks)


def _disconnected() -> BodyError:
    return BodyError(400, RequestProblem("", "the client closed the connection before the body ended",
                                         has_value=False))


def _too_large(limit: int) -> BodyError:
    return BodyError(413, RequestProblem("", f"the body is over the limit of {limit:,} bytes", has_value=False,
                                         hint="send a smaller document, or raise the limit with --max-body"))


def refused(service: Service, error: BodyError) -> tuple[int, dict[str, Any]]:
    service.counters.add({400: "malformed", 413: "too_large"}.get(error.status, "invalid"))
    return error.status, {"errors": [error.problem.to_dict()]}


def count(service: Service, status: int, record: dict[str, Any]) -> None:
    if status == 200:
        service.counters.add("decisions")
        service.counters.add_kind(record["kind"])
    else:
        service.counters.add("invalid")


_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))  # made once: json.dumps makes one a call


def encode(body: Any) -> bytes:
    return _ENCODER.encode(body).encode()


async def send_json(send: Send, status: int, body: Any) -> None:
    """A JSON response with the headers Starlette's Response gives it."""
    data = encode(body)
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-length", str(len(data)).encode()), _JSON_TYPE]})
    await send({"type": "http.response.body", "body": data})


def _json(status: int, body: Any) -> Response:
    return Response(encode(body), status_code=status, media_type="application/json")
