"""Generated JSON Lines request logs for batch tests and benchmarks: every sample of every kind, shifted in time.

    python benchmarks/generate_requests.py COUNT DIR [--files N] [--gzip]

Line i is sample i mod n (samples/*.json and *.yaml) with all of its dates and timestamps moved by the
same number of days, so each kind's dates stay in the relations the sample shows. About one line in
500 is bad on purpose: not JSON, not a valid request, blank, or not UTF-8; the records say so.
"""
from __future__ import annotations

import argparse
import datetime as dt
import gzip
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from evaluator.requests.documents import read_document  # noqa: E402

_DATE = re.compile(r'"(\d{4}-\d{2}-\d{2})')
BAD = [b"{not json", b'{"kind": "cancellation", "service": 7}', b"", b'{"kind": "incident", "product": "\xff\xfe"}',
       b"[1, 2, 3]", b'{"kind": "cancellation", "kind": "incident"}']


def templates() -> list[str]:
    """Every sample request as one compact JSON line."""
    lines = []
    for path in sorted((ROOT / "samples").glob("*.json")) + sorted((ROOT / "samples").glob("*.yaml")):
        document = read_document(path.name, path.read_text(encoding="utf-8")).data
        lines.append(json.dumps(document, ensure_ascii=False, separators=(",", ":"), default=str))
    return lines


def shifted(line: str, days: int) -> str:
    def move(found: re.Match) -> str:
        return '"' + (dt.date.fromisoformat(found.group(1)) + dt.timedelta(days=days)).isoformat()

    return _DATE.sub(move, line)


def request_lines(count: int) -> list[bytes]:
    """`count` lines of JSON Lines, deterministic."""
    base = templates()
    lines = []
    for index in range(count):
        if index % 499 == 498:
            lines.append(BAD[(index // 499) % len(BAD)])
        else:
            lines.append(shifted(base[index % len(base)], (index * 7) % 400 - 200).encode("utf-8"))
    return lines


def write(lines: list[bytes], directory: Path, files: int, compress: bool) -> list[Path]:
    """The lines split into `files` files of consecutive lines, `part-K.jsonl` or `.jsonl.gz`."""
    directory.mkdir(parents=True, exist_ok=True)
    per_file = -(-len(lines) // files)
    written = []
    for number in range(files):
        chunk = b"".join(line + b"\n" for line in lines[number * per_file:(number + 1) * per_file])
        path = directory / f"requests-{number:03d}.jsonl{'.gz' if compress else ''}"
        path.write_bytes(gzip.compress(chunk, mtime=0) if compress else chunk)
        written.append(path)
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("count", type=int)
    parser.add_argument("directory", type=Path)
    parser.add_argument("--files", type=int, default=8)
    parser.add_argument("--gzip", action="store_true")
    arguments = parser.parse_args()
    for path in write(request_lines(arguments.count), arguments.directory, arguments.files, arguments.gzip):
        print(path)


if __name__ == "__main__":
    main()
