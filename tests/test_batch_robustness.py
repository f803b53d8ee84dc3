"""A batch that loses nothing and says so (issue 15): every bad line is an error record and the batch goes
on; a failed output or a SIGINT/SIGTERM stops it after a whole record, saying how many were written and
where to resume. The signal tests run `vilkar eval --batch` as a real process, as users run it.
"""
from __future__ import annotations

import errno
import io
import json
import os
import signal
import subprocess
import sys
import time

import pytest
from click.testing import CliRunner

from conftest import ROOT
from evaluator import batch
from evaluator.api import default_policies
from evaluator.cli import main
from evaluator.requests.documents import parse_line, read_file

CANCELLATION = {"kind": "cancellation", "service": "Workshop", "service_start": "2026-12-10",
                "cancelled_on": "2026-12-01", "service_cost": {"amount": "12500.00", "currency": "USD"}}
GOOD = json.dumps(CANCELLATION).encode()
VILKAR = [sys.executable, "-c", "from evaluator.cli import main; main()"]
BAD = {  # what each malformed line must say, in its record's `error`
    b'{"kind": "cancellation", "service_cost": {"amount": ' + b"7" * 4301 + b', "currency": "USD"}}':
        "invalid request",
    b'{"kind": "cancellation", "service": "\\ud800"}': "invalid request",
    b'{"kind": "cancellation", "service": "Work\xed\xa0\x80shop"}': "not UTF-8 text at column 42 (byte 0xED",
    b'{"kind": "cancellation", "service": "\xff"}': "not UTF-8 text at column 38 (byte 0xFF",
    b"[" * 100_000: "it is nested too deeply to read",
    b'{"kind": "cancellation"} {"kind": "incident"}': "not valid JSON at column 25: there is more",
    b'{"kind": "cancellation", "service": NaN}': "invalid request",
    b'{"kind": "cancellation", "service_start": "2026-12-10", "service_start": "2026-12-11"}': "invalid request",
    b"\x00": "not valid JSON at column 1",
}
TRUNCATED = GOOD[:37]  # the last line of a file whose writer was cut off: no newline, half a document


def bad_input() -> bytes:
    lines = []
    for bad in BAD:
        lines += [GOOD, bad]
    return b"\n".join(lines + [GOOD, TRUNCATED])


@pytest.mark.parametrize("workers", ["1", "2"])
def test_every_malformed_line_is_an_error_record_and_the_batch_goes_on(tmp_path, monkeypatch, workers):
    monkeypatch.setattr(batch, "CHUNK_BYTES", 64)  # many chunks: the bad lines fall in different ones
    path = tmp_path / "in.jsonl"
    path.write_bytes(bad_input())
    result = CliRunner().invoke(main, ["eval", "--batch", str(path), "--workers", workers])
    records = [json.loads(line) for line in result.output.splitlines()]
    assert result.exit_code == 2  # some lines were not requests
    assert [record["line"] for record in records] == list(range(1, 2 * len(BAD) + 3))
    for record, expected in zip(records[1::2], BAD.values()):
        assert record["error"].startswith(expected), (record, expected)
        assert record["source"] == f"{path}:{record['line']}"
    assert all(record["decisions"]["fee"] == "6250.00" for record in records[0:-1:2])
    assert records[-1]["error"].startswith("not valid JSON at column 37: Unterminated string")


def test_a_line_that_is_not_utf8_says_so_as_a_request_file_would(tmp_path):
    (tmp_path / "one.json").write_bytes(b'{"kind": "cancellation", "service": "\xff"}')
    single = read_file(str(tmp_path / "one.json"))[0]
    (tmp_path / "in.jsonl").write_bytes(b'{"kind": "cancellation", "service": "\xff"}\n')
    record = json.loads(CliRunner().invoke(main, ["eval", "--batch", str(tmp_path / "in.jsonl")]).output)
    problem = record["errors"][0]
    assert (problem["line"], problem["col"]) == (single.errors[0].line, single.errors[0].col) == (1, 38)
    assert problem["hint"] == single.errors[0].hint and "0xFF" in problem["message"]


def test_stdin_that_is_not_utf8_gives_a_record_not_a_crash():
    result = CliRunner().invoke(main, ["eval", "--batch", "-", "--workers", "1"], input=GOOD + b"\n\xfe\n" + GOOD)
    records = [json.loads(line) for line in result.output.splitlines()]
    assert [r.get("error", "decided")[:26] for r in records] == ["decided", "not UTF-8 text at column 1", "decided"]


def test_batch_records_are_the_results_to_dict(tmp_path):
    """The batch's fast path writes what `Result.to_dict` says, for every sample, with and without --explain."""
    lines = [json.dumps(json.loads(path.read_text(encoding="utf-8"))) for path in sorted((ROOT / "samples").glob("*.json"))]
    path = tmp_path / "samples.jsonl"
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    policies = default_policies()
    for explain in (False, True):
        options = ["--explain"] if explain else []
        output = CliRunner().invoke(main, ["eval", "--batch", str(path), "--workers", "1", *options]).output
        assert len(output.splitlines()) == len(lines) > 10
        for number, (record, line) in enumerate(zip(output.splitlines(), lines), 1):
            expected = {"source": f"{path}:{number}", "line": number,
                        **policies.evaluate(parse_line(line)).to_dict(trace=explain, explain=explain)}
            assert record == json.dumps(expected, ensure_ascii=False, separators=(",", ":"))


class FailingAfter:
    """An output whose file descriptor takes `room` bytes, then fails as a full disk does."""

    def __init__(self, room: int):
        self.room, self.got = room, b""

    def write(self, fd: int, data) -> int:
        if not self.room:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        taken = bytes(data[: min(self.room, 100)])  # short writes, as pipes and disks do
        self.room -= len(taken)
        self.got += taken
        return len(taken)


@pytest.mark.parametrize("room", [0, 1, 250, 5000, 12345])
def test_a_failed_write_counts_the_whole_records_and_names_the_line_to_resume(tmp_path, monkeypatch, room):
    monkeypatch.setattr(batch, "CHUNK_BYTES", 2000)
    path = tmp_path / "in.jsonl"
    path.write_bytes(b"\n".join([GOOD, b"", b"{oops"] * 60) + b"\n")
    failing = FailingAfter(room)
    monkeypatch.setattr(batch.os, "write", failing.write)
    sink = open(os.devnull, "w")
    with pytest.raises(batch.BatchStopped) as stopped:
        batch.run_batch(batch.file_tasks(str(path)), sink, None, 1)
    written = failing.got.split(b"\n")
    whole = [json.loads(line) for line in written[:-1]]
    assert stopped.value.exit_code == 2 and "No space left on device" in stopped.value.reason
    assert stopped.value.records == len(whole)
    assert stopped.value.resume == (whole[-1]["line"] + 1 if whole else 1)
    assert stopped.value.partial == (written[-1] != b"")


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="no /dev/full on this system")
def test_writing_to_a_full_disk_exits_2_with_one_line_saying_how_far_it_got(tmp_path):
    path = tmp_path / "in.jsonl"
    path.write_bytes(b"\n".join([GOOD] * 50) + b"\n")
    with open("/dev/full", "w") as full:
        done = subprocess.run(VILKAR + ["eval", "--batch", str(path), "--workers", "1"],
                              stdout=full, stderr=subprocess.PIPE, text=True, cwd=ROOT, timeout=120)
    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        "vilkar eval --batch: cannot write the output (No space left on device): 0 records written; "
        f"resume from line 1 of {path}"]


def test_a_closed_pipe_stops_the_batch_with_exit_2_and_no_traceback(tmp_path):
    path = tmp_path / "in.jsonl"
    path.write_bytes(b"\n".join([GOOD] * 3000) + b"\n")
    process = subprocess.Popen(VILKAR + ["eval", "--batch", str(path), "--workers", "1"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT)
    first = process.stdout.readline()
    process.stdout.close()  # the reader goes away, as `| head -1` does
    stderr = process.stderr.read().decode()
    assert process.wait(timeout=120) == 2
    assert json.loads(first)["line"] == 1
    assert len(stderr.splitlines()) == 1 and "Traceback" not in stderr
    assert "cannot write the output (Broken pipe)" in stderr and "records written" in stderr


@pytest.mark.parametrize("signum, workers", [(signal.SIGTERM, "2"), (signal.SIGINT, "2"), (signal.SIGTERM, "1")])
def test_a_signal_mid_batch_leaves_only_whole_records_and_says_where_to_resume(tmp_path, signum, workers):
    path = tmp_path / "in.jsonl"
    with path.open("wb") as handle:
        for _ in range(10_000):
            handle.write(b"\n".join([GOOD, b"{oops", b""] * 10) + b"\n")  # 300,000 lines: far longer than the wait
    out = tmp_path / "out.jsonl"
    with out.open("wb") as sink:
        process = subprocess.Popen(VILKAR + ["eval", "--batch", str(path),
                                    "--workers", workers], stdout=sink, stderr=subprocess.PIPE, cwd=ROOT)
        deadline = time.monotonic() + 120
        while out.stat().st_size == 0 and time.monotonic() < deadline and process.poll() is None:
            time.sleep(0.05)
        process.send_signal(signum)
        stderr = process.stderr.read().decode()
        code = process.wait(timeout=120)
    assert code == {signal.SIGINT: 130, signal.SIGTERM: 143}[signum]
    data = out.read_bytes()
    assert data.endswith(b"\n")  # only whole records
    records = [json.loads(line) for line in data.splitlines()]
    assert 0 < len(records) < 200_000
    assert [r["line"] for r in records[:3]] == [1, 2, 4]
    name = signal.Signals(signum).name
    assert stderr.splitlines() == [f"vilkar eval --batch: stopped by {name}: {len(records):,} records written; "
                                   f"resume from line {records[-1]['line'] + 1:,} of {path}"]


def test_run_batch_into_a_text_stream_still_works():
    sink = io.StringIO()
    decided, failed = batch.run_batch(iter([(1, [GOOD.decode(), "", "{oops"])]), sink, None, 1)
    assert (decided, failed) == (1, 1)
    assert [json.loads(line)["line"] for line in sink.getvalue().splitlines()] == [1, 3]


def test_a_signal_while_one_worker_decides_is_not_lost_in_the_deciding(monkeypatch):
    # with one worker the chunks are decided in the main thread, where the signal handler runs: a signal
    # must take effect after the chunk, not inside code that could catch it and carry on
    deciding = batch._decide_task
    signalled = []

    def decide_and_be_signalled(task):
        if not signalled:
            signalled.append(True)
            try:
                os.kill(os.getpid(), signal.SIGTERM)
                time.sleep(0.05)  # the handler runs here
            except Exception:  # what a broad handler in deciding would do
                pass
        return deciding(task)

    monkeypatch.setattr(batch, "_decide_task", decide_and_be_signalled)
    chunks = iter([(1, [GOOD.decode()]), (2, [GOOD.decode()]), (3, [GOOD.decode()])])
    with pytest.raises(batch.BatchStopped) as stopped:
        batch.run_batch(chunks, io.StringIO(), None, 1)
    assert (stopped.value.exit_code, stopped.value.records, stopped.value.resume) == (143, 0, 1)
