"""The same decisions as the shipped policies, written by hand in Python: the floor vilkar is measured against.

They share vilkar's business-calendar arithmetic (a hand-written service would need the same holiday
tables and time-zone rules), so the comparison measures what the policy language itself costs.
"""
from __future__ import annotations

import datetime as dt
import re
from decimal import ROUND_HALF_UP, Decimal

from evaluator.calendar.hours import BusinessHours

CENT = Decimal("0.01")
HOURS = BusinessHours.standard("support_hours")


def _names(*names: str) -> frozenset[str]:
    return frozenset(" ".join(n.split()).casefold() for n in names)


EVERYWHERE = ("Azure StorSimple", "GitHub AE")
BASE_EXCLUDED = _names(*EVERYWHERE, "Azure Communication Services", "Billing and Subscription Management")
UER_EXCLUDED = _names(*EVERYWHERE, "US Gov Clouds", "A40", "Azure Media Services", "Azure Stack for M365",
                      "Microsoft Mesh", "Universal Print")
RAPID_EXCLUDED = _names(*EVERYWHERE, "Azure Media Services", "Azure Stack", "Universal Print", "Testbase for M365",
                        "Test Base for M365", "Microsoft Mesh")
AEM_WORD = re.compile(r"(?<!\w)AEM(?!\w)", re.IGNORECASE)


def cancellation_by_hand(request: dict) -> dict:
    cost = Decimal(request["service_cost"]["amount"])
    notice = (dt.date.fromisoformat(request["service_start"]) - dt.date.fromisoformat(request["cancelled_on"])).days
    percent = 0 if notice >= 14 else 50 if notice >= 6 else 100
    fee = (cost * percent / 100).quantize(CENT, rounding=ROUND_HALF_UP)
    return {"notice_days": notice, "fee_percent": percent, "fee": fee,
            "refund": (cost - fee).quantize(CENT, rounding=ROUND_HALF_UP)}


def incident_by_hand(request: dict) -> dict:
    severity, azure, offerings = request["severity"], request["azure_component"], request["offerings"]
    product = " ".join(request["product"].split()).casefold()
    critical = severity in ("1", "A")
    uer, rapid, aem = "uer" in offerings, "rapid_response" in offerings, "aem" in offerings
    if severity == "1":
        base = 15 if azure and product not in BASE_EXCLUDED else 60
    else:
        base = {"A": 60, "B": 120, "C": 240}[severity]
    uer_time = None
    if uer and severity == "1":
        uer_time = 15 if azure and request["cloud"] != "government" and product not in UER_EXCLUDED else 30
    elif uer and severity == "A":
        uer_time = 30
    rapid_time = 15 if (rapid and azure and product not in RAPID_EXCLUDED and request["channel"] == "portal"
                        and severity == "1") else None
    aem_time = 15 if (aem and request["aem_event_active"] and request["cloud"] == "public" and azure
                      and request["channel"] == "portal" and AEM_WORD.search(request["description"])
                      and severity == "1") else None
    calendar = HOURS.at(request["location"])
    opened = dt.datetime.fromisoformat(request["opened_at"])
    if critical:
        fastest = min(t for t in (aem_time, rapid_time, uer_time, base) if t is not None)
        plan = ("aem" if aem_time == fastest else "rapid_response" if rapid_time == fastest
                else "uer" if uer_time == fastest else "base")
        clock, due = "calendar", (opened + dt.timedelta(minutes=fastest)).astimezone(calendar.zone)
    else:
        fastest, plan, clock = base, "base", "business"
        due = calendar.add_business_minutes(opened, base)
    language = request["language"]
    if plan in ("base", "uer"):
        available = "yes" if language == "en" else "if_available"
    elif plan == "rapid_response":
        available = "yes" if language in ("en", "ja") else "no"
    else:
        available = "yes" if language == "en" else "no"
    if critical and uer:
        role = "senior_incident_manager"
    else:
        role = {"1": "crisis_resource", "A": "critical_situation_oversight"}.get(severity, "none")
    downgrade = "none"
    if critical and not request["customer_24x7_resources"]:
        downgrade = "severity" if plan in ("base", "uer") else "effort_24x7"
    customer = {"B": (240, "business"), "C": (1440, "calendar")}.get(severity, (None, None))
    # SPEC §9 F3: who handles the incident, apart from whose time is shown; restricted delivery excludes AEM
    restricted = request.get("restricted_delivery_required", False)
    aem_handles = (aem and request["aem_event_active"] and request["cloud"] == "public" and azure
                   and request["channel"] == "portal" and bool(AEM_WORD.search(request["description"])) and not restricted)
    rapid_handles = rapid and azure and product not in RAPID_EXCLUDED and request["channel"] == "portal"
    handled_by = "aem" if aem_handles else "rapid_response" if rapid_handles else "uer" if uer else "base"
    return {
        "response_plan": plan, "first_response_minutes": fastest, "first_response_clock": clock,
        "first_response_expected_by": due, "effort": "24x7" if critical else "business_hours",
        "automatic_escalation": critical, "assigned_role": role,
        "crisis_resource_minutes": 30 if plan == "aem" else None, "post_incident_review": uer and severity == "1",
        "language_available": available,
        "incident_management_language_available": ("yes" if language in ("en", "zh", "ja") else "no")
        if uer and critical else None,
        "downgrade_risk": downgrade, "customer_response_minutes": customer[0], "customer_response_clock": customer[1],
        "handled_by": handled_by, "post_event_summary": aem and request["aem_event_active"] and not restricted,
    }
