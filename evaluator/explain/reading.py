"""Reading one result for its explanation: values in words, phrases and templates filled in, and a rule's
conditions evaluated again for this request (in the generated module's namespace, with the values the
decision function computed, so a condition means exactly what it meant when it decided)."""
from __future__ import annotations

from typing import Any

from ..compile.names import CALENDAR, REQUEST
from .rule_words import Phrase, Ref, Test
from .values import constant_text, input_text, json_value, text_value


class Reading:
    """The values of one result, as JSON, as text, and as the environment its conditions read."""

    def __init__(self, result: Any):
        self.result = result
        self.compiled = result._compiled
        self._environment: dict[str, Any] | None = None

    # -- values
    def json(self, name: str) -> Any:
        return json_value(self.raw(name), self.result.type_of(name))

    def text(self, name: str) -> str:
        return text_value(self.raw(name), self.result.type_of(name))

    def raw(self, name: str) -> Any:
        return self.result._values[self.compiled.position[name]]

    def input(self, path: tuple[str, ...]) -> Any:
        return self.result.input_value(path)

    def input_json(self, path: tuple[str, ...]) -> Any:
        from .values import plain_input
        return plain_input(self.input(path))

    # -- phrases
    def say(self, phrase: Phrase, mode: str) -> str:
        """A phrase in words; references show as the phrase says (by name, value or both), or with
        `mode="value"` by their values only."""
        return "".join(part if isinstance(part, str) else self.ref(part, mode) for part in phrase).strip()

    def ref(self, ref: Ref, mode: str) -> str:
        show = "value" if mode == "value" else ref.show
        if ref.what == "constant":
            return constant_text(ref.key, ref.type)
        if ref.what in ("set", "variable"):
            return ref.words
        if ref.what == "present":
            path, phrase = ref.key
            return self.say(phrase, mode) if self.input(path) is not None else ""
        if ref.what == "absent":
            path, fallback, field = ref.key
            if self.input(path) is not None:
                return ""
            said = self.say(fallback, mode)
            if field:
                return f"{said} ({field} not given)"
            yes_or_no = len(fallback) == 1 and isinstance(fallback[0], Ref) and isinstance(fallback[0].key, bool)
            return " (not given)" if yes_or_no else f" ({said} where not given)"  # "is false (not given)"
        value = self.value_text(ref)
        if show == "name" or value is None:
            return ref.words or (value or "")
        if show == "value" or not ref.words:
            return value
        return f"{ref.words} {value}"

    def value_text(self, ref: Ref) -> str | None:
        if ref.what == "request":
            return input_text(self.input(ref.key), ref.type)
        if ref.what == "name" and ref.key in self.compiled.position:
            return self.text(ref.key)
        return None

    def fill(self, template: str) -> str:
        """A `because` or `headline` with its `{name}` and `{request.field}` placeholders filled in."""
        from ..language.reasons import pieces
        out = []
        for token, _, name in pieces(template):
            if not name:
                out.append(token)
            elif name.startswith("request."):
                out.append(input_text(self.input(tuple(name.split(".")[1:]))))
            elif name in self.compiled.position:
                out.append(self.text(name))
            else:
                out.append(token)
        return "".join(out)

    # -- conditions
    def holds(self, test: Test) -> bool | None:
        """Whether a rule's condition held for this request; None where it cannot be evaluated alone."""
        try:
            code = code_of(self.compiled, test.code)
        except SyntaxError:
            return None
        try:
            return bool(eval(code, self.compiled.namespace, dict(self.environment())))
        except Exception:  # a condition that reads what this request lacks: the trace already says enough
            return None

    def environment(self) -> dict[str, Any]:
        if self._environment is None:
            self._environment = environment(self.compiled, self.result._document, self.result._values)
        return self._environment


def code_of(compiled: Any, text: str) -> Any:
    """Explanation code (a condition, a field read) compiled once per kind."""
    code = compiled.compiled_words.get(text)
    if code is None:
        code = compiled.compiled_words[text] = compile(text, "<vilkar explanation>", "eval")
    return code


def environment(compiled: Any, document: dict[str, Any], values: tuple,
                needed: frozenset[str] | None = None) -> dict[str, Any]:
    """The identifiers a rule's condition code reads, bound as the decision function bound them (only
    the `needed` ones, when given)."""
    found: dict[str, Any] = {}
    namespace = compiled.namespace
    scope = {REQUEST: document}
    for identifier, what, key in compiled.explaining.environment:
        if needed is not None and identifier not in needed:
            continue
        if what == "value":
            found[identifier] = values[key]
            continue
        try:
            found[identifier] = eval(code_of(compiled, key), namespace, scope)
        except Exception:  # a field this request leaves out, read by a rule that did not decide
            continue
    if compiled.calendar is not None and (needed is None or CALENDAR in needed):
        location: Any = document
        for part in compiled.location:
            location = location.get(part) if isinstance(location, dict) else None
        try:
            found[CALENDAR] = compiled.calendar.at(location)
        except Exception:
            pass
    return found
