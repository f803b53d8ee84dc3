"""`vilkar eval --batch --engine dask`: the local batch's records, computed on a Dask cluster.

Every input file (a glob, compressed or not, on any filesystem fsspec reaches) is one partition,
read on a worker by `dask.bag.read_text`, so line numbers are exact and nothing but the file name
crosses the network on the way in. The rule set travels as its source text, schemas and hash; each
worker process compiles it once per hash and keeps it, so compiled code is never pickled. A
partition's records come from `batch.decide_chunk`, the very function of the local batch, and are
written by the worker as `OUT/part-NNNNN.jsonl` (partition N, in the order of the sorted file
list): the shards, concatenated in order, are byte for byte what `vilkar eval --batch` prints for the
same files. A shard is written under a temporary name and renamed when complete.
"""
from __future__ import annotations

import hashlib
import json
import os
import threading
from dataclasses import dataclass
from typing import Any

from .api import PolicySet, compile_sources
from .batch import decide_chunk
from .language.source import Source
from .versions import history_of


@dataclass(frozen=True)
class RuleSetText:
    """What a worker needs to compile a rule set itself: its policy texts, its schemas, and their hash. A
    history travels as the texts of each of its versions, oldest first (a plain rule set is one version)."""

    versions: tuple[tuple[tuple[str, str], ...], ...]
    schemas_json: str
    sha256: str

    @staticmethod
    def of(policies: PolicySet) -> RuleSetText:
        sets = policies.history.versions if policies.history is not None else [policies]
        versions = tuple(tuple(sorted((name, source.text) for name, source in version.sources.items()))
                         for version in sets)
        schemas_json = json.dumps(policies.schemas, sort_keys=True, ensure_ascii=False)
        digest = hashlib.sha256()
        for number, sources in enumerate(versions):
            digest.update(f"version {number}\0".encode())
            for name, text in sources:
                digest.update(name.encode() + b"\0" + text.encode() + b"\0")
        digest.update(schemas_json.encode())
        return RuleSetText(versions, schemas_json, digest.hexdigest())

    @property
    def sources(self) -> tuple[tuple[str, str], ...]:
        """Every policy text, of every version."""
        return tuple(pair for sources in self.versions for pair in sources)


@dataclass(frozen=True)
class Shard:
    """What one partition came to: its input, its output, and how many lines were decided and rejected."""

    index: int
    source: str
    output: str
    decided: int
    failed: int


_compiled: dict[str, PolicySet] = {}
_compiled_lock = threading.Lock()


def worker_policies(rule_set: RuleSetText) -> PolicySet:
    """The rule set compiled in this worker process, once per hash, whatever the number of threads."""
    with _compiled_lock:
        policies = _compiled.get(rule_set.sha256)
        if policies is None:
            schemas = json.loads(rule_set.schemas_json)
            versions = [compile_sources({name: Source.of(name, text) for name, text in sources}, schemas)
                        for sources in rule_set.versions]
            # the client proved that a history's windows tile before it sent it (versions.load_history)
            policies = versions[0] if len(versions) == 1 else history_of(versions)
            _compiled[rule_set.sha256] = policies
        return policies


def decide_partition(lines: list[str], index: int, source: str, out: str, rule_set: RuleSetText, explain: bool,
                     storage_options: dict[str, Any], as_of: Any = None) -> Shard:
    """Decide one partition's lines on the worker and write its shard; runs where the lines were read."""
    import fsspec

    policies = worker_policies(rule_set)
    name = source[len("file://"):] if source.startswith("file://") else source  # records name a local file as a path
    text, decided, failed = decide_chunk(policies, (1, [line.rstrip("\n") for line in lines], name), explain, as_of)
    target = shard_name(out, index)
    partial = f"{target}.partial"
    fs, _, (path,) = fsspec.get_fs_token_paths(partial, storage_options=storage_options)
    final = fsspec.get_fs_token_paths(target, storage_options=storage_options)[2][0]
    fs.makedirs(path.rsplit("/", 1)[0], exist_ok=True)
    with fs.open(path, "w", encoding="utf-8", newline="") as handle:
        handle.write(text)
    fs.mv(path, final)
    return Shard(index, source, target, decided, failed)


def shard_name(out: str, index: int) -> str:
    return f"{out.rstrip('/')}/part-{index:05d}.jsonl"


def input_files(urlpaths: list[str], storage_options: dict[str, Any]) -> list[str]:
    """Every file the patterns name, each pattern's matches sorted, as read_text will read them."""
    import fsspec

    found: list[str] = []
    for urlpath in urlpaths:
        files = fsspec.open_files(urlpath, mode="rb", **storage_options)
        found.extend(_shown_name(urlpath, file) for file in files)
    return found


def _shown_name(urlpath: str, file: Any) -> str:
    """A file's name in the records: as the shell would have spelt it for the local batch (a relative
    pattern gives relative paths), and a remote file by its URL."""
    if not _is_local(file.fs):
        return file.full_name
    if urlpath.startswith("file://") or os.path.isabs(urlpath):
        return file.path
    return os.path.relpath(file.path)


def _is_local(fs: Any) -> bool:
    protocols = fs.protocol if isinstance(fs.protocol, (tuple, list)) else (fs.protocol,)
    return "file" in protocols


def run(client: Any, urlpaths: list[str], out: str, policies: PolicySet, explain: bool = False,
        storage_options: dict[str, Any] | None = None, as_of: Any = None) -> list[Shard]:
    """Decide every line of every file on `client`'s cluster into shards under `out`; in input order (with
    `as_of`, a date, by the version in force that day)."""
    import dask
    import dask.bag as db
    import fsspec

    options = storage_options or {}
    fs, _, (out_path,) = fsspec.get_fs_token_paths(out, storage_options=options)
    if _is_local(fs):
        out = out_path  # absolute: a worker's working directory is not the client's
    rule_set = dask.delayed(RuleSetText.of(policies), pure=True)  # one key in the graph, sent once per worker
    tasks, index = [], 0
    for urlpath in urlpaths:
        partitions = db.read_text(urlpath, blocksize=None, compression="infer", encoding="utf-8",
                                  errors="surrogateescape", linedelimiter="\n", collection=False,
                                  storage_options=options)
        names = input_files([urlpath], options)
        for lines, name in zip(partitions, names):
            tasks.append(dask.delayed(decide_partition, pure=False)(lines, index, name, out, rule_set, explain,
                                                                   options, as_of))
            index += 1
    futures = client.compute(tasks)
    return sorted(client.gather(futures), key=lambda shard: shard.index)
