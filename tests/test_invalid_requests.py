"""Invalid requests, generated from the schemas: every kind, every field at every depth.

For each of the 18 kinds the first sample document of that kind is the valid starting point. Walking
the kind's JSON schema (local `$ref`s resolved) yields one mutation per rule a field has: removing a
required field, a value of the wrong JSON type, a value outside an enum or const, a date or timestamp
that is malformed or does not exist, a bound or pattern broken, an unknown extra field on every object,
and the location checks (unknown country, time zone, subdivision). Each mutation must make
`PolicySet.validate` (and `PolicySet.evaluate`) raise `RequestError` with a problem at the mutated
field's JSON pointer. Validation does not need policies, so kinds without policies are covered too.

Finally, documents of shapes JSON cannot hold, or no request at all, must raise `RequestError` and
nothing else (SPEC §4 Errors: "No input of any shape makes the library raise anything else").
"""
from __future__ import annotations

import copy
import datetime as dt
import json
from decimal import Decimal
from pathlib import Path
from typing import Any, Callable, Iterator, NamedTuple

import pytest
from ruamel.yaml import YAML

from evaluator import RequestError, evaluate, load_policies

ROOT = Path(__file__).resolve().parent.parent
SCHEMAS_DIR = ROOT / "schemas"
SAMPLES_DIR = ROOT / "samples"

KINDS = sorted(path.name[: -len(".schema.json")] for path in SCHEMAS_DIR.glob("*.schema.json"))

_policies = None


def policies():
    """The bundled rule set, loaded once (validation itself needs no policies for the kind)."""
    global _policies
    if _policies is None:
        _policies = load_policies()
    return _policies


def load_schema(kind: str) -> dict[str, Any]:
    return json.loads((SCHEMAS_DIR / f"{kind}.schema.json").read_text(encoding="utf-8"))


def first_sample(kind: str) -> dict[str, Any]:
    """The first sample document of a kind (by file name), JSON or YAML."""
    files = sorted(path for path in SAMPLES_DIR.iterdir()
                   if path.name.startswith(f"{kind}-") and path.suffix in (".json", ".yaml", ".yml"))
    assert files, f"no sample for {kind}"
    text = files[0].read_text(encoding="utf-8")
    if files[0].suffix == ".json":
        return json.loads(text)
    return YAML(typ="safe", pure=True).load(text)


# ---------------------------------------------------------------- walking a schema


def resolve(node: dict[str, Any], root: dict[str, Any]) -> dict[str, Any]:
    """A schema node with its local `$ref` (repeatedly) merged in; the node's own keys win."""
    while "$ref" in node:
        reference = node["$ref"]
        assert reference.startswith("#/"), f"only local references are expected, got {reference}"
        target: Any = root
        for part in reference[2:].split("/"):
            target = target[part.replace("~1", "/").replace("~0", "~")]
        node = {**target, **{key: value for key, value in node.items() if key != "$ref"}}
    return node


def branches(node: dict[str, Any], root: dict[str, Any]) -> list[dict[str, Any]]:
    """The alternatives a value may match: the anyOf/oneOf branches, or the node itself."""
    alternatives = node.get("anyOf") or node.get("oneOf")
    if alternatives:
        return [resolve(branch, root) for branch in alternatives]
    return [node]


def json_types(value: Any) -> set[str]:
    if value is None:
        return {"null"}
    if isinstance(value, bool):
        return {"boolean"}
    if isinstance(value, int):
        return {"integer", "number"}
    if isinstance(value, float):
        return {"number"}
    if isinstance(value, str):
        return {"string"}
    if isinstance(value, list):
        return {"array"}
    return {"object"}


def allowed_types(node: dict[str, Any], root: dict[str, Any]) -> set[str]:
    allowed: set[str] = set()
    for branch in branches(node, root):
        declared = branch.get("type")
        if declared is not None:
            for name in declared if isinstance(declared, list) else [declared]:
                allowed |= {"integer", "number"} if name == "number" else {name}
        elif "const" in branch:
            allowed |= json_types(branch["const"])
        elif "enum" in branch:
            for value in branch["enum"]:
                allowed |= json_types(value)
        else:
            allowed |= {"null", "boolean", "integer", "number", "string", "array", "object"}
    return allowed


class Mutation(NamedTuple):
    kind: str
    pointer: str
    what: str
    apply: Callable[[dict[str, Any]], None]
    check_message: Callable[[str], bool] | None = None

    @property
    def id(self) -> str:
        return f"{self.kind}: {self.pointer}: {self.what}"


def pointer_of(path: list[Any]) -> str:
    return "".join("/" + str(part).replace("~", "~0").replace("/", "~1") for part in path)


def get_at(document: Any, path: list[Any]) -> Any:
    for part in path:
        document = document[part]
    return document


def setter(path: list[Any], value: Any) -> Callable[[dict[str, Any]], None]:
    def apply(document: dict[str, Any]) -> None:
        get_at(document, path[:-1])[path[-1]] = copy.deepcopy(value)
    return apply


def remover(path: list[Any]) -> Callable[[dict[str, Any]], None]:
    def apply(document: dict[str, Any]) -> None:
        del get_at(document, path[:-1])[path[-1]]
    return apply


def updater(path: list[Any], fields: dict[str, Any]) -> Callable[[dict[str, Any]], None]:
    def apply(document: dict[str, Any]) -> None:
        get_at(document, path).update(copy.deepcopy(fields))
    return apply


# A value that breaks each pattern the schemas use (and would pass the field's other rules).
PATTERN_BREAKERS = {
    "^[a-z]{2}$": ("EN", "an upper-case language code"),
    "^[A-Z]{2}$": ("dk", "a lower-case country code"),
    "^[A-Z]{3}$": ("usd", "a lower-case currency code"),
    "^[0-9]+(\\.[0-9]+)?$": ("12,500.00", "a decimal string with a thousands separator"),
    "^(?=.*[1-9])[0-9]+(\\.[0-9]+)?$": ("0.00", "a zero decimal string"),
}

FORMAT_BREAKERS = {
    "date": [("2026-02-30", "a date that does not exist"), ("27/11/2026", "a day-first date")],
    "date-time": [("2026-11-27T10:00:00", "a naive timestamp"), ("2026-11-27T25:00:00+01:00", "hour 25")],
}


def field_mutations(kind: str, node: dict[str, Any], root: dict[str, Any], path: list[Any],
                    present: bool) -> Iterator[Mutation]:
    """Mutations of the value at `path` (and, recursively, inside it)."""
    where = pointer_of(path)
    types = allowed_types(node, root)

    # a value of the wrong JSON type
    if "string" not in types:
        wrong: Any = {"object": "not an object", "boolean": "true", "integer": "3", "number": "3",
                      "array": "not a list"}.get(min(types - {"null"}, default="object"), "text")
        expected = "/".join(sorted(types - {"integer"} if "number" in types else types))
        yield Mutation(kind, where, f"a string where {expected} is expected", setter(path, wrong))
    else:
        expected = "a string" if types == {"string"} else "/".join(sorted(types - {"integer"} if "number" in types else types))
        yield Mutation(kind, where, f"an object where {expected} is expected", setter(path, {"unexpected": "object"}))
    if "integer" in types and "number" not in types:
        yield Mutation(kind, where, "a fraction where a whole number is expected", setter(path, 1.5))
    if "null" not in types:
        yield Mutation(kind, where, "null", setter(path, None))

    for branch in branches(node, root):
        if "enum" in branch:
            yield Mutation(kind, where, "a value outside the enum", setter(path, "not_one_of_them"))
            for value in branch["enum"]:
                if isinstance(value, str) and value.isdigit():
                    yield Mutation(kind, where, f"the integer {value} instead of the text \"{value}\"",
                                   setter(path, int(value)))
        if "const" in branch and path != ["kind"]:
            constant = branch["const"]
            if constant == "USD":
                yield Mutation(kind, where, "EUR where only USD is accepted", setter(path, "EUR"),
                               lambda message: "USD" in message)
            else:
                yield Mutation(kind, where, "a value other than the const", setter(path, f"not {constant}"))
        if branch.get("format") in FORMAT_BREAKERS:
            for value, what in FORMAT_BREAKERS[branch["format"]]:
                yield Mutation(kind, where, what, setter(path, value))
        if branch.get("format") == "holidays-country":
            yield Mutation(kind, where, "unknown country", setter(path, "XX"))
        if branch.get("format") == "iana-time-zone":
            yield Mutation(kind, where, "unknown time zone", setter(path, "Mars/Olympus"))
        if branch.get("pattern") in PATTERN_BREAKERS:
            value, what = PATTERN_BREAKERS[branch["pattern"]]
            yield Mutation(kind, where, what, setter(path, value))
        if branch.get("minLength") == 1:
            yield Mutation(kind, where, "an empty string", setter(path, ""))
        if "minimum" in branch:
            yield Mutation(kind, where, f"below the minimum {branch['minimum']}", setter(path, branch["minimum"] - 1))
        if "exclusiveMinimum" in branch:
            yield Mutation(kind, where, f"equal to the exclusive minimum {branch['exclusiveMinimum']}",
                           setter(path, branch["exclusiveMinimum"]))
        if branch.get("uniqueItems"):
            item = _some_item(kind, branch, root, path if present else None)
            if item is not None:
                yield Mutation(kind, where, "a repeated item", setter(path, [item, item]))

    if node.get("x-vilkar-type") == "location" and present:
        yield Mutation(kind, pointer_of(path + ["subdivision"]), "unknown subdivision for DK",
                       updater(path, {"country": "DK", "timezone": "Europe/Copenhagen", "subdivision": "XX-99"}))

    if not present:
        return
    if node.get("type") == "object":
        yield from object_mutations(kind, node, root, path)
    if node.get("type") == "array" and "items" in node and get_at(SAMPLE_VALUES[kind], path):
        # the first item stands for all of them
        yield from field_mutations(kind, resolve(node["items"], root), root, path + [0], True)


def _some_item(kind: str, node: dict[str, Any], root: dict[str, Any], path: list[Any] | None) -> Any:
    """An item valid for an array: the sample's first, else the first enum value of the item schema."""
    if path is not None and get_at(SAMPLE_VALUES[kind], path):
        return get_at(SAMPLE_VALUES[kind], path)[0]
    items = resolve(node.get("items", {}), root)
    return items["enum"][0] if items.get("enum") else None


def object_mutations(kind: str, node: dict[str, Any], root: dict[str, Any], path: list[Any]) -> Iterator[Mutation]:
    """Mutations of an object's fields, and an unknown extra field on the object itself."""
    value = get_at(SAMPLE_VALUES[kind], path)
    required = set(node.get("required", []))
    for name, child in node.get("properties", {}).items():
        child_path = path + [name]
        if name in required:
            yield Mutation(kind, pointer_of(child_path), "required field removed", remover(child_path))
        if name == "kind" and not path:
            continue  # the kind selects the schema: see the whole-document tests below
        yield from field_mutations(kind, resolve(child, root), root, child_path, name in value)
    if node.get("additionalProperties") is False:
        extra = path + ["unexpected_field"]
        yield Mutation(kind, pointer_of(extra), "an unknown extra field", setter(extra, "surprise"))


SAMPLE_VALUES: dict[str, Any] = {}


def all_mutations() -> list[Mutation]:
    mutations = []
    for kind in KINDS:
        SAMPLE_VALUES[kind] = first_sample(kind)
        schema = load_schema(kind)
        mutations.extend(object_mutations(kind, resolve(schema, schema), schema, []))
    return mutations


MUTATIONS = all_mutations()


def test_every_kind_has_a_schema_and_a_valid_sample():
    assert len(KINDS) == 18
    for kind in KINDS:
        policies().validate(first_sample(kind))  # does not raise


def test_mutation_ids_are_unique():
    ids = [mutation.id for mutation in MUTATIONS]
    assert len(ids) == len(set(ids)), sorted({i for i in ids if ids.count(i) > 1})


@pytest.mark.parametrize("kind", KINDS)
def test_every_field_of_every_kind_is_mutated(kind):
    """The walk reached every property at every depth of the sample (guards the generator itself)."""
    pointers = {mutation.pointer for mutation in MUTATIONS if mutation.kind == kind}

    def walk(value: Any, path: list[Any]) -> Iterator[str]:
        if isinstance(value, dict):
            for name, item in value.items():
                yield pointer_of(path + [name])
                yield from walk(item, path + [name])
        elif isinstance(value, list) and value and isinstance(value[0], dict):
            yield from walk(value[0], path + [0])

    sample = first_sample(kind)
    missing = [p for p in walk(sample, []) if p != "/kind" and p not in pointers]
    assert not missing


@pytest.mark.parametrize("mutation", MUTATIONS, ids=lambda mutation: mutation.id)
def test_mutation_is_a_request_error(mutation: Mutation) -> None:
    document = copy.deepcopy(SAMPLE_VALUES[mutation.kind])
    mutation.apply(document)
    for decide in (policies().validate, policies().evaluate):
        with pytest.raises(RequestError) as caught:
            decide(copy.deepcopy(document))
        at_pointer = [problem for problem in caught.value.errors if problem.pointer == mutation.pointer]
        assert at_pointer, (f"{decide.__name__}: no problem at {mutation.pointer}; "
                            f"got {[str(problem) for problem in caught.value.errors]}")
        for problem in caught.value.errors:
            assert isinstance(problem.message, str) and problem.message
        if mutation.check_message:
            assert any(mutation.check_message(problem.message) for problem in at_pointer), \
                [problem.message for problem in at_pointer]


def test_severity_as_an_integer_hints_to_quote_it():
    document = copy.deepcopy(SAMPLE_VALUES["incident"])
    document["severity"] = 1
    with pytest.raises(RequestError) as caught:
        policies().validate(document)
    problems = [problem for problem in caught.value.errors if problem.pointer == "/severity"]
    assert problems
    assert any("quote" in f"{problem.message} {problem.hint}".lower() for problem in problems)


def test_money_currency_error_says_usd_for_every_money_field():
    document = copy.deepcopy(SAMPLE_VALUES["cancellation"])
    document["service_cost"]["currency"] = "DKK"
    with pytest.raises(RequestError) as caught:
        policies().validate(document)
    assert [problem.pointer for problem in caught.value.errors] == ["/service_cost/currency"]
    assert "USD" in caught.value.errors[0].message


def test_every_problem_is_listed_not_just_the_first():
    document = copy.deepcopy(SAMPLE_VALUES["incident"])
    document["severity"] = "D"
    document["location"]["timezone"] = "Mars/Olympus"
    del document["channel"]
    document["extra"] = True
    with pytest.raises(RequestError) as caught:
        policies().validate(document)
    pointers = {problem.pointer for problem in caught.value.errors}
    assert {"/severity", "/location/timezone", "/channel", "/extra"} <= pointers


# ---------------------------------------------------------------- documents of any shape


class Opaque:
    pass


def _with(kind: str, field: str, value: Any) -> dict[str, Any]:
    document = copy.deepcopy(first_sample(kind))
    document[field] = value
    return document


ANY_SHAPE = [
    pytest.param([], id="a list"),
    pytest.param([{"kind": "cancellation"}], id="a list holding a request"),
    pytest.param("kind: cancellation", id="a string"),
    pytest.param(b'{"kind": "cancellation"}', id="bytes"),
    pytest.param(None, id="None"),
    pytest.param(42, id="an integer"),
    pytest.param(float("nan"), id="NaN as the document"),
    pytest.param({}, id="an empty object"),
    pytest.param({"service": "Workshop"}, id="no kind"),
    pytest.param({"kind": "cancelation"}, id="a misspelt kind"),
    pytest.param({"kind": "Cancellation"}, id="a capitalised kind"),
    pytest.param({"kind": ""}, id="an empty kind"),
    pytest.param({"kind": None}, id="a null kind"),
    pytest.param({"kind": 1}, id="an integer kind"),
    pytest.param({"kind": ["cancellation"]}, id="a list kind"),
    pytest.param({"kind": {"name": "cancellation"}}, id="an object kind"),
    pytest.param({"kind": {"cancellation"}}, id="a set kind"),
    pytest.param({"kind": "cancellation", 7: "seven"}, id="a non-text field name"),
    pytest.param({"kind": "cancellation", ("a", "b"): 1}, id="a tuple field name"),
    pytest.param(_with("credit_exchange", "credits", float("nan")), id="NaN credits"),
    pytest.param(_with("credit_exchange", "credits", float("inf")), id="infinite credits"),
    pytest.param(_with("credit_exchange", "credits", float("-inf")), id="minus infinite credits"),
    pytest.param(_with("credit_exchange", "credits", Decimal("NaN")), id="Decimal NaN credits"),
    pytest.param(_with("credit_exchange", "credits", Decimal("Infinity")), id="Decimal infinite credits"),
    pytest.param(_with("credit_exchange", "credits", Decimal("sNaN")), id="Decimal signalling NaN credits"),
    pytest.param(_with("credit_exchange", "exchange_rate", float("nan")), id="NaN exchange rate"),
    pytest.param(_with("cancellation", "service_cost", {"amount": float("nan"), "currency": "USD"}), id="NaN money"),
    pytest.param(_with("cancellation", "service_cost", {"amount": float("inf"), "currency": "USD"}), id="infinite money"),
    pytest.param(_with("cancellation", "service", float("nan")), id="NaN where text is expected"),
    pytest.param(_with("cancellation", "service", {"Workshop"}), id="a set"),
    pytest.param(_with("cancellation", "service", frozenset()), id="a frozenset"),
    pytest.param(_with("cancellation", "service", Opaque()), id="an arbitrary object"),
    pytest.param(_with("cancellation", "service", b"Workshop"), id="bytes value"),
    pytest.param(_with("cancellation", "service", 1 + 2j), id="a complex number"),
    pytest.param(_with("cancellation", "service", object), id="a class"),
    pytest.param(_with("cancellation", "service_cost", {"amount": {1, 2}, "currency": "USD"}), id="a nested set"),
    pytest.param(_with("allowance", "allocations", [{"category": "proactive_credits", "amount": {"amount": Opaque(),
                                                    "currency": "USD"}}]), id="an object inside a list"),
    pytest.param(_with("allowance", "allocations", {"proactive_credits", "custom_proactive"}), id="a set for a list"),
    pytest.param(_with("incident", "opened_at", dt.time(10, 0)), id="a time of day"),
    pytest.param(_with("incident", "opened_at", dt.datetime(2026, 11, 27, 10, 0)), id="a naive datetime"),
    pytest.param(_with("incident", "opened_at", dt.timedelta(hours=1)), id="a timedelta"),
    pytest.param(_with("cancellation", "cancelled_on", dt.datetime(2026, 12, 1, 10, 0)), id="a datetime for a date"),
    pytest.param(_with("service_lookup", "language", "en\n"), id="a trailing newline after a pattern"),
    pytest.param(_with("rca_request", "requested_at", "2026-11-27T10:00:00+01:00\n"), id="a trailing newline timestamp"),
]


@pytest.mark.parametrize("document", ANY_SHAPE)
@pytest.mark.parametrize("entry", ["validate", "evaluate", "evaluate()"])
def test_any_shape_is_a_request_error(entry: str, document: Any) -> None:
    decide = {"validate": policies().validate, "evaluate": policies().evaluate, "evaluate()": evaluate}[entry]
    with pytest.raises(RequestError) as caught:
        decide(document)
    assert caught.value.errors
    for problem in caught.value.errors:
        assert isinstance(problem.pointer, str)
        assert problem.pointer == "" or problem.pointer.startswith("/")
        assert isinstance(problem.message, str) and problem.message
        str(problem)
        json.dumps(problem.to_dict())  # the JSON form of every problem is serialisable


@pytest.mark.parametrize("kind,field,value", [
    ("credit_exchange", "credits", 10 ** 400),
    ("credit_exchange", "credits", 1e308),
    ("credit_exchange", "credits", 5e-324),
    ("credit_exchange", "exchange_rate", "0." + "0" * 500 + "1"),
    ("cancellation", "service_cost", {"amount": 10 ** 400, "currency": "USD"}),
    ("cancellation", "service_cost", {"amount": 1.7976931348623157e308, "currency": "USD"}),
    ("allowance", "flexible_allowance", {"amount": "9" * 1000, "currency": "USD"}),
    ("aed", "sip_requests_last_12_months", 10 ** 400),
    ("business_time", "add", {"amount": 10 ** 18, "unit": "business_days"}),
], ids=lambda value: str(value)[:24])
def test_extreme_numbers_never_raise_anything_but_a_request_error(kind, field, value):
    """Valid but extreme inputs: a result, or a RequestError -- never any other exception."""
    try:
        evaluate(_with(kind, field, value)).to_dict()
    except RequestError as error:
        assert error.errors


def test_a_document_without_kind_points_at_kind():
    with pytest.raises(RequestError) as caught:
        policies().validate({"service": "Workshop"})
    assert "/kind" in [problem.pointer for problem in caught.value.errors]


def test_an_unknown_kind_points_at_kind():
    with pytest.raises(RequestError) as caught:
        policies().validate({"kind": "cancelation"})
    assert [problem.pointer for problem in caught.value.errors] == ["/kind"]


@pytest.mark.parametrize("field,value,pointer", [
    ("credits", float("nan"), "/credits"),
    ("credits", float("inf"), "/credits"),
    ("exchange_rate", float("-inf"), "/exchange_rate"),
])
def test_non_finite_numbers_point_at_their_field(field, value, pointer):
    with pytest.raises(RequestError) as caught:
        policies().validate(_with("credit_exchange", field, value))
    assert pointer in [problem.pointer for problem in caught.value.errors]


def test_a_set_points_at_its_field():
    with pytest.raises(RequestError) as caught:
        policies().validate(_with("cancellation", "service", {"Workshop"}))
    assert "/service" in [problem.pointer for problem in caught.value.errors]


def test_a_valid_document_is_not_changed_by_validation():
    document = first_sample("allowance")
    before = copy.deepcopy(document)
    policies().validate(document)
    assert document == before
