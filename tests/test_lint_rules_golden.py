"""One fixture per lint rule: tests/golden/lint/VKnnn/ is a small rule set, expected.txt what the rule reports."""
from __future__ import annotations

from pathlib import Path

import pytest

from conftest import TESTS, assert_golden
from evaluator.language.diagnostics import render
from evaluator.tools.lint import DOCUMENTED, lint, load_context

FIXTURES = sorted(path for path in (TESTS / "golden" / "lint").iterdir() if path.is_dir())


@pytest.mark.parametrize("fixture", FIXTURES, ids=[path.name for path in FIXTURES])
def test_the_rule_reports_its_fixture(fixture, monkeypatch):
    monkeypatch.chdir(fixture.parent)  # files are named VKnnn/file.vk wherever the tests run
    context = load_context([Path(fixture.name)])
    assert context.checked is not None, context.diagnostics  # the fixture loads: only the rule has something
    findings = [finding for finding in lint(context) if finding.code == fixture.name]
    assert findings, f"{fixture.name} found nothing in its fixture"
    text = "\n\n".join(render(finding, context.sources) for finding in findings) + "\n"
    assert_golden(fixture / "expected.txt", text)


def test_every_new_rule_has_a_fixture():
    new = {rule.CODE for rule in DOCUMENTED} - {"VK201", "VK202", "VK203", "VK204", "VK205", "VK206", "VK208", "VK209",
                                              "VK250"}  # VK250 (explanations) is tested with its own feature
    assert new <= {path.name for path in FIXTURES}
