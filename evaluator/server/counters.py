"""The service's counters in memory that every worker process shares, so /v1/status counts the whole service.

`vilkar serve --workers N` forks N processes from one parent; a request reaches any one of them, and
so does a request for /v1/status. Each worker therefore writes its own row of an anonymous shared
mapping made before the fork (one writer per row, so adding needs no lock) and any worker sums all
rows to answer. Kinds are counted by a slot number that the workers agree on through a small table of
kind names, taken under a lock only the first time a worker meets a kind. A worker that is replaced
after a crash writes on in its predecessor's row, so nothing counted is lost. With one process it is
the same table with one row.
"""
from __future__ import annotations

import mmap
import multiprocessing
import os
import threading
import time
from dataclasses import dataclass
from typing import Any

FIELDS = ("requests", "decisions", "invalid", "malformed", "too_large", "batches")
_STATE = ("pid", "reloads_ok", "reloads_failed", "reload_at_ms", "loaded_at_ms", "error_bytes")
MAX_KINDS = 256
_NAME_BYTES = 64
_ERROR_BYTES = 4096  # the last reload error of a worker, cut short beyond this
_SHA_BYTES = 32


@dataclass(frozen=True)
class WorkerState:
    """What one worker last reported about itself."""

    worker: int
    pid: int
    counters: dict[str, int]
    sha256: str
    loaded_at_ms: int
    reloads_ok: int
    reloads_failed: int
    reload_at_ms: int
    last_error: str | None


class SharedCounters:
    """Rows of counters, one per worker, in memory shared across fork."""

    def __init__(self, workers: int = 1):
        self.workers = workers
        self._row_words = len(FIELDS) + len(_STATE) + MAX_KINDS + _SHA_BYTES // 8 + _ERROR_BYTES // 8
        header_words = 1 + MAX_KINDS * _NAME_BYTES // 8  # the number of kinds named, then their names
        self._memory = mmap.mmap(-1, (header_words + workers * self._row_words) * 8)  # MAP_SHARED, anonymous
        self._words = memoryview(self._memory).cast("q")
        self._bytes = memoryview(self._memory)
        self._header = header_words
        self._lock = _process_lock()
        self._kinds: dict[str, int] = {}  # kind: its word in this process's row
        self.row = 0  # the row this process writes
        self._offsets = self._field_offsets()

    def use_row(self, row: int) -> None:
        """Write on this row from now on (a worker, after the fork)."""
        self.row = row
        self._offsets = self._field_offsets()
        self._kinds = {}

    def _field_offsets(self) -> dict[str, int]:
        return {field: self._base(self.row) + index for index, field in enumerate(FIELDS)}

    # -- writing (the worker that owns the row)
    def add(self, field: str) -> None:
        self._words[self._offsets[field]] += 1

    def add_kind(self, kind: str) -> None:
        word = self._kinds.get(kind)
        if word is None:
            word = self._kinds[kind] = self._base(self.row) + len(FIELDS) + len(_STATE) + self._slot(kind)
        self._words[word] += 1

    def loaded(self, sha256: str, loaded_at_ms: int) -> None:
        """This worker now serves the rule set with this fingerprint."""
        start = (self._base(self.row) + len(FIELDS) + len(_STATE) + MAX_KINDS) * 8
        with self._lock:
            self._bytes[start:start + _SHA_BYTES] = bytes.fromhex(sha256)[:_SHA_BYTES].ljust(_SHA_BYTES, b"\0")
            self._set("loaded_at_ms", loaded_at_ms)
            self._set("pid", os.getpid())

    def reloaded(self, error: str | None) -> None:
        """A reload of this worker succeeded (`error` None) or failed with this message."""
        with self._lock:
            self._set("reload_at_ms", now_ms())
            if error is None:
                self._set("reloads_ok", self._get(self.row, "reloads_ok") + 1)
                self._set("error_bytes", 0)
                return
            self._set("reloads_failed", self._get(self.row, "reloads_failed") + 1)
            data = error.encode("utf-8")
            if len(data) > _ERROR_BYTES:
                data = data[:_ERROR_BYTES - 3].decode("utf-8", "ignore").encode("utf-8") + "…".encode("utf-8")
            start = self._error_start(self.row)
            self._bytes[start:start + len(data)] = data
            self._set("error_bytes", len(data))

    # -- reading (any worker)
    def totals(self) -> dict[str, Any]:
        """Every worker's counters added up, with the decisions by kind."""
        totals: dict[str, Any] = {field: 0 for field in FIELDS}
        by_kind: dict[str, int] = {}
        names = self._names()
        for row in range(self.workers):
            base = self._base(row)
            for index, field in enumerate(FIELDS):
                totals[field] += self._words[base + index]
            for slot, name in enumerate(names):
                count = self._words[base + len(FIELDS) + len(_STATE) + slot]
                if count:
                    by_kind[name] = by_kind.get(name, 0) + count
        totals["by_kind"] = dict(sorted(by_kind.items()))
        return totals

    def states(self) -> list[WorkerState]:
        """Each worker's own report, in worker order."""
        names = self._names()
        found = []
        with self._lock:
            for row in range(self.workers):
                base = self._base(row)
                sha_start = (base + len(FIELDS) + len(_STATE) + MAX_KINDS) * 8
                size = self._get(row, "error_bytes")
                error_start = self._error_start(row)
                counters = {field: self._words[base + index] for index, field in enumerate(FIELDS)}
                counters["by_kind"] = {name: self._words[base + len(FIELDS) + len(_STATE) + slot]
                                       for slot, name in enumerate(names)
                                       if self._words[base + len(FIELDS) + len(_STATE) + slot]}
                found.append(WorkerState(
                    row + 1, self._get(row, "pid"), counters, bytes(self._bytes[sha_start:sha_start + _SHA_BYTES]).hex(),
                    self._get(row, "loaded_at_ms"), self._get(row, "reloads_ok"), self._get(row, "reloads_failed"),
                    self._get(row, "reload_at_ms"),
                    bytes(self._bytes[error_start:error_start + size]).decode("utf-8", "replace") if size else None))
        return found

    # -- layout
    def _base(self, row: int) -> int:
        return self._header + row * self._row_words

    def _error_start(self, row: int) -> int:
        return (self._base(row) + len(FIELDS) + len(_STATE) + MAX_KINDS + _SHA_BYTES // 8) * 8

    def _get(self, row: int, name: str) -> int:
        return self._words[self._base(row) + len(FIELDS) + _STATE.index(name)]

    def _set(self, name: str, value: int) -> None:
        self._words[self._base(self.row) + len(FIELDS) + _STATE.index(name)] = value

    def _names(self) -> list[str]:
        count = self._words[0]
        return [self._name(slot) for slot in range(count)]

    def _name(self, slot: int) -> str:
        start = 8 + slot * _NAME_BYTES
        return bytes(self._bytes[start:start + _NAME_BYTES]).rstrip(b"\0").decode("utf-8", "replace")

    def _slot(self, kind: str) -> int:
        """The slot of a kind's name, agreed by every worker: found in the table, or added to it."""
        encoded = kind.encode("utf-8")[:_NAME_BYTES]
        with self._lock:
            count = self._words[0]
            for slot in range(count):
                if self._name(slot) == encoded.decode("utf-8", "ignore"):
                    return slot
            if count == MAX_KINDS:  # more kinds than any rule set has: the last slot takes the rest
                return MAX_KINDS - 1
            start = 8 + count * _NAME_BYTES
            self._bytes[start:start + _NAME_BYTES] = encoded.ljust(_NAME_BYTES, b"\0")
            self._words[0] = count + 1
            return count


def _process_lock() -> Any:
    """A lock that excludes threads and forked processes alike: a semaphore in shared memory."""
    try:
        return multiprocessing.get_context("fork").Lock()  # unnamed: no resource tracker process
    except ValueError:  # no fork on this platform, so no workers to exclude
        return threading.Lock()


def now_ms() -> int:
    return int(time.time() * 1000)
