"""Contract versions: the `version` line, histories whose windows tile, and as-of evaluation."""
from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from evaluator import PolicyError, RequestError, evaluate, load_policies
from evaluator.cli import main
from evaluator.language.parser import parse_module
from evaluator.language.source import Source
from evaluator.tools.fmt import format_source
from evaluator.versions import holidays_version

ROOT = Path(__file__).resolve().parent.parent
HISTORY = ROOT / "tests" / "history"


def cancellation(cancelled_on: str, notice: int = 6) -> dict:
    start = dt.date.fromisoformat(cancelled_on) + dt.timedelta(days=notice)
    return {"kind": "cancellation", "service": "Workshop", "service_start": start.isoformat(),
            "cancelled_on": cancelled_on, "service_cost": {"amount": 1000, "currency": "USD"}}


def incident(opened_at: str) -> dict:
    return {"kind": "incident", "severity": "A", "product": "Exchange Online", "azure_component": False,
            "cloud": "public", "offerings": [], "opened_at": opened_at,
            "location": {"country": "DK", "timezone": "Europe/Copenhagen"}, "language": "en", "channel": "phone",
            "description": "mail is down", "customer_24x7_resources": True, "aem_event_active": False}


@pytest.fixture(scope="module")
def history():
    return load_policies(HISTORY)


# ---------------------------------------------------------------- the language


def test_a_version_line_parses_and_formats_canonically():
    text = 'version   "2026-07"  effective 2026-07-01   until 2027-01-01\n'
    module = parse_module(Source.of("v.vk", text))
    declaration = module.items[0]
    assert (declaration.id, declaration.effective, declaration.until) == ("2026-07", "2026-07-01", "2027-01-01")
    assert format_source(Source.of("v.vk", text)) == 'version "2026-07" effective 2026-07-01 until 2027-01-01\n'


def test_version_is_still_a_name_a_decision_may_use():
    module = parse_module(Source.of("v.vk", "kind cancellation\ndecision version = request.cancelled_on\n"))
    assert module.items[1].names == ("version",)


def _rule_set(tmp_path: Path, name: str, *lines: str) -> Path:
    directory = tmp_path / name
    directory.mkdir(parents=True)
    shutil.copy(ROOT / "policies" / "cancellation.vk", directory)
    (directory / "version.vk").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return directory


@pytest.mark.parametrize("lines, code, words", [
    (['version "a" effective 2026-01-01', 'version "b" effective 2026-02-01'], "VK150", "declares its version twice"),
    (['version "a" effective 2026-03-01 until 2026-03-01'], "VK151", "ends (2026-03-01) before it starts"),
    (['version "a" effective 2026-02-30'], "VK151", "2026-02-30 is not a date"),
])
def test_a_broken_version_line_is_a_policy_error(tmp_path, lines, code, words):
    with pytest.raises(PolicyError) as caught:
        load_policies(_rule_set(tmp_path, "set", *lines))
    assert [d.code for d in caught.value.diagnostics] == [code]
    assert words in caught.value.diagnostics[0].message
    assert "version.vk:" in str(caught.value)


@pytest.mark.parametrize("windows, code, words", [
    ([("a", "2026-01-01", "2026-08-01"), ("b", "2026-07-01", None)], "VK152", "both in force on 2026-07-01"),
    ([("a", "2026-01-01", None), ("b", "2026-07-01", None)], "VK152", "both in force on 2026-07-01"),
    ([("a", "2026-01-01", "2026-06-01"), ("b", "2026-07-01", None)], "VK153",
     "no version is in force from 2026-06-01 to 2026-06-30"),
    ([("a", "2026-01-01", "2026-07-01"), ("a", "2026-07-01", None)], "VK155", 'two versions are called "a"'),
])
def test_the_checker_proves_a_historys_windows_tile(tmp_path, windows, code, words):
    for index, (version_id, effective, until) in enumerate(windows):
        line = f'version "{version_id}" effective {effective}' + (f" until {until}" if until else "")
        _rule_set(tmp_path / "history", f"v{index}", line)
    with pytest.raises(PolicyError) as caught:
        load_policies(tmp_path / "history")
    assert [d.code for d in caught.value.diagnostics] == [code]
    assert words in caught.value.diagnostics[0].message


def test_every_version_of_a_history_declares_itself(tmp_path):
    _rule_set(tmp_path / "history", "v1", 'version "a" effective 2026-01-01 until 2026-07-01')
    (tmp_path / "history" / "v2").mkdir()
    shutil.copy(ROOT / "policies" / "cancellation.vk", tmp_path / "history" / "v2")
    with pytest.raises(PolicyError) as caught:
        load_policies(tmp_path / "history")
    assert [d.code for d in caught.value.diagnostics] == ["VK154"]


def test_a_schema_without_an_event_date_is_a_policy_error(tmp_path):
    schemas = tmp_path / "schemas"
    shutil.copytree(ROOT / "schemas", schemas)
    schema = json.loads((schemas / "cancellation.schema.json").read_text(encoding="utf-8"))
    del schema["x-vilkar-event-date"]
    (schemas / "cancellation.schema.json").write_text(json.dumps(schema), encoding="utf-8")
    with pytest.raises(PolicyError) as caught:
        load_policies(ROOT / "policies" / "cancellation.vk", schemas=schemas)
    assert [d.code for d in caught.value.diagnostics] == ["VK156"]
    assert "x-vilkar-event-date" in caught.value.diagnostics[0].hint


def test_every_schema_names_its_event_date():
    """New kinds must say which date picks the contract version: a date or timestamp field, or null."""
    for path in sorted((ROOT / "schemas").glob("*.schema.json")):
        schema = json.loads(path.read_text(encoding="utf-8"))
        assert "x-vilkar-event-date" in schema, path.name
        field = schema["x-vilkar-event-date"]
        if field is not None:
            definition = schema["properties"][field]
            if "$ref" in definition:
                definition = schema["$defs"][definition["$ref"].split("/")[-1]]
            assert definition.get("format") in ("date", "date-time"), path.name


# ---------------------------------------------------------------- as-of evaluation


@pytest.mark.parametrize("day, version, fee_percent", [
    ("2026-01-01", "2026-01", 50), ("2026-01-02", "2026-01", 50),
    ("2026-06-30", "2026-01", 50), ("2026-07-01", "2026-07", 100), ("2026-07-02", "2026-07", 100),
])
def test_the_version_in_force_on_the_event_date_decides(history, day, version, fee_percent):
    result = history.evaluate(cancellation(day))
    assert result.version.id == version
    assert result.decisions["fee_percent"] == fee_percent  # 2026-07 moved the 50 % tier to 7..13 days


def test_a_request_before_every_window_names_the_nearest_version(history):
    with pytest.raises(RequestError) as caught:
        history.evaluate(cancellation("2025-12-31"))
    problem = caught.value.errors[0]
    assert problem.pointer == "/cancelled_on" and problem.value == "2025-12-31"
    assert '"2026-01" (in force from 2026-01-01, until 2026-07-01 (exclusive))' in problem.hint


@pytest.mark.parametrize("opened_at, minutes", [
    ("2026-06-30T23:59:59+02:00", 60), ("2026-07-01T00:00:00+02:00", 45), ("2026-07-01T10:00:00+02:00", 45),
    # the local date as written decides: 23:30 at UTC-01:00 is still 30 June there
    ("2026-06-30T23:30:00-01:00", 60),
])
def test_a_timestamp_picks_the_version_by_its_local_date(history, opened_at, minutes):
    assert history.evaluate(incident(opened_at)).decisions["first_response_minutes"] == minutes


@pytest.mark.parametrize("as_of, version", [
    ("2026-06-30", "2026-01"), ("2026-07-01", "2026-07"), (dt.date(2026, 7, 2), "2026-07"),
    (dt.datetime(2026, 6, 30, 12, 0), "2026-01"),
])
def test_as_of_overrides_the_event_date(history, as_of, version):
    assert history.evaluate(cancellation("2026-03-01"), as_of=as_of).version.id == version


def test_as_of_outside_every_window_and_a_malformed_as_of_are_request_errors(history):
    with pytest.raises(RequestError) as caught:
        history.evaluate(cancellation("2026-03-01"), as_of="2025-01-01")
    assert caught.value.errors[0].pointer == "" and "as_of" in caught.value.errors[0].message
    with pytest.raises(RequestError):
        history.evaluate(cancellation("2026-03-01"), as_of="soon")


def test_an_invalid_request_is_reported_as_such_whatever_its_date(history):
    document = cancellation("2020-01-01")
    del document["service"]
    with pytest.raises(RequestError) as caught:
        history.evaluate(document)
    assert [e.pointer for e in caught.value.errors] == ["/service"]
    with pytest.raises(RequestError) as caught:
        history.evaluate(dict(cancellation("2026-03-01"), cancelled_on="2026-02-30"))
    assert [e.pointer for e in caught.value.errors] == ["/cancelled_on"]


def test_results_carry_their_version_with_its_identity(history):
    result = history.evaluate(cancellation("2026-03-01"))
    version = result.to_dict()["version"]
    assert version["id"] == "2026-01" and version["effective"] == "2026-01-01" and version["until"] == "2026-07-01"
    assert len(version["sha256"]) == 64 and version["holidays"] == holidays_version()
    later = history.evaluate(cancellation("2026-08-01")).to_dict()["version"]
    assert later["until"] is None and later["sha256"] != version["sha256"]


def test_the_shipped_rule_set_is_version_2026_01_and_decides_every_date_it_always_did():
    result = evaluate(cancellation("2026-01-01"))
    version = result.to_dict()["version"]
    assert version["id"] == "2026-01" and version["effective"] == "1970-01-01" and version["until"] is None
    # compatibility (SPEC §9): a request dated before 2026 still decides, by the same version
    early = evaluate(cancellation("2025-12-31"))
    assert early.version.id == "2026-01" and early.decisions["fee_percent"] == 50


def test_the_identity_does_not_depend_on_the_working_directory(monkeypatch, tmp_path):
    first = load_policies(ROOT / "policies").version.sha256
    monkeypatch.chdir(tmp_path)
    assert load_policies(ROOT / "policies").version.sha256 == first


def test_a_kind_without_an_event_date_is_decided_by_the_version_in_force_today(history):
    lookup = {"kind": "service_lookup", "service": "workshops"}
    assert evaluate(lookup).version.id == "2026-01"
    today = dt.date.today()
    expected = "2026-07" if today >= dt.date(2026, 7, 1) else "2026-01"
    assert history.history.at(today).version.id == expected


def test_the_cli_evaluates_with_a_history_and_as_of():
    runner = CliRunner()
    sample = str(ROOT / "samples" / "cancellation-9-days-notice.yaml")
    result = runner.invoke(main, ["eval", "--policies", str(HISTORY), "--format", "json", sample])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)[0]["version"]["id"] in ("2026-01", "2026-07")  # one array (SPEC §8.2)
    result = runner.invoke(main, ["eval", "--policies", str(HISTORY), "--as-of", "2025-06-01", sample])
    assert result.exit_code == 2 and "no version of the rule set is in force" in result.output


def test_vilkar_version_names_the_holiday_data():
    result = CliRunner().invoke(main, ["--version"])
    assert result.exit_code == 0 and f"holidays {holidays_version()}" in result.output


def test_lint_checks_each_version_of_a_history_and_that_the_windows_tile(tmp_path):
    runner = CliRunner()
    assert runner.invoke(main, ["lint", str(HISTORY)]).exit_code == 0
    history = tmp_path / "history"
    shutil.copytree(HISTORY, history)
    (history / "2026-07" / "version.vk").write_text('version "2026-07" effective 2026-08-01\n', encoding="utf-8")
    result = runner.invoke(main, ["lint", str(history)])
    assert result.exit_code == 1 and "VK153" in result.output and "2026-07-01 to 2026-07-31" in result.output
