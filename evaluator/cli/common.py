"""What every `vilkar` command shares: output, exit codes, the rule set option, reading documents."""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any, Callable, Iterator

import click

from ..api import PolicySet
from ..api import load_rule_set as load_resolved
from ..errors import PolicyError, RequestError
from ..requests.documents import Document, DocumentError, read_document
from ..rule_set import NotFound, RuleSet, resolve_policies, resolve_schemas

EXIT_OK, EXIT_FINDINGS, EXIT_INPUT = 0, 1, 2

def colour() -> bool | None:
    return False if os.environ.get("NO_COLOR") else None  # None: click colours only on a terminal


def echo(text: str, err: bool = False) -> None:
    click.echo(text, err=err, color=colour())


def style(text: str, **style: Any) -> str:
    return click.style(text, **style)


def find_rule_set(option: str | None, *, uses: bool, command: str) -> RuleSet:
    """The rule set a command uses (SPEC §8.1); exits 2 saying where it looked if there is none."""
    try:
        return resolve_policies(option, bundled_ok=uses)
    except NotFound as error:
        echo(f"vilkar {command}: {error}", err=True)
        raise SystemExit(EXIT_INPUT)


def find_schemas(option: str | None, command: str) -> Path:
    try:
        return resolve_schemas(option)
    except NotFound as error:
        echo(f"vilkar {command}: {error}", err=True)
        raise SystemExit(EXIT_INPUT)


def load_rule_set(directory: str | None, schemas: str | None = None, *, uses: bool = True,
                  command: str = "eval", on_failure: Callable[[PolicyError], None] | None = None) -> PolicySet:
    """Resolve and load the rule set; a rule set that does not load is reported and exits 2."""
    rule_set = find_rule_set(directory, uses=uses, command=command)
    schema_dir = find_schemas(schemas, command)
    try:
        return load_resolved(rule_set, schema_dir)
    except PolicyError as error:
        if on_failure is not None:
            on_failure(error)
        echo(str(error), err=True)
        echo(style(f"the rule set has {len(error.diagnostics)} problem(s); nothing was evaluated", fg="red"),
             err=True)
        echo(rule_set.summary(), err=True)
        raise SystemExit(EXIT_INPUT)


def read_documents(files: tuple[str, ...]) -> Iterator[Document | DocumentError]:
    for name in files:
        try:
            if name == "-":
                text = sys.stdin.read()
            else:
                with open(name, encoding="utf-8") as handle:
                    text = handle.read()
        except (OSError, UnicodeDecodeError) as error:
            yield DocumentError(f"{name}: cannot read: {error}")
            continue
        try:
            yield read_document(name, text)
        except DocumentError as error:
            yield error


def report_request_error(document: Document, error: RequestError, output: str) -> None:
    problems = [document.locate(problem) for problem in error.errors]
    if output == "json":
        echo(json.dumps({"file": document.name, "valid": False, "errors": [p.to_dict() for p in problems]},
                         ensure_ascii=False, indent=2))
        return
    echo(style(f"{document.name}: invalid request ({len(problems)} problem{'s' if len(problems) != 1 else ''})",
                 fg="red", bold=True), err=True)
    for problem in problems:
        where = f"{document.name}:{problem.line}:{problem.col}: " if problem.line is not None else ""
        value = f" (got {json.dumps(plain(problem.value), ensure_ascii=False)})" if problem.has_value else ""
        echo(f"  {where}{problem.pointer or '/'}: {problem.message}{value}", err=True)
        if problem.hint:
            echo(f"    = hint: {problem.hint}", err=True)


def plain(value: Any) -> Any:
    from ..errors import _json_safe
    return _json_safe(value)


policies_option = click.option(
    "--policies", "policies_dir", metavar="PATH",
    help="A directory of *.vk policies or one .vk file (default: VILKAR_POLICIES, [tool.vilkar] policies, "
         "./policies, then the bundled rule set where the command allows it).")
schemas_option = click.option(
    "--schemas", "schemas_dir", metavar="DIR",
    help="A directory of <kind>.schema.json files (default: VILKAR_SCHEMAS, [tool.vilkar] schemas, "
         "./schemas, then the bundled schemas).")


def version() -> str:
    from importlib.metadata import PackageNotFoundError, version
    try:
        return version("vilkar")
    except PackageNotFoundError:
        return "0"
