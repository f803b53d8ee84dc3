"""Callable Python from a compiled plan: all a cached load needs of the compiler, so it imports no more."""
from __future__ import annotations

from bisect import bisect_right
from typing import Any

from ..calendar import months
from ..calendar.narration import Narrator
from . import runtime
from .plan import CompiledKind, KindPlan

RUNTIME_NAMES: dict[str, Any] = {
    "_date": runtime.to_date, "_timestamp": runtime.to_timestamp, "_decimal": runtime.to_decimal,
    "_money": runtime.money, "_money_any": runtime.money_any, "_cents": runtime.cents, "_share": runtime.share,
    "_div": runtime.divide, "_ceil": runtime.ceil, "_floor": runtime.floor, "_round": runtime.round_half_up,
    "_add_days": runtime.add_days, "_days_between": runtime.days_between,
    "_add_minutes": runtime.add_minutes, "_minutes_between": runtime.minutes_between,
    "_name_in": runtime.name_in, "_contains_word": runtime.contains_word, "_EXACT": runtime.EXACT,
    "_decimal_sum": runtime.decimal_sum, "_exact_sum": runtime.exact_sum,
    "_min_present": runtime.min_present, "_max_present": runtime.max_present, "_Narrator": Narrator,
    "_maybe": runtime.maybe, "_field_of": runtime.field_of, "_with_clock": runtime.with_clock,
    "_clock_in": runtime.clock_in, "_abs_number": runtime.abs_number, "_abs_pair": runtime.abs_pair,
    "_negate_pair": runtime.negate_pair, "_as_names": runtime.as_names,
    "_add_months": months.add_months, "_period": months.period,
    "_quantity": runtime.quantity, "_first_where": runtime.first_where, "_starts_with": runtime.starts_with,
    "_piece": runtime.piece, "_bisect_right": bisect_right, "_first_row": runtime.first_row,
    "_first_candidate": runtime.first_candidate,
    # exact arithmetic called straight from generated code (a Python call costs as much as the arithmetic)
    "_exact_mul": runtime.EXACT.multiply, "_exact_div": runtime.EXACT.divide, "_HUNDRED": runtime.HUNDRED,
    "_in_cents": runtime.CENTS.quantize, "_CENT": runtime.CENT,
}
BUILTINS = {"min": min, "max": max, "sum": sum, "any": any, "all": all, "len": len, "abs": abs,
            "frozenset": frozenset, "tuple": tuple}


def instantiate(plan: KindPlan, constants: dict[str, Any], code: Any = None) -> CompiledKind:
    """Callable Python from a plan (and its compiled code object, when the cache has it)."""
    namespace: dict[str, Any] = {"__builtins__": BUILTINS}
    namespace.update(RUNTIME_NAMES)
    namespace.update(constants)
    exec(code if code is not None else compile_plan(plan), namespace)
    return CompiledKind(plan.name, namespace["decide"], namespace["requirements"], plan.definitions,
                        plan.requirement_infos, plan.names, plan.types, plan.reported, plan.source_code,
                        plan.calendar, plan.location, namespace.get("decide_narrated"), plan.notes, plan.origins,
                        explaining=plan.explaining, namespace=namespace, note_flags=namespace.get("note_flags"))


def compile_plan(plan: KindPlan) -> Any:
    """The code object of a plan's generated module."""
    return compile(plan.source_code, source_filename(plan.name), "exec")


def source_filename(kind: str) -> str:
    return f"<vilkar kind {kind}>"
