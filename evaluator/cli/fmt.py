"""`vilkar fmt`: the one canonical layout of policy files."""
from __future__ import annotations

from pathlib import Path

import click

from .common import EXIT_FINDINGS, EXIT_INPUT, EXIT_OK, echo


@click.command("fmt")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option("--check", is_flag=True, help="Change nothing; exit 1 if a file is not formatted.")
@click.option("--diff", "show_diff", is_flag=True, help="Change nothing; print what formatting would change.")
def fmt_command(paths: tuple[Path, ...], check: bool, show_diff: bool) -> None:
    """Format policy files in the one canonical layout (comments kept, meaning unchanged)."""
    import difflib

    from ..api import _policy_files
    from ..language.parser import ParseError
    from ..language.source import Source
    from ..tools.fmt import format_source
    files = [file for path in (paths or (Path("policies"),)) for file in _policy_files(path)]
    changed, broken = [], 0
    for file in files:
        text = file.read_text(encoding="utf-8")
        source = Source.of(str(file), text)
        try:
            formatted = format_source(source)
        except ParseError as error:
            from ..language.diagnostics import render
            echo(render(error.diagnostic, {source.name: source}), err=True)
            broken += 1
            continue
        if formatted == text:
            continue
        changed.append(file)
        if show_diff:
            echo("".join(difflib.unified_diff(text.splitlines(True), formatted.splitlines(True),
                                               f"{file} (original)", f"{file} (formatted)")))
        elif check:
            echo(f"would reformat {file}")
        else:
            file.write_text(formatted, encoding="utf-8")
            echo(f"reformatted {file}")
    if broken:
        raise SystemExit(EXIT_INPUT)
    if check or show_diff:
        summary = f"{len(changed)} file(s) would be reformatted, {len(files) - len(changed)} already formatted"
        echo(summary if changed else f"{len(files)} file(s) already formatted")
        raise SystemExit(EXIT_FINDINGS if changed else EXIT_OK)
    echo(f"{len(changed)} file(s) reformatted, {len(files) - len(changed)} left unchanged")
