"""`vilkar lint`: every check of the checker, plus the rules in this package, one module per rule.

Each rule module has a docstring (its documentation, printed by `vilkar lint --explain CODE`), a
`CODE`, a `NAME`, and `check(context)` yielding diagnostics.
"""
from __future__ import annotations

from ...language.diagnostics import Diagnostic, sort_key
from . import (
    missing_citation, missing_decision, tier_gap, tier_overlap, unexpected_decision, unknown_citation,
    unreachable_rule, unused_definition,
)
from .context import LintContext, load_context

RULES = (tier_gap, tier_overlap, unreachable_rule, missing_citation, unknown_citation, unused_definition,
         missing_decision, unexpected_decision)

CHECKER_CODES = {
    "VK001": "The policy does not parse: the grammar expected something else at this place.",
    "VK100": "There is no policy file or directory at the given path.",
    "VK101": "A name is used that no `decision`, `let`, `set` or comprehension defines.",
    "VK102": "A request field is used that the kind's JSON schema does not have.",
    "VK103": "A text is compared with an enum field (or a set of them) whose schema does not allow it.",
    "VK104": "A value of the wrong type is used: a text where a number is needed, and the like.",
    "VK105": "Units or currencies are mixed: money and durations, USD and EUR, calendar and business time.",
    "VK106": "A name is defined twice.",
    "VK107": "A decision or value is defined in terms of itself.",
    "VK108": "A `kind` names no request kind that has a schema.",
    "VK109": "`request` is used outside the items of a kind.",
    "VK110": "A table row gives a different number of values or conditions than the table declares.",
    "VK111": "A function is unknown, or called with the wrong number of values.",
    "VK112": "A value that may be absent is used where a value is needed; give a fallback with `if absent`.",
    "VK113": "Two rows of a `unique` table can match the same request.",
    "VK114": "A calendar is malformed, or business time is used in a kind that names no calendar.",
    "VK115": "A decision or requirement stands before any `kind` line.",
    "VK116": "A `let` outside a kind is not a single constant.",
}


def lint(context: LintContext) -> list[Diagnostic]:
    """Every finding: parse and check errors, and, if the rule set checks, every lint rule's."""
    findings = list(context.diagnostics)
    if context.checked is not None:
        for rule in RULES:
            findings.extend(rule.check(context))
    return sorted(findings, key=sort_key)


def explain(code: str) -> str | None:
    """The documentation of a code, or None if there is no such code."""
    for rule in RULES:
        if rule.CODE == code.upper():
            return f"{rule.CODE} ({rule.NAME})\n\n{(rule.__doc__ or '').strip()}"
    if code.upper() in CHECKER_CODES:
        return f"{code.upper()} (checker)\n\n{CHECKER_CODES[code.upper()]}"
    return None


__all__ = ["lint", "explain", "load_context", "LintContext", "RULES"]
