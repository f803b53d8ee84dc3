"""The Dask batch against the local batch on generated requests: throughput, and byte-identical records.

    pip install '.[dask]' && python benchmarks/dask_batch.py [--requests 100000] [--files 8] [--workers 2]

Both engines decide the same files (benchmarks/generate_requests.py: every sample of every kind,
shifted in time, with bad lines): the local batch as `vilkar eval --batch FILE... --workers N`, the
Dask engine on a LocalCluster of N worker processes with one thread each. The Dask figure counts the
job only (the cluster is started before the clock), the local one counts the command with its
start-up (about 0.2 s). The shards, concatenated in order, must equal the local output byte for byte
(with --gzip, once `source` names the uncompressed file the local batch read).
"""
from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from generate_requests import request_lines, write  # noqa: E402
from serve_load import cpu_busy  # noqa: E402


def busy_since(before: tuple[int, int]) -> float:
    busy, total = cpu_busy()
    return (busy - before[0]) / max(total - before[1], 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=100_000)
    parser.add_argument("--files", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--gzip", action="store_true", help="give the Dask engine the files gzip-compressed")
    arguments = parser.parse_args()

    from distributed import Client, LocalCluster

    from evaluator import dask_batch
    from evaluator.api import default_policies

    with tempfile.TemporaryDirectory() as directory:
        lines = request_lines(arguments.requests)
        plain = write(lines, Path(directory) / "plain", arguments.files, compress=False)
        pattern = str(Path(directory) / "plain" / "*.jsonl")
        if arguments.gzip:
            write(lines, Path(directory) / "gz", arguments.files, compress=True)
            pattern = str(Path(directory) / "gz" / "*.jsonl.gz")
        local_out = Path(directory) / "local.jsonl"

        before, start = cpu_busy(), time.perf_counter()
        with open(local_out, "wb") as sink:
            completed = subprocess.run([sys.executable, "-c", "from evaluator.cli import main; main()", "eval",
                                        "--batch", *map(str, plain), "--workers", str(arguments.workers)],
                                       stdout=sink, stderr=subprocess.PIPE, cwd=ROOT)
        local_seconds, local_busy = time.perf_counter() - start, busy_since(before)
        if completed.returncode not in (0, 2):
            raise SystemExit(f"the local batch failed: {completed.stderr.decode()}")

        with LocalCluster(n_workers=arguments.workers, threads_per_worker=1, processes=True,
                          dashboard_address=None) as cluster, Client(cluster) as client:
            policies = default_policies()
            warm = Path(directory) / "warm.jsonl"
            warm.write_bytes(lines[0] + b"\n")
            dask_batch.run(client, [str(warm)] * arguments.workers, str(Path(directory) / "warm-out"), policies)
            before, start = cpu_busy(), time.perf_counter()
            shards = dask_batch.run(client, [pattern], str(Path(directory) / "dask"), policies)
            dask_seconds, dask_busy = time.perf_counter() - start, busy_since(before)

        dask_output = b"".join(Path(shard.output).read_bytes() for shard in shards)
        if arguments.gzip:  # the records name the files they came from: x.jsonl.gz where the local batch read x.jsonl
            dask_output = dask_output.replace(b'/gz/', b'/plain/').replace(b'.jsonl.gz:', b'.jsonl:')
        identical = dask_output == local_out.read_bytes()
        decided = sum(shard.decided for shard in shards)
        failed = sum(shard.failed for shard in shards)
        count = len(lines)
        print(f"{count:,} requests in {arguments.files} files ({decided:,} decided, {failed:,} rejected), "
              f"{arguments.workers} workers")
        print(f"  local batch (--workers {arguments.workers}): {local_seconds:6.2f} s, "
              f"{count / local_seconds:8,.0f} requests/s; machine {local_busy:.0%} busy")
        print(f"  Dask LocalCluster ({arguments.workers}×1 thread{', gzip' if arguments.gzip else ''}): "
              f"{dask_seconds:6.2f} s, {count / dask_seconds:8,.0f} requests/s "
              f"({local_seconds / dask_seconds:.2f}× the local batch); machine {dask_busy:.0%} busy")
        print(f"  records byte-identical to the local batch: {'yes' if identical else 'NO'}")
        if not identical:
            raise SystemExit(1)


if __name__ == "__main__":
    main()
