"""`vilkar diff OLD [NEW]`: the decisions two rule sets decide differently, each with a verified witness."""
from __future__ import annotations

import os

import click

from ..errors import PolicyError
from .common import EXIT_FINDINGS, EXIT_INPUT, EXIT_OK, echo, style


@click.command("diff")
@click.argument("old")
@click.argument("new", required=False)
@click.option("--format", "output", type=click.Choice(["text", "json", "markdown"]), default="text",
              show_default=True)
@click.option("--replay", "replay_log", metavar="REQUESTS.jsonl", default=None,
              help="Also decide every request of a JSON Lines log under both and count what changes.")
@click.option("--workers", type=click.IntRange(min=1), default=None,
              help="Processes for --replay (default: every core this process may use).")
@click.option("--budget", type=click.IntRange(min=1), default=None,
              help="Most requests the witness search tries per kind (default 20,000).")
@click.option("--policies", "policies_dir", metavar="DIR", default=None,
              help="NEW when it is not given, and the path a `git:REV` is read at (default: the rule set "
                   "every command finds: VILKAR_POLICIES, [tool.vilkar] policies, ./policies, bundled).")
@click.option("--schemas", "schemas_dir", metavar="DIR", default=None,
              help="The request schemas (default: VILKAR_SCHEMAS, [tool.vilkar] schemas, ./schemas, bundled).")
def diff_command(old: str, new: str | None, output: str, replay_log: str | None, workers: int | None,
                 budget: int | None, policies_dir: str | None, schemas_dir: str | None) -> None:
    """Compare two rule sets: directories, history versions (DIR@VERSION) or git revisions (git:REV).

    Exit 0 when no decision differs, 1 when one does, 2 when a rule set or the log cannot be read.
    """
    from ..tools.diff import DEFAULT_BUDGET, compare
    from ..tools.diff.report import as_json, as_markdown, as_text
    from ..tools.diff.search import as_of_for
    from ..tools.diff.sources import SourceError, load

    from ..rule_set import NotFound, resolve_policies, resolve_schemas

    try:  # NEW defaults to the rule set every command would use here (SPEC §8.1), bundled copy last
        found = resolve_policies(policies_dir, bundled_ok=True)
        schemas = str(resolve_schemas(schemas_dir))
    except NotFound as error:
        echo(f"vilkar diff: {error}", err=True)
        raise SystemExit(EXIT_INPUT)
    default_path = policies_dir or ("policies" if found.bundled else str(found.path))
    new = new or str(found.path)
    try:
        old_policies, old_info = load(old, _path_of(new, default_path), schemas)
        new_policies, new_info = load(new, _path_of(old, default_path), schemas)
    except (SourceError, PolicyError) as error:
        echo(str(error), err=True)
        echo(style("the rule sets could not both be loaded; nothing was compared", fg="red"), err=True)
        raise SystemExit(EXIT_INPUT)
    diff = compare(old_policies, new_policies, old_info, new_info, budget or DEFAULT_BUDGET)
    if replay_log is not None:
        from ..tools.diff.replay import replay
        if not os.path.isfile(replay_log):
            echo(f"{replay_log}: cannot read: no such file", err=True)
            raise SystemExit(EXIT_INPUT)
        diff.replay = replay(replay_log, old_policies, new_policies, as_of_for(old_policies),
                             as_of_for(new_policies), workers)
    echo({"json": as_json, "markdown": as_markdown, "text": as_text}[output](diff))
    raise SystemExit(EXIT_OK if diff.equivalent else EXIT_FINDINGS)


def _path_of(other: str, default_path: str) -> str:
    """The rule set path a `git:REV` side is read at: the other side's directory when it is one."""
    return other if not other.startswith("git:") and "@" not in other and os.path.isdir(other) else default_path
