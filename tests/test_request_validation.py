"""Validation that is exact and bounded: numbers as the policies compute with them, timestamps as RFC 3339
writes them, the 1970–2099 range, vilkar's own limits, deep and odd documents, and schema shapes."""
from __future__ import annotations

import datetime as dt
import json
from decimal import Context, Decimal
from pathlib import Path

import pytest

from evaluator import PolicyError, RequestError, evaluate, load_policies
from evaluator.api import default_policies
from evaluator.compile.runtime import to_timestamp
from evaluator.requests.documents import read_text
from evaluator.requests.formats import ODD_OFFSET_UNTIL

ROOT = Path(__file__).resolve().parent.parent
DK = {"country": "DK", "timezone": "Europe/Copenhagen"}
CANCELLATION = {"kind": "cancellation", "service": "Workshop", "service_start": "2026-12-10",
                "cancelled_on": "2026-12-01", "service_cost": {"amount": "12500.00", "currency": "USD"}}
BUSINESS_TIME = {"kind": "business_time", "at": "2026-11-30T10:00:00+01:00", "location": DK,
                 "add": {"amount": 2, "unit": "business_hours"}}
CREDITS = json.loads((ROOT / "samples" / "credit_exchange-same-currency.json").read_text(encoding="utf-8"))


def problems(document) -> dict[str, str]:
    """Pointer -> message of every problem, or {} when the document is decided."""
    try:
        evaluate(document)
    except RequestError as error:
        return {problem.pointer: problem.message for problem in error.errors}
    return {}


def with_amount(value) -> dict:
    return {**BUSINESS_TIME, "add": {"amount": value, "unit": "business_hours"}}


# ---------------------------------------------------------------- numbers, exactly


@pytest.mark.parametrize("value", [Decimal("1.99999999999999999999"), Decimal("12.5"), 12.5])
def test_an_integer_field_takes_only_whole_numbers(value):
    assert "/add/amount" in problems(with_amount(value))


@pytest.mark.parametrize("value", [12, 12.0, Decimal("12.0"), Decimal("1.2E+1")])
def test_a_whole_number_written_with_a_zero_fraction_is_that_integer(value):
    assert evaluate(with_amount(value)).decisions == evaluate(with_amount(12)).decisions


def test_the_document_text_is_read_exactly_not_through_a_float():
    text = ('{"kind": "business_time", "at": "2026-11-30T10:00:00+01:00", "location": {"country": "DK", '
            '"timezone": "Europe/Copenhagen"}, "add": {"amount": 1.99999999999999999999, "unit": "business_hours"}}')
    document = read_text("r.json", text)[0]
    assert "/add/amount" in problems(document.data)  # its float image, 2.0, would pass


def test_bounds_are_checked_on_the_exact_decimal():
    cost = {**CANCELLATION, "service_cost": {"amount": Decimal("-1e-400"), "currency": "USD"}}
    assert "/service_cost/amount" in problems(cost)  # its float image, -0.0, is >= 0
    assert problems({**CANCELLATION, "service_cost": {"amount": Decimal("0"), "currency": "USD"}}) == {}


@pytest.mark.parametrize("credits", ["1E+400", Decimal("1E+400"), 10 ** 400, 10 ** 5_000, Decimal("9" * 60)],
                         ids=["text 1E+400", "decimal 1E+400", "a 401-digit int", "a 5,001-digit int", "60 nines"])
def test_credits_beyond_the_limits_are_refused(credits):
    found = problems({**CREDITS, "credits": credits})
    assert set(found) == {"/credits"}, found


@pytest.mark.parametrize("solutions", [10 ** 400, Decimal("1E+400"), 1e300], ids=["int", "decimal", "float"])
def test_azure_solutions_beyond_the_limits_are_refused_not_decided_into_400_digits(solutions):
    event = json.loads((ROOT / "samples" / "aem_event-government-cloud.json").read_text(encoding="utf-8"))
    assert evaluate(event).decisions  # the sample itself is decided
    assert set(problems({**event, "azure_solutions": solutions})) == {"/azure_solutions"}


def test_a_number_beyond_a_schema_maximum_says_the_maximum():
    assert problems(with_amount(10 ** 400)) == {"/add/amount": "must be at most 100000"}
    assert problems(with_amount(10 ** 5_000))["/add/amount"].startswith("is too large")


def test_numbers_with_many_decimal_places_are_refused_and_twenty_are_fine():
    assert set(problems({**CREDITS, "credits": Decimal("1." + "1" * 21)})) == {"/credits"}
    assert problems({**CREDITS, "credits": Decimal("1." + "1" * 20)}) == {}
    assert problems({**CREDITS, "credits": Decimal("1." + "0" * 40)}) == {}  # trailing zeros are no places


@pytest.mark.parametrize("amount", ["1,000", "+1", "1e3", " 1", "1.", ".5", "-1", "1 000", "١٢"])
def test_decimal_strings_are_digits_with_an_optional_fraction(amount):
    assert "/service_cost/amount" in problems({**CANCELLATION, "service_cost": {"amount": amount, "currency": "USD"}})


def test_a_long_decimal_string_within_the_limits_is_exact():
    amount = "1" * 50 + ".01"
    result = evaluate({**CANCELLATION, "service_cost": {"amount": amount, "currency": "USD"}})
    assert Context(prec=100).add(result.decisions["fee"], result.decisions["refund"]) == Decimal(amount)
    assert "/service_cost/amount" in problems({**CANCELLATION, "service_cost": {"amount": "1" * 51, "currency": "USD"}})


def test_null_is_not_absence():
    rca = {"kind": "rca_request", "plan": "base", "requested_at": "2026-11-30T10:00:00+01:00",
           "incident_closed_at": None, "location": DK}
    assert problems(rca) == {}  # its type says "or null"
    assert "/mitigated_at" in problems({**rca, "mitigated_at": None})


def test_validation_does_not_copy_a_valid_document_and_never_changes_it():
    document = json.loads(json.dumps(BUSINESS_TIME))
    plain, found = default_policies().validators["business_time"].check(document)
    assert found == [] and plain is document
    floats = {**BUSINESS_TIME, "add": {"amount": 2.0, "unit": "business_hours"}}
    plain, _ = default_policies().validators["business_time"].check(floats)
    assert plain["add"]["amount"] == 2 and type(plain["add"]["amount"]) is int
    assert type(floats["add"]["amount"]) is float and plain["location"] is floats["location"]


# ---------------------------------------------------------------- timestamps and dates


@pytest.mark.parametrize("written", ["2026-11-30T09:00:00Z", "2026-11-30t09:00:00z", "2026-11-30 09:00:00Z",
                                     "2026-11-30T10:00:00+01:00", "2026-11-30T09:00:00-00:00"])
def test_every_rfc_3339_spelling_decides_alike(written):
    assert evaluate({**BUSINESS_TIME, "at": written}).to_dict()["decisions"] == \
        evaluate(BUSINESS_TIME).to_dict()["decisions"]


@pytest.mark.parametrize("written,read", [
    ("2026-11-30T16:29:59.000001+01:00", "2026-11-30T16:30:00+01:00"),
    ("2026-11-30T16:29:59.999999+01:00", "2026-11-30T16:30:00+01:00"),
    ("2026-11-30T10:00:00.000+01:00", "2026-11-30T10:00:00+01:00"),
    ("2026-11-30T10:00:00.0000001+01:00", "2026-11-30T10:00:01+01:00"),
    ("2026-11-30T10:00:00." + "0" * 500 + "1Z", "2026-11-30T10:00:01+00:00"),
    ("2026-12-31T23:59:59.5z", "2027-01-01T00:00:00+00:00"),
])
def test_a_fraction_of_a_second_is_read_as_the_next_whole_second(written, read):
    assert to_timestamp(written) == dt.datetime.fromisoformat(read)


@pytest.mark.parametrize("field,value,words", [
    ("at", "1969-12-31T23:59:59Z", "1970-01-01 … 2099-12-31"),
    ("at", "2100-01-01T00:00:00+01:00", "1970-01-01 … 2099-12-31"),
    ("at", "1850-06-01T12:00:00+01:00", "1970-01-01 … 2099-12-31"),
    ("at", "2026-02-29T10:00:00+01:00", "is not a moment that exists"),
    ("at", "2026-11-30T24:00:00+01:00", "is not a moment that exists"),
    ("at", "2026-11-30T23:59:60Z", "is not a moment that exists"),
    ("at", "2026-11-30T10:00:00+24:00", "is not a moment that exists"),
    ("at", "2026-11-30T10:00:00", "without a UTC offset"),
    ("at", "2026-11-30T10:00:00.+01:00", "RFC 3339"),
    ("at", "٢٠٢٦-11-30T10:00:00Z", "RFC 3339"),
])
def test_timestamps_the_schema_refuses_say_why(field, value, words):
    found = problems({**BUSINESS_TIME, field: value})
    assert list(found) == [f"/{field}"] and words in found[f"/{field}"]


def test_dates_outside_the_range_name_the_limit_and_its_ends_are_inside():
    for day in ("1969-12-31", "2100-01-01", "0001-01-01"):
        assert "1970-01-01 … 2099-12-31" in problems({**CANCELLATION, "service_start": day})["/service_start"]
    assert "is not a date that exists" in problems({**CANCELLATION, "service_start": "2028-02-30"})["/service_start"]
    assert problems({**CANCELLATION, "service_start": "2028-02-29"}) == {}
    assert "/service_start" in problems({**CANCELLATION, "service_start": "2100-02-29"})


def test_no_output_timestamp_carries_an_offset_of_seconds():
    monrovia = {**BUSINESS_TIME, "location": {"country": "LR", "timezone": "Africa/Monrovia"}}
    found = problems({**monrovia, "at": "1971-06-01T10:00:00Z"})
    assert "/at" in found and "-00:44:30" in found["/at"]
    decided = evaluate({**monrovia, "at": "1972-01-07T00:44:30Z"}, as_of="2026-06-01").to_dict()["decisions"]
    assert all(value is None or value.endswith("+00:00") for value in decided.values() if isinstance(value, str))


def test_the_odd_offset_table_is_what_tzdata_says():
    """Every zone whose offset somewhere in 1970–2099 is not whole minutes, and the moment that ended."""
    import zoneinfo
    from zoneinfo import _common

    first = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)
    end = dt.datetime(2100, 1, 1, tzinfo=dt.timezone.utc)
    found = {}
    for key in sorted(zoneinfo.available_timezones()):
        zone = zoneinfo.ZoneInfo(key)
        with _zone_file(key) as handle:
            indexes, transitions, offsets = _common.load_data(handle)[:3]
        spans = [(first, first.astimezone(zone).utcoffset().total_seconds())]
        spans += [(dt.datetime.fromtimestamp(moment, dt.timezone.utc), offsets[indexes[i]])
                  for i, moment in enumerate(transitions) if first.timestamp() < moment < end.timestamp()]
        for month in (1, 7):  # after the last transition the zone's rule decides
            later = dt.datetime(2099, month, 15, tzinfo=dt.timezone.utc)
            assert later.astimezone(zone).utcoffset().total_seconds() % 60 == 0, key
        odd = [index for index, (_, offset) in enumerate(spans) if offset % 60]
        if odd:
            assert odd[-1] + 1 < len(spans), f"{key} keeps an offset of seconds"
            found[key] = spans[odd[-1] + 1][0].isoformat()
    assert found == ODD_OFFSET_UNTIL


def _zone_file(key: str):
    """The TZif file zoneinfo reads for a key: from the system's zone directories first, as zoneinfo does."""
    import zoneinfo
    from zoneinfo import _common

    for directory in zoneinfo.TZPATH:
        path = Path(directory) / key
        if path.is_file():
            return path.open("rb")
    return _common.load_tzdata(key)


# ---------------------------------------------------------------- shapes and sizes


@pytest.mark.parametrize("depth", [1_000, 100_000])
def test_a_request_nested_very_deep_is_a_request_error_with_a_pointer(depth):
    document = {**CANCELLATION, "extra": {}}
    node = document["extra"]
    for _ in range(depth):
        node["extra"] = {}
        node = node["extra"]
    found = problems(document)
    assert found == {"/extra": "is not a field of this `cancellation` request"}
    inside = {**CANCELLATION, "service_cost": []}
    node = inside["service_cost"]
    for _ in range(depth):
        node.append([])
        node = node[0]
    assert list(problems(inside)) == ["/service_cost"]


def test_a_document_that_contains_itself_is_a_request_error():
    document = dict(CANCELLATION)
    document["service_cost"] = loop = {"amount": 1, "currency": "USD"}
    loop["again"] = loop
    assert "/service_cost/again" in problems(document)


def test_lists_and_objects_beyond_a_thousand_entries_are_refused():
    assert "/allocations" in problems({"kind": "allowance", "flexible_allowance": {"amount": 1, "currency": "USD"},
                                       "allocations": [{}] * 1_001, "allocated_on": "2026-01-01",
                                       "contract_executed_on": "2026-01-01"})
    assert "" in problems({**CANCELLATION, **{f"field{i}": i for i in range(1_001)}})


def test_did_you_mean_only_for_short_texts():
    with pytest.raises(RequestError) as caught:
        evaluate({"kind": "cancelation"})
    assert "did you mean `cancellation`" in caught.value.errors[0].hint
    with pytest.raises(RequestError) as caught:
        evaluate({"kind": "cancellation" * 1_000_000})
    assert caught.value.errors[0].hint.startswith("the kinds are:")
    assert len(json.dumps(caught.value.errors[0].to_dict())) < 2_000  # the value is shown cut short


def test_problem_values_and_pointers_can_always_be_printed():
    document = {**CANCELLATION, "\ud800": 1, "service": "\udfff" * 3}
    with pytest.raises(RequestError) as caught:
        evaluate(document)
    for problem in caught.value.errors:
        json.dumps(problem.to_dict(), ensure_ascii=False).encode("utf-8")
        str(problem).encode("utf-8")


# ---------------------------------------------------------------- schema shapes


def write_kind(tmp_path: Path, field_schema: dict, decision: str) -> tuple[Path, Path]:
    schemas, policies = tmp_path / "schemas", tmp_path / "policies"
    schemas.mkdir()
    policies.mkdir()
    schema = {"$schema": "https://json-schema.org/draft/2020-12/schema", "type": "object",
              "x-vilkar-event-date": None, "x-vilkar-decisions": ["x"], "additionalProperties": False,
              "required": ["kind", "code"], "properties": {"kind": {"const": "mixed"}, "code": field_schema}}
    (schemas / "mixed.schema.json").write_text(json.dumps(schema), encoding="utf-8")
    cites = '"2.6 Yderligere vilkår og betingelser – Annulleringspolitik"'
    (policies / "mixed.vk").write_text(f"kind mixed\n  cites {cites}\n\ndecision x\n  cites {cites}\n  = {decision}\n",
                                       encoding="utf-8")
    return policies, schemas


@pytest.mark.parametrize("field_schema", [
    {"anyOf": [{"type": "integer"}, {"type": "string"}]},
    {"oneOf": [{"type": "integer"}, {"type": "string"}]},
    {"type": ["integer", "string"]},
    {"enum": [1, "one"]},
    {},
])
def test_a_field_of_several_kinds_is_typed_and_only_its_misuse_is_an_error(tmp_path, field_schema):
    policies, schemas = write_kind(tmp_path, field_schema, "request.code == 5")
    with pytest.raises(PolicyError) as caught:
        load_policies(policies, schemas=schemas)
    assert "the schema allows to be" in str(caught.value) and "mixed.vk:6" in str(caught.value)


def test_a_field_of_several_kinds_validates_every_kind(tmp_path):
    policies, schemas = write_kind(tmp_path, {"anyOf": [{"type": "integer"}, {"type": "string"}]}, "true")
    rule_set = load_policies(policies, schemas=schemas)
    assert rule_set.evaluate({"kind": "mixed", "code": 7}).decisions == {"x": True}
    assert rule_set.evaluate({"kind": "mixed", "code": "seven"}).decisions == {"x": True}
    with pytest.raises(RequestError):
        rule_set.evaluate({"kind": "mixed", "code": 7.5})


@pytest.mark.parametrize("field_schema,decision", [
    ({"const": 5}, "request.code == 5"),
    ({"enum": [1, 2, 3]}, "request.code >= 2"),
    ({"type": ["string", "null"]}, "request.code is present"),
    ({"anyOf": [{"type": "integer"}, {"type": "number"}]}, "request.code > 1"),
])
def test_consts_enums_and_unions_of_one_kind_are_typed(tmp_path, field_schema, decision):
    policies, schemas = write_kind(tmp_path, field_schema, decision)
    assert load_policies(policies, schemas=schemas).kinds["mixed"]


@pytest.mark.parametrize("field_schema,words", [
    ({"$ref": "https://example.com/code.json"}, "only references inside the schema"),
    ({"$ref": "#/$defs/missing"}, "points at nothing"),
    ({"type": "integer", "minimum": "5"}, "is not of type"),
    ({"type": "strin"}, "is not valid"),
    ({"type": "string", "pattern": "\\p{L}"}, "not a regular expression"),
])
def test_a_schema_vilkar_cannot_use_is_a_policy_error(tmp_path, monkeypatch, field_schema, words):
    policies, schemas = write_kind(tmp_path, field_schema, "true")
    monkeypatch.setenv("VILKAR_CACHE_DIR", str(tmp_path / "cache"))
    for _ in range(2):  # a cached load trusts its schemas' checks: a rule set whose schema fails them is not stored
        with pytest.raises(PolicyError) as caught:
            load_policies(policies, schemas=schemas)
        assert caught.value.diagnostics[0].code == "VK170" and words in caught.value.diagnostics[0].message
    assert not list((tmp_path / "cache").glob("*.vkc"))
