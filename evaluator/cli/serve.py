"""`vilkar serve`: the decision service over HTTP (extra `vilkar[server]`: Starlette and uvicorn)."""
from __future__ import annotations

import os

import click

from ..errors import PolicyError
from .common import EXIT_INPUT, echo, policies_option, schemas_option, style


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(0, 65535), default=8181, show_default=True, help="Port to listen on.")
@click.option("--workers", type=click.IntRange(1, 64), default=1, show_default=True,
              help="Worker processes deciding in parallel, one per core is right (forked; not on Windows).")
@click.option("--decision-log", "decision_log", metavar="FILE",
              help="Append one JSON line per decision (decision_id, timestamp, kind, version, input, decisions).")
@click.option("--max-body", "max_body", type=click.IntRange(min=1), default=1 << 20, show_default=True,
              help="Largest request body in bytes for /v1/decisions (the batch endpoint allows 16 times as much).")
@policies_option
@schemas_option
def serve_command(host: str, port: int, workers: int, decision_log: str | None, max_body: int,
                  policies_dir: str | None, schemas_dir: str | None) -> None:
    """Serve decisions over HTTP: POST /v1/decisions, /v1/decisions/batch; GET /health, /v1/status, /openapi.json.

    SIGHUP reloads the rule set (in every worker); the old one keeps serving until the new one has
    loaded and checked.
    """
    try:
        import uvicorn  # noqa: F401

        from ..server.app import create_app
        from ..server.run import Supervisor, hold_early_sighup, listen, serve_here
        from ..server.state import Service
    except ImportError as error:
        echo(f"vilkar serve needs the server extra ({error.name} is missing): pip install 'vilkar[server]'", err=True)
        raise SystemExit(EXIT_INPUT)
    if workers > 1 and not hasattr(os, "fork"):
        echo("vilkar serve: --workers needs fork(), which this platform does not have; run one process per port",
             err=True)
        raise SystemExit(EXIT_INPUT)
    try:
        service = Service(policies_dir, schemas_dir, decision_log=decision_log, workers=workers)
    except PolicyError as error:
        echo(str(error), err=True)
        echo(style(f"the rule set has {len(error.diagnostics)} problem(s); not serving", fg="red"), err=True)
        raise SystemExit(EXIT_INPUT)
    except OSError as error:
        echo(f"{decision_log}: cannot write the decision log: {error.strerror}", err=True)
        raise SystemExit(EXIT_INPUT)
    try:
        sockets = listen(host, port, workers)
    except OSError as error:  # the port is taken, or the address is not this machine's
        service.close()
        echo(f"vilkar serve: cannot listen on {host}:{port}: {error.strerror or error}", err=True)
        raise SystemExit(EXIT_INPUT)

    def make_app(service: Service):
        return create_app(service, max_body=max_body, max_batch_body=16 * max_body)

    hold_early_sighup()  # a SIGHUP as soon as the line below is out must reload, not end the service
    rule_set = service.loaded.rule_set
    bound = sockets[0].getsockname()[1]
    processes = f"; {workers} workers" if workers > 1 else ""
    echo(f"vilkar serve: listening on http://{_url_host(host)}:{bound} — rule set: {rule_set['path']} "
         f"({rule_set['files']} files, sha256 {rule_set['sha256'][:12]}…){processes}; SIGHUP reloads it", err=True)
    if workers == 1:
        serve_here(service, make_app(service), sockets[0], say)
        return
    raise SystemExit(Supervisor(service, sockets, make_app, say).run())


def say(text: str) -> None:
    echo(text, err=True)


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host
