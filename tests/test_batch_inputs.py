"""What the local batch reads as the Dask engine does: gzip, bzip2 and xz files by suffix, and `--as-of`.

A compressed file gives the records its plain copy gives, naming the compressed file; a truncated one
gives the records of its whole lines and stops with exit 2 and one line saying how many were written
and where to resume. `--as-of DATE` decides every line with the version in force that day.
"""
from __future__ import annotations

import bz2
import gzip
import json
import lzma

import pytest
from click.testing import CliRunner

from conftest import ROOT
from evaluator import batch
from evaluator.cli import main

HISTORY = ROOT / "tests" / "history"


def cancellation(day: str, cost: int = 12500) -> str:
    return json.dumps({"kind": "cancellation", "service": "Workshop", "service_start": "2026-12-10",
                       "cancelled_on": day, "service_cost": {"amount": f"{cost}.00", "currency": "USD"}})


def lines(count: int) -> bytes:
    found = [cancellation(f"2026-0{1 + index % 9}-1{index % 10}", 1000 + index) for index in range(count)]
    found[3] = "{not json"
    found[7] = ""  # a blank line keeps its number and gives no record
    return ("\n".join(found) + "\n").encode()


def run(*arguments: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["eval", "--batch", *arguments])
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize("suffix, compress", [(".gz", gzip.compress), (".bz2", bz2.compress), (".xz", lzma.compress)])
@pytest.mark.parametrize("workers", ["1", "2"])
def test_a_compressed_file_gives_the_records_of_its_plain_copy(tmp_path, monkeypatch, suffix, compress, workers):
    monkeypatch.setattr(batch, "CHUNK_LINES", 16)  # several chunks
    data = lines(100)
    plain, packed = tmp_path / "in.jsonl", tmp_path / f"in.jsonl{suffix}"
    plain.write_bytes(data)
    packed.write_bytes(compress(data))
    code, expected, _ = run(str(plain), "--workers", workers)
    assert code == 2  # line 4 is not JSON
    code, found, _ = run(str(packed), "--workers", workers)
    assert code == 2
    assert found == expected.replace(f"{plain}:", f"{packed}:")
    assert len(found.splitlines()) == 99 and f'"source":"{packed}:4"' in found


def test_a_truncated_file_gives_its_whole_lines_and_says_where_to_resume(tmp_path):
    packed = gzip.compress(lines(3000))
    path = tmp_path / "cut.jsonl.gz"
    path.write_bytes(packed[: len(packed) // 2])
    code, found, said = run(str(path))
    records = [json.loads(line) for line in found.splitlines()]
    assert code == 2
    numbers = [record["line"] for record in records]
    assert numbers == [n for n in range(1, len(numbers) + 2) if n != 8]  # every line up to the cut, in order
    assert len(records) > 100
    assert said.count("\n") == 1 and said.startswith(f"vilkar eval --batch: cannot read {path} (")
    assert f"{len(records):,} records written; resume from line {numbers[-1] + 1:,} of {path}" in said


def test_a_file_that_is_not_what_its_suffix_says_is_said_so(tmp_path):
    path = tmp_path / "in.jsonl.gz"
    path.write_bytes(lines(10))
    code, found, said = run(str(path))
    assert (code, found) == (2, "")
    assert said == f"vilkar eval --batch: cannot read {path} (Not a gzipped file (b'{{\"')): 0 records written; " \
                   f"resume from line 1 of {path}\n"


@pytest.mark.parametrize("workers", ["1", "2"])
def test_as_of_decides_every_line_with_the_version_in_force_that_day(tmp_path, workers):
    path = tmp_path / "in.jsonl"
    path.write_text(cancellation("2026-03-01") + "\n" + cancellation("2026-08-01") + "\n", encoding="utf-8")
    by_event = [json.loads(line)["version"]["id"] for line in
                run(str(path), "--policies", str(HISTORY), "--workers", workers)[1].splitlines()]
    assert by_event == ["2026-01", "2026-07"]
    code, found, _ = run(str(path), "--policies", str(HISTORY), "--as-of", "2026-07-15", "--workers", workers)
    assert code == 0 and [json.loads(line)["version"]["id"] for line in found.splitlines()] == ["2026-07"] * 2
    code, found, _ = run(str(path), "--policies", str(HISTORY), "--as-of", "2025-06-01", "--workers", workers)
    records = [json.loads(line) for line in found.splitlines()]
    assert code == 2 and all("no version of the rule set is in force" in record["errors"][0]["message"]
                             for record in records) and len(records) == 2


def test_a_malformed_as_of_is_refused_once_before_the_batch(tmp_path):
    path = tmp_path / "in.jsonl"
    path.write_text(cancellation("2026-03-01") + "\n", encoding="utf-8")
    code, found, said = run(str(path), "--as-of", "soon")
    assert code == 2 and found == "" and "'soon' is not a date: give YYYY-MM-DD" in said
