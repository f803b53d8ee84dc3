"""The `vilkar` command: argument parsing, output and exit codes (0 ok, 1 findings, 2 usage or input error)."""
from __future__ import annotations

import json
import os
import sys
from typing import Any, Iterator

from pathlib import Path

import click

from .api import PolicySet, default_policies, load_policies
from .requests.documents import Document, DocumentError, read_document
from .errors import PolicyError, RequestError
from .result import Result, json_value
from .language.diagnostics import did_you_mean

EXIT_OK, EXIT_FINDINGS, EXIT_INPUT = 0, 1, 2


def _colour() -> bool | None:
    return False if os.environ.get("NO_COLOR") else None  # None: click colours only on a terminal


def _echo(text: str, err: bool = False) -> None:
    click.echo(text, err=err, color=_colour())


def _style(text: str, **style: Any) -> str:
    return click.style(text, **style)


def _policies(directory: str | None) -> PolicySet:
    try:
        return load_policies(directory) if directory else default_policies()
    except PolicyError as error:
        _echo(str(error), err=True)
        _echo(_style(f"the rule set has {len(error.diagnostics)} problem(s); nothing was evaluated", fg="red"),
              err=True)
        raise SystemExit(EXIT_INPUT)


def _documents(files: tuple[str, ...]) -> Iterator[Document | DocumentError]:
    for name in files:
        try:
            if name == "-":
                text = sys.stdin.read()
            else:
                with open(name, encoding="utf-8") as handle:
                    text = handle.read()
        except (OSError, UnicodeDecodeError) as error:
            yield DocumentError(f"{name}: cannot read: {error}")
            continue
        try:
            yield read_document(name, text)
        except DocumentError as error:
            yield error


def _report_request_error(document: Document, error: RequestError, output: str) -> None:
    problems = [document.locate(problem) for problem in error.errors]
    if output == "json":
        _echo(json.dumps({"file": document.name, "valid": False, "errors": [p.to_dict() for p in problems]},
                         ensure_ascii=False, indent=2))
        return
    _echo(_style(f"{document.name}: invalid request ({len(problems)} problem{'s' if len(problems) != 1 else ''})",
                 fg="red", bold=True), err=True)
    for problem in problems:
        where = f"{document.name}:{problem.line}:{problem.col}: " if problem.line is not None else ""
        value = f" (got {json.dumps(_plain(problem.value), ensure_ascii=False)})" if problem.has_value else ""
        _echo(f"  {where}{problem.pointer or '/'}: {problem.message}{value}", err=True)
        if problem.hint:
            _echo(f"    = hint: {problem.hint}", err=True)


def _plain(value: Any) -> Any:
    from .errors import _json_safe
    return _json_safe(value)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="vilkar")
def main() -> None:
    """vilkar: contract terms as policy code.

    Evaluate request documents against the support contract's policies, with the clause behind every value.
    """


_policies_option = click.option("--policies", "policies_dir", metavar="DIR", envvar="VILKAR_POLICIES",
                                help="A directory of *.vk policies (default: the bundled rule set).")


@main.command("eval")
@click.argument("files", nargs=-1, required=True)
@click.option("--explain", is_flag=True, help="Say why each decision has its value, with its clause.")
@click.option("--format", "output", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--batch", is_flag=True, help="Read JSON Lines (one request per line), write JSON Lines in order.")
@click.option("--workers", type=click.IntRange(min=1), default=None,
              help="Processes for --batch (default: every core this process may use).")
@_policies_option
def eval_command(files: tuple[str, ...], explain: bool, output: str, batch: bool, workers: int | None,
                 policies_dir: str | None) -> None:
    """Evaluate request documents (YAML or JSON; `-` reads stdin)."""
    if batch:
        _batch(files, explain, workers, policies_dir)
    policies = _policies(policies_dir)
    status = EXIT_OK
    results: list[dict[str, Any]] = []
    for document in _documents(files):
        if isinstance(document, DocumentError):
            _echo(str(document), err=True)
            status = EXIT_INPUT
            continue
        try:
            result = policies.evaluate(document.data)
        except RequestError as error:
            _report_request_error(document, error, output)
            status = EXIT_INPUT
            continue
        if output == "json":
            entry = result.to_dict()
            entry["file"] = document.name
            results.append(entry)
        else:
            _echo(_text_result(document.name, result, explain))
    if output == "json" and results:
        _echo(json.dumps(results[0] if len(files) == 1 else results, ensure_ascii=False, indent=2))
    raise SystemExit(status)


def _batch(files: tuple[str, ...], explain: bool, workers: int | None, policies_dir: str | None) -> None:
    from .batch import default_workers, file_tasks, run_batch, stream_tasks
    _policies(policies_dir)  # a rule set that does not load is reported once, here, not by every worker
    failed_total = 0
    for name in files:
        if name != "-" and not os.path.isfile(name):
            _echo(f"{name}: cannot read: no such file", err=True)
            raise SystemExit(EXIT_INPUT)
        tasks = stream_tasks(sys.stdin) if name == "-" else file_tasks(name)
        size = os.path.getsize(name) if name != "-" else 0
        show = sys.stderr.isatty() and size > 0
        with click.progressbar(length=size, label=name, file=sys.stderr, show_eta=True, color=_colour()) \
                if show else _NoProgress() as bar:
            progress = (lambda task: bar.update(task[3])) if show else None
            _, failed = run_batch(tasks, sys.stdout, policies_dir, workers or default_workers(), explain, progress)
        failed_total += failed
    raise SystemExit(EXIT_INPUT if failed_total else EXIT_OK)


class _NoProgress:
    def __enter__(self) -> _NoProgress:
        return self

    def __exit__(self, *exc: object) -> None:
        return None


def _text_result(name: str, result: Result, explain: bool) -> str:
    if explain:
        return f"{_style(name, bold=True)}\n{result.explain()}\n"
    decisions = result.to_dict()["decisions"]
    width = max((len(k) for k in decisions), default=0)
    lines = [_style(f"{name}: {result.kind}", bold=True)]
    for key, value in decisions.items():
        lines.append(f"  {key.ljust(width)}  {_text_value(value)}")
    return "\n".join(lines) + "\n"


def _text_value(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


@main.command("validate")
@click.argument("files", nargs=-1, required=True)
@click.option("--format", "output", type=click.Choice(["text", "json"]), default="text", show_default=True)
@_policies_option
def validate_command(files: tuple[str, ...], output: str, policies_dir: str | None) -> None:
    """Check request documents against their kind's schema, without deciding them."""
    policies = _policies(policies_dir)
    status = EXIT_OK
    for document in _documents(files):
        if isinstance(document, DocumentError):
            _echo(str(document), err=True)
            status = EXIT_INPUT
            continue
        try:
            policies.validate(document.data)
        except RequestError as error:
            _report_request_error(document, error, output)
            status = max(status, EXIT_FINDINGS)
            continue
        if output == "json":
            _echo(json.dumps({"file": document.name, "valid": True, "errors": []}))
        else:
            _echo(f"{document.name}: {_style('valid', fg='green')} {document.data.get('kind')} request")
    raise SystemExit(status)


@main.command("lint")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option("--format", "output", type=click.Choice(["text", "json", "sarif", "github"]), default="text",
              show_default=True)
@click.option("--explain", "explain_code", metavar="CODE", help="Print the documentation of a rule code and exit.")
@click.option("--contract", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="The contract text citations are checked against (default: contract/*.txt beside the policies).")
def lint_command(paths: tuple[Path, ...], output: str, explain_code: str | None, contract: Path | None) -> None:
    """Check policies: every checker error plus the lint rules (tier gaps and overlaps, dead rows, citations...)."""
    from .tools.lint import RULES, explain, lint, load_context
    from .tools.lint.formats import as_github, as_json, as_sarif, as_text
    if explain_code:
        text = explain(explain_code)
        if text is None:
            _echo(f"vilkar lint: there is no rule {explain_code}", err=True)
            raise SystemExit(EXIT_INPUT)
        _echo(text)
        raise SystemExit(EXIT_OK)
    try:
        default = [Path("policies")] if Path("policies").is_dir() else []
        context = load_context(list(paths) or default, contract=contract)
    except PolicyError as error:
        _echo(str(error), err=True)
        raise SystemExit(EXIT_INPUT)
    findings = lint(context)
    if output == "json":
        _echo(as_json(findings))
    elif output == "sarif":
        _echo(as_sarif(findings, [(r.CODE, r.NAME, (r.__doc__ or "").strip()) for r in RULES], _version()))
    elif output == "github":
        if findings:
            _echo(as_github(findings))
    else:
        _echo(as_text(findings, context.sources))
    raise SystemExit(EXIT_FINDINGS if findings else EXIT_OK)


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version
    try:
        return version("vilkar")
    except PackageNotFoundError:
        return "0"


@main.command("fmt")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option("--check", is_flag=True, help="Change nothing; exit 1 if a file is not formatted.")
@click.option("--diff", "show_diff", is_flag=True, help="Change nothing; print what formatting would change.")
def fmt_command(paths: tuple[Path, ...], check: bool, show_diff: bool) -> None:
    """Format policy files in the one canonical layout (comments kept, meaning unchanged)."""
    import difflib

    from .api import _policy_files
    from .tools.fmt import format_source
    from .language.parser import ParseError
    from .language.source import Source
    files = [file for path in (paths or (Path("policies"),)) for file in _policy_files(path)]
    changed, broken = [], 0
    for file in files:
        text = file.read_text(encoding="utf-8")
        source = Source.of(str(file), text)
        try:
            formatted = format_source(source)
        except ParseError as error:
            from .language.diagnostics import render
            _echo(render(error.diagnostic, {source.name: source}), err=True)
            broken += 1
            continue
        if formatted == text:
            continue
        changed.append(file)
        if show_diff:
            _echo("".join(difflib.unified_diff(text.splitlines(True), formatted.splitlines(True),
                                               f"{file} (original)", f"{file} (formatted)")))
        elif check:
            _echo(f"would reformat {file}")
        else:
            file.write_text(formatted, encoding="utf-8")
            _echo(f"reformatted {file}")
    if broken:
        raise SystemExit(EXIT_INPUT)
    if check or show_diff:
        summary = f"{len(changed)} file(s) would be reformatted, {len(files) - len(changed)} already formatted"
        _echo(summary if changed else f"{len(files)} file(s) already formatted")
        raise SystemExit(EXIT_FINDINGS if changed else EXIT_OK)
    _echo(f"{len(changed)} file(s) reformatted, {len(files) - len(changed)} left unchanged")


@main.command("test")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--junit", "junit_file", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write the results as JUnit XML to this file.")
@click.option("--fail-under", type=click.FloatRange(0, 100), default=None,
              help="Exit 1 if clause coverage is below this percentage.")
@click.option("-q", "--quiet", is_flag=True, help="Print only failures and the summary.")
@_policies_option
def test_command(paths: tuple[Path, ...], junit_file: Path | None, fail_under: float | None, quiet: bool,
                 policies_dir: str | None) -> None:
    """Run policy tests (YAML: request + expected decisions or errors; default tests/policies/) with clause coverage."""
    from .tools.testing import CaseFileError, discover, junit_xml, load_cases, run
    policies = _policies(policies_dir)
    try:
        cases = [case for file in discover(list(paths)) for case in load_cases(file)]
    except CaseFileError as error:
        _echo(f"vilkar test: {error}", err=True)
        raise SystemExit(EXIT_INPUT)
    if not cases:
        _echo("vilkar test: no test cases found (looked in tests/policies/ or the paths given)", err=True)
        raise SystemExit(EXIT_INPUT)
    report = run(policies, cases)
    current = None
    for result in report.results:
        if quiet and result.passed:
            continue
        if result.case.file != current:
            current = result.case.file
            _echo(_style(current, bold=True))
        mark = _style("ok  ", fg="green") if result.passed else _style("FAIL", fg="red", bold=True)
        _echo(f"  {mark} {result.case.name}" + ("" if result.passed else f"  ({result.case.file}:{result.case.line})"))
        for problem in result.problems:
            _echo(f"         {problem}")
    universe = report.coverage.universe(policies)
    missing = report.coverage.missing(policies)
    percent = 100.0 * (len(universe) - len(missing)) / len(universe) if universe else 100.0
    failed = len(report.failed)
    _echo("")
    _echo(f"{len(report.results)} cases: {len(report.results) - failed} passed, {failed} failed")
    _echo(f"clause coverage: {len(universe) - len(missing)} of {len(universe)} rules ({percent:.1f}%)")
    if missing:
        _echo("rules no case made decide:")
        for kind, name, index, rule in missing:
            _echo(f"  {kind}: `{name}` {rule.role} `{rule.text}` at {rule.source}"
                  + (f"  cites {rule.cites}" if rule.cites else ""))
    if junit_file is not None:
        junit_file.write_text(junit_xml(report), encoding="utf-8")
    too_low = fail_under is not None and percent < fail_under
    raise SystemExit(EXIT_FINDINGS if failed or too_low else EXIT_OK)


@main.command("schema")
@click.argument("kind")
@_policies_option
def schema_command(kind: str, policies_dir: str | None) -> None:
    """Print the JSON schema of a request kind."""
    policies = _policies(policies_dir)
    if kind not in policies.schemas:
        hint = did_you_mean(kind, policies.schemas) or f"the kinds are: {', '.join(sorted(policies.schemas))}"
        _echo(f"vilkar schema: there is no kind `{kind}`; {hint}", err=True)
        raise SystemExit(EXIT_INPUT)
    _echo(json.dumps(policies.schemas[kind], ensure_ascii=False, indent=2))


__all__ = ["main", "json_value"]


if __name__ == "__main__":
    main()
