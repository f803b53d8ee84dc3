"""`vilkar serve --workers N`: forked workers that count together, log together and reload together."""
from __future__ import annotations

import http.client
import json
import os
import shutil
import signal
import subprocess
import time

import pytest

from conftest import ROOT
from evaluator.server.counters import SharedCounters
from test_serve_loopback import CANCELLATION, SAMPLES, VILKAR, Served

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="--workers needs fork()")


def test_counters_written_by_forked_workers_add_up_and_agree_on_kinds():
    counters = SharedCounters(3)
    plans = {1: ["incident", "cancellation", "incident"], 2: ["cancellation", "aed"], 3: []}
    children = []
    for worker, kinds in plans.items():
        pid = os.fork()
        if pid == 0:  # a worker: its own row, the kinds in its own order
            counters.use_row(worker - 1)
            counters.loaded("ab" * 32, 1000 + worker)
            for kind in kinds:
                counters.add("requests")
                counters.add("decisions")
                counters.add_kind(kind)
            counters.add("malformed")
            counters.reloaded("no such file" if worker == 2 else None)
            os._exit(0)
        children.append(pid)
    for pid in children:
        assert os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]) == 0
    assert counters.totals() == {"requests": 5, "decisions": 5, "invalid": 0, "malformed": 3, "too_large": 0,
                                 "batches": 0, "by_kind": {"aed": 1, "cancellation": 2, "incident": 2}}
    states = counters.states()
    assert [state.pid for state in states] == children
    assert [state.counters["by_kind"] for state in states] == [{"incident": 2, "cancellation": 1},
                                                               {"cancellation": 1, "aed": 1}, {}]
    assert [(state.reloads_ok, state.reloads_failed, state.last_error) for state in states] == [
        (1, 0, None), (0, 1, "no such file"), (1, 0, None)]


def test_a_long_reload_error_is_cut_short_not_spilled_into_the_next_row():
    counters = SharedCounters(2)
    counters.reloaded("é" * 5000)
    first, second = counters.states()
    assert first.last_error.endswith("…") and len(first.last_error.encode("utf-8")) <= 4096
    assert second.last_error is None and second.counters["requests"] == 0


def connection_requests(port: int, count: int, body: bytes) -> list[dict]:
    """`count` decisions, each on a connection of its own, so the kernel spreads them over the workers."""
    answers = []
    for _ in range(count):
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        try:
            connection.request("POST", "/v1/decisions", body=body, headers={"Content-Type": "application/json"})
            response = connection.getresponse()
            assert response.status == 200
            answers.append(json.loads(response.read()))
        finally:
            connection.close()
    return answers


@pytest.fixture
def policies(tmp_path):
    directory = tmp_path / "policies"
    shutil.copytree(ROOT / "policies", directory)
    return directory


def test_two_workers_share_the_port_the_counters_and_the_decision_log(tmp_path):
    log = tmp_path / "decisions.jsonl"
    served = Served("--workers", "2", "--decision-log", str(log))
    try:
        answers = connection_requests(served.port, 60, json.dumps(CANCELLATION).encode())
        for path in SAMPLES:
            assert served.request("POST", "/v1/decisions", path.read_bytes())[0] == 200
        status = served.request("GET", "/v1/status")[1]
    finally:
        code, errors = served.stop()
    assert code == 0, errors
    assert "Traceback" not in errors
    assert {answer["decisions"]["fee_percent"] for answer in answers} == {50}
    assert status["counters"]["requests"] == status["counters"]["decisions"] == 60 + len(SAMPLES)
    assert status["counters"]["by_kind"]["cancellation"] >= 60
    workers = status["workers"]
    assert [worker["worker"] for worker in workers] == [1, 2]
    assert len({worker["pid"] for worker in workers}) == 2
    assert all(worker["requests"] > 0 for worker in workers)  # 60 connections never all hash to one socket
    assert sum(worker["requests"] for worker in workers) == status["counters"]["requests"]
    lines = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
    assert len(lines) == 60 + len(SAMPLES)  # every line whole: two processes appended to one file
    assert {answer["decision_id"] for answer in answers} <= {line["decision_id"] for line in lines}


def test_sighup_reloads_every_worker_and_a_broken_rule_set_reaches_none(policies):
    served = Served("--workers", "2", "--policies", str(policies))
    policy = policies / "cancellation.vk"
    body = json.dumps(CANCELLATION).encode()
    try:
        old_sha = served.request("GET", "/v1/status")[1]["rule_set"]["sha256"]
        policy.write_text(policy.read_text(encoding="utf-8").replace("6..13 days -> 50%", "6..13 days -> 40%"),
                          encoding="utf-8")
        served.process.send_signal(signal.SIGHUP)
        status = served.wait_for(lambda status: status["reloads"]["ok"] == 1)  # ok once every worker has it
        assert {worker["sha256"] for worker in status["workers"]} == {status["rule_set"]["sha256"]} != {old_sha}
        assert {answer["decisions"]["fee_percent"] for answer in connection_requests(served.port, 20, body)} == {40}

        policy.write_text("kind cancellation\n  decision fee = = 1\n", encoding="utf-8")
        served.process.send_signal(signal.SIGHUP)
        status = served.wait_for(lambda status: status["reloads"]["failed"] == 1)
        assert "cancellation.vk:2" in status["reloads"]["last_error"]
        assert {answer["decisions"]["fee_percent"] for answer in connection_requests(served.port, 20, body)} == {40}
    finally:
        code, errors = served.stop()
    assert code == 0, errors
    assert errors.count("still serving the old one") == 1  # said once, by the parent, for every worker
    assert "reloaded rule set" in errors and "in 2 workers" in errors


def test_a_worker_that_dies_is_started_again_with_the_current_rule_set_and_its_counts_kept(policies):
    served = Served("--workers", "2", "--policies", str(policies))
    policy = policies / "cancellation.vk"
    body = json.dumps(CANCELLATION).encode()
    try:
        policy.write_text(policy.read_text(encoding="utf-8").replace("6..13 days -> 50%", "6..13 days -> 40%"),
                          encoding="utf-8")
        served.process.send_signal(signal.SIGHUP)
        before = served.wait_for(lambda status: status["reloads"]["ok"] == 1)
        connection_requests(served.port, 20, body)
        counted = served.request("GET", "/v1/status")[1]["counters"]["requests"]
        victim = before["workers"][1]["pid"]
        time.sleep(2.5)  # older than a worker that dies right after starting, which is not restarted
        os.kill(victim, signal.SIGKILL)  # what it had accepted is lost with it; the rest wait for its successor
        after = status_when(served, lambda status: status["workers"][1]["pid"] not in (victim, 0))
        assert after["counters"]["requests"] >= counted
        assert after["workers"][1]["sha256"] == before["workers"][0]["sha256"]
        assert {answer["decisions"]["fee_percent"] for answer in connection_requests(served.port, 20, body)} == {40}
    finally:
        code, errors = served.stop()
    assert code == 0, errors
    assert f"worker 2 (pid {victim}) exited with -9; starting it again" in errors


def status_when(served: Served, condition, seconds: float = 30) -> dict:
    """/v1/status once it meets the condition; a connection reset by a worker being killed is asked again."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            status = served.request("GET", "/v1/status")[1]
        except ConnectionError:
            continue
        if condition(status):
            return status
        time.sleep(0.05)
    raise AssertionError("the status never met the condition")


def test_a_second_service_on_a_port_with_workers_is_refused():
    served = Served("--workers", "2")
    try:
        completed = subprocess.run(VILKAR + ["serve", "--workers", "2", "--port", str(served.port)],
                                   capture_output=True, text=True, timeout=60, cwd=ROOT)
    finally:
        served.stop()
    assert completed.returncode == 2
    assert f"cannot listen on 127.0.0.1:{served.port}" in completed.stderr


def test_sigterm_stops_every_worker():
    served = Served("--workers", "2")
    pids = [worker["pid"] for worker in served.request("GET", "/v1/status")[1]["workers"]]
    code, errors = served.stop()
    assert code == 0, errors
    for pid in pids:
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)


def test_workers_is_a_documented_option():
    completed = subprocess.run(VILKAR + ["serve", "--help"], capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert "--workers" in completed.stdout
