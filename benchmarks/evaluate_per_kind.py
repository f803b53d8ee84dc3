"""Time `PolicySet.evaluate` per request kind, with and without schema validation.

    python benchmarks/evaluate_per_kind.py [--seconds S]

Uses the bundled samples (the first of each kind that the rule set decides) and prints requests/s.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from evaluator import load_policies  # noqa: E402
from evaluator.requests.documents import read_document  # noqa: E402


def rate(function, document, seconds: float) -> float:
    """Calls per second, measured over batches until `seconds` have passed."""
    calls, start = 0, time.perf_counter()
    batch = 200
    while True:
        for _ in range(batch):
            function(document)
        calls += batch
        elapsed = time.perf_counter() - start
        if elapsed >= seconds:
            return calls / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=1.0, help="time per measurement")
    args = parser.parse_args()
    started = time.perf_counter()
    policies = load_policies()
    print(f"load_policies: {(time.perf_counter() - started) * 1000:.0f} ms (in a warm process)")
    print(f"{'kind':<20} {'validated req/s':>16} {'µs':>8} {'trusted req/s':>15} {'µs':>8}")
    for kind in sorted(policies.kinds):
        sample = next(p for p in sorted((ROOT / "samples").glob(f"{kind}-*")) if p.suffix in (".json", ".yaml"))
        document = read_document(sample.name, sample.read_text(encoding="utf-8")).data
        policies.evaluate(document)  # warm up, and fail loudly on a bad sample
        checked = rate(policies.evaluate, document, args.seconds)
        trusted = rate(lambda d: policies.evaluate(d, validate=False), document, args.seconds)
        print(f"{kind:<20} {checked:>16,.0f} {1e6 / checked:>8.1f} {trusted:>15,.0f} {1e6 / trusted:>8.1f}")


if __name__ == "__main__":
    main()
