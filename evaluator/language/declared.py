"""Declared decision types: `decision fee_percent: percent 0%..100%`, checked where each value is written.

A declaration names one of the TYPES, optionally narrowed — a range of literals (`0%..100%`,
`0 minutes..30 days`), the values of an enum (`one of {"a", "b"}`) or a currency (`money USD`) — and
`or nothing` when the contract may state no value. Every rule of the decision (its base value,
each exception, tier, table row and `otherwise`) must give a value of that type; an enum's texts must
be among its values. A schema's `x-vilkar-decisions` may declare the same as objects
(`{"name": "plan", "enum": [...]}`, `{"name": "fee_percent", "type": "percent", "minimum": 0,
"maximum": 100}`). Ranges are checked by lint (VK210), which can also follow computed values.
"""
from __future__ import annotations

from decimal import Decimal
from typing import Any, Callable, Iterator

from . import ast
from .diagnostics import did_you_mean
from .source import NO_SPAN, Span
from .types import (
    BoolT, DateT, DecimalT, DurationT, EnumT, IntT, MoneyT, NullT, OptionalT, PercentT, StringT, TimestampT, Type,
    UnknownT, strip_optional,
)

TYPES = {
    "integer": "a whole number", "number": "a number", "percent": "a percentage",
    "money": "an amount of money", "duration": "a duration", "boolean": "true or false", "date": "a date",
    "timestamp": "a timestamp", "text": "a text", "one": "one of listed texts (`one of {\"a\", \"b\"}`)",
}
_RANGED = {"integer", "number", "percent", "money", "duration"}
Report = Callable[[str, str, Span, str], None]


def names(schema: dict[str, Any]) -> list[str]:
    """The decision names of a schema's `x-vilkar-decisions`, whether written as texts or objects."""
    listed = schema.get("x-vilkar-decisions", [])
    found = []
    for entry in listed if isinstance(listed, list) else []:
        if isinstance(entry, str):
            found.append(entry)
        elif isinstance(entry, dict) and isinstance(entry.get("name"), str):
            found.append(entry["name"])
    return found


def schema_spec(schema: dict[str, Any], name: str) -> ast.TypeSpec | None:
    """The type a schema's `x-vilkar-decisions` object declares for a decision, if any."""
    for entry in schema.get("x-vilkar-decisions", []) or []:
        if not (isinstance(entry, dict) and entry.get("name") == name):
            continue
        where = Span(f"schemas/{schema.get('properties', {}).get('kind', {}).get('const', '?')}.schema.json",
                     1, 1, 1, 1)
        if isinstance(entry.get("enum"), list):
            return ast.TypeSpec("one", values=tuple(str(v) for v in entry["enum"]),
                                optional=bool(entry.get("optional")), span=where)
        if isinstance(entry.get("type"), str):
            low, high = (_number(entry.get(key), entry["type"]) for key in ("minimum", "maximum"))
            return ast.TypeSpec(entry["type"], low, high, None, entry.get("currency"),
                                bool(entry.get("optional")), where)
    return None


def _number(value: Any, type_name: str) -> ast.Literal | None:
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        return None
    amount = Decimal(str(value))
    if type_name == "percent":
        return ast.Percent(amount, NO_SPAN, f"{value}%")
    return ast.Number(amount, amount == amount.to_integral_value(), NO_SPAN, str(value))


def spec_problem(spec: ast.TypeSpec) -> tuple[str, str] | None:
    """Why a declaration is malformed (message, hint), or None."""
    if spec.name in ("day", "days", "minute", "minutes", "hour", "hours", "week", "weeks"):
        return f"`{spec.name}` is a unit, not a type", "durations are declared `duration`, e.g. `notice_days: duration`"
    if spec.name not in TYPES:
        hint = did_you_mean(spec.name, TYPES) or f"the types are: {', '.join(t for t in TYPES if t != 'one')}, " \
                                                 "and `one of {\"a\", \"b\"}`"
        return f"`{spec.name}` is not a type", hint
    if spec.name == "one" and not spec.values:
        return "`one` needs its values: `one of {\"a\", \"b\"}`", "list the texts the decision may give"
    if spec.values is not None and spec.name != "one":
        return f"`{spec.name} of {{...}}` lists values, but only `one of {{...}}` does", \
            "write `one of {\"a\", \"b\"}`"
    if spec.low is not None and spec.name not in _RANGED:
        return f"a {spec.name} has no range", f"ranges are for {', '.join(sorted(_RANGED))}"
    if spec.currency is not None and spec.name != "money":
        return f"`{spec.name} {spec.currency}`: only money has a currency", "write `money USD`"
    return None


def declared_type(spec: ast.TypeSpec) -> Type | None:
    """The type a declaration gives the decision where it is used (enums narrow a text), or None."""
    inner: Type | None = {
        "integer": IntT(), "percent": PercentT(), "boolean": BoolT(), "date": DateT(), "timestamp": TimestampT(),
    }.get(spec.name)
    if spec.name == "one" and spec.values:
        inner = EnumT(frozenset(spec.values))
    if inner is None:
        return None
    return OptionalT(inner) if spec.optional else inner


def accepts(spec: ast.TypeSpec, type_: Type) -> bool:
    """Whether a value of this type may be given where the declaration stands (texts are checked apart)."""
    inner = strip_optional(type_)
    if isinstance(inner, UnknownT):
        return True
    if isinstance(type_, (OptionalT, NullT)) and not spec.optional:
        return False
    if isinstance(inner, NullT):
        return True
    name = spec.name
    if name == "integer":
        return isinstance(inner, IntT)
    if name == "number":
        return isinstance(inner, (IntT, DecimalT))
    if name == "percent":
        return isinstance(inner, PercentT)
    if name == "money":
        currency = spec.currency or _currency(spec)
        return isinstance(inner, MoneyT) and (currency is None or inner.currency in (None, currency))
    if name == "duration":
        return isinstance(inner, DurationT)
    if name == "boolean":
        return isinstance(inner, BoolT)
    if name == "date":
        return isinstance(inner, DateT)
    if name == "timestamp":
        return isinstance(inner, TimestampT)
    if name == "text":
        return isinstance(inner, (StringT, EnumT))
    if name == "one":
        return isinstance(inner, StringT) or (isinstance(inner, EnumT) and inner.values <= set(spec.values or ()))
    return True


def _currency(spec: ast.TypeSpec) -> str | None:
    for end in (spec.low, spec.high):
        if isinstance(end, ast.Money):
            return end.currency
    return None


def describe(spec: ast.TypeSpec) -> str:
    """The declaration in words, as a message quotes it."""
    if spec.name == "one":
        text = "one of " + ", ".join(f'"{value}"' for value in spec.values or ())
    else:
        text = TYPES.get(spec.name, spec.name)
        if spec.currency:
            text += f" in {spec.currency}"
    return text + (" or nothing" if spec.optional else "")


def outputs(body: ast.Body, index: int) -> list[ast.Expr]:
    """Every expression that gives the index-th value of a body: base, exceptions, tiers, rows, otherwise."""
    if isinstance(body, ast.RuleBody):
        return [body.value] + [exception.value for exception in body.exceptions]
    if isinstance(body, ast.AllOfBody):
        return []  # true or false, written by no expression
    found: list[ast.Expr] = []
    if isinstance(body, ast.TiersBody):
        found = [row.value for row in body.rows]
    elif isinstance(body, ast.MatchBody):
        found = [row.outputs[index] for row in body.rows if index < len(row.outputs)]
    if body.otherwise is not None and index < len(body.otherwise.outputs):
        found.append(body.otherwise.outputs[index])
    return found


def leaves(expr: ast.Expr) -> Iterator[ast.Expr]:
    """The values an output can take, through `if … then … else …` and `if absent`."""
    return (node for node in _paths(expr) if not isinstance(node, (ast.Conditional, ast.IfAbsent)))


def _walk_absent(expr: ast.Expr) -> Iterator[ast.IfAbsent]:
    """The `x if absent y` an output's value passes through."""
    return (node for node in _paths(expr) if isinstance(node, ast.IfAbsent))


def _paths(expr: ast.Expr) -> Iterator[ast.Expr]:
    """Every node on the ways to an output's value: its `if … then … else …` and `if absent` and their
    branches, in the order they are written (iterative: a long `else if` chain needs no recursion)."""
    stack = [expr]
    while stack:
        current = stack.pop()
        yield current
        if isinstance(current, ast.Conditional):
            stack.extend((current.otherwise, current.then))
        elif isinstance(current, ast.IfAbsent):
            stack.extend((current.fallback, current.value))


def check_definition(definition: ast.Decision | ast.LetDecl, result: list[Type], schema: dict[str, Any] | None,
                     types: dict[int, Type], error: Report) -> list[Type]:
    """Report every rule whose value its declaration does not allow; the decision's types as declared."""
    checked = list(result)
    for index, name in enumerate(definition.names):
        own = definition.types[index] if index < len(definition.types) else None
        from_schema = schema_spec(schema, name) if schema is not None and isinstance(definition, ast.Decision) else None
        for spec in (own, from_schema):
            if spec is None:
                continue
            problem = spec_problem(spec)
            if problem is not None:
                error("VK121", problem[0], spec.span, problem[1])
                continue
            wrong = _check_outputs(spec, name, definition.body, index, types, error, spec is from_schema)
            if not wrong and index < len(checked) and isinstance(checked[index], OptionalT) and not spec.optional:
                error("VK120", f"`{name}` is declared {describe(spec)}, but for some requests no rule applies and "
                      "it decides nothing", definition.body.span,
                      "add `otherwise -> …`, close the gap between the rows, or declare it `… or nothing`")
            narrowed = declared_type(spec)
            if narrowed is not None and not wrong and index < len(checked):
                checked[index] = narrowed if isinstance(checked[index], OptionalT) or not spec.optional \
                    else checked[index]
    return checked


def _check_outputs(spec: ast.TypeSpec, name: str, body: ast.Body, index: int, types: dict[int, Type],
                   error: Report, from_schema: bool) -> bool:
    where = " (the schema's x-vilkar-decisions)" if from_schema else ""
    wrong = False
    chosen_present = {id(node.value) for output in outputs(body, index) for node in _walk_absent(output)}
    for output in outputs(body, index):
        for leaf in leaves(output):
            type_ = types.get(id(leaf))
            if type_ is not None and id(leaf) in chosen_present:
                type_ = strip_optional(type_)  # `x if absent y` gives x only where x is there
            if isinstance(leaf, ast.Nothing):
                if not spec.optional:
                    error("VK120", f"`{name}` is declared {describe(spec)}{where}, so it cannot be `nothing`",
                          leaf.span, f"give a value, or declare it `{name}: {spec.name} … or nothing`")
                    wrong = True
                continue
            if isinstance(leaf, ast.String) and spec.name == "one" and leaf.value not in (spec.values or ()):
                values = ", ".join(f'"{v}"' for v in spec.values or ())
                hint = did_you_mean(leaf.value, spec.values or ()) or f"write one of {values}"
                error("VK120", f'"{leaf.value}" is not a value of `{name}`: it is declared one of {values}{where}',
                      leaf.span, hint.replace("`", '"', 2) if hint.startswith("did you mean") else hint)
                wrong = True
                continue
            if type_ is not None and not accepts(spec, type_):
                error("VK120", f"`{name}` is declared {describe(spec)}{where}, but this gives {type_.describe()}",
                      leaf.span, _hint(spec, type_))
                wrong = True
    return wrong


def _hint(spec: ast.TypeSpec, given: Type) -> str:
    if isinstance(given, (OptionalT, NullT)) and not spec.optional:
        return "give a fallback with `if absent …`, or declare the decision `… or nothing`"
    examples = {"percent": "20%", "money": "USD 50,000", "duration": "5 calendar days", "integer": "14",
                "number": "1.5", "boolean": "true", "date": "2026-11-27", "text": '"text"'}
    example = examples.get(spec.name)
    return f"write a value such as {example}, or change the declaration" if example else \
        "give a value of the declared type, or change the declaration"
