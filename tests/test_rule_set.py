"""One rule set for every command (SPEC §8.1): the resolver, and the commands in copies of the repository."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from ruamel.yaml import YAML

from conftest import ROOT
from evaluator import PolicyError, load_policies
from evaluator.cli import main
from evaluator.resources import data_dir
from evaluator.rule_set import NotFound, RuleSet, find_config, resolve_policies, resolve_schemas, resolve_tests

SHIPPED = len(list((ROOT / "policies").rglob("*.vk")))
SAMPLE = ROOT / "samples" / "cancellation-14-days-notice.json"  # 14 days' notice: no fee in the shipped policy


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def policy_dir(path: Path) -> Path:
    write(path / "cancellation.vk", (ROOT / "policies" / "cancellation.vk").read_text(encoding="utf-8"))
    return path


def run(*args: str, env: dict[str, str] | None = None):
    return CliRunner().invoke(main, list(args), env=env or {})


# ---------------------------------------------------------------- the resolver, step by step


def test_first_match_wins_option_then_environment_then_config_then_local(tmp_path):
    given, environment, configured = (policy_dir(tmp_path / name) for name in ("given", "env", "configured"))
    policy_dir(tmp_path / "work" / "policies")
    write(tmp_path / "pyproject.toml", '[tool.vilkar]\npolicies = "configured"\n')
    work = tmp_path / "work"
    env = {"VILKAR_POLICIES": str(environment)}
    assert resolve_policies(str(given), bundled_ok=False, environ=env, cwd=work).path == given
    found = resolve_policies(None, bundled_ok=False, environ=env, cwd=work)
    assert (found.path, found.origin) == (environment, "VILKAR_POLICIES")
    found = resolve_policies(None, bundled_ok=False, environ={}, cwd=work)
    assert found.path == configured and "pyproject.toml" in found.origin
    (tmp_path / "pyproject.toml").unlink()
    found = resolve_policies(None, bundled_ok=False, environ={}, cwd=work)
    assert (found.path, found.origin) == (work / "policies", "./policies")


def test_the_bundled_rule_set_is_last_and_only_for_commands_that_use_one(tmp_path):
    found = resolve_policies(None, bundled_ok=True, environ={}, cwd=tmp_path)
    assert found.bundled and found.path == data_dir("policies")
    with pytest.raises(NotFound) as caught:
        resolve_policies(None, bundled_ok=False, environ={}, cwd=tmp_path)
    message = str(caught.value)
    for place in ("--policies: not given", "VILKAR_POLICIES: not set", "[tool.vilkar] policies",
                  f"./policies: does not exist ({tmp_path / 'policies'})", "never uses the bundled copy"):
        assert place in message


def test_a_local_policies_folder_without_vk_files_is_passed_over(tmp_path):
    write(tmp_path / "policies" / "README.md", "notes\n")
    assert resolve_policies(None, bundled_ok=True, environ={}, cwd=tmp_path).bundled
    with pytest.raises(NotFound, match="holds no \\*.vk files"):
        resolve_policies(None, bundled_ok=False, environ={}, cwd=tmp_path)


def test_an_explicit_choice_that_is_wrong_is_an_error_not_a_fallback(tmp_path):
    policy_dir(tmp_path / "policies")
    with pytest.raises(NotFound, match="--policies: .*nowhere does not exist"):
        resolve_policies("nowhere", bundled_ok=True, environ={}, cwd=tmp_path)
    with pytest.raises(NotFound, match="VILKAR_POLICIES: .*empty holds no"):
        (tmp_path / "empty").mkdir()
        resolve_policies(None, bundled_ok=True, environ={"VILKAR_POLICIES": "empty"}, cwd=tmp_path)
    write(tmp_path / "vilkar.toml", 'policies = "missing"\n')
    with pytest.raises(NotFound, match="vilkar.toml: .*missing does not exist"):
        resolve_policies(None, bundled_ok=True, environ={}, cwd=tmp_path)


def test_a_single_vk_file_is_a_rule_set(tmp_path):
    file = policy_dir(tmp_path) / "cancellation.vk"
    found = resolve_policies(str(file), bundled_ok=False, environ={}, cwd=tmp_path)
    assert found.files == (file,)
    write(tmp_path / "notes.txt", "x")
    with pytest.raises(NotFound, match="is not a .vk file"):
        resolve_policies(str(tmp_path / "notes.txt"), bundled_ok=False, environ={}, cwd=tmp_path)


def test_the_nearest_configuration_is_found_upward_and_read_relative_to_itself(tmp_path):
    write(tmp_path / "pyproject.toml", '[tool.vilkar]\npolicies = "rules"\n')
    write(tmp_path / "a" / "pyproject.toml", '[project]\nname = "no-vilkar-table"\n')  # skipped: no [tool.vilkar]
    deep = tmp_path / "a" / "b"
    deep.mkdir(parents=True)
    assert find_config(deep).file == tmp_path / "pyproject.toml"
    policy_dir(tmp_path / "rules")
    assert resolve_policies(None, bundled_ok=False, environ={}, cwd=deep).path == tmp_path / "rules"
    write(tmp_path / "a" / "vilkar.toml", 'policies = "../rules"\n[lint]\nignore = ["VK206"]\n')
    config = find_config(deep)
    assert config.file == tmp_path / "a" / "vilkar.toml" and config.section("lint") == {"ignore": ["VK206"]}
    assert resolve_policies(None, bundled_ok=False, environ={}, cwd=deep).path == tmp_path / "rules"


def test_a_configuration_file_that_is_not_toml_is_reported(tmp_path):
    write(tmp_path / "vilkar.toml", "policies = [unclosed\n")
    with pytest.raises(NotFound, match="not valid TOML"):
        resolve_policies(None, bundled_ok=True, environ={}, cwd=tmp_path)


def test_schemas_and_tests_resolve_the_same_way(tmp_path):
    assert resolve_schemas(None, environ={}, cwd=tmp_path) == data_dir("schemas")
    local = tmp_path / "schemas"
    write(local / "cancellation.schema.json", "{}")
    assert resolve_schemas(None, environ={}, cwd=tmp_path) == local
    other = tmp_path / "other"
    other.mkdir()
    assert resolve_schemas(None, environ={"VILKAR_SCHEMAS": str(other)}, cwd=tmp_path) == other
    assert resolve_schemas("other", environ={}, cwd=tmp_path) == other
    with pytest.raises(NotFound, match="does not exist"):
        resolve_tests([], cwd=tmp_path)
    (tmp_path / "tests" / "policies").mkdir(parents=True)
    assert resolve_tests([], cwd=tmp_path) == [tmp_path / "tests" / "policies"]
    write(tmp_path / "pyproject.toml", '[tool.vilkar]\ntests = "cases"\nschemas = "other"\n')
    (tmp_path / "cases").mkdir()
    assert resolve_tests([], cwd=tmp_path) == [tmp_path / "cases"]
    assert resolve_schemas(None, environ={}, cwd=tmp_path) == other


def test_the_fingerprint_is_of_content_and_names_not_of_location(tmp_path):
    first = RuleSet.at(policy_dir(tmp_path / "one"), "test")
    second = RuleSet.at(policy_dir(tmp_path / "two"), "test")
    assert first.sha256() == second.sha256()
    file = tmp_path / "two" / "cancellation.vk"
    file.write_text(file.read_text(encoding="utf-8").replace("6..13", "6..12"), encoding="utf-8")
    assert first.sha256() != RuleSet.at(tmp_path / "two", "test").sha256()
    described = first.describe()
    assert set(described) == {"path", "files", "sha256"} and described["files"] == 1
    assert first.summary().startswith(f"rule set: {tmp_path / 'one'}/ (1 file, sha256 {first.sha256()[:12]}")


def test_the_library_default_follows_the_environment(tmp_path, monkeypatch):
    edited = policy_dir(tmp_path / "edited")
    file = edited / "cancellation.vk"
    file.write_text(file.read_text(encoding="utf-8").replace(">= 14 days", ">= 21 days")
                    .replace("6..13 days", "6..20 days"), encoding="utf-8")
    document = json.loads(SAMPLE.read_text(encoding="utf-8"))
    monkeypatch.chdir(tmp_path)
    assert load_policies().evaluate(document).decisions["fee_percent"] == 0  # bundled: nothing here
    monkeypatch.setenv("VILKAR_POLICIES", str(edited))
    policies = load_policies()
    assert policies.evaluate(document).decisions["fee_percent"] == 50
    assert policies.rule_set is not None and policies.rule_set.origin == "VILKAR_POLICIES"
    monkeypatch.setenv("VILKAR_POLICIES", str(tmp_path / "nowhere"))
    with pytest.raises(PolicyError, match="VILKAR_POLICIES"):
        load_policies()


# ---------------------------------------------------------------- the commands in a copy of the repository


@pytest.fixture()
def repo(tmp_path, monkeypatch):
    """A copy of the repository's rule set, schemas, policy tests and configuration; the current directory."""
    copy = tmp_path / "repo"
    for folder in ("policies", "schemas", "tests/policies"):
        shutil.copytree(ROOT / folder, copy / folder)
    shutil.copy(ROOT / "pyproject.toml", copy / "pyproject.toml")
    monkeypatch.chdir(copy)
    return copy


def hook_commands() -> list[list[str]]:
    hooks = YAML(typ="safe").load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    commands = []
    for hook in hooks:
        words = hook["entry"].split()
        assert words[0] == "vilkar"
        commands.append(words[1:] + hook.get("args", []))
    return commands


def test_in_a_copy_every_command_sees_an_edited_tier(repo):
    policy = repo / "policies" / "cancellation.vk"
    policy.write_text(policy.read_text(encoding="utf-8").replace(">= 14 days", ">= 21 days")
                      .replace("6..13 days", "6..20 days"), encoding="utf-8")
    evaluated = run("eval", "--format", "json", str(SAMPLE))
    assert evaluated.exit_code == 0, evaluated.stderr
    assert json.loads(evaluated.stdout)[0]["decisions"]["fee_percent"] == 50
    tested = run("test", "-q", "tests/policies/cancellation.yaml")
    assert tested.exit_code == 1
    assert "failed" in tested.stdout and f"rule set: policies/ ({SHIPPED} files" in tested.stdout


BREAKAGES = [
    ("request.service_cost - fee", "request.service_cots - fee", "VK102"),  # checks no longer
    ("= fee_percent of request.service_cost", "= fee_percent of of request.service_cost", "VK001"),  # parses no longer
]


@pytest.mark.parametrize("old, new, code", BREAKAGES, ids=[b[2] for b in BREAKAGES])
def test_in_a_copy_with_a_broken_policy_test_lint_eval_and_the_hooks_fail(repo, old, new, code):
    policy = repo / "policies" / "cancellation.vk"
    text = policy.read_text(encoding="utf-8")
    assert old in text
    policy.write_text(text.replace(old, new), encoding="utf-8")
    evaluated = run("eval", str(SAMPLE))
    assert evaluated.exit_code == 2 and code in evaluated.stderr
    assert run("validate", str(SAMPLE)).exit_code == 2
    tested = run("test", "--junit", "junit.xml")
    assert tested.exit_code == 2 and code in tested.stderr
    assert 'errors="1"' in (repo / "junit.xml").read_text(encoding="utf-8")
    linted = run("lint")
    assert linted.exit_code == 1 and "policies/cancellation.vk" in linted.stdout and code in linted.stdout
    for command in hook_commands():
        if command[0] == "fmt":
            if code != "VK001":
                continue  # a policy that parses can be formatted: only a parse error stops the formatter
            command = command + ["policies/cancellation.vk"]  # pre-commit passes the staged files
        result = run(*command)
        assert result.exit_code != 0 and code in result.stdout + result.stderr, command


def test_the_hooks_pass_on_the_shipped_copy(repo):
    for command in hook_commands():
        if command[0] == "fmt":
            command = command + ["--check", "policies/cancellation.vk"]
        result = run(*command)
        assert result.exit_code == 0, (command, result.stdout, result.stderr)


def test_from_a_subdirectory_the_configuration_finds_the_rule_set(repo, monkeypatch):
    monkeypatch.chdir(repo / "tests")
    result = run("lint")
    assert result.exit_code == 0, result.stdout + result.stderr
    assert "rule set: ../policies/" in result.stdout or f"rule set: {repo / 'policies'}/" in result.stdout


@pytest.mark.parametrize("command", [["lint"], ["fmt"], ["fmt", "--check"], ["test"]])
def test_with_no_policies_anywhere_the_checking_commands_exit_2_and_say_where_they_looked(tmp_path, monkeypatch,
                                                                                         command):
    monkeypatch.chdir(tmp_path)
    result = run(*command)
    assert result.exit_code == 2
    assert "no policy files found; looked at:" in result.stderr
    assert "./policies: does not exist" in result.stderr
    assert "passed" not in result.stdout


def test_with_policies_but_no_tests_vilkar_test_exits_2(tmp_path, monkeypatch):
    policy_dir(tmp_path / "policies")
    monkeypatch.chdir(tmp_path)
    result = run("test")
    assert result.exit_code == 2 and "no policy tests found" in result.stderr
    (tmp_path / "tests" / "policies").mkdir(parents=True)
    result = run("test")
    assert result.exit_code == 2 and "no test cases found" in result.stderr


def test_every_text_report_names_its_rule_set(repo):
    one_case_file = ["test", "-q", "tests/policies/cancellation.yaml"]
    for args in (["eval", str(SAMPLE)], ["validate", str(SAMPLE)], ["lint"], one_case_file, ["fmt", "--check"]):
        result = run(*args)
        assert f"rule set: policies/ ({SHIPPED} files, sha256 " in result.stdout, args


def test_the_environment_and_option_reach_lint_fmt_and_test(tmp_path, monkeypatch):
    policies = policy_dir(tmp_path / "elsewhere")
    monkeypatch.chdir(tmp_path)
    assert run("lint", env={"VILKAR_POLICIES": str(policies)}).exit_code == 0
    assert run("lint", "--policies", str(policies)).exit_code == 0
    assert run("fmt", "--check", env={"VILKAR_POLICIES": str(policies)}).exit_code == 0
    assert run("lint", "--policies", str(policies), str(policies)).exit_code == 2


# ---------------------------------------------------------------- encodings


def test_a_policy_saved_as_windows_1252_is_a_policy_error_everywhere(repo):
    policy = repo / "policies" / "cancellation.vk"
    policy.write_bytes(policy.read_text(encoding="utf-8").encode("cp1252"))
    with pytest.raises(PolicyError) as caught:
        load_policies(repo / "policies")
    [diagnostic] = caught.value.diagnostics
    assert diagnostic.code == "VK002" and diagnostic.span.file == "policies/cancellation.vk"
    line = next(n for n, content in enumerate(policy.read_bytes().splitlines(), 1) if max(content, default=0) > 127)
    assert diagnostic.span.line == line and "save it as UTF-8" in diagnostic.hint
    for args, code in ((["eval", str(SAMPLE)], 2), (["test"], 2), (["fmt", "--check"], 2), (["lint"], 1)):
        result = run(*args)
        assert result.exit_code == code, args
        assert "Traceback" not in result.stdout + result.stderr
        assert f"policies/cancellation.vk:{line}:" in result.stdout + result.stderr and "VK002" in result.stdout + result.stderr


def test_a_utf8_byte_order_mark_is_accepted_and_fmt_removes_it(repo):
    policy = repo / "policies" / "cancellation.vk"
    text = policy.read_text(encoding="utf-8")
    policy.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    assert load_policies(repo / "policies").evaluate(json.loads(SAMPLE.read_text())).decisions["fee_percent"] == 0
    assert run("lint").exit_code == 0
    assert run("fmt", "--check").exit_code == 1
    assert run("fmt").exit_code == 0
    assert policy.read_bytes() == text.encode("utf-8")


def test_the_readme_pre_commit_snippet_runs_the_hooks_this_repository_defines():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("```yaml\nrepos:\n", 1)[1].split("```", 1)[0]
    config = YAML(typ="safe").load("repos:\n" + block)
    [local] = config["repos"]
    assert local["repo"] == "local" and "rev" not in local  # no tag of vilkar exists to name
    hooks = YAML(typ="safe").load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    shipped = {hook["id"]: (hook["entry"], hook["files"], hook.get("pass_filenames", True)) for hook in hooks}
    snippet = {hook["id"]: (hook["entry"], hook["files"], hook.get("pass_filenames", True)) for hook in local["hooks"]}
    assert snippet == shipped
