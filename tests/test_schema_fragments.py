"""Shared schema fragments: every kind with a location carries the same `location` (SPEC §5, §9 §5)."""
from __future__ import annotations

import json

import pytest

from conftest import ROOT
from evaluator.requests.schema import load_schemas

FRAGMENT = json.loads((ROOT / "schemas" / "fragments" / "location.json").read_text(encoding="utf-8"))
SCHEMAS = load_schemas(ROOT / "schemas")
WITH_LOCATION = sorted(kind for kind, schema in SCHEMAS.items() if "location" in schema.get("properties", {}))


def test_the_kinds_with_a_location_are_found():
    assert {"incident", "business_time", "rca_request", "engagement"} <= set(WITH_LOCATION)


@pytest.mark.parametrize("kind", WITH_LOCATION)
def test_the_location_is_the_shared_fragment(kind):
    schema = SCHEMAS[kind]
    assert schema["properties"]["location"]["$ref"] == "#/$defs/location"
    expected = {key: value for key, value in FRAGMENT.items() if key != "$comment"}
    assert schema["$defs"]["location"] == expected, (
        f"copy schemas/fragments/location.json (without its $comment) into schemas/{kind}.schema.json "
        "as $defs/location")
