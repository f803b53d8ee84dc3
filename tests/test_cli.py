"""The `vilkar` command through click's runner: output, formats and exit codes."""
from __future__ import annotations

import json

from click.testing import CliRunner

from conftest import ROOT
from evaluator.cli import main

SAMPLES = ROOT / "samples"


def run(*args: str, input: str | None = None, env: dict[str, str] | None = None):
    return CliRunner().invoke(main, list(args), input=input, env=env)


def test_eval_prints_each_decision():
    result = run("eval", str(SAMPLES / "cancellation-9-days-notice.yaml"))
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert "fee_percent  50%" in lines[2]  # values print one way: money with its currency, `none`, units
    assert "fee          USD 6,250.00" in result.output
    assert "refund       USD 6,250.00" in result.output


def test_eval_explain_says_why_with_the_clause_quoted():
    result = run("eval", "--explain", str(SAMPLES / "cancellation-9-days-notice.yaml"))
    assert result.exit_code == 0
    assert "fee_percent: 50% — notice is 6 to 13 days (9 days)." in result.output
    assert "2.6 Yderligere vilkår og betingelser – Annulleringspolitik: “Annulleringer, der foretages 6 til 13 dage " \
           "i forvejen, vil medføre en omkostning på 50 % af tjenesteomkostningerne.”" in result.output


def test_eval_explain_full_names_rule_and_clause():
    result = run("eval", "--explain=full", str(SAMPLES / "cancellation-9-days-notice.yaml"))
    assert result.exit_code == 0
    assert "rule `6..13 days -> 50%` — the tier" in result.output
    assert "cites 2.6 Yderligere vilkår og betingelser – Annulleringspolitik" in result.output
    assert "at policies/cancellation.vk:" in result.output


def test_eval_json_is_one_array_of_records():
    sample = str(SAMPLES / "cancellation-9-days-notice.yaml")
    result = run("eval", "--format", "json", sample)
    [payload] = json.loads(result.output)
    assert set(payload) - {"version"} == {"source", "kind", "decisions", "notes", "trace", "rule_set"}
    assert set(payload["rule_set"]) == {"path", "files", "sha256"}
    assert payload["source"] == sample and payload["kind"] == "cancellation"
    assert payload["decisions"] == {"notice_days": 9, "fee_percent": 50, "fee": "6250.00", "refund": "6250.00"}
    assert {entry["decision"] for entry in payload["trace"]} == set(payload["decisions"])
    assert all(entry["cites"] for entry in payload["trace"])


def test_eval_several_files_in_json_gives_a_list():
    result = run("eval", "--format", "json", str(SAMPLES / "cancellation-9-days-notice.yaml"),
                 str(SAMPLES / "cancellation-14-days-notice.json"))
    payload = json.loads(result.output)
    assert [entry["decisions"]["fee_percent"] for entry in payload] == [50, 0]


def test_good_and_bad_documents_give_records_in_input_order_as_json_and_jsonl(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"kind": "cancellation"}', encoding="utf-8")
    good = str(SAMPLES / "cancellation-9-days-notice.yaml")
    files = [good, str(bad), str(tmp_path / "missing.yaml"), good]
    as_json = run("eval", "--format", "json", *files)
    assert as_json.exit_code == 2
    records = json.loads(as_json.stdout)  # the whole of stdout is one JSON document
    assert [r["source"] for r in records] == files
    assert ["errors" in r for r in records] == [False, True, True, False]
    assert {e["pointer"] for e in records[1]["errors"]} >= {"/service", "/service_cost"}
    assert "cannot read" in records[2]["errors"][0]["message"]
    as_jsonl = run("eval", "--format", "jsonl", *files)
    assert [json.loads(line) for line in as_jsonl.stdout.splitlines()] == records
    assert as_jsonl.exit_code == 2


def test_no_documents_decided_is_still_one_json_array():
    result = run("eval", "--format", "json", "does-not-exist.yaml")
    assert result.exit_code == 2
    [record] = json.loads(result.stdout)
    assert record["source"] == "does-not-exist.yaml"


def test_quiet_prints_only_problems():
    good = str(SAMPLES / "cancellation-9-days-notice.yaml")
    assert run("eval", "--quiet", good).stdout == ""
    assert run("validate", "-q", good).stdout == ""
    bad = run("validate", "-q", "-", input='kind: incident\nseverity: 1\n')
    assert bad.exit_code == 1 and "write it in quotes" in bad.stderr


def test_eval_reads_stdin_json_and_yaml():
    document = {"kind": "proactive_request", "service": "Workshop", "submitted_on": "2027-05-01",
                "work_order_expires_on": "2027-06-30"}
    as_json = run("eval", "--format", "json", "-", input=json.dumps(document))
    assert json.loads(as_json.output)[0]["source"] == "-"
    assert json.loads(as_json.output)[0]["decisions"] == {"deadline": "2027-05-01", "in_time": True}
    as_yaml = run("eval", "-", input="kind: proactive_request\nservice: x\nsubmitted_on: 2027-05-02\n"
                                     "work_order_expires_on: 2027-06-30\n")
    assert as_yaml.exit_code == 0 and "in_time   false" in as_yaml.output


def test_invalid_yaml_request_reports_line_and_column_and_exits_2():
    text = ('kind: cancellation\nservice: Workshop\nservice_start: "2026-02-30"\ncancelled_on: "2026-02-01"\n'
            "service_cost: {amount: 100, currency: EUR}\n")
    result = run("eval", "-", input=text)
    assert result.exit_code == 2
    assert "-:3:16: /service_start: is not a date that exists" in result.output
    assert "-:5:39: /service_cost/currency: only USD is accepted" in result.output


def test_invalid_request_in_json_format_lists_pointers():
    document = {"kind": "cancellation", "service": "x", "service_start": "2026-12-10",
                "cancelled_on": "2026-12-01", "service_cost": {"amount": -1, "currency": "USD"}, "extra": 1}
    result = run("eval", "--format", "json", "-", input=json.dumps(document))
    assert result.exit_code == 2
    [payload] = json.loads(result.output)
    assert set(payload) == {"source", "errors", "rule_set"}
    assert {e["pointer"] for e in payload["errors"]} == {"/service_cost/amount", "/extra"}


def test_unreadable_inputs_exit_2():
    assert run("eval", "does-not-exist.yaml").exit_code == 2
    broken = run("eval", "-", input="kind: [unclosed\n")
    assert broken.exit_code == 2 and "not valid YAML" in broken.output
    assert run("eval", "-", input='{"kind": ').exit_code == 2
    assert run("eval", "-", input="- just\n- a list\n").exit_code == 2


def test_validate_reports_findings_with_exit_1_and_unreadable_files_with_exit_2():
    sample = str(SAMPLES / "incident-sev-b-friday-afternoon.yaml")
    ok = run("validate", sample)
    assert ok.exit_code == 0 and "valid incident request" in ok.output
    bad = run("validate", "-", input='kind: incident\nseverity: 1\n')
    assert bad.exit_code == 1
    assert "write it in quotes" in bad.output
    assert run("validate", sample, "does-not-exist.yaml").exit_code == 2
    records = json.loads(run("validate", "--format", "json", sample, "-", input='kind: incident\n').stdout)
    assert {k: v for k, v in records[0].items() if k != "rule_set"} == {"source": sample, "kind": "incident",
                                                                         "errors": []}
    assert records[1]["source"] == "-" and records[1]["errors"]
    lines = run("validate", "--format", "jsonl", sample, sample).stdout.splitlines()
    assert [json.loads(line)["errors"] for line in lines] == [[], []]


def test_schema_prints_the_kind_schema_and_suggests_names():
    result = run("schema", "cancellation")
    assert result.exit_code == 0
    assert json.loads(result.output)["properties"]["kind"]["const"] == "cancellation"
    wrong = run("schema", "cancelation")
    assert wrong.exit_code == 2 and "did you mean `cancellation`" in wrong.output


def test_policies_option_and_environment_point_at_another_rule_set(tmp_path):
    (tmp_path / "cancellation.vk").write_text(
        (ROOT / "policies" / "cancellation.vk").read_text(encoding="utf-8").replace(">= 14 days", ">= 21 days")
        .replace("6..13 days", "6..20 days"), encoding="utf-8")
    sample = str(SAMPLES / "cancellation-14-days-notice.json")
    assert "fee_percent  0" in run("eval", sample).output
    assert "fee_percent  50" in run("eval", "--policies", str(tmp_path), sample).output
    assert "fee_percent  50" in run("eval", sample, env={"VILKAR_POLICIES": str(tmp_path)}).output


def test_broken_policies_exit_2_with_diagnostics(tmp_path):
    (tmp_path / "bad.vk").write_text("kind cancellation\ndecision x = request.sevice_cost\n", encoding="utf-8")
    result = run("eval", "--policies", str(tmp_path), str(SAMPLES / "cancellation-9-days-notice.yaml"))
    assert result.exit_code == 2
    assert "bad.vk:2:14: VK102" in result.output
    assert "did you mean `service_cost`?" in result.output


def test_no_colour_when_not_a_terminal_or_no_color_set():
    result = run("eval", str(SAMPLES / "cancellation-9-days-notice.yaml"), env={"NO_COLOR": "1"})
    assert "\x1b[" not in result.output


def test_batch_records_name_their_source_line(tmp_path):
    document = {"kind": "proactive_request", "service": "Workshop", "submitted_on": "2027-05-01",
                "work_order_expires_on": "2027-06-30"}
    lines = tmp_path / "in.jsonl"
    lines.write_text(json.dumps(document) + "\n{not json\n", encoding="utf-8")
    result = run("eval", "--batch", "--workers", "1", str(lines))
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["source"] for r in records] == [f"{lines}:1", f"{lines}:2"]
    assert records[0]["notes"] == [] and records[1]["errors"][0]["line"] == 2
    assert result.exit_code == 2
