"""Property tests: no text of any shape makes the parser or checker fail with anything but a diagnostic."""
from __future__ import annotations

import os

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import ROOT
from evaluator import PolicyError
from evaluator.api import compile_sources
from evaluator.language.parser import ParseError, parse_module
from evaluator.resources import data_dir
from evaluator.requests.schema import load_schemas
from evaluator.language.source import Source

SCHEMAS = load_schemas(data_dir("schemas"))
POLICIES = {path.name: path.read_text(encoding="utf-8") for path in sorted((ROOT / "policies").glob("*.vk"))}
# Each damaged example loads the whole shipped rule set (21 files since SPEC §9), ~0.4 s; CI runs 60, and
# VILKAR_LONG=1 the 400 of the long run, like tests/test_policy_robustness.py.
DAMAGED_EXAMPLES = 400 if os.environ.get("VILKAR_LONG") == "1" else 60
WORDS = ["kind", "decision", "let", "set", "require", "calendar", "cites", "=", "->", "|", "tiers", "of", "match",
         "first", "unique", "on", "otherwise", "except", "when", "request", ".", "(", ")", "{", "}", ",", "+", "-",
         "*", "/", ">=", "..", "14", "days", "2 business hours", "USD 50,000", "20%", "2026-11-27", '"x"',
         "cancellation", "notice_days", "service_cost", "in", "not", "and", "if", "absent", "\n", " ", "#", "'"]


def assert_only_diagnostics(sources: dict[str, str]) -> None:
    try:
        compile_sources({name: Source.of(name, text) for name, text in sources.items()}, SCHEMAS)
    except PolicyError as error:
        assert error.diagnostics
        for diagnostic in error.diagnostics:
            assert diagnostic.code.startswith("VK")
            assert diagnostic.span.line >= 1 and diagnostic.span.col >= 1


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_any_text_parses_or_gives_one_diagnostic(text):
    try:
        parse_module(Source.of("fuzz.vk", text))
    except ParseError as error:
        assert error.diagnostic.code in ("VK001", "VK003", "VK004", "VK005")  # syntax, nesting, number notation
        assert error.diagnostic.span.line >= 1


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(WORDS), max_size=40).map(" ".join))
def test_token_soup_gives_diagnostics_not_crashes(text):
    assert_only_diagnostics({"soup.vk": text})


@settings(max_examples=DAMAGED_EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(sorted(POLICIES)), st.data())
def test_damaged_shipped_policies_give_diagnostics_not_crashes(name, data):
    text = POLICIES[name]
    start = data.draw(st.integers(0, len(text)))
    end = data.draw(st.integers(start, min(len(text), start + 40)))
    insert = data.draw(st.sampled_from(WORDS + [""]))
    damaged = dict(POLICIES)
    damaged[name] = text[:start] + insert + text[end:]
    assert_only_diagnostics(damaged)
