"""The only way staff code reads a report: permission-checked and access-logged."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from peel.audit.log import record_access
from peel.audit.models import AccessEvent
from peel.reports.models import Report
from peel.workqueue.models import WorkItem, WorkStatus


def visible_to(user: Any, report: Report) -> bool:
    """A report restricted to a team exists, for everyone else, only as a count."""
    return report.restricted_to_id is None or user.teams.filter(pk=report.restricted_to_id).exists()


def can_view_report(user: Any, report: Report) -> bool:
    if not visible_to(user, report):
        return False
    if user.has_perm("reports.view_any_report"):
        return True
    # Otherwise only the report the user holds right now: operators never browse.
    return WorkItem.objects.filter(report=report, holder=user, status=WorkStatus.ALLOCATED).exists()


def get_report_for_user(user: Any, report_id: int, purpose: str) -> Report:
    report = get_object_or_404(
        Report.objects.select_related("location").prefetch_related(
            "involvements__person", "vehicles", "items"
        ),
        pk=report_id,
    )
    if not can_view_report(user, report):
        raise PermissionDenied("You do not have access to this report.")
    record_access(user, report, purpose)
    return report


def log_public_read(report: Report, purpose: str) -> None:
    """The reporter reading their own report (their status page, verified by reference and
    email) is a consultation like any other. They have no account: the event names them."""
    AccessEvent.objects.create(
        user=None, actor_label="reporter (verified by reference and email)",
        object_type=report._meta.label_lower, object_id=str(report.pk), purpose=purpose,
    )  # fmt: skip
