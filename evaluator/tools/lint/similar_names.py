"""Similar names: a member of a `names` set that differs from another set's member by a small edit.

Product lists are copied from the contract into several sets (exclusions, eligible products, language
lists), and a name typed twice is sometimes typed differently: `"Azure StorSimpel"` in one set and
`"Azure StorSimple"` in another. Names match ignoring case and spacing, so the misspelt one silently
matches nothing. A pair of names that is at most two letters apart (and at least eight letters long,
so that short distinct names are left alone) is reported at the less common one, unless some set
lists both, or an `aliases` set makes them one product's names — then both spellings are meant
(`"Testbase for M365" = "Test Base for M365"`).

Fix: spell the name as the contract does in every set; if both are real products, suppress the finding
with a reason: `# vilkar: ignore[VK215] two products`.
"""
from __future__ import annotations

from collections import Counter
from typing import Iterator

from ...language import ast
from ...language.diagnostics import Diagnostic
from .context import LintContext
from .near_texts import near_pairs

CODE = "VK215"
NAME = "similar-names"
SEVERITY = "warning"
MIN_LENGTH = 8


def members_of(context: LintContext) -> tuple[list[tuple[str, str, ast.String]], Counter, dict[str, set[str]],
                                              dict[str, tuple[str, ast.String]]]:
    """Every member of a `names` set as (normalized, set name, literal); how often each normalized name is
    written; the sets holding it; and where it is first written."""
    members: list[tuple[str, str, ast.String]] = []
    for item in context.items():
        if isinstance(item, ast.SetDecl) and item.names:
            for literal in _literals(item.value):
                members.append((_normal(literal.value), item.name, literal))
    counts = Counter(normal for normal, _, _ in members)
    sets: dict[str, set[str]] = {}
    for normal, set_name, _ in members:
        sets.setdefault(normal, set()).add(set_name)
    by_name: dict[str, tuple[str, ast.String]] = {}
    for normal, set_name, literal in members:
        by_name.setdefault(normal, (set_name, literal))
    return members, counts, sets, by_name


def check(context: LintContext) -> Iterator[Diagnostic]:
    members, counts, sets, by_name = members_of(context)
    names = sorted(by_name)
    every_set = set().union(*sets.values()) if sets else set()
    # a name shorter than MIN_LENGTH, or listed in every set, can have no partner: it is not compared
    kept = [index for index, name in enumerate(names) if len(name) >= MIN_LENGTH and sets[name] != every_set]
    texts = [names[index] for index in kept]
    one_product = _alias_groups(context)

    def skip(i: int, j: int) -> bool:
        first, second = texts[i], texts[j]
        if sets[first] & sets[second]:
            return True  # both spellings in one set: the author lists them on purpose
        group = one_product.get(first)
        return group is not None and group == one_product.get(second)  # an alias set: names of one product

    pairs = sorted((kept[i], kept[j]) for i, j in near_pairs(texts, skip))
    written: dict[str, list[tuple[str, ast.String]]] = {}
    for normal, set_name, literal in members:
        written.setdefault(normal, []).append((set_name, literal))
    reported: set[str] = set()
    for first_index, second_index in pairs:  # in the order of comparing each sorted name with the later ones
        first, second = names[first_index], names[second_index]
        rare, common = (first, second) if counts[first] <= counts[second] else (second, first)
        if rare in reported:
            continue
        reported.add(rare)
        other_set, other = by_name[common]
        for set_name, literal in written[rare]:
            yield Diagnostic(CODE, f'"{literal.value}" in set `{set_name}` is a small edit from '
                             f'"{other.value}" in set `{other_set}`: a typo?', literal.span,
                             f'write "{other.value}" if it is the same product', SEVERITY)


def _alias_groups(context: LintContext) -> dict[str, int]:
    """Each name of an `aliases` set → its group (the same key for every name of one group)."""
    groups: dict[str, int] = {}
    for item in context.items():
        if isinstance(item, ast.SetDecl) and item.aliases and isinstance(item.value, ast.SetLiteral):
            for member in item.value.items:
                if isinstance(member, ast.AliasGroup):
                    for name in member.names:
                        if isinstance(name, ast.String):
                            groups[_normal(name.value)] = id(member)
    return groups


def _literals(expr: ast.Expr) -> list[ast.String]:
    if isinstance(expr, ast.SetLiteral):
        return [item for item in expr.items if isinstance(item, ast.String)]
    if isinstance(expr, ast.Binary) and expr.op == "+":
        return _literals(expr.left) + _literals(expr.right)
    return []


def _normal(text: str) -> str:
    return " ".join(text.split()).casefold()
