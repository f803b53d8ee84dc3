"""`vilkar eval --batch --engine dask` on a LocalCluster (2 workers, 1 thread each): the local batch's records.

The requests are generated from every sample of every kind (benchmarks/generate_requests.py), with bad
lines among them; the shards, concatenated in order, must be byte for byte the local batch's output.
`VILKAR_DASK_REQUESTS` sets how many (default 3,000; the README's example runs 100,000).
"""
from __future__ import annotations

import bz2
import datetime as dt
import gzip
import io
import json
import lzma
import os
import shutil
import sys

import pytest
from click.testing import CliRunner
from distributed import Client, LocalCluster

from conftest import ROOT
from evaluator import dask_batch, load_policies
from evaluator.api import default_policies
from evaluator import batch
from evaluator.batch import file_tasks, run_batch
from evaluator.cli import main

sys.path.insert(0, str(ROOT / "benchmarks"))
from generate_requests import request_lines, write  # noqa: E402

COUNT = int(os.environ.get("VILKAR_DASK_REQUESTS", "3000"))


@pytest.fixture(scope="module")
def cluster():
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        yield cluster


@pytest.fixture(scope="module")
def client(cluster):
    with Client(cluster) as client:
        yield client


def local_batch(paths) -> bytes:
    """What `vilkar eval --batch FILE...` prints for these (uncompressed) files, one worker."""
    import io
    sink = io.StringIO()
    for path in paths:
        run_batch(file_tasks(str(path)), sink, None, 1)
    return sink.getvalue().encode("utf-8")


def without_sources(records: bytes) -> list[dict]:
    found = [json.loads(line) for line in records.splitlines()]
    for record in found:
        record["source"] = record["source"].rsplit(":", 1)[1]  # the line number stays
    return found


def shards(out) -> bytes:
    return b"".join(path.read_bytes() for path in sorted(out.glob("part-*.jsonl")))


def test_every_record_is_the_local_batch_record_byte_for_byte(tmp_path, client):
    lines = request_lines(COUNT)
    plain = write(lines, tmp_path / "plain", 5, compress=False)
    out = tmp_path / "out"
    result = dask_batch.run(client, [str(tmp_path / "plain" / "*.jsonl")], str(out), default_policies())
    expected = local_batch(plain)
    assert shards(out) == expected
    assert [shard.index for shard in result] == [0, 1, 2, 3, 4]
    assert [path.name for path in sorted(out.iterdir())] == [f"part-0000{n}.jsonl" for n in range(5)]
    records = [json.loads(line) for line in expected.decode().splitlines()]
    assert sum(shard.decided for shard in result) == sum("decisions" in r for r in records) > COUNT * 0.5
    assert sum(shard.failed for shard in result) == sum("error" in r for r in records) > 0
    kinds = {r["kind"] for r in records if "kind" in r}
    assert len(kinds) == len(load_policies().kinds)  # every kind is in the generated log


def test_compressed_inputs_and_several_patterns_give_the_same_records(tmp_path, client):
    lines = request_lines(1200)
    plain = write(lines, tmp_path / "plain", 3, compress=False)
    (tmp_path / "gz").mkdir()
    (tmp_path / "bz").mkdir()
    (tmp_path / "gz" / "a.jsonl.gz").write_bytes(gzip.compress(plain[0].read_bytes()))
    (tmp_path / "gz" / "b.jsonl.gz").write_bytes(gzip.compress(plain[1].read_bytes()))
    (tmp_path / "bz" / "c.jsonl.bz2").write_bytes(bz2.compress(plain[2].read_bytes()))
    out = tmp_path / "out"
    patterns = [str(tmp_path / "gz" / "*.jsonl.gz"), f"file://{tmp_path / 'bz' / 'c.jsonl.bz2'}"]
    result = dask_batch.run(client, patterns, str(out), default_policies())
    assert without_sources(shards(out)) == without_sources(local_batch(plain))  # sources name the files read
    assert [shard.source.rsplit("/", 1)[1] for shard in result] == ["a.jsonl.gz", "b.jsonl.gz", "c.jsonl.bz2"]


def test_the_local_batch_reads_compressed_files_and_as_of_as_dask_does(tmp_path, client):
    lines = request_lines(600)
    plain = write(lines, tmp_path / "plain", 2, compress=False)
    (tmp_path / "in").mkdir()
    packed = [tmp_path / "in" / "a.jsonl.gz", tmp_path / "in" / "b.jsonl.xz"]
    packed[0].write_bytes(gzip.compress(plain[0].read_bytes()))
    packed[1].write_bytes(lzma.compress(plain[1].read_bytes()))
    policies = default_policies()
    for as_of in (None, dt.date(2026, 7, 15)):
        out = tmp_path / f"out-{as_of}"
        dask_batch.run(client, [str(path) for path in packed], str(out), policies, as_of=as_of)
        local = io.StringIO()
        for path in packed:
            run_batch(batch.CompressedTasks(str(path)), local, None, 2, policies=policies, as_of=as_of)
        assert shards(out) == local.getvalue().encode("utf-8")  # the records name the compressed files alike
        assert f'"source":"{packed[1]}:1"'.encode() in shards(out)


def test_windows_line_ends_blank_lines_and_bad_bytes_number_lines_as_locally(tmp_path, client):
    path = tmp_path / "odd.jsonl"
    good = request_lines(3)[0]
    path.write_bytes(good + b"\r\n\r\n" + good + b"\n\xff\xfe\n\n" + b'{"kind": "x"}' + b"\n" + good)
    out = tmp_path / "out"
    dask_batch.run(client, [str(path)], str(out), default_policies())
    assert shards(out) == local_batch([path])
    assert [json.loads(line)["line"] for line in shards(out).splitlines()] == [1, 3, 4, 6, 7]


def test_workers_compile_each_rule_set_once_from_its_text(tmp_path, client):
    directory = tmp_path / "policies"
    shutil.copytree(ROOT / "policies", directory)
    policy = directory / "cancellation.vk"
    policy.write_text(policy.read_text(encoding="utf-8").replace("6..13 days -> 50%", "6..13 days -> 30%"),
                      encoding="utf-8")
    changed = load_policies(directory)
    shutil.rmtree(directory)  # the workers never see the directory: only the text travels
    document = {"kind": "cancellation", "service": "Workshop", "service_start": "2026-12-10",
                "cancelled_on": "2026-12-01", "service_cost": {"amount": "12500.00", "currency": "USD"}}
    source = tmp_path / "in.jsonl"
    source.write_text("\n".join(json.dumps(document) for _ in range(50)) + "\n", encoding="utf-8")
    for run in range(2):
        dask_batch.run(client, [str(source)], str(tmp_path / f"changed-{run}"), changed)
    dask_batch.run(client, [str(source)], str(tmp_path / "bundled"), default_policies())
    fee = {json.loads(line)["decisions"]["fee_percent"] for line in (tmp_path / "changed-1" / "part-00000.jsonl")
           .read_text().splitlines()}
    assert fee == {30}
    assert json.loads((tmp_path / "bundled" / "part-00000.jsonl").read_text().splitlines()[0])[
        "decisions"]["fee_percent"] == 50
    compiled = client.run(lambda: sorted(dask_batch._compiled))
    expected = sorted({dask_batch.RuleSetText.of(changed).sha256, dask_batch.RuleSetText.of(default_policies()).sha256})
    for hashes in compiled.values():
        assert set(hashes) <= set(expected)  # a worker that ran no task of a rule set did not compile it
    assert {sha for hashes in compiled.values() for sha in hashes} == set(expected)


def test_a_history_is_decided_on_the_workers_by_the_version_in_force_as_locally(tmp_path, client):
    history = load_policies(ROOT / "tests" / "history", schemas=ROOT / "schemas")
    cancellation = {"kind": "cancellation", "service": "Workshop", "service_cost": {"amount": "1000.00", "currency": "USD"}}
    lines = [dict(cancellation, service_start=f"2026-{month:02d}-10", cancelled_on=f"2026-{month:02d}-0{day}")
             for month in range(1, 13) for day in (1, 5, 8)]
    source = tmp_path / "in.jsonl"
    source.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    out = tmp_path / "out"
    dask_batch.run(client, [str(source)], str(out), history)
    local = io.StringIO()
    run_batch(file_tasks(str(source)), local, None, 1, policies=history)
    assert shards(out) == local.getvalue().encode("utf-8")
    versions = {json.loads(line)["version"]["id"] for line in local.getvalue().splitlines()}
    assert versions == {version.version.id for version in history.history.versions}  # both versions decided
    travelling = dask_batch.RuleSetText.of(history)
    assert len(travelling.versions) == len(history.history.versions)


def test_what_travels_to_the_workers_is_text():
    rule_set = dask_batch.RuleSetText.of(default_policies())
    assert all(isinstance(name, str) and isinstance(text, str) for name, text in rule_set.sources)
    assert isinstance(rule_set.schemas_json, str)
    assert len(rule_set.sha256) == 64


def cli(*arguments: str):
    return CliRunner().invoke(main, ["eval", "--batch", *arguments])


def test_the_cli_runs_on_a_scheduler_and_exits_as_the_local_batch_does(tmp_path, cluster):
    plain = write(request_lines(600), tmp_path / "in", 2, compress=True)
    result = cli(str(tmp_path / "in" / "*.jsonl.gz"), "--engine", "dask", "--scheduler", cluster.scheduler_address,
                 "--out", str(tmp_path / "out"))
    assert result.exit_code == 2  # bad lines were rejected, as the local batch exits
    assert "in 2 shard(s)" in result.output
    assert len(list((tmp_path / "out").glob("part-*.jsonl"))) == len(plain)
    good = tmp_path / "good.jsonl"
    good.write_bytes(request_lines(5)[0] + b"\n")
    result = cli(str(good), "--engine", "dask", "--scheduler", cluster.scheduler_address, "--out",
                 str(tmp_path / "good"))
    assert result.exit_code == 0, result.output
    assert "1 decided, 0 rejected" in result.output


@pytest.mark.parametrize("arguments, words", [
    (["--engine", "dask", "x.jsonl"], "give --out DIR"),
    (["--out", "o", "x.jsonl"], "--scheduler and --out are options of --engine dask"),
    (["--engine", "dask", "--out", "o", "-"], "not stdin"),
])
def test_options_that_do_not_fit_together_are_usage_errors(arguments, words):
    result = cli(*arguments)
    assert result.exit_code == 2
    assert words in result.output


def test_no_matching_file_and_a_used_output_directory_are_refused(tmp_path):
    result = cli(str(tmp_path / "none-*.jsonl"), "--engine", "dask", "--out", str(tmp_path / "out"))
    assert result.exit_code == 2
    assert "no input files match" in result.output
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "part-00000.jsonl").write_text("", encoding="utf-8")
    (tmp_path / "in.jsonl").write_text("{}\n", encoding="utf-8")
    result = cli(str(tmp_path / "in.jsonl"), "--engine", "dask", "--out", str(tmp_path / "out"))
    assert result.exit_code == 2
    assert "already holds part-*.jsonl shards" in result.output


def test_audit_on_dask_gives_the_local_report(tmp_path, client):
    from generate_tickets import CRAFTED, year_of_tickets

    from evaluator.audit.engine import audit_dask, audit_local
    from evaluator.audit.report import build_report

    tickets = [json.dumps(t) for t in year_of_tickets(600, seed=3)] + [json.dumps(c[0]) for c in CRAFTED] + ["{"]
    (tmp_path / "t").mkdir()
    (tmp_path / "t" / "a.jsonl").write_text("\n".join(tickets[:300]) + "\n", encoding="utf-8")
    (tmp_path / "t" / "b.jsonl.gz").write_bytes(gzip.compress(("\n".join(tickets[300:]) + "\n").encode()))
    identity = {"path": "bundled", "files": 0, "sha256": "0" * 64}
    on_dask = audit_dask(client, [str(tmp_path / "t" / "*")], default_policies())
    with open(tmp_path / "t" / "a.jsonl", encoding="utf-8") as a, gzip.open(tmp_path / "t" / "b.jsonl.gz", "rt") as b:
        local = audit_local(default_policies(), [("a", a), ("b", b)])

    def without_file(records):
        return [{key: value for key, value in record.items() if key != "file"} for record in records]

    assert without_file(on_dask) == without_file(local)
    assert build_report(without_file(on_dask), identity) == build_report(without_file(local), identity)
    assert [record["file"].rsplit("/", 1)[1] for record in on_dask][::300] == ["a.jsonl", "b.jsonl.gz", "b.jsonl.gz"]


def test_audit_cli_on_a_scheduler(tmp_path, cluster):
    from generate_tickets import CRAFTED

    path = tmp_path / "tickets.jsonl"
    path.write_text("\n".join(json.dumps(c[0]) for c in CRAFTED) + "\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["audit", "--engine", "dask", "--scheduler", cluster.scheduler_address,
                                       "--format", "json", str(path)])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["summary"]["naive_misjudged"] == len(CRAFTED)


def test_a_relative_pattern_gives_the_records_the_shell_expanded_batch_gives(tmp_path, cluster, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(request_lines(1200), tmp_path / "data", 2, compress=False)  # with two bad lines
    names = sorted(f"data/{path.name}" for path in (tmp_path / "data").iterdir())
    local = CliRunner().invoke(main, ["eval", "--batch", *names, "--workers", "1"])
    result = cli("data/*.jsonl", "--engine", "dask", "--scheduler", cluster.scheduler_address, "--out", "out")
    assert result.exit_code == local.exit_code == 2
    assert shards(tmp_path / "out") == local.stdout.encode("utf-8")
    assert json.loads(local.stdout.splitlines()[0])["source"] == "data/requests-000.jsonl:1"
