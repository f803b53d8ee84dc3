"""`vilkar lint`: seeded defects in a copy of the shipped policies are each found at the right line."""
from __future__ import annotations

import json
import shutil

import pytest
from click.testing import CliRunner

from conftest import ROOT
from evaluator.cli import main
from evaluator.tools.lint import RULES, explain, lint, load_context

# (file, text to replace, replacement, code, the first line holding this text is where the finding is,
#  words in the message)
SEEDED = [
    ("cancellation.vk", "6..13 days -> 50%", "6..12 days -> 50%", "VK201", "= tiers of notice_days",
     "notice_days = 13 days falls in no tier"),
    ("cancellation.vk", "6..13 days -> 50%", "6..14 days -> 50%", "VK202", "6..14 days", "overlap at 14 days"),
    ("cancellation.vk", "<= 5 days  -> 100%", "<= 5 days  -> 100%\n      < 3 days -> 100%", "VK203", "< 3 days",
     "this tier can never apply"),
    ("service_lookup.vk", '| "webcasts"', '| "workshops"', "VK113", "uddannelsestjenester: Workshops",
     "rows of a `unique` table overlap"),
    ("incident.vk", '-> 4 business hours, "business"  cites', '-> 4 business hours, "business"  # cites',
     "VK204", '-> 4 business hours, "business"', "this table row cites no clause"),
    ("aem_event.vk", 'cites "Tabel 11 – Typer af udvidede løsninger: Microsoft Azure Event Management (AEM): AEM er kun',
     'cites "Tabel 12 – Typer af udvidede løsninger: Microsoft Azure Event Management (AEM): AEM er kun', "VK205", "Tabel 12",
     '"Tabel 12" does not occur in the contract text'),
    ("incident.vk", 'request.severity in {"1", "A"}', 'request.sevrity in {"1", "A"}', "VK102", "request.sevrity",
     "has no field `sevrity`"),
    ("incident.vk", '| "C"     -> 24 hours', '| "D"     -> 24 hours', "VK103", '| "D"', 'is never "D"'),
    ("cancellation.vk", "= fee_percent of request.service_cost", "= fee_percent of request.service_cost + 3 days",
     "VK105", "+ 3 days", "cannot add money in USD and a duration"),
    ("allowance.vk", "decision allowed", "let unused_total = allocated_total\n\ndecision allowed", "VK206",
     "let unused_total", "`unused_total` is defined but never used"),
    ("proactive_request.vk", "decision in_time", "decision in_tim", "VK208", "kind proactive_request",
     "does not decide `in_time`"),
    ("cancellation.vk", 'because "{fee_percent} of the service cost', 'because "`fee_percent` of the service cost',
     "VK250", "`fee_percent` of the service cost", "these words show policy code"),
    ("incident.vk", 'because "UER is not held"', 'because "`holds_uer` is false"', "VK250", "`holds_uer` is false",
     "these words show policy code"),  # the reason of a part of `all of`
    ("allowance.vk", "except first when not allocated_in_time", "except when not allocated_in_time", "VK240",
     "except when allocated_total < request.flexible_allowance", "can both apply"),
]


@pytest.fixture()
def policies(tmp_path):
    target = tmp_path / "policies"
    shutil.copytree(ROOT / "policies", target)
    return target


def test_the_shipped_policies_lint_clean():
    assert lint(load_context([ROOT / "policies"])) == []


@pytest.mark.parametrize("file, old, new, code, marker, words", SEEDED, ids=[f"{s[3]}-{s[0]}" for s in SEEDED])
def test_a_seeded_defect_is_reported_at_its_line_with_a_hint(policies, file, old, new, code, marker, words):
    path = policies / file
    text = path.read_text(encoding="utf-8")
    assert old in text
    seeded = text.replace(old, new, 1)
    path.write_text(seeded, encoding="utf-8")
    line = next(number for number, content in enumerate(seeded.splitlines(), 1) if marker in content)
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
    line = next(n for n, content in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if "tiers of" in content)
    text = runner.invoke(main, ["lint", str(policies)])
    assert text.exit_code == 1
    assert f"cancellation.vk:{line}:14: VK201 notice_days = 13 days falls in no tier" in text.output
    assert "^^^^^^^^^^^ VK201" in text.output and "= hint:" in text.output
    as_json = json.loads(runner.invoke(main, ["lint", "--format", "json", str(policies)]).output)
    assert {f["code"] for f in as_json["findings"]} >= {"VK201"}
    assert set(as_json["rule_set"]) == {"path", "files", "sha256"} and as_json["errors"] >= 1
    sarif = json.loads(runner.invoke(main, ["lint", "--format", "sarif", str(policies)]).output)
    result = next(r for r in sarif["runs"][0]["results"] if r["ruleId"] == "VK201")
    assert result["locations"][0]["physicalLocation"]["region"]["startLine"] == line
    github = runner.invoke(main, ["lint", "--format", "github", str(policies)]).output
    assert "::error file=" in github and f"line={line},col=14" in github and "title=VK201::" in github
    explained = runner.invoke(main, ["lint", "--explain", "VK201"])
    assert explained.exit_code == 0 and "tier-gap" in explained.output
    assert runner.invoke(main, ["lint", "--explain", "VK999"]).exit_code == 2
