"""What a hover shows: a name's type and clause, a request field's schema, a citation's Danish text."""
from __future__ import annotations

from typing import Any

from ..language import ast
from ..language.types import Type
from ..language.declared import names as declared_names
from ..tools.clauses import Contract, paragraphs
from .symbols import Symbol, nodes_at
from .workspace import Analysis

_QUOTE_LIMIT = 1200  # characters of contract text in one hover; the view shows the whole clause


def hover(analysis: Analysis, file: str, offset: int) -> str | None:
    """Markdown for the place at `offset` in `file`, or None when there is nothing to say."""
    module = analysis.modules.get(file)
    if module is None:
        return None
    nodes = nodes_at(module, offset)
    citation = next((n for n in reversed(nodes) if isinstance(n, ast.Citation)), None)
    if citation is not None:
        return clause_text(analysis.contract, citation.text)
    symbol = analysis.index.symbol_at(file, offset)
    if symbol is not None:
        return symbol_text(analysis, symbol)
    field = next((n for n in reversed(nodes) if isinstance(n, ast.Field)), None)
    if field is not None:
        path = ast.request_path(field)
        if path is not None:
            kind = _kind_of(nodes)
            return field_text(analysis, kind, path, _type(analysis, field))
    literal = next((n for n in reversed(nodes) if isinstance(n, (ast.Quantity, ast.Money, ast.Percent,
                                                                   ast.DateLiteral, ast.Number))), None)
    if literal is not None:
        type_ = _type(analysis, literal)
        return f"`{literal.text if hasattr(literal, 'text') and literal.text else _literal(literal)}`: " \
               f"{type_.describe() if type_ else 'a literal'}"
    return None


def clause_text(contract: Contract | None, citation: str) -> str:
    """The cited clause's heading and its Danish text (shortened), or why there is none."""
    if contract is None:
        return f"cites **{citation}**\n\nNo contract text was found beside the policies (`contract/*.txt`)."
    clause = contract.resolve(citation)
    if clause is None:
        return f"cites **{citation}**\n\nThis citation names no section of the contract text."
    heading = clause.heading
    parent = contract.by_id.get(clause.parent) if clause.parent else None
    if parent is not None:
        heading = f"{parent.heading} – {heading}"
    text = clause.text if clause.kind in ("part", "footnote") else clause.text.partition("\n")[2]
    body = "\n\n".join(paragraphs(text))
    if len(body) > _QUOTE_LIMIT:
        body = body[:_QUOTE_LIMIT].rsplit(" ", 1)[0] + " …"
    quoted = "\n".join(f"> {line}" if line else ">" for line in body.splitlines())
    return f"**{heading}** (contract lines {clause.first_line}–{clause.last_line})\n\n{quoted}"


def symbol_text(analysis: Analysis, symbol: Symbol) -> str:
    where = f" of kind `{symbol.scope}`" if symbol.scope else ""
    lines = [f"**{symbol.role}** `{symbol.name}`{where}"]
    type_ = _symbol_type(analysis, symbol)
    if type_ is not None:
        lines.append(f"Type: {type_.describe()}")
    if isinstance(symbol.item, ast.KindDecl):
        schema = analysis.schemas.get(symbol.name, {})
        if schema.get("description"):
            lines.append(str(schema["description"]))
        decisions = declared_names(schema)  # texts, or objects that also declare types
        if decisions:
            lines.append("Decisions: " + ", ".join(f"`{d}`" for d in decisions))
    citation = getattr(symbol.item, "citation", None)
    if isinstance(citation, ast.Citation):
        lines.append(clause_text(analysis.contract, citation.text))
    return "\n\n".join(lines)


def field_text(analysis: Analysis, kind: str | None, path: tuple[str, ...], type_: Type | None) -> str:
    lines = [f"**request field** `request.{'.'.join(path)}`" + (f" of kind `{kind}`" if kind else "")]
    if type_ is not None:
        lines.append(f"Type: {type_.describe()}")
    node = schema_node(analysis.schemas.get(kind or "", {}), path)
    if node is not None:
        lines.extend(_schema_facts(node))
    return "\n\n".join(lines)


def schema_node(schema: dict[str, Any], path: tuple[str, ...]) -> dict[str, Any] | None:
    """The JSON schema of a field, `$ref`s followed; through a list, the schema of its items."""
    node: dict[str, Any] | None = _resolve(schema, schema)
    for part in path:
        while node is not None and node.get("type") == "array":
            node = _resolve(node.get("items", {}), schema)
        if node is None or part not in node.get("properties", {}):
            return None
        node = _resolve(node["properties"][part], schema)
    return node


def _schema_facts(node: dict[str, Any]) -> list[str]:
    facts = []
    if node.get("description"):
        facts.append(str(node["description"]))
    values = node.get("enum") or (node.get("items", {}).get("enum") if isinstance(node.get("items"), dict) else None)
    if values:
        facts.append("Allowed values: " + ", ".join(f"`{v}`" for v in values))
    unit = node.get("x-vilkar-unit")
    if unit:
        facts.append(f"Unit: {unit}")
    bounds = [f"{word} {node[key]}" for key, word in (("minimum", "at least"), ("exclusiveMinimum", "more than"),
                                                      ("maximum", "at most"), ("exclusiveMaximum", "less than"))
              if key in node]
    if bounds:
        facts.append("Bounds: " + ", ".join(bounds))
    if node.get("format"):
        facts.append(f"Format: {node['format']}")
    return facts


def _resolve(node: Any, root: dict[str, Any]) -> dict[str, Any] | None:
    if not isinstance(node, dict):
        return None
    for _ in range(20):  # a chain of references, never a cycle
        reference = node.get("$ref")
        if not isinstance(reference, str) or not reference.startswith("#/"):
            return node
        target: Any = root
        for part in reference[2:].split("/"):
            target = target.get(part) if isinstance(target, dict) else None
        if not isinstance(target, dict):
            return node
        node = {**target, **{k: v for k, v in node.items() if k != "$ref"}}
    return node


def _kind_of(nodes: list[object]) -> str | None:
    for node in nodes:
        kind = getattr(node, "kind", None)
        if isinstance(kind, str) and isinstance(node, (ast.Decision, ast.LetDecl, ast.Requirement)):
            return kind
        if isinstance(node, ast.KindDecl):
            return node.name
    return None


def _type(analysis: Analysis, node: object) -> Type | None:
    return analysis.checked.types.get(id(node)) if analysis.checked is not None else None


def _symbol_type(analysis: Analysis, symbol: Symbol) -> Type | None:
    checked = analysis.checked
    if checked is None:
        return None
    if symbol.role in ("decision", "let") and symbol.scope is not None:
        info = checked.kinds.get(symbol.scope)
        return info.value_types.get(symbol.name) if info else None
    if symbol.role in ("set", "let"):
        return checked.global_types.get(symbol.name)
    return None


def _literal(node: object) -> str:
    return str(getattr(node, "value", ""))
