"""Where a `POST /v1/decisions` spends its CPU, layer by layer, measured side by side in one process.

    pip install '.[server]' && python benchmarks/serve_profile.py [--rounds 5] [--requests 3000]

Every JSON sample in samples/ is sent in rotation. Each stage is timed in CPU time of this process
(thread time for the stages without a thread, process time for those with one, so that a deciding
thread's work is counted), the rounds interleaved and the best round kept, so that other work on
a shared machine disturbs the figures as little as it can. The ASGI rows call the application
directly, as uvicorn does, without a socket: what is left of a request's cost under wrk
(benchmarks/serve_load.py) is uvicorn's HTTP parsing and the kernel's loopback.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
import uuid
from pathlib import Path
from typing import Any, Callable

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from evaluator.server.app import create_app, encode  # noqa: E402
from evaluator.server.body import parse_json  # noqa: E402
from evaluator.server.decide import decide, decision_record  # noqa: E402
from evaluator.server.state import Service  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


def scope_of(body: bytes) -> dict[str, Any]:
    return {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST", "scheme": "http",
            "path": "/v1/decisions", "raw_path": b"/v1/decisions", "query_string": b"", "root_path": "",
            "headers": [(b"host", b"127.0.0.1"), (b"content-type", b"application/json"),
                        (b"content-length", str(len(body)).encode())],
            "client": ("127.0.0.1", 50000), "server": ("127.0.0.1", 8181)}


def asgi_caller(app: Any, bodies: list[bytes]) -> Callable[[int], Any]:
    scopes = [scope_of(body) for body in bodies]
    messages = [{"type": "http.request", "body": body, "more_body": False} for body in bodies]

    async def call(index: int) -> None:
        slot = index % len(bodies)
        statuses: list[int] = []

        async def receive() -> dict[str, Any]:
            return messages[slot]

        async def send(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                statuses.append(message["status"])

        await app(scopes[slot], receive, send)
        if statuses != [200]:
            raise SystemExit(f"the app answered {statuses} for sample {slot}")

    return call


async def floor_app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    await receive()
    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"content-length", b"2"), (b"content-type", b"application/json")]})
    await send({"type": "http.response.body", "body": b"{}"})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--requests", type=int, default=3000, help="requests per stage and round")
    arguments = parser.parse_args()
    bodies = [json.dumps(json.loads(path.read_text(encoding="utf-8")), ensure_ascii=False,
                         separators=(",", ":")).encode() for path in sorted((ROOT / "samples").glob("*.json"))]
    service = Service(None)
    loaded = service.loaded
    documents = [parse_json(body) for body in bodies]
    results = [loaded.policies.evaluate(document) for document in documents]
    records = [decision_record(str(uuid.uuid4()), result, False) for result in results]
    app = create_app(service)
    threaded = create_app(service, inline_body=0)

    plain: list[tuple[str, Callable[[int], Any]]] = [
        ("parse the JSON body", lambda i: parse_json(bodies[i % len(bodies)])),
        ("evaluate (validate and decide)", lambda i: loaded.policies.evaluate(documents[i % len(documents)])),
        ("result.to_dict", lambda i: results[i % len(results)].to_dict(trace=False)),
        ("decision id (uuid4)", lambda i: str(uuid.uuid4())),
        ("encode the record", lambda i: encode(records[i % len(records)])),
        ("decide(): evaluate, to_dict, id", lambda i: decide(service, loaded, documents[i % len(documents)], None,
                                                              False)),
    ]
    asgi: list[tuple[str, Callable[[int], Any]]] = [
        ("ASGI: an app that decides nothing", asgi_caller(floor_app, bodies)),
        ("ASGI: the service, decided on the loop", asgi_caller(app, bodies)),
        ("ASGI: the service, decided on a thread", asgi_caller(threaded, bodies)),
        ("ASGI: the same through Starlette's router", asgi_caller(app.rest, bodies)),
    ]
    best: dict[str, float] = {}

    async def asgi_round() -> None:
        for label, call in asgi:
            started = time.process_time()
            for index in range(arguments.requests):
                await call(index)
            spent = (time.process_time() - started) / arguments.requests * 1e6
            best[label] = min(best.get(label, spent), spent)

    runner = asyncio.Runner(loop_factory=_loop_factory())
    for _ in range(arguments.rounds):
        for label, call in plain:
            started = time.thread_time()
            for index in range(arguments.requests):
                call(index)
            spent = (time.thread_time() - started) / arguments.requests * 1e6
            best[label] = min(best.get(label, spent), spent)
        runner.run(asgi_round())
    runner.close()
    print(f"CPU per request, best of {arguments.rounds} rounds of {arguments.requests:,} "
          f"({len(bodies)} samples in rotation):")
    for label, _ in plain + asgi:
        print(f"  {label:<44} {best[label]:7.1f} µs")


def _loop_factory() -> Any:
    try:
        import uvloop
    except ImportError:
        return None
    return uvloop.new_event_loop


if __name__ == "__main__":
    main()
