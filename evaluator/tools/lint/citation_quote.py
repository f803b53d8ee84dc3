"""Citation quote: the words a citation quotes are not in the section it names.

A citation names where a clause is (VK205 checks that) and may quote it after the last `:` —
`cites "2.6 Yderligere vilkår og betingelser – Annulleringspolitik: 6 til 13 dage i forvejen … 50 % af
tjenesteomkostningerne"`. The quoted words must occur in that section (with its named parts), in the
order quoted. Matching is forgiving about what the PDF and typing change and strict about words:
case, spacing and line breaks are ignored, a word the PDF hyphenated over a line break matches whole
(`tjeneste-` / `omkostninger`), a footnote mark glued to a word (`Hændelsesleder2`) is dropped, `…`
or `...` marks words left out, `;` separates quotes that may stand in any order, up to 30 words of the
contract may lie between two quoted ones, and a parenthesised `(fodnote 4)` is a reference, not a quote.
A quoted word that is not there — a wrong number, a paraphrase, the wrong section — is reported.

Fix: quote the contract's own words (mark left-out words with `…`), or cite the section they are in.
"""
from __future__ import annotations

import bisect
import re
import unicodedata
from functools import lru_cache
from typing import Iterator

from ...language.diagnostics import Diagnostic
from ..clauses import Clause, Contract, parse_contract
from .context import LintContext
from .unknown_citation import _citations, problem as unknown

CODE = "VK212"
NAME = "citation-quote"
SEVERITY = "error"
GAP = 30
_REFERENCE = re.compile(r"\((?:fodnote|footnote|note)\s*\d+\)", re.IGNORECASE)


def check(context: LintContext) -> Iterator[Diagnostic]:
    if context.contract_text is None or context.contract is None:
        return
    contract = _parsed(context.contract_text)
    seen: dict[str, str | None] = {}
    for citation in _citations(context):
        if citation.text not in seen:
            seen[citation.text] = _problem(citation.text, contract, context.contract)
        reason = seen[citation.text]
        if reason is not None:
            yield Diagnostic(CODE, reason, citation.span,
                             "quote the contract's own words (mark left-out words with `…`), or cite the "
                             "section they are in", SEVERITY)


@lru_cache(maxsize=4)
def _parsed(text: str) -> Contract:
    return parse_contract(text)


def _problem(text: str, contract: Contract, normalized: str) -> str | None:
    head, colon, rest = text.partition(":")
    if not colon or unknown(text, normalized) is not None:
        return None  # nothing quoted, or a section VK205 already reports
    quote = _REFERENCE.sub(" ", rest.rsplit(":", 1)[-1])
    clause = contract.resolve(text)
    if clause is None:
        return None
    unit = _unit(clause, contract)
    words = _words(unit.text + "\n" + "\n".join(part.text for part in _within(unit, contract)))
    index = _index(words)
    for fragment in re.split(r"…|\.\.\.|;", quote):
        quoted = _words(fragment)
        if quoted and not _occurs(quoted, words, index):
            missing = _first_missing(quoted, index, words)
            shown = fragment.strip()
            named = head.strip()
            return (f'the quoted words "{shown}" are not in {named}' +
                    (f' (the contract has no "{missing}" there)' if missing else ""))
    return None


def _unit(clause: Clause, contract: Contract) -> Clause:
    while clause.parent is not None and clause.parent in contract.by_id:
        clause = contract.by_id[clause.parent]
    return clause


def _within(unit: Clause, contract: Contract) -> list[Clause]:
    inside, frontier = [], {unit.id}
    for clause in contract.clauses:  # document order: parts follow their unit, charts their annex
        if clause.parent in frontier:
            inside.append(clause)
            frontier.add(clause.id)
    return inside


def _words(text: str) -> list[str]:
    text = unicodedata.normalize("NFKC", text).casefold()
    text = re.sub(r"(?<=[a-zæøåäöü])\d\b", "", text)  # footnote marks glued to a word
    return re.findall(r"[0-9a-zæøåäöüé%]+", text)


def _index(words: list[str]) -> dict[str, list[int]]:
    index: dict[str, list[int]] = {}
    for position, word in enumerate(words):
        index.setdefault(word, []).append(position)
    return index


def _occurs(quoted: list[str], words: list[str], index: dict[str, list[int]]) -> bool:
    """The quoted words in order, each within GAP words of the one before (a word may be split in two)."""
    for start in _places(quoted[0], words, index, -1, len(words)):
        position, ok = start, True
        for word in quoted[1:]:
            following = _places(word, words, index, position, position + GAP + 1)
            if not following:
                ok = False
                break
            position = following[0]
        if ok:
            return True
    return False


def _places(word: str, words: list[str], index: dict[str, list[int]], after: int, before: int) -> list[int]:
    """Where a word stands after `after` and before `before`: whole, or split over two (`tjeneste-` `omkostninger`)."""
    found = [p for p in index.get(word, ()) if after < p < before]
    for cut in range(3, len(word) - 2):
        if word[cut:] not in index:
            continue
        for position in index.get(word[:cut], ()):
            if after < position < before and position + 1 < len(words) and words[position + 1] == word[cut:]:
                found.append(position + 1)
    return sorted(found)


def _first_missing(quoted: list[str], index: dict[str, list[int]], words: list[str]) -> str | None:
    for word in quoted:
        if not _places(word, words, index, -1, len(words)):
            return word
    return None
