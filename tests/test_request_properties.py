"""Property tests: no request document of any shape makes vilkar fail with anything but a RequestError.

Documents start from each kind's sample and get odd values at any of its fields (deep, long and self-
containing structures, huge and tiny numbers, NaN, lone surrogates, giant texts, timestamps of every
spelling, Python values JSON cannot hold), or are odd as a whole. `evaluate` must decide them or raise a
RequestError whose every problem has a JSON pointer and prints; a validated document is never refused
by the policies themselves ("cannot decide"). The same documents as files, and raw bytes, must give
`vilkar eval` and `vilkar validate` an exit code of SPEC §8.2 and no traceback. The two validators (the
compiled one and jsonschema's report) must agree on every generated document, and every timestamp the
schema accepts must be read, rounded up to a whole second.

`VILKAR_LONG_TESTS=1` runs 1,000–3,000 examples per property instead of 40–200.
"""
from __future__ import annotations

import datetime as dt
import json
import os
import re
import tempfile
from decimal import Decimal
from pathlib import Path
from typing import Any

from click.testing import CliRunner
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from conftest import ROOT
from evaluator import RequestError
from evaluator.api import default_policies
from evaluator.cli import main
from evaluator.compile.runtime import to_timestamp
from evaluator.requests.formats import TIMESTAMP_BODY, is_timestamp
from evaluator.requests.documents import read_text

LONG = os.environ.get("VILKAR_LONG_TESTS") == "1"
EXAMPLES = 3000 if LONG else 200
AGREE_EXAMPLES = 1500 if LONG else 100
CLI_EXAMPLES = 1000 if LONG else 40
SAMPLES = ROOT / "samples"


def first_samples() -> dict[str, dict[str, Any]]:
    samples: dict[str, dict[str, Any]] = {}
    for path in sorted(SAMPLES.iterdir()):
        kind = path.name.split("-")[0]
        if kind not in samples and path.suffix in (".json", ".yaml"):
            document = read_text(str(path), path.read_text(encoding="utf-8"))[0]
            samples[kind] = document.data
    return samples


SAMPLE_DOCUMENTS = first_samples()
KINDS = sorted(SAMPLE_DOCUMENTS)


class Opaque:
    def __repr__(self) -> str:
        raise RuntimeError("a repr that fails")


def deep(depth: int, as_list: bool) -> Any:
    root: Any = [] if as_list else {}
    node = root
    for _ in range(depth):
        child: Any = [] if as_list else {}
        node.append(child) if as_list else node.__setitem__("x", child)
        node = child
    return root


def self_containing() -> dict:
    loop: dict = {"amount": 1}
    loop["again"] = loop
    return loop


texts = st.one_of(
    st.text(max_size=30),
    st.text(st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF), min_size=1, max_size=3),
    st.sampled_from(["x" * 1_000_000, "\u0000", "١٢٣", "Café", "🚀" * 1_000, "  ", "\n"]),
    st.from_regex(r"[0-9]{4}-[0-9]{2}-[0-9]{2}([Tt ][0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,12})?([Zz]|[+-][0-9]{2}:[0-9]{2})?)?",
                  fullmatch=True),
    st.from_regex(r"[0-9]{1,70}(\.[0-9]{1,30})?", fullmatch=True),
)
numbers = st.one_of(
    st.integers(),
    st.integers(min_value=10 ** 14, max_value=10 ** 60),
    st.sampled_from([10 ** 400, 2 ** 64, -2 ** 63 - 1, True, False]),
    st.builds(lambda: -10 ** 5_000),  # built, not listed: hypothesis cannot print an int of 5,001 digits
    st.floats(allow_nan=True, allow_infinity=True),
    st.decimals(allow_nan=True, allow_infinity=True),
    st.sampled_from([Decimal("1E+400"), Decimal("-1e-400"), Decimal("1.99999999999999999999"), Decimal("sNaN"),
                     Decimal("12.0"), Decimal("1E-999999")]),
)
python_values = st.sampled_from([set(), frozenset({1}), b"bytes", 1j, dt.date(2026, 11, 30),
                                 dt.datetime(2026, 11, 30, 10, 0), dt.datetime(2026, 11, 30, 10, 0, 0, 1, dt.timezone.utc),
                                 dt.time(10), dt.timedelta(1), object(), (1, 2), range(3)]) | st.builds(Opaque)
shapes = st.one_of(
    st.integers(1, 100_000).map(lambda depth: deep(depth, True)),
    st.integers(1, 2_000).map(lambda depth: deep(depth, False)),
    st.just(self_containing()),
    st.integers(900, 1_100).map(lambda size: [{}] * size),
    st.integers(900, 1_100).map(lambda size: {f"k{i}": i for i in range(size)}),
)
scalars = st.one_of(st.none(), texts, numbers)
values = st.recursive(st.one_of(scalars, python_values, shapes),
                      lambda inner: st.one_of(st.lists(inner, max_size=4),
                                              st.dictionaries(st.one_of(texts, st.integers()), inner, max_size=4)),
                      max_leaves=12)


def paths_of(document: Any, prefix: tuple = ()) -> list[tuple]:
    """The paths into a document, a few levels down (generated values may be deep or contain themselves)."""
    found = [prefix]
    if len(prefix) >= 4:
        return found
    if isinstance(document, dict):
        for key, item in document.items():
            found += paths_of(item, prefix + (key,))
    elif isinstance(document, list):
        for index, item in enumerate(document):
            found += paths_of(item, prefix + (index,))
    return found


def replaced(document: Any, path: tuple, value: Any) -> Any:
    if not path:
        return value
    head, rest = path[0], path[1:]
    if isinstance(document, dict):
        return {**document, head: replaced(document[head], rest, value)}
    copy = list(document)
    copy[head] = replaced(document[head], rest, value)
    return copy


@st.composite
def documents(draw) -> Any:
    kind = draw(st.sampled_from(KINDS))
    document: Any = SAMPLE_DOCUMENTS[kind]
    for _ in range(draw(st.integers(1, 3))):
        choice = draw(st.integers(0, 9))
        if choice == 0:
            return draw(values)
        if choice == 1 and isinstance(document, dict):
            document = {**document, draw(st.one_of(texts, st.integers())): draw(values)}
            continue
        path = draw(st.sampled_from(paths_of(document)[1:] or [()]))
        document = replaced(document, path, draw(values))
    return document


def assert_printable(error: RequestError) -> None:
    assert error.errors
    for problem in error.errors:
        assert isinstance(problem.pointer, str) and (problem.pointer == "" or problem.pointer.startswith("/"))
        assert isinstance(problem.message, str) and problem.message
        assert not problem.message.startswith("the policies cannot decide"), problem
        json.dumps(problem.to_dict(), ensure_ascii=False).encode("utf-8")
        str(problem).encode("utf-8")
        assert len(str(problem)) < 5_000  # values and pointers are shown cut short


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
@given(documents())
def test_evaluate_decides_or_raises_a_request_error_with_pointers(document):
    try:
        result = default_policies().evaluate(document)
    except RequestError as error:
        assert_printable(error)
        return
    json.dumps(result.to_dict(), ensure_ascii=False).encode("utf-8")


@settings(max_examples=AGREE_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
@given(documents())
def test_the_compiled_validator_and_the_report_agree(document):
    kind = document.get("kind") if isinstance(document, dict) else None
    validators = default_policies().validators
    assume(isinstance(kind, str) and kind in validators)
    validator = validators[kind]
    fast = validator.check(document)[1]
    slow = validator._checked_plain(document, False)[1]
    assert [p.pointer for p in fast] == [p.pointer for p in slow]


def as_text(document: Any, ascii: bool) -> str | None:
    """The document as JSON text (also read as YAML), if JSON can write it and it is small enough to parse
    quickly in pure-Python YAML (giant texts are the evaluate property's); `ascii` writes \\u escapes."""
    try:
        text = json.dumps(document, ensure_ascii=ascii, default=str)
    except Exception:  # a value JSON cannot write, or whose str() fails: no file to test
        return None
    return text if len(text) <= 5_000 else None


@settings(max_examples=CLI_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.one_of(st.tuples(documents(), st.booleans()).map(lambda drawn: as_text(*drawn)), st.binary(max_size=300).map(lambda data: data.decode("latin-1")),
                 st.text(max_size=300)),
       st.sampled_from(["doc.json", "doc.yaml"]), st.booleans())
def test_the_command_line_never_prints_a_traceback(text, name, as_bytes):
    assume(text is not None)
    runner = CliRunner()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        path.write_bytes(text.encode("utf-8", "surrogatepass") if not as_bytes else text.encode("latin-1", "replace"))
        for command, allowed in (("eval", {0, 2}), ("validate", {0, 1, 2})):
            result = runner.invoke(main, [command, str(path)])
            assert result.exit_code in allowed, (command, result.output)
            assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
            assert "Traceback" not in result.output


@settings(max_examples=EXAMPLES, deadline=None)
@given(st.from_regex(TIMESTAMP_BODY, fullmatch=True))
def test_every_timestamp_the_schema_accepts_is_read_and_rounded_up(text):
    assert is_timestamp(text)
    moment = to_timestamp(text)
    assert moment.microsecond == 0 and moment.utcoffset() is not None
    written = re.match(r"(.{10}).(.{8})(\.[0-9]+)?(.*)", text)
    whole = dt.datetime.fromisoformat(f"{written[1]}T{written[2]}{'+00:00' if written[4] in 'Zz' else written[4]}")
    fraction = (written[3] or ".0")[1:]
    assert moment == (whole + dt.timedelta(seconds=1) if fraction.strip("0") else whole)
