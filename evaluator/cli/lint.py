"""`vilkar lint`: every static check of a rule set, in text, JSON, SARIF or GitHub form."""
from __future__ import annotations

from pathlib import Path

import click

from ..errors import PolicyError
from ..rule_set import NotFound, RuleSet, find_config
from .common import EXIT_FINDINGS, EXIT_INPUT, EXIT_OK, echo, find_rule_set, find_schemas, policies_option, \
    schemas_option, version


@click.command("lint")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--format", "output", type=click.Choice(["text", "json", "sarif", "github"]), default="text",
              show_default=True)
@click.option("--select", multiple=True, metavar="CODES",
              help="Run only these rules (codes or prefixes, comma-separated; replaces [tool.vilkar.lint] select).")
@click.option("--ignore", multiple=True, metavar="CODES",
              help="Do not run these rules (codes or prefixes, comma-separated; replaces [tool.vilkar.lint] ignore).")
@click.option("--strict", is_flag=True, help="Warnings fail the lint too (exit 1).")
@click.option("--explain", "explain_code", metavar="CODE", help="Print the documentation of a rule code and exit.")
@click.option("--contract", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="The contract text citations are checked against (default: contract/*.txt beside the policies).")
@policies_option
@schemas_option
def lint_command(paths: tuple[Path, ...], output: str, select: tuple[str, ...], ignore: tuple[str, ...],
                 strict: bool, explain_code: str | None, contract: Path | None, policies_dir: str | None,
                 schemas_dir: str | None) -> None:
    """Check policies: every checker error plus the lint rules (tier gaps and overlaps, dead rows, citations...).

    The rule set is the PATHs given, else found as for every command (--policies, VILKAR_POLICIES,
    [tool.vilkar] policies, ./policies); lint never checks the bundled copy. Exit 0 when nothing fails,
    1 when an error is found (or a warning, with --strict), 2 when there is nothing to lint.
    """
    from ..tools.lint import CHECKER_CODES, DOCUMENTED, explain, lint, load_context
    from ..tools.lint.config import ConfigError, LintConfig
    from ..tools.lint.formats import as_github, as_json, as_sarif, as_text
    if explain_code:
        text = explain(explain_code)
        if text is None:
            echo(f"vilkar lint: there is no rule {explain_code}", err=True)
            raise SystemExit(EXIT_INPUT)
        echo(text)
        raise SystemExit(EXIT_OK)
    if paths and policies_dir:
        echo("vilkar lint: give the rule set either as PATHs or with --policies, not both", err=True)
        raise SystemExit(EXIT_INPUT)
    try:
        found = find_config()
        config = LintConfig.from_table(found.section("lint"), f"[tool.vilkar.lint] in {found.file}")
        config = config.with_flags(select, ignore, strict)
        rule_set = RuleSet.of_paths(list(paths), "PATH") if paths else \
            find_rule_set(policies_dir, uses=False, command="lint")
    except (NotFound, ConfigError) as error:
        echo(f"vilkar lint: {error}", err=True)
        raise SystemExit(EXIT_INPUT)
    try:
        findings, sources = _lint_rule_set(rule_set, find_schemas(schemas_dir, "lint"), contract, config)
    except PolicyError as error:
        echo(str(error), err=True)
        echo(rule_set.summary(), err=True)
        raise SystemExit(EXIT_INPUT)
    if output == "json":
        echo(as_json(findings, rule_set.describe()))
    elif output == "sarif":
        rules = [(r.CODE, r.NAME, (r.__doc__ or "").strip(), config.level(r.CODE, r.SEVERITY)) for r in DOCUMENTED]
        rules += [(code, "checker", text, "error") for code, text in sorted(CHECKER_CODES.items())]
        echo(as_sarif(findings, rules, version(), rule_set.describe()))
    elif output == "github":
        if findings:
            echo(as_github(findings))
    else:
        echo(as_text(findings, sources, config.strict))
        echo(rule_set.summary())
    failing = any(config.fails(finding.severity) for finding in findings)
    raise SystemExit(EXIT_FINDINGS if failing else EXIT_OK)


def _lint_rule_set(rule_set: RuleSet, schemas: Path, contract: Path | None, config) -> tuple[list, dict]:
    """Every finding and the sources they point into; each version of a history is linted on its own."""
    from ..tools.lint import lint, load_context
    from ..versions import is_history, version_dirs

    if not is_history(rule_set.path):
        context = load_context(rule_set, schemas, contract=contract)
        return lint(context, config), context.sources
    findings, sources = [], {}
    for directory in version_dirs(rule_set.path):
        context = load_context(RuleSet.at(directory, rule_set.origin), schemas, contract=contract)
        findings.extend(lint(context, config))
        sources.update(context.sources)
    from ..api import load_policies
    try:  # the windows of the versions must tile
        load_policies(rule_set.path, schemas=schemas)
    except PolicyError as error:
        findings.extend(d for d in error.diagnostics if d.code in ("VK152", "VK153", "VK154", "VK155"))
    return findings, sources
