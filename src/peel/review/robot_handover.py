"""What review hands the robots for a recorded decision: its id, grade and values.

Robots must not read review's models (they sit beside intake, below review), so the decision is
turned into text values here, in the names robots/record.py writes downstream.
"""

from __future__ import annotations

from peel.review.models import Decision
from peel.robots.record import DECISION_FIELDS, DecisionRecord, utc_text


def decision_record(decision: Decision) -> DecisionRecord:
    values = {
        "outcome": decision.outcome,
        "offence_code": decision.offence_code,
        "offence_description": decision.offence_description,
        "crime_number": decision.crime.crime_number or "" if decision.crime else "",
        "crime_flags": ",".join(decision.crime_flags),
        "opening_code": decision.opening_code,
        "closing_code": decision.closing_code,
        "notes": decision.rationale or decision.victim_message,
        "decided_by": decision.decided_by.get_username(),
        "decided_at": utc_text(decision.decided_at),
    }
    return DecisionRecord(
        report=decision.report,
        decision_id=decision.pk,
        is_crime=decision.crime_id is not None,
        grade=decision.work_item.grade,
        values={name: values[name] for name in DECISION_FIELDS},
    )
