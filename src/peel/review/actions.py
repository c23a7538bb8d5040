from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from peel.audit import log as audit
from peel.reports.actions import do_set_report_status
from peel.reports.choices import ReportStatus
from peel.review.choices import Outcome
from peel.review.models import Decision
from peel.workqueue.actions import do_complete_item
from peel.workqueue.models import WorkItem

# A non-crime and a crime-related incident must say why (NCRS: the log must show the reasons).
RATIONALE_REQUIRED = {Outcome.NOT_A_CRIME, Outcome.CRIME_RELATED_INCIDENT}


class DecisionError(ValueError):
    pass


def do_record_decision(user: Any, item: WorkItem, outcome: str, rationale: str) -> Decision:
    if not user.has_perm("review.record_decision"):
        raise PermissionError("This account may not record crime-recording decisions.")
    if outcome not in Outcome.values:
        raise DecisionError(f"'{outcome}' is not a decision Peel knows.")
    rationale = rationale.strip()
    if outcome in RATIONALE_REQUIRED and not rationale:
        raise DecisionError(f"A rationale is required for '{Outcome(outcome).label}'.")
    if item.report is None:
        raise DecisionError("This work item has no report to decide.")
    with transaction.atomic():
        do_complete_item(user, item)  # raises NotYourItem if the lease was lost
        decision = Decision.objects.create(
            report=item.report,
            work_item=item,
            outcome=outcome,
            rationale=rationale,
            decided_by=user,
            decided_at=timezone.now(),
        )
        audit.record(
            user, "review.decided", decision,
            after={"report": item.report.reference, "outcome": outcome, "rationale": rationale},
        )  # fmt: skip
        do_set_report_status(user, item.report, ReportStatus.DECIDED)
    return decision
