"""A cache of compiled rule sets (plans and Python code objects), so a process starts without compiling.

Where: `$VILKAR_CACHE_DIR`, else `$XDG_CACHE_HOME/vilkar`, else `~/.cache/vilkar`; `VILKAR_CACHE=off`
turns it off, and so does a home that is missing or cannot be written (quietly: the cache only buys speed).

Entries are pickles, and unpickling runs code, so the directory is the security boundary: it is used only if
it is a real directory (not a symlink) owned by the current user and not writable by group or others, and an
entry only if it is a regular file (not a symlink) owned by the user and writable by no one else. A directory
that fails this is refused with one line on stderr saying why, and the rule set is compiled as if uncached.

An entry is named by the hash of its rule set's texts and schemas, vilkar's own code (each module's size and
modification time, as Python's bytecode cache judges a source) and the Python version
(so a process in another working directory, which names the files differently, replaces the same entry
rather than adding one). Inside, a header carries the full key (file names included) and a SHA-256 of the
content; a mismatch or a damaged entry is rebuilt. Code objects are marshalled, a format that depends on the
Python version: its magic number is part of the key. Entries are written to a temporary file and renamed
into place, so readers see a whole entry or none; the temporary file is removed on every failure, and only
the newest KEEP entries stay. An entry is stored only once its rule set's schemas passed KindValidator's
checks, which a cached load therefore skips (their verdict depends only on the schemas, part of the key).
"""
from __future__ import annotations

import hashlib
import json
import os
import pickle
import stat
import sys
import time
from importlib.util import MAGIC_NUMBER
from pathlib import Path
from typing import Any

from ..resources import data_dir

FORMAT = b"vilkar-compiled-rule-set-3\n"  # 3: definitions deferred, the version as plain values
SUFFIX = ".vkc"
LEGACY = ".pickle"  # the first format's entries: no header, no checks
KEEP = 8  # entries kept: a few rule sets (or versions of one) used in turn on this machine
STALE_TEMPORARY = 3600.0  # seconds after which a temporary file left by a killed process is removed
_PACKAGE = Path(__file__).resolve().parent.parent  # the evaluator package: its code is part of the key
_refused: set[str] = set()  # directories already reported as refused, so the reason is said once


def cache_directory() -> Path | None:
    """The configured cache directory, or None when the cache is off or there is no home to put it in."""
    if os.environ.get("VILKAR_CACHE", "").lower() in ("off", "0", "no", "false"):
        return None
    configured = os.environ.get("VILKAR_CACHE_DIR")
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_CACHE_HOME")
    if base:
        return Path(base) / "vilkar"
    try:
        home = Path.home()
    except (RuntimeError, KeyError, OSError):  # no HOME and no password entry: no cache
        return None
    return home / ".cache" / "vilkar"


def _code_digest() -> bytes:
    """vilkar's code as the key sees it: each module's name, size and modification time (as Python's own
    bytecode cache judges a source), and the grammar's text; reading every module cost a cached load 30 ms,
    and Path.rglob with a stat per module 4 ms, where os.scandir takes under one."""
    digest = hashlib.sha256(FORMAT + MAGIC_NUMBER + repr(sys.version_info).encode())
    digest.update((data_dir("grammar") / "vilkar.lark").read_bytes())
    for name, size, modified in sorted(_modules(str(_PACKAGE), "")):
        digest.update(f"{name}\0{size}\0{modified}\0".encode())
    return digest.digest()


def _modules(folder: str, prefix: str) -> list[tuple[str, int, int]]:
    """(name relative to the package, size, modification time) of every `*.py` file under a folder."""
    found: list[tuple[str, int, int]] = []
    with os.scandir(folder) as listing:
        for item in listing:
            if item.is_dir(follow_symlinks=False):
                if item.name != "__pycache__":
                    found.extend(_modules(item.path, f"{prefix}{item.name}/"))
            elif item.name.endswith(".py"):
                status = item.stat()
                found.append((prefix + item.name, status.st_size, status.st_mtime_ns))
    return found


_CODE: list[bytes] = []  # vilkar's code does not change while it runs: hashed once per process


def key(sources: dict[str, str], schemas: dict[str, Any]) -> tuple[str, str]:
    """(entry name, full key): the name hashes the rule set's content, the full key also its file names."""
    if not _CODE:
        _CODE.append(_code_digest())
    content = hashlib.sha256(_CODE[0])
    for _, text in sorted(sources.items()):
        content.update(b"\0source\0" + hashlib.sha256(text.encode("utf-8", "surrogatepass")).digest())
    content.update(b"\0schemas\0" + json.dumps(schemas, sort_keys=True).encode())
    name = content.hexdigest()
    full = hashlib.sha256(name.encode() + json.dumps(sorted(sources)).encode()).hexdigest()
    return name, full


class _Directory:
    """An open cache directory that passed the ownership and mode checks; entries are opened relative to it."""

    def __init__(self, path: Path, fd: int):
        self.path = path
        self.fd = fd

    def close(self) -> None:
        os.close(self.fd)


def _open_directory(path: Path, create: bool) -> _Directory | None:
    if create:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.mkdir(mode=0o700)
        except FileExistsError:
            pass
        except OSError:
            return None  # a read-only or missing home: no cache, quietly
    try:
        fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
    except OSError:
        if os.path.islink(path):
            _refuse(path, "it is a symbolic link")
        elif os.path.exists(path) and not os.path.isdir(path):
            _refuse(path, "it is not a directory")
        return None
    info = os.fstat(fd)
    problem = None
    if info.st_uid != os.getuid():
        problem = f"it belongs to another user (uid {info.st_uid})"
    elif info.st_mode & 0o022:
        problem = f"others may write to it (mode {stat.S_IMODE(info.st_mode):04o})"
    if problem is not None:
        os.close(fd)
        _refuse(path, problem)
        return None
    return _Directory(path, fd)


def _refuse(path: Path, why: str) -> None:
    if str(path) not in _refused:
        _refused.add(str(path))
        sys.stderr.write(f"vilkar: not using the cache directory {path}: {why}; compiling without the cache "
                         "(use a directory only you can write, or set VILKAR_CACHE=off)\n")


def load(entry: tuple[str, str]) -> Any | None:
    """The cached value for this key, or None if there is none that can be trusted."""
    path = cache_directory()
    directory = _open_directory(path, create=False) if path is not None else None
    if directory is None:
        return None
    try:
        data = _read(directory, entry[0] + SUFFIX)
        value = _decode(data, entry[1]) if data is not None else None
        if value is not None:
            try:
                os.utime(entry[0] + SUFFIX, dir_fd=directory.fd)  # in use: among the newest, not evicted
            except OSError:
                pass
        return value
    finally:
        directory.close()


def _read(directory: _Directory, name: str) -> bytes | None:
    try:
        fd = os.open(name, os.O_RDONLY | os.O_NOFOLLOW, dir_fd=directory.fd)
    except OSError:
        return None  # missing, or a symbolic link
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_uid != os.getuid() or info.st_mode & 0o022:
            return None  # planted or loosened: never unpickled
        with os.fdopen(fd, "rb", closefd=False) as handle:
            return handle.read()
    except OSError:
        return None
    finally:
        os.close(fd)


def _decode(data: bytes, full_key: str) -> Any | None:
    """The value of an entry whose header names this key and whose content has the checksum it states."""
    if not data.startswith(FORMAT):
        return None
    end = data.find(b"\n", len(FORMAT))
    try:
        header = json.loads(data[len(FORMAT):end])
        content = data[end + 1:]
        if header.get("key") != full_key or header.get("sha256") != hashlib.sha256(content).hexdigest():
            return None
        return pickle.loads(content)
    except Exception:  # a damaged entry of any kind is rebuilt, never a failure
        return None


def encode(full_key: str, value: Any) -> bytes:
    content = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    header = json.dumps({"key": full_key, "sha256": hashlib.sha256(content).hexdigest()}).encode()
    return FORMAT + header + b"\n" + content


def store(entry: tuple[str, str], value: Any) -> None:
    """Write an entry atomically (best effort: a cache that cannot be written costs only speed)."""
    path = cache_directory()
    directory = _open_directory(path, create=True) if path is not None else None
    if directory is None:
        return
    try:
        data = encode(entry[1], value)
        _write(directory, entry[0] + SUFFIX, data)
        _evict(directory)
    except (OSError, pickle.PicklingError, TypeError, AttributeError, RecursionError):
        pass
    finally:
        directory.close()


def _write(directory: _Directory, name: str, data: bytes) -> None:
    temporary = f".{name}.{os.getpid()}.{time.monotonic_ns()}.tmp"
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600, dir_fd=directory.fd)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(temporary, name, src_dir_fd=directory.fd, dst_dir_fd=directory.fd)
    except BaseException:  # a full disk, an interrupt: leave no partial file behind
        try:
            os.unlink(temporary, dir_fd=directory.fd)
        except OSError:
            pass
        raise


def _evict(directory: _Directory) -> None:
    """Keep the newest KEEP entries; remove temporary files a killed process left, and entries of the first
    format (never read by this version), once they are an hour old."""
    entries: list[tuple[float, str]] = []
    now = time.time()
    with os.scandir(directory.fd) as listing:
        for item in listing:
            try:
                modified = item.stat(follow_symlinks=False).st_mtime
            except OSError:
                continue
            if item.name.endswith(SUFFIX) and not item.name.startswith("."):
                entries.append((modified, item.name))
            elif item.name.endswith((".tmp", LEGACY)) and now - modified > STALE_TEMPORARY:
                _remove(directory, item.name)
    for _, name in sorted(entries, reverse=True)[KEEP:]:
        _remove(directory, name)


def _remove(directory: _Directory, name: str) -> None:
    try:
        os.unlink(name, dir_fd=directory.fd)
    except OSError:
        pass
