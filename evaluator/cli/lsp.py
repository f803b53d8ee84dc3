"""`vilkar lsp`: the language server, on stdin and stdout."""
from __future__ import annotations

from pathlib import Path

import click

from .common import EXIT_INPUT, echo


@click.command("lsp")
@click.option("--policies", "policies_dir", metavar="PATH", type=click.Path(path_type=Path),
              help="The rule set, a directory or one .vk file (default: found for each opened file as every "
                   "command finds it: VILKAR_POLICIES, [tool.vilkar] policies, ./policies; a file none of "
                   "them holds is checked with the files beside it).")
@click.option("--schemas", "schemas_dir", metavar="DIR", type=click.Path(path_type=Path),
              help="The request schemas (default: VILKAR_SCHEMAS, [tool.vilkar] schemas, ./schemas, then the "
                   "bundled ones, from where the rule set was found).")
@click.option("--stdio", is_flag=True, help="Talk over stdin and stdout (the only transport; accepted for editors).")
def lsp_command(policies_dir: Path | None, schemas_dir: Path | None, stdio: bool) -> None:
    """Run the language server for .vk policies: diagnostics, hover, definitions, formatting, code lenses."""
    try:
        from ..lsp.server import serve
    except ImportError as error:
        echo(f"vilkar lsp needs the language server extra ({error.name} is missing): pip install 'vilkar[lsp]'",
             err=True)
        raise SystemExit(EXIT_INPUT)
    serve(policies_dir, schemas_dir)
