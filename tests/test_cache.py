"""The compiled-policy cache: used when nothing changed, never when anything did, harmless when broken, and
never trusted when someone else could have written it (issue 15 item 3)."""
from __future__ import annotations

import json
import os
import pickle
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT
from evaluator import load_policies
from evaluator.compile import cache

DOCUMENT = {"kind": "cancellation", "service": "x", "service_start": "2026-12-10", "cancelled_on": "2026-11-26",
            "service_cost": {"amount": 100, "currency": "USD"}}
AS_ROOT = os.getuid() == 0
NOBODY = 65534


def entries(directory: Path) -> list[Path]:
    return sorted(directory.glob("*" + cache.SUFFIX))


def copy_policies(tmp_path: Path, name: str = "policies") -> Path:
    policies = tmp_path / name
    shutil.copytree(ROOT / "policies", policies)
    return policies


def test_an_edit_is_never_answered_from_the_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("VILKAR_CACHE_DIR", str(tmp_path / "cache"))
    policies = copy_policies(tmp_path)
    assert load_policies(policies).evaluate(DOCUMENT).decisions["fee_percent"] == 0
    assert len(entries(tmp_path / "cache")) == 1
    assert load_policies(policies).evaluate(DOCUMENT).decisions["fee_percent"] == 0  # from the cache
    path = policies / "cancellation.vk"
    path.write_text(path.read_text(encoding="utf-8").replace(">= 14 days", ">= 21 days").replace("6..13", "6..20"),
                    encoding="utf-8")
    assert load_policies(policies).evaluate(DOCUMENT).decisions["fee_percent"] == 50
    assert len(entries(tmp_path / "cache")) == 2


def test_the_directory_is_made_for_the_user_alone(tmp_path, monkeypatch):
    monkeypatch.setenv("VILKAR_CACHE_DIR", str(tmp_path / "new" / "cache"))
    load_policies()
    assert (tmp_path / "new" / "cache").stat().st_mode & 0o777 == 0o700
    [entry] = entries(tmp_path / "new" / "cache")
    assert entry.stat().st_mode & 0o777 == 0o600


def test_a_cached_load_compiles_no_python(tmp_path, monkeypatch):
    monkeypatch.setenv("VILKAR_CACHE_DIR", str(tmp_path))
    expected = load_policies().evaluate(DOCUMENT).decisions
    from evaluator.compile import compiler

    def refuse(plan):
        raise AssertionError(f"compiled the generated code of {plan.name} again")
    monkeypatch.setattr(compiler, "compile_plan", refuse)
    monkeypatch.setattr("evaluator.api.compile_plan", refuse)
    assert load_policies().evaluate(DOCUMENT).decisions == expected


def test_another_python_or_another_vilkar_uses_another_entry(monkeypatch):
    texts, schemas = {"policies/a.vk": "kind a\n"}, {"a": {}}
    before = cache.key(texts, schemas)
    monkeypatch.setattr(cache, "_CODE", [])
    monkeypatch.setattr(cache, "MAGIC_NUMBER", b"\x00\x00\r\n")  # marshalled code of another Python version
    assert cache.key(texts, schemas)[0] != before[0]
    monkeypatch.setattr(cache, "_CODE", [b"another vilkar"])
    assert cache.key(texts, schemas)[0] != before[0]


def test_one_entry_per_rule_set_whatever_the_working_directory(tmp_path, monkeypatch):
    monkeypatch.setenv("VILKAR_CACHE_DIR", str(tmp_path / "cache"))
    copy_policies(tmp_path / "project")
    (tmp_path / "project" / "sub").mkdir()
    sources = []
    for where, relative in ((tmp_path / "project", "policies"), (tmp_path / "project" / "sub", "../policies"),
                            (tmp_path / "project", "policies")):
        monkeypatch.chdir(where)
        policies = load_policies(relative)
        assert policies.evaluate(DOCUMENT).decisions["fee_percent"] == 0
        sources.append(sorted(policies.sources))
    assert len(entries(tmp_path / "cache")) == 1
    assert sources[0] == sources[2] != sources[1]  # each load names the files as seen from where it ran


def test_the_newest_few_entries_are_kept(tmp_path, monkeypatch):
    monkeypatch.setenv("VILKAR_CACHE_DIR", str(tmp_path / "cache"))
    policies = copy_policies(tmp_path)
    path = policies / "cancellation.vk"
    text = path.read_text(encoding="utf-8")
    for version in range(cache.KEEP + 3):
        path.write_text(text + f"\n# version {version}\n", encoding="utf-8")
        load_policies(policies)
    assert len(entries(tmp_path / "cache")) == cache.KEEP
    load_policies(policies)  # the newest is among those kept
    assert len(entries(tmp_path / "cache")) == cache.KEEP


def test_a_damaged_entry_is_rebuilt(tmp_path, monkeypatch):
    monkeypatch.setenv("VILKAR_CACHE_DIR", str(tmp_path))
    expected = load_policies().evaluate(DOCUMENT).decisions
    [entry] = entries(tmp_path)
    data = entry.read_bytes()
    full_key = json.loads(data[len(cache.FORMAT):].split(b"\n", 1)[0])["key"]
    for position in (5, len(data) // 3, len(data) // 2, len(data) - 7):
        flipped = bytearray(data)
        flipped[position] ^= 0x01
        entry.write_bytes(bytes(flipped))
        assert load_policies().evaluate(DOCUMENT).decisions == expected
        assert cache._decode(entry.read_bytes(), full_key) is not None  # rebuilt in place of the damaged one
    entry.write_bytes(b"not an entry")
    assert load_policies().evaluate(DOCUMENT).decisions == expected


class _Planted:
    """Runs code when unpickled: what an attacker would put in an entry."""

    def __init__(self, marker: Path):
        self.marker = marker

    def __reduce__(self):
        return (Path.touch, (self.marker,))


def _plant(tmp_path: Path) -> tuple[Path, Path]:
    """The entry the bundled rule set will look for, holding a well-formed, checksummed, hostile pickle."""
    load_policies()
    [entry] = entries(tmp_path / "cache")
    marker = tmp_path / "ran"
    header = json.loads(entry.read_bytes()[len(cache.FORMAT):].split(b"\n", 1)[0])
    entry.write_bytes(cache.encode(header["key"], _Planted(marker)))
    return entry, marker


def test_a_well_formed_entry_of_the_user_is_used(tmp_path, monkeypatch):
    # the control for the tests below: the planted entry would run if the checks did not refuse it
    monkeypatch.setenv("VILKAR_CACHE_DIR", str(tmp_path / "cache"))
    entry, marker = _plant(tmp_path)
    assert load_policies().evaluate(DOCUMENT).decisions["fee_percent"] == 0  # what it unpickles to is no rule set
    assert marker.exists()


@pytest.mark.skipif(not AS_ROOT, reason="giving a file to another user needs root; the mode tests cover the rest")
def test_an_entry_planted_by_another_user_is_refused(tmp_path, monkeypatch):
    monkeypatch.setenv("VILKAR_CACHE_DIR", str(tmp_path / "cache"))
    entry, marker = _plant(tmp_path)
    os.chown(entry, NOBODY, NOBODY)
    assert load_policies().evaluate(DOCUMENT).decisions["fee_percent"] == 0
    assert not marker.exists()


def test_an_entry_others_may_write_is_refused(tmp_path, monkeypatch):
    monkeypatch.setenv("VILKAR_CACHE_DIR", str(tmp_path / "cache"))
    entry, marker = _plant(tmp_path)
    entry.chmod(0o666)
    assert load_policies().evaluate(DOCUMENT).decisions["fee_percent"] == 0
    assert not marker.exists()


def test_an_entry_that_is_a_symbolic_link_is_refused(tmp_path, monkeypatch):
    monkeypatch.setenv("VILKAR_CACHE_DIR", str(tmp_path / "cache"))
    entry, marker = _plant(tmp_path)
    elsewhere = tmp_path / "elsewhere.vkc"
    entry.rename(elsewhere)
    entry.symlink_to(elsewhere)
    assert load_policies().evaluate(DOCUMENT).decisions["fee_percent"] == 0
    assert not marker.exists()


@pytest.mark.parametrize("how", ["writable by others", "another user", "a symbolic link"])
def test_a_directory_others_control_is_refused_and_left_alone(tmp_path, monkeypatch, capsys, how):
    if how == "another user" and not AS_ROOT:
        pytest.skip("giving a directory to another user needs root")
    monkeypatch.setenv("VILKAR_CACHE_DIR", str(tmp_path / "cache"))
    entry, marker = _plant(tmp_path)
    directory = tmp_path / "cache"
    if how == "writable by others":
        directory.chmod(0o777)
    elif how == "another user":
        os.chown(directory, NOBODY, NOBODY)
    else:
        directory.rename(tmp_path / "real")
        directory.symlink_to(tmp_path / "real")
    monkeypatch.setattr(cache, "_refused", set())
    assert load_policies().evaluate(DOCUMENT).decisions["fee_percent"] == 0
    assert load_policies().evaluate(DOCUMENT).decisions["fee_percent"] == 0
    assert not marker.exists()
    said = capsys.readouterr().err
    assert said.count("vilkar: not using the cache directory") == 1  # said once, not per load
    assert {"writable by others": "others may write to it (mode 0777)", "another user": "belongs to another user",
            "a symbolic link": "it is a symbolic link"}[how] in said
    if how == "writable by others":
        assert directory.stat().st_mode & 0o777 == 0o777  # not the cache's to change
    assert len(list((tmp_path / ("real" if how == "a symbolic link" else "cache")).iterdir())) == 1


def test_no_home_or_an_unwritable_one_turns_the_cache_off_quietly(tmp_path, monkeypatch, capsys):
    for variable in ("VILKAR_CACHE_DIR", "XDG_CACHE_HOME", "HOME"):
        monkeypatch.delenv(variable, raising=False)

    def no_home():
        raise RuntimeError("Could not determine home directory.")
    monkeypatch.setattr(Path, "home", staticmethod(no_home))
    assert load_policies().evaluate(DOCUMENT).decisions["fee_percent"] == 0
    (tmp_path / "a file").write_text("")
    monkeypatch.setenv("HOME", str(tmp_path / "a file"))  # a home under which nothing can be created
    monkeypatch.setattr(Path, "home", staticmethod(lambda: tmp_path / "a file"))
    assert load_policies().evaluate(DOCUMENT).decisions["fee_percent"] == 0
    assert capsys.readouterr().err == ""


def test_a_failed_write_leaves_no_temporary_file(tmp_path, monkeypatch):
    monkeypatch.setenv("VILKAR_CACHE_DIR", str(tmp_path))

    def disk_full(*args, **kwargs):
        raise OSError(28, "No space left on device")
    monkeypatch.setattr(cache.os, "replace", disk_full)
    assert load_policies().evaluate(DOCUMENT).decisions["fee_percent"] == 0
    assert list(tmp_path.iterdir()) == []


def test_a_value_that_cannot_be_stored_costs_only_speed(tmp_path, monkeypatch):
    monkeypatch.setenv("VILKAR_CACHE_DIR", str(tmp_path))
    cache.store(cache.key({"a": "b"}, {}), lambda: None)  # functions do not pickle
    assert list(tmp_path.iterdir()) == []


def test_the_cache_can_be_turned_off(tmp_path, monkeypatch):
    monkeypatch.setenv("VILKAR_CACHE_DIR", str(tmp_path))
    monkeypatch.setenv("VILKAR_CACHE", "off")
    load_policies()
    assert list(tmp_path.iterdir()) == []


PROCESS = """
import json, sys
from evaluator import load_policies
document = json.loads(sys.argv[1])
policies = load_policies()
print(json.dumps([policies.evaluate(document).to_dict(), sorted(policies.sources)], default=str))
"""


def test_eight_processes_on_a_cold_cache_get_the_same_correct_rule_set(tmp_path):
    environment = {**os.environ, "VILKAR_CACHE_DIR": str(tmp_path / "cache"), "PYTHONPATH": str(ROOT)}
    environment.pop("VILKAR_CACHE", None)
    command = [sys.executable, "-c", PROCESS, json.dumps(DOCUMENT)]
    started = [subprocess.Popen(command, env=environment, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                cwd=tmp_path) for _ in range(8)]
    outputs = [process.communicate(timeout=300) for process in started]
    assert [process.returncode for process in started] == [0] * 8, outputs
    assert all(err == "" for _, err in outputs)
    uncached = subprocess.run(command, env={**environment, "VILKAR_CACHE": "off"}, capture_output=True, text=True,
                              cwd=tmp_path, check=True).stdout
    assert {out for out, _ in outputs} == {uncached}
    assert [path.suffix for path in (tmp_path / "cache").iterdir()] == [cache.SUFFIX]  # no temporary left
    again = subprocess.run(command, env=environment, capture_output=True, text=True, cwd=tmp_path, check=True)
    assert again.stdout == uncached


def test_an_entry_is_a_pickle_behind_a_checked_header():
    data = cache.encode("k", {"x": 1})
    header, content = data[len(cache.FORMAT):].split(b"\n", 1)
    assert data.startswith(cache.FORMAT) and json.loads(header)["key"] == "k"
    assert pickle.loads(content) == {"x": 1}
    assert cache._decode(data, "k") == {"x": 1}
    assert cache._decode(data, "another key") is None


def test_a_cached_big_table_reads_its_rules_and_lines_only_when_asked(tmp_path, monkeypatch):
    from evaluator import RequestError
    from evaluator.api import compile_sources
    from evaluator.compile.plan import DeferredLines, DeferredRules
    from evaluator.language.source import Source
    from policykit import INTEGER, schema

    monkeypatch.setenv("VILKAR_CACHE_DIR", str(tmp_path))
    rows = "\n".join(f"      {10 * i}..{10 * i + 9} -> 100 / (request.n - {10 * i + 5})  cites \"row {i}\""
                     for i in range(400))
    text = f"kind probe\ndecision d: number\n  = tiers of request.n\n{rows}\n      otherwise -> 0\n"
    sources, schemas = {"policies/probe.vk": Source.of("policies/probe.vk", text)}, {"probe": schema({"n": INTEGER})}
    fresh = compile_sources(sources, schemas)
    cached = compile_sources(sources, schemas)
    kind = cached.kinds["probe"]
    assert isinstance(kind.definitions[0].rules, DeferredRules) and isinstance(kind.origins, DeferredLines)
    for n in (0, 1234, 3999, 5000):
        expected, got = fresh.evaluate({"kind": "probe", "n": n}), cached.evaluate({"kind": "probe", "n": n})
        assert got.decisions == expected.decisions and got.notes == expected.notes
        assert got.fired()["d"][1] == expected.fired()["d"][1]
        assert got.to_dict(explain=True) == expected.to_dict(explain=True)
    with pytest.raises(RequestError) as caught:
        cached.evaluate({"kind": "probe", "n": 1235})  # row 123 divides by zero
    assert "policies/probe.vk:127" in str(caught.value)


def test_old_temporary_files_and_entries_of_the_first_format_are_removed(tmp_path, monkeypatch):
    monkeypatch.setenv("VILKAR_CACHE_DIR", str(tmp_path))
    tmp_path.chmod(0o700)
    hour_ago = __import__("time").time() - 2 * cache.STALE_TEMPORARY
    for name in ("a" * 64 + ".pickle", ".x.vkc.1.2.tmp"):
        (tmp_path / name).write_bytes(b"old")
        os.utime(tmp_path / name, (hour_ago, hour_ago))
    (tmp_path / ("b" * 64 + ".pickle")).write_bytes(b"in use by an older vilkar just now")
    load_policies()
    assert sorted(path.suffix for path in tmp_path.iterdir()) == [".pickle", cache.SUFFIX]


def test_a_cached_load_imports_neither_parser_checker_compiler_nor_package_metadata(tmp_path):
    """What a cached start needs is the compiled plans: Lark, the checker, the compiler, the syntax tree, rule
    words, both JSON Schema validators, the tools, the servers and importlib.metadata (email, socket) are left
    for the start that must compile, or for the first request, trace or explanation that needs them (issue 12:
    cold start)."""
    import json
    import os
    import subprocess
    import sys

    watched = ("lark", "evaluator.language.check", "evaluator.language.parser", "evaluator.compile.compiler",
               "importlib.metadata", "evaluator.language.ast", "evaluator.explain.phrases", "jsonschema",
               "evaluator.tools", "evaluator.lsp", "evaluator.server", "evaluator.dask_batch", "dask", "holidays",
               "difflib", "email", "socket", "zoneinfo", "calendar", "locale", "evaluator.compile.trace_info",
               "evaluator.explain.rule_words")
    code = ("import json, sys; from evaluator import load_policies; load_policies(); "
            f"print(json.dumps(sorted(name for name in sys.modules if name.startswith({watched!r}))))")
    environment = dict(os.environ, VILKAR_CACHE_DIR=str(tmp_path))
    first = json.loads(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                                      cwd=ROOT, env=environment).stdout)
    cached = json.loads(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                                       cwd=ROOT, env=environment).stdout)
    assert "evaluator.compile.compiler" in first  # the first start compiled, and stored the result
    assert cached == []


def test_threads_that_first_read_a_cached_kinds_definitions_together_meet_the_same_objects(tmp_path, monkeypatch):
    """Explanations index definitions by identity, and PolicySet.evaluate is thread-safe: the deferred
    definitions are unpickled once, whichever thread asks first."""
    import threading

    monkeypatch.setenv("VILKAR_CACHE_DIR", str(tmp_path))
    load_policies()
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # threads switch so often that, unlocked, they would unpickle side by side
    try:
        for _ in range(5):
            kinds = load_policies().kinds
            barrier, seen = threading.Barrier(6), []

            def read() -> None:
                barrier.wait()
                seen.append([id(kind.definitions[0]) for kind in kinds.values()])

            threads = [threading.Thread(target=read) for _ in range(6)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            assert len(seen) == 6 and all(ids == seen[0] for ids in seen)
    finally:
        sys.setswitchinterval(interval)
