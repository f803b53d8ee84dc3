"""The "Evaluate" code lens: a `kind` line decides the nearest `*.request.yaml` and shows the answer.

The nearest request is looked for in the policy's directory, then in each parent directory up to the
workspace root (in the directory and in its `requests/` folder); the first directory that has a
`*.request.yaml` of the kind wins, and in it the first file by name.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from ..errors import PolicyError, RequestError
from ..language import ast
from ..language.source import Span
from ..requests.documents import DocumentError, read_document
from ..result import Result
from .workspace import Analysis

COMMAND = "vilkar.evaluate"
_SEARCH_LEVELS = 6


@dataclass(frozen=True)
class Lens:
    """A lens over a `kind` line."""

    kind: str
    span: Span
    request: Path | None
    title: str


@dataclass(frozen=True)
class Evaluation:
    """The answer for one request: a one-line headline and the full explanation."""

    headline: str
    text: str
    ok: bool


def first_lines(result: Result, count: int = 1) -> str:
    """The headline: the first line(s) of the explanation's answer."""
    return " ".join(result.explanation().headline[:count])


headline: Callable[[Result], str] = first_lines


def lenses(analysis: Analysis, file: str, root: Path | None) -> list[Lens]:
    """One lens per `kind` declaration of the file."""
    module = analysis.modules.get(file)
    if module is None:
        return []
    found = []
    for item in module.items:
        if not isinstance(item, ast.KindDecl):
            continue
        request = nearest_request(Path(file), item.name, root)
        if request is None:
            title = f"Evaluate: no *.request.yaml of kind {item.name} near this policy"
        else:
            answer = evaluate_request(analysis, request)
            title = f"Evaluate {request.name}: {answer.headline}"
        found.append(Lens(item.name, _first_line(item.span), request, title))
    return found


def nearest_request(policy: Path, kind: str, root: Path | None) -> Path | None:
    folder = policy.resolve().parent
    for _ in range(_SEARCH_LEVELS):
        for place in (folder, folder / "requests"):
            for candidate in sorted(place.glob("*.request.yaml")) if place.is_dir() else ():
                if _kind_of(candidate) == kind:
                    return candidate
        if root is not None and folder == root.resolve() or folder.parent == folder:
            break
        folder = folder.parent
    return None


def evaluate_request(analysis: Analysis, request: Path) -> Evaluation:
    """Decide a request file with the rule set as the editor has it (unsaved changes included)."""
    try:
        document = read_document(str(request), request.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, DocumentError) as error:
        return Evaluation(f"cannot read the request: {error}", str(error), False)
    try:
        policies = policy_set(analysis)
    except PolicyError as error:
        count = len(error.diagnostics)
        return Evaluation(f"the rule set has {count} problem{'s' if count != 1 else ''}", str(error), False)
    try:
        result = policies.evaluate(document.data)
    except RequestError as error:
        problems = [document.locate(problem) for problem in error.errors]
        return Evaluation(f"invalid request ({len(problems)} problem{'s' if len(problems) != 1 else ''})",
                          "\n".join(str(problem) for problem in problems), False)
    return Evaluation(headline(result), result.explain(), True)


def policy_set(analysis: Analysis):
    """The analysed texts compiled once (raises PolicyError)."""
    from ..api import compile_sources
    if analysis.compiled is None:
        analysis.compiled = compile_sources(analysis.sources, analysis.schemas)
    return analysis.compiled


def _kind_of(path: Path) -> str | None:
    try:
        document = read_document(str(path), path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, DocumentError):
        return None
    data = document.data
    return data.get("kind") if isinstance(data, dict) else None


def _first_line(span: Span) -> Span:
    return Span(span.file, span.line, span.col, span.line, span.col + len("kind"), span.start, span.start + 4)
