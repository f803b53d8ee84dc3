"""`vilkar diff` as users run it: formats, exit codes, history versions, git revisions and --replay."""
from __future__ import annotations

import datetime as dt
import json
import random
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from evaluator import RequestError, load_policies
from evaluator.cli import main
from evaluator.result import json_value
from evaluator.tools.diff.replay import replay
from evaluator.tools.diff.search import as_of_for

ROOT = Path(__file__).resolve().parent.parent
HISTORY = ROOT / "tests" / "history"
OLD, NEW = str(HISTORY / "2026-01"), str(HISTORY / "2026-07")
VILKAR = [sys.executable, "-c", "from evaluator.cli import main; main()"]


def run(*arguments: str):
    # a small search budget: these tests are about the command, tests/diff/ about the search
    return CliRunner().invoke(main, ["diff", "--budget", "1500", *arguments])


def test_json_is_one_object_of_the_spec_shape_and_exit_1_when_decisions_differ():
    result = run(OLD, NEW, "--format", "json")
    assert result.exit_code == 1, result.output
    report = json.loads(result.output)
    assert set(report) == {"old", "new", "equivalent", "changes", "sampled"}
    assert set(report["old"]) >= {"path", "files", "sha256"} and report["equivalent"] is False
    change = next(c for c in report["changes"] if c["decision"] == "fee_percent")
    assert set(change) == {"kind", "decision", "witness", "old", "new", "where", "cites"}
    assert (change["old"], change["new"]) == (50, 100)
    assert set(change["cites"]) == {"old", "new"}
    assert any("opened_at" in note and "holiday" in note for note in report["sampled"])


def test_text_and_markdown_name_the_change_and_where_it_is():
    text = run(OLD, NEW).output
    assert "cancellation.fee_percent: 50 → 100" in text
    assert "tier `6..13 days` became `7..13 days`: at notice_days = 6 days fee_percent 50% → 100%" in text
    markdown = run(OLD, NEW, "--format", "markdown").output
    assert markdown.startswith("## vilkar diff") and "| cancellation | `fee_percent` | `50` | `100` |" in markdown
    assert "<details><summary>witness" in markdown


def test_the_same_rule_set_is_equivalent_with_exit_0():
    result = run(OLD, OLD)
    assert result.exit_code == 0 and "equivalent: no decision differs" in result.output


def test_versions_of_a_history_are_named_dir_at_id():
    result = run(f"{HISTORY}@2026-01", f"{HISTORY}@2026-07", "--format", "json")
    assert result.exit_code == 1
    assert {c["decision"] for c in json.loads(result.output)["changes"]} >= {"fee_percent", "first_response_minutes"}
    missing = run(f"{HISTORY}@1999-01", NEW)
    assert missing.exit_code == 2 and "has no version '1999-01'" in missing.output


def test_a_rule_set_that_does_not_load_is_exit_2(tmp_path):
    (tmp_path / "broken.vk").write_text("kind cancellation\ndecision x = \n", encoding="utf-8")
    result = run(OLD, str(tmp_path))
    assert result.exit_code == 2 and "nothing was compared" in result.output
    assert run(OLD, str(tmp_path / "nowhere")).exit_code == 2


def _git(cwd: Path, *arguments: str) -> None:
    subprocess.run(["git", *arguments], cwd=cwd, check=True, capture_output=True)


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_git_head_1_against_the_working_tree_in_a_fresh_clone(tmp_path):
    origin = tmp_path / "origin"
    (origin / "policies").mkdir(parents=True)
    for name in ("cancellation.vk", "version.vk"):
        shutil.copy(HISTORY / "2026-01" / name, origin / "policies")
    shutil.copytree(ROOT / "schemas", origin / "schemas")
    schema_file = origin / "schemas" / "cancellation.schema.json"
    schema = json.loads(schema_file.read_text(encoding="utf-8"))
    del schema["x-vilkar-event-date"]  # the first revision predates event dates
    schema_file.write_text(json.dumps(schema), encoding="utf-8")
    _git(origin, "init", "-q")
    _git(origin, "-c", "user.name=t", "-c", "user.email=t@t", "add", ".")
    _git(origin, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "first")
    shutil.copy(HISTORY / "2026-07" / "cancellation.vk", origin / "policies")
    shutil.copy(ROOT / "schemas" / "cancellation.schema.json", schema_file)
    _git(origin, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qam", "second")
    clone = tmp_path / "clone"
    _git(tmp_path, "clone", "-q", str(origin), str(clone))
    environment = {"PATH": "/usr/bin:/bin", "VILKAR_CACHE": "off", "PYTHONPATH": str(ROOT)}
    completed = subprocess.run(VILKAR + ["diff", "git:HEAD~1", "policies/", "--format", "json"], cwd=clone,
                               capture_output=True, text=True, env=environment)
    assert completed.returncode == 1, completed.stderr
    report = json.loads(completed.stdout)
    assert report["old"]["path"] == "git:HEAD~1"
    assert {c["decision"] for c in report["changes"]} == {"fee_percent", "fee", "refund"}
    same = subprocess.run(VILKAR + ["diff", "git:HEAD", "policies/"], cwd=clone, capture_output=True, text=True,
                          env=environment)
    assert same.returncode == 0, same.stdout + same.stderr


def _log(path: Path, count: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    with open(path, "w", encoding="utf-8") as handle:
        for number in range(count):
            start = dt.date(2026, 1, 1) + dt.timedelta(days=rng.randrange(0, 700))
            if number % 3:
                document = {"kind": "cancellation", "service": "Workshop", "service_start": start.isoformat(),
                            "cancelled_on": (start - dt.timedelta(days=rng.randrange(-3, 20))).isoformat(),
                            "service_cost": {"amount": rng.randrange(1, 90000), "currency": "USD"}}
            else:
                document = {"kind": "incident", "severity": rng.choice("1ABC"), "product": "Exchange Online",
                            "azure_component": rng.random() < 0.5, "cloud": "public", "offerings": [],
                            "opened_at": f"{start.isoformat()}T{rng.randrange(0, 24):02d}:15:00+01:00",
                            "location": {"country": "DK", "timezone": "Europe/Copenhagen"}, "language": "en",
                            "channel": "phone", "description": "down", "customer_24x7_resources": True,
                            "aem_event_active": False}
            handle.write(json.dumps(document) + "\n" if number % 97 else "not json\n")


def _brute_force(path: Path, old, new) -> dict[tuple[str, str], int]:
    counts: dict[tuple[str, str], int] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            document = json.loads(line)
            before = old.evaluate(document, as_of=as_of_for(old))
            after = new.evaluate(document, as_of=as_of_for(new))
        except (json.JSONDecodeError, RequestError):
            continue
        for name in before.decisions:
            a = json_value(before.value(name), before.type_of(name))
            b = json_value(after.value(name), after.type_of(name))
            if a != b:
                counts[(before.kind, name)] = counts.get((before.kind, name), 0) + 1
    return counts


@pytest.mark.parametrize("workers", [1, 2])
def test_replay_counts_equal_a_brute_force_comparison(tmp_path, workers):
    log = tmp_path / "requests.jsonl"
    _log(log, 3000)
    old, new = load_policies(OLD), load_policies(NEW)
    counted = replay(str(log), old, new, as_of_for(old), as_of_for(new), workers)
    assert counted.changed == _brute_force(log, old, new)
    assert counted.requests == 3000 and counted.rejected == len(range(0, 3000, 97))
    for key, examples in counted.examples.items():
        assert 1 <= len(examples) <= 5 and all(e["old"] != e["new"] for e in examples)


def test_replay_through_the_cli_adds_counts_to_every_format(tmp_path):
    log = tmp_path / "requests.jsonl"
    _log(log, 400)
    report = json.loads(run(OLD, NEW, "--replay", str(log), "--format", "json", "--workers", "1").output)
    decisions = {(d["kind"], d["decision"]): d for d in report["replay"]["decisions"]}
    assert decisions[("cancellation", "fee_percent")]["changed"] > 0
    assert "### Replay of" in run(OLD, NEW, "--replay", str(log), "--format", "markdown").output
    assert run(OLD, NEW, "--replay", str(tmp_path / "missing.jsonl")).exit_code == 2
