"""`vilkar fmt`: the one canonical layout of policy files."""
from __future__ import annotations

from pathlib import Path

import click

from ..errors import PolicyError
from ..rule_set import NotFound, RuleSet
from .common import EXIT_FINDINGS, EXIT_INPUT, EXIT_OK, echo, find_rule_set, policies_option


@click.command("fmt")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--check", is_flag=True, help="Change nothing; exit 1 if a file is not formatted.")
@click.option("--diff", "show_diff", is_flag=True, help="Change nothing; print what formatting would change.")
@policies_option
def fmt_command(paths: tuple[Path, ...], check: bool, show_diff: bool, policies_dir: str | None) -> None:
    """Format policy files in the one canonical layout (comments kept, meaning unchanged).

    The files are the PATHs given, else the rule set found as for every command (--policies,
    VILKAR_POLICIES, [tool.vilkar] policies, ./policies); fmt never touches the bundled copy.
    """
    import difflib

    from ..language.diagnostics import render
    from ..language.parser import ParseError
    from ..rule_set import read_source
    from ..tools.fmt import format_source
    if paths and policies_dir:
        echo("vilkar fmt: give the files either as PATHs or with --policies, not both", err=True)
        raise SystemExit(EXIT_INPUT)
    try:
        rule_set = RuleSet.of_paths(list(paths), "PATH") if paths else \
            find_rule_set(policies_dir, uses=False, command="fmt")
    except NotFound as error:
        echo(f"vilkar fmt: nothing to format: {error}", err=True)
        raise SystemExit(EXIT_INPUT)
    files = list(rule_set.files)
    changed, broken = [], 0
    for file in files:
        name = rule_set.display_name(file)
        try:
            raw = file.read_bytes()
            source = read_source(file, name)
            formatted = format_source(source)
        except OSError as error:
            echo(f"{name}: cannot read: {error.strerror or error}", err=True)
            broken += 1
            continue
        except PolicyError as error:
            echo(str(error), err=True)
            broken += 1
            continue
        except ParseError as error:
            echo(render(error.diagnostic, {source.name: source}), err=True)
            broken += 1
            continue
        if formatted.encode("utf-8") == raw:
            continue
        changed.append(file)
        if show_diff:
            echo("".join(difflib.unified_diff(source.text.splitlines(True), formatted.splitlines(True),
                                               f"{name} (original)", f"{name} (formatted)")))
        elif check:
            echo(f"would reformat {name}")
        else:
            file.write_text(formatted, encoding="utf-8", newline="\n")
            echo(f"reformatted {name}")
    where = rule_set.summary()
    if broken:
        echo(f"{broken} file(s) could not be formatted; {where}", err=True)
        raise SystemExit(EXIT_INPUT)
    if check or show_diff:
        summary = f"{len(changed)} file(s) would be reformatted, {len(files) - len(changed)} already formatted"
        echo((summary if changed else f"{len(files)} file(s) already formatted") + f"; {where}")
        raise SystemExit(EXIT_FINDINGS if changed else EXIT_OK)
    echo(f"{len(changed)} file(s) reformatted, {len(files) - len(changed)} left unchanged; {where}")
