"""The audit's HTML page in headless Chromium: the charts are there, and every figure equals the JSON report.

Chromium's own command line is enough (`--dump-dom` gives the document the browser parsed, and
`--screenshot` shows that it renders); the page has no script, so no driver is needed.
"""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import ROOT
from evaluator.audit.report import DIMENSIONS
from evaluator.cli import main

sys.path.insert(0, str(ROOT / "benchmarks"))
from generate_tickets import CRAFTED, year_of_tickets  # noqa: E402

BROWSER = next((found for name in ("chromium", "chromium-browser", "google-chrome") if (found := shutil.which(name))),
               None)
pytestmark = pytest.mark.skipif(BROWSER is None, reason="no Chromium on this machine (Debian: apt-get install "
                                                        "chromium; .ci/chromium installs it in CI)")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run",
         "--disable-component-update", "--disable-sync"]


class Elements(HTMLParser):
    """Every element's tag, attributes and text, in document order."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, dict[str, str], list[str]]] = []
        self.open: list[list[str]] = []

    def handle_starttag(self, tag, attrs):
        text: list[str] = []
        self.found.append((tag, {k: v or "" for k, v in attrs}, text))
        self.open.append(text)

    def handle_endtag(self, tag):
        if self.open:
            self.open.pop()

    def handle_data(self, data):
        for text in self.open:
            text.append(data)

    def having(self, tag: str, **attrs: str) -> list[tuple[dict[str, str], str]]:
        return [(a, "".join(t)) for name, a, t in self.found
                if name == tag and all(a.get(k.replace("_", "-")) == v for k, v in attrs.items())]


@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    directory = tmp_path_factory.mktemp("audit-html")
    tickets = directory / "tickets.jsonl"
    tickets.write_text("\n".join(json.dumps(t) for t in year_of_tickets(2000, seed=5) + [c[0] for c in CRAFTED])
                       + "\n", encoding="utf-8")
    for form in ("json", "html"):
        result = CliRunner().invoke(main, ["audit", "--format", form, "--out", str(directory / f"report.{form}"),
                                           str(tickets)])
        assert result.exit_code == 0, result.output
    return directory, json.loads((directory / "report.json").read_text(encoding="utf-8"))


def chromium(directory: Path, *arguments: str) -> subprocess.CompletedProcess:
    profile = directory / f"profile-{len(list(directory.glob('profile-*')))}"
    return subprocess.run([BROWSER, *FLAGS, f"--user-data-dir={profile}", *arguments], capture_output=True,
                          timeout=120)


def test_chromium_shows_every_chart_with_the_json_reports_figures(pages):
    directory, report = pages
    done = chromium(directory, "--dump-dom", (directory / "report.html").as_uri())
    assert done.returncode == 0, done.stderr.decode(errors="replace")[-2000:]
    page = Elements()
    page.feed(done.stdout.decode("utf-8"))
    summary = page.having("p", id="summary")[0][0]
    assert (int(summary["data-tickets"]), int(summary["data-met"]), int(summary["data-missed"])) == \
        (report["summary"]["tickets"], report["summary"]["met"], report["summary"]["missed"])
    bars = [a for tag, a, _ in page.found if tag == "rect" and a.get("class") == "bar"]  # in document order
    for dimension in DIMENSIONS:
        assert len(page.having("svg", data_dimension=dimension)) == 1
        rows = report["by"][dimension]
        mine, bars = bars[:len(rows)], bars[len(rows):]
        assert [(a["data-value"], int(a["data-tickets"]), int(a["data-met"]), float(a["data-share-met"]))
                for a in mine] == [(row["value"], row["tickets"], row["met"], row["share_met"]) for row in rows]
        for bar, row in zip(mine, rows):
            assert float(bar["width"]) == pytest.approx(row["share_met"] * 560, abs=0.06)  # as long as its share
        table = page.having("table", data_dimension=dimension)
        assert len(table) == 1
        for row in rows:
            assert f"{row['share_met'] * 100:.1f}%" in table[0][1]
    assert bars == []
    for clock, bins in report["lead_times"].items():
        assert len(page.having("svg", data_clock=clock)) == 1
    counts = [int(a["data-count"]) for tag, a, _ in page.found if tag == "rect" and "data-count" in a]
    assert counts == [entry["count"] for clock in ("calendar", "business") for entry in report["lead_times"][clock]]
    listed = page.having("li")
    assert len([a for a, _ in listed if "data-line" in a]) == len(report["naive_misjudged"])
    assert any("24 December 2026 is a business day in DK" in text for _, text in listed)


def test_chromium_renders_the_page(pages):
    directory, _ = pages
    shot = directory / "report.png"
    done = chromium(directory, "--window-size=1200,1600", "--hide-scrollbars", f"--screenshot={shot}",
                    (directory / "report.html").as_uri())
    assert done.returncode == 0, done.stderr.decode(errors="replace")[-2000:]
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    assert (width, height) == (1200, 1600)
    assert len(data) > 20_000  # charts and text, not a blank page (a blank 1200×1600 PNG is a few kB)
