"""`vilkar lsp`: a language server for `.vk` policies.

The protocol layer (`server.py`, on pygls) is thin: every answer comes from a pure function in the
modules beside it, which work on texts in memory and character offsets, and which reuse what the
command line already has: lint for diagnostics, fmt for formatting, the checker for types.
"""
