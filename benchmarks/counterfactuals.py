"""Counterfactuals and explanations on the shipped rule set: milliseconds per decision, every sample.

    python benchmarks/counterfactuals.py [--rounds N]

SPEC §8.5 bounds `Result.counterfactuals` at 50 ms per decision. For each sample and each decision a
fresh result is asked for that decision's counterfactuals alone (nothing shared with another decision),
after one warm-up pass that loads the contract text and the holiday data; the best of N rounds counts.
`explain()` (the summary, quotes included) is timed per result alike.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from evaluator import evaluate  # noqa: E402
from evaluator.requests.documents import read_document  # noqa: E402

TARGET_MS = 50.0


def samples() -> list[tuple[str, dict]]:
    found = []
    for path in sorted((ROOT / "samples").iterdir()):
        if path.suffix in (".yaml", ".json"):
            found.append((path.name, read_document(str(path), path.read_text(encoding="utf-8")).data))
    return found


def best_ms(run, rounds: int) -> float:
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        run()
        times.append((time.perf_counter() - start) * 1000)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    rounds = parser.parse_args().rounds
    documents = samples()
    for _, document in documents:  # warm-up: contract text, holiday years, compiled code
        result = evaluate(document)
        result.explain()
        result.counterfactuals()
    per_decision: list[tuple[float, str, str]] = []
    explain_ms: list[float] = []
    for name, document in documents:
        decisions = list(evaluate(document).decisions)
        for decision in decisions:
            per_decision.append((best_ms(lambda: evaluate(document).counterfactuals(decision), rounds), name, decision))
        explain_ms.append(best_ms(lambda: evaluate(document).explain(), rounds))
    times = sorted(ms for ms, _, _ in per_decision)
    worst = max(per_decision)
    print(f"counterfactuals, {len(per_decision)} decisions of {len(documents)} samples (ms per decision, "
          f"best of {rounds}):")
    print(f"  median {statistics.median(times):.1f}  p95 {times[int(len(times) * 0.95)]:.1f}  "
          f"max {worst[0]:.1f} ({worst[1]} {worst[2]})  target {TARGET_MS:.0f}")
    print(f"  over the target: {sum(1 for ms in times if ms > TARGET_MS)}")
    print(f"explain() summary, per result: median {statistics.median(explain_ms):.1f} ms, max {max(explain_ms):.1f} ms")


if __name__ == "__main__":
    main()
