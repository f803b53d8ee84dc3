"""The contract's own words for a citation: the clause it names (tools/clauses.py finds it) and the
sentence of that clause that holds the cited words, as the contract prints them.

A citation is `head: words`; the head names the clause, the words are what the rule encodes, sometimes
shortened with `…`. The quote is the contract's sentence that contains the longest cited piece, its
whitespace joined (the text comes from a PDF, whose line breaks are not the author's); a citation
whose words the clause does not contain gets the clause's sentence that shares most of its words, or
no quote at all rather than an unrelated one.
"""
from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ..tools.clauses import Clause, Contract, load_contract, parse_contract

_SPACE = re.compile(r"\s+")
_PIECES = re.compile(r"\s*(?:…|\.\.\.|:\s)\s*")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-ZÆØÅ•\"“(])")
_MARKER = re.compile(r"(?<=[a-zæøåA-ZÆØÅ])[1-9](?![0-9])|\s*\(fodnote \d\)")  # `arbejdstimer4`
_WORD = re.compile(r"[0-9a-zæøåé]+", re.IGNORECASE)
MAX_QUOTE = 320
MIN_PIECE = 8  # a cited piece shorter than this ("B", "1") is too common to locate a sentence by


@dataclass(frozen=True)
class Cite:
    """A clause as an explanation shows it: the section the citation names and the contract's words."""

    section: str
    quote: str | None
    citation: str

    def to_dict(self) -> dict[str, str | None]:
        return {"section": self.section, "quote": self.quote}


class Quotes:
    """Quotes from one contract text, each citation resolved once."""

    def __init__(self, contract: Contract | None):
        self.contract = contract
        self.found: dict[str, Cite] = {}
        self.lock = threading.Lock()

    def cite(self, citation: str) -> Cite:
        with self.lock:
            found = self.found.get(citation)
        if found is None:
            found = self._cite(citation)
            with self.lock:
                self.found[citation] = found
        return found

    def _cite(self, citation: str) -> Cite:
        head, _, words = citation.partition(":")
        section = _SPACE.sub(" ", head).strip()
        clause = self.contract.resolve(citation) if self.contract is not None else None
        if clause is None:
            return Cite(section, None, citation)
        return Cite(section, quote(clause, words), citation)


def quote(clause: Clause, words: str) -> str | None:
    """The sentence of a clause that holds the cited words (or, without words, the clause's first)."""
    sentences = _sentences(clause)
    if not sentences:
        return None
    if clause.kind == "part" and _folded(words).startswith(_folded(clause.number)):
        words = words.strip()[len(clause.number):].lstrip(" :,–-")  # the part's name is the section
    pieces = [_MARKER.sub("", piece).strip() for piece in _PIECES.split(words.strip())] if words else []
    pieces = [piece for piece in pieces if len(piece) >= MIN_PIECE]
    if not pieces:
        return _short(sentences[0]) if clause.kind in ("part", "footnote") else None
    # the words after the last colon are what the rule encodes; earlier ones name the row or column
    for piece in reversed(pieces):
        needle = _folded(piece)
        if clause.kind == "chart":
            found = _words_in_chart(clause, needle)
            if found is not None:
                return _short(found, piece)
            continue
        for sentence in sentences:
            if needle in _folded(sentence):
                return _short(sentence, piece)
    return _closest(sentences, " ".join(pieces)) if clause.kind != "chart" else None


def _sentences(clause: Clause) -> list[str]:
    text = clause.text
    if clause.kind == "part":
        text = re.sub(r"^\s*•\s*" + re.escape(clause.number) + r"\s*:?", "", text, count=1)
    elif clause.kind == "footnote":
        text = re.sub(r"^\s*\d\s*", "", text, count=1)
    elif clause.kind in ("section", "table", "annex", "chart"):
        text = text.partition("\n")[2]  # the heading is the section, not a sentence of it
    joined = _joined(text.replace("•", " • "))
    joined = re.sub(r"(?<=[.:]) o (?=[A-ZÆØÅ])", " • ", joined)  # the PDF's second-level bullets
    joined = re.sub(r" \+ (?=[✓-] [–-])", " • ", joined)  # a table's legend ("+ ✓ – Inkluderet …") after it
    # a table's check marks (✓, offered) stand beside the sentence, not in it
    parts = [part.strip(" •✓") for chunk in joined.split(" • ") for part in _SENTENCE_END.split(chunk)]
    return [part for part in parts if len(part) > 2]


def _joined(text: str) -> str:
    """Text with its PDF line breaks joined: one space between words, a word broken at a hyphen whole."""
    return re.sub(r"(\w)- (?=[a-zæøå])", r"\1-", _SPACE.sub(" ", text)).strip()


def _folded(text: str) -> str:
    """For comparing only: joined, footnote markers dropped (`arbejdstimer4`), lower case."""
    return _MARKER.sub("", _joined(text)).lower()


def _words_in_chart(clause: Clause, needle: str) -> str | None:
    """In a chart, whose cells run together without sentences: the cited words as the chart prints them."""
    text = _MARKER.sub("", _joined(clause.text.partition("\n")[2]))
    at = text.lower().find(needle)
    return text[at:at + len(needle)] if at >= 0 else None


def _short(sentence: str, piece: str | None = None) -> str:
    """A sentence, or the part of it around the cited piece when it is too long to quote whole."""
    if len(sentence) <= MAX_QUOTE:
        return sentence
    if piece is None:
        return sentence[:MAX_QUOTE].rsplit(" ", 1)[0] + " …"
    start = _folded(sentence).find(_folded(piece))
    if start < 0:
        return sentence[:MAX_QUOTE].rsplit(" ", 1)[0] + " …"
    margin = max(0, (MAX_QUOTE - len(piece)) // 2)
    begin, end = max(0, start - margin), min(len(sentence), start + len(piece) + margin)
    text = sentence[begin:end].strip()
    return ("… " if begin > 0 else "") + text + (" …" if end < len(sentence) else "")


def _closest(sentences: list[str], words: str) -> str | None:
    wanted = {word.casefold() for word in _WORD.findall(words) if len(word) > 2}
    if not wanted:
        return None
    best, score = None, 0.0
    for sentence in sentences:
        have = {word.casefold() for word in _WORD.findall(sentence)}
        shared = len(wanted & have) / len(wanted)
        if shared > score:
            best, score = sentence, shared
    return _short(best) if best is not None and score >= 0.6 else None


_lock = threading.Lock()


@lru_cache(maxsize=8)
def _quotes_for(path: str) -> Quotes:
    return Quotes(parse_contract(Path(path).read_text(encoding="utf-8")))


def quotes_for(contract_path: Path | None) -> Quotes:
    """The quotes of a contract text (the bundled one when no path is given), loaded once per process."""
    with _lock:
        if contract_path is None:
            return _bundled()
        return _quotes_for(str(contract_path))


@lru_cache(maxsize=1)
def _bundled() -> Quotes:
    try:
        return Quotes(load_contract())
    except (OSError, StopIteration):
        return Quotes(None)
