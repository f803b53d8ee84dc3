"""What the decision service holds: the rule set it serves, its counters, and its decision log.

A reload builds a complete new `Loaded` (parsed, checked, compiled, its OpenAPI document made) before
one assignment puts it in place; a request reads `service.loaded` once and uses that object throughout,
so no request ever sees half of a rule set, and a rule set that fails to load never replaces the old one.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import threading
from collections import Counter
from dataclasses import dataclass, field
from typing import IO, Any

from ..api import PolicySet, load_policies
from ..errors import PolicyError
from .body import plain_json
from .openapi import openapi_document


@dataclass(frozen=True)
class Loaded:
    """A rule set ready to serve, with what /v1/status and /openapi.json say about it."""

    policies: PolicySet
    rule_set: dict[str, Any]
    openapi: bytes
    loaded_at: str


def load(policies_dir: str | None, schemas_dir: str | None) -> Loaded:
    """Load a rule set completely, or raise PolicyError and leave nothing behind."""
    policies = load_policies(policies_dir, schemas=schemas_dir)
    rule_set = rule_set_identity(policies_dir, policies)
    document = openapi_document(policies.schemas, rule_set)
    return Loaded(policies, rule_set, json.dumps(document, ensure_ascii=False).encode(), now())


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


@dataclass
class Reloads:
    """How reloads went: the service keeps serving the old rule set after a failed one."""

    ok: int = 0
    failed: int = 0
    last_error: str | None = None
    last_at: str | None = None


class Service:
    """The served rule set (swapped whole on reload), the counters and the decision log."""

    def __init__(self, policies_dir: str | None, schemas_dir: str | None = None,
                 decision_log: str | None = None):
        self.policies_dir = policies_dir
        self.schemas_dir = schemas_dir
        self.loaded = load(policies_dir, schemas_dir)  # at start-up a rule set that does not load is fatal
        self.started_at = now()
        self.counters: Counter[str] = Counter()  # updated on the event loop only, so no lock is needed
        self.decided_by_kind: Counter[str] = Counter()
        self.reloads = Reloads()
        self._reload_lock = threading.Lock()
        self._log = DecisionLog(decision_log) if decision_log else None

    def reload(self) -> bool:
        """Load the rule set again from its files; on failure keep serving the old one and say why."""
        with self._reload_lock:
            try:
                fresh = load(self.policies_dir, self.schemas_dir)
            except PolicyError as error:
                self.reloads.failed += 1
                self.reloads.last_error = str(error)
                self.reloads.last_at = now()
                return False
            self.loaded = fresh
            self.reloads.ok += 1
            self.reloads.last_error = None
            self.reloads.last_at = fresh.loaded_at
            if self._log is not None:
                self._log.reopen()  # as after logrotate: SIGHUP also starts writing the log file anew
            return True

    def log_decision(self, record: dict[str, Any], document: Any) -> None:
        if self._log is not None:
            self._log.write(record, document)

    def close(self) -> None:
        if self._log is not None:
            self._log.close()

    def status(self) -> dict[str, Any]:
        loaded = self.loaded
        return {
            "status": "ok",
            "rule_set": loaded.rule_set,
            "versions": [policies.version.to_dict() for policies in versions(loaded.policies)],
            "loaded_at": loaded.loaded_at,
            "started_at": self.started_at,
            "kinds": sorted(loaded.policies.kinds),
            "counters": {"requests": self.counters["requests"], "decisions": self.counters["decisions"],
                         "invalid": self.counters["invalid"], "malformed": self.counters["malformed"],
                         "too_large": self.counters["too_large"], "batches": self.counters["batches"],
                         "by_kind": dict(sorted(self.decided_by_kind.items()))},
            "reloads": {"ok": self.reloads.ok, "failed": self.reloads.failed,
                        "last_error": self.reloads.last_error, "last_at": self.reloads.last_at},
        }


@dataclass
class DecisionLog:
    """One JSON line per decision, written whole under a lock so that lines from threads never interleave."""

    path: str
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _handle: IO[str] | None = None

    def __post_init__(self) -> None:
        self._handle = open(self.path, "a", encoding="utf-8")

    def write(self, record: dict[str, Any], document: Any) -> None:
        line = json.dumps({"decision_id": record["decision_id"], "timestamp": now(), "kind": record["kind"],
                           "version": record["version"], "input": plain_json(document),
                           "decisions": record["decisions"]}, ensure_ascii=False, separators=(",", ":"))
        with self._lock:
            if self._handle is None:
                return  # the service is shutting down; the request it answers was too late for the log
            self._handle.write(line + "\n")
            self._handle.flush()

    def reopen(self) -> None:
        with self._lock:
            if self._handle is not None:
                self._handle.close()
            self._handle = open(self.path, "a", encoding="utf-8")

    def close(self) -> None:
        with self._lock:
            if self._handle is not None:
                self._handle.close()
                self._handle = None
