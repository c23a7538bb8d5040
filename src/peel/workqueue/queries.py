"""Read-only views of the queue for supervisors: filtered rows and the headline counts."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.db.models import Exists, OuterRef, QuerySet

from peel.workqueue.actions import OPEN_STATUSES
from peel.workqueue.models import WorkDeadline, WorkItem, WorkStatus

SOON = timedelta(hours=1)


def open_items() -> QuerySet[WorkItem]:
    return WorkItem.objects.filter(status__in=OPEN_STATUSES)


def filtered_items(filters: dict[str, Any], now: datetime) -> QuerySet[WorkItem]:
    """Open items matching the supervisor's filters, in the order Get Work serves them."""
    items = open_items()
    status = filters.get("status") or "open"
    if status != "open":
        items = items.filter(status=status)
    if filters.get("kind"):
        items = items.filter(kind=filters["kind"])
    if filters.get("grade"):
        items = items.filter(grade=filters["grade"])
    if filters.get("team"):
        items = items.filter(team=filters["team"])
    if filters.get("holder"):
        items = items.filter(holder__username=filters["holder"])
    breach = filters.get("breach")
    if breach == "breached":
        items = items.filter(due_at__lt=now)
    elif breach == "next_hour":
        items = items.filter(due_at__gte=now, due_at__lt=now + SOON)
    elif breach == "on_time":
        items = items.filter(due_at__gte=now)
    return items.select_related("report", "holder", "team").order_by(
        "rank", "due_at", "created_at", "id"
    )


def queue_counts(now: datetime) -> dict[str, int]:
    items = open_items()
    unmet_soon = WorkDeadline.objects.filter(
        item=OuterRef("pk"), met_at__isnull=True, due_at__gte=now, due_at__lt=now + SOON
    )
    return {
        "queued": items.filter(status=WorkStatus.QUEUED).count(),
        "allocated": items.filter(status=WorkStatus.ALLOCATED).count(),
        "parked": items.filter(status=WorkStatus.PARKED).count(),
        "breached": items.filter(due_at__lt=now).count(),
        # Items with any deadline falling due in the next hour, not only their earliest one.
        "breaching_next_hour": items.filter(Exists(unmet_soon)).count(),
    }
