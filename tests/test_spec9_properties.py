"""SPEC §9 §5 months and years, checked against a reference written from SPEC's words: service_use's term and
annual periods, and aed's rolling twelve months of SIP requests, for generated dates (29 February and month
ends included by the strategy's bias towards them)."""
from __future__ import annotations

import calendar
import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from evaluator.api import default_policies


def plus_months(day: dt.date, months: int) -> dt.date:
    """SPEC §5: the same day N months later; where that month lacks it, the first day of the following month."""
    year, month = divmod(day.month - 1 + months, 12)
    year, month = day.year + year, month + 1
    if day.day <= calendar.monthrange(year, month)[1]:
        return dt.date(year, month, day.day)
    return dt.date(year + month // 12, month % 12 + 1, 1)


ONE = dt.timedelta(days=1)
ENDS = st.sampled_from([dt.date(2028, 2, 29), dt.date(2027, 1, 31), dt.date(2026, 8, 31), dt.date(2026, 3, 30)])
DAYS = st.one_of(ENDS, st.dates(dt.date(1990, 1, 1), dt.date(2070, 12, 31)))


@settings(max_examples=80, deadline=None)
@given(start=DAYS, term=st.integers(1, 240), where=st.floats(0, 1))
def test_service_use_periods_are_counted_from_the_anchor(start, term, where):
    last = plus_months(start, term) - ONE
    acquired = start + dt.timedelta(days=int((last - start).days * where))
    k = 0
    while plus_months(start, 12 * (k + 1)) <= acquired:
        k += 1
    period_start = plus_months(start, 12 * k)
    period_end = min(plus_months(start, 12 * (k + 1)) - ONE, last)
    decided = default_policies().evaluate({"kind": "service_use", "work_order_start": start.isoformat(),
                                           "term_months": term, "acquired_on": acquired.isoformat(),
                                           "funded_by_allowance": True}).decisions
    assert (decided["work_order_last_day"], decided["annual_period_start"], decided["annual_period_end"],
            decided["use_by"]) == (last, period_start, period_end, period_end)


AED = {"kind": "aed", "estimated_consumption": {"amount": 1000, "currency": "USD"}, "opted_minimum_price": False,
       "listed_as_enhanced": False, "holds_rapid_response": True, "contract_start": "1990-01-01",
       "monitoring_scenarios": 0, "product": "Azure Kubernetes Service", "product_category": "cloud",
       "enrolled_subscription": True}


@settings(max_examples=80, deadline=None)
@given(as_of=DAYS, back=st.lists(st.one_of(st.integers(-400, 400), st.sampled_from([365, 366, 0, -1])), max_size=6))
def test_aed_counts_sip_requests_on_a_rolling_twelve_months(as_of, back):
    dates = [as_of - dt.timedelta(days=days) for days in back]
    expected = sum(1 for d in dates if d <= as_of < plus_months(d, 12))
    decided = default_policies().evaluate({**AED, "as_of": as_of.isoformat(),
                                           "sip_requested_on": [d.isoformat() for d in dates]}).decisions
    assert decided["sip_requests_counted"] == expected
    assert decided["sip_allowed"] == (expected < 2)
