"""The contract view in a real browser: headless Chromium loads the page, dumps its DOM, takes a screenshot.

Chromium's own command line (`--dump-dom`, `--screenshot`) is enough: the page has no script to drive,
and the dumped DOM is what the browser parsed. It needs no driver, and no browser download that this
project's machines could not make (playwright and selenium would each want one).
"""
from __future__ import annotations

import shutil
import struct
import subprocess
import sys
import zlib
from pathlib import Path

import pytest

from view_page import read_page

ROOT = Path(__file__).resolve().parent.parent
BROWSER = next((found for name in ("chromium", "chromium-browser", "google-chrome") if (found := shutil.which(name))),
               None)
pytestmark = pytest.mark.skipif(BROWSER is None,
                                reason="no Chromium on this machine (Debian: apt-get install chromium)")
pytest.importorskip("pygments", reason="the view highlights policies with Pygments ([lsp] or [test] extra)")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def _view(tmp_path: Path, *args: str) -> Path:
    out = tmp_path / "contract.html"
    done = subprocess.run([sys.executable, "-c", "from evaluator.cli import main; main()", "view", "--out", str(out),
                           *args], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return out


def _chromium(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    profile = tmp_path / "profile"
    return subprocess.run([BROWSER, *FLAGS, f"--user-data-dir={profile}", *args], capture_output=True, timeout=120)


@pytest.fixture(scope="module")
def engine():
    from evaluator.api import default_policies
    from evaluator.requests.documents import read_document
    sample = ROOT / "samples" / "incident-sev-b-friday-afternoon.yaml"
    result = default_policies().evaluate(read_document(str(sample), sample.read_text(encoding="utf-8")).data)
    return sample, result


def test_chromium_loads_the_page_with_every_anchor_and_the_engines_minutes(tmp_path: Path, engine):
    sample, result = engine
    page_file = _view(tmp_path, "--request", str(sample.relative_to(ROOT)))
    done = _chromium(tmp_path, "--dump-dom", page_file.as_uri())
    assert done.returncode == 0, done.stderr.decode(errors="replace")[-2000:]
    dom = done.stdout.decode("utf-8")
    assert dom.lstrip().lower().startswith(("<!doctype html>", "<html")), "Chromium serialised a document"
    page = read_page(dom)
    ids = set(page.ids)
    assert page.cite_links and all(target in ids for target in page.cite_links), "every citation has an anchor"
    assert page.rules and all(home == clause for _, home, clause in page.rules), "no rule is orphaned"
    assert not page.orphans
    from evaluator.tools.clauses import load_contract
    assert [clause_id for clause_id, _ in page.clauses] == [c.id for c in load_contract().clauses], \
        "every section once and in order"
    shown = {status: 0 for status in page.counts}
    for _, status in page.clauses:
        shown[status.replace(" ", "-")] += 1
    assert shown == page.counts, "the status counts shown are the clauses' statuses"
    [timeline] = page.timelines
    counted = sum(minutes for state, minutes in timeline["rects"] if state == "counted")
    assert timeline["decision"] == "first_response_expected_by"
    assert counted == timeline["counted"] == result.decisions["first_response_minutes"] == 120
    assert "afsnit-2-6--tjenestesprog" in page.decided


def test_screenshot_is_not_blank_and_shows_the_first_section(tmp_path: Path):
    page_file = _view(tmp_path)
    shot = tmp_path / "shot.png"
    done = _chromium(tmp_path, "--window-size=1100,900", "--hide-scrollbars", f"--screenshot={shot}",
                     page_file.as_uri())
    assert done.returncode == 0 and shot.exists(), done.stderr.decode(errors="replace")[-2000:]
    width, height, pixels = _decode_png(shot.read_bytes())
    assert (width, height) == (1100, 900)
    colours = {pixels[y][x] for y in range(0, height, 7) for x in range(0, width, 7)}
    assert len(colours) > 20, "the page is not blank"
    # the first section, 1 Om dette dokument, is "not computable": its clause has a grey status border
    border = (0x8a, 0x94, 0xa0)
    runs = [_longest_run([pixels[y][x] == border for y in range(height)]) for x in range(0, 200)]
    assert max(runs) >= 60, "the first section's clause is drawn inside the window"


def _longest_run(flags: list[bool]) -> int:
    best = current = 0
    for flag in flags:
        current = current + 1 if flag else 0
        best = max(best, current)
    return best


def _decode_png(data: bytes) -> tuple[int, int, list[list[tuple[int, int, int]]]]:
    """Width, height and RGB rows of an 8-bit RGB or RGBA PNG (what Chromium writes)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    position, chunks, header = 8, [], None
    while position < len(data):
        length, kind = struct.unpack(">I4s", data[position:position + 8])
        body = data[position + 8:position + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            chunks.append(body)
        position += 12 + length
    width, height, depth, colour_type = header[:4]
    assert depth == 8 and colour_type in (2, 6)
    channels = 3 if colour_type == 2 else 4
    raw = zlib.decompress(b"".join(chunks))
    stride = width * channels
    rows, previous = [], bytearray(stride)
    for y in range(height):
        offset = y * (stride + 1)
        kind, line = raw[offset], bytearray(raw[offset + 1:offset + 1 + stride])
        for i in range(stride):
            left = line[i - channels] if i >= channels else 0
            up, corner = previous[i], previous[i - channels] if i >= channels else 0
            if kind == 1:
                line[i] = (line[i] + left) & 0xFF
            elif kind == 2:
                line[i] = (line[i] + up) & 0xFF
            elif kind == 3:
                line[i] = (line[i] + (left + up) // 2) & 0xFF
            elif kind == 4:
                estimate = left + up - corner
                a, b, c = abs(estimate - left), abs(estimate - up), abs(estimate - corner)
                line[i] = (line[i] + (left if a <= b and a <= c else up if b <= c else corner)) & 0xFF
        rows.append([tuple(line[x:x + 3]) for x in range(0, stride, channels)])
        previous = line
    return width, height, rows
