"""The canonical record a robot writes: one decision on one report, as named text values.

Robots know no review: review hands them a `DecisionRecord` (the decision's id, its grade and
the decision's own values, named as in DECISION_FIELDS; review/robot_handover.py builds it),
and the report's values are read here. Every connector writes from this one dictionary, renamed and reformatted by its target's
mapping, and verifies against it. Values are Peel's own: ISO dates, Peel's codes (`web`,
`crime`); a target's mapping turns them into what the downstream system expects.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone

from peel.reports import display
from peel.reports.choices import Role
from peel.reports.contact import contact_summary
from peel.reports.models import Person, Report

# name -> what it holds. The order is the order fields are written and shown.
FIELDS: dict[str, str] = {
    "key": "the idempotency key: report reference and decision number",
    "report_reference": "Peel's report reference, as the reporter was given it",
    "channel": "how the report came in: web, api or email",
    "received_at": "when Peel received the report (ISO 8601, UTC)",
    "occurred_date": "the day it happened, local time (YYYY-MM-DD)",
    "occurred_time": "the time it happened, local time (HH:MM), only if the reporter gave one",
    "location": "the address or description of the place",
    "postcode": "the postcode, canonical form",
    "reporter_family_name": "the person reporting's family name",
    "reporter_given_name": "the person reporting's given name",
    "reporter_date_of_birth": "the person reporting's date of birth (YYYY-MM-DD)",
    "reporter_phone": "the person reporting's phone number (E.164)",
    "reporter_email": "the person reporting's email address",
    "reporter_contact": "how the reporter may safely be contacted, e.g. 'Do not email.'",
    "victim_family_name": "the victim's family name",
    "victim_given_name": "the victim's given name",
    "victim_date_of_birth": "the victim's date of birth (YYYY-MM-DD)",
    "suspect": "what is known of the suspects, one line each",
    "summary": "what happened, in the reporter's words",
    "details": "the rest of the report in words: when (as the reporter said it), answers,"
    " people, property and the other information the reporter gave (sdm/destinations.py)",
    "outcome": "the decision: crime, not_a_crime or crime_related_incident",
    "offence_code": "the Home Office offence code, for a crime",
    "offence_description": "the offence's description, for a crime",
    "crime_number": "Peel's crime number, for a crime",
    "crime_flags": "crime flags, comma-separated",
    "opening_code": "the incident log's opening category",
    "closing_code": "the incident log's closing category",
    "notes": "the operator's rationale, or what the victim was told",
    "decided_by": "the operator's username",
    "decided_at": "when the decision was recorded (ISO 8601, UTC)",
}


# The decision's part of FIELDS: review fills these (robot_handover.py).
DECISION_FIELDS = (
    "outcome", "offence_code", "offence_description", "crime_number", "crime_flags",
    "opening_code", "closing_code", "notes", "decided_by", "decided_at",
)  # fmt: skip


@dataclass(frozen=True)
class DecisionRecord:
    """A recorded decision as robots receive it: ids and values, never review's models."""

    report: Report
    decision_id: int
    is_crime: bool  # some targets want crimes only
    grade: str  # the decided work's grade: a manual transposition item gets the same
    values: dict[str, str]  # exactly DECISION_FIELDS, as text

    def __post_init__(self) -> None:
        assert tuple(self.values) == DECISION_FIELDS, "review must hand over DECISION_FIELDS"


def idempotency_key(decision: DecisionRecord) -> str:
    return f"{decision.report.reference}-D{decision.decision_id}"


def canonical_record(decision: DecisionRecord) -> dict[str, str]:
    report: Report = decision.report
    reporter = _first(report, Role.PERSON_REPORTING)
    victim = _first(report, Role.VICTIM)
    occurred = timezone.localtime(report.occurred_from) if report.occurred_from else None
    time_given = display.has_time_of_day(report)
    location = report.location
    suspects = [
        _describe(i.person)
        for i in report.involvements.select_related("person").order_by("id")
        if i.role in (Role.KNOWN_SUSPECT, Role.UNKNOWN_SUSPECT)
    ]
    record = {
        "key": idempotency_key(decision),
        "report_reference": report.reference,
        "channel": report.channel,
        "received_at": utc_text(report.received_at),
        "occurred_date": f"{occurred:%Y-%m-%d}" if occurred else "",
        "occurred_time": f"{occurred:%H:%M}" if occurred and time_given else "",
        "location": ", ".join(p for p in (location.address_line, location.town) if p)
        if location
        else "",
        "postcode": location.postcode if location else "",
        **_person("reporter", reporter),
        "reporter_contact": contact_summary(report),  # so the CHS's users do not email them
        **_person("victim", victim),
        "suspect": "\n".join(s for s in suspects if s),
        "summary": report.description,
        "details": display.report_details(report),
        **decision.values,
    }
    assert list(record) == list(FIELDS), "canonical_record and FIELDS must name the same fields"
    return {name: normal_text(value) for name, value in record.items()}


def _first(report: Report, role: str) -> Person | None:
    involvement = (
        report.involvements.filter(role=role).select_related("person").order_by("id").first()
    )
    return involvement.person if involvement else None


def _person(prefix: str, person: Person | None) -> dict[str, str]:
    values = {
        f"{prefix}_family_name": person.family_name if person else "",
        f"{prefix}_given_name": person.given_name if person else "",
        f"{prefix}_date_of_birth": person.date_of_birth.isoformat()
        if person and person.date_of_birth
        else "",
    }
    if prefix == "reporter":
        values["reporter_phone"] = person.phone if person else ""
        values["reporter_email"] = person.email if person else ""
    return values


def _describe(person: Person) -> str:
    name = f"{person.given_name} {person.family_name}".strip()
    return " - ".join(p for p in (name, person.description.strip()) if p)


def utc_text(moment: object) -> str:
    from datetime import UTC, datetime

    assert isinstance(moment, datetime)
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def normal_text(value: str) -> str:
    """One newline convention and no trailing spaces: how a web form or page may change text
    without changing what it says. Records are written in this form and compared in it."""
    return "\n".join(line.rstrip() for line in value.replace("\r\n", "\n").split("\n")).strip()


def shorten(value: str, length: int = 60) -> str:
    """A value quoted in a failure reason: enough to recognise, never a whole statement."""
    return value if len(value) <= length else value[: length - 3] + "..."
