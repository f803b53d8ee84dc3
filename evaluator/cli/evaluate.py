"""`vilkar eval`: decide request documents, one by one or as a batch of JSON Lines."""
from __future__ import annotations

import datetime as dt
import os
import sys
import click

from ..api import PolicySet
from ..errors import RequestError
from ..requests.documents import DocumentError
from ..versions import as_of_day
from .answers import Asked
from .common import (
    EXIT_INPUT,
    EXIT_OK,
    Records,
    colour,
    echo,
    format_option,
    load_rule_set,
    policies_option,
    quiet_option,
    read_documents,
    schemas_option,
)


class _EvalCommand(click.Command):
    """`--explain` is a flag that also takes an attached value, `--explain=full`, never the next argument
    (which is a file: `vilkar eval --explain samples/x.yaml`)."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        rewritten, literal = [], False
        for arg in args:
            if arg == "--":
                literal = True
            if not literal and arg.startswith("--explain="):
                detail = arg.partition("=")[2]
                if detail not in ("summary", "full"):
                    raise click.UsageError(f"--explain={detail}: write --explain (the summary) or --explain=full",
                                           ctx)
                arg = "--explain-full" if detail == "full" else "--explain"
            rewritten.append(arg)
        return super().parse_args(ctx, rewritten)


@click.command("eval", cls=_EvalCommand)
@click.argument("files", nargs=-1, required=True)
@click.option("--explain", is_flag=True,
              help="Say why each decision has its value, in plain words with the clause quoted; "
                   "--explain=full gives the whole derivation.")
@click.option("--explain-full", is_flag=True, hidden=True)
@click.option("--why", "why", metavar="DECISION", multiple=True,
              help="Explain only this decision and what it depends on (repeatable).")
@click.option("--counterfactuals", is_flag=True,
              help="For each decision (or each --why), the smallest verified changes of the request that change it.")
@format_option
@quiet_option
@click.option("--batch", is_flag=True, help="Read JSON Lines (one request per line), write JSON Lines in order.")
@click.option("--workers", type=click.IntRange(min=1), default=None,
              help="Processes for --batch (default: every core this process may use).")
@click.option("--as-of", "as_of", metavar="DATE", default=None,
              help="Decide with the contract version in force on DATE (default: each request's own event date).")
@click.option("--engine", type=click.Choice(["local", "dask"]), default="local", show_default=True,
              help="Where --batch runs: processes on this machine, or a Dask cluster (extra vilkar[dask]).")
@click.option("--scheduler", metavar="ADDRESS",
              help="The Dask scheduler for --engine dask, e.g. tcp://10.0.0.5:8786 (default: a local cluster).")
@click.option("--out", "out", metavar="DIR", help="Where --engine dask writes its shards, OUT/part-NNNNN.jsonl.")
@policies_option
@schemas_option
def eval_command(files: tuple[str, ...], explain: bool, explain_full: bool, why: tuple[str, ...],
                 counterfactuals: bool, output: str, quiet: bool, batch: bool, workers: int | None,
                 as_of: str | None, engine: str, scheduler: str | None, out: str | None,
                 policies_dir: str | None, schemas_dir: str | None) -> None:
    """Evaluate request documents (YAML or JSON; `-` reads stdin).

    Exit 0 when every document was decided; 2 when one is unreadable or not a valid request, or the rule
    set does not load.
    """
    policies = load_rule_set(policies_dir, schemas_dir)
    asked = Asked("full" if explain_full else ("summary" if explain else None), why, counterfactuals)
    explain = asked.explains
    if engine == "dask" or scheduler or out:
        _check_dask_options(batch, engine, out)
        from .dask_eval import run_dask_batch
        run_dask_batch(files, explain, scheduler, out, _resolved_dir(policies), workers, _as_of_day(as_of))
    if batch:
        _batch(files, explain, workers, policies, _as_of_day(as_of))
    status = EXIT_OK
    records = Records(output, quiet, policies.rule_set)
    decided = rejected = 0
    for document in read_documents(files):
        if isinstance(document, DocumentError):
            records.unreadable(document)
            status, rejected = EXIT_INPUT, rejected + 1
            continue
        try:
            result = policies.evaluate(document.data, as_of=as_of)
        except RequestError as error:
            records.invalid(document, error)
            status, rejected = EXIT_INPUT, rejected + 1
            continue
        unknown = [name for name in why if name not in result.decisions]
        if unknown:
            raise click.UsageError(f"--why {unknown[0]}: {result.kind} has no such decision; its decisions are "
                                   f"{', '.join(result.decisions)}")
        records.decided(document, result, asked)
        decided += 1
    summary = f"{decided} decided, {rejected} rejected" if decided + rejected > 1 or rejected else None
    records.finish(policies, summary)
    raise SystemExit(status)


def _check_dask_options(batch: bool, engine: str, out: str | None) -> None:
    if engine != "dask":
        raise click.UsageError("--scheduler and --out are options of --engine dask")
    if not batch:
        raise click.UsageError("--engine dask runs a --batch of JSON Lines files")
    if not out:
        raise click.UsageError("--engine dask writes shards: give --out DIR")


def _as_of_day(as_of: str | None) -> dt.date | None:
    """--as-of as a date, checked once for a whole batch rather than refused on every line."""
    if as_of is None:
        return None
    try:
        return as_of_day(as_of)
    except RequestError:
        raise click.BadParameter(f"{as_of!r} is not a date: give YYYY-MM-DD", param_hint="--as-of") from None


def _batch(files: tuple[str, ...], explain: bool, workers: int | None, policies: PolicySet,
           as_of: dt.date | None = None) -> None:
    from ..batch import BatchStopped, CompressedTasks, default_workers, file_tasks, is_compressed, run_batch, \
        stream_tasks
    # the rule set was loaded (and reported if broken) once, here; forked workers share it, others load the same files
    policies_dir = _resolved_dir(policies)
    failed_total = written = 0
    for name in files:
        if name != "-" and not os.path.isfile(name):
            echo(f"{name}: cannot read: no such file", err=True)
            raise SystemExit(EXIT_INPUT)
        compressed = CompressedTasks(name) if name != "-" and is_compressed(name) else None
        tasks = stream_tasks(getattr(sys.stdin, "buffer", sys.stdin)) if name == "-" else \
            compressed if compressed is not None else file_tasks(name)
        size = os.path.getsize(name) if name != "-" and compressed is None else 0  # progress in byte ranges
        show = sys.stderr.isatty() and size > 0
        try:
            with click.progressbar(length=size, label=name, file=sys.stderr, show_eta=True, color=colour()) \
                    if show else _NoProgress() as bar:
                progress = (lambda task: bar.update(task[3])) if show else None
                decided, failed = run_batch(tasks, sys.stdout, policies_dir, workers or default_workers(), explain,
                                            progress, schemas_dir=policies.schemas_dir, policies=policies,
                                            as_of=as_of)
        except BatchStopped as stop:
            where = "stdin" if name == "-" else name
            cut = " and part of the next" if stop.partial else ""
            echo(f"vilkar eval --batch: {stop.reason}: {written + stop.records:,} records written{cut}; "
                 f"resume from line {stop.resume:,} of {where}", err=True)
            raise SystemExit(stop.exit_code)
        written += decided + failed
        failed_total += failed
        if compressed is not None and compressed.error is not None:
            echo(f"vilkar eval --batch: cannot read {name} ({compressed.error}): {written:,} records written; "
                 f"resume from line {compressed.last_line + 1:,} of {name}", err=True)
            raise SystemExit(EXIT_INPUT)
    raise SystemExit(EXIT_INPUT if failed_total else EXIT_OK)


def _resolved_dir(policies: PolicySet) -> str | None:
    """The resolved rule set's path for workers to load; None for the bundled one, which they find alike."""
    rule_set = policies.rule_set
    return str(rule_set.path) if rule_set is not None and not rule_set.bundled else None


class _NoProgress:
    def __enter__(self) -> _NoProgress:
        return self

    def __exit__(self, *exc: object) -> None:
        return None
