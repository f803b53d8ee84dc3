"""Golden parser tests: each tests/golden/parse/*.vk parses to the tree in its .ast file."""
from __future__ import annotations

import pytest

from conftest import TESTS, assert_golden
from evaluator.language.ast import dump
from evaluator.language.parser import parse_module
from evaluator.language.source import Source

CASES = sorted((TESTS / "golden" / "parse").glob("*.vk"))


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_parse_tree(path):
    module = parse_module(Source.of(path.name, path.read_text(encoding="utf-8")))
    assert_golden(path.with_suffix(".ast"), dump(module) + "\n")


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_spans_point_into_the_source(path):
    text = path.read_text(encoding="utf-8")
    module = parse_module(Source.of(path.name, text))
    for item in module.items:
        snippet = text[item.span.start:item.span.end]
        first_word = snippet.split()[0]
        assert first_word in {"kind", "set", "let", "decision", "require", "calendar", "dates"}
        assert item.span.line == text[:item.span.start].count("\n") + 1


def test_comments_are_collected_but_not_inside_strings():
    source = Source.of("c.vk", '# top\nkind cancellation # after\ndecision x = "# not a comment"\n')
    module = parse_module(source)
    assert [c.text for c in module.comments] == ["# top", "# after"]
    assert [c.span.line for c in module.comments] == [1, 2]
