"""Checked policies to fast Python: the compiler, what compiled code calls, and the cache."""
