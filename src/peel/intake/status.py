"""Where a report stands, in words for the person who reported it."""

from __future__ import annotations

from dataclasses import dataclass

from peel.audit.models import AccessEvent
from peel.reports.choices import Role
from peel.reports.models import Report
from peel.review.choices import Outcome
from peel.review.models import Decision
from peel.workqueue.models import WorkItem, WorkStatus

# What the public is told for each decision (never the operator's own rationale).
OUTCOME_TEXT = {
    Outcome.CRIME: ("Recorded as a crime", "We have recorded your report as a crime. An officer or investigator may contact you."),
    Outcome.NOT_A_CRIME: ("Closed: no crime recorded", "We reviewed your report and what it describes is not a crime under the national crime recording rules. We have kept a record of it."),
    Outcome.CRIME_RELATED_INCIDENT: ("Closed: recorded as an incident", "We reviewed your report and recorded it as an incident, not a crime. We have kept a record of it."),
}  # fmt: skip


@dataclass(frozen=True)
class PublicStatus:
    reference: str
    state: str
    explanation: str


def find_report_for_reporter(reference: str, email: str) -> Report | None:
    return (
        Report.objects.filter(
            reference=reference.strip().upper(),
            involvements__role=Role.PERSON_REPORTING,
            involvements__person__email__iexact=email.strip(),
        )
        .distinct()
        .first()
    )


def public_status(report: Report) -> PublicStatus:
    decision = Decision.objects.filter(report=report).order_by("-decided_at").first()
    if decision is not None:
        state, explanation = OUTCOME_TEXT[Outcome(decision.outcome)]
        # Crime numbers come from the crime recording system (the robots of issue 5); until
        # then the Peel reference is the number to quote.
        return PublicStatus(report.reference, state, explanation)
    if WorkItem.objects.filter(report=report, status=WorkStatus.ALLOCATED).exists():
        return PublicStatus(
            report.reference,
            "Being reviewed",
            "A member of police staff is reviewing your report now.",
        )
    return PublicStatus(
        report.reference,
        "Received",
        "We have your report. A member of police staff will review it.",
    )


def record_public_read(report: Report, purpose: str) -> None:
    """The reporter reading their own report is a consultation like any other: log it."""
    AccessEvent.objects.create(
        user=None, actor_label="reporter (verified by reference and email)",
        object_type=report._meta.label_lower, object_id=str(report.pk), purpose=purpose,
    )  # fmt: skip
