"""`vilkar eval --batch`: JSON Lines in, JSON Lines out in input order, on several processes.

Work travels in chunks, and only a bounded number of chunks is in flight, so memory stays constant
however long the input is. From a file, a chunk is just a byte range that the worker reads itself;
from stdin or a compressed file (gzip, bzip2, xz, by suffix), the lines themselves travel. Every line
that is not a valid request — not UTF-8, not JSON, a number too long to read, a lone surrogate, a
truncated last line — gives an error record for that line, and the batch goes on. Records are
written only whole: an output that fails (a full disk, a closed pipe) or a SIGINT/SIGTERM stops the
batch with `BatchStopped`, which says how many records were written and the input line to resume from.
"""
from __future__ import annotations

import datetime as dt
import gc
import json
import multiprocessing
import os
import re
import signal
import threading
from collections import deque
from contextlib import contextmanager
from functools import partial
from typing import IO, Any, Callable, Iterator, Union

from .api import PolicySet, default_policies, load_policies
from .errors import RequestError
from .requests.documents import DocumentError, max_bytes, parse_line
from .result import RecordText

CHUNK_BYTES = 1 << 20
CHUNK_LINES = 512
IN_FLIGHT_PER_WORKER = 4

# A chunk of work: (first line number, lines) from a stream, (first line number, lines, source name) from
# a named stream, or (first line number, path, offset, size).
Task = Union[tuple[int, list[str]], tuple[int, list[str], str], tuple[int, str, int, int]]

# One encoder for every record: json.dumps with options builds a new one per call
_encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), check_circular=False).encode
# Bytes that are not UTF-8 come through `surrogateescape` as U+DC80..U+DCFF, which UTF-8 text never holds
_UNDECODABLE = re.compile("[\udc80-\udcff]")
EXIT_SIGNAL = {signal.SIGINT: 130, signal.SIGTERM: 143}


def task_lines(task: Task) -> tuple[int, list[str]]:
    """A chunk's first line number and its lines (read from the file for a byte range).

    Bytes that are not UTF-8 are kept as surrogate escapes, so that the line holding them is reported
    rather than silently changed."""
    if len(task) == 4:
        _, path, offset, size = task
        with open(path, "rb") as handle:
            handle.seek(offset)
            return task[0], handle.read(size).decode("utf-8", "surrogateescape").split("\n")
    return task[0], task[1]


def task_name(task: Task) -> str:
    """What a chunk's records name as their source: the file, the stream's name, or `-` for stdin."""
    return task[1] if len(task) == 4 else task[2] if len(task) == 3 else "-"


class Decider:
    """Turns the lines of a batch into its output records, for one rule set."""

    def __init__(self, policies: PolicySet, explain: bool = False, as_of: dt.date | None = None):
        # with `as_of`, the version in force that day decides every line (SPEC §8.7), as `vilkar eval --as-of`
        self.evaluate = policies.evaluate if as_of is None else partial(policies.evaluate, as_of=as_of)
        self.explain = explain
        self._fields = RecordText(_encode).fields
        self._sources: dict[str, str] = {}
        try:
            self.limit: int | None = max_bytes()
        except ValueError:  # a malformed VILKAR_MAX_DOCUMENT_BYTES: each line's record says so
            self.limit = None

    def record(self, number: int, line: str, name: str = "-") -> tuple[str, bool]:
        """One output record (JSON text) for one input line, and whether the line was decided."""
        try:
            if not line.isascii() and _UNDECODABLE.search(line):
                return _not_utf8(f"{name}:{number}", number, line), False
            result = self.evaluate(parse_line(line, self.limit))
        except DocumentError as error:
            source = f"{name}:{number}"  # SPEC §8.2: `file:LINE` in a batch
            problem = error.errors[0]
            if not problem.pointer:  # the line is no JSON at all
                column = problem.col or 1
                text = (f"not valid JSON at column {column}: {problem.message.removeprefix('not valid JSON: ')}"
                        if problem.message.startswith("not valid JSON") else problem.message)
                return _encode({"source": source, "line": number, "error": text, "errors": [
                    {"pointer": "", "message": text, "line": number, "col": column}]}), False
            return _invalid(source, number, error), False
        except RequestError as error:
            return _invalid(f"{name}:{number}", number, error), False
        except (RecursionError, ValueError, TypeError, ArithmeticError, LookupError) as error:
            # the library raises only RequestError; should it ever fail otherwise, one line is lost, not the batch
            text = f"vilkar could not decide this line ({type(error).__name__}: {error})"
            return _encode({"source": f"{name}:{number}", "line": number, "error": text,
                            "errors": [{"pointer": "", "message": text}]}), False
        # the text `_encode` makes of {"source": f"{name}:{number}", "line": number, **result.to_dict(...)}:
        # a name's escaped prefix is made once, and the result writes its own fields (tests/test_batch_records.py)
        source = self._sources.get(name)
        if source is None:
            source = self._source(name)
        return f'{{"source":{source}{number}","line":{number},{self._fields(result, self.explain)}}}', True

    def _source(self, name: str) -> str:
        """The JSON text of `"{name}:` (a record's source is the name, a colon and the line number)."""
        if len(self._sources) >= 64:  # a Decider serves a chunk or a worker: a few names, but never unbounded
            self._sources.clear()
        source = self._sources[name] = _encode(f"{name}:")[:-1]
        return source

    def lines(self, first: int, lines: list[str], name: str) -> tuple[list[str], int, int]:
        """The records of consecutive lines (a blank line has none but keeps its number), decided, rejected."""
        records: list[str] = []
        decided = 0
        record = self.record
        for number, line in enumerate(lines, first):
            if not line or line.isspace():
                continue
            text, ok = record(number, line, name)
            records.append(text)
            decided += ok
        return records, decided, len(records) - decided


def _invalid(source: str, number: int, error: RequestError) -> str:
    return _encode({"source": source, "line": number, "error": "invalid request",
                    "errors": [problem.to_dict() for problem in error.errors]})


def _not_utf8(source: str, number: int, line: str) -> str:
    at = _UNDECODABLE.search(line).start()
    column = len(line[:at].encode("utf-8", "surrogateescape")) + 1
    text = (f"not UTF-8 text at column {column} (byte 0x{ord(line[at]) - 0xDC00:02X} cannot start or continue "
            "a UTF-8 character)")
    return _encode({"source": source, "line": number, "error": text, "errors": [
        {"pointer": "", "message": text, "hint": "save it as UTF-8 (it may be Windows-1252 or Latin-1)",
         "line": number, "col": column}]})


def decide_line(policies: PolicySet, number: int, line: str, explain: bool = False,
                name: str = "-") -> tuple[str, bool]:
    """One output record (JSON text) for one input line, and whether the line was decided."""
    return Decider(policies, explain).record(number, line, name)


def decide_chunk(policies: PolicySet, task: Task, explain: bool,
                 as_of: dt.date | None = None) -> tuple[str, int, int]:
    """The output text of a chunk, and how many of its lines were decided and rejected."""
    first, lines = task_lines(task)
    records, decided, failed = Decider(policies, explain, as_of).lines(first, lines, task_name(task))
    return _joined(records), decided, failed


def _joined(records: list[str]) -> str:
    """Records one a line: one join, rather than a copy of every record with its line end and then the join."""
    records.append("")
    return "\n".join(records)


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


def stream_tasks(source: IO[str] | IO[bytes], name: str | None = None) -> Iterator[Task]:
    """Chunks of CHUNK_LINES lines of a stream (bytes are read as UTF-8, keeping what is not UTF-8); with
    `name`, each chunk names its source."""
    lines: list[str] = []
    first = 1
    for number, line in enumerate(source, 1):
        if not lines:
            first = number
        if isinstance(line, bytes):
            line = line.decode("utf-8", "surrogateescape")
        lines.append(line.rstrip("\n"))
        if len(lines) >= CHUNK_LINES:
            yield (first, lines) if name is None else (first, lines, name)
            lines = []
    if lines:
        yield (first, lines) if name is None else (first, lines, name)


COMPRESSION = {".gz": "gzip", ".bz2": "bz2", ".xz": "lzma"}  # by file suffix, as the Dask engine infers them


def is_compressed(path: str) -> bool:
    return os.path.splitext(path)[1].lower() in COMPRESSION


class CompressedTasks:
    """Chunks of a gzip, bzip2 or xz file, decompressed as they are read (such a file cannot be cut into byte
    ranges). A corrupt or truncated file ends the chunks after its last whole line, and `error` says why;
    `last_line` is the number of the last line read."""

    def __init__(self, path: str):
        self.path = path
        self.error: str | None = None
        self.last_line = 0

    def __iter__(self) -> Iterator[Task]:
        import bz2
        import gzip
        import lzma
        openers = {"gzip": gzip.open, "bz2": bz2.open, "lzma": lzma.open}
        opener = openers[COMPRESSION[os.path.splitext(self.path)[1].lower()]]
        try:
            handle = opener(self.path, "rb")
        except OSError as error:
            self.error = error.strerror or str(error)
            return
        with handle:
            lines = _WholeLines(handle)
            for task in stream_tasks(lines, self.path):
                self.last_line = task[0] + len(task[1]) - 1
                yield task
            self.error = lines.error


class _WholeLines:
    """The lines of a decompressing stream up to where it fails, if it does (then `error` says why): a line
    cut short by the failure is not passed on as if it were whole."""

    def __init__(self, handle: IO[bytes]):
        self.handle = handle
        self.error: str | None = None

    def __iter__(self) -> Iterator[bytes]:
        import lzma
        import zlib
        last = b""
        try:
            for line in self.handle:
                if line.endswith(b"\n"):
                    yield line
                else:
                    last = line  # only the end of the file has no line end
        except (OSError, EOFError, lzma.LZMAError, zlib.error) as error:
            self.error = str(error) or type(error).__name__
            return
        if last:
            yield last


# ---------------------------------------------------------------- worker processes

def map_tasks(tasks: Iterator[Task], work: Callable[[Task], Any], workers: int,
              initializer: Callable[..., None] | None = None, initargs: tuple = ()) -> Iterator[tuple[Task, Any]]:
    """`work(task)` for every chunk, in input order, on `workers` processes with a bounded number in flight.

    `work` must be a module-level function; `initializer(*initargs)` prepares each worker (other
    commands than `eval --batch`, such as `vilkar diff --replay`, bring their own). Workers ignore
    SIGINT and die quietly on SIGTERM: stopping is the parent's business, which ends the pool."""
    if workers <= 1:
        if initializer is not None:
            initializer(*initargs)
        # as in a forked worker, what is loaded is not scanned by every full collection the batch triggers
        # (20,000 lines of mixed kinds: one such collection, 38 ms, ~6 % of the batch)
        gc.freeze()
        try:
            for task in tasks:
                yield task, work(task)
        finally:
            gc.unfreeze()
        return
    _preload()
    context = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn")
    with _signals_blocked():  # a worker must not run the parent's handlers before it has set its own
        gc.freeze()  # what exists now is shared with the forked workers; collecting it would copy their pages
        try:
            pool = context.Pool(workers, initializer=_start_worker_process, initargs=(initializer, initargs))
        finally:
            gc.unfreeze()
    with pool:
        pending: deque = deque()
        for task in tasks:
            pending.append((task, pool.apply_async(work, (task,))))
            if len(pending) >= workers * IN_FLIGHT_PER_WORKER:
                done, result = pending.popleft()
                yield done, result.get()
        while pending:
            done, result = pending.popleft()
            yield done, result.get()


@contextmanager
def _signals_blocked() -> Iterator[None]:
    stoppers = {signal.SIGINT, signal.SIGTERM}
    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, stoppers)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def _start_worker_process(initializer: Callable[..., None] | None, initargs: tuple) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the whole process group: the parent answers it
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT, signal.SIGTERM})
    if initializer is not None:
        initializer(*initargs)


_decider: Decider | None = None


def _start_decider(policies: PolicySet | None, policies_dir: str | None, schemas_dir: str | None,
                   explain: bool, as_of: dt.date | None = None) -> None:
    """The rule set of this worker: the parent's when forked (or in the parent itself), else loaded again."""
    global _decider
    if policies is None:
        policies = load_policies(policies_dir, schemas=schemas_dir) if policies_dir else default_policies()
    _decider = Decider(policies, explain, as_of)


def _decide_task(task: Task) -> tuple[bytes, int, int]:
    first, lines = task_lines(task)
    records, decided, failed = _decider.lines(first, lines, task_name(task))
    return _joined(records).encode("utf-8"), decided, failed


# ---------------------------------------------------------------- writing, and stopping at a whole record

class BatchStopped(Exception):
    """The batch stopped before its end: the output failed, or a signal came; `records` were written whole."""

    def __init__(self, reason: str, exit_code: int, records: int, resume: int, partial: bool = False):
        super().__init__(reason)
        self.reason, self.exit_code, self.records, self.resume, self.partial = reason, exit_code, records, resume, partial


class _Signalled(Exception):
    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum


class _StopOnSignals:
    """While active, SIGINT and SIGTERM stop the batch in the main thread, but never in the middle of a write."""

    def __init__(self) -> None:
        self.holding = False
        self.pending: int | None = None
        self.previous: dict[int, Any] = {}

    def __enter__(self) -> _StopOnSignals:
        if threading.current_thread() is threading.main_thread():
            for signum in EXIT_SIGNAL:
                self.previous[signum] = signal.signal(signum, self._arrived)
        return self

    def __exit__(self, *exc: object) -> None:
        for signum, handler in self.previous.items():
            signal.signal(signum, handler)

    def _arrived(self, signum: int, frame: object) -> None:
        if self.holding:
            self.pending = signum
            return
        raise _Signalled(signum)

    @contextmanager
    def held(self) -> Iterator[None]:
        self.holding = True
        try:
            yield
        finally:
            self.holding = False
        if self.pending is not None:
            raise _Signalled(self.pending)


class _OutputFailed(Exception):
    def __init__(self, error: OSError, written: int):
        super().__init__(error)
        self.error, self.written = error, written


class _Output:
    """Where records go: a file descriptor, written with os.write so that a failed write tells how much got
    out, or else a text stream (a StringIO, a test runner's capture)."""

    def __init__(self, sink: IO[str]):
        self.sink = sink
        self.fd: int | None = None
        try:
            sink.flush()
            self.fd = sink.fileno()
        except (AttributeError, OSError, ValueError):
            self.fd = None

    def write(self, data: bytes) -> None:
        if self.fd is None:
            try:
                self.sink.write(data.decode("utf-8"))
                self.sink.flush()
            except OSError as error:
                raise _OutputFailed(error, 0) from None
            return
        view, written = memoryview(data), 0
        while written < len(data):
            try:
                written += os.write(self.fd, view[written:])
            except OSError as error:
                raise _OutputFailed(error, written) from None


def run_batch(tasks: Iterator[Task], sink: IO[str], policies_dir: str | None, workers: int, explain: bool = False,
              progress: Callable[[Task], None] | None = None, schemas_dir: str | os.PathLike[str] | None = None,
              policies: PolicySet | None = None, as_of: dt.date | None = None) -> tuple[int, int]:
    """Decide every chunk into `sink` in input order; returns (lines decided, lines rejected).

    `policies` is the rule set when the caller has it loaded (forked workers share it); otherwise it is
    loaded from `policies_dir`, or is the bundled one. Raises BatchStopped when the output fails or
    SIGINT/SIGTERM arrives, after the last whole record."""
    output = _Output(sink)
    decided = failed = records = 0
    last = current = b""  # the last chunk written whole (its last record tells where to resume), the one writing
    schemas = str(schemas_dir) if schemas_dir is not None else None
    if policies is None and (workers <= 1 or policies_dir is None):
        policies = load_policies(policies_dir, schemas=schemas) if policies_dir else default_policies()
    shared = policies if workers <= 1 or "fork" in multiprocessing.get_all_start_methods() else None
    with _StopOnSignals() as stopper:
        work = _decide_task
        if workers <= 1:
            def work(task: Task) -> tuple[bytes, int, int]:
                # deciding runs in this thread: a signal raised inside it could be caught by code that turns
                # any failure into an error record, and the batch would go on; it takes effect after the chunk
                with stopper.held():
                    return _decide_task(task)
        try:
            for task, (current, ok, bad) in map_tasks(tasks, work, workers, _start_decider,
                                                      (shared, policies_dir, schemas, explain, as_of)):
                with stopper.held():  # a signal during the write takes effect once the chunk is out and counted
                    output.write(current)
                    records += ok + bad  # a record for every line decided or rejected
                    decided, failed = decided + ok, failed + bad
                    if current:
                        last = current
                if progress is not None:
                    progress(task)
        except _Signalled as stop:
            name = signal.Signals(stop.signum).name
            raise BatchStopped(f"stopped by {name}", EXIT_SIGNAL[stop.signum], records, _after(last)) from None
        except _OutputFailed as failure:
            raise _output_stopped(failure, records, last, current) from None
    return decided, failed


def _output_stopped(failure: _OutputFailed, records: int, last: bytes, data: bytes) -> BatchStopped:
    """What a failed write leaves: the records of earlier chunks, and the whole ones of this chunk before the cut."""
    written = data[:failure.written]
    whole = written.count(b"\n")
    if whole:
        last = written[: written.rfind(b"\n") + 1]
    reason = failure.error.strerror or str(failure.error)
    if isinstance(failure.error, BrokenPipeError):
        _silence_stdout()
    return BatchStopped(f"cannot write the output ({reason})", 2, records + whole, _after(last),
                        partial=len(written) > (written.rfind(b"\n") + 1))


def _after(chunk: bytes) -> int:
    """The input line after the last record of a written chunk (1 when nothing was written)."""
    if not chunk:
        return 1
    start = chunk.rfind(b"\n", 0, len(chunk) - 1) + 1
    return json.loads(chunk[start:])["line"] + 1


def _silence_stdout() -> None:
    """After a closed pipe, the interpreter's own flush of stdout at exit must not complain again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
        os.close(devnull)
    except OSError:
        pass


def _preload() -> None:
    """Import, before forking, what deciding will need, so that no worker pays for it again."""
    import holidays  # noqa: F401

    from .requests import report  # noqa: F401


def default_workers() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
