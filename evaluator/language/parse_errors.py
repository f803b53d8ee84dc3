"""Parse errors in words a lawyer can act on: what is wrong, where, and what to write instead.

Lark reports the terminals it expected; they are translated here, and the mistakes editors make
most — `=>` for `->`, a `cites` in the wrong place, a text without its closing quote, `20 %`, a
Danish or misspelt unit (`14 dage`), a capitalised keyword — get a message and a hint of their own.
"""
from __future__ import annotations

import re

from lark import Token
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken

from .diagnostics import Diagnostic, did_you_mean
from .source import Source

WORDS = {
    "NAME": "a name", "STRING": "a quoted text", "NUMBER": "a number", "PERCENT": "a percentage such as 20%",
    "CURRENCY": "a currency code such as USD", "DATE": "a date (YYYY-MM-DD)", "TIME": "a time (HH:MM)",
    "UNIT": "a unit such as `days` or `business hours`", "COMPARE": "a comparison such as `>=`",
    "DAY_OF_MONTH": "a day of the month", "$END": "the end of the file", "STRING_OR": "a quoted text",
}
SYMBOLS = {"->": "the arrow `->`", "=": "`=`", "..": "`..` (a range such as 6..13)", "|": "`|` (a table cell)",
           ",": "a comma", "(": "`(`", ")": "`)`", "{": "`{`", "}": "`}`", ":": "`:`", ".": "`.`"}
ITEM_STARTS = {"KIND", "SET", "LET", "DECISION", "REQUIRE", "CALENDAR", "DATES"}
EXPRESSION_STARTS = {"NAME", "NUMBER", "STRING", "REQUEST", "LPAR", "LBRACE", "PERCENT", "CURRENCY"}
CITES_HINT = ('a decision\'s `cites` stands after its name, before `=` (`decision fee cites "2.6 …" = …`); '
              'a row\'s, tier\'s or exception\'s `cites` ends its line (`6..13 days -> 50%  cites "…"`)')


def describe(error: UnexpectedInput, source: Source) -> Diagnostic:
    """The diagnostic for a policy that does not parse."""
    if isinstance(error, (UnexpectedEOF,)) or (isinstance(error, UnexpectedToken) and error.token.type == "$END"):
        end = len(source.text)
        expected = getattr(error, "expected", None)
        what = f": expected {expected_words(expected)}" if expected else ""
        return Diagnostic("VK001", f"the policy ends too early{what}", source.span(max(0, end - 1), end),
                          "finish the last item, or remove it")
    if isinstance(error, UnexpectedCharacters):
        return _character(error, source)
    assert isinstance(error, UnexpectedToken)
    return _token(error, source)


def _character(error: UnexpectedCharacters, source: Source) -> Diagnostic:
    position = error.pos_in_stream
    text = source.text
    char = text[position] if position < len(text) else ""
    span = source.span(position, position + 1)
    if char == '"':
        line_end = text.find("\n", position)
        line_end = len(text) if line_end < 0 else line_end
        return Diagnostic("VK001", "this text has no closing quote", source.span(position, line_end),
                          'end the text with `"` on the same line; a text cannot run over two lines')
    if char == "%" and re.search(r"\d\s+$", text[:position]):
        number = re.search(r"(\d[\d,.]*)\s+$", text[:position]).group(1)
        return Diagnostic("VK001", "a percentage is written without a space before `%`", span,
                          f"write `{number}%`")
    if char in "'‘’“”":
        return Diagnostic("VK001", f"unexpected character `{char}`", span,
                          'texts are written in straight double quotes: "like this"')
    if char.isalpha():
        word = re.match(r"\w+", text[position:]).group(0)
        lower = word.lower()
        from .parser import KEYWORDS
        if lower in KEYWORDS or lower != word:
            hint = f"write `{lower}`: keywords and names are written in lower case" if lower in KEYWORDS else \
                f"names are written in lower case letters, digits and `_`: `{lower}`"
            return Diagnostic("VK001", f"`{word}` is not written in lower case", source.span(position,
                              position + len(word)), hint)
        return Diagnostic("VK001", f"unexpected `{word}`", source.span(position, position + len(word)),
                          "names are written in lower case letters, digits and `_`")
    allowed = getattr(error, "allowed", None)
    expected = f": expected {expected_words(allowed)}" if allowed else ""
    shown = repr(char)[1:-1] if not char.isprintable() or char.isspace() else char
    return Diagnostic("VK001", f"unexpected character `{shown}`{expected}", span,
                      "remove it, or put it inside a quoted text")


def _token(error: UnexpectedToken, source: Source) -> Diagnostic:
    token = error.token
    expected = set(error.expected)
    span = source.span(token.start_pos, token.end_pos)
    before = source.text[:token.start_pos]
    after = source.text[token.end_pos:token.end_pos + 1]
    arrow = terminal("->")
    if str(token) == "=" and after == ">" and arrow in expected:
        return Diagnostic("VK001", "`=>` is not an arrow: a row's result follows `->`", source.span(
            token.start_pos, token.end_pos + 1), "write `->`, for example `6..13 days -> 50%`")
    if token.type == "CITES":
        return Diagnostic("VK001", "`cites` cannot stand here", span, CITES_HINT)
    if token.type == "NAME" and re.search(r"\d\s+$", before) and ("UNIT" in expected or _after_number(expected)):
        return Diagnostic("VK001", f"`{token}` is not a unit", span, unit_hint(str(token)))
    message = f"unexpected `{token}`: expected {expected_words(expected)}"
    return Diagnostic("VK001", message, span, _hint(token, expected))


def _after_number(expected: set[str]) -> bool:
    return bool(expected & {"UNIT"}) or terminal("..") in expected


def units() -> list[str]:
    """The units the grammar's UNIT terminal accepts, in words."""
    from .parser import lark_parser
    pattern = lark_parser().get_terminal("UNIT").pattern.value
    return [unit for unit in ("minutes", "hours", "days", "weeks", "months", "years") if unit[:-1] in pattern]


def unit_hint(word: str) -> str:
    known = units()
    danish = {"dage": "days", "dag": "days", "timer": "hours", "time": "hours", "minutter": "minutes",
              "uger": "weeks", "uge": "weeks", "måneder": "months", "år": "years"}
    guess = danish.get(word.lower()) if danish.get(word.lower()) in known else None
    close = guess or (did_you_mean(word, known) or "").removeprefix("did you mean `").removesuffix("`?") or None
    listing = ", ".join(known)
    start = f"write `{close}`; " if close else ""
    return (f"{start}the units are {listing}, on the calendar (`5 calendar days`) or in business time "
            "(`2 business hours`, `10 business days`)")


def terminal(text: str) -> str | None:
    """The name Lark gives the terminal of a literal such as `->` (anonymous ones are numbered)."""
    from .parser import lark_parser
    for candidate in lark_parser().terminals:
        if candidate.pattern.type == "str" and candidate.pattern.value == text:
            return candidate.name
    return None


def word(name: str) -> str:
    if name in WORDS:
        return WORDS[name]
    from .parser import lark_parser
    try:
        pattern = lark_parser().get_terminal(name).pattern
    except KeyError:
        return name.lower()
    if pattern.type == "str":
        return SYMBOLS.get(pattern.value, f"`{pattern.value}`")
    return name.lower().replace("_", " ")


def expected_words(expected: set[str] | frozenset[str] | None) -> str:
    """Lark's expected terminals as a short list of words."""
    remaining = set(expected or ())
    words = []
    if EXPRESSION_STARTS <= remaining:
        remaining -= EXPRESSION_STARTS | {"MINUS", "NOT", "IF", "NEXT", "DATE", "TRUE", "FALSE", "NOTHING"}
        words.append("a value (a number, a quoted text, a name or `request.field`)")
    if ITEM_STARTS <= remaining:
        remaining -= ITEM_STARTS | {"VERSION"}  # a rule set's one `version` line is no item to suggest
        words.append("a new item (`decision`, `let`, `set`, `kind`, `require`, `calendar`)")
    words.extend(sorted(word(name) for name in remaining))
    if len(words) > 8:
        words = words[:8] + ["…"]
    if not words:
        return "something else"
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]


def _hint(token: Token, expected: set[str]) -> str:
    from .parser import KEYWORDS
    if token.type == "NAME" and ITEM_STARTS & expected:
        suggestion = did_you_mean(str(token), KEYWORDS)
        if suggestion:
            return suggestion
        return "each item starts with a keyword such as `decision`; is a quote or an operator missing?"
    if token.type == "EQUAL":
        if "COMPARE" in expected:
            return "compare with `==`; a single `=` only introduces a decision's rule"
        return "a decision's rule is introduced by a single `=`: `decision fee = …`"
    if terminal("->") in expected and len(expected) <= 3:
        return "a row is written `condition -> value`; is the `->` missing?"
    if "STRING" in expected and len(expected) == 1:
        return "write the clause or message in double quotes"
    if token.type == "NUMBER" and "UNIT" in expected:
        return "put a unit after the number, such as `days`"
    return "check the line against the language tour in README.md"
