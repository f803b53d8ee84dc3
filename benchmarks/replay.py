"""`vilkar diff --replay` against `vilkar eval --batch` on the same generated log, side by side.

    python benchmarks/replay.py [--requests N] [--workers W]

Writes N generated requests (cancellations and incidents; default 100,000) to a temporary JSON Lines
file, then times the batch evaluation of the log under one rule set and the replay of it under the two
versions of tests/history, each on W workers (default: every core), best of two runs each. A replay
decides every request twice, so about half the batch rate is "batch speed".
"""
from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from evaluator import load_policies  # noqa: E402
from evaluator.batch import default_workers, file_tasks, run_batch  # noqa: E402
from evaluator.tools.diff.replay import replay  # noqa: E402
from evaluator.tools.diff.search import as_of_for  # noqa: E402

HISTORY = ROOT / "tests" / "history"


def write_log(path: Path, count: int) -> None:
    rng = random.Random(11)
    with open(path, "w", encoding="utf-8") as handle:
        for number in range(count):
            day = dt.date(2026, 1, 1) + dt.timedelta(days=rng.randrange(0, 700))
            if number % 2:
                document = {"kind": "cancellation", "service": "Workshop", "service_start": day.isoformat(),
                            "cancelled_on": (day - dt.timedelta(days=rng.randrange(-3, 30))).isoformat(),
                            "service_cost": {"amount": rng.randrange(1, 90000), "currency": "USD"}}
            else:
                document = {"kind": "incident", "severity": rng.choice("1ABC"), "product": "Exchange Online",
                            "azure_component": rng.random() < 0.5, "cloud": "public", "offerings": [],
                            "opened_at": f"{day.isoformat()}T{rng.randrange(0, 24):02d}:15:00+01:00",
                            "location": {"country": "DK", "timezone": "Europe/Copenhagen"}, "language": "en",
                            "channel": "phone", "description": "down", "customer_24x7_resources": True,
                            "aem_event_active": False}
            handle.write(json.dumps(document) + "\n")


def best_of_two(function) -> float:
    times = []
    for _ in range(2):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=default_workers())
    args = parser.parse_args()
    old, new = load_policies(HISTORY / "2026-01"), load_policies(HISTORY / "2026-07")
    with tempfile.TemporaryDirectory() as directory:
        log = Path(directory) / "requests.jsonl"
        write_log(log, args.requests)
        batch = best_of_two(lambda: run_batch(file_tasks(str(log)), io.StringIO(), str(HISTORY / "2026-07"),
                                              args.workers))
        counted = []
        replayed = best_of_two(lambda: counted.append(
            replay(str(log), old, new, as_of_for(old), as_of_for(new), args.workers)))
    n = args.requests
    print(f"eval --batch : {n / batch:,.0f} requests/s ({args.workers} workers)")
    print(f"diff --replay: {n / replayed:,.0f} requests/s ({args.workers} workers, each request decided twice)")
    print(f"replay / batch time: {replayed / batch:.2f}x")
    changed = counted[-1].changed
    print("changed: " + ", ".join(f"{k}.{d} {c:,}" for (k, d), c in sorted(changed.items())))


if __name__ == "__main__":
    main()
