"""`vilkar view`: every section once and in order, every rule beside its section, statuses, timelines."""
from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("pygments", reason="the view highlights policies with Pygments ([lsp] or [test] extra)")

from pygments.token import Error  # noqa: E402

from evaluator.api import default_policies  # noqa: E402
from evaluator.requests.documents import read_document  # noqa: E402
from evaluator.tools.clauses import load_contract  # noqa: E402
from evaluator.tools.view.lexer import VilkarLexer  # noqa: E402
from evaluator.tools.view.model import STATUSES, ViewError, build_view, read_status  # noqa: E402
from evaluator.tools.view.page import render  # noqa: E402
from evaluator.tools.view.timeline import build_timeline, request_timelines  # noqa: E402
from view_page import read_page  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
STATUS = ROOT / "policies" / "contract" / "status.yaml"


def _vilkar(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", "from evaluator.cli import main; main()", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def view():
    return build_view(default_policies().sources, load_contract(), STATUS.read_text(encoding="utf-8"),
                      str(STATUS))


@pytest.fixture(scope="module")
def page(view):
    return read_page(render(view))


def test_every_section_appears_once_and_in_order(view, page):
    expected = [clause.id for clause in view.contract.clauses]
    assert [clause_id for clause_id, _ in page.clauses] == expected
    assert len(set(page.ids)) == len(page.ids), "ids are unique"
    units = [c.heading for c in view.contract.units()]
    assert units[:4] == ["1 Om dette dokument", "2 Kundesucces og supporttjenester", "2.1 Sådan køber du",
                         "Tabel 1 – Definitioner af supporttjenester"]
    assert units[-1] == "Bilag B: Succesadministrationstjenester"
    numbered = [c.number for c in view.contract.units() if c.kind == "section"]
    assert numbered == ["1", "2", "2.1", "2.2", "2.3", "2.4", "2.5", "2.6", "2.7"]
    assert [c.number for c in view.contract.units() if c.kind == "table"] == [f"Tabel {n}" for n in range(1, 12)]


def test_every_rule_appears_beside_its_section(view, page):
    assert not view.orphans and not page.orphans
    from evaluator.language import ast
    items = [item for module in _modules() for item in module.items
             if not isinstance(item, (ast.VersionDecl, ast.MonthRule))]
    assert len(page.rules) == len(view.rules) == len(items)
    for rule_id, home, enclosing in page.rules:
        assert home and home == enclosing, rule_id


def test_every_citation_and_every_rule_link_has_an_anchor(page):
    ids = set(page.ids)
    assert page.cite_links and set(page.cite_links) <= ids
    assert page.rule_links and set(page.rule_links) <= ids


def test_status_counts_shown_equal_the_counts_of_the_clauses(view, page):
    computed = {status: 0 for status in STATUSES}
    for _, status in page.clauses:
        computed[status] += 1
    shown = {status: page.counts[status.replace(" ", "-")] for status in STATUSES}
    assert shown == computed == view.counts()
    cited = {clause for rule in view.rules for _, clause in rule.citations if clause}
    assert computed["encoded"] + computed["partly"] == len(cited)
    assert view.warnings == [], "status.yaml agrees with the citations"


def test_status_file_errors_name_the_line():
    contract = load_contract()
    with pytest.raises(ViewError, match=r"status.yaml:2: no clause of the contract has the anchor 'afsnit-9'"):
        read_status("clauses:\n  afsnit-9: {status: encoded}\n", "status.yaml", contract)
    with pytest.raises(ViewError, match=r"status.yaml:2: the status of afsnit-1 is 'done'"):
        read_status("clauses:\n  afsnit-1: {status: done}\n", "status.yaml", contract)
    with pytest.raises(ViewError, match="holds `clauses:`"):
        read_status("- a\n", "status.yaml", contract)


def test_a_status_that_contradicts_the_citations_is_a_warning():
    text = "clauses:\n  afsnit-2-6--annulleringspolitik: {status: not computable}\n  afsnit-1: {status: partly}\n"
    view = build_view(default_policies().sources, load_contract(), text)
    assert view.clauses["afsnit-2-6--annulleringspolitik"].status == "encoded"
    assert view.clauses["afsnit-1"].status == "not yet encoded"
    assert len(view.warnings) == 2


def _decide(sample: str):
    document = read_document(sample, (ROOT / "samples" / sample).read_text(encoding="utf-8"))
    return default_policies().evaluate(document.data)


@pytest.mark.parametrize("sample, minutes", [
    ("incident-sev-b-friday-afternoon.yaml", lambda r: r.decisions["first_response_minutes"]),
    ("business_time-friday-plus-2-business-hours.yaml", lambda r: 120),
    ("business_time-christmas-plus-3-business-days.json", None),
])
def test_timeline_counts_the_engines_minutes(sample, minutes):
    result = _decide(sample)
    timelines = request_timelines(default_policies(), result)
    if minutes is None:
        assert timelines == []  # business days keep the time of day; there are no minutes to draw
        return
    [timeline] = timelines
    assert timeline.counted_minutes == minutes(result)
    assert timeline.due == result.decisions[timeline.decision]
    assert timeline.intervals[0].start == timeline.start and timeline.intervals[-1].end == timeline.due


def test_timeline_marks_holidays():
    calendar = default_policies().kinds["incident"].calendar.at({"country": "DK", "timezone": "Europe/Copenhagen"})
    zone = calendar.zone
    start = dt.datetime(2026, 12, 24, 16, 0, tzinfo=zone)  # a Thursday; Friday 25 December is a holiday
    due = calendar.add_business_minutes(start, 120)
    timeline = build_timeline(calendar, "due", start, due)
    assert timeline.counted_minutes == 120
    assert [i.start.date() for i in timeline.intervals if i.state == "holiday"] == [dt.date(2026, 12, 25)]
    assert due.date() == dt.date(2026, 12, 28)


def test_request_outlines_the_deciding_clauses():
    result = _decide("cancellation-9-days-notice.yaml")
    from evaluator.tools.view.model import mark_decided
    view = build_view(default_policies().sources, load_contract(), STATUS.read_text(encoding="utf-8"))
    mark_decided(view, result)
    html = render(view, {"name": "x.yaml", "kind": "cancellation", "decisions": [("fee_percent", "50%")],
                         "timelines": []})
    assert read_page(html).decided == ["afsnit-2-6--annulleringspolitik"]


def test_the_lexer_reads_every_shipped_policy_without_an_error_token():
    lexer = VilkarLexer()
    for file in sorted((ROOT / "policies").glob("*.vk")):
        tokens = list(lexer.get_tokens(file.read_text(encoding="utf-8")))
        assert not [value for token, value in tokens if token in Error], file.name


def test_the_lexer_is_registered_with_pygments():
    from pygments.lexers import get_lexer_by_name, get_lexer_for_filename
    assert type(get_lexer_for_filename("x.vk")).__name__ == "VilkarLexer"
    assert type(get_lexer_by_name("vilkar")).__name__ == "VilkarLexer"


def test_cli_writes_the_page_and_refuses_a_bad_request(tmp_path: Path):
    out = tmp_path / "contract.html"
    done = _vilkar("view", "--out", str(out), "--request", "samples/incident-sev-b-friday-afternoon.yaml")
    assert done.returncode == 0, done.stderr
    page = read_page(out.read_text(encoding="utf-8"))
    assert page.timelines and page.timelines[0]["counted"] == 120
    bad = tmp_path / "bad.yaml"
    bad.write_text("kind: incident\nseverity: 1\n", encoding="utf-8")
    refused = _vilkar("view", "--out", str(tmp_path / "other.html"), "--request", str(bad))
    assert refused.returncode == 2 and "invalid request" in refused.stderr
    assert not (tmp_path / "other.html").exists()
    wrong = tmp_path / "status.yaml"
    wrong.write_text("clauses:\n  afsnit-99: {status: encoded}\n", encoding="utf-8")
    refused = _vilkar("view", "--status", str(wrong))
    assert refused.returncode == 2 and "afsnit-99" in refused.stderr and "Traceback" not in refused.stderr


def _modules():
    from evaluator.language.parser import parse_module
    return [parse_module(source) for source in default_policies().sources.values()]


def test_the_page_and_the_summary_line_name_the_rule_set_as_every_report_does(tmp_path: Path):
    out = tmp_path / "contract.html"
    done = _vilkar("view", "--out", str(out))
    assert done.returncode == 0, done.stderr
    summary = default_policies().rule_set.summary()
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith(f"wrote {out}: ") and last.endswith(f"; {summary}")
    page = read_page(out.read_text(encoding="utf-8"))
    shown = ", ".join(f"{count} {'partly encoded' if status == 'partly' else status}"
                      for status, count in zip(STATUSES, page.counts.values()))  # the page lists them in order
    assert f"{len(load_contract().clauses)} clauses ({shown})" in last  # the counts the page shows
    assert summary in out.read_text(encoding="utf-8")  # and the page's rule-set line is the same line


def test_view_finds_policies_schemas_and_tests_from_the_nearest_pyproject(tmp_path: Path):
    project = tmp_path / "project"
    shutil.copytree(ROOT / "policies", project / "contract-rules")
    shutil.copytree(ROOT / "schemas", project / "request-schemas")
    shutil.copytree(ROOT / "tests" / "policies", project / "checks")
    schema_file = project / "request-schemas" / "incident.schema.json"
    schema = json.loads(schema_file.read_text(encoding="utf-8"))
    schema["properties"]["description"]["maxLength"] = 20  # this project wants short descriptions
    schema_file.write_text(json.dumps(schema, ensure_ascii=False), encoding="utf-8")
    (project / "pyproject.toml").write_text('[tool.vilkar]\npolicies = "contract-rules"\nschemas = "request-schemas"\n'
                                            'tests = "checks"\n', encoding="utf-8")
    nested = project / "docs"
    nested.mkdir()
    done = _vilkar("view", "--out", "contract.html", cwd=nested)  # found from a folder below the pyproject
    assert done.returncode == 0, done.stderr
    assert "rule set: " in done.stderr.splitlines()[-1] and "contract-rules/ (" in done.stderr.splitlines()[-1]
    assert f"{len(list((project / 'contract-rules').rglob('*.vk')))} files" in done.stderr.splitlines()[-1]
    assert " policy tests; " in done.stderr.splitlines()[-1]  # coverage from the configured tests
    refused = _vilkar("view", "--out", "other.html", "--request",
                      str(ROOT / "samples" / "incident-sev-b-friday-afternoon.yaml"), cwd=nested)
    assert refused.returncode == 2 and "/description" in refused.stderr  # the configured schemas decided
    assert not (nested / "other.html").exists()
