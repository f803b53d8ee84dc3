"""`vilkar lsp` end to end: a real client (pytest-lsp) talks to the installed command over stdio."""
from __future__ import annotations

import asyncio
import shutil
import sys
import time
from pathlib import Path

import pytest

pytest_lsp = pytest.importorskip("pytest_lsp", reason="the LSP tests need the [test] extra (pytest-lsp)")
from lsprotocol import types  # noqa: E402
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities  # noqa: E402

from evaluator.language.source import Source  # noqa: E402
from evaluator.tools.fmt import format_source  # noqa: E402
from evaluator.tools.lint import lint, load_context  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.asyncio(loop_scope="module")


def _command() -> list[str]:
    installed = Path(sys.executable).parent / "vilkar"
    if installed.exists():
        return [str(installed), "lsp"]
    return [sys.executable, "-c", "from evaluator.cli import main; main()", "lsp"]


@pytest.fixture(scope="module")
def workspace(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("workspace")
    shutil.copytree(ROOT / "policies", folder / "policies")
    (folder / "policies" / "cancellation.request.yaml").write_text(
        (ROOT / "samples" / "cancellation-9-days-notice.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    return folder


@pytest_lsp.fixture(scope="module", config=ClientServerConfig(server_command=_command()))
async def client(lsp_client: LanguageClient, workspace: Path):
    await lsp_client.initialize_session(types.InitializeParams(
        capabilities=client_capabilities("visual-studio-code"),
        workspace_folders=[types.WorkspaceFolder(uri=workspace.as_uri(), name="workspace")]))
    yield
    await lsp_client.shutdown_session()


async def _diagnostics(client: LanguageClient, uri: str, timeout: float = 5.0) -> list[types.Diagnostic]:
    deadline = time.monotonic() + timeout
    while uri not in client.diagnostics:
        if time.monotonic() > deadline:
            raise AssertionError(f"no diagnostics for {uri} within {timeout} s")
        await asyncio.sleep(0.01)
    return list(client.diagnostics[uri])


def _open(client: LanguageClient, path: Path, text: str, version: int = 1) -> str:
    uri = path.as_uri()
    client.diagnostics.pop(uri, None)
    client.text_document_did_open(types.DidOpenTextDocumentParams(
        text_document=types.TextDocumentItem(uri=uri, language_id="vilkar", version=version, text=text)))
    return uri


def _lint_ranges(path: Path, text: str, tmp: Path) -> list[tuple[str, int, int, int, int]]:
    """What `vilkar lint` reports for the same text: code and 0-based line/column range."""
    shutil.copytree(path.parent, tmp, dirs_exist_ok=True)
    (tmp / path.name).write_text(text, encoding="utf-8")
    findings = lint(load_context([tmp]))
    return sorted((f.code, f.span.line - 1, f.span.col - 1, f.span.end_line - 1, f.span.end_col - 1)
                  for f in findings if Path(f.span.file).name == path.name)


def _position(text: str, needle: str, shift: int = 0) -> types.Position:
    offset = text.index(needle) + shift
    line = text.count("\n", 0, offset)
    return types.Position(line=line, character=offset - (text.rfind("\n", 0, offset) + 1))


async def test_clean_policy_has_no_diagnostics(client: LanguageClient, workspace: Path):
    path = workspace / "policies" / "cancellation.vk"
    uri = _open(client, path, path.read_text(encoding="utf-8"))
    assert await _diagnostics(client, uri) == []


async def test_seeded_error_is_reported_within_a_second_at_lints_range(client: LanguageClient, workspace: Path,
                                                                       tmp_path: Path):
    path = workspace / "policies" / "cancellation.vk"
    text = path.read_text(encoding="utf-8")
    uri = _open(client, path, text, version=2)
    await _diagnostics(client, uri)
    broken = text.replace("request.service_start - request.cancelled_on", "request.service_start - request.canceled_on")
    client.diagnostics.pop(uri, None)
    started = time.monotonic()
    client.text_document_did_change(types.DidChangeTextDocumentParams(
        text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=3),
        content_changes=[types.TextDocumentContentChangeWholeDocument(text=broken)]))
    diagnostics = await _diagnostics(client, uri, timeout=1.0)
    elapsed = time.monotonic() - started
    assert elapsed < 1.0
    got = sorted((str(d.code), d.range.start.line, d.range.start.character, d.range.end.line, d.range.end.character)
                 for d in diagnostics)
    assert got == _lint_ranges(path, broken, tmp_path / "lint")
    assert any(code == "VK102" for code, *_ in got)
    seeded = next(d for d in diagnostics if d.code == "VK102")
    line = broken.splitlines()[seeded.range.start.line]
    assert line[seeded.range.start.character:seeded.range.end.character].startswith("request.canceled_on")
    # put the file back, and the finding goes away
    client.diagnostics.pop(uri, None)
    client.text_document_did_change(types.DidChangeTextDocumentParams(
        text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=4),
        content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)]))
    assert await _diagnostics(client, uri) == []


async def test_hover_on_a_citation_shows_the_danish_clause(client: LanguageClient, workspace: Path):
    path = workspace / "policies" / "cancellation.vk"
    text = path.read_text(encoding="utf-8")
    uri = _open(client, path, text, version=5)
    result = await client.text_document_hover_async(types.HoverParams(
        text_document=types.TextDocumentIdentifier(uri=uri), position=_position(text, "cites \"2.6", 10)))
    assert result is not None
    assert "Annulleringspolitik" in result.contents.value
    assert "mindst 14 dage i forvejen for at få en fuld refusion" in result.contents.value


async def test_hover_on_a_request_field_shows_the_schema(client: LanguageClient, workspace: Path):
    path = workspace / "policies" / "incident.vk"
    text = path.read_text(encoding="utf-8")
    uri = _open(client, path, text)
    result = await client.text_document_hover_async(types.HoverParams(
        text_document=types.TextDocumentIdentifier(uri=uri), position=_position(text, "request.severity", 10)))
    assert result is not None
    assert "Allowed values: `1`, `A`, `B`, `C`" in result.contents.value


async def test_definition_and_references(client: LanguageClient, workspace: Path):
    path = workspace / "policies" / "cancellation.vk"
    text = path.read_text(encoding="utf-8")
    uri = _open(client, path, text, version=6)
    use = _position(text, "tiers of notice_days", len("tiers of "))
    locations = await client.text_document_definition_async(types.DefinitionParams(
        text_document=types.TextDocumentIdentifier(uri=uri), position=use))
    assert locations and locations[0].uri == uri
    assert locations[0].range.start == _position(text, "decision notice_days", len("decision "))
    references = await client.text_document_references_async(types.ReferenceParams(
        text_document=types.TextDocumentIdentifier(uri=uri), position=use,
        context=types.ReferenceContext(include_declaration=False)))
    assert [r.range.start for r in references] == [use]


async def test_formatting_equals_vilkar_fmt(client: LanguageClient, workspace: Path):
    path = workspace / "policies" / "cancellation.vk"
    messy = path.read_text(encoding="utf-8").replace("decision fee: money USD\n  cites", "decision   fee: money USD\n      cites")
    uri = _open(client, path, messy, version=7)
    edits = await client.text_document_formatting_async(types.DocumentFormattingParams(
        text_document=types.TextDocumentIdentifier(uri=uri),
        options=types.FormattingOptions(tab_size=2, insert_spaces=True)))
    assert edits, "a messy file gets an edit"
    assert len(edits) == 1 and edits[0].range.start == types.Position(0, 0)
    assert edits[0].new_text == format_source(Source.of(str(path), messy))


async def test_quick_fix_for_a_misspelt_name(client: LanguageClient, workspace: Path):
    path = workspace / "policies" / "cancellation.vk"
    broken = path.read_text(encoding="utf-8").replace("= fee_percent of", "= fee_percnt of")
    uri = _open(client, path, broken, version=8)
    diagnostic = next(d for d in await _diagnostics(client, uri) if d.code == "VK101")
    actions = await client.text_document_code_action_async(types.CodeActionParams(
        text_document=types.TextDocumentIdentifier(uri=uri), range=diagnostic.range,
        context=types.CodeActionContext(diagnostics=[diagnostic])))
    assert [a.title for a in actions] == ["Change `fee_percnt` to `fee_percent`"]
    edit = actions[0].edit.changes[uri][0]
    assert edit.range == diagnostic.range and edit.new_text == "fee_percent"


async def test_code_lens_evaluates_the_nearest_request(client: LanguageClient, workspace: Path):
    path = workspace / "policies" / "cancellation.vk"
    uri = _open(client, path, path.read_text(encoding="utf-8"), version=9)
    found = await client.text_document_code_lens_async(types.CodeLensParams(
        text_document=types.TextDocumentIdentifier(uri=uri)))
    assert len(found) == 1
    title = found[0].command.title
    assert title.startswith("Evaluate cancellation.request.yaml: ")
    assert "USD 6,250.00" in title  # the fee and the refund: the headline of the explanation
    text = await client.workspace_execute_command_async(types.ExecuteCommandParams(
        command=found[0].command.command, arguments=found[0].command.arguments))
    assert "fee_percent: 50%" in text


async def test_document_symbols(client: LanguageClient, workspace: Path):
    path = workspace / "policies" / "cancellation.vk"
    uri = _open(client, path, path.read_text(encoding="utf-8"), version=10)
    symbols = await client.text_document_document_symbol_async(types.DocumentSymbolParams(
        text_document=types.TextDocumentIdentifier(uri=uri)))
    assert [s.name for s in symbols] == ["cancellation"]
    assert [c.name for c in symbols[0].children] == ["notice_days", "fee_percent", "fee", "refund"]
