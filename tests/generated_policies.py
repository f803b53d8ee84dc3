"""Hypothesis strategies for well-typed policies and requests for them (compiled ≡ interpreted tests).

A generated rule set has global sets and lets, a calendar, and one kind `gen` whose lets and decisions use
every construct of the language: rules with exceptions, tiers, tables of every cell shape, comprehensions
nested in each other, absent values, durations of both clocks, money, percentages, dates and timestamps.
Names are drawn from a small pool that also holds request field names, names shaped like the compiler's
own identifiers, and names of helpers, and comprehension variables reuse them freely, so that shadowing
and collisions are exercised on every example.

Types are tracked as short tags: int dec money pct bool sev text date days mins bmins anymins ts sevset
nameset item reca, with `?` for a value that may be absent.
"""
from __future__ import annotations

import datetime as dt
import random
from typing import Any



from policykit import ANY_MONEY, BOOLEAN, DATE, INTEGER, LOCATION, MONEY, NUMBER, TEXT, TIMESTAMP, array, enum, record

SEVERITIES = ("1", "A", "B", "C")
NAMES = ("o", "x", "s", "k1", "k7", "v1_x", "d1_o", "i1_n", "total", "a", "b", "n", "fee", "r", "_cal", "len",
         "decide", "t1_x", "tags", "item")
PRODUCTS = ("Azure StorSimple", "azure  storsimple ", "GitHub AE", "Universal Print", "Exchange", "aem event")

REQUIRED = {
    "n": INTEGER, "x": NUMBER, "cost": MONEY, "price": ANY_MONEY, "flag": BOOLEAN, "sev": enum(*SEVERITIES),
    "name": TEXT, "day": DATE, "at": TIMESTAMP, "location": LOCATION,
    "items": array(record({"cat": enum(*SEVERITIES), "amount": MONEY, "qty": INTEGER})),
    "tags": array(enum(*SEVERITIES)), "days": array(DATE), "a__b": INTEGER,
    "a": record({"b": INTEGER}, {"c": TEXT}), "k1": INTEGER, "o": enum(*SEVERITIES),
}
OPTIONAL = {"m": INTEGER, "later": DATE, "maybe": BOOLEAN, "note": TEXT, "rate": NUMBER}

# request paths and their types
FIELDS = {
    "request.n": "int", "request.x": "dec", "request.cost": "money", "request.flag": "bool", "request.sev": "sev",
    "request.name": "text", "request.day": "date", "request.at": "ts", "request.a__b": "int", "request.a.b": "int",
    "request.k1": "int", "request.o": "sev", "request.m": "int?", "request.later": "date?",
    "request.maybe": "bool?", "request.note": "text?", "request.a.c": "text?", "request.rate": "dec?",
}
LISTS = {"request.items": "item", "request.tags": "sev", "request.days": "date"}
ITEM_FIELDS = {"cat": "sev", "amount": "money", "qty": "int"}
RECORD_FIELDS = {"b": "int", "c": "text?"}

ORDERED = ("int", "dec", "money", "date", "days", "mins", "pct", "months")
VALUES = ("int", "dec", "money", "pct", "bool", "sev", "text", "date", "days", "months", "mins", "bmins", "anymins",
          "ts", "sevset")
NUMERIC = ("int", "dec")

CALENDAR = """dates that do not exist {rule}

calendar hours
  open 09:00 to 17:00
  on Monday to Friday
  closed on public holidays
  closed on 24 December
"""


def plain(type_: str) -> str:
    return type_.rstrip("?")


def unify(a: str, b: str) -> str | None:
    """The type of a value that is one or the other, as the checker unifies them (None: they do not)."""
    optional = a.endswith("?") or b.endswith("?")
    a, b = plain(a), plain(b)
    merged = a if a == b else None
    if {a, b} == {"int", "dec"}:
        merged = "dec"
    if {a, b} <= {"mins", "bmins", "anymins"}:
        merged = a if a == b else "anymins"
    if {a, b} <= {"sev", "text"}:
        merged = "text"
    if merged is None:
        return None
    return merged + "?" if optional else merged


class Writer:
    """Writes expressions of a wanted type; `names` maps the names in scope to their types."""

    def __init__(self, rng: random.Random, names: dict[str, str], in_kind: bool,
                 bound: frozenset[str] = frozenset()):
        self.rng = rng
        self.names = names
        self.in_kind = in_kind
        self.bound = bound  # the names bound by comprehensions here
        self.narrow: frozenset[str] = frozenset()  # bound to members of a set literal: not any severity

    def pick(self, options: list) -> Any:
        return self.rng.choice(options)

    def chance(self, p: float = 0.5) -> bool:
        return self.rng.random() < p

    def with_names(self, extra: dict[str, str]) -> Writer:
        inner = Writer(self.rng, {**self.names, **extra}, self.in_kind, self.bound | set(extra))
        inner.narrow = self.narrow - set(extra)
        return inner

    def named(self, type_: str) -> list[str]:
        """Names in scope of exactly this type."""
        return [name for name, t in self.names.items() if t == type_]

    def fields(self, type_: str) -> list[str]:
        if not self.in_kind:
            return []
        found = [path for path, t in FIELDS.items() if t == type_]
        for name, t in self.names.items():
            if t == "item":
                found += [f"{name}.{f}" for f, ft in ITEM_FIELDS.items() if ft == type_]
            if t == "reca":
                found += [f"{name}.{f}" for f, ft in RECORD_FIELDS.items() if ft == type_]
        return found

    # -- any type
    def expr(self, type_: str, depth: int) -> str:
        """An expression of exactly `type_` (a `?` type may also be given a present value)."""
        if type_.endswith("?"):
            return self.maybe(plain(type_), depth)
        leaves = self.leaves(type_)
        if leaves and (depth <= 0 or not self.chance(0.6)):
            return self.pick(leaves)
        d = max(depth - 1, 0)
        options = self.compounds(type_, d)
        if self.in_kind:
            options.append(lambda: f"(if {self.expr('bool', d)} then {self.expr(type_, d)} else {self.expr(type_, d)})")
        absent = self.named(type_ + "?") + self.fields(type_ + "?")
        if absent:  # not `nothing if absent x`: the checker calls that absent too
            options.append(lambda: f"(({self.pick(absent)}) if absent ({self.expr(type_, d)}))")
        if not options:
            return self.pick(leaves)
        return self.pick(options)()

    def maybe(self, type_: str, depth: int) -> str:
        """A value of `type_` that may be absent."""
        return self.pick(self.named(type_ + "?") + ["nothing"] + self.absent_ones(type_, depth))

    def absent_ones(self, type_: str, depth: int) -> list[str]:
        """Values of `type_` that the checker knows may be absent (so `is present` may be asked of them)."""
        options = list(self.fields(type_ + "?"))
        if depth > 0 and self.in_kind and type_ in ("int", "money"):
            variable = self.pick(list(self.names)) if self.names and self.chance(0.7) else self.pick(list(NAMES))
            inner = self.with_names({variable: "item"})
            field = "qty" if type_ == "int" else "amount"
            options.append(f"{self.pick(['min', 'max'])}({variable}.{field} for {variable} in request.items "
                           f"where {inner.expr('bool', depth - 1)})")
        if depth > 0 and self.in_kind and type_ in VALUES:
            options.append(f"(if {self.expr('bool', depth - 1)} then {self.expr(type_, depth - 1)} else nothing)")
        return options

    def leaves(self, type_: str) -> list[str]:
        found = self.named(type_) + self.fields(type_)
        found += [name for name in found if name.split(".")[0] in self.bound] * 4  # bound variables: often
        literal = {
            "int": [str(self.rng.randint(-20, 40))],
            "dec": [self.pick(["1.5", "0.25", "12.125", "1,000.5", "3.0", "12345678901234567890123456789.123456"])],
            "money": [self.pick(["USD 100", "USD 2.50", "USD 50,000", "USD 0", "USD 0.0049",
                                 "USD 123456789012345678901234567890.5"])],
            "pct": [self.pick(["20%", "50%", "12.5%", "100%", "0%"])],
            "bool": ["true", "false"],
            "sev": [f'"{self.pick(list(SEVERITIES))}"'],
            "text": [f'"{self.pick(["aem", "Azure StorSimple", "x"])}"'],
            "date": [self.pick(["2026-01-31", "2025-12-24", "2027-06-15"])],
            "days": [self.pick(["5 days", "14 days", "2 calendar weeks", "0 days", "1 day"])],
            "months": [self.pick(["1 month", "12 months", "2 years", "0 months"])],
            "mins": [self.pick(["90 minutes", "15 minutes", "2 hours", "1 hour"])],
            "bmins": [self.pick(["2 business hours", "30 business minutes", "4 business hours"])],
            "sevset": ['{"1", "A"}', '{"B"}', '{"C", "A", "1"}'],
            "anymins": ["(if request.flag then 15 minutes else 2 business hours)"] if self.in_kind else [],
        }.get(type_, [])
        return found + literal

    # -- compound expressions by type: each option is written only if it is picked
    def compounds(self, type_: str, d: int) -> list:
        e = self.expr
        kind = self.in_kind

        def numeric() -> str:
            return e(self.pick(list(NUMERIC)), d)

        def m() -> str:
            return e("money", d)

        options: list = []
        if type_ == "int":
            options += [lambda: f"({e('int', d)} + {e('int', d)})", lambda: f"({e('int', d)} - {e('int', d)})",
                        lambda: f"({e('int', d)} * {e('int', d)})", lambda: f"-({e('int', d)})",
                        lambda: f"abs({e('int', d)})", lambda: f"min({e('int', d)}, {e('int', d)})",
                        lambda: f"max({e('int', d)}, {e('int?', d)})", lambda: f"({e('days', d)} in days)",
                        lambda: f"({e('mins', d)} in minutes)", lambda: f"({e('months', d)} in months)",
                        lambda: f"{self.pick(['ceil', 'floor', 'round'])}({numeric()})",
                        lambda: f"count({e('sevset', d)})", lambda: f"({e('int', d)} + {e('int', d)} + {e('int', d)})"]
            if kind:
                options += [lambda: "count(request.items)", lambda: "count(request.tags)",
                            lambda: f"{self.period(d)}.number"]
                options += [lambda: self.comprehension("int", d), lambda: self.comprehension("count", d)] * 3
        elif type_ == "dec":
            money_divisor = ["USD 7", "USD 0.5"] + (["request.cost"] if kind else [])
            days_divisor = ["5 days", "14 days"] + (["(request.day - 2026-01-01)"] if kind else [])
            options += [lambda: f"({numeric()} + {e('dec', d)})", lambda: f"({e('dec', d)} * {numeric()})",
                        lambda: f"({numeric()} / {self.divisor()})", lambda: f"({e('pct', d)} * {e('int', d)})",
                        lambda: f"({e('pct', d)} of {e('int', d)})", lambda: f"({e('mins', d)} in hours)",
                        lambda: f"({e('days', d)} in weeks)", lambda: f"({e('months', d)} in years)",
                        lambda: f"amount({e('money', d)})",
                        lambda: f"({e('money', d)} / {self.pick(money_divisor)})", lambda: f"-({e('dec', d)})",
                        lambda: f"({e('days', d)} / {self.pick(days_divisor)})",
                        lambda: f"({e('dec', d)} - {numeric()} + {e('dec', d)})"]
            if kind:
                options += [lambda: "amount(request.price)", lambda: "abs(amount(request.price))"]
        elif type_ == "money":
            options += [lambda: f"({m()} + {m()})", lambda: f"({m()} - {m()})", lambda: f"({m()} * {numeric()})",
                        lambda: f"({m()} / {self.divisor()})", lambda: f"({e('pct', d)} of {m()})",
                        lambda: f"min({m()}, {m()})", lambda: f"max({m()}, {m()})", lambda: f"abs({m()})",
                        lambda: f"-({m()})", lambda: f"({m()} + {m()} + {m()})", lambda: f"({e('pct', d)} * {m()})"]
            if kind:
                options += [lambda: self.comprehension("money", d)] * 3
        elif type_ == "pct":
            options += [lambda: f"({e('pct', d)} + {e('pct', d)})", lambda: f"-({e('pct', d)})"]
        elif type_ == "bool":
            options += self.conditions(d)
        elif type_ == "text" and kind:
            options += [lambda: f"((request.note) if absent ({e('sev', d)}))", lambda: '((request.a.c) if absent ("c"))']
        elif type_ == "date":
            options += [lambda: f"({e('date', d)} + {e('days', d)})", lambda: f"({e('date', d)} - {e('days', d)})",
                        lambda: f"({e('days', d)} + {e('date', d)})", lambda: f"min({e('date', d)}, {e('date?', d)})",
                        lambda: f"max({e('date', d)}, {e('date', d)})"]
            options += [lambda: f"({e('date', d)} + {e('months', d)})", lambda: f"({e('months', d)} + {e('date', d)})"]
            if kind:
                options += [lambda: f"{self.period(d)}.{self.pick(['start', 'end'])}"]
                business = ["3 business days", "10 business days", "1 business day", "0 business days"]
                options += [lambda: f"({e('date', d)} + {self.pick(business)})", lambda: f"local_date({e('ts', d)})"]
        elif type_ == "months":
            options += [lambda: f"({e('months', d)} + {e('months', d)})", lambda: f"({e('months', d)} * {e('int', d)})",
                        lambda: f"max({e('months', d)}, {e('months', d)})"]
        elif type_ == "days":
            options += [lambda: f"({e('date', d)} - {e('date', d)})", lambda: f"({e('days', d)} + {e('days', d)})",
                        lambda: f"({e('days', d)} - {e('days', d)})", lambda: f"({e('days', d)} * {e('int', d)})",
                        lambda: f"-({e('days', d)})", lambda: f"abs({e('days', d)})",
                        lambda: f"min({e('days', d)}, {e('days', d)})"]
        elif type_ == "mins":
            options += [lambda: f"({e('mins', d)} + {e('mins', d)})", lambda: f"({e('mins', d)} * {e('int', d)})",
                        lambda: f"max({e('mins', d)}, {e('mins', d)})"]
            if kind:
                options.append(lambda: f"({e('ts', d)} - {e('ts', d)})")
        elif type_ == "bmins":
            options += [lambda: f"({e('bmins', d)} + {e('bmins', d)})"]
        elif type_ == "anymins" and kind:
            options += [lambda: f"min({e('anymins', d)}, {e('anymins', d)})",
                        lambda: f"(if {e('bool', d)} then {e('mins', d)} else {e('bmins', d)})",
                        lambda: f"-({e('anymins', d)})", lambda: f"abs({e('anymins', d)})"]
        elif type_ == "ts" and kind:
            options += [lambda: f"({e('ts', d)} + {e('mins', d)})", lambda: f"({e('ts', d)} - {e('mins', d)})",
                        lambda: f"({e('ts', d)} + {e('days', d)})", lambda: f"({e('ts', d)} + {e('bmins', d)})",
                        lambda: f"({e('ts', d)} + {e('anymins', d)})",
                        lambda: f"({e('ts', d)} + {self.pick(['1 business day', '3 business days'])})",
                        lambda: f"(next business start after {e('ts', d)})", lambda: f"max({e('ts', d)}, {e('ts', d)})"]
        elif type_ == "sevset":
            options += [lambda: f"({e('sevset', d)} + {e('sevset', d)})"]
        return options

    def period(self, d: int) -> str:
        """An anchored period that holds the day asked about: from a day at or before it, cut after it."""
        length = self.pick(["1 year", "1 month", "6 months", "2 years"])
        return f"(the {length} period from request.day containing (request.day + abs({self.expr('days', d)})))"

    def severities(self) -> list[str]:
        """Expressions that may hold any severity: fields and bound variables, not lets of a literal."""
        found = [path for path in self.fields("sev")]
        return found + [name for name, t in self.names.items()
                        if t == "sev" and name in self.bound and name not in self.narrow]

    def divisor(self) -> str:
        """Something to divide by: never a literal zero (that is an error at load), but maybe a zero input."""
        return self.pick([str(self.rng.randint(1, 9)), "3.5"] + (self.fields("int") if self.in_kind else []))

    def conditions(self, d: int) -> list:
        e = self.expr
        kind = self.in_kind
        ordered = [t for t in ORDERED if t != "mins" or kind]

        def compare() -> str:
            type_ = self.pick(ordered)
            return f"({e(type_, d)} {self.pick(['<', '<=', '>', '>=', '==', '!='])} {e(type_, d)})"

        options = [compare, compare, lambda: f"({e('bool', d)} and {e('bool', d)})",
                   lambda: f"({e('bool', d)} or {e('bool', d)})", lambda: f"(not {e('bool', d)})",
                   lambda: f"({e('int', d)} in {{1, 2, 3}})", lambda: f"({e('text', d)} contains word {e('text', d)})",
                   lambda: f"({e('bool', d)} == {e('bool', d)})"]
        absent_type = self.pick(["int", "date", "dec", "bool", "text", "money"])
        if self.absent_ones(absent_type, d):
            # wrapped, so that a test inside the value of `except when x is present` does not repeat it
            options.append(lambda: f"(({self.pick(self.absent_ones(absent_type, d))} if absent nothing) is "
                                   f"{self.pick(['present', 'absent'])})")
        severities = self.severities()
        if severities:
            # a text literal is a one-value enumeration, so compare a severity field (or variable) with it
            options += [lambda: f"({self.pick(severities)} {self.pick(['==', '!='])} {e('sev', d)})",
                        lambda: f"({self.pick(severities)} {self.pick(['in', 'not in'])} {e('sevset', d)})"]
        bools = self.named("bool?") + self.fields("bool?")
        if bools:
            options.append(lambda: f"(({self.pick(bools)}) if absent (false))")
        if kind:
            options += [lambda: self.comprehension("bool", d)] * 3
            options += [lambda: f"({e('anymins', d)} == {e(self.pick(['mins', 'bmins']), d)})",
                        lambda: f"({e('ts', d)} is within business hours)",
                        lambda: f"(clock({e('anymins', d)}) == \"business\")",
                        lambda: f"({e('date', d)} in request.days)", lambda: f"({e('sev', d)} in request.tags)"]
            if self.named("nameset"):
                options.append(lambda: f"(request.name in {self.pick(self.named('nameset'))})")
        return options

    def comprehension(self, what: str, d: int) -> str:
        """An aggregate over a request list or a set, its variable often named like a name in scope."""
        variable = self.pick(list(self.names)) if self.names and self.chance(0.7) else self.pick(list(NAMES))
        sources = dict(LISTS)
        sources.update({name: "sev" for name, t in self.names.items() if t == "sevset"})
        source = self.pick(sorted(sources))
        inner = self.with_names({variable: sources[source]})
        if source not in LISTS:
            inner.narrow = inner.narrow | {variable}  # a member of a set of some severities only
        where = f" where {inner.expr('bool', d)}" if self.chance() else ""
        element_of = {"item": {"int": f"{variable}.qty", "money": f"{variable}.amount"}}
        if what == "count":
            return f"count({variable} for {variable} in {source}{where})"
        if what == "bool":
            function = self.pick(["any", "all"])
            return f"{function}({inner.expr('bool', d)} for {variable} in {source}{where})"
        if sources[source] == "item":
            element = element_of["item"][what] if self.chance(0.7) else inner.expr(what, d)
        else:
            element = inner.expr(what, d)
        return f"sum({element} for {variable} in {source}{where})"


# ---------------------------------------------------------------- bodies and programs

TIER_BOUNDS = {
    "int": ["0", "3", "14", "20"], "dec": ["0.5", "1.5", "10.25"], "money": ["USD 0", "USD 100", "USD 5,000"],
    "date": ["2025-06-01", "2026-01-01", "2027-01-01"], "days": ["0 days", "5 days", "14 days"],
}


def tiers(w: Writer, type_: str, d: int) -> tuple[str, str]:
    subject_type = w.pick(sorted(TIER_BOUNDS))
    subject = w.expr(subject_type, d)
    bounds = TIER_BOUNDS[subject_type]
    rows = []
    result = type_
    for _ in range(w.rng.randint(1, 4)):
        low, high = sorted(w.rng.choices(range(len(bounds)), k=2))
        bound = w.pick([f"{w.pick(['>=', '>', '<', '<=', '==', '!='])} {bounds[low]}",
                        f"{bounds[low]}..{bounds[high]}", bounds[high]])
        rows.append(f"      {bound} -> {w.expr(type_, d)}")
    text = f"tiers of {subject}\n" + "\n".join(rows)
    if w.chance(0.6):
        text += f"\n      otherwise -> {w.expr(type_, d)}"
    else:
        result = type_ + "?"
    return text, result


CELL_LITERALS = {"int": ["0", "3", "14"], "sev": ['"1"', '"A"', '"C"'], "bool": ["true", "false"],
                 "money": ["USD 0", "USD 100"], "date": ["2026-01-01", "2025-12-24"], "days": ["0 days", "14 days"],
                 "text": ['"aem"', '"Exchange"']}
ORDERED_CELLS = ("int", "money", "date", "days")


def cell(w: Writer, subject_type: str, d: int) -> str:
    literals = CELL_LITERALS[subject_type]
    options = ["any", w.pick(literals)]
    if subject_type == "sev":
        options += [f"in {w.expr('sevset', d)}", f"not in {w.expr('sevset', d)}", "in request.tags"]
    if subject_type == "text":
        options += [f"in {w.pick(w.named('nameset'))}"] if w.named("nameset") else []
    if subject_type == "int":
        options += ["in {1, 2, 3}", "not in {0}"]
    if subject_type in ORDERED_CELLS:
        low, high = sorted([w.pick(literals), w.pick(literals)], key=literals.index)
        options += [f"{w.pick(['>=', '<', '!='])} {w.pick(literals)}", f"{low}..{high}",
                    f"== {w.expr(subject_type, d)}"]
    return w.pick(options)


def table(w: Writer, types: list[str], d: int) -> tuple[str, list[str]]:
    subjects = [w.pick(sorted(CELL_LITERALS)) for _ in range(w.rng.randint(1, 3))]
    literal_outputs = w.chance(0.4)
    literal_cells = w.chance(0.3)  # a table of literals only: a lookup, where the first of equal rows decides
    rows = []
    for _ in range(w.rng.randint(1, 6)):
        cells = " | ".join(w.pick(CELL_LITERALS[s]) if literal_cells else cell(w, s, d) for s in subjects)
        outputs = ", ".join(w.pick(w.leaves(t)[-1:]) if literal_outputs and w.leaves(t) else w.expr(t, d)
                            for t in types)
        rows.append(f"      | {cells} -> {outputs}")
    subject_text = ", ".join(w.pick(w.severities()) if s == "sev" else w.pick(w.fields("text")) if s == "text"
                             else w.expr(s, d) for s in subjects)
    text = f"match first on {subject_text}\n" + "\n".join(rows)
    if w.chance(0.6):
        text += "\n      otherwise -> " + ", ".join(w.expr(t, d) for t in types)
        return text, types
    return text, [t + "?" for t in types]


def rule(w: Writer, type_: str, d: int) -> tuple[str, str]:
    text = w.expr(type_, d)
    result = type_
    for _ in range(w.rng.randint(0, 3)):
        if w.chance(0.2):
            value, result = "nothing", type_ + "?"
        else:
            value = w.expr(type_, d)
        text += f"\n    except when {w.expr('bool', d)} -> {value}"
    return text, result


def program(rng: random.Random) -> tuple[str, list[str]]:
    """Policy text for kind `gen` and the names of its decisions and lets."""
    names = rng.sample(NAMES, len(NAMES))
    taken = iter(names)
    scope: dict[str, str] = {}
    parts = [CALENDAR.format(rule=rng.choice(["roll forward to the first of the next month",
                                              "are clamped to the end of the month"]))]
    globals_writer = Writer(rng, scope, in_kind=False)
    for _ in range(rng.randint(0, 2)):
        name = next(taken)
        parts.append(f"set {name} = {globals_writer.expr('sevset', 1)}")
        scope[name] = "sevset"
    name = next(taken)
    parts.append(f'set {name}: names = {{"Azure StorSimple", "GitHub  AE", "aem event"}}')
    scope[name] = "nameset"
    for _ in range(rng.randint(0, 3)):
        name, type_ = next(taken), rng.choice(["int", "dec", "money", "date", "days", "bool", "pct"])
        parts.append(f"let {name} = {Writer(rng, dict(scope), in_kind=False).expr(type_, 2)}")
        scope[name] = type_
    global_scope = dict(scope)
    parts.append("kind gen uses calendar hours at request.location")
    defined: list[str] = []
    for _ in range(rng.randint(2, 7)):
        w = Writer(rng, dict(scope), in_kind=True)
        keyword = rng.choice(["let", "decision"])
        shape = rng.choice(["rule", "rule", "tiers", "table", "record"])
        depth = rng.choice([2, 3, 3, 4])
        if shape == "record" and keyword == "let":
            name = next(taken)
            parts.append(f"let {name} = request.a")
            scope[name] = "reca"
            defined.append(name)
            continue
        if shape == "table":
            count = rng.randint(1, 2)
            targets = [next(taken) for _ in range(count)]
            wanted = [rng.choice(list(VALUES[:-1])) for _ in targets]
            body, types = table(w, wanted, depth)
        else:
            targets = [next(taken)]
            wanted = rng.choice(list(VALUES[:-1]))
            body, type_ = tiers(w, wanted, depth) if shape == "tiers" else rule(w, wanted, depth)
            types = [type_]
        parts.append(f"{keyword} {', '.join(targets)}\n  = {body}")
        for target, type_ in zip(targets, types):
            scope[target] = type_
        defined.extend(targets)
    if rng.random() < 0.5:
        w = Writer(rng, global_scope, in_kind=True)
        parts.append(f'require {w.expr("bool", 1)}\n  when {w.expr("bool", 1)}\n  at request.n "not this"')
    return "\n\n".join(parts) + "\n", defined


# ---------------------------------------------------------------- requests

LOCATIONS = [{"country": "DK", "timezone": "Europe/Copenhagen"}, {"country": "US", "timezone": "America/New_York"},
             {"country": "JP", "timezone": "Asia/Tokyo"}]
BIG = "98765432109876543210987654321.987654321"


def amount(rng: random.Random) -> Any:
    return rng.choice([lambda: rng.randint(0, 200_000), lambda: f"{rng.randint(0, 10_000_000) / 100:.2f}",
                       lambda: rng.choice(["0.005", "99.995", "100", "0"]), lambda: BIG])()


def money(rng: random.Random) -> dict[str, Any]:
    return {"amount": amount(rng), "currency": "USD"}


def date(rng: random.Random) -> str:
    return (dt.date(2025, 1, 1) + dt.timedelta(days=rng.randint(0, 1094))).isoformat()


def timestamp(rng: random.Random) -> str:
    offset = rng.choice(["+01:00", "+00:00", "-05:00", "+09:00", "+02:00"])
    return f"{date(rng)}T{rng.randint(0, 23):02d}:{rng.choice([0, 15, 29, 30, 59]):02d}:00{offset}"


def request(rng: random.Random) -> dict[str, Any]:
    """A request of kind `gen` valid for the schema of REQUIRED and OPTIONAL."""
    def sev() -> str:
        return rng.choice(SEVERITIES)

    document: dict[str, Any] = {
        "kind": "gen", "n": rng.randint(-20, 40),
        "x": rng.choice([rng.randint(-50, 50), f"{rng.randint(-100_000, 100_000) / 1000:.3f}"]),
        "cost": money(rng), "price": {"amount": amount(rng), "currency": rng.choice(["USD", "EUR"])},
        "flag": rng.random() < 0.5, "sev": sev(), "name": rng.choice(PRODUCTS),
        "day": date(rng), "at": timestamp(rng), "location": rng.choice(LOCATIONS),
        "items": [{"cat": sev(), "amount": money(rng), "qty": rng.randint(-3, 10)} for _ in range(rng.randint(0, 3))],
        "tags": [sev() for _ in range(rng.randint(0, 3))], "days": [date(rng) for _ in range(rng.randint(0, 3))],
        "a__b": rng.randint(-5, 5), "a": {"b": rng.randint(-5, 5)}, "k1": rng.randint(0, 3), "o": sev(),
    }
    if rng.random() < 0.5:
        document["a"]["c"] = rng.choice(["c", "aem", "Exchange"])
    optional = {"m": lambda: rng.randint(-5, 20), "later": lambda: date(rng), "maybe": lambda: rng.random() < 0.5,
                "note": lambda: rng.choice(["aem", "x"]), "rate": lambda: f"{rng.randint(0, 500) / 100:.2f}"}
    for name, value in optional.items():
        if rng.random() < 0.5:
            document[name] = value()
    return document

