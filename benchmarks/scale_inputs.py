"""Generated policies for benchmarks/scale.py: big sets, big tables of every cell shape, product-name lists."""
from __future__ import annotations

import random
from typing import Any

HEAD = "kind scale\n\n"
VALUES = [f"v{index}" for index in range(64)]
SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema", "type": "object", "x-vilkar-event-date": None,
    "additionalProperties": False, "required": ["kind", "name", "n", "code", "a", "b"],
    "properties": {"kind": {"const": "scale"}, "name": {"type": "string"}, "n": {"type": "integer"},
                   "code": {"type": "string"}, "a": {"type": "string", "enum": VALUES},
                   "b": {"type": "string", "enum": VALUES}},
}
WORDS = ["Azure", "Storage", "Media", "Services", "Stack", "Hub", "Edge", "Mesh", "Print", "Universal", "Cloud",
         "Defender", "Sentinel", "Fabric", "Power", "Teams", "Exchange", "Dynamics", "Windows", "Server"]


def name_set(count: int) -> str:
    """One set of `count` distinct texts, and a decision that asks it."""
    items = ", ".join(f'"name {index}"' for index in range(count))
    return HEAD + f"set big = {{{items}}}\n\ndecision listed\n  = request.name in big\n"


def literal_table(count: int, mode: str = "first") -> str:
    """A table of `count` rows matching a text and a number, each row a literal pair."""
    rows = "\n".join(f'      | "c{index}" | {index % 97} -> {index}' for index in range(count))
    return HEAD + f"decision out\n  = match {mode} on request.code, request.n\n{rows}\n      otherwise -> 0\n"


def mixed_table(count: int) -> str:
    """Rows of every cell shape: ranges, comparisons, sets and their complements, `any`, literals."""
    shapes = [
        lambda i: f'| {2 * i}..{2 * i + 1} | "c{i}"',
        lambda i: f'| >= {2 * i} | in {{"c{i}", "d{i}"}}',
        lambda i: f'| < {-i} | not in {{"c{i}"}}',
        lambda i: f'| {2 * i} | any',
        lambda i: f'| any | "e{i}"',
    ]
    rows = "\n".join(f"      {shapes[index % len(shapes)](index)} -> {index}" for index in range(count))
    return HEAD + f"decision out\n  = match first on request.n, request.code\n{rows}\n      otherwise -> 0\n"


def tier_table(count: int) -> str:
    rows = "\n".join(f"      {2 * index}..{2 * index + 1} -> {index}" for index in range(count))
    return HEAD + f"decision out\n  = tiers of request.n\n{rows}\n      otherwise -> 0\n"


def enum_table() -> str:
    """Every pair of two 64-value enums but one, without `otherwise`: lint finds the missing pair."""
    rows = [f'      | "{a}" | "{b}" -> {i * 64 + j}' for i, a in enumerate(VALUES) for j, b in enumerate(VALUES)]
    return HEAD + "decision out\n  = match first on request.a, request.b\n" + "\n".join(rows[:-1]) + "\n"


def text_table(count: int, typos: int = 20) -> str:
    """A table giving one of a few texts per row, a few of them misspelt (what VK216 is for)."""
    texts = ["rapid_response", "business_hours", "around_the_clock", "not_covered", "escalate_to_aem"]
    rows, step = [], count // typos
    for index in range(count):
        text = texts[index % len(texts)]
        if index % step == 7:  # a misspelt copy, given once: a letter dropped, each typo another
            typo = index // step
            text = texts[typo % len(texts)]
            cut = 2 + typo % (len(text) - 3)
            text = text[:cut] + text[cut + 1:]
        rows.append(f'      | "c{index}" -> "{text}"')
    return HEAD + "decision out\n  = match first on request.code\n" + "\n".join(rows) + '\n      otherwise -> "none"\n'


def product_sets(count: int, typos: int = 50) -> str:
    """Two `names` sets of product names (half each), the second with a few misspelt copies of the first's."""
    rng = random.Random(1)
    names = sorted({" ".join(rng.sample(WORDS, 3)) + f" {rng.randrange(10 ** 6)}" for _ in range(count)})
    half = len(names) // 2
    second = names[half:] + [name[:-1] + "x" for name in names[:typos]]

    def listed(items: list[str]) -> str:
        return ", ".join(f'"{item}"' for item in items)

    return HEAD + (f"set one: names = {{{listed(names[:half])}}}\nset two: names = {{{listed(second)}}}\n\n"
                   "decision listed\n  = request.name in one or request.name in two\n")
