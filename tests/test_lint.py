"""`vilkar lint`: seeded defects in a copy of the shipped policies are each found at the right line."""
from __future__ import annotations

import json
import shutil

import pytest
from click.testing import CliRunner

from conftest import ROOT
from evaluator.cli import main
from evaluator.lint import RULES, explain, lint, load_context

# (file, text to replace, replacement, code, line of the finding, words in the message)
SEEDED = [
    ("cancellation.vk", "6..13 days -> 50%", "6..12 days -> 50%", "VK201", 15, "notice_days = 13 days falls in no tier"),
    ("cancellation.vk", "6..13 days -> 50%", "6..14 days -> 50%", "VK202", 17, "overlap at 14 days"),
    ("cancellation.vk", "<= 5 days  -> 100%", "<= 5 days  -> 100%\n      < 3 days -> 100%", "VK203", 19,
     "this tier can never apply"),
    ("service_lookup.vk", '| "webcasts"                                -> "included",      "Tabel 6",  "education"',
     '| "webcasts" -> "included", "Tabel 6", "education"\n      | "webcasts" -> "add_on", "Tabel 6", "education"', "VK113", 30,
     "rows of a `unique` table overlap"),
    ("incident.vk", '| "B"     -> 4 business hours, "business"  cites', '| "B"     -> 4 business hours, "business"  # cites', "VK204", 180,
     "this table row cites no clause"),
    ("aem_event.vk", 'cites "Tabel 11 – Typer af udvidede løsninger: AEM er kun tilgængelig for kunder',
     'cites "Tabel 12 – Typer af udvidede løsninger: AEM er kun tilgængelig for kunder', "VK205", 30,
     '"Tabel 12" does not occur in the contract text'),
    ("incident.vk", "request.severity in {\"1\", \"A\"}", "request.sevrity in {\"1\", \"A\"}", "VK102", 19,
     "has no field `sevrity`"),
    ("incident.vk", '| "C"     -> 24 hours', '| "D"     -> 24 hours', "VK103", 181, 'is never "D"'),
    ("cancellation.vk", "= fee_percent of request.service_cost", "= fee_percent of request.service_cost + 3 days",
     "VK105", 22, "cannot add money in USD and a duration"),
    ("allowance.vk", "decision allowed", "let unused_total = allocated_total\n\ndecision allowed", "VK206", 48,
     "`unused_total` is defined but never used"),
    ("proactive_request.vk", "decision in_time", "decision in_tim", "VK208", 3, "does not decide `in_time`"),
]


@pytest.fixture()
def policies(tmp_path):
    target = tmp_path / "policies"
    shutil.copytree(ROOT / "policies", target)
    return target


def test_the_shipped_policies_lint_clean():
    assert lint(load_context([ROOT / "policies"])) == []


@pytest.mark.parametrize("file, old, new, code, line, words", SEEDED, ids=[f"{s[3]}-{s[0]}" for s in SEEDED])
def test_a_seeded_defect_is_reported_at_its_line_with_a_hint(policies, file, old, new, code, line, words):
    path = policies / file
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    findings = [f for f in lint(load_context([policies])) if f.code == code]
    assert findings, f"no {code} finding"
    finding = findings[0]
    assert finding.span.file.endswith(file) and finding.span.line == line, finding
    assert words in finding.message
    assert finding.hint


def test_every_rule_is_documented_and_explainable():
    codes = [rule.CODE for rule in RULES]
    assert len(codes) == len(set(codes))
    for rule in RULES:
        text = explain(rule.CODE)
        assert text and rule.NAME in text and "Fix:" in text


def test_cli_formats_and_exit_codes(policies):
    runner = CliRunner()
    clean = runner.invoke(main, ["lint", str(ROOT / "policies")])
    assert clean.exit_code == 0 and "All checks passed." in clean.output
    path = policies / "cancellation.vk"
    path.write_text(path.read_text(encoding="utf-8").replace("6..13 days", "6..12 days"), encoding="utf-8")
    text = runner.invoke(main, ["lint", str(policies)])
    assert text.exit_code == 1
    assert "cancellation.vk:15:14: VK201 notice_days = 13 days falls in no tier" in text.output
    assert "^^^^^^^^^^^ VK201" in text.output and "= hint:" in text.output
    as_json = json.loads(runner.invoke(main, ["lint", "--format", "json", str(policies)]).output)
    assert {f["code"] for f in as_json} >= {"VK201"}
    sarif = json.loads(runner.invoke(main, ["lint", "--format", "sarif", str(policies)]).output)
    result = next(r for r in sarif["runs"][0]["results"] if r["ruleId"] == "VK201")
    assert result["locations"][0]["physicalLocation"]["region"]["startLine"] == 15
    github = runner.invoke(main, ["lint", "--format", "github", str(policies)]).output
    assert "::warning file=" in github and "line=15,col=14" in github and "title=VK201::" in github
    explained = runner.invoke(main, ["lint", "--explain", "VK201"])
    assert explained.exit_code == 0 and "tier-gap" in explained.output
    assert runner.invoke(main, ["lint", "--explain", "VK999"]).exit_code == 2
