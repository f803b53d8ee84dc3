"""`vilkar eval --batch`: JSON Lines in, JSON Lines out in input order, on several processes.

Work travels in chunks, and only a bounded number of chunks is in flight, so memory stays constant
however long the input is. From a file, a chunk is just a byte range that the worker reads itself;
from stdin, the lines themselves travel. A line that is not valid JSON, or not a valid request, gives
an error record for that line and the batch goes on.
"""
from __future__ import annotations

import json
import multiprocessing
import os
from collections import deque
from typing import IO, Any, Callable, Iterator, Union

from .api import PolicySet, default_policies, load_policies
from .errors import RequestError
from .requests.documents import DocumentError, parse_line

CHUNK_BYTES = 1 << 20
CHUNK_LINES = 512
IN_FLIGHT_PER_WORKER = 4

# A chunk of work: (first line number, lines) from a stream, (first line number, lines, source name) from
# a named stream, or (first line number, path, offset, size).
Task = Union[tuple[int, list[str]], tuple[int, list[str], str], tuple[int, str, int, int]]

_worker_policies: PolicySet | None = None


def decide_line(policies: PolicySet, number: int, line: str, explain: bool = False,
                name: str = "-") -> tuple[str, bool]:
    """One output record (JSON text) for one input line, and whether the line was decided."""
    source = f"{name}:{number}"  # SPEC §8.2: `file:LINE` in a batch
    try:
        document = parse_line(line)
        result = policies.evaluate(document)
    except DocumentError as error:
        problem = error.errors[0]
        if not problem.pointer:  # the line is no JSON at all
            column = problem.col or 1
            text = (f"not valid JSON at column {column}: {problem.message.removeprefix('not valid JSON: ')}"
                    if problem.message.startswith("not valid JSON") else problem.message)
            return _record({"source": source, "line": number, "error": text,
                            "errors": [{"pointer": "", "message": text, "line": number, "col": column}]}), False
        return _record({"source": source, "line": number, "error": "invalid request",
                        "errors": [problem.to_dict() for problem in error.errors]}), False
    except RequestError as error:
        return _record({"source": source, "line": number, "error": "invalid request",
                        "errors": [problem.to_dict() for problem in error.errors]}), False
    return _record({"source": source, "line": number, **result.to_dict(trace=explain, explain=explain)}), True


def _record(value: dict[str, Any]) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def decide_chunk(policies: PolicySet, task: Task, explain: bool) -> tuple[str, int, int]:
    """The output text of a chunk, and how many of its lines were decided and rejected."""
    first, name = task[0], "-"
    if len(task) == 4:
        _, path, offset, size = task
        name = path
        with open(path, "rb") as handle:
            handle.seek(offset)
            lines = handle.read(size).decode("utf-8", errors="replace").split("\n")
    else:
        lines = task[1]
        name = task[2] if len(task) == 3 else name
    output, decided, failed = [], 0, 0
    for number, line in enumerate(lines, first):
        if not line.strip():
            continue  # a blank line is no request; it still counts for the numbering
        text, ok = decide_line(policies, number, line, explain, name)
        output.append(text)
        decided += ok
        failed += not ok
    return "".join(text + "\n" for text in output), decided, failed


def task_lines(task: Task) -> tuple[int, list[str]]:
    """A chunk's first line number and its lines (read from the file for a byte range)."""
    if len(task) == 4:
        _, path, offset, size = task
        with open(path, "rb") as handle:
            handle.seek(offset)
            return task[0], handle.read(size).decode("utf-8", errors="replace").split("\n")
    return task[0], task[1]


def map_tasks(tasks: Iterator[Task], work: Callable[[Task], Any], workers: int,
              initializer: Callable[..., None] | None = None, initargs: tuple = ()) -> Iterator[tuple[Task, Any]]:
    """`work(task)` for every chunk, in input order, on `workers` processes with a bounded number in flight.

    `work` must be a module-level function; `initializer(*initargs)` prepares each worker (other
    commands than `eval --batch`, such as `vilkar diff --replay`, bring their own)."""
    if workers <= 1:
        if initializer is not None:
            initializer(*initargs)
        for task in tasks:
            yield task, work(task)
        return
    _preload()
    context = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn")
    with context.Pool(workers, initializer=initializer, initargs=initargs) as pool:
        pending: deque = deque()
        for task in tasks:
            pending.append((task, pool.apply_async(work, (task,))))
            if len(pending) >= workers * IN_FLIGHT_PER_WORKER:
                done, result = pending.popleft()
                yield done, result.get()
        while pending:
            done, result = pending.popleft()
            yield done, result.get()


def file_tasks(path: str) -> Iterator[tuple[int, str, int, int]]:
    """Byte ranges of whole lines, about CHUNK_BYTES each, with the number of each range's first line."""
    offset, line = 0, 1
    with open(path, "rb") as handle:
        while True:
            block = handle.read(CHUNK_BYTES)
            if not block:
                return
            rest = handle.readline()  # finish the line the block cut
            block += rest
            yield line, path, offset, len(block) - (1 if block.endswith(b"\n") else 0)
            offset += len(block)
            line += block.count(b"\n")


def stream_tasks(source: IO[str]) -> Iterator[tuple[int, list[str]]]:
    lines: list[str] = []
    first = 1
    for number, line in enumerate(source, 1):
        if not lines:
            first = number
        lines.append(line.rstrip("\n"))
        if len(lines) >= CHUNK_LINES:
            yield first, lines
            lines = []
    if lines:
        yield first, lines


def _worker_chunk(arguments: tuple[Task, bool]) -> tuple[str, int, int]:
    task, explain = arguments
    return decide_chunk(_worker_policies or default_policies(), task, explain)


def _start_worker(policies_dir: str | None, schemas_dir: str | None = None) -> None:
    global _worker_policies
    _worker_policies = load_policies(policies_dir, schemas=schemas_dir) if policies_dir else default_policies()


def run_batch(tasks: Iterator[Task], sink: IO[str], policies_dir: str | None, workers: int, explain: bool = False,
              progress: Callable[[Task], None] | None = None, schemas_dir: str | os.PathLike[str] | None = None,
              ) -> tuple[int, int]:
    """Decide every chunk into `sink` in input order; returns (lines decided, lines rejected)."""
    decided = failed = 0

    def write(task: Task, outcome: tuple[str, int, int]) -> None:
        nonlocal decided, failed
        sink.write(outcome[0])
        decided += outcome[1]
        failed += outcome[2]
        if progress is not None:
            progress(task)

    if workers <= 1:
        policies = load_policies(policies_dir, schemas=schemas_dir) if policies_dir else default_policies()
        for task in tasks:
            write(task, decide_chunk(policies, task, explain))
        return decided, failed
    if policies_dir is None:
        default_policies()  # loaded once here, inherited by forked workers
    _preload()
    context = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn")
    with context.Pool(workers, initializer=_start_worker, initargs=(policies_dir, schemas_dir)) as pool:
        pending: deque = deque()
        for task in tasks:
            pending.append((task, pool.apply_async(_worker_chunk, ((task, explain),))))
            if len(pending) >= workers * IN_FLIGHT_PER_WORKER:
                done, result = pending.popleft()
                write(done, result.get())
        while pending:
            done, result = pending.popleft()
            write(done, result.get())
    return decided, failed


def _preload() -> None:
    """Import, before forking, what deciding will need, so that no worker pays for it again."""
    import holidays  # noqa: F401

    from .requests import report  # noqa: F401


def default_workers() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
