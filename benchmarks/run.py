"""vilkar against plain Python and the peer engines, and the targets of the performance issue.

    pip install '.[bench]'      # zen-engine, cel, rule-engine, psutil: optional, never runtime dependencies
    python benchmarks/run.py [--quick]

The tier decision computes the fee as well (an exact share of the cost in cents, rounded half up), so every
engine does the arithmetic a cancellation does. Peers: zen-engine's compiled expression and its JDM decision
table through the static loader (`ZenEngine.evaluate(key, …)`, its fast path; `create_decision(…).evaluate`
is shown too), cel-rust (`common-expression-language`, floats: CEL has no decimals) and rule-engine.

Everything runs in one process pinned to one core where the OS allows it; the contenders of each
comparison are measured in interleaved rounds and the best round counts (the least disturbed).
Times are microseconds per call; ratios are against plain Python.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Callable

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from evaluator import evaluate, load_policies  # noqa: E402
from evaluator.api import default_policies  # noqa: E402
from handwritten import cancellation_by_hand, incident_by_hand  # noqa: E402

TABLE = [  # severity, product family -> first-response minutes, around-the-clock effort
    ("1", "azure", 15, True), ("1", "m365", 30, True), ("1", "other", 60, True),
    ("A", "azure", 30, True), ("A", "m365", 60, True), ("A", "other", 60, True),
    ("B", "azure", 120, False), ("B", "m365", 120, False), ("B", "other", 240, False),
    ("C", "azure", 240, False), ("C", "m365", 480, False), ("C", "other", 480, False),
]
TIER_INPUTS = [{"notice_days": n, "service_cost": {"amount": amount, "currency": "USD"}}
               for n, amount in zip((30, 14, 13, 9, 6, 5, 0, -3), (12500.01, 99.99, 1250, 0.5, 12500.01, 333.33,
                                                                 7.77, 12500))]
FEE_INPUTS = [{"notice_days": item["notice_days"], "service_cost": item["service_cost"]["amount"]}
              for item in TIER_INPUTS]  # the peers read the amount as a number
TABLE_INPUTS = [{"severity": s, "family": f} for s, f, _, _ in TABLE]

CANCELLATION = {"kind": "cancellation", "service": "Workshop", "service_start": "2026-12-10",
                "cancelled_on": "2026-12-01", "service_cost": {"amount": "12500.00", "currency": "USD"}}
INCIDENT_SEV_B = {"kind": "incident", "severity": "B", "product": "Microsoft Exchange Server", "azure_component": False,
                  "cloud": "public", "offerings": [], "opened_at": "2026-11-27T16:45:00+01:00",
                  "location": {"country": "DK", "timezone": "Europe/Copenhagen"}, "language": "da",
                  "channel": "phone", "description": "Mail flow degraded", "customer_24x7_resources": False,
                  "aem_event_active": False}
INCIDENT_SEV_1 = dict(INCIDENT_SEV_B, severity="1", product="Azure Kubernetes Service", azure_component=True,
                      offerings=["uer"], opened_at="2026-11-28T02:10:00+01:00", customer_24x7_resources=True)


# ---------------------------------------------------------------- the contenders

CENT = Decimal("0.01")


def tier_by_hand(request: dict) -> tuple[int, Decimal]:
    days = request["notice_days"]
    percent = 0 if days >= 14 else 50 if days >= 6 else 100
    amount = Decimal(repr(request["service_cost"]["amount"]))  # exact: 0.1 is 0.1, as vilkar reads it
    return percent, (amount * percent / 100).quantize(CENT, rounding=ROUND_HALF_UP)


def table_by_hand(request: dict) -> tuple[int, bool]:
    severity, family = request["severity"], request["family"]
    if severity == "1":
        return (15, True) if family == "azure" else (30, True) if family == "m365" else (60, True)
    if severity == "A":
        return (30, True) if family == "azure" else (60, True)
    if severity == "B":
        return (240, False) if family == "other" else (120, False)
    return (240, False) if family == "azure" else (480, False)


PERCENT = "(notice_days >= 14 ? 0 : (notice_days >= 6 ? 50 : 100))"


def zen_contenders() -> dict[str, tuple[Callable, Callable]]:
    try:
        import zen
    except ImportError:
        return {}
    tier_expression = zen.compile_expression(
        f"{{fee_percent: {PERCENT}, fee: round(service_cost * {PERCENT} / 100, 2)}}")
    table_expression = zen.compile_expression(_nested_ternary(
        lambda minutes, around: f"{{minutes: {minutes}, around: {'true' if around else 'false'}}}"))
    tier_jdm = _jdm(
        [{"id": "days", "name": "notice", "field": "notice_days"}],
        [{"id": "pct", "name": "fee_percent", "field": "fee_percent"}, {"id": "fee", "name": "fee", "field": "fee"}],
        [{"_id": "r1", "days": ">= 14", "pct": "0", "fee": "0"},
         {"_id": "r2", "days": "[6..13]", "pct": "50", "fee": "round(service_cost * 50 / 100, 2)"},
         {"_id": "r3", "days": "<= 5", "pct": "100", "fee": "round(service_cost, 2)"}])
    table_jdm = _jdm(
        [{"id": "sev", "name": "severity", "field": "severity"}, {"id": "fam", "name": "family", "field": "family"}],
        [{"id": "min", "name": "minutes", "field": "minutes"}, {"id": "day", "name": "around", "field": "around"}],
        [{"_id": f"r{i}", "sev": f'"{s}"', "fam": f'"{f}"', "min": str(m), "day": "true" if a else "false"}
         for i, (s, f, m, a) in enumerate(TABLE)])
    static = zen.ZenEngine({"loader": {"type": "static", "content": {"tier": tier_jdm, "table": table_jdm}}})
    engine = zen.ZenEngine()
    tier_graph, table_graph = engine.create_decision(json.dumps(tier_jdm)), engine.create_decision(json.dumps(table_jdm))
    return {
        "zen-engine (compiled expression)": (tier_expression.evaluate, table_expression.evaluate),
        "zen-engine (JDM table, static loader)": (lambda c: static.evaluate("tier", c),
                                                  lambda c: static.evaluate("table", c)),
        "zen-engine (JDM table, create_decision)": (tier_graph.evaluate, table_graph.evaluate),
    }


def cel_contenders() -> dict[str, tuple[Callable, Callable]]:
    try:
        import cel
    except ImportError:
        return {}
    tier = cel.compile(f"[{PERCENT}, double(int(double(service_cost) * double({PERCENT}) + 0.5)) / 100.0]")
    table = cel.compile(_nested_ternary(lambda minutes, around: f"[{minutes}, {'true' if around else 'false'}]",
                                        "&&").replace("null", "[]"))
    return {"cel-rust (compiled program, floats)": (tier.execute, table.execute)}


def rule_engine_contenders() -> dict[str, tuple[Callable, Callable]]:
    try:
        import rule_engine
    except ImportError:
        return {}
    tier = rule_engine.Rule(f"[{PERCENT}, service_cost * {PERCENT} / 100]")
    table = rule_engine.Rule(_nested_ternary(lambda minutes, around: f"[{minutes}, {'true' if around else 'false'}]"))
    return {"rule-engine": (tier.evaluate, table.evaluate)}


def _nested_ternary(value: Callable[[int, bool], str], conjunction: str = "and") -> str:
    expression = "null"
    for severity, family, minutes, around in reversed(TABLE):
        expression = (f'(severity == "{severity}" {conjunction} family == "{family}") ? {value(minutes, around)} '
                      f': ({expression})')
    return expression


def _jdm(inputs: list, outputs: list, rules: list) -> dict:
    return {"nodes": [{"id": "in", "type": "inputNode", "name": "request", "position": {"x": 0, "y": 0}},
                      {"id": "t", "type": "decisionTableNode", "name": "table", "position": {"x": 0, "y": 0},
                       "content": {"hitPolicy": "first", "inputs": inputs, "outputs": outputs, "rules": rules}},
                      {"id": "out", "type": "outputNode", "name": "response", "position": {"x": 0, "y": 0}}],
            "edges": [{"id": "e1", "sourceId": "in", "targetId": "t", "type": "edge"},
                      {"id": "e2", "sourceId": "t", "targetId": "out", "type": "edge"}]}


# ---------------------------------------------------------------- measuring

def per_call(function: Callable, inputs: list[Any], seconds: float) -> float:
    """Microseconds per call over the inputs, looping until `seconds` have passed. The clock is read once
    per few hundred calls: read after every call of a sub-microsecond function, it would add its own cost
    to both sides of a ratio and make them look closer than they are."""
    batch = inputs * max(1, -(-256 // len(inputs)))
    loops, started = 0, time.perf_counter()
    while True:
        for item in batch:
            function(item)
        loops += 1
        elapsed = time.perf_counter() - started
        if elapsed >= seconds:
            return elapsed / (loops * len(batch)) * 1e6


def interleaved(contenders: dict[str, tuple[Callable, list]], rounds: int, seconds: float) -> dict[str, float]:
    best = {name: float("inf") for name in contenders}
    for _ in range(rounds):
        for name, (function, inputs) in contenders.items():
            best[name] = min(best[name], per_call(function, inputs, seconds))
    return best


def table(title: str, results: dict[str, float], baseline: str) -> None:
    print(f"\n{title}")
    width = max(len(name) for name in results)
    for name, micros in results.items():
        print(f"  {name.ljust(width)}  {micros:9.3f} µs  {micros / results[baseline]:6.2f}× plain Python"
              f"  {1e6 / micros:12,.0f}/s")


def check(label: str, ok: bool) -> bool:
    print(f"  {'PASS' if ok else 'MISS'}  {label}")
    return ok


def fresh_process(code: str) -> dict:
    """Run code in a new interpreter and return the JSON it prints."""
    output = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True,
                            cwd=ROOT, check=True).stdout
    return json.loads(output.strip().splitlines()[-1])


def batch_scaling(count: int) -> bool:
    import tempfile
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "requests.jsonl"
        with path.open("w", encoding="utf-8") as handle:
            for index in range(count):
                day = 1 + index % 28
                document = dict(CANCELLATION, cancelled_on=f"2026-11-{day:02d}") if index % 2 else \
                    dict(INCIDENT_SEV_B, opened_at=f"2026-11-{day:02d}T1{index % 10}:45:00+01:00")
                handle.write(json.dumps(document) + "\n")
        single = Path(folder) / "one.jsonl"
        single.write_text(json.dumps(CANCELLATION) + "\n", encoding="utf-8")

        def seconds(source: Path, workers: int) -> float:
            started = time.perf_counter()
            subprocess.run([sys.executable, "-c", "from evaluator.cli import main; main()", "eval", "--batch",
                            str(source), "--workers", str(workers)], stdout=subprocess.DEVNULL, check=True, cwd=ROOT)
            return time.perf_counter() - started

        rates = {}
        for workers in sorted({1, cores}):
            # throughput: the time the requests take, without the fixed cost of starting the processes
            start_up = min(seconds(single, workers) for _ in range(2))
            total = min(seconds(path, workers) for _ in range(2))
            rates[workers] = count / (total - start_up)
            print(f"  {workers} worker{'s' if workers > 1 else ''}: {rates[workers]:,.0f} requests/s "
                  f"({count / total:,.0f}/s with {start_up * 1000:.0f} ms of start-up)")
    goal = 0.8 * cores * rates[1]
    return check(f"{cores} cores: {rates[cores]:,.0f}/s ≥ 80 % × {cores} × {rates[1]:,.0f}/s = {goal:,.0f}/s",
                 rates[cores] >= goal)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer, shorter rounds")
    args = parser.parse_args()
    rounds, seconds = (3, 0.05) if args.quick else (5, 0.2)
    all_cores = os.sched_getaffinity(0) if hasattr(os, "sched_getaffinity") else None
    if all_cores is not None:
        os.sched_setaffinity(0, {sorted(all_cores)[0]})
    targets: list[bool] = []

    bench = load_policies(ROOT / "benchmarks" / "policies", schemas=ROOT / "benchmarks" / "schemas")
    vilkar_tier, vilkar_table = bench.kinds["bench_tier"].decide, bench.kinds["bench_table"].decide
    for document in TIER_INPUTS:  # the same answers, or no race
        values = vilkar_tier(document)[0]
        assert values == tier_by_hand(document), (document, values, tier_by_hand(document))
    peers = {**zen_contenders(), **cel_contenders(), **rule_engine_contenders()}
    if not peers:
        print("(peer engines not installed: pip install '.[bench]' to compare with zen-engine, cel and rule-engine)")
    for number, (label, inputs, peer_inputs, plain, ours, pick) in enumerate([
        ("tier and fee: notice_days, cost -> fee_percent, fee", TIER_INPUTS, FEE_INPUTS, tier_by_hand, vilkar_tier, 0),
        ("12-row table: severity x family -> minutes, 24x7", TABLE_INPUTS, TABLE_INPUTS, table_by_hand, vilkar_table,
         1),
    ]):
        contenders = {"plain Python if/elif": (plain, inputs), "vilkar (compiled policy)": (ours, inputs)}
        contenders.update({name: (functions[pick], peer_inputs) for name, functions in peers.items()})
        results = interleaved(contenders, rounds, seconds)
        table(f"Decision core, {label} (already-validated input)", results, "plain Python if/elif")
        ours_time = results["vilkar (compiled policy)"]
        peer_times = {k: v for k, v in results.items() if k not in ("plain Python if/elif", "vilkar (compiled policy)")}
        if peer_times:
            fastest = min(peer_times, key=peer_times.get)
            ratio = ours_time / peer_times[fastest]
            targets.append(check(f"vilkar ≤ 0.8× the fastest peer ({fastest}): {ratio:.2f}×", ratio <= 0.8))
        ratio = ours_time / results["plain Python if/elif"]
        targets.append(check(f"vilkar ≤ 3× plain Python: {ratio:.2f}×", ratio <= 3))
        document = dict(inputs[0], kind="bench_tier" if number == 0 else "bench_table")
        kind = bench.kinds[document["kind"]]
        schema_check = bench.validators[document["kind"]].fast.is_valid
        as_read = bench.validators[document["kind"]].check(document)[0]  # numbers made exact, as decide reads them
        side_by_side = interleaved({"plain": (plain, [inputs[0]]),
                                    "validated": (lambda d: bench.evaluate(d).decisions, [document]),
                                    # the parts a validated evaluate cannot do without, each alone
                                    "validator": (schema_check, [document]),
                                    "decision": (kind.decide, [as_read])}, rounds, seconds)
        ratio = side_by_side["validated"] / side_by_side["plain"]
        targets.append(check(f"full validated evaluate ≤ 8× plain Python: {ratio:.1f}× "
                             f"({side_by_side['validated']:.2f} µs)", ratio <= 8))
        print(f"        of which, each alone: the compiled schema check (jsonschema-rs) "
              f"{side_by_side['validator'] / side_by_side['plain']:.1f}×, the decision "
              f"{side_by_side['decision'] / side_by_side['plain']:.1f}× plain Python; the rest is the request's "
              f"way through evaluate and the Result")

    policies = default_policies()
    for label, document, by_hand in [("cancellation", CANCELLATION, cancellation_by_hand),
                                     ("incident Sev 1 (calendar clock)", INCIDENT_SEV_1, incident_by_hand),
                                     ("incident Sev B (business clock)", INCIDENT_SEV_B, incident_by_hand)]:
        ours = policies.evaluate(document, validate=False).decisions
        assert ours == by_hand(document), (label, ours, by_hand(document))  # the same decisions, or no race
        results = interleaved({
            "plain Python if/elif": (by_hand, [document]),
            "vilkar PolicySet.evaluate (no validation)": (
                lambda d: policies.evaluate(d, validate=False).decisions, [document]),
        }, rounds, seconds)
        table(f"The real rule set, {label}: hand-written Python vs vilkar", results, "plain Python if/elif")
        targets.append(check("within 3× of the hand-written function",
                             results["vilkar PolicySet.evaluate (no validation)"] <= 3 * results["plain Python if/elif"]))

    print("\nFull evaluate (validation + decisions + result), one core")
    for label, document, goal in [("cancellation", CANCELLATION, 50_000), ("incident Sev B", INCIDENT_SEV_B, 25_000)]:
        rate = 1e6 / min(per_call(lambda d: evaluate(d).decisions, [document], seconds) for _ in range(rounds))
        targets.append(check(f"{label}: {rate:,.0f} requests/s (target ≥ {goal:,})", rate >= goal))

    print("\nCold start and memory (fresh interpreters)")
    starts = [fresh_process("""
        import json, time
        started = time.perf_counter()
        from evaluator import load_policies
        load_policies()
        print(json.dumps({"ms": (time.perf_counter() - started) * 1000}))
    """)["ms"] for _ in range(3)]
    cold = statistics.median(starts)
    targets.append(check(f"import + load_policies of the whole rule set: {cold:.0f} ms (target < 300 ms)", cold < 300))
    memory = fresh_process("""
        import json
        def rss():
            with open("/proc/self/status") as status:
                return next(int(line.split()[1]) for line in status if line.startswith("VmRSS")) / 1024
        bare = rss()
        from evaluator import load_policies
        policies = load_policies()
        print(json.dumps({"mb": rss() - bare}))
    """)["mb"]
    targets.append(check(f"a loaded rule set: {memory:.1f} MB RSS above the bare interpreter (target < 30 MB)",
                         memory < 30))

    uncached = fresh_process("""
        import json, os, time
        os.environ["VILKAR_CACHE"] = "off"
        started = time.perf_counter()
        from evaluator import load_policies
        load_policies()
        print(json.dumps({"ms": (time.perf_counter() - started) * 1000}))
    """)["ms"]
    print(f"  (without the compiled-policy cache: {uncached:.0f} ms, parsing, checking and compiling every file)")

    if all_cores is not None:
        os.sched_setaffinity(0, all_cores)  # the batch uses every core
    print("\nBatch: vilkar eval --batch on 100,000 JSON Lines (half cancellation, half incident Sev B)")
    targets.append(batch_scaling(100_000))

    print(f"\n{sum(targets)} of {len(targets)} targets met")
    raise SystemExit(0 if all(targets) else 1)


if __name__ == "__main__":
    main()
