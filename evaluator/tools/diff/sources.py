"""What OLD and NEW name: a rule set directory, a version of a history (`DIR@ID`), or `git:REV[:PATH]`."""
from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

from ...api import PolicySet, compile_sources, load_policies
from ...language.source import Source
from ...language.versions import EVENT_DATE_KEY
from ...requests.schema import load_schemas
from ...resources import data_dir


class SourceError(Exception):
    """OLD or NEW names nothing that can be loaded (the message says why)."""


def load(spec: str, default_path: str, schemas: str | None) -> tuple[PolicySet, dict[str, Any]]:
    """The rule set a spec names, and its `rule_set` record {path, files, sha256} for reports."""
    if spec.startswith("git:"):
        revision, _, path = spec[4:].partition(":")
        policies = _from_git(revision, path or default_path, schemas)
    elif "@" in spec and Path(spec.rsplit("@", 1)[0]).is_dir():
        directory, version_id = spec.rsplit("@", 1)
        history = load_policies(directory, schemas=schemas)
        if history.history is None or history.history.by_id(version_id) is None:
            known = ", ".join(p.version.id for p in history.history.versions) if history.history else "none"
            raise SourceError(f"{directory} has no version {version_id!r} (its versions: {known})")
        policies = history.history.by_id(version_id)
    elif Path(spec).exists():
        policies = load_policies(spec, schemas=schemas)
    else:
        raise SourceError(f"{spec}: no such rule set directory (give a directory, DIR@VERSION or git:REV)")
    files = sum(1 for name in policies.sources if name.endswith(".vk"))
    return policies, {"path": spec, "files": files, "sha256": policies.version.sha256,
                      "version": policies.version.id}


def _git(arguments: list[str], cwd: Path) -> str:
    try:
        completed = subprocess.run(["git", *arguments], cwd=cwd, capture_output=True, text=True, check=False)
    except OSError as error:
        raise SourceError(f"git cannot run: {error}") from None
    if completed.returncode != 0:
        raise SourceError(f"git {' '.join(arguments)}: {completed.stderr.strip() or 'failed'}")
    return completed.stdout


def _from_git(revision: str, path: str, schemas: str | None) -> PolicySet:
    """The rule set at `path` as it was at `revision`, read with `git show`, never checked out."""
    target = Path(path).resolve()
    start = target if target.is_dir() else target.parent
    if not start.exists():
        start = Path.cwd()
    root = Path(_git(["rev-parse", "--show-toplevel"], start).strip())
    relative = target.relative_to(root).as_posix() if target.is_relative_to(root) else path
    names = [n for n in _git(["ls-tree", "-r", "--name-only", revision, "--", relative], root).splitlines()
             if n.endswith(".vk")]
    if not names:
        raise SourceError(f"git:{revision} has no *.vk files under {relative}/")
    sources = {}
    for name in names:
        display = f"{revision}:{name}"
        sources[display] = Source.of(display, _git(["show", f"{revision}:{name}"], root))
    return compile_sources(sources, _schemas_at(revision, root, schemas))


def _schemas_at(revision: str, root: Path, schemas: str | None) -> dict[str, Any]:
    """The schemas as they were at `revision` when they live in the repository, else the current ones."""
    directory = Path(schemas).resolve() if schemas else (root / "schemas" if (root / "schemas").is_dir()
                                                           else data_dir("schemas"))
    if directory.is_relative_to(root):
        import json

        relative = directory.relative_to(root).as_posix()
        listed = _git(["ls-tree", "--name-only", revision, "--", relative + "/"], root).splitlines()
        found = {Path(n).name[: -len(".schema.json")]: json.loads(_git(["show", f"{revision}:{n}"], root))
                 for n in listed if n.endswith(".schema.json")}
        if found:
            return _with_event_dates(found, load_schemas(directory) if directory.is_dir() else {})
    return load_schemas(directory)


def _with_event_dates(schemas: dict[str, Any], current: dict[str, Any]) -> dict[str, Any]:
    """Schemas of a revision older than event dates take today's `x-vilkar-event-date`, so they still load."""
    for kind, schema in schemas.items():
        if EVENT_DATE_KEY not in schema:
            field = current.get(kind, {}).get(EVENT_DATE_KEY)
            schema[EVENT_DATE_KEY] = field if field in schema.get("properties", {}) else None
    return schemas
