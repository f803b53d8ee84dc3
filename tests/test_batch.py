"""`vilkar eval --batch`: JSON Lines in input order, error records for bad lines, the same on any number of workers."""
from __future__ import annotations

import json

from click.testing import CliRunner

from evaluator import RequestError, Result, evaluate_many
from evaluator.cli import main

CANCELLATION = {"kind": "cancellation", "service": "Workshop", "service_start": "2026-12-10",
                "cancelled_on": "2026-12-01", "service_cost": {"amount": "12500.00", "currency": "USD"}}


def lines(count: int) -> str:
    out = []
    for index in range(count):
        document = dict(CANCELLATION, cancelled_on=f"2026-11-{1 + index % 28:02d}")
        out.append(json.dumps(document))
        if index == 3:
            out.append("{not json")
        if index == 5:
            out.append("")
        if index == 7:
            out.append(json.dumps({"kind": "cancellation", "service": "x"}))
    return "\n".join(out) + "\n"


def run(tmp_path, text: str, *options: str):
    path = tmp_path / "in.jsonl"
    path.write_text(text, encoding="utf-8")
    return CliRunner().invoke(main, ["eval", "--batch", str(path), *options])


def test_records_come_out_in_input_order_with_line_numbers(tmp_path):
    result = run(tmp_path, lines(12), "--workers", "1")
    records = [json.loads(line) for line in result.output.splitlines()]
    assert [r["line"] for r in records] == [1, 2, 3, 4, 5, 6, 7, 9, 10, 11, 12, 13, 14, 15]
    assert records[4]["error"].startswith("not valid JSON at column 2")
    assert records[9]["error"] == "invalid request"
    assert {e["pointer"] for e in records[9]["errors"]} >= {"/service_start", "/cancelled_on"}
    assert records[0]["decisions"] == {"notice_days": 39, "fee_percent": 0, "fee": "0.00", "refund": "12500.00"}
    assert "trace" not in records[0]
    assert result.exit_code == 2  # some lines were not valid requests


def test_several_workers_give_the_same_output(tmp_path, monkeypatch):
    import evaluator.batch as batch
    monkeypatch.setattr(batch, "CHUNK_BYTES", 300)  # many small chunks, so ordering is really exercised
    text = lines(200)
    one = run(tmp_path, text, "--workers", "1").output
    two = run(tmp_path, text, "--workers", "2").output
    assert one == two and len(one.splitlines()) == 202


def test_stdin_and_explain(tmp_path):
    document = json.dumps(CANCELLATION)
    result = CliRunner().invoke(main, ["eval", "--batch", "--explain", "-", "--workers", "1"],
                                input=document + "\n" + document + "\n")
    assert result.exit_code == 0
    records = [json.loads(line) for line in result.output.splitlines()]
    assert [r["line"] for r in records] == [1, 2]
    assert records[0]["trace"][0]["cites"].startswith("2.6")


def test_evaluate_many_yields_results_and_errors_in_order():
    outcomes = list(evaluate_many([CANCELLATION, {"kind": "cancellation"}, CANCELLATION]))
    assert [type(o) for o in outcomes] == [Result, RequestError, Result]
