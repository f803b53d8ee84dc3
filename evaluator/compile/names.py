"""Every identifier in generated code, from one allocator with a namespace per kind of name.

A generated name is `<letter><number>_<hint>`: the letter says which namespace it belongs to, the number
makes it unique within the namespace, and the hint (a policy name, for whoever reads the code) is never
needed for uniqueness. So no policy name, request field or schema key can collide with another name,
with a constant, or with a helper: helpers are the fixed names of `RESERVED`, none of which has this
shape. Names that the language scopes (variables bound by `for x in ...`) live in a `Scope`.
"""
from __future__ import annotations

import re

NAMESPACES = {
    "constant": "k",   # literal and precomputed values, shared by the rule set
    "input": "i",      # a request path read once per call
    "decision": "d",
    "let": "l",
    "trace": "t",      # the index of the rule that decided a definition
    "variable": "v",   # a comprehension's bound variable
    "temp": "x",       # an intermediate value
}

# Names the generated code uses that do not come from the allocator: the request and the calendar.
REQUEST = "r"
CALENDAR = "_cal"

_HINT = re.compile(r"[^a-z0-9_]")


class Names:
    """Hands out fresh identifiers, namespace by namespace."""

    def __init__(self) -> None:
        self.counts = dict.fromkeys(NAMESPACES, 0)

    def new(self, namespace: str, hint: str = "") -> str:
        self.counts[namespace] += 1
        hint = _HINT.sub("_", hint.lower())[:40]
        return f"{NAMESPACES[namespace]}{self.counts[namespace]}_{hint}"


class Scope:
    """The variables bound at a point of an expression: innermost binding first (SPEC §3)."""

    def __init__(self, bindings: dict[str, str] | None = None):
        self.bindings = bindings or {}

    def bind(self, name: str, identifier: str) -> Scope:
        return Scope({**self.bindings, name: identifier})

    def lookup(self, name: str) -> str | None:
        return self.bindings.get(name)


EMPTY = Scope()
