"""`vilkar schema KIND`: print a request kind's JSON schema."""
from __future__ import annotations

import json

import click

from ..errors import PolicyError
from ..language.diagnostics import did_you_mean
from ..rule_set import read_schemas
from .common import EXIT_INPUT, echo, find_schemas, schemas_option


@click.command("schema")
@click.argument("kind")
@schemas_option
def schema_command(kind: str, schemas_dir: str | None) -> None:
    """Print the JSON schema of a request kind (from the schemas the other commands use)."""
    try:
        schemas = read_schemas(find_schemas(schemas_dir, "schema"))
    except PolicyError as error:
        echo(f"vilkar schema: {error}", err=True)
        raise SystemExit(EXIT_INPUT)
    if kind not in schemas:
        hint = did_you_mean(kind, schemas) or f"the kinds are: {', '.join(sorted(schemas))}"
        echo(f"vilkar schema: there is no kind `{kind}`; {hint}", err=True)
        raise SystemExit(EXIT_INPUT)
    echo(json.dumps(schemas[kind], ensure_ascii=False, indent=2))
