"""A Pygments lexer for `.vk` policies: keywords, units, money, percentages, dates, citations, comments."""
from __future__ import annotations

from pygments.lexer import RegexLexer, bygroups, words
from pygments.token import Comment, Keyword, Literal, Name, Number, Operator, Punctuation, String, Text, Whitespace

from ...language.parser import KEYWORDS

_UNITS = r"(?:(?:calendar|business)[ \t]+)?(?:minutes?|hours?|days?|weeks?)\b"


class VilkarLexer(RegexLexer):
    """The vilkar policy language."""

    name = "vilkar"
    aliases = ["vilkar", "vk"]
    filenames = ["*.vk"]
    mimetypes = ["text/x-vilkar"]

    tokens = {
        "root": [
            (r"[ \t]+", Whitespace),
            (r"\n", Whitespace),
            (r"#.*?$", Comment.Single),
            (r'(cites)(\s+)("(?:[^"\\\n]|\\.)*")', bygroups(Keyword, Whitespace, String.Doc)),
            (r'"(?:[^"\\\n]|\\.)*"', String),
            (r"\d{4}-\d{2}-\d{2}", Literal.Date),
            (r"\d{2}:\d{2}", Number),
            (r"[A-Z]{3}(?=\s+\d)", Name.Constant),
            (r"\d+(?:\.\d+)?%", Number),
            (r"(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)(\s+)(" + _UNITS + ")",
             bygroups(Number, Whitespace, Keyword.Type)),
            (r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?", Number),
            (words(("business hours", "business start"), suffix=r"\b"), Keyword.Type),
            (words(("names", "note", "contains", "word", "within", "next", "business", "start", "after",
                    "open", "to", "closed", "public", "holidays"), suffix=r"\b"), Keyword),
            (words(KEYWORDS, suffix=r"\b"), Keyword),
            (r"(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|January|February|March|April|May|June"
             r"|July|August|September|October|November|December)\b", Name.Constant),
            (r"[a-z_][a-z0-9_]*(?=\()", Name.Function),
            (r"[a-z_][a-z0-9_]*", Name),
            (r"->|==|!=|<=|>=|\.\.|[<>+\-*/=]", Operator),
            (r"[|(){},.:]", Punctuation),
            (r".", Text),
        ],
    }
