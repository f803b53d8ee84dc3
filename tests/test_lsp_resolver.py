"""`vilkar lsp` finds a project's rule set, schemas and lint settings as every command does (SPEC §8.1),
here from a pyproject.toml that puts them where no default looks; a real client over stdio."""
from __future__ import annotations

import asyncio
import json
import shutil
import time
from pathlib import Path

import pytest

pytest_lsp = pytest.importorskip("pytest_lsp", reason="the LSP tests need the [test] extra (pytest-lsp)")
from lsprotocol import types  # noqa: E402
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities  # noqa: E402

from test_lsp_server import _command, _open, _position  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.asyncio(loop_scope="module")
SEVERITY = "Severity as this project's own schemas describe it."


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("project")
    shutil.copytree(ROOT / "policies", folder / "contract-rules")
    shutil.copytree(ROOT / "schemas", folder / "request-schemas")
    schema_file = folder / "request-schemas" / "incident.schema.json"
    schema = json.loads(schema_file.read_text(encoding="utf-8"))
    schema["properties"]["severity"]["description"] = SEVERITY
    schema_file.write_text(json.dumps(schema, ensure_ascii=False, indent=2), encoding="utf-8")
    (folder / "pyproject.toml").write_text(
        '[tool.vilkar]\npolicies = "contract-rules"\nschemas = "request-schemas"\n'
        '[tool.vilkar.lint]\nignore = ["VK206"]\n', encoding="utf-8")
    return folder


@pytest_lsp.fixture(scope="module", config=ClientServerConfig(server_command=_command()))
async def client(lsp_client: LanguageClient, project: Path):
    await lsp_client.initialize_session(types.InitializeParams(
        capabilities=client_capabilities("visual-studio-code"),
        workspace_folders=[types.WorkspaceFolder(uri=project.as_uri(), name="project")]))
    yield
    await lsp_client.shutdown_session()


async def _published(client: LanguageClient, uri: str, timeout: float = 10.0) -> list[types.Diagnostic]:
    deadline = time.monotonic() + timeout
    while uri not in client.diagnostics:
        assert time.monotonic() < deadline, f"no diagnostics for {uri}"
        await asyncio.sleep(0.01)
    return list(client.diagnostics[uri])


async def test_the_rule_set_is_named_as_the_resolver_found_it(client: LanguageClient, project: Path):
    path = project / "contract-rules" / "cancellation.vk"
    uri = _open(client, path, path.read_text(encoding="utf-8"))
    assert await _published(client, uri) == []
    logged = "\n".join(message.message for message in client.log_messages)
    assert "cancellation.vk: rule set: " in logged
    assert f"found by [tool.vilkar] policies in {project.resolve() / 'pyproject.toml'}" in logged
    assert f"schemas: {project.resolve() / 'request-schemas'}" in logged


async def test_hover_reads_the_configured_schemas(client: LanguageClient, project: Path):
    path = project / "contract-rules" / "incident.vk"
    text = path.read_text(encoding="utf-8")
    uri = _open(client, path, text)
    result = await client.text_document_hover_async(types.HoverParams(
        text_document=types.TextDocumentIdentifier(uri=uri), position=_position(text, "request.severity", 10)))
    assert result is not None and SEVERITY in result.contents.value


async def test_diagnostics_follow_the_configured_lint_selection(client: LanguageClient, project: Path):
    path = project / "contract-rules" / "cancellation.vk"
    text = path.read_text(encoding="utf-8") + '\nset never_used = {"x"}\n'
    uri = _open(client, path, text, version=7)
    diagnostics = await _published(client, uri)
    assert "VK206" not in {str(d.code) for d in diagnostics}  # unused, and ignored by [tool.vilkar.lint]
    broken = text.replace("request.service_start - request.cancelled_on", "request.service_start - request.cancelled")
    client.diagnostics.pop(uri, None)
    client.text_document_did_change(types.DidChangeTextDocumentParams(
        text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=8),
        content_changes=[types.TextDocumentContentChangeWholeDocument(text=broken)]))
    assert "VK102" in {str(d.code) for d in await _published(client, uri)}  # what is not ignored still shows
