"""Long expressions without deep trees: chains of `or`, `and` and `+`, and the nesting limit.

`a or b or c …` parses left-deep, one level per operator, and every stage after the parser (checker,
compiler, fmt, lint, equality of trees) walks trees recursively. So a run of the same associative
operator is collected flat while the tree is built and rebuilt as a tree of depth about log2(n): up to
SHORT operands left-deep, exactly as written, and longer runs split in halves. The operands keep their
order, and `or` and `and` give the same value however a run is grouped, so parentheses inside such a run do
not change the tree. `+` is not always associative: a date plus months is added from left to right
(`d + 1 month + 1 month` is not `d + 2 months` at the end of a month, SPEC §5), so a `+` run in parentheses
is a group of its own (marked `grouped`), kept as written where it is a right operand; a group on the left of
`+` is the start of the run, as written. Everything else that nests —
parentheses around other operators, `not`, `-`, `if … then … else` — may nest at most MAX_NESTING deep;
deeper is a policy error (VK003), not a crash.
"""
from __future__ import annotations

from dataclasses import fields, replace

from . import ast
from .source import Source

ASSOCIATIVE = {"or_op": "or", "and_op": "and", "add": "+"}
SHORT = 16
MAX_NESTING = 100


class Run:
    """The operands of a chain of one operator, collected while the tree is built."""

    def __init__(self, op: str, operands: list[ast.Expr]):
        self.op = op
        self.operands = operands

    def tree(self, source: Source) -> ast.Expr:
        return _balanced(self.op, self.operands, 0, len(self.operands), source)


def extend(op: str, left: object, right: object) -> Run:
    """`left op right`, flattening either side that is already a run of the same operator."""
    if isinstance(left, Run) and left.op == op:
        run = left
    elif isinstance(left, ast.Binary) and left.grouped and left.op == op:
        run = Run(op, _operands(left))  # `(a + b) + c` is `a + b + c`
    else:
        run = Run(op, [left])  # type: ignore[list-item]
    if isinstance(right, Run) and right.op == op:
        run.operands.extend(right.operands)
    else:
        run.operands.append(right)  # type: ignore[arg-type]
    return run


def group(inner: object, source: Source) -> object:
    """`( inner )`: a run of `or` or `and` goes on through the parentheses, a run of `+` ends in a group."""
    if isinstance(inner, Run) and inner.op == "+":
        tree = inner.tree(source)
        return replace(tree, grouped=True) if isinstance(tree, ast.Binary) else tree
    return inner


def _operands(tree: ast.Binary) -> list[ast.Expr]:
    """The operands of a grouped run, left to right: its nodes of the same operator that are not groups."""
    operands: list[ast.Expr] = []
    pending: list[ast.Expr] = [tree]
    while pending:
        node = pending.pop()
        if isinstance(node, ast.Binary) and node.op == tree.op and (node is tree or not node.grouped):
            pending.extend((node.right, node.left))
        else:
            operands.append(node)
    return operands


def _balanced(op: str, operands: list[ast.Expr], low: int, high: int, source: Source) -> ast.Expr:
    if high - low <= SHORT:
        tree = operands[low]
        for operand in operands[low + 1:high]:
            tree = ast.Binary(op, tree, operand, source.span(tree.span.start, operand.span.end))
        return tree
    middle = (low + high) // 2
    left = _balanced(op, operands, low, middle, source)
    right = _balanced(op, operands, middle, high, source)
    return ast.Binary(op, left, right, source.span(left.span.start, right.span.end))


def too_deep(items: tuple) -> ast.Expr | None:
    """The first expression nested deeper than MAX_NESTING, found without recursion, or None."""
    stack: list[tuple[object, int]] = [(item, 0) for item in items]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, tuple):
            stack.extend((child, depth) for child in node)
            continue
        if not hasattr(node, "__dataclass_fields__"):
            continue
        if depth > MAX_NESTING:
            return node  # type: ignore[return-value]
        nested = depth + 1 if _is_expression(node) else depth
        for node_field in fields(node):
            if node_field.name != "span":
                stack.append((getattr(node, node_field.name), nested))
    return None


def _is_expression(node: object) -> bool:
    return isinstance(node, (ast.Binary, ast.Unary, ast.Conditional, ast.IfAbsent, ast.Presence, ast.Field,
                             ast.Call, ast.Comprehension, ast.SetLiteral, ast.Convert, ast.WithinHours,
                             ast.NextBusinessStart))
