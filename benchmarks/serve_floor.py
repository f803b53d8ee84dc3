"""The floor under `vilkar serve`: the same uvicorn, loop, sockets and workers with an app that decides nothing.

    python benchmarks/serve_floor.py [--port 0] [--workers N]

The app reads the body and answers every request with one fixed decision record (a real one, of
the size the service sends), so wrk against it measures what HTTP on this machine costs before any
vilkar code runs: no faster service can be built on this stack here. benchmarks/serve_load.py
--floor runs it beside the service.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from evaluator.server.decide import decide  # noqa: E402
from evaluator.server.run import Supervisor, listen, serve_here  # noqa: E402
from evaluator.server.state import Service  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


def fixed_app(body: bytes) -> Any:
    headers = [(b"content-length", str(len(body)).encode()), (b"content-type", b"application/json")]

    async def app(scope: dict, receive: Any, send: Any) -> None:
        more = True
        while more:
            message = await receive()
            more = message.get("more_body", False)
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    return app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--workers", type=int, default=1)
    arguments = parser.parse_args()
    service = Service(None, workers=arguments.workers)
    sample = json.loads((ROOT / "samples" / "incident-sev-1-azure-uer.json").read_text(encoding="utf-8"))
    _, record = decide(service, service.loaded, sample, None, False)
    body = json.dumps(record, ensure_ascii=False, separators=(",", ":")).encode()
    sockets = listen(arguments.host, arguments.port, arguments.workers)
    print(f"serve_floor: listening on http://{arguments.host}:{sockets[0].getsockname()[1]}", file=sys.stderr,
          flush=True)

    def say(text: str) -> None:
        print(text, file=sys.stderr, flush=True)

    if arguments.workers == 1:
        serve_here(service, fixed_app(body), sockets[0], say)
    else:
        raise SystemExit(Supervisor(service, sockets, lambda _: fixed_app(body), say).run())


if __name__ == "__main__":
    main()
