"""The request schemas: valid draft 2020-12, strict, and listing the decisions SPEC names."""
from __future__ import annotations

import pytest
from jsonschema import Draft202012Validator

from evaluator.resources import data_dir
from evaluator.requests.schema import load_schemas

SCHEMAS = load_schemas(data_dir("schemas"))


@pytest.mark.parametrize("kind", sorted(SCHEMAS))
def test_schema_is_valid_draft_2020_12(kind):
    Draft202012Validator.check_schema(SCHEMAS[kind])


@pytest.mark.parametrize("kind", sorted(SCHEMAS))
def test_objects_are_closed_and_the_kind_is_fixed(kind):
    schema = SCHEMAS[kind]
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["properties"]["kind"] == {**schema["properties"]["kind"], "const": kind}
    stack = [schema]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            if node.get("type") == "object":
                assert node.get("additionalProperties") is False, node
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    assert schema["x-vilkar-decisions"], "the decisions SPEC names for the kind"
