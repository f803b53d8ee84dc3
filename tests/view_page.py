"""Reading a rendered contract view back: ids, links, clause order, rules and their places, timelines."""
from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser


@dataclass
class Page:
    ids: list[str] = field(default_factory=list)
    cite_links: list[str] = field(default_factory=list)
    rule_links: list[str] = field(default_factory=list)
    clauses: list[tuple[str, str]] = field(default_factory=list)  # (id, status) in order
    rules: list[tuple[str, str, str]] = field(default_factory=list)  # (rule id, data-home, enclosing clause id)
    counts: dict[str, int] = field(default_factory=dict)
    timelines: list[dict] = field(default_factory=list)
    decided: list[str] = field(default_factory=list)
    orphans: bool = False


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.page = Page()
        self.stack: list[tuple[str, dict]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {k: v or "" for k, v in attrs}
        classes = attributes.get("class", "").split()
        page = self.page
        if "id" in attributes:
            page.ids.append(attributes["id"])
        if tag == "a" and attributes.get("href", "").startswith("#"):
            (page.cite_links if "cite" in classes else page.rule_links).append(attributes["href"][1:])
        if tag == "div" and "clause" in classes:
            page.clauses.append((attributes["id"], attributes["data-status"]))
            if "decided" in classes:
                page.decided.append(attributes["id"])
        if tag == "article" and "rule" in classes:
            clause = next((a["id"] for t, a in reversed(self.stack) if "clause" in a.get("class", "").split()), "")
            page.rules.append((attributes["id"], attributes.get("data-home", ""), clause))
        if tag == "td" and attributes.get("id", "").startswith("count-"):
            page.counts[attributes["id"][6:]] = int(attributes["data-count"])
        if tag == "svg" and "timeline" in classes:
            page.timelines.append({"decision": attributes["data-decision"],
                                   "counted": int(attributes["data-counted-minutes"]), "rects": []})
        if tag == "rect" and page.timelines:
            page.timelines[-1]["rects"].append((attributes["data-state"], int(attributes["data-minutes"])))
        if tag == "section" and attributes.get("id") == "orphans":
            page.orphans = True
        if tag not in ("br", "img", "meta", "link", "input", "rect") and not self._void(tag):
            self.stack.append((tag, attributes))

    def handle_endtag(self, tag: str) -> None:
        for index in range(len(self.stack) - 1, -1, -1):
            if self.stack[index][0] == tag:
                del self.stack[index:]
                break

    @staticmethod
    def _void(tag: str) -> bool:
        return tag in ("area", "base", "col", "embed", "hr", "param", "source", "track", "wbr")


def read_page(html: str) -> Page:
    reader = _Reader()
    reader.feed(html)
    return reader.page
