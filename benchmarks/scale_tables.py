"""benchmarks/scale.py tables: 10,000-row tiers and tables of every cell shape (issue 12).

Targets: a first-row hit costs at most 3× a literal table's dictionary lookup, the last row at most 3× the
first, and a cached load of a 10,000-row table (a fresh interpreter, import excluded) under 100 ms.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from policykit import INTEGER, TEXT, build, schema  # noqa: E402

Outcome = tuple[str, float, float, bool]
ROWS = 10_000
NOT_X = 'not in {"x"}'
SHAPES: dict[str, tuple[str, Callable[[int], str]]] = {
    "tiers (ranges)": ("  = tiers of request.n", lambda i: f"      {10 * i}..{10 * i + 9} -> {i}"),
    "table, range cells": ("  = match first on request.n", lambda i: f"      | {10 * i}..{10 * i + 9} -> {i}"),
    "table, in cells": ("  = match first on request.n", lambda i: f"      | in {{{10 * i}, {10 * i + 5}}} -> {i}"),
    "table, compare cells": ("  = match first on request.n", lambda i: f"      | < {10 * i + 10} -> {i}"),
    "table, computed outputs": ("  = match first on request.n",
                                lambda i: f"      | {10 * i}..{10 * i + 9} -> request.n + {i}"),
    "table, two columns": ("  = match first on request.t, request.n",
                           lambda i: f"      | {'any' if i % 2 else NOT_X} | {10 * i}..{10 * i + 9} -> {i}"),
    "literal table (== cells)": ("  = match first on request.n", lambda i: f"      | {10 * i} -> {i}"),
}


def policy(shape: str, rows: int = ROWS) -> str:
    head, row = SHAPES[shape]
    return "kind probe\ndecision d\n" + head + "\n" + "\n".join(row(i) for i in range(rows)) + \
        "\n      otherwise -> -1\n"


def tables(rounds: int, seconds: float, interleaved: Callable) -> list[Outcome]:
    """Load every shape, time first and last rows against the literal table's lookup, and a cached load."""
    fields = {"n": INTEGER, "t": TEXT}
    decide: dict[str, Callable] = {}
    print(f"\ntables of {ROWS:,} rows: load (parse, check, compile; uncached)")
    for shape in SHAPES:
        started = time.perf_counter()
        kind = build(policy(shape), fields).kinds["probe"]
        print(f"  {shape:28s} {time.perf_counter() - started:6.1f} s")
        decide[shape] = kind.decide
    first, last = {"n": 0, "t": "a"}, {"n": 10 * (ROWS - 1), "t": "a"}
    contenders = {"dict lookup (literal table)": (lambda: decide["literal table (== cells)"](first))}
    for shape in SHAPES:
        if shape != "literal table (== cells)":
            contenders[f"{shape}: first row"] = (lambda f=decide[shape]: f(first))
            contenders[f"{shape}: last row"] = (lambda f=decide[shape]: f(last))
    results = interleaved(contenders, rounds, seconds)
    lookup = results["dict lookup (literal table)"]
    print("\n  µs per decision (side by side)")
    for name, micros in results.items():
        print(f"  {name:42s} {micros:8.3f} µs  {micros / lookup:5.2f}× the dict lookup")
    outcomes: list[Outcome] = []
    for shape in SHAPES:
        if shape == "literal table (== cells)":
            continue
        head, tail = results[f"{shape}: first row"], results[f"{shape}: last row"]
        outcomes.append((f"{shape}: first row vs a dict lookup", head / lookup, 3.0, head / lookup <= 3.0))
        outcomes.append((f"{shape}: last row vs first", tail / head, 3.0, tail / head <= 3.0))
    outcomes.append(_cached_load(fields))
    return outcomes


def _cached_load(fields: dict) -> Outcome:
    with tempfile.TemporaryDirectory() as folder:
        base = Path(folder)
        (base / "policies").mkdir()
        (base / "schemas").mkdir()
        (base / "policies" / "probe.vk").write_text(policy("table, computed outputs"), encoding="utf-8")
        (base / "schemas" / "probe.schema.json").write_text(json.dumps(schema(fields)), encoding="utf-8")
        code = textwrap.dedent("""
            import json, time
            from evaluator import load_policies
            started = time.perf_counter()
            policies = load_policies("policies", schemas="schemas")
            loaded = time.perf_counter() - started
            assert policies.evaluate({"kind": "probe", "n": 99995, "t": "a"}).decisions == {"d": 109994}
            print(json.dumps({"ms": loaded * 1000}))
        """)
        environment = {**os.environ, "VILKAR_CACHE_DIR": str(base / "cache"), "PYTHONPATH": str(ROOT)}
        environment.pop("VILKAR_CACHE", None)

        def run() -> float:
            output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=base,
                                    env=environment, check=True).stdout
            return json.loads(output.strip().splitlines()[-1])["ms"]
        cold = run()
        warm = min(run() for _ in range(3))
    print(f"\n  load_policies of a {ROWS:,}-row table in a fresh interpreter (import excluded): "
          f"{cold:.0f} ms uncached, {warm:.0f} ms cached")
    return (f"cached load of a {ROWS:,}-row table: {warm:.0f} ms vs 100 ms", warm / 100, 1.0, warm < 100)
