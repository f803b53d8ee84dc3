"""Missing decision: a decision SPEC names for a request kind that no policy produces, or a kind with none.

Each kind's schema lists the decisions services rely on (`x-vilkar-decisions`). A result without
one of them breaks those services, so a rule set that loses a decision — renamed, deleted, or never
written — must not merge: that is an error. So is a `kind` that decides nothing, and a policy file
that holds no items at all (an emptied file). A kind that has a schema but that no file of the rule
set mentions is a warning: a partial rule set may leave kinds out, a full one should not.

Fix: write the decision (with its citation), or correct its name; restore the emptied file.
"""
from __future__ import annotations

from typing import Iterator

from ...language import ast
from ...language.declared import names
from ...language.diagnostics import Diagnostic, did_you_mean
from ...language.source import Span
from .context import LintContext

CODE = "VK208"
NAME = "missing-decision"
SEVERITY = "error"


def check(context: LintContext) -> Iterator[Diagnostic]:
    produced: dict[str, set[str]] = {}
    declared: dict[str, ast.KindDecl] = {}
    for item in context.items():
        if isinstance(item, ast.Decision) and item.kind is not None:
            produced.setdefault(item.kind, set()).update(item.names)
        if isinstance(item, ast.KindDecl):
            declared.setdefault(item.name, item)
    for module in context.modules:
        if not module.items:
            source = context.sources.get(module.file)
            end = len(source.text) if source is not None else 0
            span = source.span(0, min(end, 1)) if source is not None else Span(module.file, 1, 1, 1, 1)
            yield Diagnostic(CODE, "this policy file holds no policy: no kind, decision, set or calendar", span,
                             "restore what it decided, or delete the file", SEVERITY)
    for kind, schema in sorted(context.schemas.items()):
        listed = names(schema)
        if kind not in declared:
            if listed and declared:
                yield Diagnostic(CODE, f"no policy decides kind `{kind}`, which has a schema with decisions "
                                 f"({', '.join(listed)})", Span(f"schemas/{kind}.schema.json", 1, 1, 1, 1),
                                 f"write the kind's policy (`kind {kind}` and its decisions), or lint with the "
                                 "schemas this rule set decides (--schemas)", "warning")
            continue
        have = produced.get(kind, set())
        if not have:
            yield Diagnostic(CODE, f"kind `{kind}` decides nothing", declared[kind].span,
                             f"write its decisions ({', '.join(listed)})" if listed else "write its decisions",
                             SEVERITY)
            continue
        for name in listed:
            if name not in have:
                hint = did_you_mean(name, have) or f"add `decision {name}` with the clause it encodes"
                yield Diagnostic(CODE, f"kind `{kind}` does not decide `{name}`, which SPEC names",
                                 declared[kind].span, hint, SEVERITY)
