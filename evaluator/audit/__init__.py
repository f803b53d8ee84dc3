"""`vilkar audit`: did first responses meet the contract's expected times, on each plan's own clock?"""
from __future__ import annotations
