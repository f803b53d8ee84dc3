"""Shared test helpers: where the repo's folders are, and golden-file comparison."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent
UPDATE = os.environ.get("VILKAR_UPDATE_GOLDEN") == "1"


def assert_golden(expected_path: Path, actual: str) -> None:
    """Compare with a golden file; `VILKAR_UPDATE_GOLDEN=1 pytest` rewrites it (review the diff!)."""
    if UPDATE:
        expected_path.write_text(actual, encoding="utf-8")
        return
    if not expected_path.exists():
        pytest.fail(f"{expected_path} is missing; run with VILKAR_UPDATE_GOLDEN=1 and review it")
    assert actual == expected_path.read_text(encoding="utf-8")
