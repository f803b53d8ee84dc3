"""`vilkar lint`: every check of the checker, plus the rules in this package, one module per rule.

Each rule module has a docstring (its documentation, printed by `vilkar lint --explain CODE`), a
`CODE`, a `NAME`, a default `SEVERITY`, and `check(context)` yielding diagnostics. Checker errors are
always reported: a rule set with them does not load, so no setting may hide them.
"""
from __future__ import annotations

from dataclasses import replace

from ...language.diagnostics import Diagnostic, sort_key
from . import (
    citation_quote, code_in_words, exception_overlap, missing_citation, missing_decision, output_typo,
    similar_names, table_exhaustive, tier_gap, tier_overlap, unexpected_decision, unknown_citation, value_range,
    unreachable_rule, unused_definition, unused_suppression,
)
from .config import LintConfig
from .context import LintContext, load_context

RULES = (tier_gap, tier_overlap, unreachable_rule, missing_citation, unknown_citation, unused_definition,
         missing_decision, unexpected_decision, code_in_words, citation_quote, value_range, table_exhaustive,
         similar_names, output_typo, exception_overlap)
DOCUMENTED = RULES + (unused_suppression,)

CHECKER_CODES = {
    "VK001": "The policy does not parse: the grammar expected something else at this place.",
    "VK002": "A policy file is not UTF-8 text; save it as UTF-8.",
    "VK003": "An expression is nested more than 100 deep (parentheses around other operators, `not`, `-`, "
             "`if`); split it into named parts with `let`. Runs of `or`, `and` and `+` may be any length.",
    "VK004": "A money amount or number uses Danish thousands separators (`USD 50.000`, `1.250.000`): it could be "
             "read two ways, so it is refused with both readings. Write `USD 50,000` (or `USD 50.00`).",
    "VK005": "A number has more digits than vilkar computes with exactly (100).",
    "VK100": "There is no policy file or directory at the given path, or a file cannot be read.",
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
    "VK114": "A calendar is malformed (hours, days, places, closed days), business time is used in a kind that "
             "names no calendar, or months are used without the rule set's rule for dates that do not exist.",
    "VK115": "A decision or requirement stands before any `kind` line.",
    "VK116": "A `let` outside a kind is not a single constant.",
    "VK120": "A rule gives a value its decision's declared type does not allow (a money row in a percentage, a "
             "text not among `one of {...}`, `nothing` without `or nothing`); reported where the value is written.",
    "VK180": "A `{placeholder}` in a `because` or `headline` names no decision, `let` or request field of the kind.",
    "VK181": "A brace in a `because` or `headline` is not a placeholder: write `{name}`, or `{{` and `}}` for a brace.",
    "VK121": "A decision's type declaration is malformed: an unknown type, or a range or values it cannot have.",
    "VK150": "A rule set declares its `version` more than once; a rule set has one version line.",
    "VK151": "A `version` line's dates are not real dates, or `until` is not after `effective`.",
    "VK152": "Two versions of a history are in force on the same day: end the earlier one where the later begins.",
    "VK153": "A history leaves days on which no version is in force between two versions.",
    "VK154": "A directory of a history declares no `version`.",
    "VK155": "Two versions of a history have the same id.",
    "VK156": "A kind's schema does not name its event date (`x-vilkar-event-date`), the date that picks the version.",
}


def lint(context: LintContext, config: LintConfig | None = None) -> list[Diagnostic]:
    """Every finding: parse and check errors, and, if the rule set checks, the selected lint rules'."""
    config = config or LintConfig()
    findings = list(context.diagnostics)
    if context.checked is None:
        return sorted(findings, key=sort_key)
    found: list[Diagnostic] = []
    for rule in RULES:
        if config.enabled(rule.CODE):  # a rule gives each finding its severity; configuration overrides it
            level = config.severity.get(rule.CODE)
            found.extend(replace(finding, severity=level) if level else finding for finding in rule.check(context))
    suppressions = [s for s in unused_suppression.suppressions(context.sources.values())
                    if config.enabled(s.code) or s.code not in CODES]
    findings.extend(unused_suppression.apply(found, suppressions, {rule.CODE for rule in DOCUMENTED}))
    if config.enabled(unused_suppression.CODE):
        level = config.level(unused_suppression.CODE, unused_suppression.SEVERITY)
        findings.extend(replace(finding, severity=level) for finding in unused_suppression.unused(suppressions, CODES))
    return sorted(findings, key=sort_key)


def explain(code: str) -> str | None:
    """The documentation of a code, or None if there is no such code."""
    for rule in DOCUMENTED:
        if rule.CODE == code.upper():
            return f"{rule.CODE} ({rule.NAME})\n\n{(rule.__doc__ or '').strip()}"
    if code.upper() in CHECKER_CODES:
        return f"{code.upper()} (checker)\n\n{CHECKER_CODES[code.upper()]}"
    return None


def documentation() -> str:
    """docs/lint.md: every rule's documentation, the page SARIF's helpUri points at."""
    parts = ["# vilkar lint rules", "",
             "Generated from the rule modules' docstrings (`vilkar lint --explain CODE` prints one).", ""]
    for rule in sorted(DOCUMENTED, key=lambda r: r.CODE):
        parts += [f'<a id="{rule.CODE.lower()}"></a>', f"## {rule.CODE} {rule.NAME} (default: {rule.SEVERITY})", "",
                  (rule.__doc__ or "").strip(), ""]
    parts += ["## Checker errors", "",
              "These make the rule set fail to load; no setting or suppression hides them.", ""]
    for code, text in sorted(CHECKER_CODES.items()):
        parts += [f'<a id="{code.lower()}"></a>', f"### {code}", "", text, ""]
    return "\n".join(parts)


CODES = {rule.CODE for rule in DOCUMENTED} | set(CHECKER_CODES)

__all__ = ["lint", "explain", "load_context", "LintContext", "LintConfig", "RULES", "DOCUMENTED", "CODES"]
