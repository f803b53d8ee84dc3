"""The protocol layer of `vilkar lsp` on pygls: LSP messages in, answers of the pure modules out."""
from __future__ import annotations

import asyncio
import os
from pathlib import Path

from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.uris import from_fs_path, to_fs_path

from ..language.diagnostics import Diagnostic
from ..language.source import Source, Span
from . import positions
from .actions import formatted, quick_fixes
from .hover import hover
from .lens import COMMAND, evaluate_request, lenses
from .workspace import Analysis, Located, analyse, locate

DEBOUNCE_SECONDS = 0.15  # typing pauses this long before the rule set is checked again


class VilkarServer(LanguageServer):
    """A language server whose analyses are cached per rule set until a text changes."""

    def __init__(self, policies: Path | None = None, schemas: Path | None = None):
        super().__init__("vilkar", _version())
        self.policies = policies
        self.schemas = schemas
        self.environ: dict[str, str] | None = None  # VILKAR_* as absolute paths, read once at start
        self.root: Path | None = None
        self.locations: dict[Path, Located] = {}  # open file: its rule set, as the resolver found it
        self.told: dict[Path, str] = {}  # what the editor's log was last told about each file's rule set
        self.analyses: dict[tuple, Analysis] = {}
        self.pending: dict[tuple, asyncio.Task] = {}
        self.published: dict[tuple, set[str]] = {}

    # -- analyses
    def located(self, uri: str) -> Located:
        path = Path(to_fs_path(uri) or uri).resolve()
        found = self.locations.get(path)
        if found is None:
            found = self.locations[path] = locate(path, self.policies, self.schemas, self.root, self.environ)
            message = f"vilkar lsp: {path.name}: {found.summary()}"
            if found.problem:
                message += f"\n{found.problem}"
            if self.told.get(path) != message:  # looked up again on every open and save; said when it changes
                self.told[path] = message
                self.window_log_message(types.LogMessageParams(
                    type=types.MessageType.Warning if found.problem else types.MessageType.Info, message=message))
        return found

    def directory_of(self, uri: str) -> tuple:
        found = self.located(uri)
        return found.directory, found.files, found.schemas

    def analysis(self, uri: str) -> Analysis:
        key = self.directory_of(uri)
        if key not in self.analyses:
            found = self.located(uri)
            open_texts = {}
            for document in self.workspace.text_documents.values():
                path = to_fs_path(document.uri)
                if path and path.endswith(".vk"):
                    open_texts[str(Path(path).resolve())] = document.source
            self.analyses[key] = analyse(found.directory, open_texts, found.schemas, found.files,
                                         found.lint_config)
        return self.analyses[key]

    def changed(self, uri: str) -> None:
        self.analyses.pop(self.directory_of(uri), None)

    def look_again(self) -> None:
        """Resolve rule sets afresh: a configuration file may have changed since."""
        self.locations.clear()

    def publish(self, uri: str) -> None:
        """Diagnostics for every file of the rule set, and an empty list where a finding has gone."""
        directory = self.directory_of(uri)
        analysis = self.analysis(uri)
        files = set(analysis.sources)
        files |= {f.span.file for f in analysis.findings if f.span.file in analysis.sources}
        for file in sorted(files | self.published.get(directory, set())):
            source = analysis.sources.get(file)
            diagnostics = [to_lsp_diagnostic(f, source) for f in analysis.findings_for(file)] if source else []
            self.text_document_publish_diagnostics(
                types.PublishDiagnosticsParams(uri=from_fs_path(file) or file, diagnostics=diagnostics))
        self.published[directory] = {file for file in files if analysis.findings_for(file)}

    def schedule(self, uri: str) -> None:
        directory = self.directory_of(uri)
        previous = self.pending.pop(directory, None)
        if previous is not None:
            previous.cancel()

        async def later() -> None:
            await asyncio.sleep(DEBOUNCE_SECONDS)
            self.pending.pop(directory, None)
            self.publish(uri)

        self.pending[directory] = asyncio.get_running_loop().create_task(later())


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version
    try:
        return version("vilkar")
    except PackageNotFoundError:
        return "0"


server = VilkarServer()


def to_lsp_diagnostic(finding: Diagnostic, source: Source) -> types.Diagnostic:
    message = finding.message + (f"\nhint: {finding.hint}" if finding.hint else "")
    severity = types.DiagnosticSeverity.Error if finding.severity == "error" else types.DiagnosticSeverity.Warning
    return types.Diagnostic(range=_range(source, finding.span), message=message, severity=severity,
                            code=finding.code, source="vilkar")


def _range(source: Source, span: Span) -> types.Range:
    found = positions.span_range(source, span)
    return types.Range(types.Position(found.start.line, found.start.character),
                       types.Position(found.end.line, found.end.character))


def _located(analysis: Analysis, uri: str, position: types.Position) -> tuple[str, int] | None:
    file = str(Path(to_fs_path(uri) or uri).resolve())
    source = analysis.sources.get(file)
    if source is None:
        return None
    return file, positions.offset_at(source, positions.Position(position.line, position.character))


def _location(analysis: Analysis, span: Span) -> types.Location:
    return types.Location(uri=from_fs_path(span.file) or span.file, range=_range(analysis.sources[span.file], span))


# ---------------------------------------------------------------- lifecycle and text sync


@server.feature(types.INITIALIZE)
def initialize(ls: VilkarServer, params: types.InitializeParams) -> None:
    folders = params.workspace_folders or []
    root = folders[0].uri if folders else params.root_uri
    ls.root = Path(to_fs_path(root)).resolve() if root else None


@server.feature(types.TEXT_DOCUMENT_DID_OPEN)
def did_open(ls: VilkarServer, params: types.DidOpenTextDocumentParams) -> None:
    ls.look_again()
    ls.changed(params.text_document.uri)
    ls.publish(params.text_document.uri)


@server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
def did_change(ls: VilkarServer, params: types.DidChangeTextDocumentParams) -> None:
    ls.changed(params.text_document.uri)
    ls.schedule(params.text_document.uri)


@server.feature(types.TEXT_DOCUMENT_DID_SAVE)
def did_save(ls: VilkarServer, params: types.DidSaveTextDocumentParams) -> None:
    ls.look_again()
    ls.changed(params.text_document.uri)
    ls.publish(params.text_document.uri)


@server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
def did_close(ls: VilkarServer, params: types.DidCloseTextDocumentParams) -> None:
    ls.changed(params.text_document.uri)  # the file is read from disk again


# ---------------------------------------------------------------- questions


@server.feature(types.TEXT_DOCUMENT_HOVER)
def on_hover(ls: VilkarServer, params: types.HoverParams) -> types.Hover | None:
    analysis = ls.analysis(params.text_document.uri)
    place = _located(analysis, params.text_document.uri, params.position)
    text = hover(analysis, *place) if place else None
    if text is None:
        return None
    return types.Hover(contents=types.MarkupContent(kind=types.MarkupKind.Markdown, value=text))


@server.feature(types.TEXT_DOCUMENT_DEFINITION)
def on_definition(ls: VilkarServer, params: types.DefinitionParams) -> list[types.Location] | None:
    analysis = ls.analysis(params.text_document.uri)
    place = _located(analysis, params.text_document.uri, params.position)
    symbol = analysis.index.symbol_at(*place) if place else None
    return [_location(analysis, symbol.span)] if symbol is not None else None


@server.feature(types.TEXT_DOCUMENT_REFERENCES)
def on_references(ls: VilkarServer, params: types.ReferenceParams) -> list[types.Location] | None:
    analysis = ls.analysis(params.text_document.uri)
    place = _located(analysis, params.text_document.uri, params.position)
    symbol = analysis.index.symbol_at(*place) if place else None
    if symbol is None:
        return None
    spans = [reference.span for reference in analysis.index.uses(symbol)]
    if params.context.include_declaration:
        spans.insert(0, symbol.span)
    return [_location(analysis, span) for span in spans]


_SYMBOL_KINDS = {"kind": types.SymbolKind.Namespace, "decision": types.SymbolKind.Function,
                 "let": types.SymbolKind.Variable, "set": types.SymbolKind.Enum,
                 "calendar": types.SymbolKind.Event}


@server.feature(types.TEXT_DOCUMENT_DOCUMENT_SYMBOL)
def on_document_symbol(ls: VilkarServer, params: types.DocumentSymbolParams) -> list[types.DocumentSymbol]:
    analysis = ls.analysis(params.text_document.uri)
    file = str(Path(to_fs_path(params.text_document.uri) or "").resolve())
    source = analysis.sources.get(file)
    if source is None:
        return []
    result: list[types.DocumentSymbol] = []
    current: types.DocumentSymbol | None = None
    for symbol in analysis.index.in_file(file):
        item_span = getattr(symbol.item, "span", symbol.span)
        entry = types.DocumentSymbol(name=symbol.name, kind=_SYMBOL_KINDS[symbol.role], detail=symbol.role,
                                     range=_range(source, item_span), selection_range=_range(source, symbol.span),
                                     children=[])
        if symbol.role == "kind":
            current = entry
            result.append(entry)
        elif symbol.scope is not None and current is not None and current.name == symbol.scope:
            current.children.append(entry)  # type: ignore[union-attr]
        else:
            result.append(entry)
    return result


@server.feature(types.TEXT_DOCUMENT_FORMATTING)
def on_formatting(ls: VilkarServer, params: types.DocumentFormattingParams) -> list[types.TextEdit]:
    document = ls.workspace.get_text_document(params.text_document.uri)
    source = Source.of(document.path, document.source)
    return [types.TextEdit(range=types.Range(document.client_position_at_offset(edit.start),
                                             document.client_position_at_offset(edit.end)), new_text=edit.text)
            for edit in formatted(source)]


@server.feature(types.TEXT_DOCUMENT_CODE_ACTION,
                types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix]))
def on_code_action(ls: VilkarServer, params: types.CodeActionParams) -> list[types.CodeAction]:
    analysis = ls.analysis(params.text_document.uri)
    file = str(Path(to_fs_path(params.text_document.uri) or "").resolve())
    source = analysis.sources.get(file)
    if source is None:
        return []
    wanted = params.range
    actions = []
    for fix in quick_fixes(source, analysis.findings_for(file)):
        found = _range(source, fix.diagnostic.span)
        if (found.end.line, found.end.character) < (wanted.start.line, wanted.start.character) or \
                (found.start.line, found.start.character) > (wanted.end.line, wanted.end.character):
            continue
        edit_range = _range(source, source.span(fix.edit.start, fix.edit.end))
        actions.append(types.CodeAction(
            title=fix.title, kind=types.CodeActionKind.QuickFix, is_preferred=True,
            diagnostics=[to_lsp_diagnostic(fix.diagnostic, source)],
            edit=types.WorkspaceEdit(changes={params.text_document.uri: [
                types.TextEdit(range=edit_range, new_text=fix.edit.text)]})))
    return actions


@server.feature(types.TEXT_DOCUMENT_CODE_LENS)
def on_code_lens(ls: VilkarServer, params: types.CodeLensParams) -> list[types.CodeLens]:
    analysis = ls.analysis(params.text_document.uri)
    file = str(Path(to_fs_path(params.text_document.uri) or "").resolve())
    source = analysis.sources.get(file)
    if source is None:
        return []
    return [types.CodeLens(range=_range(source, lens.span),
                           command=types.Command(title=lens.title, command=COMMAND if lens.request else "",
                                                 arguments=[params.text_document.uri, str(lens.request)]
                                                 if lens.request else None))
            for lens in lenses(analysis, file, ls.root)]


@server.command(COMMAND)
def evaluate_command(ls: VilkarServer, uri: str, request: str) -> str:
    """Decide the request again and show the whole explanation."""
    answer = evaluate_request(ls.analysis(uri), Path(request))
    ls.window_log_message(types.LogMessageParams(type=types.MessageType.Info, message=answer.text))
    ls.window_show_message(types.ShowMessageParams(
        type=types.MessageType.Info if answer.ok else types.MessageType.Warning,
        message=f"{Path(request).name}: {answer.headline}"))
    return answer.text


def serve(policies: Path | None = None, schemas: Path | None = None) -> None:
    """Run the server on stdin and stdout until the client says exit.

    Paths given relative are relative to where the server was started, as for every command."""
    server.policies = policies.resolve() if policies is not None else None
    server.schemas = schemas.resolve() if schemas is not None else None
    server.environ = {name: str(Path(value).resolve()) if name in ("VILKAR_POLICIES", "VILKAR_SCHEMAS") and value
                      else value for name, value in os.environ.items()}
    server.start_io()
