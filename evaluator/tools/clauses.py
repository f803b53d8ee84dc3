"""The contract text as clauses in document order, and which clause a citation names.

The contract is the plain text of a PDF: numbered sections (`2.6 Yderligere vilkår og betingelser`),
tables (`Tabel 9 – Typer af reaktive tjenester`), annexes (`Bilag A: Diagram over typer af alvorsgrad`)
and, inside an annex, charts (`Reaktiv support – Alvorsgrad af hændelestyper`). Inside a section or a
table, a bullet that starts with a short name (`• Annulleringspolitik: Hvis du …`) is a named part; in
a chart, a line that starts with a footnote number (`4 Arbejdstiden defineres …`) is its footnote.
A heading counts only where its number follows the previous one, so a footnote or an amount such as
`50.000 USD` inside the text is never taken for a section.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from ..resources import data_dir

_TOP = re.compile(r"^\s?(\d) ([A-ZÆØÅ][^.,;]{2,80}?)\s*$")
_SUB = re.compile(r"^(\d)\.(\d) ([A-ZÆØÅ][^,;]{2,80}?)\s*$")
_TABLE = re.compile(r"^\s*Tabel (\d+) [–-] (.{2,80}?)\s*$")
_ANNEX = re.compile(r"^\s*Bilag ([A-Z]): (.{2,80}?)\s*$")
_CHART = re.compile(r"^\s*([A-ZÆØÅ][^–:.,]{2,40}?) – (Alvorsgrad[^.,:]{2,40}?)\s*$")
_BULLET = re.compile(r"^\s*•\s+(.+?)\s*$")
_FOOTNOTE = re.compile(r"^\s?([1-9])\s?([A-ZÆØÅ][A-Za-zæøåÆØÅ].*?)\s*$")
_CITED_FOOTNOTE = re.compile(r",\s*fodnote\s+(\d+)\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class Clause:
    """A section, table, annex or chart of the contract, or a named part or footnote inside one."""

    id: str  # the HTML anchor
    kind: str  # section | table | annex | chart | part | footnote
    number: str  # "2.6", "Tabel 9", "Bilag A"; a part's name; a footnote's "fodnote 4"
    title: str
    parent: str | None
    first_line: int
    last_line: int
    text: str

    @property
    def heading(self) -> str:
        if self.kind in ("part", "chart"):
            return self.title
        if self.kind == "footnote":
            return f"Fodnote {self.number.split()[-1]}"
        separator = " – " if self.kind == "table" else (": " if self.kind == "annex" else " ")
        return f"{self.number}{separator}{self.title}"


@dataclass
class Contract:
    """The clauses of a contract text, in document order (each unit followed by its parts)."""

    clauses: list[Clause]
    by_id: dict[str, Clause] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.by_id = {clause.id: clause for clause in self.clauses}

    def units(self) -> list[Clause]:
        """Sections, tables, annexes and charts: the clauses that are not parts of another."""
        return [clause for clause in self.clauses if clause.kind not in ("part", "footnote")]

    def parts(self, unit: Clause) -> list[Clause]:
        return [clause for clause in self.clauses if clause.parent == unit.id and clause.kind in ("part", "footnote")]

    def resolve(self, citation: str) -> Clause | None:
        """The most specific clause a citation names, or None if it names no clause of this text."""
        head, _, words = citation.partition(":")
        pieces = [piece.strip() for piece in re.split(r"\s+[–-]\s+", head.strip()) if piece.strip()]
        if not pieces:
            return None
        footnote = _CITED_FOOTNOTE.search(pieces[-1])
        if footnote:
            pieces[-1] = _CITED_FOOTNOTE.sub("", pieces[-1])
        unit = self._unit(pieces[0])
        if unit is None:
            return None
        rest = pieces[1:]
        if unit.kind == "annex" and rest:
            chart = next((c for c in self.clauses if c.parent == unit.id and c.kind == "chart"
                          and _same(c.number, rest[0])), None)
            if chart is not None:
                unit, rest = chart, rest[1:]
        if footnote:
            found = self.by_id.get(f"{unit.id}--fodnote-{footnote.group(1)}")
            return found or unit
        # the part is named by the rest of the head, or else by the first words after the colon
        candidates = [" – ".join(rest)] if rest else []
        if words.strip():
            candidates.append(words.strip())
        for candidate in candidates:
            for part in self.parts(unit):
                if part.kind == "part" and _starts_with(candidate, part.number):
                    return part
        return unit

    def _unit(self, first: str) -> Clause | None:
        match = re.match(r"^(\d+(?:\.\d+)?)\s", first + " ")
        if match:
            return self.by_id.get(_section_id(match.group(1)))
        match = re.match(r"^Tabel\s+(\d+)\b", first, re.IGNORECASE)
        if match:
            return self.by_id.get(f"tabel-{match.group(1)}")
        match = re.match(r"^Bilag\s+([A-Z])\b", first, re.IGNORECASE)
        if match:
            return self.by_id.get(f"bilag-{match.group(1).lower()}")
        return None


def load_contract(path: Path | None = None) -> Contract:
    """The contract beside the policies (`policies/contract/*.txt`), or the bundled one."""
    if path is None:
        path = next(iter(sorted((data_dir("policies") / "contract").glob("*.txt"))))
    return parse_contract(path.read_text(encoding="utf-8"))


def parse_contract(text: str) -> Contract:
    """Split a contract text into clauses."""
    lines = text.splitlines()
    starts: list[tuple[int, str, str, str, str | None]] = []  # (line index, kind, number, title, parent)
    top, sub, table = 0, (0, 0), 0
    annex: str | None = None
    unit: str | None = None
    for index, line in enumerate(lines):
        heading = _heading(line, top, sub, table, annex)
        if heading is not None:
            kind, number, title = heading
            if kind == "section":
                if "." in number:
                    sub = tuple(int(n) for n in number.split("."))  # type: ignore[assignment]
                else:
                    top, sub = int(number), (int(number), 0)
                unit = _section_id(number)
            elif kind == "table":
                table = int(number.split()[-1])
                unit = f"tabel-{table}"
            elif kind == "annex":
                annex = number.split()[-1]
                unit = f"bilag-{annex.lower()}"
            else:
                unit = f"bilag-{annex.lower()}--{_slug(number)}"  # type: ignore[union-attr]
            starts.append((index, kind, number, title, f"bilag-{annex.lower()}" if kind == "chart" else None))
            continue
        if unit is None:
            continue
        part = _part(line, annex is not None and "--" in unit)
        if part is not None:
            kind, number, title = part
            starts.append((index, kind, number, title, unit))
    return Contract(_clauses(starts, lines))


def _heading(line: str, top: int, sub: tuple[int, int], table: int, annex: str | None) -> tuple[str, str, str] | None:
    match = _ANNEX.match(line)
    if match:
        return "annex", f"Bilag {match.group(1)}", match.group(2)
    if annex is not None:
        match = _CHART.match(line)
        return ("chart", match.group(1).strip(), f"{match.group(1).strip()} – {match.group(2)}") if match else None
    match = _SUB.match(line)
    if match and int(match.group(1)) == top and int(match.group(2)) == sub[1] + 1:
        return "section", f"{match.group(1)}.{match.group(2)}", match.group(3)
    match = _TOP.match(line)
    if match and int(match.group(1)) == top + 1 and len(match.group(2).split()) <= 6:
        return "section", match.group(1), match.group(2)
    match = _TABLE.match(line)
    if match and int(match.group(1)) == table + 1:
        return "table", f"Tabel {match.group(1)}", match.group(2)
    return None


def _part(line: str, in_chart: bool) -> tuple[str, str, str] | None:
    if in_chart:
        match = _FOOTNOTE.match(line)
        if match:
            return "footnote", f"fodnote {match.group(1)}", match.group(2)
        return None
    match = _BULLET.match(line)
    if not match:
        return None
    body = match.group(1)
    name, colon, _ = body.partition(":")
    name = name.strip()
    if colon and 0 < len(name.split()) <= 8:
        return "part", name, name
    if not colon and len(body.split()) <= 6 and "," not in body and not body.endswith("."):
        return "part", body, body
    return None


def _clauses(starts: list[tuple[int, str, str, str, str | None]], lines: list[str]) -> list[Clause]:
    """Each clause runs to the next clause's first line."""
    clauses: list[Clause] = []
    seen: set[str] = set()
    for position, (index, kind, number, title, parent) in enumerate(starts):
        # a unit's own text is its introduction: its parts follow it as clauses of their own
        end = starts[position + 1][0] if position + 1 < len(starts) else len(lines)
        clause_id = base = _unit_id(kind, number, parent)
        suffix = 2
        while clause_id in seen:  # the same name twice in one unit (a table listing a service again)
            clause_id, suffix = f"{base}-{suffix}", suffix + 1
        seen.add(clause_id)
        clauses.append(Clause(clause_id, kind, number, title, parent, index + 1, end, "\n".join(lines[index:end])))
    return clauses


def _unit_id(kind: str, number: str, parent: str | None) -> str:
    if kind == "section":
        return _section_id(number)
    if kind == "table":
        return f"tabel-{number.split()[-1]}"
    if kind == "annex":
        return f"bilag-{number.split()[-1].lower()}"
    if kind == "chart":
        return f"{parent}--{_slug(number)}"
    if kind == "footnote":
        return f"{parent}--fodnote-{number.split()[-1]}"
    return f"{parent}--{_slug(number)}"


def _section_id(number: str) -> str:
    return "afsnit-" + number.replace(".", "-")


def _slug(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text.casefold().replace("æ", "ae").replace("ø", "oe").replace("å", "aa"))
    plain = "".join(char for char in plain if not unicodedata.combining(char))
    return re.sub(r"[^a-z0-9]+", "-", plain).strip("-")


def _normal(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().casefold()


def _same(left: str, right: str) -> bool:
    return _normal(left) == _normal(right)


def _starts_with(text: str, name: str) -> bool:
    """The citation's words start with the part's name, or name its start (a heading cut by a line break)."""
    text, name = _normal(text), _normal(name)
    if text == name or (text.startswith(name) and not text[len(name)].isalnum()):
        return True
    return len(text) >= 12 and name.startswith(text) and not name[len(text)].isalnum()


def paragraphs(text: str) -> list[str]:
    """The text's lines joined into paragraphs: the PDF's line breaks are not the author's."""
    result: list[str] = []
    current: list[str] = []
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped:
            continue
        if stripped.startswith("•") and current:
            result.append(" ".join(current))
            current = []
        current.append(stripped)
        if stripped.endswith((".", ":")) and len(stripped) < 70:
            result.append(" ".join(current))
            current = []
    if current:
        result.append(" ".join(current))
    return result
