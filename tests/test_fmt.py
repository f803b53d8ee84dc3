"""`vilkar fmt`: golden input/expected pairs, idempotence, equal trees, kept comments, and the CLI."""
from __future__ import annotations

import pytest
from click.testing import CliRunner

from conftest import ROOT, TESTS, assert_golden
from evaluator.cli import main
from evaluator.tools.fmt import format_source
from evaluator.language.parser import parse_module
from evaluator.language.source import Source

GOLDEN = sorted((TESTS / "golden" / "fmt").glob("*.vk"))
EVERY_POLICY = GOLDEN + sorted((TESTS / "golden" / "parse").glob("*.vk")) + sorted((ROOT / "policies").glob("*.vk"))


def formatted(path) -> tuple[str, str]:
    text = path.read_text(encoding="utf-8")
    return text, format_source(Source.of(path.name, text))


@pytest.mark.parametrize("path", GOLDEN, ids=[p.stem for p in GOLDEN])
def test_golden_layout(path):
    assert_golden(path.with_suffix(".expected"), formatted(path)[1])


@pytest.mark.parametrize("path", EVERY_POLICY, ids=[f"{p.parent.name}/{p.stem}" for p in EVERY_POLICY])
def test_formatting_is_idempotent_keeps_comments_and_meaning(path):
    text, once = formatted(path)
    assert format_source(Source.of(path.name, once)) == once
    before, after = parse_module(Source.of(path.name, text)), parse_module(Source.of(path.name, once))
    assert after == before  # trees compare without positions or spelling
    assert [c.text for c in after.comments] == [c.text for c in before.comments]


@pytest.mark.parametrize("path", sorted((ROOT / "policies").glob("*.vk")), ids=lambda p: p.stem)
def test_the_shipped_policies_are_formatted(path):
    text, once = formatted(path)
    assert once == text


def test_cli_check_diff_and_write(tmp_path):
    target = tmp_path / "messy.vk"
    target.write_text((TESTS / "golden" / "fmt" / "messy.vk").read_text(encoding="utf-8"), encoding="utf-8")
    runner = CliRunner()
    check = runner.invoke(main, ["fmt", "--check", str(tmp_path)])
    assert check.exit_code == 1 and "would reformat" in check.output
    diff = runner.invoke(main, ["fmt", "--diff", str(tmp_path)])
    assert diff.exit_code == 1 and "+++ " in diff.output and "(formatted)" in diff.output
    written = runner.invoke(main, ["fmt", str(tmp_path)])
    assert written.exit_code == 0 and "reformatted" in written.output
    assert runner.invoke(main, ["fmt", "--check", str(tmp_path)]).exit_code == 0
    assert target.read_text(encoding="utf-8") == (TESTS / "golden" / "fmt" / "messy.expected").read_text(encoding="utf-8")


def test_cli_reports_a_file_that_does_not_parse(tmp_path):
    (tmp_path / "broken.vk").write_text("decision = 1\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["fmt", "--check", str(tmp_path)])
    assert result.exit_code == 2 and "VK001" in result.output
