"""What the decision service holds: the rule set it serves, its counters, and its decision log.

A reload builds a complete new `Loaded` (parsed, checked, compiled, its OpenAPI document made) before
one assignment puts it in place; a request reads `service.loaded` once and uses that object throughout,
so no request ever sees half of a rule set, and a rule set that fails to load never replaces the old one.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import threading
from dataclasses import dataclass
from typing import Any

from ..api import PolicySet, load_policies
from ..errors import PolicyError
from .body import plain_json
from .counters import SharedCounters, now_ms
from .openapi import openapi_document


@dataclass(frozen=True)
class Loaded:
    """A rule set ready to serve, with what /v1/status and /openapi.json say about it."""

    policies: PolicySet
    rule_set: dict[str, Any]
    openapi: bytes
    loaded_at: str
    loaded_ms: int


def load(policies_dir: str | None, schemas_dir: str | None) -> Loaded:
    """Load a rule set completely, or raise PolicyError and leave nothing behind."""
    policies = load_policies(policies_dir, schemas=schemas_dir)
    rule_set = rule_set_identity(policies_dir, policies)
    document = openapi_document(policies.schemas, rule_set)
    at = now_ms()
    return Loaded(policies, rule_set, json.dumps(document, ensure_ascii=False).encode(), _iso(at), at)


def versions(policies: PolicySet) -> list[PolicySet]:
    """The versions a rule set holds: a history's, or the one set itself."""
    return policies.history.versions if policies.history is not None else [policies]


def rule_set_identity(policies_dir: str | None, policies: PolicySet) -> dict[str, Any]:
    """`{"path", "files", "sha256"}` as every JSON report names its rule set (SPEC §8.1)."""
    if policies.rule_set is not None:  # found by the resolver: the same description as every other report
        return policies.rule_set.describe()
    held = versions(policies)  # compiled from texts in memory: describe it by its versions
    if len(held) == 1:
        sha256 = held[0].version.sha256
    else:  # a history is identified by all of its versions
        sha256 = hashlib.sha256("\0".join(p.version.sha256 for p in held).encode()).hexdigest()
    return {"path": policies_dir or "bundled", "files": sum(len(p.sources) for p in held), "sha256": sha256}


def now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class Service:
    """The served rule set (swapped whole on reload), the shared counters and the decision log.

    One `Service` is made in the process that starts `vilkar serve`; with several workers each forked
    process owns a copy of it and calls `as_worker` first, so that it counts on its own row of the
    shared counters and appends to the decision log through its own file descriptor.
    """

    def __init__(self, policies_dir: str | None, schemas_dir: str | None = None,
                 decision_log: str | None = None, workers: int = 1):
        self.policies_dir = policies_dir
        self.schemas_dir = schemas_dir
        self.loaded = load(policies_dir, schemas_dir)  # at start-up a rule set that does not load is fatal
        self.started_at = now()
        self.counters = SharedCounters(workers)
        self.counters.loaded(self.loaded.rule_set["sha256"], self.loaded.loaded_ms)
        self._reload_lock = threading.Lock()
        self._log = DecisionLog(decision_log) if decision_log else None

    def as_worker(self, worker: int) -> None:
        """In a forked worker (numbered from 1): count on its own row, write the log through its own descriptor."""
        self.counters.use_row(worker - 1)
        self.counters.loaded(self.loaded.rule_set["sha256"], self.loaded.loaded_ms)
        if self._log is not None:
            self._log.reopen()

    def reload(self) -> bool:
        """Load the rule set again from its files; on failure keep serving the old one and say why."""
        with self._reload_lock:
            try:
                fresh = load(self.policies_dir, self.schemas_dir)
            except PolicyError as error:
                self.counters.reloaded(str(error))
                return False
            self.loaded = fresh
            self.counters.loaded(fresh.rule_set["sha256"], fresh.loaded_ms)
            self.counters.reloaded(None)
            if self._log is not None:
                self._log.reopen()  # as after logrotate: SIGHUP also starts writing the log file anew
            return True

    def last_reload_error(self) -> str | None:
        return self.counters.states()[self.counters.row].last_error

    def log_decision(self, record: dict[str, Any], document: Any) -> None:
        if self._log is not None:
            self._log.write(record, document)

    def close(self) -> None:
        if self._log is not None:
            self._log.close()

    def status(self) -> dict[str, Any]:
        """The rule set this worker serves, and the counters and reloads of the whole service."""
        loaded = self.loaded
        states = self.counters.states()
        failed = [state for state in states if state.last_error is not None]
        latest = max((state.reload_at_ms for state in states), default=0)
        return {
            "status": "ok",
            "rule_set": loaded.rule_set,
            "versions": [policies.version.to_dict() for policies in versions(loaded.policies)],
            "loaded_at": loaded.loaded_at,
            "started_at": self.started_at,
            "kinds": sorted(loaded.policies.kinds),
            "counters": self.counters.totals(),
            # a reload is done when every worker has done it, and failed when any worker could not
            "reloads": {"ok": min(state.reloads_ok for state in states),
                        "failed": max(state.reloads_failed for state in states),
                        "last_error": max(failed, key=lambda state: state.reload_at_ms).last_error if failed else None,
                        "last_at": _iso(latest) if latest else None},
            "workers": [{"worker": state.worker, "pid": state.pid, "sha256": state.sha256,
                         "loaded_at": _iso(state.loaded_at_ms), "requests": state.counters["requests"],
                         "decisions": state.counters["decisions"]} for state in states],
        }


def _iso(ms: int) -> str:
    moment = dt.datetime.fromtimestamp(ms / 1000, dt.timezone.utc)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


class DecisionLog:
    """One JSON line per decision, each written by a single `write` to a file opened for appending.

    With O_APPEND the kernel puts every write at the end of the file whole, so lines from the threads
    of one worker and from several worker processes never interleave, however long a line is.
    """

    def __init__(self, path: str):
        self.path = path
        self._lock = threading.Lock()  # against a reopen or close while a line is being written
        self._fd: int | None = self._open()

    def _open(self) -> int:
        return os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o666)

    def write(self, record: dict[str, Any], document: Any) -> None:
        line = json.dumps({"decision_id": record["decision_id"], "timestamp": now(), "kind": record["kind"],
                           "version": record["version"], "input": plain_json(document),
                           "decisions": record["decisions"]}, ensure_ascii=False, separators=(",", ":"))
        data = (line + "\n").encode("utf-8")
        with self._lock:
            if self._fd is None:
                return  # the service is shutting down; the request it answers was too late for the log
            written = os.write(self._fd, data)
            while written < len(data):  # only a full disk or a signal cuts a write to a file short
                written += os.write(self._fd, data[written:])

    def reopen(self) -> None:
        with self._lock:
            if self._fd is not None:
                os.close(self._fd)
            self._fd = self._open()

    def close(self) -> None:
        with self._lock:
            if self._fd is not None:
                os.close(self._fd)
                self._fd = None
