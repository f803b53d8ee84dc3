"""`vilkar audit`: per ticket, expected by, met or missed and by how much; a report as text, JSON or HTML."""
from __future__ import annotations

import json
import os
import sys

import click

from .common import EXIT_INPUT, EXIT_OK, echo, load_rule_set, policies_option, schemas_option


@click.command("audit")
@click.argument("files", nargs=-1, required=True)
@click.option("--format", "output", type=click.Choice(["text", "json", "html"]), default="text", show_default=True,
              help="The report's form: a terminal summary, one JSON object, or a static HTML page with charts.")
@click.option("--out", "out", metavar="FILE", help="Write the report to FILE (written whole, or not at all).")
@click.option("--engine", type=click.Choice(["local", "dask"]), default="local", show_default=True,
              help="Audit in this process, or on a Dask cluster (extra vilkar[dask]).")
@click.option("--scheduler", metavar="ADDRESS", help="The Dask scheduler (default: a local cluster).")
@click.option("--workers", type=click.IntRange(min=1), default=None, help="Workers of the local Dask cluster.")
@policies_option
@schemas_option
def audit_command(files: tuple[str, ...], output: str, out: str | None, engine: str, scheduler: str | None,
                  workers: int | None, policies_dir: str | None, schemas_dir: str | None) -> None:
    """Audit tickets: JSON Lines of incident requests plus `first_response_at` (and an optional `ticket` id).

    For each ticket the policies give the expected first-response moment; the audit says whether the
    first response met it and by how many minutes, on the plan's own clock (business minutes on the
    location's calendar, or elapsed minutes), and lists the tickets a naive wall clock misjudges.
    Exit 0 when every line was a valid ticket, 2 when a line was not (the report still counts the rest).
    """
    from ..audit.engine import audit_dask, audit_local
    from ..audit.html import render_html
    from ..audit.report import build_report, render_text
    from ..server.state import rule_set_identity

    if scheduler and engine != "dask":
        raise click.UsageError("--scheduler is an option of --engine dask")
    policies = load_rule_set(policies_dir, schemas_dir, command="audit")
    if engine == "dask":
        records = _on_dask(files, scheduler, workers, policies, audit_dask)
    else:
        records = _locally(files, policies, audit_local)
    report = build_report(records, rule_set_identity(policies_dir, policies))
    line = policies.rule_set.summary() if policies.rule_set is not None else None  # as every text report says it
    text = {"text": lambda r: render_text(r, line), "html": render_html,
            "json": lambda r: json.dumps(r, ensure_ascii=False, indent=2) + "\n"}[output](report)
    if out:
        _write_whole(out, text)
    else:
        click.echo(text, nl=False)
    for error in report["errors"][:20]:
        echo(f"{error['file']}:{error['line']}: {error['error']}" + "".join(
            f"\n  {p['pointer'] or '/'}: {p['message']}" for p in error.get("errors", [])), err=True)
    raise SystemExit(EXIT_INPUT if report["errors"] else EXIT_OK)


def _locally(files, policies, audit_local):
    opened = []
    try:
        for name in files:
            # lines end at \n only, as the Dask engine and the batch read them
            handle = sys.stdin if name == "-" else open(name, encoding="utf-8", errors="replace", newline="\n")
            opened.append((name, handle))
    except OSError as error:
        echo(f"{error.filename}: cannot read: {error.strerror}", err=True)
        raise SystemExit(EXIT_INPUT)
    try:
        return audit_local(policies, opened)
    finally:
        for name, handle in opened:
            if name != "-":
                handle.close()


def _on_dask(files, scheduler, workers, policies, audit_dask):
    try:
        from .. import dask_batch
        from .dask_eval import dask_client
    except ImportError as error:
        echo(f"--engine dask needs the dask extra ({error.name} is missing): pip install 'vilkar[dask]'", err=True)
        raise SystemExit(EXIT_INPUT)
    if "-" in files:
        echo("--engine dask reads files (paths, globs or URLs), not stdin", err=True)
        raise SystemExit(EXIT_INPUT)
    if not dask_batch.input_files(list(files), {}):
        echo(f"no input files match {', '.join(files)}", err=True)
        raise SystemExit(EXIT_INPUT)
    try:
        with dask_client(scheduler, workers) as client:
            return audit_dask(client, list(files), policies)
    except (OSError, TimeoutError) as error:
        echo(f"cannot reach the Dask scheduler at {scheduler}: {error}", err=True)
        raise SystemExit(EXIT_INPUT)


def _write_whole(path: str, text: str) -> None:
    partial = f"{path}.partial"
    try:
        with open(partial, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(partial, path)
    except OSError as error:
        echo(f"{path}: cannot write the report: {error.strerror}", err=True)
        raise SystemExit(EXIT_INPUT)
