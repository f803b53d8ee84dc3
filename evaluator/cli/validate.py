"""`vilkar validate`: check request documents against their schema without deciding them."""
from __future__ import annotations

import json

import click

from ..errors import RequestError
from ..requests.documents import DocumentError
from .common import (
    EXIT_FINDINGS,
    EXIT_INPUT,
    EXIT_OK,
    echo,
    load_rule_set,
    policies_option,
    read_documents,
    schemas_option,
    report_request_error,
    style,
)


@click.command("validate")
@click.argument("files", nargs=-1, required=True)
@click.option("--format", "output", type=click.Choice(["text", "json"]), default="text", show_default=True)
@policies_option
@schemas_option
def validate_command(files: tuple[str, ...], output: str, policies_dir: str | None, schemas_dir: str | None) -> None:
    """Check request documents against their kind's schema, without deciding them."""
    policies = load_rule_set(policies_dir, schemas_dir, command="validate")
    status = EXIT_OK
    for document in read_documents(files):
        if isinstance(document, DocumentError):
            echo(str(document), err=True)
            status = EXIT_INPUT
            continue
        try:
            policies.validate(document.data)
        except RequestError as error:
            report_request_error(document, error, output)
            status = max(status, EXIT_FINDINGS)
            continue
        if output == "json":
            echo(json.dumps({"file": document.name, "valid": True, "errors": []}))
        else:
            echo(f"{document.name}: {style('valid', fg='green')} {document.data.get('kind')} request")
    if output == "text" and policies.rule_set is not None:
        echo(policies.rule_set.summary())
    raise SystemExit(status)
