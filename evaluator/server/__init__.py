"""The decision service behind `vilkar serve` (SPEC §8.9): HTTP in front of `PolicySet.evaluate`."""
from __future__ import annotations
