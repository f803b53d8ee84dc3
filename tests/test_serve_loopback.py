"""`vilkar serve` as users run it: a real process on loopback, SIGHUP reloads, SIGTERM stops it cleanly."""
from __future__ import annotations

import http.client
import json
import re
import shutil
import signal
import subprocess
import sys
import time

import pytest
from click.testing import CliRunner

from conftest import ROOT
from evaluator.cli import main

SAMPLES = sorted((ROOT / "samples").glob("*.json"))
VILKAR = [sys.executable, "-c", "from evaluator.cli import main; main()"]
CANCELLATION = {"kind": "cancellation", "service": "Workshop", "service_start": "2026-12-10",
                "cancelled_on": "2026-12-01", "service_cost": {"amount": "12500.00", "currency": "USD"}}


class Served:
    """A `vilkar serve --port 0` process and the port it reports."""

    def __init__(self, *options: str):
        self.process = subprocess.Popen(VILKAR + ["serve", "--port", "0", *options],
                                        stderr=subprocess.PIPE, text=True, cwd=ROOT)
        line = self.process.stderr.readline()
        found = re.search(r"http://127\.0\.0\.1:(\d+)", line)
        assert found, line + self.process.stderr.read()
        self.port = int(found.group(1))

    def request(self, method: str, path: str, body: bytes | None = None) -> tuple[int, object]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            connection.request(method, path, body=body, headers={"Content-Type": "application/json"})
            response = connection.getresponse()
            return response.status, json.loads(response.read())
        finally:
            connection.close()

    def wait_for(self, condition, seconds: float = 30) -> dict:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            status = self.request("GET", "/v1/status")[1]
            if condition(status):
                return status
            time.sleep(0.05)
        raise AssertionError(f"status never changed: {status}")

    def stop(self) -> tuple[int, str]:
        self.process.send_signal(signal.SIGTERM)
        code = self.process.wait(30)
        return code, self.process.stderr.read()


@pytest.fixture
def policies(tmp_path):
    directory = tmp_path / "policies"
    shutil.copytree(ROOT / "policies", directory)
    return directory


def test_samples_over_loopback_get_the_decisions_vilkar_eval_gives(tmp_path):
    log = tmp_path / "decisions.jsonl"
    served = Served("--decision-log", str(log))
    try:
        for path in SAMPLES:
            status, body = served.request("POST", "/v1/decisions", path.read_bytes())
            [expected] = json.loads(CliRunner().invoke(main, ["eval", "--format", "json", str(path)]).output)
            assert status == 200, (path, body)
            assert body["decisions"] == expected["decisions"], path
        assert served.request("GET", "/health") == (200, {"status": "ok"})
    finally:
        code, errors = served.stop()
    assert code == 0, errors
    assert "Traceback" not in errors
    assert len(log.read_text(encoding="utf-8").splitlines()) == len(SAMPLES)


def test_sighup_swaps_in_a_new_rule_set_and_keeps_the_old_one_when_the_new_one_is_broken(policies):
    served = Served("--policies", str(policies))
    policy = policies / "cancellation.vk"
    body = json.dumps(CANCELLATION).encode()
    try:
        assert served.request("POST", "/v1/decisions", body)[1]["decisions"]["fee_percent"] == 50
        policy.write_text(policy.read_text(encoding="utf-8").replace("6..13 days -> 50%", "6..13 days -> 40%"),
                          encoding="utf-8")
        served.process.send_signal(signal.SIGHUP)
        served.wait_for(lambda status: status["reloads"]["ok"] == 1)
        assert served.request("POST", "/v1/decisions", body)[1]["decisions"]["fee_percent"] == 40

        policy.write_text("kind cancellation\n  decision fee = = 1\n", encoding="utf-8")
        served.process.send_signal(signal.SIGHUP)
        status = served.wait_for(lambda status: status["reloads"]["failed"] == 1)
        assert "cancellation.vk:2" in status["reloads"]["last_error"]
        assert served.request("POST", "/v1/decisions", body)[1]["decisions"]["fee_percent"] == 40
    finally:
        code, errors = served.stop()
    assert code == 0
    assert "still serving the old one" in errors


def test_a_rule_set_that_does_not_load_is_not_served(policies):
    (policies / "cancellation.vk").write_text("kind cancellation\n  decision = \n", encoding="utf-8")
    completed = subprocess.run(VILKAR + ["serve", "--port", "0", "--policies",
                                str(policies)], capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert completed.returncode == 2
    assert "not serving" in completed.stderr
    assert "Traceback" not in completed.stderr


def test_a_port_in_use_is_a_clear_error():
    served = Served()
    try:
        completed = subprocess.run(VILKAR + ["serve", "--port", str(served.port)],
                                   capture_output=True, text=True, timeout=60, cwd=ROOT)
    finally:
        served.stop()
    assert completed.returncode == 2
    assert f"cannot listen on 127.0.0.1:{served.port}" in completed.stderr



def test_schemas_are_found_like_every_command_finds_them(tmp_path):
    schemas = tmp_path / "schemas"
    shutil.copytree(ROOT / "schemas", schemas)
    served = Served("--schemas", str(schemas))
    try:
        status, body = served.request("POST", "/v1/decisions", json.dumps(CANCELLATION).encode())
        assert status == 200
        assert served.request("GET", "/openapi.json")[1]["components"]["schemas"]["cancellation"]["title"]
    finally:
        served.stop()
