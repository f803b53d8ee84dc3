"""Schemathesis against the service's own /openapi.json: no 5xx on any generated input, every response conforms.

Examples per operation are bounded for CI (`VILKAR_SCHEMATHESIS_EXAMPLES`, default 60); a longer hunt is
`VILKAR_SCHEMATHESIS_EXAMPLES=2000 python -m pytest tests/test_server_schemathesis.py`.

The checks are the ones the service promises: no server error, only documented status codes and content
types, and bodies that match their documented schema. Schemathesis's `positive_data_acceptance` is left
out on purpose: a schema-valid document can still be a 422 (a country the holidays package does not
know, a requirement a policy states beyond the schema), which is the contract, not a bug.
"""
from __future__ import annotations

import json
import os

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from evaluator.server.app import create_app
from evaluator.server.state import Service

EXAMPLES = int(os.environ.get("VILKAR_SCHEMATHESIS_EXAMPLES", "60"))
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]

schema = schemathesis.openapi.from_asgi("/openapi.json", create_app(Service(None)))


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large])
def test_the_service_keeps_its_openapi_contract(case):
    case.call_and_validate(checks=CHECKS)


def _samples() -> list[dict]:
    from conftest import ROOT
    from evaluator.requests.documents import read_document

    paths = sorted((ROOT / "samples").glob("*.json")) + sorted((ROOT / "samples").glob("*.yaml"))
    return [json.loads(json.dumps(read_document(p.name, p.read_text(encoding="utf-8")).data, default=str))
            for p in paths]


@pytest.mark.parametrize("explain", [None, "true"])
def test_every_sample_is_a_200_that_conforms(explain):
    """Generated documents are mostly refused (countries, zones and dates drawn at random); the samples
    are valid, so these calls check the 200 records against the documented response schema."""
    operation = schema["/v1/decisions"]["POST"]
    for document in _samples():
        query = {"explain": explain} if explain else None
        response = operation.Case(body=document, media_type="application/json", query=query).call_and_validate(
            checks=CHECKS)
        assert response.status_code == 200, response.text


def test_a_batch_of_every_sample_is_a_200_that_conforms():
    operation = schema["/v1/decisions/batch"]["POST"]
    documents = _samples() + [{"kind": "incident"}]
    response = operation.Case(body=documents, media_type="application/json").call_and_validate(checks=CHECKS)
    assert response.status_code == 200
    assert len(response.json()) == len(documents)
