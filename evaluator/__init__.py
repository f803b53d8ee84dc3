"""vilkar: contract terms as policy code."""
from __future__ import annotations

from .api import PolicySet, evaluate, evaluate_many, load_policies
from .errors import PolicyError, RequestError, RequestProblem
from .result import Result

__all__ = ["evaluate", "evaluate_many", "load_policies", "PolicySet", "Result", "RequestError",
           "RequestProblem", "PolicyError"]
