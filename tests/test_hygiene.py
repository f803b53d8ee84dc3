"""Generated code is hygienic: no policy name, field or literal changes a decision by colliding with another.

Each test is a reproducer from issue 15 (or one of its kind): it failed, or decided wrongly, before the
compiler took every identifier from one allocator and scoped bound variables as SPEC §3 says.
"""
from __future__ import annotations

import pytest

from evaluator import PolicyError
from policykit import BOOLEAN, DATE, INTEGER, LOCATION, MONEY, TEXT, TIMESTAMP, array, build, decide, enum, record

OFFERINGS = {"offerings": array(enum("uer", "rapid_response", "aem"))}


def test_a_comprehension_variable_shadows_a_global_let_inside_its_expression_only():
    policies = build('''
let o = "uer"
kind probe
decision has_aem = any(o == "aem" for o in request.offerings)
decision outer = o
''', OFFERINGS)
    assert decide(policies, offerings=["aem"]) == {"has_aem": True, "outer": "uer"}
    assert decide(policies, offerings=["uer"]) == {"has_aem": False, "outer": "uer"}


def test_a_comprehension_variable_shadows_a_set_and_a_kind_let():
    policies = build('''
set s = {"uer"}
kind probe
let x = "rapid_response"
decision by_set = any(s == "aem" for s in request.offerings)
decision by_let = count(x for x in request.offerings where x == "aem")
decision after = x
''', OFFERINGS)
    assert decide(policies, offerings=["aem", "aem"]) == {"by_set": True, "by_let": 2, "after": "rapid_response"}


def test_a_kind_let_defined_after_the_loop_that_shadows_it():
    # was "cannot access free variable": the loop read the let, which is assigned later
    policies = build('''
kind probe
decision d = any(x == "aem" for x in request.offerings)
let x = request.offerings
decision n = count(x)
''', OFFERINGS)
    assert decide(policies, offerings=["aem", "uer"]) == {"d": True, "n": 2}


def test_nested_comprehensions_binding_the_same_name():
    policies = build('''
kind probe
decision pairs = count(x for x in request.offerings where any(x == "aem" for x in request.offerings))
decision inner_sees_outer = any(any(x == y for y in request.offerings) for x in request.offerings)
''', OFFERINGS)
    assert decide(policies, offerings=["aem", "uer"]) == {"pairs": 2, "inner_sees_outer": True}
    assert decide(policies, offerings=["uer"]) == {"pairs": 0, "inner_sees_outer": True}


def test_fields_a__b_and_a_dot_b_are_different_inputs():
    policies = build('''
kind probe
decision flat = request.a__b
decision nested = request.a.b
''', {"a__b": TEXT, "a": record({"b": TEXT})})
    assert decide(policies, a__b="flat", a={"b": "nested"}) == {"flat": "flat", "nested": "nested"}


@pytest.mark.parametrize("name", ["k1", "k7", "k99", "d1_x", "i1_k1", "r", "_cal", "_date", "_failed", "tr_x", "v1_x",
                                  "x1_", "l1_o", "decide", "requirements", "len"])
def test_names_shaped_like_generated_ones_do_not_collide(name):
    # a decision named k1 in a kind with a calendar, and a schema field named k7, gave NameError at load
    policies = build(f'''
calendar hours
  open 09:00 to 17:00
  on Monday to Friday
kind probe uses calendar hours at request.location
decision {name} = request.{name} + 1
decision open = request.at is within business hours
decision named = "{name}"
''', {name: INTEGER, "at": TIMESTAMP, "location": LOCATION})
    values = decide(policies, **{name: 41, "at": "2026-11-27T10:00:00+01:00",
                                 "location": {"country": "DK", "timezone": "Europe/Copenhagen"}})
    assert values == {name: 42, "open": True, "named": name}


def test_a_text_that_looks_like_a_constant_name_is_just_text():
    policies = build('''
kind probe
decision k0 = "k0"
decision k1 = if request.flag then "k1" else "k2"
''', {"flag": BOOLEAN})
    assert decide(policies, flag=True) == {"k0": "k0", "k1": "k1"}


@pytest.mark.parametrize("text", [
    # a set shadowed by a let, in either order
    'kind probe\nlet s = request.n\nset s = {1}\ndecision d = 1',
    'set s = {1}\nkind probe\nlet s = request.n\ndecision d = 1',
    # a decision reusing a global let, a calendar reusing a set
    'kind probe\ndecision g = 1\nlet g = 2',
    'set c = {1}\ncalendar c\n  open 09:00 to 17:00\nkind probe\ndecision d = 1',
])
def test_reusing_a_name_is_an_error_naming_both_places(text):
    with pytest.raises(PolicyError) as raised:
        build(text, {"n": INTEGER})
    duplicates = [d for d in raised.value.diagnostics if d.code == "VK106"]
    assert len(duplicates) == 1
    assert duplicates[0].message.count("policies/probe.vk:") == 2


def test_the_same_let_name_in_two_kinds_is_fine():
    policies = build('''
kind probe
let total = request.n + 1
decision d = total
kind other
let total = request.n * 2
decision d = total
''', {"n": INTEGER})
    assert decide(policies, n=5) == {"d": 6}
    assert policies.evaluate({"kind": "other", "n": 5}).decisions == {"d": 10}


def test_the_request_itself_is_a_value_a_let_can_hold_but_not_a_decision():
    policies = build('''
kind probe
let whole = request
let where = request.location
decision n = whole.n + 1
decision country = where.country
''', {"n": INTEGER, "location": LOCATION})
    assert decide(policies, n=1, location={"country": "DK", "timezone": "UTC"}) == {"n": 2, "country": "DK"}
    with pytest.raises(PolicyError) as raised:
        build("kind probe\ndecision x = request", {"n": INTEGER})
    assert [d.code for d in raised.value.diagnostics] == ["VK104"]


@pytest.mark.parametrize("expression, expected", [
    ("1 / 4", 0.25), ("max(1, 2)", 2), ("if true then 1 else 2", 1), ("count({1, 2, 3})", 3),
    ("20% of USD 100", 20), ("2026-01-31 + 3 days", "2026-02-03"), ("1 < 2", True), ("-(2)", -2),
    ("sum(x * 2 for x in {1, 2, 3})", 12), ("abs(-3.5)", 3.5), ("ceil(7 / 2)", 4), ("90 minutes in hours", 1.5),
    ('"a" in {"a"}', True), ("nothing if absent 3", 3), ("min(1 day, 2 days)", 1),
])
def test_global_lets_of_every_shape_are_computed(expression, expected):
    # 11 generated programs crashed the compiler with _NotConstant: only sets and sums were computed
    policies = build(f"let g = {expression}\nkind probe\ndecision d = g", {})
    value = policies.evaluate({"kind": "probe"}).to_dict()["decisions"]["d"]
    assert value == expected or float(value) == expected


def test_global_lets_use_vilkar_exact_decimals_not_the_callers_context():
    long = "12345678901234567890123456789012345.6789"
    policies = build(f"let g = {long} + 1\nkind probe\ndecision d = g\ndecision e = {long} + request.n",
                     {"n": INTEGER})
    decisions = decide(policies, n=1)
    assert str(decisions["d"]) == str(decisions["e"]) == "12345678901234567890123456789012346.6789"


def test_money_of_a_fixed_currency_has_an_amount_and_a_currency():
    policies = build('''
kind probe
decision a = amount(request.cost) * 2
decision c = currency(request.cost)
decision literal = amount(USD 5)
''', {"cost": MONEY})
    assert decide(policies, cost={"amount": "2.50", "currency": "USD"}) == {"a": 5, "c": "USD", "literal": 5}


@pytest.mark.parametrize("argument", ['"text"', "request.day", "{1, 2}", "request.maybe", "nothing", "true"])
def test_abs_of_what_has_no_size_is_a_checker_error(argument):
    with pytest.raises(PolicyError) as raised:
        build(f"kind probe\ndecision d = abs({argument})", {"day": DATE}, {"maybe": INTEGER})
    assert {d.code for d in raised.value.diagnostics} <= {"VK104", "VK112"}


def test_abs_of_everything_that_has_a_size():
    policies = build('''
kind probe
decision n = abs(request.n)
decision m = abs(USD 0 - request.cost)
decision p = abs(-5%)
decision t = abs(request.a - request.b)
''', {"n": INTEGER, "cost": MONEY, "a": DATE, "b": DATE})
    decided = decide(policies, n=-3, cost={"amount": "2.5", "currency": "USD"}, a="2026-01-01", b="2026-01-05")
    assert decided == {"n": 3, "m": 2.5, "p": 5, "t": 4}


@pytest.mark.parametrize("text, fields", [
    ("decision d = request.flag and true", {}),
    ("decision d = not request.flag", {}),
    ("decision d = if request.flag then 1 else 2", {}),
    ("decision d = 1\n  except when request.flag -> 2", {}),
    ("decision d = any(request.flag for x in request.list)", {"list": array(INTEGER)}),
    ("decision d = count(request.maybe_list)", {}),
    ("decision d = 3 in request.maybe_list", {}),
    ("decision d = any(x > 1 for x in request.maybe_list)", {}),
    ("decision d = currency(request.price) == \"USD\" and amount(request.price * 2) > 1", {}),
])
def test_what_cannot_run_on_an_absent_or_per_request_value_is_a_checker_error(text, fields):
    from policykit import ANY_MONEY
    with pytest.raises(PolicyError):
        build(f"kind probe\n{text}", fields, {"flag": BOOLEAN, "maybe_list": array(INTEGER), "price": ANY_MONEY})


def test_a_division_by_zero_in_the_policy_text_is_a_policy_error_at_load():
    with pytest.raises(PolicyError) as raised:
        build("kind probe\ndecision d = if request.flag then 1 / 0 else 2", {"flag": BOOLEAN})
    diagnostic = raised.value.diagnostics[0]
    assert diagnostic.code == "VK130" and "division by zero" in diagnostic.message and diagnostic.span.line == 2


def test_a_fault_at_run_time_names_the_policy_line_in_words():
    from evaluator import RequestError
    policies = build('''
kind probe
decision fine = 1
decision ratio = request.a / request.b
''', {"a": INTEGER, "b": INTEGER})
    with pytest.raises(RequestError) as raised:
        policies.evaluate({"kind": "probe", "a": 1, "b": 0})
    message = raised.value.errors[0].message
    assert message == "the policies cannot decide this request: a division by zero in decision ratio at " \
                      "policies/probe.vk:4"


def test_unvalidated_garbage_is_a_request_error_naming_the_rule():
    from evaluator import RequestError
    policies = build("kind probe\ndecision d = request.day + 1 day", {"day": DATE})
    with pytest.raises(RequestError) as raised:
        policies.evaluate({"kind": "probe", "day": 17}, validate=False)
    assert raised.value.errors[0].message == "the policies cannot decide this request: a value of the wrong " \
        "shape for its kind's schema (was the request validated?) in decision d, reading request.day, at " \
        "policies/probe.vk:2"
    assert "Error" not in raised.value.errors[0].message  # no Python exception text


def test_request_lists_of_dates_and_money_are_read_as_dates_and_money():
    policies = build('''
kind probe
decision late = count(d for d in request.days where d > 2026-01-01)
decision has = 2026-01-02 in request.days
decision total = sum(m for m in request.amounts)
''', {"days": array(DATE), "amounts": array(MONEY)})
    decided = decide(policies, days=["2026-01-02", "2025-12-31"],
                     amounts=[{"amount": "1.25", "currency": "USD"}, {"amount": 2, "currency": "USD"}])
    assert decided == {"late": 1, "has": True, "total": 3.25}


def test_durations_of_a_per_request_clock_meet_literals_in_tables_and_sets():
    policies = build('''
kind probe
let t = if request.flag then 15 minutes else 2 business hours
decision row = match first on t
  | 15 minutes -> "quarter"
  | 120 business minutes -> "two hours"
  otherwise -> "other"
decision member = t in {2 business hours, 1 minute}
decision fallback = (nothing if absent 2 business hours) == t
''', {"flag": BOOLEAN})
    assert decide(policies, flag=True) == {"row": "quarter", "member": False, "fallback": False}
    assert decide(policies, flag=False) == {"row": "two hours", "member": True, "fallback": True}


def test_a_table_of_three_thousand_rows_loads_and_decides():
    rows = "\n".join(f"  | {n} | >= {n} -> {n * 2}" for n in range(3000))
    policies = build(f"kind probe\ndecision d = match first on request.n, request.m\n{rows}\n  otherwise -> -1",
                     {"n": INTEGER, "m": INTEGER})
    assert decide(policies, n=2999, m=5000) == {"d": 5998}
    assert decide(policies, n=2999, m=0) == {"d": -1}


def test_every_expression_node_has_a_compiler_case():
    import typing

    from evaluator.compile.expressions import ExpressionCompiler
    from evaluator.language import ast
    cases = ExpressionCompiler.__new__(ExpressionCompiler)
    ExpressionCompiler.__init__(cases, context=type("Context", (), {"constants": None})())
    missing = [node.__name__ for node in typing.get_args(ast.Expr) if node not in cases.cases]
    assert missing == []


def test_min_and_max_inside_a_comprehension_load_and_read_the_bound_variable():
    # explanations name which argument a min/max chose; inside a comprehension there is no one choice, and
    # compiling its arguments outside the comprehension read a global of the same name, or crashed (KeyError)
    items = {"nums": array(INTEGER)}
    alone = build("kind probe\ndecision n = sum(max(x, 1) for x in request.nums)\n", items)
    assert decide(alone, nums=[0, 5]) == {"n": 6}
    shadowed = build("let x = 240\nkind probe\ndecision n = sum(max(x, 1) for x in request.nums)\n"
                     "decision m = max(x, 1)\n", items)
    assert decide(shadowed, nums=[0, 5]) == {"n": 6, "m": 240}
    assert shadowed.evaluate({"kind": "probe", "nums": [0, 5]}).to_dict(explain=True)["decisions"]["n"] == 6
