"""The compiled-policy cache: used when nothing changed, never when anything did, harmless when broken."""
from __future__ import annotations

import shutil

from conftest import ROOT
from evaluator import load_policies

DOCUMENT = {"kind": "cancellation", "service": "x", "service_start": "2026-12-10", "cancelled_on": "2026-11-26",
            "service_cost": {"amount": 100, "currency": "USD"}}


def test_an_edit_is_never_answered_from_the_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("VILKAR_CACHE_DIR", str(tmp_path / "cache"))
    policies = tmp_path / "policies"
    shutil.copytree(ROOT / "policies", policies)
    assert load_policies(policies).evaluate(DOCUMENT).decisions["fee_percent"] == 0
    assert len(list((tmp_path / "cache").glob("*.pickle"))) == 1
    assert load_policies(policies).evaluate(DOCUMENT).decisions["fee_percent"] == 0  # from the cache
    path = policies / "cancellation.vk"
    path.write_text(path.read_text(encoding="utf-8").replace(">= 14 days", ">= 21 days").replace("6..13", "6..20"),
                    encoding="utf-8")
    assert load_policies(policies).evaluate(DOCUMENT).decisions["fee_percent"] == 50
    assert len(list((tmp_path / "cache").glob("*.pickle"))) == 2


def test_a_corrupt_entry_is_rebuilt(tmp_path, monkeypatch):
    monkeypatch.setenv("VILKAR_CACHE_DIR", str(tmp_path))
    load_policies()
    for entry in tmp_path.glob("*.pickle"):
        entry.write_bytes(b"not a pickle")
    assert load_policies().evaluate(DOCUMENT).decisions["fee_percent"] == 0


def test_the_cache_can_be_turned_off(tmp_path, monkeypatch):
    monkeypatch.setenv("VILKAR_CACHE_DIR", str(tmp_path))
    monkeypatch.setenv("VILKAR_CACHE", "off")
    load_policies()
    assert not list(tmp_path.glob("*.pickle"))
