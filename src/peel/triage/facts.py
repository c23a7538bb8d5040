"""Everything a triage rule may read about a report, as one flat dictionary of plain values.

The dictionary is stored with each assessment, so the reasons for a grade can be read back
exactly, and an example for the rule-set harness can be copied from a real one.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from peel.reports.choices import Role
from peel.reports.models import Report
from peel.triage.history import History, linked_history
from peel.triage.models import DashAssessment

DOMESTIC_ABUSE_QUESTIONS = {"riskOfBeingVictimOfDomesticAbuse", "riskOfCommittingDomesticAbuse"}


def report_facts(report: Report, now: datetime, history: History | None = None) -> dict[str, Any]:
    history = history if history is not None else linked_history(report)
    involvements = list(report.involvements.select_related("person"))
    victims = [i.person for i in involvements if i.role == Role.VICTIM]
    reporters = [i.person for i in involvements if i.role in (Role.PERSON_REPORTING, Role.VICTIM)]
    vulnerabilities = sorted({q for person in victims for q in person.vulnerabilities})
    everyone = {q for i in involvements for q in i.person.vulnerabilities}
    dash = report.dash_assessments.order_by("-completed_at", "-id").first()
    occurred = report.occurred_to or report.occurred_from
    hours = (now - occurred).total_seconds() / 3600 if occurred else None
    return {
        "immediate_danger": report.immediate_danger,
        "still_happening": report.still_happening,
        "weapon_involved": report.weapon_involved,
        "threat_or_assault": report.threat_or_assault,
        "physically_assaulted": report.physically_assaulted,
        "hate_crime": report.hate_crime,
        "high_harm": report.high_harm,
        "victim_under_18": report.victim_under_18,
        "victim_vulnerable": report.victim_vulnerable,
        "victim_vulnerabilities": vulnerabilities,
        "child_present": report.child_present,
        "drugs_or_alcohol": report.drugs_or_alcohol,
        "domestic_abuse": _domestic_abuse(report, everyone, dash),
        "dash_completed": dash is not None,
        "dash_yes_count": dash.yes_count if dash else None,
        "dash_risk": dash.risk if dash else None,
        "dash_professional_judgement": dash.professional_judgement_high if dash else None,
        "repeat_victim_reports": len(history.victim),
        "repeat_suspect_reports": len(history.suspect),
        "repeat_location_reports": len(history.location),
        "repeat_vehicle_reports": len(history.vehicle),
        "suspect_known": report.suspect_known,
        "how_involved": report.how_involved,
        "hours_since_incident": round(hours, 2) if hours is not None else None,
        "witnesses": sum(1 for i in involvements if i.role == Role.WITNESS),
        "evidence_items": sum(
            1 for item in report.items.all() if item.link_reason == "incidentEvidence"
        ),
        "vehicle_identified": any(v.vrm for v in report.vehicles.all()),
        "reporter_contactable": any(p.email or p.phone for p in reporters) if reporters else None,
    }


def _domestic_abuse(
    report: Report, vulnerabilities: set[str], dash: DashAssessment | None
) -> bool | None:
    """Signs of domestic abuse: the national category says so, a vulnerability answer, or DASH."""
    if report.category.upper().endswith("/DA") or dash is not None:
        return True
    if vulnerabilities & DOMESTIC_ABUSE_QUESTIONS:
        return True
    return None
