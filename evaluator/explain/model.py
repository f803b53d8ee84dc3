"""The explanation of one result, as one structure: a headline, the notes, and per decision a paragraph
(its value, why in plain words, the clauses quoted, the request fields it read), each with the steps
behind it. Text, data and HTML are renderings of it (`text.py`, `data.py`).

Everything is made from the compiled trace: which rule decided each decision and `let`, the words the
compiler kept for that rule (`RuleWords`), and conditions evaluated again for this request to say why
an earlier row did not apply (a near miss: a row that failed on one condition only, such as the
product being on an exclusion list).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from ..compile.plan import NO_RULE, SetInfo
from ..compile.trace_info import DecisionInfo, RuleInfo
from .rule_words import Phrase, Ref, Test, words_of_name
from .quotes import Cite, Quotes
from .reading import Reading


@dataclass
class Paragraph:
    """One decision (or the several values of one table), or a `let` behind one, explained."""

    names: tuple[str, ...]
    values: dict[str, Any]  # JSON
    texts: dict[str, str]  # as people read them
    summary: str  # one sentence
    because: list[str]  # reasons in plain words, the deciding one first
    cites: list[Cite]
    source: str
    inputs: dict[str, Any]  # JSON pointer → the request's value (JSON)
    rule: str  # the rule as written, for the full derivation
    role: str
    reported: bool
    notes: list[str] = field(default_factory=list)
    counted: list[str] = field(default_factory=list)  # how business time was counted, day by day
    steps: list[str] = field(default_factory=list)  # names of the lets behind it, deepest first
    depends_on: list[str] = field(default_factory=list)  # the decisions it reads
    derivation: list[str] = field(default_factory=list)  # the business time counted, as the calendar said it
    computed: bool = False  # decided by arithmetic alone, not by a condition or the author's words


@dataclass
class Explanation:
    """A result explained: the headline first, then the notes, then a paragraph per decision."""

    kind: str
    headline: list[str]
    notes: list[str]
    paragraphs: list[Paragraph]  # the decisions, in the kind's order
    lets: dict[str, Paragraph]  # every let, by name
    version: dict[str, Any] | None = None

    def paragraph(self, name: str) -> Paragraph | None:
        for paragraph in self.paragraphs:
            if name in paragraph.names:
                return paragraph
        return self.lets.get(name)


class Explainer:
    """Builds the Explanation of one result."""

    def __init__(self, result: Any, quotes: Quotes):
        self.result = result
        self.reading = Reading(result)
        self.quotes = quotes
        self.compiled = result._compiled
        self.fired = result.fired()
        self.sets: dict[str, SetInfo] = {info.name: info for info in self.compiled.explaining.sets}

    def explanation(self) -> Explanation:
        paragraphs, lets = [], {}
        for info, index in zip(self.compiled.definitions, self.result._trace):
            paragraph = self.paragraph(info, info.rules[index])
            if info.reported:
                paragraphs.append(paragraph)
            else:
                lets[info.names[0]] = paragraph
        version = self.result.version.to_dict() if self.result.version is not None else None
        explanation = Explanation(self.result.kind, [], list(self.result.notes), paragraphs, lets, version)
        explanation.headline = self.headline(explanation)
        return explanation

    # -- one paragraph
    def paragraph(self, info: DecisionInfo, rule: RuleInfo) -> Paragraph:
        names = info.names
        values = {name: self.reading.json(name) for name in names}
        texts = {name: self.reading.text(name) for name in names}
        reason = self.reason(info, rule)
        because = [reason] if reason else []
        cites = [self.quotes.cite(rule.cites)] if rule.cites else []
        for sentence, cite in self.near_misses(info, rule):
            because.append(sentence)
            if cite is not None and cite not in cites:
                cites.append(cite)
        steps = self.lets_behind(rule)
        for name in self.deciding_lets(rule):
            said = self.chained(*self.fired[name])
            if said and said not in because:
                because.append(said)
        for name in steps:
            let_info, let_rule = self.fired[name]
            for sentence, cite in self.near_misses(let_info, let_rule):
                if sentence not in because:
                    because.append(sentence)
                if cite is not None and cite not in cites:
                    cites.append(cite)
        inputs = self.inputs(rule, steps)
        shown = ", ".join(f"{name} {texts[name]}" for name in names)
        summary = f"{shown}: {reason}." if reason else f"{shown}."
        notes = list(info.notes) + (list(rule.words.notes) if rule.words is not None else [])
        counted = self.counted(names[0])
        counted_all = list(self.result.counted().get(names[0], []))
        for name in steps:
            counted = counted or self.counted(name)
            counted_all = counted_all or list(self.result.counted().get(name, []))
        depends = [used for used in self.decisions_behind(rule, steps) if used not in names]
        return Paragraph(names, values, texts, summary, because, cites, info.source if rule.role == "none"
                         else rule.source, inputs, rule.text, rule.role, info.reported, notes, counted, steps,
                         depends, counted_all, _computed(rule))

    def counted(self, name: str) -> list[str]:
        """How business time was counted for a definition, day by day (the calendar's description and
        notes, which the narration repeats for each, are the result's notes and the full derivation's)."""
        lines = list(self.result.counted().get(name, []))
        calendar = self.compiled.calendar
        if calendar is None:
            return lines
        try:
            described = calendar.at(self.result.input_value(tuple(self.compiled.location))).describe()
        except Exception:
            described = None
        plain = _plain_calendar(described) if described else described
        return [plain if line == described else line for line in lines if line not in calendar.notes and line]

    def reason(self, info: DecisionInfo, rule: RuleInfo) -> str:
        """Why the rule that fired decides: the author's `because`, else words made from the rule."""
        words = rule.words
        if words is None:
            return ""
        if words.because:
            return self.reading.fill(words.because)
        if words.logic:
            said = self.logic(info, words)
            if said:
                return said if rule.role in ("rule", "holds") else f"no exception applies, and {said}"
        if rule.role == "rule":
            value = words.value[0] if words.value else ()
            named = value[0] if len(value) == 1 and isinstance(value[0], Ref) else None
            if named is not None and named.what == "name" and named.key in self.fired \
                    and named.key not in self.result.decisions:
                return self.reason(*self.fired[named.key])  # `= notice`: what the let says
            if words.negated and words.negated[0] and self.reading.raw(info.names[0]) is False:
                value = words.negated[0]
            return self.reading.say(value, "both")
        if rule.role == "fails" and words.tests:  # `all of`: the first part that does not hold decides false
            return "not every part holds: " + self.reading.say(words.tests[0].negated, "name")
        if rule.role == "holds":
            return "every part holds"
        if rule.role == "base":
            failed = self.failed_exceptions(info)
            return "no exception applies" + (f" ({'; '.join(failed)})" if failed else "")
        if rule.role == "tier":
            test = words.tests[0]
            subject = self.reading.say((test.subject,), "value") if test.subject is not None else ""
            said = self.reading.say(test.phrase, "name")
            return f"{said} ({subject})" if subject and subject != "none" else said
        if rule.role in ("row", "exception"):
            held = [self.reading.say(test.phrase, "name") for test in words.tests]
            if rule.role == "row":
                held += self.passed_over(info, rule)
            said = " and ".join(held) if held else "it applies in every case"
            computed = words.value[0] if len(words.value) == 1 else ()
            raw = self.reading.raw(info.names[0])
            if computed and words.negated and words.negated[0] and raw is False:
                computed = words.negated[0]  # `-> scenarios <= 7` that came out false: "scenarios is more than 7"
            decided = self.decided_by(raw, words.value_tests, words.value_logic) if computed else ""
            named = computed[0] if len(computed) == 1 and isinstance(computed[0], Ref) else None
            if named is not None and named.what == "name" and named.key in self.fired \
                    and named.key not in self.result.decisions:
                said += ": " + self.reason(*self.fired[named.key])  # `-> in_agreement`: what the let says
            elif decided and words.value_logic != "one":
                said += ": " + decided  # `-> a and b` that came out false: the part that failed
            elif any(isinstance(part, Ref) and part.what in _READ for part in computed):
                said += ": " + self.reading.say(computed, "both")
            return said
        failed = self.failed_rows(info)
        detail = f" ({'; '.join(failed)})" if failed else ""
        if rule.role == "otherwise":
            return "no row applies" + detail
        return "no row applies" + detail + ", and the contract states nothing for this case"

    def logic(self, info: DecisionInfo, words: Any) -> str:
        """A yes/no rule's reason: the parts that made it true, or the parts that made it false."""
        return self.decided_by(self.reading.raw(info.names[0]), words.tests, words.logic)

    def decided_by(self, value: Any, tests: tuple[Test, ...], logic: str) -> str:
        """The parts of a yes/no value (`logic` "and", "or" or "one") that made it what it is."""
        held = [(test, self.reading.holds(test)) for test in tests]
        if not isinstance(value, bool) or not logic:
            return ""
        if logic == "or" and value or logic == "and" and not value:
            # one part decides: those known to, even where a later one cannot be read (`x is present and x > 1`)
            chosen = [test for test, outcome in held if outcome == value]
        elif any(outcome is None for _, outcome in held):
            return ""
        else:
            chosen = [test for test, _ in held]
        if not chosen:
            return ""
        joiner = " or " if logic == "or" and value else " and "
        return joiner.join(self.reading.say(test.phrase if value else test.negated, "name") for test in chosen)

    def failed_rows(self, info: DecisionInfo) -> list[str]:
        """Why no row applied: each row's first condition that failed, each said once (three at most)."""
        said: list[str] = []
        for index, rule in sorted(info.rules.items()):
            if rule.role not in ("row", "tier") or rule.words is None:
                continue
            for test in rule.words.tests:
                if self.reading.holds(test) is False:
                    sentence = self.reading.say(test.negated, "name")
                    if sentence not in said:
                        said.append(sentence)
                    break
        return said[:3]

    def chained(self, info: DecisionInfo, rule: RuleInfo) -> str:
        """A `let` behind a decision, said only where a condition or the author decided it."""
        if rule.words is None or not (rule.words.because or rule.role in ("row", "tier", "exception")):
            return ""
        reason = self.reason(info, rule)
        if rule.words.because:
            return reason  # the author's words say what it is
        value = self.reading.text(info.names[0])
        name = words_of_name(info.names[0], info.types[0])
        return f"{name} {value}, as {reason}"

    def passed_over(self, info: DecisionInfo, rule: RuleInfo) -> list[str]:
        """For a row of a first-hit table: why the rows above it, which it would otherwise repeat, did not
        apply (each that failed on one condition only, not a list's: those are said as exclusions)."""
        said: list[str] = []
        for index, earlier in sorted(info.rules.items()):
            if earlier is rule:
                break
            if index < 0 or earlier.role != "row" or earlier.words is None:
                continue
            failing = [test for test in earlier.words.tests if self.reading.holds(test) is not True]
            if len(failing) == 1 and failing[0].set_ref is None and self.reading.holds(failing[0]) is False \
                    and not _implied(failing[0], rule):
                sentence = self.reading.say(failing[0].negated, "name")
                own = [self.reading.say(test.phrase, "name") for test in rule.words.tests]
                if sentence not in said and sentence not in own:
                    said.append(sentence)
        return said[:2]

    def failed_exceptions(self, info: DecisionInfo) -> list[str]:
        said = []
        for index, rule in sorted(info.rules.items()):
            if index < 0 or rule.role != "exception" or rule.words is None:
                continue
            for test in rule.words.tests:
                if self.reading.holds(test) is False:
                    sentence = self.reading.say(test.negated, "name")
                    if sentence not in said:
                        said.append(sentence)
                    break
        return said

    # -- near misses: a better row that failed on one condition, an exclusion list
    def near_misses(self, info: DecisionInfo, rule: RuleInfo) -> list[tuple[str, Cite | None]]:
        """For each earlier rule that failed only on a named set's membership: what the list decided."""
        fired_index = next(index for index, candidate in info.rules.items() if candidate is rule)
        found = []
        for index, candidate in sorted(info.rules.items()):
            if candidate.words is None or candidate.role not in ("row", "tier", "exception"):
                continue
            if rule.role in ("row", "tier") and index >= fired_index:
                continue
            if rule.role == "exception" and index >= fired_index:
                continue
            failing = [test for test in candidate.words.tests if self.reading.holds(test) is not True]
            listed = [test for test in failing if test.set_ref is not None]
            if not listed or len(failing) > 2 or any(self.reading.holds(test) is not False for test in failing):
                continue  # an exclusion list decided, alone or with one more condition
            if not listed[0].negated_set and len(failing) > 1:
                continue  # not on a list it need not be on, and another condition failed too: no near miss
            said = self.exclusion(listed[0], candidate)
            if said is None or _would_give(self.reading, candidate, info):
                continue  # that row would give the same value: it explains nothing
            sentence, cite = said
            others = [self.reading.say(test.negated, "name") for test in failing if test is not listed[0]]
            if others:
                head, _, tail = sentence.partition(", so not ")
                sentence = f"{head} and {others[0]}" + (f", so not {tail}" if tail else "")
            found.append((sentence, cite))
        return found

    def exclusion(self, test: Test, candidate: RuleInfo) -> tuple[str, Cite | None] | None:
        info = self.sets.get(test.set_ref.key) if test.set_ref is not None else None
        if info is None or test.subject is None:
            return None
        value = self.reading.say((test.subject,), "value")
        instead = self.reading.say(candidate.words.value[0], "value") if candidate.words.value else ""
        cite = self.quotes.cite(info.cites) if info.cites else None
        where = f" ({cite.section})" if cite is not None else ""
        if test.negated_set:  # `not in` failed: the value is on the list
            said = f"{value} {info.because}" if info.because else f"{value} is on the list {info.words}"
        else:
            said = f"{value} is not on the list {info.words}"
        return f"{said}{where}, so not {instead}" if instead else f"{said}{where}", cite

    # -- what a rule reads
    def lets_behind(self, rule: RuleInfo) -> list[str]:
        """The lets a rule reads, directly or through other lets, each once, deepest first."""
        ordered: list[str] = []
        reported = self.result.decisions

        def visit(names: tuple[str, ...]) -> None:
            for name in names:
                if name in reported or name in ordered or name not in self.fired:
                    continue
                visit(self.fired[name][1].uses)
                ordered.append(name)

        visit(rule.uses)
        return ordered

    def deciding_lets(self, rule: RuleInfo) -> list[str]:
        """The lets whose condition gave the rule its value: read directly or through lets that only
        compute (`fastest = min(...)`), and not absent; what made the others absent is their own story."""
        found: list[str] = []
        seen: set[str] = set()

        def visit(names: tuple[str, ...]) -> None:
            for name in names:
                if name in seen or name in self.result.decisions or name not in self.fired:
                    continue
                seen.add(name)
                info, fired = self.fired[name]
                if fired.role == "rule" and not (fired.words and fired.words.because):
                    visit(fired.uses)
                elif self.reading.raw(name) is not None:
                    found.append(name)

        visit(rule.uses)
        return found

    def decisions_behind(self, rule: RuleInfo, steps: list[str]) -> list[str]:
        found: list[str] = []
        for uses in [rule.uses] + [self.fired[name][1].uses for name in steps]:
            for name in uses:
                if name in self.result.decisions and name not in found:
                    found.append(name)
        return found

    def inputs(self, rule: RuleInfo, steps: list[str]) -> dict[str, Any]:
        paths = list(rule.inputs)
        for name in steps:
            paths.extend(path for path in self.fired[name][1].inputs if path not in paths)
        return {"/" + "/".join(path): self.reading.input_json(path) for path in paths}

    # -- the headline
    def headline(self, explanation: Explanation) -> list[str]:
        templates = self.compiled.explaining.headlines
        lines = [self.reading.fill(template) for template in templates]
        first = _first_named(templates) or (explanation.paragraphs[0].names[0] if explanation.paragraphs else None)
        paragraph = explanation.paragraph(first) if first else None
        if paragraph is None:
            return lines
        if not lines:
            lines.append(paragraph.summary)
            return lines
        paragraph = _deciding(explanation, paragraph)
        why = [sentence for sentence in paragraph.because if sentence]
        if why:  # the reason follows the first line, the answer, before what the kind adds to it
            lines.insert(1, "Because " + _lower_first("; ".join(why)) + ".")
        return lines[:3]


def _plain_calendar(described: str) -> str:
    """Which hours applied, without the policies' names: the calendar is the rule set's, a field is a field."""
    plain = re.sub(r"the calendar `[^`]*`", "the rule set's calendar", described)
    return plain.replace("`", "")


_READ = ("request", "name", "present", "absent")  # the parts of a phrase that read this request's values


def _would_give(reading: Reading, candidate: RuleInfo, info: DecisionInfo) -> bool:
    value = candidate.words.value[0] if candidate.words.value else ()
    return len(info.names) == 1 and bool(value) and reading.say(value, "value") == reading.text(info.names[0])


def _computed(rule: RuleInfo) -> bool:
    words = rule.words
    return rule.role == "rule" and words is not None and not words.logic


def _implied(test: Test, rule: RuleInfo) -> bool:
    """A failed test that the fired row's own conditions already rule out (`severity is B` says it is not 1)."""
    subject = test.subject
    return subject is not None and any(held.subject is not None and held.subject.key == subject.key
                                       for held in rule.words.tests)


def _deciding(explanation: Explanation, paragraph: Paragraph) -> Paragraph:
    """The paragraph whose condition decided: a value computed from another decision (a fee from its
    percentage) is explained by that decision's reason."""
    seen = set()
    while paragraph.computed and len(paragraph.because) <= 1 and paragraph.depends_on:
        following = explanation.paragraph(paragraph.depends_on[0])
        if following is None or following.names[0] in seen:
            break
        seen.add(following.names[0])
        paragraph = following
    return paragraph


def _first_named(templates: tuple[str, ...]) -> str | None:
    from ..language.reasons import pieces
    for template in templates:
        for _, _, name in pieces(template):
            if name and not name.startswith("request."):
                return name
    return None


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:] if text[:1].isupper() and not text[1:2].isupper() else text


__all__ = ["Explainer", "Explanation", "Paragraph", "Cite", "NO_RULE", "Phrase", "Ref"]
