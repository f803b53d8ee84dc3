"""Tiers and tables of constant cells are looked up (compile/ranges.py), and decide exactly as the chain of rows
they replace: same values, same rows fired, on every value a cell names and the values around it."""
from __future__ import annotations

import os
import random
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from evaluator.compile import ranges, tables
from policykit import DATE, INTEGER, NUMBER, TEXT, build, enum

LONG = os.environ.get("VILKAR_LONG_PROPERTIES") == "1"
BIG = 10_000 if LONG else 1_000
SEVERITIES = ["1", "A", "B", "C", "x"]
FIELDS = {"n": INTEGER, "x": NUMBER, "sev": enum(*SEVERITIES), "t": TEXT, "day": DATE}
OPTIONAL = {"m": INTEGER, "o": TEXT}
NOT_X = 'not in {"x"}'


@pytest.fixture(autouse=True)
def every_table_is_looked_up(monkeypatch):
    """Small tables keep their chain of rows (quicker than a call); here every table is looked up."""
    monkeypatch.setattr(ranges, "SMALL", 0)


def both(text: str, bits: bool = True) -> tuple:
    with pytest.MonkeyPatch.context() as patch:
        if not bits:  # the other way of finding rows, used by tables too big for bits in every column
            patch.setattr(ranges, "use_bits", lambda columns, rows: len(columns) == 1)
        looked_up = build(text, FIELDS, OPTIONAL)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(tables, "compile_ranges", lambda *arguments: False)
        chained = build(text, FIELDS, OPTIONAL)
    return looked_up, chained


def outcome(policies, document: dict) -> tuple:
    try:
        result = policies.evaluate({"kind": "probe", **document}, validate=False)
    except Exception as error:  # both must fail alike (an absent subject compared, say)
        return ("fault", type(error).__name__)
    return result.decisions, tuple(result._trace)


def numeric_cell(rng: random.Random, point) -> str:
    a, b = sorted(rng.sample(range(0, 25), 2))
    return rng.choice([f"{a}", f">= {a}", f"> {a}", f"< {a}", f"<= {a}", f"{a}..{b}", f"{b}..{a}", "any",
                       f"in {{{a}, {b}}}", f"not in {{{a}}}", f"{point(a)}"])


def text_cell(rng: random.Random) -> str:
    a, b = rng.sample(SEVERITIES, 2)
    return rng.choice([f'"{a}"', "any", f'in {{"{a}", "{b}"}}', f'not in {{"{a}"}}', f"in severities"])


def table(rng: random.Random) -> str:
    """A tiers body or a table of up to three columns, cells of every constant shape, outputs constant or not."""
    rows = rng.randint(1, 40)
    output = (lambda i: rng.choice([f"{i}", f"-{i}", f"request.n + {i}", f"{i} * 2"])) if rng.random() < 0.5 \
        else (lambda i: f"{i}")
    otherwise = rng.choice(["", "      otherwise -> -1\n", "      otherwise -> request.n\n"])
    if rng.random() < 0.3:
        subject = rng.choice(["request.n", "request.x", "(request.n - 3)"])
        bounds = []
        for i in range(rows):
            a, b = sorted(rng.sample(range(0, 25), 2))
            bounds.append(rng.choice([f"{a}", f">= {a}", f"> {a}", f"< {a}", f"<= {a}", f"{a}..{b}",
                                      f"{a}.5"]))
        body = "".join(f"      {bound} -> {output(i)}\n" for i, bound in enumerate(bounds))
        return f"  = tiers of {subject}\n{body}{otherwise}"
    columns = rng.sample(["request.n", "request.sev", "request.m", "request.o", "request.x", "request.day"],
                         rng.randint(1, 3))
    cells = {"request.n": lambda: numeric_cell(rng, lambda a: f"{a} + 1"),
             "request.m": lambda: rng.choice(["3", "any", "in {3, 4}", "not in {5}", "7"]),  # absent: no order
             "request.x": lambda: numeric_cell(rng, lambda a: f"{a}.25"),
             "request.sev": lambda: text_cell(rng),
             "request.o": lambda: rng.choice(['"a"', '"b"', "any", 'in {"a", "c"}', 'not in {"b"}']),
             "request.day": lambda: rng.choice(["2026-01-01", ">= 2026-01-01", "2025-12-24..2026-01-31", "any",
                                                "< 2026-02-01"])}
    lines = "".join("      | " + " | ".join(cells[c]() for c in columns) + f" -> {output(i)}\n" for i in range(rows))
    return f"  = match first on {', '.join(columns)}\n{lines}{otherwise}"


def documents(rng: random.Random) -> list[dict]:
    found = []
    for n in range(-7, 27):
        found.append({"n": n, "x": rng.choice([n, n + 0.25, n + 0.5, n - 0.5]), "sev": rng.choice(SEVERITIES),
                      "t": "z", "day": rng.choice(["2025-12-24", "2026-01-01", "2026-01-31", "2026-02-01"]),
                      **({"m": rng.choice([n, n + 1])} if rng.random() < 0.7 else {}),
                      **({"o": rng.choice("abcz")} if rng.random() < 0.7 else {})})
    return found


@settings(max_examples=60 if not LONG else 1000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 2 ** 32))
def test_a_looked_up_table_decides_as_its_chain_of_rows(seed):
    rng = random.Random(seed)
    text = 'set severities = {"A", "B"}\nkind probe\ndecision d\n' + table(rng)
    looked_up, chained = both(text, bits=rng.random() < 0.5)
    source = looked_up.kinds["probe"].source_code
    for document in documents(rng):
        assert outcome(looked_up, document) == outcome(chained, document), f"{text}\n{document}\n{source}"


def test_a_few_rows_keep_their_chain(monkeypatch):
    monkeypatch.setattr(ranges, "SMALL", 8)
    text = "kind probe\ndecision d\n  = tiers of request.n\n" + "".join(f"      >= {10 - i} -> {i}\n" for i in range(8))
    assert "elif" in build(text, FIELDS).kinds["probe"].source_code
    text += "      >= 0 -> 8\n"
    assert "elif" not in build(text, FIELDS).kinds["probe"].source_code


def test_tiers_and_tables_of_constant_cells_are_lookups():
    text = '''
kind probe
decision fee
  = tiers of request.n
      <= 0 -> 100%
      1..14 -> 50%
      > 14 -> 0%
decision plan
  = match first on request.sev, request.n
      | "A" | 1 -> "x"
      | in {"B", "C"} | >= 4 -> "w"
      | any | any -> "y"
decision sign
  = match first on request.sev
      | "A" -> 1
      otherwise -> -1
'''
    source = build(text, FIELDS).kinds["probe"].source_code
    assert " if " not in source and "elif" not in source, source
    # one binary search per ordered column: over whole numbers a single bisect_right, else runtime.piece
    assert source.count("_bisect_right(") + source.count("_piece(") == 2 and "_first_row(" in source


@pytest.mark.parametrize("shape", ["tiers", "range", "in", "compare", "two columns", "computed outputs"])
def test_a_big_table_of_every_cell_shape_loads_and_decides_its_first_and_last_rows(shape):
    rows = {
        "tiers": lambda i: f"      {10 * i}..{10 * i + 9} -> {i}",
        "range": lambda i: f"      | {10 * i}..{10 * i + 9} -> {i}",
        "in": lambda i: f"      | in {{{10 * i}, {10 * i + 5}}} -> {i}",
        "compare": lambda i: f"      | < {10 * i + 10} -> {i}",
        "two columns": lambda i: f"      | {'any' if i % 2 else NOT_X} | {10 * i}..{10 * i + 9} -> {i}",
        "computed outputs": lambda i: f"      | {10 * i}..{10 * i + 9} -> request.n + {i}",
    }[shape]
    head = {"tiers": "  = tiers of request.n", "two columns": "  = match first on request.t, request.n"}.get(
        shape, "  = match first on request.n")
    text = "kind probe\ndecision d\n" + head + "\n" + "\n".join(rows(i) for i in range(BIG)) + \
        "\n      otherwise -> -1\n"
    policies = build(text, FIELDS)
    source = policies.kinds["probe"].source_code
    assert max(len(line) - len(line.lstrip(" ")) for line in source.splitlines()) <= 4 * 20  # no deep nesting
    plus = {"computed outputs": 10 * (BIG - 1)}.get(shape, 0)
    first = policies.evaluate({"kind": "probe", "n": 0, "t": "a"}, validate=False)
    last = policies.evaluate({"kind": "probe", "n": 10 * (BIG - 1), "t": "a"}, validate=False)
    beyond = policies.evaluate({"kind": "probe", "n": 10 * BIG + 20, "t": "a"}, validate=False)
    assert (first.decisions["d"], first._trace) == (0, (0,))
    assert (last.decisions["d"], last._trace) == (BIG - 1 + plus, (BIG - 1,))
    assert (beyond.decisions["d"], beyond._trace) == (-1, (BIG,))


def test_a_negative_otherwise_keeps_a_small_literal_table_one_lookup(monkeypatch):
    monkeypatch.setattr(ranges, "SMALL", 8)
    text = 'kind probe\ndecision d\n  = match first on request.sev\n      | "A" -> 1\n      | "B" -> 2\n' \
           '      otherwise -> -1\n'
    policies = build(text, FIELDS)
    assert "elif" not in policies.kinds["probe"].source_code and "_piece" not in policies.kinds["probe"].source_code
    assert [policies.evaluate({"kind": "probe", "sev": s}, validate=False).decisions["d"] for s in "ABC"] == [1, 2, -1]


def test_values_of_one_meaning_held_differently_keep_the_chain():
    # 1 and 1.0 are one value to Python's ==; the rows still decide in their order
    text = '''
kind probe
decision d
  = match first on request.x
      | 1 -> "int"
      | 1.0 -> "decimal"
      | >= 0.5 -> "half"
'''
    policies = build(text, FIELDS)
    assert policies.evaluate({"kind": "probe", "x": 1}, validate=False).decisions["d"] == "int"
    assert policies.evaluate({"kind": "probe", "x": Decimal("0.75")}, validate=False).decisions["d"] == "half"
