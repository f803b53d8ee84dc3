"""`vilkar schema KIND`: print a request kind's JSON schema."""
from __future__ import annotations

import json

import click

from ..language.diagnostics import did_you_mean
from .common import EXIT_INPUT, echo, load_rule_set, policies_option


@click.command("schema")
@click.argument("kind")
@policies_option
def schema_command(kind: str, policies_dir: str | None) -> None:
    """Print the JSON schema of a request kind."""
    policies = load_rule_set(policies_dir)
    if kind not in policies.schemas:
        hint = did_you_mean(kind, policies.schemas) or f"the kinds are: {', '.join(sorted(policies.schemas))}"
        echo(f"vilkar schema: there is no kind `{kind}`; {hint}", err=True)
        raise SystemExit(EXIT_INPUT)
    echo(json.dumps(policies.schemas[kind], ensure_ascii=False, indent=2))
