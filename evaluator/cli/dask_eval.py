"""`vilkar eval --batch --engine dask`: options, messages and exit codes around evaluator.dask_batch."""
from __future__ import annotations

import contextlib
from typing import Any, Iterator

from .common import EXIT_INPUT, EXIT_OK, echo, load_rule_set, style


def run_dask_batch(files: tuple[str, ...], explain: bool, scheduler: str | None, out: str,
                   policies_dir: str | None, workers: int | None, as_of: Any = None) -> None:
    """Decide JSON Lines files on a Dask cluster into OUT/part-NNNNN.jsonl; exits 0, or 2 if a line failed."""
    try:
        import fsspec

        from .. import dask_batch
    except ImportError as error:
        echo(f"--engine dask needs the dask extra ({error.name} is missing): pip install 'vilkar[dask]'", err=True)
        raise SystemExit(EXIT_INPUT)
    if "-" in files:
        echo("--engine dask reads files (paths, globs or URLs), not stdin", err=True)
        raise SystemExit(EXIT_INPUT)
    policies = load_rule_set(policies_dir)  # a rule set that does not load is reported here, once
    try:
        inputs = dask_batch.input_files(list(files), {})
    except (OSError, ValueError) as error:
        echo(f"cannot list the input files: {error}", err=True)
        raise SystemExit(EXIT_INPUT)
    if not inputs:
        echo(f"no input files match {', '.join(files)}", err=True)
        raise SystemExit(EXIT_INPUT)
    fs, _, (out_path,) = fsspec.get_fs_token_paths(out)
    if fs.exists(out_path) and fs.glob(f"{out_path.rstrip('/')}/part-*.jsonl*"):
        echo(f"{out} already holds part-*.jsonl shards; give an empty or new directory", err=True)
        raise SystemExit(EXIT_INPUT)
    fs.makedirs(out_path, exist_ok=True)
    try:
        with dask_client(scheduler, workers) as client:
            shards = dask_batch.run(client, list(files), out, policies, explain, as_of=as_of)
    except (OSError, TimeoutError) as error:
        echo(f"cannot reach the Dask scheduler at {scheduler}: {error}", err=True)
        raise SystemExit(EXIT_INPUT)
    except Exception as error:  # a worker's failure comes back as its own exception; say it, no traceback
        echo(f"the Dask job failed: {type(error).__name__}: {error}", err=True)
        raise SystemExit(EXIT_INPUT)
    decided = sum(shard.decided for shard in shards)
    failed = sum(shard.failed for shard in shards)
    summary = f"{decided:,} decided, {failed:,} rejected, in {len(shards)} shard(s) under {out}"
    echo(style(summary, fg="red" if failed else "green"), err=True)
    raise SystemExit(EXIT_INPUT if failed else EXIT_OK)


@contextlib.contextmanager
def dask_client(scheduler: str | None, workers: int | None) -> Iterator[Any]:
    """A client of the given scheduler, or of a LocalCluster on this machine when none is given."""
    from distributed import Client, LocalCluster

    if scheduler:
        with Client(scheduler, timeout="30s") as client:
            yield client
        return
    from ..batch import default_workers

    with LocalCluster(n_workers=workers or default_workers(), threads_per_worker=1, dashboard_address=None,
                      processes=True) as cluster, Client(cluster) as client:
        yield client
