"""`vilkar serve`'s contract (SPEC §8.9) through Starlette's TestClient: routes, status codes, bodies."""
from __future__ import annotations

import asyncio
import json
import shutil
import threading

import pytest
from jsonschema import Draft202012Validator, FormatChecker
from starlette.testclient import TestClient

from conftest import ROOT
from evaluator import RequestError, evaluate, load_policies
from evaluator.requests.documents import read_document
from evaluator.server.app import MAX_BODY, create_app
from evaluator.server.state import Service

SAMPLES = sorted((ROOT / "samples").glob("*.json")) + sorted((ROOT / "samples").glob("*.yaml"))
CANCELLATION = {"kind": "cancellation", "service": "Workshop", "service_start": "2026-12-10",
                "cancelled_on": "2026-12-01", "service_cost": {"amount": "12500.00", "currency": "USD"}}


@pytest.fixture(scope="module")
def service() -> Service:
    return Service(None)


@pytest.fixture(scope="module")
def client(service: Service) -> TestClient:
    return TestClient(create_app(service))


def sample(path) -> dict:
    return read_document(path.name, path.read_text(encoding="utf-8")).data


def as_json(document) -> str:
    return json.dumps(document, default=str)  # YAML samples hold only JSON values; dates stay text


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.name)
def test_every_sample_gets_the_decisions_evaluate_gives(client, path):
    document = sample(path)
    response = client.post("/v1/decisions", content=as_json(document))
    assert response.status_code == 200, response.text
    body = response.json()
    expected = evaluate(json.loads(as_json(document))).to_dict(trace=False)
    assert list(body) == ["decision_id", "kind", "version", "decisions", "notes"]
    assert body["kind"] == expected["kind"]
    assert body["decisions"] == expected["decisions"]
    assert body["notes"] == expected["notes"]
    assert body["version"] == expected["version"]
    assert body["version"]["id"] == "2026-01"
    assert response.headers["content-type"] == "application/json"


def test_decision_ids_are_unique(client):
    ids = {client.post("/v1/decisions", json=CANCELLATION).json()["decision_id"] for _ in range(20)}
    assert len(ids) == 20


def test_explain_adds_the_trace_with_clauses(client):
    body = client.post("/v1/decisions?explain=true", json=CANCELLATION).json()
    assert {entry["decision"] for entry in body["trace"]} == set(body["decisions"])
    assert body["trace"][1]["cites"].startswith("2.6")
    assert "trace" not in client.post("/v1/decisions?explain=false", json=CANCELLATION).json()


def test_a_flag_that_is_neither_true_nor_false_is_refused(client):
    response = client.post("/v1/decisions?explain=perhaps", json=CANCELLATION)
    assert response.status_code == 422
    assert response.json()["errors"][0]["pointer"] == "?explain"


@pytest.mark.parametrize("as_of", ["2026-12-01", "2026-12-01T09:00:00+01:00"])
def test_as_of_is_accepted_as_a_date_or_moment(client, as_of):
    response = client.post("/v1/decisions", params={"as_of": as_of}, json=CANCELLATION)
    assert response.status_code == 200
    assert response.json()["decisions"]["fee_percent"] == 50


@pytest.mark.parametrize("as_of", ["yesterday", "2026-13-01", "2026-12-01T09:00:00"])
def test_as_of_that_is_no_date_is_a_422(client, as_of):
    response = client.post("/v1/decisions", params={"as_of": as_of}, json=CANCELLATION)
    assert response.status_code == 422
    assert response.json()["errors"][0] == {
        "pointer": "?as_of", "message": "is not a date (YYYY-MM-DD) or a moment with a UTC offset", "value": as_of,
        "hint": "write ?as_of=2026-01-01 or ?as_of=2026-01-01T09:00:00+01:00"}


def test_an_invalid_request_lists_every_problem_as_request_error_does(client):
    document = dict(CANCELLATION, cancelled_on="2026-02-30", service_cost={"amount": -1, "currency": "EUR"})
    with pytest.raises(RequestError) as raised:
        evaluate(document)
    response = client.post("/v1/decisions", json=document)
    assert response.status_code == 422
    assert response.json() == {"errors": [problem.to_dict() for problem in raised.value.errors]}
    assert len(response.json()["errors"]) >= 3


@pytest.mark.parametrize("body, words", [
    (b'{"kind": "cancellation",', "not valid JSON at line 1 column 25"),
    (b"", "not valid JSON at line 1 column 1"),
    (b'{"amount": NaN}', "NaN is not a JSON number"),
    (b'\xff\xfe{"kind": 1}', "not UTF-8"),
    (b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
])
def test_a_body_that_is_not_json_is_a_400(client, body, words):
    response = client.post("/v1/decisions", content=body)
    assert response.status_code == 400
    assert words in response.json()["errors"][0]["message"]


@pytest.mark.parametrize("body", [b"[]", b'"incident"', b"17", b"null"])
def test_json_that_is_not_an_object_is_a_422(client, body):
    response = client.post("/v1/decisions", content=body)
    assert response.status_code == 422
    assert response.json()["errors"][0]["message"] == "a request must be an object with a `kind` field"


def test_a_duplicate_key_is_a_request_error(client):
    response = client.post("/v1/decisions", content=b'{"kind": "cancellation", "kind": "incident"}')
    assert response.status_code == 422
    assert response.json()["errors"][0]["message"] == 'the key "kind" appears twice in one object'


def test_a_byte_order_mark_is_accepted(client):
    response = client.post("/v1/decisions", content=b"\xef\xbb\xbf" + json.dumps(CANCELLATION).encode())
    assert response.status_code == 200


def padded(size: int) -> bytes:
    text = json.dumps(CANCELLATION).encode()
    return text[:-1] + b" " * (size - len(text)) + b"}"


def test_one_mebibyte_is_allowed_and_one_byte_more_is_a_413(client):
    assert client.post("/v1/decisions", content=padded(MAX_BODY)).status_code == 200
    response = client.post("/v1/decisions", content=padded(MAX_BODY + 1))
    assert response.status_code == 413
    assert response.json()["errors"][0]["message"] == "the body is over the limit of 1,048,576 bytes"


def test_a_streamed_body_without_length_is_cut_off_at_the_limit(client):
    def chunks():
        for _ in range(3):
            yield b" " * (MAX_BODY // 2)

    assert client.post("/v1/decisions", content=chunks()).status_code == 413


def test_batch_gives_one_record_per_item_in_order(client):
    items = [CANCELLATION, {"kind": "nope"}, dict(CANCELLATION, cancelled_on="2026-12-09"), 7]
    response = client.post("/v1/decisions/batch", json=items)
    assert response.status_code == 200
    records = response.json()
    assert len(records) == 4
    assert records[0]["decisions"]["fee_percent"] == 50
    assert records[1]["errors"][0]["pointer"] == "/kind"
    assert records[2]["decisions"]["fee_percent"] == 100
    assert records[3] == {"errors": [{"pointer": "", "message": "a request must be an object with a `kind` field",
                                      "value": 7}]}


def test_batch_of_one_thousand_is_allowed_and_more_is_a_422(client):
    assert len(client.post("/v1/decisions/batch", json=[CANCELLATION] * 1000).json()) == 1000
    response = client.post("/v1/decisions/batch", json=[CANCELLATION] * 1001)
    assert response.status_code == 422
    assert response.json()["errors"][0]["message"] == "a batch holds at most 1,000 documents"
    assert client.post("/v1/decisions/batch", json=[]).json() == []


def test_batch_that_is_not_an_array_is_a_422(client):
    response = client.post("/v1/decisions/batch", json=CANCELLATION)
    assert response.status_code == 422
    assert response.json()["errors"][0]["message"] == "a batch is a JSON array of request documents"


def test_health_and_status_count_what_was_served():
    service = Service(None)
    client = TestClient(create_app(service))
    assert client.get("/health").json() == {"status": "ok"}
    client.post("/v1/decisions", json=CANCELLATION)
    client.post("/v1/decisions", json={"kind": "incident"})
    client.post("/v1/decisions", content=b"{")
    client.post("/v1/decisions/batch", json=[CANCELLATION, CANCELLATION])
    status = client.get("/v1/status").json()
    assert status["counters"] == {"requests": 4, "decisions": 3, "invalid": 1, "malformed": 1, "too_large": 0,
                                  "batches": 1, "by_kind": {"cancellation": 3}}
    assert status["rule_set"] == load_policies().rule_set.describe()  # as every JSON report names it
    assert status["rule_set"]["files"] == len(load_policies().sources)
    assert status["versions"] == [load_policies().version.to_dict()]
    assert status["reloads"] == {"ok": 0, "failed": 0, "last_error": None, "last_at": None}


def test_only_the_documented_methods_are_allowed(client):
    assert client.get("/v1/decisions").status_code == 405
    assert client.post("/health").status_code == 405
    assert client.get("/v2/decisions").status_code == 404


def test_openapi_embeds_every_schema_and_validates_as_it_does(client, service):
    document = client.get("/openapi.json").json()
    assert document["openapi"].startswith("3.1")
    assert set(document["paths"]) == {"/v1/decisions", "/v1/decisions/batch", "/health", "/v1/status",
                                      "/openapi.json"}
    assert set(document["paths"]["/v1/decisions"]["post"]["responses"]) == {"200", "400", "413", "422"}
    wrong = dict(CANCELLATION, cancelled_on="yesterday", extra=1)
    for kind, schema in service.loaded.policies.schemas.items():
        assert schema == json.loads((ROOT / "schemas" / f"{kind}.schema.json").read_text(encoding="utf-8"))
        component = document["components"]["schemas"][kind]
        assert component["properties"].keys() == schema["properties"].keys()
        assert component.get("$defs", {}).keys() == schema.get("$defs", {}).keys()
        in_openapi = Draft202012Validator({"$ref": f"#/components/schemas/{kind}",
                                           "components": document["components"]}, format_checker=FormatChecker())
        alone = Draft202012Validator(schema, format_checker=FormatChecker())
        for candidate in [sample(path) for path in SAMPLES] + [wrong, {"kind": kind}]:
            candidate = json.loads(as_json(candidate))
            assert sorted(e.message for e in in_openapi.iter_errors(candidate)) == \
                sorted(e.message for e in alone.iter_errors(candidate))


def test_the_decision_log_has_one_line_per_decision(tmp_path):
    log = tmp_path / "decisions.jsonl"
    service = Service(None, decision_log=str(log))
    client = TestClient(create_app(service))
    first = client.post("/v1/decisions", json=CANCELLATION).json()
    client.post("/v1/decisions", json={"kind": "incident"})  # rejected: nothing was decided, nothing logged
    client.post("/v1/decisions/batch", json=[CANCELLATION, dict(CANCELLATION, cancelled_on="2026-11-01")])
    service.close()
    lines = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
    assert len(lines) == 3
    assert list(lines[0]) == ["decision_id", "timestamp", "kind", "version", "input", "decisions"]
    assert lines[0]["decision_id"] == first["decision_id"]
    assert lines[0]["input"] == {**CANCELLATION, "service_cost": {"amount": "12500.00", "currency": "USD"}}
    assert lines[0]["decisions"] == first["decisions"]
    assert lines[2]["input"]["cancelled_on"] == "2026-11-01"
    assert lines[0]["timestamp"].endswith("Z")


def test_numbers_in_the_decision_log_keep_their_value(tmp_path):
    log = tmp_path / "decisions.jsonl"
    service = Service(None, decision_log=str(log))
    document = dict(CANCELLATION, service_cost={"amount": 12500.25, "currency": "USD"})
    TestClient(create_app(service)).post("/v1/decisions", content=json.dumps(document))
    service.close()
    assert json.loads(log.read_text())["input"]["service_cost"]["amount"] == 12500.25


def rule_set(tmp_path, name: str, fee: str):
    directory = tmp_path / name
    shutil.copytree(ROOT / "policies", directory)
    policy = directory / "cancellation.vk"
    policy.write_text(policy.read_text(encoding="utf-8").replace("6..13 days -> 50%", f"6..13 days -> {fee}"),
                      encoding="utf-8")
    return directory


def test_a_reload_that_fails_keeps_the_old_rule_set(tmp_path):
    directory = rule_set(tmp_path, "live", "50%")
    service = Service(str(directory))
    client = TestClient(create_app(service))
    before = client.get("/v1/status").json()["rule_set"]["sha256"]
    (directory / "cancellation.vk").write_text("kind cancellation\n  decision = =\n", encoding="utf-8")
    assert service.reload() is False
    assert client.post("/v1/decisions", json=CANCELLATION).json()["decisions"]["fee_percent"] == 50
    status = client.get("/v1/status").json()
    assert status["rule_set"]["sha256"] == before
    assert status["reloads"]["failed"] == 1
    assert "cancellation.vk:2" in status["reloads"]["last_error"]
    (directory / "cancellation.vk").write_text(
        (rule_set(tmp_path, "next", "60%") / "cancellation.vk").read_text(encoding="utf-8"), encoding="utf-8")
    assert service.reload() is True
    assert client.post("/v1/decisions", json=CANCELLATION).json()["decisions"]["fee_percent"] == 60
    assert client.get("/v1/status").json()["reloads"]["ok"] == 1


def test_requests_during_reloads_see_one_whole_rule_set_or_the_other(tmp_path):
    """Deciding from many threads while the rule set flips between 50 % and 75 %: never a mixture."""
    directory = rule_set(tmp_path, "live", "50%")
    variants = {fee: (rule_set(tmp_path, f"v{fee}", f"{fee}%") / "cancellation.vk").read_text(encoding="utf-8")
                for fee in (50, 75)}
    service = Service(str(directory))
    client = TestClient(create_app(service))
    answers = {fee: {"notice_days": 9, "fee_percent": fee, "fee": f"{12500 * fee / 100:.2f}",
                     "refund": f"{12500 - 12500 * fee / 100:.2f}"} for fee in (50, 75)}
    stop = threading.Event()
    seen: list[dict] = []

    def decide_until_stopped() -> None:
        while not stop.is_set():
            seen.append(client.post("/v1/decisions", json=CANCELLATION).json()["decisions"])

    threads = [threading.Thread(target=decide_until_stopped) for _ in range(3)]
    for thread in threads:
        thread.start()
    for round_ in range(4):
        (directory / "cancellation.vk").write_text(variants[(50, 75)[round_ % 2 == 0]], encoding="utf-8")
        assert service.reload()
    stop.set()
    for thread in threads:
        thread.join()
    assert seen
    assert all(decisions in answers.values() for decisions in seen)
    assert client.post("/v1/decisions", json=CANCELLATION).json()["decisions"] == answers[50]


async def asgi(app, method: str, path: str, body: bytes = b"") -> tuple[int, list, bytes]:
    """One request straight to the ASGI app on the running loop, as uvicorn makes it."""
    path, _, query = path.partition("?")
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": method, "scheme": "http",
             "path": path, "raw_path": path.encode(), "query_string": query.encode(), "root_path": "",
             "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())],
             "client": ("127.0.0.1", 50000), "server": ("127.0.0.1", 8181)}
    sent: list[dict] = []

    async def receive() -> dict:
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: dict) -> None:
        sent.append(message)

    await app(scope, receive, send)
    return sent[0]["status"], sent[0]["headers"], b"".join(m.get("body", b"") for m in sent[1:])


def test_a_large_document_is_decided_off_the_event_loop(monkeypatch):
    """While a large document's decision is stuck, /health answers on the same loop."""
    import evaluator.server.app as app_module

    release, entered = threading.Event(), threading.Event()
    real_decide = app_module.decide

    def stuck_decide(*arguments):
        entered.set()
        release.wait(10)
        return real_decide(*arguments)

    monkeypatch.setattr(app_module, "decide", stuck_decide)
    app = create_app(Service(None))

    async def scenario() -> tuple:
        deciding = asyncio.create_task(asgi(app, "POST", "/v1/decisions", padded(app_module.INLINE_BODY + 1)))
        while not entered.is_set():
            await asyncio.sleep(0.01)
        health = await asyncio.wait_for(asgi(app, "GET", "/health"), 10)  # answered while the decision is held
        still_deciding = not deciding.done()
        release.set()
        return health, still_deciding, await deciding

    health, still_deciding, (status, _, body) = asyncio.run(scenario())
    assert health[0] == 200 and still_deciding
    assert status == 200 and json.loads(body)["decisions"]["fee_percent"] == 50


def test_a_small_document_is_decided_on_the_loop_and_a_large_one_on_the_thread(monkeypatch):
    import evaluator.server.app as app_module

    threads: list[str] = []
    real_decide = app_module.decide

    def decide_where(*arguments):
        threads.append(threading.current_thread().name)
        return real_decide(*arguments)

    monkeypatch.setattr(app_module, "decide", decide_where)
    app = create_app(Service(None))

    async def both() -> None:
        await asgi(app, "POST", "/v1/decisions", json.dumps(CANCELLATION).encode())
        await asgi(app, "POST", "/v1/decisions", padded(app_module.INLINE_BODY + 1))
        await asgi(app, "POST", "/v1/decisions", padded(app_module.INLINE_BODY))

    asyncio.run(both())
    assert threads[0] == threads[2] == threading.current_thread().name
    assert threads[1].startswith("vilkar-decide")


@pytest.mark.parametrize("path, body", [
    ("/v1/decisions", json.dumps(CANCELLATION).encode()),
    ("/v1/decisions?explain=true", json.dumps(CANCELLATION).encode()),
    ("/v1/decisions?explain=perhaps", json.dumps(CANCELLATION).encode()),
    ("/v1/decisions?as_of=2026-13-01", json.dumps(CANCELLATION).encode()),
    ("/v1/decisions?explain=false&explain=true", json.dumps(CANCELLATION).encode()),
    ("/v1/decisions", b'{"kind": "cancellation",'),
    ("/v1/decisions", b'{"kind": "incident"}'),
    ("/v1/decisions", b"\xef\xbb\xbf" + json.dumps(CANCELLATION).encode()),
    ("/v1/decisions", padded(MAX_BODY + 1)),
])
def test_the_direct_path_answers_as_starlette_would(service, path, body):
    """POST /v1/decisions skips Starlette's router: same status, headers and body as through it and as
    Starlette's own Response would send them."""
    from starlette.responses import Response

    app = create_app(service)
    direct, routed = asyncio.run(asgi(app, "POST", path, body)), asyncio.run(asgi(app.rest, "POST", path, body))
    assert direct[0] == routed[0]
    assert direct[1] == routed[1] == Response(direct[2], direct[0], media_type="application/json").raw_headers
    first, second = json.loads(direct[2]), json.loads(routed[2])
    for record in (first, second):
        record.pop("decision_id", None)
    assert first == second


def test_an_unexpected_failure_is_a_plain_500_as_in_starlette(monkeypatch):
    import evaluator.server.app as app_module

    def broken(*arguments):
        raise RuntimeError("a bug")

    monkeypatch.setattr(app_module, "decide", broken)
    client = TestClient(create_app(Service(None)), raise_server_exceptions=False)
    response = client.post("/v1/decisions", json=CANCELLATION)
    assert (response.status_code, response.text) == (500, "Internal Server Error")
    assert response.headers["content-type"] == "text/plain; charset=utf-8"


def test_as_of_picks_the_version_of_a_history_and_the_record_names_it():
    service = Service(str(ROOT / "tests" / "history"))
    client = TestClient(create_app(service))
    six_days = dict(CANCELLATION, cancelled_on="2026-12-04")
    by_event_date = client.post("/v1/decisions", json=six_days).json()
    assert (by_event_date["version"]["id"], by_event_date["decisions"]["fee_percent"]) == ("2026-07", 100)
    early = client.post("/v1/decisions?as_of=2026-03-01", json=six_days).json()
    assert (early["version"]["id"], early["decisions"]["fee_percent"]) == ("2026-01", 50)
    response = client.post("/v1/decisions?as_of=2025-06-01", json=six_days)
    assert response.status_code == 422
    assert response.json()["errors"][0]["message"] == "no version of the rule set is in force on as_of 2025-06-01"
    status = client.get("/v1/status").json()
    assert [v["id"] for v in status["versions"]] == ["2026-01", "2026-07"]
    assert status["rule_set"]["files"] == 10
