"""The pure functions behind `vilkar lsp`: analysis, symbols, hover, quick fixes, formatting, code lenses."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from evaluator.language.source import Source
from evaluator.lsp import positions
from evaluator.lsp.actions import formatted, quick_fixes
from evaluator.lsp.hover import clause_text, hover
from evaluator.lsp.lens import evaluate_request, lenses, nearest_request
from evaluator.lsp.workspace import analyse, locate
from evaluator.tools.clauses import load_contract
from evaluator.tools.fmt import format_source
from evaluator.tools.lint import lint, load_context

ROOT = Path(__file__).resolve().parent.parent

POLICY = '''kind cancellation
  cites "2.6 Yderligere vilkår og betingelser – Annulleringspolitik"

set local_services = {"workshop", "webcast"}

let notice = request.service_start - request.cancelled_on

decision notice_days
  cites "2.6 Yderligere vilkår og betingelser – Annulleringspolitik"
  = notice

decision fee_percent
  cites "2.6 Yderligere vilkår og betingelser – Annulleringspolitik"
  = tiers of notice_days
      >= 14 days -> 0%    cites "2.6 … – Annulleringspolitik: mindst 14 dage"
      6..13 days -> 50%   cites "2.6 … – Annulleringspolitik: 6 til 13 dage"
      <= 5 days  -> 100%  cites "2.6 … – Annulleringspolitik: 5 dage eller mindre"

decision fee
  cites "2.6 Yderligere vilkår og betingelser – Annulleringspolitik"
  = fee_percent of request.service_cost

decision refund
  cites "2.6 Yderligere vilkår og betingelser – Annulleringspolitik"
  = request.service_cost - fee
'''


@pytest.fixture
def rule_set(tmp_path: Path) -> Path:
    folder = tmp_path / "policies"
    folder.mkdir()
    (folder / "cancellation.vk").write_text(POLICY, encoding="utf-8")
    return folder


def _file(folder: Path) -> str:
    return str((folder / "cancellation.vk").resolve())


def test_unsaved_text_replaces_the_file_on_disk(rule_set: Path):
    broken = POLICY.replace("request.cancelled_on", "request.canceled_on")
    analysis = analyse(rule_set, {_file(rule_set): broken})
    assert "VK102" in [f.code for f in analysis.findings]
    on_disk = lint(load_context([rule_set]))
    assert "VK102" not in [f.code for f in on_disk]  # the disk still has the good text


def test_findings_are_lints_with_the_same_ranges(rule_set: Path):
    broken = POLICY.replace("= notice\n", "= notise\n")
    (rule_set / "cancellation.vk").write_text(broken, encoding="utf-8")
    analysis = analyse(rule_set, {})
    expected = lint(load_context([rule_set]))
    assert [(f.code, f.span.line, f.span.col, f.span.end_line, f.span.end_col) for f in analysis.findings] == \
           [(f.code, f.span.line, f.span.col, f.span.end_line, f.span.end_col) for f in expected]


def test_definitions_and_uses_follow_the_checkers_scopes(rule_set: Path):
    text = POLICY.replace("= notice\n", "= notice + count(x for x in {notice} where x > 0 days) * 0 days\n")
    file = _file(rule_set)
    analysis = analyse(rule_set, {file: text})
    assert analysis.findings == [] or all(f.code != "VK101" for f in analysis.findings)
    symbol = analysis.index.symbol_at(file, text.index("= notice") + 3)
    assert (symbol.name, symbol.role, symbol.scope) == ("notice", "let", "cancellation")
    uses = [text[r.span.start:r.span.end] for r in analysis.index.uses(symbol)]
    assert uses == ["notice", "notice"]  # the comprehension's own `x` is not a use of anything
    assert analysis.index.symbol_at(file, text.index("x > 0") + 0) is None


def test_hover_texts(rule_set: Path):
    file = _file(rule_set)
    analysis = analyse(rule_set, {})
    on_decision = hover(analysis, file, POLICY.index("tiers of notice_days") + 10)
    assert on_decision.startswith("**decision** `notice_days` of kind `cancellation`")
    assert "Type: a duration in calendar days" in on_decision
    assert "mindst 14 dage i forvejen" in on_decision
    on_field = hover(analysis, file, POLICY.index("request.service_cost") + 9)
    assert "`request.service_cost`" in on_field and "money in USD" in on_field
    on_set = hover(analysis, file, POLICY.index("local_services") + 2)
    assert on_set.startswith("**set** `local_services`")
    assert hover(analysis, file, POLICY.index("100%")) == "`100%`: a percentage"


def test_clause_text_quotes_the_contract_and_says_when_a_citation_names_nothing():
    contract = load_contract()
    assert "Arbejdstiden defineres generelt som kl. 09:00 til 17:30" in clause_text(
        contract, "Bilag A – Reaktiv support, fodnote 4")
    assert "names no section" in clause_text(contract, "9.9 Findes ikke")


def test_quick_fixes_come_from_the_hints(rule_set: Path):
    file = _file(rule_set)
    broken = POLICY.replace("= fee_percent of", "= fee_percnt of").replace("= notice\n", "= request.notice\n")
    analysis = analyse(rule_set, {file: broken})
    fixes = quick_fixes(analysis.sources[file], analysis.findings)
    assert [fix.title for fix in fixes] == ["Change `fee_percnt` to `fee_percent`"]
    edit = fixes[0].edit
    assert broken[:edit.start] + edit.text + broken[edit.end:] == POLICY.replace("= notice\n", "= request.notice\n")


def test_quick_fix_of_an_enum_value_keeps_the_quotes(tmp_path: Path):
    folder = tmp_path / "p"
    folder.mkdir()
    text = 'kind incident\n\ndecision effort\n  cites "Bilag A – Reaktiv support"\n  = request.severity == "BB"\n'
    (folder / "incident.vk").write_text(text, encoding="utf-8")
    analysis = analyse(folder, {})
    file = str((folder / "incident.vk").resolve())
    fixes = [fix for fix in quick_fixes(analysis.sources[file], analysis.findings) if fix.diagnostic.code == "VK103"]
    assert fixes and fixes[0].edit.text == '"B"'


def test_formatting_is_fmt():
    messy = POLICY.replace("decision fee\n", "decision    fee\n")
    source = Source.of("x.vk", messy)
    [edit] = formatted(source)
    assert (edit.start, edit.end, edit.text) == (0, len(messy), format_source(source))
    assert formatted(Source.of("x.vk", format_source(source))) == []
    assert formatted(Source.of("x.vk", "decision (")) == []  # a file that does not parse is left alone


def test_positions_count_utf16_units():
    source = Source.of("x.vk", 'let a = "😀x"\nlet b = 1\n')
    offset = source.text.index("x")
    position = positions.position_at(source, offset)
    assert position == positions.Position(0, 11)  # the emoji is two UTF-16 units
    assert positions.offset_at(source, position) == offset
    assert positions.offset_at(source, positions.Position(1, 4)) == source.text.index("b")


def test_the_nearest_request_of_the_kind_is_evaluated(rule_set: Path, tmp_path: Path):
    sample = (ROOT / "samples" / "cancellation-9-days-notice.yaml").read_text(encoding="utf-8")
    (tmp_path / "a.request.yaml").write_text(sample, encoding="utf-8")
    (rule_set / "requests").mkdir()
    (rule_set / "requests" / "z.request.yaml").write_text(sample, encoding="utf-8")
    (rule_set / "b.request.yaml").write_text("kind: incident\n", encoding="utf-8")  # another kind is skipped
    policy = rule_set / "cancellation.vk"
    assert nearest_request(policy, "cancellation", tmp_path) == rule_set / "requests" / "z.request.yaml"
    assert nearest_request(policy, "aed", tmp_path) is None
    analysis = analyse(rule_set, {})
    [lens] = lenses(analysis, _file(rule_set), tmp_path)
    assert lens.kind == "cancellation" and lens.span.line == 1
    # a kind without a headline: its first decision
    assert lens.title == "Evaluate z.request.yaml: notice_days 9 days: service start 2026-12-10 minus cancelled on 2026-12-01."


def test_evaluation_reports_a_broken_rule_set_and_an_invalid_request(rule_set: Path, tmp_path: Path):
    request = tmp_path / "x.request.yaml"
    request.write_text("kind: cancellation\nservice: x\n", encoding="utf-8")
    analysis = analyse(rule_set, {})
    answer = evaluate_request(analysis, request)
    assert not answer.ok and answer.headline.startswith("invalid request (")
    broken = analyse(rule_set, {_file(rule_set): POLICY.replace("= notice\n", "= notise\n")})
    answer = evaluate_request(broken, request)
    assert answer.headline.startswith("the rule set has ") and "VK101" in answer.text


def test_a_file_outside_the_configured_rule_set_is_its_own_rule_set(rule_set: Path, tmp_path: Path):
    elsewhere = tmp_path / "other" / "x.vk"
    elsewhere.parent.mkdir()
    elsewhere.write_text("", encoding="utf-8")
    inside = locate(rule_set / "cancellation.vk", rule_set, environ={})
    assert inside.directory == rule_set.resolve() and inside.rule_set.origin == "--policies"
    alone = locate(elsewhere, rule_set, environ={})
    assert (alone.directory, alone.rule_set) == (elsewhere.parent.resolve(), None)


def _project(tmp_path: Path, pyproject: str | None) -> Path:
    """A project whose rule set and schemas are where its configuration says, not where defaults look."""
    project = tmp_path / "project"
    shutil.copytree(ROOT / "policies", project / "contract-rules")
    shutil.copytree(ROOT / "schemas", project / "request-schemas")
    if pyproject is not None:
        (project / "pyproject.toml").write_text(pyproject, encoding="utf-8")
    return project


def test_the_rule_set_and_schemas_come_from_the_nearest_pyproject(tmp_path: Path):
    project = _project(tmp_path, '[tool.vilkar]\npolicies = "contract-rules"\nschemas = "request-schemas"\n'
                                 '[tool.vilkar.lint]\nignore = ["VK204"]\n')
    found = locate(project / "contract-rules" / "incident.vk", environ={})
    assert found.directory == (project / "contract-rules").resolve()
    assert found.schemas == (project / "request-schemas").resolve()
    assert found.rule_set.origin == f"[tool.vilkar] policies in {(project / 'pyproject.toml').resolve()}"
    assert found.rule_set.summary() in found.summary()
    assert not found.lint_config.enabled("VK204") and found.lint_config.enabled("VK201")
    analysis = analyse(found.directory, {}, found.schemas, found.files, found.lint_config)
    assert analysis.findings == [] and set(analysis.schemas) == set(load_schemas_of(project / "request-schemas"))


def load_schemas_of(folder: Path) -> dict:
    from evaluator.requests.schema import load_schemas
    return load_schemas(folder)


def test_without_configuration_the_policies_folder_and_the_schemas_beside_it_are_found(tmp_path: Path):
    project = tmp_path / "project"
    shutil.copytree(ROOT / "policies", project / "policies")
    shutil.copytree(ROOT / "schemas", project / "schemas")
    found = locate(project / "policies" / "contract" / ".." / "incident.vk", environ={})
    assert (found.directory, found.schemas) == ((project / "policies").resolve(), (project / "schemas").resolve())
    assert found.rule_set.origin == "./policies"


def test_the_environment_wins_over_the_configuration_and_a_single_file_is_a_rule_set(tmp_path: Path):
    project = _project(tmp_path, '[tool.vilkar]\npolicies = "contract-rules"\n')
    one = project / "contract-rules" / "cancellation.vk"
    found = locate(one, environ={"VILKAR_POLICIES": str(one), "VILKAR_SCHEMAS": str(project / "request-schemas")})
    assert (found.files, found.schemas) == ((one.resolve(),), (project / "request-schemas").resolve())
    assert found.rule_set.origin == "VILKAR_POLICIES"
    analysis = analyse(found.directory, {str(one.resolve()): POLICY}, found.schemas, found.files)
    assert list(analysis.sources) == [str(one.resolve())]  # the files beside it are not part of it
    other = locate(project / "contract-rules" / "incident.vk", environ={"VILKAR_POLICIES": str(one)})
    assert other.rule_set is None  # --policies/VILKAR_POLICIES first: a file it does not hold is on its own


def test_an_installed_copys_own_policies_are_the_bundled_rule_set(tmp_path: Path, monkeypatch):
    import evaluator.lsp.workspace as workspace
    installed = tmp_path / "site-packages" / "evaluator" / "_data"
    shutil.copytree(ROOT / "policies", installed / "policies")
    shutil.copytree(ROOT / "schemas", installed / "schemas")
    monkeypatch.setattr(workspace, "data_dir", lambda name: installed / name)
    found = locate(installed / "policies" / "incident.vk", environ={})
    assert found.rule_set.bundled and found.directory == (installed / "policies").resolve()


def test_the_bundled_rule_set_analyses_clean_and_every_citation_hovers():
    folder = ROOT / "policies"
    analysis = analyse(folder.resolve(), {})
    assert analysis.findings == []
    contract = load_contract()
    for module in analysis.modules.values():
        text = analysis.sources[module.file].text
        offset = text.find('cites "')
        if offset >= 0:
            shown = hover(analysis, module.file, offset + 8)
            assert shown is not None and shown.startswith("**"), module.file
    assert contract.resolve("2.6 Yderligere vilkår og betingelser – Annulleringspolitik").id == \
           "afsnit-2-6--annulleringspolitik"


def test_copy_of_the_bundle_keeps_working(tmp_path: Path):
    shutil.copytree(ROOT / "policies", tmp_path / "policies")
    analysis = analyse((tmp_path / "policies").resolve(), {})
    assert analysis.findings == [] and analysis.contract is not None
