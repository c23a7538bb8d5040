"""Where a report stands, in words for the person who reported it."""

from __future__ import annotations

from dataclasses import dataclass

from peel.reports.access import log_public_read
from peel.reports.choices import Role
from peel.reports.models import Report
from peel.review.choices import Outcome
from peel.review.models import Decision, InfoRequest
from peel.workqueue.actions import OPEN_STATUSES
from peel.workqueue.models import WorkItem, WorkKind, WorkStatus

# What the public is told for each decision (never the operator's own rationale).
OUTCOME_TEXT = {
    Outcome.CRIME: ("Recorded as a crime", "We have recorded your report as a crime. An officer or investigator may contact you."),
    Outcome.NOT_A_CRIME: ("Closed: no crime recorded", "We reviewed your report and what it describes is not a crime under the national crime recording rules. We have kept a record of it."),
    Outcome.CRIME_RELATED_INCIDENT: ("Closed: recorded as an incident", "We reviewed your report and recorded it as an incident, not a crime. We have kept a record of it."),
}  # fmt: skip


@dataclass(frozen=True)
class PublicStatus:
    """One state, in words; never "closed" while we are still waiting for the reporter."""

    reference: str
    state: str
    explanation: str
    crime_number: str = ""
    message: str = ""  # the operator's update for the victim (staff words, escaped on output)
    question: str = ""  # a question the reporter can answer on the status page
    closed: bool = False


MERGED_TEXT = (
    "Being dealt with together",
    "Someone else reported the same incident, so we are dealing with both reports together. "
    "Keep your reference: it still finds your report.",
)
WAITING_TEXT = (
    "We need more information from you",
    "We have looked at your report and need you to answer our question below before we can "
    "decide what happens next. Your report stays open until we have your answer.",
)
ANSWERED_TEXT = (
    "Being looked at again",
    "Thank you for answering our question. A member of police staff will look at your report "
    "again with your answer.",
)
CLOSING = {Outcome.NOT_A_CRIME, Outcome.CRIME_RELATED_INCIDENT}


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
    """Where the report stands. An open question, or an answer not yet looked at, outranks a
    decision that would otherwise close the report: it is not closed until we have read it."""
    question = (
        InfoRequest.objects.filter(report=report, answered_at=None)
        .values_list("question", flat=True)
        .first()
        or ""
    )
    reviewing_again = WorkItem.objects.filter(
        report=report, kind=WorkKind.REVIEW_REPORT, status__in=OPEN_STATUSES
    ).exists()
    # A merged report shows where the incident stands: the decision on the report it joined.
    subject = report.merged_into or report
    decision = (
        Decision.objects.filter(report=subject, superseded_at=None).select_related("crime").first()
    )
    if decision is not None:
        outcome = Outcome(decision.outcome)
        crime_number = decision.crime.crime_number or "" if decision.crime else ""
        if subject != report:
            crime_number = ""  # the other report's crime number is its victim's to be given
        message = decision.victim_message
        if outcome in CLOSING and question:
            return PublicStatus(report.reference, *WAITING_TEXT, message=message, question=question)
        answered = InfoRequest.objects.filter(
            report=report, answered_at__gte=decision.decided_at
        ).exists()
        if outcome in CLOSING and answered and reviewing_again:
            return PublicStatus(report.reference, *ANSWERED_TEXT, message=message)
        state, explanation = OUTCOME_TEXT[outcome]
        if question:
            explanation += " We also need you to answer our question below."
        return PublicStatus(
            report.reference, state, explanation, crime_number, message, question,
            closed=outcome in CLOSING,
        )  # fmt: skip
    if question:
        return PublicStatus(report.reference, *WAITING_TEXT, question=question)
    if report.merged_into_id is not None:
        return PublicStatus(report.reference, *MERGED_TEXT)
    if WorkItem.objects.filter(report=report, status=WorkStatus.ALLOCATED).exists():
        return PublicStatus(
            report.reference, "Being reviewed",
            "A member of police staff is reviewing your report now.",
        )  # fmt: skip
    return PublicStatus(
        report.reference,
        "Received",
        "We have your report. A member of police staff will review it.",
    )


def record_public_read(report: Report, purpose: str) -> None:
    """The reporter reading their own report is a consultation like any other: log it."""
    log_public_read(report, purpose)
