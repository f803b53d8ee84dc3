"""The `vilkar` command: argument parsing, output and exit codes (0 ok, 1 findings, 2 usage or input error).

Each command lives in a module of its own; this module only groups them.
"""
from __future__ import annotations

import click

from ..result import json_value
from .audit import audit_command
from .diff import diff_command
from .evaluate import eval_command
from .fmt import fmt_command
from .lint import lint_command
from .lsp import lsp_command
from .schema import schema_command
from .serve import serve_command
from .test import test_command
from .validate import validate_command
from .view import view_command


def _print_version(context: click.Context, _parameter: click.Parameter, value: bool) -> None:
    if not value or context.resilient_parsing:
        return
    from ..versions import holidays_version
    from .common import version

    # the holiday data decides business days, so it is part of what a version of the rule set means
    click.echo(f"vilkar {version()} (holidays {holidays_version()})")
    context.exit()


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--version", is_flag=True, expose_value=False, is_eager=True, callback=_print_version,
              help="Show vilkar's version and the holidays package's version, and exit.")
def main() -> None:
    """vilkar: contract terms as policy code.

    Evaluate request documents against the support contract's policies, with the clause behind every value.
    """


for _command in (eval_command, validate_command, lint_command, fmt_command, test_command, schema_command,
                 serve_command, diff_command):
    main.add_command(_command)
main.add_command(lsp_command)
main.add_command(view_command)
main.add_command(audit_command)

__all__ = ["main", "json_value"]
