"""Auditing ticket files, in this process or on a Dask cluster; the records come back in input order."""
from __future__ import annotations

from typing import IO, Any, Iterable

from ..api import PolicySet
from .tickets import audit_line


def audit_lines(policies: PolicySet, name: str, lines: Iterable[str]) -> list[dict[str, Any]]:
    """The audit records of one file's lines; a blank line is no ticket but keeps its number."""
    records = []
    for number, line in enumerate(lines, 1):
        line = line.rstrip("\n")
        if line.strip():
            records.append({"file": name, **audit_line(policies, number, line)})
    return records


def audit_local(policies: PolicySet, files: list[tuple[str, IO[str]]]) -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = []
    for name, handle in files:
        records.extend(audit_lines(policies, name, handle))
    return records


def _audit_partition(lines: list[str], name: str, rule_set: Any) -> list[dict[str, Any]]:
    from ..dask_batch import worker_policies

    return audit_lines(worker_policies(rule_set), name, lines)


def audit_dask(client: Any, urlpaths: list[str], policies: PolicySet) -> list[dict[str, Any]]:
    """Each file is a partition read and audited on a worker (the rule set compiled there from its text)."""
    import dask
    import dask.bag as db

    from ..dask_batch import RuleSetText, input_files

    rule_set = dask.delayed(RuleSetText.of(policies), pure=True)
    tasks = []
    for urlpath in urlpaths:
        partitions = db.read_text(urlpath, blocksize=None, compression="infer", encoding="utf-8", errors="replace",
                                  linedelimiter="\n", collection=False)
        for lines, name in zip(partitions, input_files([urlpath], {})):
            tasks.append(dask.delayed(_audit_partition, pure=False)(lines, name, rule_set))
    records: list[dict[str, Any]] = []
    for part in client.gather(client.compute(tasks)):
        records.extend(part)
    return records
