"""Reading request files: multi-document YAML, encodings, the size limit, alias bombs, duplicate keys, positions."""
from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from evaluator import RequestError
from evaluator.cli import main
from evaluator.requests.documents import (
    DEFAULT_MAX_BYTES, Document, DocumentError, parse_line, read_document, read_file, read_text,
)

CANCELLATION_YAML = ("kind: cancellation\nservice: Workshop\nservice_start: 2026-12-10\ncancelled_on: {cancelled}\n"
                     "service_cost: {{amount: 12500, currency: USD}}\n")


def cancellation(cancelled: str = "2026-12-01") -> str:
    return CANCELLATION_YAML.format(cancelled=cancelled)


def run(*args: str, input: bytes | str | None = None, env: dict[str, str] | None = None):
    return CliRunner().invoke(main, list(args), input=input, env=env)


def errors_of(found: list) -> list[DocumentError]:
    return [item for item in found if isinstance(item, DocumentError)]


# ---------------------------------------------------------------- several documents in one file


def test_each_document_of_a_yaml_stream_is_a_request_named_file_hash_n(tmp_path: Path):
    path = tmp_path / "two.yaml"
    path.write_text(cancellation() + "---\n" + cancellation("2026-12-09"), encoding="utf-8")
    found = read_file(str(path))
    assert [document.source for document in found] == [f"{path}#1", f"{path}#2"]
    assert [document.data["cancelled_on"] for document in found] == ["2026-12-01", "2026-12-09"]


def test_a_single_document_is_named_by_its_file_and_empty_documents_are_skipped(tmp_path: Path):
    path = tmp_path / "one.yaml"
    path.write_text("---\n" + cancellation() + "---\n", encoding="utf-8")
    found = read_file(str(path))
    assert len(found) == 1 and found[0].source == str(path)


def test_a_bad_document_does_not_hide_the_good_ones_around_it():
    found = read_text("f.yaml", cancellation() + "---\nkind: cancellation\nservice: a\nservice: b\n---\n" + cancellation())
    assert [type(item).__name__ for item in found] == ["Document", "DocumentError", "Document"]
    assert found[1].source == "f.yaml#2" and found[1].errors[0].pointer == "/service"
    assert str(found[1]).startswith("f.yaml:9:1: /service: is given twice in this object (first at line 8)")


def test_a_syntax_error_ends_the_stream_where_it_is():
    found = read_text("f.yaml", cancellation() + "---\nkind: [unclosed\n---\n" + cancellation())
    assert isinstance(found[0], Document) and isinstance(found[1], DocumentError) and len(found) == 2
    assert "not valid YAML" in found[1].errors[0].message and found[1].errors[0].line == 8


def test_read_document_wants_exactly_one():
    assert read_document("f.yaml", cancellation()).data["kind"] == "cancellation"
    with pytest.raises(DocumentError, match="holds 2 documents"):
        read_document("f.yaml", cancellation() + "---\n" + cancellation())
    with pytest.raises(DocumentError, match="holds no request document"):
        read_document("f.yaml", "# nothing here\n")


def test_vilkar_eval_decides_every_document_and_names_each(tmp_path: Path):
    path = tmp_path / "two.yaml"
    path.write_text(cancellation() + "---\n" + cancellation("2026-12-09"), encoding="utf-8")
    result = run("eval", str(path))
    assert result.exit_code == 0, result.output
    assert f"{path}#1: cancellation" in result.output and f"{path}#2: cancellation" in result.output
    payload = json.loads(run("eval", "--format", "json", str(path)).output)
    assert [entry["decisions"]["fee_percent"] for entry in payload] == [50, 100]


# ---------------------------------------------------------------- encodings


def test_a_utf8_byte_order_mark_is_accepted_in_files_and_on_stdin(tmp_path: Path):
    path = tmp_path / "bom.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + cancellation().encode("utf-8"))
    assert read_file(str(path))[0].data["kind"] == "cancellation"
    json_path = tmp_path / "bom.json"
    json_path.write_bytes(b"\xef\xbb\xbf" + b'{"kind": "cancellation"}')
    assert read_file(str(json_path))[0].data == {"kind": "cancellation"}
    assert run("eval", "-", input=b"\xef\xbb\xbf" + cancellation().encode("utf-8")).exit_code == 0


def test_other_encodings_say_save_it_as_utf8(tmp_path: Path):
    latin = tmp_path / "latin.yaml"
    latin.write_bytes(cancellation().replace("Workshop", "Café").encode("cp1252"))
    error = read_file(str(latin))[0]
    assert isinstance(error, DocumentError)
    assert (error.errors[0].line, error.errors[0].col) == (2, 13)
    assert "not UTF-8" in error.errors[0].message and "save it as UTF-8" in error.errors[0].hint
    utf16 = tmp_path / "utf16.yaml"
    utf16.write_bytes(cancellation().encode("utf-16"))
    assert "UTF-16" in read_file(str(utf16))[0].errors[0].message
    result = run("eval", str(latin))
    assert result.exit_code == 2 and "save it as UTF-8" in result.output and "Traceback" not in result.output


# ---------------------------------------------------------------- bounded input


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(tmp_path: Path, monkeypatch):
    path = tmp_path / "big.json"
    with path.open("wb") as handle:
        handle.truncate(DEFAULT_MAX_BYTES + 1)  # sparse: nothing is written, and nothing need be read
    error = read_file(str(path))[0]
    assert isinstance(error, DocumentError) and "larger than 10 MiB" in error.errors[0].message
    assert "VILKAR_MAX_DOCUMENT_BYTES" in error.errors[0].hint


def test_the_size_limit_is_configurable(tmp_path: Path, monkeypatch):
    path = tmp_path / "small.yaml"
    path.write_text(cancellation(), encoding="utf-8")
    monkeypatch.setenv("VILKAR_MAX_DOCUMENT_BYTES", "100")
    assert "larger than 100 bytes" in read_file(str(path))[0].errors[0].message
    monkeypatch.setenv("VILKAR_MAX_DOCUMENT_BYTES", "1KiB")
    assert isinstance(read_file(str(path))[0], Document)
    monkeypatch.setenv("VILKAR_MAX_DOCUMENT_BYTES", "lots")
    assert "is not a size" in read_file(str(path))[0].errors[0].message
    result = run("eval", str(path), env={"VILKAR_MAX_DOCUMENT_BYTES": "100"})
    assert result.exit_code == 2 and "larger than 100 bytes" in result.output


def billion_laughs(levels: int = 9) -> str:
    lines = ['a0: &a0 "lol"'] + [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, levels + 1)]
    return "kind: cancellation\n" + "\n".join(lines) + "\n"


def test_a_yaml_alias_bomb_is_refused_before_it_is_built():
    error = read_text("bomb.yaml", billion_laughs())[0]
    assert isinstance(error, DocumentError) and isinstance(error, RequestError)
    assert "aliases" in error.errors[0].message and "more than 100,000 beyond" in error.errors[0].message
    result = run("eval", "-", input=billion_laughs())
    assert result.exit_code == 2 and "aliases" in result.output


def test_only_what_aliases_add_counts_so_a_long_file_is_no_bomb(monkeypatch):
    from evaluator.requests import yaml_reader
    monkeypatch.setattr(yaml_reader, "MAX_EXPANDED_VALUES", 100)
    written = "cases: [" + ", ".join(["1"] * 500) + "]\n"
    assert len(read_text("cases.yaml", written)[0].data["cases"]) == 500  # 502 values, all written
    repeated = "a: &a [" + ", ".join(["1"] * 30) + "]\nb: [*a, *a, *a, *a]\n"
    assert isinstance(read_text("aliases.yaml", repeated)[0], DocumentError)  # 124 values beyond the 32 written


def test_a_few_aliases_are_fine_and_merge_keys_let_written_fields_win():
    text = ("kind: cancellation\nservice_cost: &cost {amount: 100, currency: USD}\n"
            "other: {<<: *cost, amount: 5}\nsame: *cost\n")
    document = read_text("f.yaml", text)[0]
    assert document.data["other"] == {"amount": 5, "currency": "USD"}
    assert document.data["same"] == {"amount": 100, "currency": "USD"}


def test_an_alias_that_contains_itself_is_refused():
    error = read_text("f.yaml", "kind: cancellation\nservice: &a [*a]\n")[0]
    assert isinstance(error, DocumentError) and "contains it" in error.errors[0].message


@pytest.mark.parametrize("text", [
    "kind: cancellation\nservice: " + "[" * 5_000 + "]" * 5_000 + "\n",
    "kind: cancellation\nservice: " + "{a: " * 2_000 + "1" + "}" * 2_000 + "\n",
], ids=["lists", "objects"])
def test_yaml_nested_thousands_deep_is_refused_before_parsing(text: str):
    error = read_text("deep.yaml", text)[0]
    assert isinstance(error, DocumentError) and "nested more than 64 levels" in error.errors[0].message


def test_brackets_in_quoted_texts_and_comments_are_not_nesting():
    text = 'kind: cancellation\nservice: "' + "[" * 100 + '"\nnote: \'' + "{" * 100 + "'  # " + "[" * 100 + "\n"
    document = read_text("f.yaml", text)[0]
    assert isinstance(document, Document) and document.data["service"] == "[" * 100


# ---------------------------------------------------------------- values exactly as written


def test_yaml_numbers_are_the_exact_decimals_written():
    data = read_text("f.yaml", "a: 0.1\nb: 1e400\nc: 12.0\nd: 0x1F\ne: 1_000\nf: .inf\ng: 017\n")[0].data
    assert data == {"a": Decimal("0.1"), "b": Decimal("1E+400"), "c": Decimal("12.0"), "d": 31, "e": 1000,
                    "f": Decimal("Infinity"), "g": 17}


def test_yaml_dates_and_timestamps_stay_texts_and_yes_is_a_text():
    data = read_text("f.yaml", "a: 2026-12-01\nb: 2026-12-01T10:00:00+01:00\nc: yes\nd: true\ne: ~\n")[0].data
    assert data == {"a": "2026-12-01", "b": "2026-12-01T10:00:00+01:00", "c": "yes", "d": True, "e": None}


def test_yaml_tags_other_than_the_core_ones_are_refused_with_their_place():
    error = read_text("f.yaml", "kind: cancellation\nservice: !!binary aGVsbG8=\n")[0]
    assert isinstance(error, DocumentError)
    assert error.errors[0].pointer == "/service" and (error.errors[0].line, error.errors[0].col) == (2, 10)
    assert "tag" in error.errors[0].message


def test_json_duplicate_keys_are_refused_at_their_pointer():
    with pytest.raises(DocumentError) as caught:
        parse_line('{"kind": "cancellation", "service_cost": {"amount": 1, "currency": "USD", "amount": 999}}')
    assert caught.value.errors[0].pointer == "/service_cost/amount"
    assert "given twice" in caught.value.errors[0].message


def test_json_oddities_are_problems_with_a_place():
    assert parse_line('{"credits": NaN}')["credits"].is_nan()  # the validator says "not finite" at /credits
    assert parse_line('{"n": ' + "9" * 5_000 + "}")["n"] == Decimal("9" * 5_000)  # no int() digit-limit error
    with pytest.raises(DocumentError) as caught:
        parse_line('{"kind": "x", "service": "\\ud800"}')
    assert caught.value.errors[0].pointer == "/service" and "surrogate" in caught.value.errors[0].message
    assert parse_line('{"s": "\\ud83d\\ude00"}') == {"s": "😀"}  # a proper pair is one character
    with pytest.raises(DocumentError, match="nested too deeply"):
        parse_line("[" * 100_000 + "]" * 100_000)
    with pytest.raises(DocumentError, match="more after the value"):
        parse_line('{"kind": "x"} {"kind": "y"}')


def test_yaml_positions_point_at_values_and_missing_fields_at_their_object():
    document = read_text("f.yaml", "kind: cancellation\nservice_cost:\n  amount: 5\n  currency: EUR\n")[0]
    assert document.position("/service_cost/currency") == (4, 13)
    assert document.position("/service_cost") == (2, 1)
    assert document.position("/service_cost/nope") == (2, 1)
    assert document.position("/missing") == (1, 1)
    assert read_text("f.json", '{"kind": "x"}')[0].position("/kind") is None


# ---------------------------------------------------------------- the command line


@pytest.mark.parametrize("text", [
    '{"kind": "cancellation", "x": ' + "[" * 100_000 + "]" * 100_000 + "}",
    "kind: cancellation\nx: " + "[" * 100_000 + "]" * 100_000 + "\n",
    billion_laughs(),
    '{"kind": "cancellation", "service": "a", "service": "b"}',
], ids=["deep JSON", "deep YAML", "alias bomb", "duplicate key"])
@pytest.mark.parametrize("command,statuses", [("eval", {2}), ("validate", {1, 2})])
def test_cli_refuses_bad_files_without_a_traceback(tmp_path: Path, text: str, command: str, statuses: set[int]):
    path = tmp_path / ("doc.json" if text.startswith("{") else "doc.yaml")
    path.write_text(text, encoding="utf-8")
    result = run(command, str(path))
    assert result.exit_code in statuses, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output


@pytest.mark.parametrize("line,pointer", [
    ('{"kind": "cancellation", "service": "a", "service": "b"}', "/service"),
    ('{"kind": "cancellation", "n": ' + "9" * 4_301 + "}", "/n"),
    ('{"kind": "cancellation", "service": "\\udc00"}', "/service"),
    ("[" * 100_000 + "]" * 100_000, ""),
], ids=["duplicate key", "4,301-digit integer", "lone surrogate", "nested 100,000 deep"])
def test_a_batch_line_of_any_shape_is_an_error_record(line: str, pointer: str):
    from evaluator.api import default_policies
    from evaluator.batch import decide_line
    text, decided = decide_line(default_policies(), 7, line, name="in.jsonl")
    record = json.loads(text)
    assert not decided and record["source"] == "in.jsonl:7"
    assert pointer in [error["pointer"] for error in record["errors"]]

