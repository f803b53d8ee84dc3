"""`vilkar test`: run YAML policy tests with clause coverage."""
from __future__ import annotations

from pathlib import Path

import click

from ..errors import PolicyError
from ..rule_set import NotFound, resolve_tests

from .common import (
    EXIT_FINDINGS,
    EXIT_INPUT,
    EXIT_OK,
    echo,
    load_rule_set,
    policies_option,
    schemas_option,
    style,
)


@click.command("test")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--junit", "junit_file", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write the results as JUnit XML to this file.")
@click.option("--fail-under", type=click.FloatRange(0, 100), default=None,
              help="Exit 1 if clause coverage is below this percentage.")
@click.option("-q", "--quiet", is_flag=True, help="Print only failures and the summary.")
@policies_option
@schemas_option
def test_command(paths: tuple[Path, ...], junit_file: Path | None, fail_under: float | None, quiet: bool,
                 policies_dir: str | None, schemas_dir: str | None) -> None:
    """Run policy tests (YAML: request + expected decisions or errors) with clause coverage.

    The tests are the PATHs given, else `[tool.vilkar] tests`, else tests/policies/; the rule set is never
    the bundled copy.
    """
    from ..tools.testing import CaseFileError, discover, junit_error_xml, junit_xml, load_cases, run

    def rule_set_failed(error: PolicyError) -> None:
        if junit_file is not None:
            junit_file.write_text(junit_error_xml(error), encoding="utf-8")

    policies = load_rule_set(policies_dir, schemas_dir, uses=False, command="test", on_failure=rule_set_failed)
    try:
        found = resolve_tests(list(paths))
        files = discover(found)
        cases = [case for file in files for case in load_cases(file)]
    except NotFound as error:
        echo(f"vilkar test: {error}", err=True)
        raise SystemExit(EXIT_INPUT)
    except CaseFileError as error:
        echo(f"vilkar test: {error}", err=True)
        raise SystemExit(EXIT_INPUT)
    if not cases:
        where = ", ".join(str(path) for path in found)
        echo(f"vilkar test: no test cases found: looked for YAML files with `cases:` in {where}", err=True)
        raise SystemExit(EXIT_INPUT)
    report = run(policies, cases)
    current = None
    for result in report.results:
        if quiet and result.passed:
            continue
        if result.case.file != current:
            current = result.case.file
            echo(style(current, bold=True))
        mark = style("ok  ", fg="green") if result.passed else style("FAIL", fg="red", bold=True)
        echo(f"  {mark} {result.case.name}" + ("" if result.passed else f"  ({result.case.file}:{result.case.line})"))
        for problem in result.problems:
            echo(f"         {problem}")
    universe = report.coverage.universe(policies)
    missing = report.coverage.missing(policies)
    percent = 100.0 * (len(universe) - len(missing)) / len(universe) if universe else 100.0
    failed = len(report.failed)
    echo("")
    echo(f"{len(report.results)} cases: {len(report.results) - failed} passed, {failed} failed")
    echo(f"clause coverage: {len(universe) - len(missing)} of {len(universe)} rules ({percent:.1f}%)")
    if policies.rule_set is not None:
        echo(policies.rule_set.summary())
    if missing:
        echo("rules no case made decide:")
        for kind, name, index, rule in missing:
            echo(f"  {kind}: `{name}` {rule.role} `{rule.text}` at {rule.source}"
                  + (f"  cites {rule.cites}" if rule.cites else ""))
    if junit_file is not None:
        junit_file.write_text(junit_xml(report), encoding="utf-8")
    too_low = fail_under is not None and percent < fail_under
    raise SystemExit(EXIT_FINDINGS if failed or too_low else EXIT_OK)
