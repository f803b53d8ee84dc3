"""`vilkar validate`: check request documents against their schema without deciding them."""
from __future__ import annotations

import click

from ..errors import RequestError
from ..requests.documents import DocumentError
from .common import (
    EXIT_FINDINGS,
    EXIT_INPUT,
    EXIT_OK,
    Records,
    format_option,
    load_rule_set,
    policies_option,
    quiet_option,
    read_documents,
    schemas_option,
)


@click.command("validate")
@click.argument("files", nargs=-1, required=True)
@format_option
@quiet_option
@policies_option
@schemas_option
def validate_command(files: tuple[str, ...], output: str, quiet: bool, policies_dir: str | None,
                     schemas_dir: str | None) -> None:
    """Check request documents against their kind's schema, without deciding them.

    Exit 0 when every document is valid; 1 when one is not; 2 when a file is unreadable or the rule set
    does not load.
    """
    policies = load_rule_set(policies_dir, schemas_dir, command="validate")
    status = EXIT_OK
    records = Records(output, quiet, policies.rule_set)
    valid = invalid = 0
    for document in read_documents(files):
        if isinstance(document, DocumentError):
            records.unreadable(document)
            status = EXIT_INPUT
            continue
        try:
            policies.validate(document.data)
        except RequestError as error:
            records.invalid(document, error)
            status, invalid = max(status, EXIT_FINDINGS), invalid + 1
            continue
        records.valid(document)
        valid += 1
    records.finish(policies, f"{valid} valid, {invalid} invalid" if valid + invalid > 1 or invalid else None)
    raise SystemExit(status)
