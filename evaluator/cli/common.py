"""What every `vilkar` command shares: output, exit codes, the rule set option, reading documents."""
from __future__ import annotations

import json
import os
import sys
from typing import Any, Iterator

import click

from ..api import PolicySet, default_policies, load_policies
from ..errors import PolicyError, RequestError
from ..requests.documents import Document, DocumentError, read_document

EXIT_OK, EXIT_FINDINGS, EXIT_INPUT = 0, 1, 2

def colour() -> bool | None:
    return False if os.environ.get("NO_COLOR") else None  # None: click colours only on a terminal


def echo(text: str, err: bool = False) -> None:
    click.echo(text, err=err, color=colour())


def style(text: str, **style: Any) -> str:
    return click.style(text, **style)


def load_rule_set(directory: str | None) -> PolicySet:
    try:
        return load_policies(directory) if directory else default_policies()
    except PolicyError as error:
        echo(str(error), err=True)
        echo(style(f"the rule set has {len(error.diagnostics)} problem(s); nothing was evaluated", fg="red"),
              err=True)
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


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="vilkar")
def main() -> None:
    """vilkar: contract terms as policy code.

    Evaluate request documents against the support contract's policies, with the clause behind every value.
    """


policies_option = click.option("--policies", "policies_dir", metavar="DIR", envvar="VILKAR_POLICIES",
                                help="A directory of *.vk policies (default: the bundled rule set).")


def version() -> str:
    from importlib.metadata import PackageNotFoundError, version
    try:
        return version("vilkar")
    except PackageNotFoundError:
        return "0"
