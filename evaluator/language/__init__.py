"""The policy language: source text, parser, syntax tree, types and the checker."""
