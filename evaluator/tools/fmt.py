"""`vilkar fmt`: one canonical layout for policy files. Keeps every comment; never changes meaning.

The printer works from the syntax tree, so the formatted file parses to an equal tree. Each printed
line remembers the source span it came from; comments are put back beside the line whose source
they ended (end-of-line comments) or above the first line that followed them (own-line comments).
Literals are printed as written (`6 calendar weeks`, `USD 50,000`).
"""
from __future__ import annotations

from dataclasses import dataclass

from ..language import ast
from ..language.parser import parse_module
from ..language.source import Source, Span

WIDTH = 110


@dataclass
class _Line:
    """One output line and the source it stands for."""

    text: str
    span: Span | None
    indent: int = 0


def format_source(source: Source) -> str:
    """The canonical text of a policy file; raises ParseError if it does not parse."""
    module = parse_module(source)
    lines: list[_Line] = []
    previous: list[_Line] = []
    for item in module.items:
        item_lines = _Printer().item(item)
        # items are set apart by a blank line, except a run of one-line `let`s, which reads as a list
        if lines and not (len(previous) == 1 and len(item_lines) == 1 and previous[0].text.startswith("let ")
                          and item_lines[0].text.startswith("let ")):
            lines.append(_Line("", None))
        lines.extend(item_lines)
        previous = item_lines
    return _with_comments(lines, module.comments, source)


def _with_comments(lines: list[_Line], comments: tuple[ast.Comment, ...], source: Source) -> str:
    before: dict[int, list[str]] = {}
    after: dict[int, list[str]] = {}
    trailing: list[str] = []
    anchored = [(index, line) for index, line in enumerate(lines) if line.span is not None]
    for comment in comments:
        own_line = source.line_text(comment.span.line)[:comment.span.col - 1].strip() == ""
        if own_line:
            target = next((index for index, line in anchored if line.span.start > comment.span.start), None)
            if target is None:
                trailing.append(comment.text)
            else:
                before.setdefault(target, []).append(comment.text)
                if source.line_text(comment.span.line + 1).strip() == "":
                    before[target].append("")  # the author set the comment apart from what follows
            continue
        holders = [index for index, line in anchored
                   if line.span.line <= comment.span.line <= line.span.end_line]
        target = holders[-1] if holders else next(
            (index for index, line in reversed(anchored) if line.span.start < comment.span.start), 0)
        after.setdefault(target, []).append(comment.text)
    output: list[str] = []
    for index, line in enumerate(lines):
        for text in before.get(index, []):
            output.append(" " * line.indent + text if text else "")
        text = line.text
        if index in after:
            text = f"{text}  {'  '.join(after[index])}" if text else " ".join(after[index])
        output.append(text.rstrip())
    if trailing:
        if output and output[-1] != "":
            output.append("")
        output.extend(trailing)
    while output and output[-1] == "":
        output.pop()
    return "\n".join(output) + "\n"


# ---------------------------------------------------------------- items

class _Printer:
    def item(self, item: ast.Item) -> list[_Line]:
        if isinstance(item, ast.KindDecl):
            head = f"kind {item.name}"
            if item.calendar is not None:
                head += f" uses calendar {item.calendar} at {expr(item.location)}"
            conditions = item.note_conditions or (None,) * len(item.notes)
            notes = [_Line(f"  note {_string(note)}" + (f" when {expr(when)}" if when is not None else ""), None, 2)
                     for note, when in zip(item.notes, conditions)]  # notes carry no own span
            headlines = [_Line(f"  headline {_string(line.text)}", line.span, 2) for line in item.headlines]
            return [_Line(head, _head_span(item, item.citation))] + self.citation(item.citation, 2) + headlines + notes
        if isinstance(item, ast.SetDecl):
            marker = ": aliases" if item.aliases else ": names" if item.names else ""
            marker += f" using {item.using}" if item.using else ""
            return self.wrapped(f"set {item.name}{marker} = ", item.value, _head_span(item, item.citation), 0) \
                + self.citation(item.citation, 2) + _words(item.reason, (), 2)
        if isinstance(item, (ast.Decision, ast.LetDecl)):
            keyword = "decision" if isinstance(item, ast.Decision) else "let"
            head = f"{keyword} {', '.join(_declared_name(item, i) for i in range(len(item.names)))}"
            if item.citation is None and item.reason is None and not item.notes \
                    and isinstance(item.body, ast.RuleBody) and not item.body.exceptions:
                flat = f"{head} = {expr(item.body.value)}"
                if len(flat) <= WIDTH:
                    return [_Line(flat, item.span)]
            header_end = item.citation.span if item.citation else None
            head_span = header_end and _join(item.span, header_end) or item.span
            if len(head) > WIDTH and len(item.names) > 1:  # one declared name per line, aligned
                pad = " " * (len(keyword) + 1)
                named = [_declared_name(item, i) for i in range(len(item.names))]
                heads = [_Line(f"{keyword} {named[0]},", item.span)]
                heads += [_Line(f"{pad}{name}{',' if i < len(named) - 1 else ''}", None, len(pad))
                          for i, name in enumerate(named[1:], 1)]
                heads[-1] = _Line(heads[-1].text, head_span, heads[-1].indent)
                return heads + self.citation(item.citation, 2) + _words(item.reason, item.notes, 2) + self.body(item.body)
            return [_Line(head, head_span)] + self.citation(item.citation, 2) + _words(item.reason, item.notes, 2) \
                + self.body(item.body)
        if isinstance(item, ast.Requirement):
            fields = ", ".join(expr(field) for field in (item.at, *item.also_at))
            if item.exactly_one:
                head = f"require exactly one of {fields}"
                if item.when is None and len(f"{head} {_string(item.message)}") <= WIDTH:
                    return [_Line(f"{head} {_string(item.message)}", item.at.span)] + self.citation(item.citation, 2)
                lines = [_Line(head, item.at.span)]
                if item.when is not None:
                    lines.append(_Line(f"  when {expr(item.when)}", item.when.span, 2))
                lines.append(_Line(f"  {_string(item.message)}", None, 2))
                return lines + self.citation(item.citation, 2)
            lines = [_Line(f"require {expr(item.condition)}", item.condition.span)]
            if item.when is not None:
                lines.append(_Line(f"  when {expr(item.when)}", item.when.span, 2))
            lines.append(_Line(f"  at {fields} {_string(item.message)}", item.at.span, 2))
            return lines + self.citation(item.citation, 2)
        if isinstance(item, ast.VersionDecl):
            until = f" until {item.until}" if item.until else ""
            return [_Line(f"version {_string(item.id)} effective {item.effective}{until}", item.span)]
        if isinstance(item, ast.MonthRule):
            return self.month_rule(item)
        return self.calendar(item)

    def citation(self, citation: ast.Citation | None, indent: int) -> list[_Line]:
        if citation is None:
            return []
        return [_Line(" " * indent + f"cites {_string(citation.text)}", citation.span, indent)]

    def wrapped(self, prefix: str, value: ast.Expr, span: Span, indent: int) -> list[_Line]:
        """`prefix value` on one line, or broken at a top-level `and`, `or` or `+` when too long; a set
        literal that is still too long is filled, its members aligned after the brace."""
        flat = prefix + expr(value)
        if len(flat) <= WIDTH:
            return [_Line(flat, span, indent)]
        if isinstance(value, ast.SetLiteral):
            return _filled(prefix, value, span, indent)
        if not (isinstance(value, ast.Binary) and value.op in ("and", "or", "+")):
            return [_Line(flat, span, indent)]
        operands = _chain(value, value.op)
        lines = self.wrapped(prefix, operands[0], span, indent) if isinstance(operands[0], ast.SetLiteral) else \
            [_Line(prefix + expr(operands[0], _LEVEL[value.op]), span, indent)]
        pad = " " * (indent + 4)
        for operand in operands[1:]:
            line = f"{pad}{value.op} {expr(operand, _LEVEL[value.op] + 1)}"
            if len(line) > WIDTH and isinstance(operand, ast.SetLiteral):
                lines.extend(_filled(f"{pad}{value.op} ", operand, operand.span, indent + 4))
            else:
                lines.append(_Line(line, operand.span, indent + 4))
        return lines

    def body(self, body: ast.Body) -> list[_Line]:
        if isinstance(body, ast.RuleBody):
            lines = self.wrapped("  = ", body.value, body.value.span, 2)
            for exception in body.exceptions:
                keyword = "except first when" if exception.first else "except when"
                lines.append(_Line(f"    {keyword} {expr(exception.condition)} -> {expr(exception.value)}",
                                   _head_span(exception, exception.citation), 4))
                lines.extend(self.citation(exception.citation, 6))
                lines.extend(_words(exception.reason, exception.notes, 6))
            return lines
        if isinstance(body, ast.AllOfBody):
            texts = [f"      | {expr(part.test)}" for part in body.parts]
            return [_Line("  = all of", body.span, 2)] + _cited_rows(texts, list(body.parts))
        if isinstance(body, ast.TiersBody):
            rows = [(bound(row.bound), expr(row.value, _LEVEL["+"]), row) for row in body.rows]
            if body.otherwise is not None:
                rows.append(("otherwise", ", ".join(expr(o) for o in body.otherwise.outputs), body.otherwise))
            width = max(len(r[0]) for r in rows)
            texts = [f"      {left.ljust(width)} -> {right}" for left, right, _ in rows]
            lines = [_Line(f"  = tiers of {expr(body.subject, _LEVEL['+'])}", body.subject.span, 2)]
            return lines + _cited_rows(texts, [r[2] for r in rows])
        return self.match(body)

    def match(self, body: ast.MatchBody) -> list[_Line]:
        subjects = ", ".join(expr(s) for s in body.subjects)
        lines = [_Line(f"  = match {body.hit} on {subjects}", _join(body.span, body.subjects[-1].span), 2)]
        cells = [[cell(c) for c in row.cells] for row in body.rows]
        outputs = [[expr(o) for o in row.outputs] for row in body.rows]
        columns = max((len(c) for c in cells), default=0)
        widths = [max((len(c[i]) for c in cells if i < len(c)), default=0) for i in range(columns)]
        lefts = ["| " + " | ".join(c[i].ljust(widths[i]) for i in range(len(c))) for c in cells]
        if body.otherwise is not None:
            lefts.append("otherwise")
            outputs.append([expr(o) for o in body.otherwise.outputs])
        left_width = max(len(left) for left in lefts)
        output_count = max(len(o) for o in outputs)
        output_widths = [max((len(o[i]) + (1 if i < len(o) - 1 else 0) for o in outputs if i < len(o)), default=0)
                         for i in range(output_count)]
        rows = list(body.rows) + ([body.otherwise] if body.otherwise is not None else [])
        texts = []
        for left, values in zip(lefts, outputs):
            parts = [(value + ("," if i < len(values) - 1 else "")).ljust(output_widths[i])
                     for i, value in enumerate(values)]
            texts.append(f"      {left.ljust(left_width)} -> {' '.join(parts).rstrip()}")
        return lines + _cited_rows(texts, rows)

    def calendar(self, calendar: ast.CalendarDecl) -> list[_Line]:
        lines = [_Line(f"calendar {calendar.name}", _head_span(calendar, calendar.citation))]
        lines.extend(self.citation(calendar.citation, 2))
        lines.extend(_Line(f"  note {_string(note)}", None, 2) for note in calendar.notes)  # notes carry no own span
        for clause in calendar.clauses:
            text = _clause(clause)
            if clause.citation is not None:
                text += f"  cites {_string(clause.citation.text)}"
            lines.append(_Line("  " + text, clause.span, 2))
        return lines

    def month_rule(self, rule: ast.MonthRule) -> list[_Line]:
        action = "roll forward to the first of the next month" if rule.rule == "roll_forward" \
            else "are clamped to the end of the month"
        return [_Line(f"dates that do not exist {action}", _head_span(rule, rule.citation))] \
            + self.citation(rule.citation, 2)


def _clause(clause: ast.CalendarClause) -> str:
    values = clause.values
    place = f"in {_string(clause.place)} " if clause.place is not None else ""
    if clause.what == "open":
        return f"{place}open {values[0]} to {values[1]}"
    if clause.what == "days":
        return f"{place}on {', '.join(values)}"
    if clause.what == "holidays":
        return f"{place}closed on public holidays"
    if clause.what == "closed":
        return f"{place}closed on {values[0]} {values[1]}"
    return f"{place}closed on {values[0]}"


def _filled(prefix: str, literal: ast.SetLiteral, span: Span, indent: int) -> list[_Line]:
    """A set literal over several lines: as many members per line as fit, aligned after the `{`."""
    if any(isinstance(member, ast.AliasGroup) for member in literal.items):  # a product's names: one per line
        members = [_Line(" " * (indent + 4) + expr(member) + ("," if index < len(literal.items) - 1 else ""),
                         member.span, indent + 4) for index, member in enumerate(literal.items)]
        return [_Line(prefix + "{", span, indent)] + members + [_Line(" " * (indent + 2) + "}", None, indent + 2)]
    pad = " " * (len(prefix) + 1)
    lines: list[_Line] = []
    current, current_span = prefix + "{", span
    for index, member in enumerate(literal.items):
        piece = expr(member) + ("," if index < len(literal.items) - 1 else "}")
        fresh = current.endswith("{")
        if not fresh and len(f"{current} {piece}") > WIDTH:
            lines.append(_Line(current, current_span, indent))
            current, current_span = pad + piece, member.span
        else:
            current = current + piece if fresh else f"{current} {piece}"
    if not literal.items:
        current += "}"
    lines.append(_Line(current, current_span, indent))
    return lines


def _cited_rows(texts: list[str], rows: list) -> list[_Line]:
    """Table and tier rows, their citations aligned in one column after the widest row; a row's reason
    and notes on lines of their own below it."""
    width = max(len(text) for text in texts)
    lines = []
    for text, row in zip(texts, rows):
        if row.citation is not None:
            text = f"{text.ljust(width)}  cites {_string(row.citation.text)}"
        end = row.citation.span if row.citation is not None else row.span
        lines.append(_Line(text, _join(row.span, end) if row.reason or row.notes else row.span, 6))
        lines.extend(_words(row.reason, row.notes, 8))
    return lines


def _words(reason: ast.Reason | None, notes: tuple[ast.Note, ...], indent: int) -> list[_Line]:
    """A rule's `because` and `note` lines."""
    pad = " " * indent
    lines = [_Line(f"{pad}because {_string(reason.text)}", reason.span, indent)] if reason is not None else []
    return lines + [_Line(f"{pad}note {_string(note.text)}", note.span, indent) for note in notes]


def _head_span(node, citation: ast.Citation | None) -> Span:
    """The span of an item's first line: from its start to before its citation."""
    if citation is None:
        return node.span
    return Span(node.span.file, node.span.line, node.span.col, citation.span.line, citation.span.col,
                node.span.start, citation.span.start)


def _join(first: Span, last: Span) -> Span:
    return Span(first.file, first.line, first.col, last.end_line, last.end_col, first.start, last.end)


def _chain(node: ast.Expr, op: str) -> list[ast.Expr]:
    if isinstance(node, ast.Binary) and node.op == op:
        return _chain(node.left, op) + [node.right]
    return [node]


# ---------------------------------------------------------------- expressions

_LEVEL = {"if": 0, "or": 1, "and": 2, "not": 3, "compare": 4, "absent": 5, "+": 6, "-": 6, "*": 7, "/": 7, "of": 7,
          "unary": 8, "postfix": 9, "atom": 10}
_COMPARISONS = {"==", "!=", "<", "<=", ">", ">=", "in", "not in", "contains word", "starts with"}


def _declared_name(item: ast.Decision | ast.LetDecl, index: int) -> str:
    spec = item.types[index] if index < len(item.types) else None
    return item.names[index] if spec is None else f"{item.names[index]}: {type_spec(spec)}"


def type_spec(spec: ast.TypeSpec) -> str:
    text = spec.name
    if spec.values is not None:
        text += " of {" + ", ".join(_string(value) for value in spec.values) + "}"
    elif spec.low is not None and spec.high is not None:
        text += f" {expr(spec.low)}..{expr(spec.high)}"
    elif spec.currency is not None:
        text += f" {spec.currency}"
    return text + (" or nothing" if spec.optional else "")


def _string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t") + '"'


def expr(node: ast.Expr, level: int = 0) -> str:
    """An expression, parenthesized only where the grammar needs it at this precedence level."""
    text, own = _expr(node)
    return f"({text})" if own < level else text


def _expr(node: ast.Expr) -> tuple[str, int]:
    atom = _LEVEL["atom"]
    if isinstance(node, (ast.Number, ast.Quantity, ast.Percent, ast.Money)):
        return node.text or str(node.value if not isinstance(node, ast.Money) else node.amount), atom
    if isinstance(node, ast.DateLiteral):
        return node.value, atom
    if isinstance(node, ast.String):
        return _string(node.value), atom
    if isinstance(node, ast.Boolean):
        return ("true" if node.value else "false"), atom
    if isinstance(node, ast.Nothing):
        return "nothing", atom
    if isinstance(node, ast.Request):
        return "request", atom
    if isinstance(node, ast.Name):
        return node.name, atom
    if isinstance(node, ast.Field):
        return f"{expr(node.base, _LEVEL['postfix'])}.{node.name}", _LEVEL["postfix"]
    if isinstance(node, ast.Call):
        return f"{node.function}({', '.join(expr(a) for a in node.arguments)})", atom
    if isinstance(node, ast.Comprehension):
        where = f" where {expr(node.where)}" if node.where is not None else ""
        return f"{node.function}({expr(node.element)} for {node.variable} in {expr(node.source)}{where})", atom
    if isinstance(node, ast.SetLiteral):
        return "{" + ", ".join(expr(i) for i in node.items) + "}", atom
    if isinstance(node, ast.AliasGroup):
        return " = ".join(expr(name) for name in node.names), _LEVEL["if"]
    if isinstance(node, ast.Selection):
        return f"{node.function}({node.variable} in {expr(node.source)} where {expr(node.condition)})", atom
    if isinstance(node, ast.Unary):
        if node.op == "not":
            return f"not {expr(node.operand, _LEVEL['not'])}", _LEVEL["not"]
        return f"-{expr(node.operand, _LEVEL['unary'])}", _LEVEL["unary"]
    if isinstance(node, ast.NextBusinessStart):
        return f"next business start after {expr(node.operand, _LEVEL['unary'])}", _LEVEL["unary"]
    if isinstance(node, ast.Period):
        unary = _LEVEL["unary"]
        cut = f" cut at {expr(node.cut, unary)}" if node.cut is not None else ""
        return (f"the {expr(node.length, unary)} period from {expr(node.anchor, unary)} containing "
                f"{expr(node.containing, unary)}{cut}"), unary
    if isinstance(node, ast.Binary):
        if node.op in _COMPARISONS:
            level = _LEVEL["compare"]
            return f"{expr(node.left, level + 1)} {node.op} {expr(node.right, level + 1)}", level
        level = _LEVEL[node.op]
        # the parser reads a run of `or`, `and` or `+` flat however it is grouped (chains.py): no parentheses,
        # but a `+` written in parentheses is a group of its own
        same_run = node.op in ("or", "and", "+") and isinstance(node.right, ast.Binary) and node.right.op == node.op \
            and not node.right.grouped
        return f"{expr(node.left, level)} {node.op} {expr(node.right, level if same_run else level + 1)}", level
    if isinstance(node, ast.Presence):
        level = _LEVEL["compare"]
        return f"{expr(node.operand, level + 1)} is {'present' if node.present else 'absent'}", level
    if isinstance(node, ast.WithinHours):
        level = _LEVEL["compare"]
        return f"{expr(node.operand, level + 1)} is within business hours", level
    if isinstance(node, ast.Convert):
        level = _LEVEL["compare"]
        clock = f"{node.clock} " if node.clock else ""
        return f"{expr(node.value, level + 1)} in {clock}{node.unit}", level
    if isinstance(node, ast.IfAbsent):
        level = _LEVEL["absent"]
        return f"{expr(node.value, level + 1)} if absent {expr(node.fallback, level + 1)}", level
    if isinstance(node, ast.Conditional):
        return f"if {expr(node.condition)} then {expr(node.then)} else {expr(node.otherwise)}", _LEVEL["if"]
    raise AssertionError(f"no layout for {node!r}")


def bound(node: ast.Bound) -> str:
    if isinstance(node, ast.CompareBound):
        return f"{node.op} {expr(node.value)}"
    if isinstance(node, ast.RangeBound):
        return f"{expr(node.low)}..{expr(node.high)}"
    return expr(node.value)


def cell(node: ast.Cell) -> str:
    if isinstance(node, ast.AnyCell):
        return "any"
    if isinstance(node, ast.EqualCell):
        return expr(node.value)
    if isinstance(node, ast.InCell):
        return f"{'not in' if node.negated else 'in'} {expr(node.value, _LEVEL['if'])}"
    if isinstance(node, ast.CompareCell):
        return f"{node.op} {expr(node.value)}"
    return f"{expr(node.low)}..{expr(node.high)}"
