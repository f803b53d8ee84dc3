"""Lint configuration, inline suppression, severities and output formats (SPEC §8.2, §8.3)."""
from __future__ import annotations

import json
import shutil

import jsonschema
import pytest
from click.testing import CliRunner

from conftest import ROOT, TESTS
from evaluator.cli import main
from evaluator.tools.lint import lint, load_context
from evaluator.tools.lint.config import ConfigError, LintConfig

SARIF_SCHEMA = json.loads((TESTS / "data" / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))  # OASIS, errata01


@pytest.fixture()
def repo(tmp_path, monkeypatch):
    """A copy of the rule set with a tier overlap (an error) and an uncited row (a warning), as the current directory."""
    shutil.copytree(ROOT / "policies", tmp_path / "policies")
    policy = tmp_path / "policies" / "cancellation.vk"
    text = policy.read_text(encoding="utf-8").replace("6..13 days -> 50%", "6..14 days -> 50%")
    policy.write_text(text, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run(*args: str):
    return CliRunner().invoke(main, ["lint", *args])


def uncite_a_row(repo):
    policy = repo / "policies" / "cancellation.vk"
    text = policy.read_text(encoding="utf-8")
    start = text.index("<= 5 days  -> 100%") + len("<= 5 days  -> 100%")
    end = text.index("\n", start)
    policy.write_text(text[:start] + text[end:], encoding="utf-8")


def test_errors_fail_and_warnings_fail_only_with_strict(repo):
    assert run().exit_code == 1  # VK202 tier overlap is an error
    assert run("--ignore", "VK202").exit_code == 0
    uncite_a_row(repo)
    result = run("--ignore", "VK202")
    assert result.exit_code == 0 and "VK204" in result.stdout and "only with --strict" in result.stdout
    assert run("--ignore", "VK202", "--strict").exit_code == 1


def test_select_and_ignore_take_codes_and_prefixes(repo):
    uncite_a_row(repo)
    only_gaps = json.loads(run("--format", "json", "--select", "VK202").stdout)
    assert {f["code"] for f in only_gaps["findings"]} == {"VK202"}
    no_vk2 = json.loads(run("--format", "json", "--ignore", "VK2").stdout)
    assert no_vk2["findings"] == []
    both = json.loads(run("--format", "json", "--select", "VK202,VK204").stdout)
    assert {f["code"] for f in both["findings"]} == {"VK202", "VK204"}


def test_the_configuration_file_selects_ignores_and_sets_severities(repo):
    uncite_a_row(repo)
    (repo / "pyproject.toml").write_text('[tool.vilkar.lint]\nignore = ["VK202"]\nseverity = {VK204 = "error"}\n',
                                         encoding="utf-8")
    result = run("--format", "json")
    report = json.loads(result.stdout)
    assert result.exit_code == 1
    assert [(f["code"], f["severity"]) for f in report["findings"]] == [("VK204", "error")]
    assert run("--ignore", "VK204").exit_code == 1  # the flag replaces the file's list: VK202 is back
    (repo / "pyproject.toml").write_text('[tool.vilkar.lint]\nstrict = true\nignore = ["VK202"]\n', encoding="utf-8")
    assert run().exit_code == 1


@pytest.mark.parametrize("table, words", [
    ({"selct": ["VK202"]}, "unknown setting selct"),
    ({"select": "VK202"}, "write a list of codes"),
    ({"severity": {"VK204": "fatal"}}, 'write "error" or "warning"'),
])
def test_a_malformed_setting_says_how_to_write_it(table, words):
    with pytest.raises(ConfigError, match=words):
        LintConfig.from_table(table)


def test_a_bad_configuration_exits_2(repo):
    (repo / "vilkar.toml").write_text('[lint]\nselect = "VK202"\n', encoding="utf-8")
    result = run()
    assert result.exit_code == 2 and "write a list of codes" in result.stderr


def test_inline_suppression_on_the_line_or_the_line_above(repo):
    policy = repo / "policies" / "cancellation.vk"
    lines = policy.read_text(encoding="utf-8").splitlines(keepends=True)
    row = next(i for i, line in enumerate(lines) if "6..14 days -> 50%" in line)
    on_the_line = lines[:row] + [lines[row].rstrip("\n") + "  # vilkar: ignore[VK202] on purpose\n"] + lines[row + 1:]
    policy.write_text("".join(on_the_line), encoding="utf-8")
    assert run().exit_code == 0
    above = lines[:row] + ["      # vilkar: ignore[VK204, VK202] 14 days is decided by the first row\n"] + lines[row:]
    policy.write_text("".join(above), encoding="utf-8")
    result = run("--format", "json")
    assert result.exit_code == 0
    [unused] = json.loads(result.stdout)["findings"]  # VK204 suppressed nothing there
    assert unused["code"] == "VK290" and "VK204" in unused["message"] and unused["severity"] == "warning"
    assert unused["line"] == row + 1


def test_a_suppression_that_suppresses_nothing_is_a_finding_and_a_quoted_one_is_not(repo):
    policy = repo / "policies" / "cancellation.vk"
    text = policy.read_text(encoding="utf-8").replace("6..14 days -> 50%", "6..13 days -> 50%")
    text = text.replace("decision fee:", "# vilkar: ignore[VK202]\ndecision fee:", 1)
    text = text.replace('Annulleringspolitik"\n', 'Annulleringspolitik"\n  note "# vilkar: ignore[VK206] in a text"\n', 1)
    text = text.replace("decision refund:", "# vilkar: ignore[VK999] no such rule\ndecision refund:", 1)
    policy.write_text(text, encoding="utf-8")
    findings = lint(load_context([repo / "policies"]))
    assert [(f.code, f.span.line) for f in findings] == [
        ("VK290", text.splitlines().index("# vilkar: ignore[VK202]") + 1),
        ("VK290", text.splitlines().index("# vilkar: ignore[VK999] no such rule") + 1)]
    assert "there is no rule VK999" in findings[1].message
    assert run("--strict").exit_code == 1 and run().exit_code == 0
    assert run("--ignore", "VK290", "--strict").exit_code == 0


def test_checker_errors_cannot_be_ignored_or_suppressed(repo):
    policy = repo / "policies" / "cancellation.vk"
    text = policy.read_text(encoding="utf-8").replace("request.service_cost - fee",
                                                      "request.service_cots - fee  # vilkar: ignore[VK102]")
    policy.write_text(text, encoding="utf-8")
    result = run("--ignore", "VK1,VK102", "--format", "json")
    assert result.exit_code == 1 and "VK102" in {f["code"] for f in json.loads(result.stdout)["findings"]}


def test_sarif_is_valid_against_the_official_schema_with_rule_metadata(repo):
    uncite_a_row(repo)
    sarif = json.loads(run("--format", "sarif").stdout)
    jsonschema.Draft4Validator(SARIF_SCHEMA).validate(sarif)
    [run_] = sarif["runs"]
    assert run_["columnKind"] == "unicodeCodePoints"
    rules = run_["tool"]["driver"]["rules"]
    for result in run_["results"]:
        rule = rules[result["ruleIndex"]]
        assert rule["id"] == result["ruleId"]
        assert rule["shortDescription"]["text"] and rule["helpUri"].endswith("#" + rule["id"].lower())
        location = result["locations"][0]["physicalLocation"]["artifactLocation"]
        assert location == {"uri": "policies/cancellation.vk", "uriBaseId": "SRCROOT"}
    assert {r["ruleId"] for r in run_["results"]} == {"VK202", "VK204"}
    assert run_["properties"]["rule_set"]["files"] == len(list((ROOT / "policies").rglob("*.vk")))


def test_sarif_of_a_clean_rule_set_and_of_one_that_does_not_parse_is_valid(repo):
    policy = repo / "policies" / "cancellation.vk"
    policy.write_text(policy.read_text(encoding="utf-8").replace("6..14 days", "6..13 days"), encoding="utf-8")
    clean = json.loads(run("--format", "sarif").stdout)
    jsonschema.Draft4Validator(SARIF_SCHEMA).validate(clean)
    assert clean["runs"][0]["results"] == []
    policy.write_text("kind cancellation\ndecision = 1\n", encoding="utf-8")
    broken = json.loads(run("--format", "sarif").stdout)
    jsonschema.Draft4Validator(SARIF_SCHEMA).validate(broken)
    assert [r["ruleId"] for r in broken["runs"][0]["results"]] == ["VK001"]


def test_the_rule_documentation_page_is_generated_from_the_rules():
    from conftest import assert_golden
    from evaluator.tools.lint import documentation
    assert_golden(ROOT / "docs" / "lint.md", documentation())
