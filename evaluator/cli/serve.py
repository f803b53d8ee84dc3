"""`vilkar serve`: the decision service over HTTP (extra `vilkar[server]`: Starlette and uvicorn)."""
from __future__ import annotations

import asyncio
import contextlib
import signal
import socket
import threading
from typing import Iterator

import click

from ..errors import PolicyError
from .common import EXIT_INPUT, echo, policies_option, schemas_option, style


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(0, 65535), default=8181, show_default=True, help="Port to listen on.")
@click.option("--decision-log", "decision_log", metavar="FILE",
              help="Append one JSON line per decision (decision_id, timestamp, kind, version, input, decisions).")
@click.option("--max-body", "max_body", type=click.IntRange(min=1), default=1 << 20, show_default=True,
              help="Largest request body in bytes for /v1/decisions (the batch endpoint allows 16 times as much).")
@policies_option
@schemas_option
def serve_command(host: str, port: int, decision_log: str | None, max_body: int, policies_dir: str | None,
                  schemas_dir: str | None) -> None:
    """Serve decisions over HTTP: POST /v1/decisions, /v1/decisions/batch; GET /health, /v1/status, /openapi.json.

    SIGHUP reloads the rule set; the old one keeps serving until the new one has loaded and checked.
    """
    try:
        import uvicorn

        from ..server.app import create_app
        from ..server.state import Service
    except ImportError as error:
        echo(f"vilkar serve needs the server extra ({error.name} is missing): pip install 'vilkar[server]'", err=True)
        raise SystemExit(EXIT_INPUT)
    try:
        service = Service(policies_dir, schemas_dir, decision_log=decision_log)
    except PolicyError as error:
        echo(str(error), err=True)
        echo(style(f"the rule set has {len(error.diagnostics)} problem(s); not serving", fg="red"), err=True)
        raise SystemExit(EXIT_INPUT)
    except OSError as error:
        echo(f"{decision_log}: cannot write the decision log: {error.strerror}", err=True)
        raise SystemExit(EXIT_INPUT)
    app = create_app(service, max_body=max_body, max_batch_body=16 * max_body)
    try:
        listening = _listen(host, port)
    except OSError as error:  # the port is taken, or the address is not this machine's
        echo(f"vilkar serve: cannot listen on {host}:{port}: {error.strerror or error}", err=True)
        raise SystemExit(EXIT_INPUT)
    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off")
    server = _server_class(uvicorn)(config)
    rule_set = service.loaded.rule_set
    bound = listening.getsockname()[1]
    echo(f"vilkar serve: listening on http://{_url_host(host)}:{bound} — rule set: {rule_set['path']} "
         f"({rule_set['files']} files, sha256 {rule_set['sha256'][:12]}…); SIGHUP reloads it", err=True)
    try:
        with asyncio.Runner(loop_factory=_loop_factory()) as runner:
            runner.run(_serve(server, service, listening))
    finally:
        service.close()


def _loop_factory():
    """uvloop where it is installed (the server extra brings it on Linux and macOS): several times the
    requests per second of the standard loop."""
    try:
        import uvloop
    except ImportError:
        return None
    return uvloop.new_event_loop


def _listen(host: str, port: int) -> socket.socket:
    """The listening socket, bound here so that a busy port is our error message and `--port 0` works."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    listening = socket.socket(family, socket.SOCK_STREAM)
    listening.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        listening.bind((host, port))
        listening.listen(2048)
    except OSError:
        listening.close()
        raise
    return listening


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host


def _server_class(uvicorn):
    class Server(uvicorn.Server):
        """uvicorn's server, minus its signal handling: it re-raises SIGTERM after a graceful stop, which
        would kill the process before the decision log is closed and make every clean stop exit -15."""

        @contextlib.contextmanager
        def capture_signals(self) -> Iterator[None]:
            yield

    return Server


async def _serve(server, service, listening: socket.socket) -> None:
    loop = asyncio.get_running_loop()
    for stop in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(stop, lambda: setattr(server, "should_exit", True))
    if hasattr(signal, "SIGHUP"):
        loop.add_signal_handler(signal.SIGHUP, lambda: _reload_in_background(service))
    await server.serve(sockets=[listening])


def _reload_in_background(service) -> None:
    """Reload on a thread: the old rule set keeps answering on the event loop while the new one compiles."""

    def reload() -> None:
        if service.reload():
            rule_set = service.loaded.rule_set
            echo(f"vilkar serve: reloaded rule set {rule_set['path']} (sha256 {rule_set['sha256'][:12]}…)", err=True)
        else:
            echo(f"vilkar serve: the new rule set does not load; still serving the old one\n"
                 f"{service.reloads.last_error}", err=True)

    threading.Thread(target=reload, name="vilkar-reload", daemon=True).start()
