"""What every `vilkar` command shares: output, exit codes, the rule set option, reading documents."""
from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Callable, Iterator

import click

from ..api import PolicySet
from ..api import load_rule_set as load_resolved
from ..errors import PolicyError, RequestError
from ..requests.documents import Document, DocumentError, read_file
from ..rule_set import NotFound, RuleSet, resolve_policies, resolve_schemas

EXIT_OK, EXIT_FINDINGS, EXIT_INPUT = 0, 1, 2

def colour() -> bool | None:
    return False if os.environ.get("NO_COLOR") else None  # None: click colours only on a terminal


def echo(text: str, err: bool = False, nl: bool = True) -> None:
    click.echo(text, err=err, color=colour(), nl=nl)


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
    """Every request document of the files in order (several for a multi-document YAML file)."""
    for name in files:
        yield from read_file(name)


class Records:
    """The output of `eval` and `validate` (SPEC §8.2): text for people, or one record per document.

    `json` is one array, `jsonl` one record per line, both in input order; a record is
    `{"source", "kind", "decisions", "notes", "trace"}` for a decided document, `{"source", "kind",
    "errors": []}` for a valid one (validate), or `{"source", "errors": [...]}`, each with the
    `rule_set` that was used. In text, results go to
    stdout and problems to stderr; `quiet` prints only problems.
    """

    def __init__(self, output: str, quiet: bool = False, rule_set: RuleSet | None = None):
        self.output = output
        self.quiet = quiet
        self.count = 0
        self.rule_set = rule_set.describe() if rule_set is not None and output != "text" else None

    def record(self, record: dict[str, Any]) -> None:
        if self.rule_set is not None:
            record["rule_set"] = self.rule_set  # which rule set decided it (SPEC §8.1)
        if self.output == "jsonl":
            echo(json.dumps(record, ensure_ascii=False, separators=(",", ":")))
        else:
            text = json.dumps(record, ensure_ascii=False, indent=2)
            echo(("[\n" if self.count == 0 else ",\n") + _indent(text), nl=False)
        self.count += 1

    def decided(self, document: Document, result: Any, asked: Any = None) -> None:
        """A decided document: `asked` (cli.answers.Asked) says whether to explain it and how."""
        from .answers import Asked, record_of, text_of
        asked = asked if isinstance(asked, Asked) else Asked("summary" if asked else None)
        if self.output == "text":
            if not self.quiet:
                echo(text_of(document.source, result, asked))
            return
        self.record({"source": document.source, **record_of(result, asked)})  # and the version, where there is one

    def valid(self, document: Document) -> None:
        kind = document.data.get("kind")
        if self.output == "text":
            if not self.quiet:
                echo(f"{document.source}: {style('valid', fg='green')} {kind} request")
            return
        self.record({"source": document.source, "kind": kind, "errors": []})

    def invalid(self, document: Document, error: RequestError) -> None:
        problems = [document.locate(problem) for problem in error.errors]
        if self.output != "text":
            self.record({"source": document.source, "errors": [problem.to_dict() for problem in problems]})
            return
        count = len(problems)
        echo(style(f"{document.source}: invalid request ({count} problem{'s' if count != 1 else ''})",
                   fg="red", bold=True), err=True)
        for problem in problems:
            where = f"{document.name}:{problem.line}:{problem.col}: " if problem.line is not None else ""
            value = f" (got {json.dumps(plain(problem.value), ensure_ascii=False)})" if problem.has_value else ""
            echo(f"  {where}{problem.pointer or '/'}: {problem.message}{value}", err=True)
            if problem.hint:
                echo(f"    = hint: {problem.hint}", err=True)

    def unreadable(self, error: DocumentError) -> None:
        if self.output == "text":
            echo(str(error), err=True)
            return
        self.record({"source": error.source, "errors": [problem.to_dict() for problem in error.errors]})

    def finish(self, policies: PolicySet, summary: str | None = None) -> None:
        """Close the JSON array; in text, the summary line with the rule set."""
        if self.output == "json":
            echo("[]" if self.count == 0 else "\n]")
        elif self.output == "text" and not self.quiet:
            parts = [summary] if summary else []
            if policies.rule_set is not None:
                parts.append(policies.rule_set.summary())
            if parts:
                echo("; ".join(parts))


def report_request_error(document: Document, error: RequestError, output: str) -> None:
    """An invalid request as text on stderr (or a record), for commands outside eval and validate."""
    Records(output).invalid(document, error)


def _indent(text: str) -> str:
    return "\n".join("  " + line for line in text.splitlines())


format_option = click.option("--format", "output", type=click.Choice(["text", "json", "jsonl"]), default="text",
                             show_default=True,
                             help="text for people; json: one array of records; jsonl: one record per line.")
quiet_option = click.option("-q", "--quiet", is_flag=True, help="Print only problems (text format).")


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
