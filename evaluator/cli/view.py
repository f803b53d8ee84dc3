"""`vilkar view`: the contract beside its rules, as one static HTML page."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

import click

from .common import EXIT_INPUT, echo, find_rule_set, find_schemas, policies_option, report_request_error, \
    schemas_option


@click.command("view")
@click.option("--out", "out", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the page to this file (default: standard output).")
@click.option("--request", "request_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Also decide this request: its deciding clauses are outlined, its business time drawn.")
@policies_option
@schemas_option
@click.option("--tests", "tests_dir", type=click.Path(exists=True, path_type=Path),
              help="Policy tests for coverage per clause (default: [tool.vilkar] tests, else tests/policies/ "
                   "when it exists).")
@click.option("--status", "status_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Clause statuses legal maintains (default: contract/status.yaml beside the policies).")
def view_command(out: Path | None, request_file: Path | None, policies_dir: str | None, schemas_dir: str | None,
                 tests_dir: Path | None, status_file: Path | None) -> None:
    """Show the contract section by section beside the rules citing it, with status and test coverage."""
    try:
        import pygments  # noqa: F401
    except ImportError:
        echo("vilkar view highlights policies with Pygments, which is missing: pip install 'vilkar[lsp]'", err=True)
        raise SystemExit(EXIT_INPUT)
    from ..api import load_rule_set
    from ..errors import PolicyError, RequestError
    from ..rule_set import NotFound, contract_beside, resolve_tests
    from ..requests.documents import DocumentError, read_document
    from ..tools.clauses import parse_contract
    from ..tools.testing import CaseFileError, discover, load_cases
    from ..tools.view.model import ViewError, add_coverage, build_view, mark_decided, read_sources
    from ..tools.view.page import render
    from ..tools.view.timeline import request_timelines

    rule_set = find_rule_set(policies_dir, uses=True, command="view")  # SPEC §8.1, like every command
    path, files = rule_set.root, list(rule_set.files)
    try:
        policies = load_rule_set(rule_set, find_schemas(schemas_dir, "view"))
    except PolicyError as error:
        echo(str(error), err=True)
        echo("vilkar view: the rule set does not load; nothing was written", err=True)
        echo(rule_set.summary(), err=True)
        raise SystemExit(EXIT_INPUT)
    contract_file = contract_beside(path)
    if contract_file is None:
        echo(f"vilkar view: no contract text (contract/*.txt) beside {path}", err=True)
        raise SystemExit(EXIT_INPUT)
    status_path = status_file or _status_beside(contract_file)
    sources = read_sources(files, {file: rule_set.display_name(file) for file in files})
    try:
        view = build_view(sources, parse_contract(contract_file.read_text(encoding="utf-8")),
                          status_path.read_text(encoding="utf-8") if status_path else None,
                          str(status_path) if status_path else "status.yaml",
                          rule_set={**rule_set.describe(), "path": rule_set.shown_path()})
    except ViewError as error:
        echo(f"vilkar view: {error}", err=True)
        raise SystemExit(EXIT_INPUT)
    for warning in view.warnings:
        echo(f"vilkar view: warning: {warning}", err=True)
    try:  # policy tests are found as `vilkar test` finds them; without any the page shows no coverage
        tests = resolve_tests([tests_dir] if tests_dir else [])
    except NotFound as error:
        tests = []
        if error.looked and error.looked[0].startswith("[tool.vilkar]"):  # configured, but not there
            echo(f"vilkar view: warning: {error.looked[0]}; the page shows no test coverage", err=True)
    if tests:
        try:
            add_coverage(view, policies, [case for file in discover(tests) for case in load_cases(file)])
        except CaseFileError as error:
            echo(f"vilkar view: {error}", err=True)
            raise SystemExit(EXIT_INPUT)
    request = None
    if request_file is not None:
        try:
            document = read_document(str(request_file), request_file.read_text(encoding="utf-8"))
            result = policies.evaluate(document.data)
        except (OSError, UnicodeDecodeError, DocumentError) as error:
            echo(f"vilkar view: {error}", err=True)
            raise SystemExit(EXIT_INPUT)
        except RequestError as error:
            report_request_error(document, error, "text")
            raise SystemExit(EXIT_INPUT)
        mark_decided(view, result)
        from ..explain.html import summary_html
        request = {"name": request_file.name, "kind": result.kind,
                   "decisions": list(result.texts().items()),
                   "timelines": request_timelines(policies, result),
                   "explanation": summary_html(result.explanation())}
    _write(render(view, request), out)
    counts = view.counts()
    shown = ", ".join(f"{counts[status]} {'partly encoded' if status == 'partly' else status}" for status in counts)
    echo(f"{'wrote ' + str(out) + ': ' if out else ''}{len(view.clauses)} clauses ({shown}), {len(view.rules)} rules"
         f"{'' if view.tests is None else f', {view.tests} policy tests'}; {rule_set.summary()}", err=True)


def _status_beside(contract_file: Path) -> Path | None:
    from ..resources import data_dir
    for candidate in (contract_file.parent / "status.yaml", data_dir("policies") / "contract" / "status.yaml"):
        if candidate.is_file():
            return candidate
    return None


def _write(page: str, out: Path | None) -> None:
    """The whole page or nothing: written beside the target and renamed over it."""
    if out is None:
        click.echo(page)
        return
    try:
        handle, temporary = tempfile.mkstemp(dir=out.parent if str(out.parent) else ".", prefix=".vilkar-view-")
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(page)
        mask = os.umask(0)
        os.umask(mask)
        os.chmod(temporary, 0o666 & ~mask)  # mkstemp makes the file private; the page is not
        os.replace(temporary, out)
    except OSError as error:
        echo(f"vilkar view: cannot write {out}: {error}", err=True)
        raise SystemExit(EXIT_INPUT)
