"""Declared decision types: in the policy, in the schema's x-vilkar-decisions, and through fmt."""
from __future__ import annotations

import copy

import pytest

from conftest import ROOT
from evaluator import PolicyError
from evaluator.api import compile_sources
from evaluator.language import ast
from evaluator.language.parser import parse_module
from evaluator.language.source import Source
from evaluator.rule_set import read_schemas
from evaluator.tools.fmt import format_source

SCHEMAS = read_schemas(ROOT / "schemas")
POLICY = '''kind incident
  cites "Bilag A – Reaktiv support"

decision effort: one of {"24x7", "business_hours"}, clock: text or nothing
  cites "Bilag A – Reaktiv support"
  = match first on request.severity
      | "1" -> "24x7",           "calendar"  cites "Bilag A – Reaktiv support"
      | any -> "business_hours", nothing     cites "Bilag A – Reaktiv support"
'''


def load(text: str, schemas=SCHEMAS):
    return compile_sources({"policies/incident.vk": Source.of("policies/incident.vk", text)}, schemas)


def diagnostics(text: str, schemas=SCHEMAS) -> list:
    with pytest.raises(PolicyError) as caught:
        load(text, schemas)
    return caught.value.diagnostics


def test_a_well_declared_table_loads_and_formats_to_itself():
    load(POLICY)
    source = Source.of("t.vk", POLICY)
    assert format_source(source) == POLICY
    [_, decision] = parse_module(source).items
    assert decision.types[0] == ast.TypeSpec("one", values=("24x7", "business_hours"))
    assert decision.types[1] == ast.TypeSpec("text", optional=True)


def test_a_declared_enum_narrows_the_decision_where_it_is_used():
    text = POLICY + '\ndecision urgent: boolean\n  cites "Bilag A – Reaktiv support"\n  = effort == "24x7x"\n'
    [problem] = diagnostics(text)
    assert problem.code == "VK103" and problem.span.line == 12


def test_the_schema_may_declare_a_decision_type_and_the_policy_must_give_it():
    schemas = copy.deepcopy(SCHEMAS)
    listed = schemas["incident"]["x-vilkar-decisions"]
    listed[listed.index("effort")] = {"name": "effort", "enum": ["24x7", "business-hours"]}
    undeclared = POLICY.replace('effort: one of {"24x7", "business_hours"}', "effort")
    [problem] = diagnostics(undeclared, schemas)
    assert problem.code == "VK120" and problem.span.line == 8
    assert "x-vilkar-decisions" in problem.message and '"business-hours"' in problem.hint


@pytest.mark.parametrize("declaration, code", [
    ("effort: percent", "VK120"),
    ("effort: one of {\"24x7\"}", "VK120"),
    ("effort: text 1..2", "VK121"),
    ("effort: boolean USD", "VK121"),
    ("effort: one", "VK121"),
])
def test_wrong_and_malformed_declarations(declaration, code):
    found = diagnostics(POLICY.replace('effort: one of {"24x7", "business_hours"}', declaration))
    assert {d.code for d in found} == {code}
