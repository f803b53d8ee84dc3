"""A cache of compiled rule sets, keyed by everything they are made from, so a process starts fast.

The key hashes the policy texts and names, the schemas, the grammar, vilkar's own code and the Python
version: any change gives a new key, so a stale entry is never used. Entries live in
`$VILKAR_CACHE_DIR`, else `$XDG_CACHE_HOME/vilkar`, else `~/.cache/vilkar`, in a directory only the
user can read; `VILKAR_CACHE=off` turns the cache off. A missing, unreadable or corrupt entry is
simply rebuilt.
"""
from __future__ import annotations

import hashlib
import json
import os
import pickle
import sys
import tempfile
from pathlib import Path
from typing import Any

from ..resources import data_dir

FORMAT = b"vilkar-compiled-rule-set-1"
_PACKAGE = Path(__file__).resolve().parent.parent  # the evaluator package: its code is part of the key


def cache_directory() -> Path | None:
    if os.environ.get("VILKAR_CACHE", "").lower() in ("off", "0", "no", "false"):
        return None
    configured = os.environ.get("VILKAR_CACHE_DIR")
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_CACHE_HOME")
    return (Path(base) if base else Path.home() / ".cache") / "vilkar"


def key(sources: dict[str, str], schemas: dict[str, Any]) -> str:
    digest = hashlib.sha256(FORMAT)
    digest.update(repr(sys.version_info[:3]).encode())
    digest.update((data_dir("grammar") / "vilkar.lark").read_bytes())
    for path in sorted(_PACKAGE.rglob("*.py")):
        digest.update(path.name.encode() + path.read_bytes())
    for name, text in sorted(sources.items()):
        digest.update(b"\0source\0" + name.encode() + b"\0" + text.encode())
    digest.update(json.dumps(schemas, sort_keys=True).encode())
    return digest.hexdigest()


def load(entry_key: str) -> Any | None:
    directory = cache_directory()
    if directory is None:
        return None
    try:
        with open(directory / f"{entry_key}.pickle", "rb") as handle:
            return pickle.load(handle)
    except Exception:  # a missing, truncated or foreign entry: rebuild, never fail for a cache
        return None


def store(entry_key: str, value: Any) -> None:
    directory = cache_directory()
    if directory is None:
        return
    try:
        directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        with tempfile.NamedTemporaryFile("wb", dir=directory, delete=False, suffix=".tmp") as handle:
            pickle.dump(value, handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(handle.name, directory / f"{entry_key}.pickle")
    except OSError:
        pass  # a read-only home or a full disk only costs the next start its speed
