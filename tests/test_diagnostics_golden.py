"""Golden diagnostics: each tests/golden/errors/*.vk is rejected with the text in its .expected file."""
from __future__ import annotations

import pytest

from conftest import TESTS, assert_golden
from evaluator import PolicyError
from evaluator.api import compile_sources
from evaluator.resources import data_dir
from evaluator.requests.schema import load_schemas
from evaluator.language.source import Source

CASES = sorted((TESTS / "golden" / "errors").glob("*.vk"))
SCHEMAS = load_schemas(data_dir("schemas"))


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_rejected_with_located_diagnostic(path):
    name = f"policies/{path.name}"
    with pytest.raises(PolicyError) as caught:
        compile_sources({name: Source.of(name, path.read_text(encoding="utf-8"))}, SCHEMAS)
    for diagnostic in caught.value.diagnostics:
        assert diagnostic.code.startswith("VK") and diagnostic.span.line > 0 and diagnostic.hint
    assert_golden(path.with_suffix(".expected"), str(caught.value) + "\n")
