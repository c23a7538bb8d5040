"""Intake's panels on the queue's pages (registered in apps.py; workqueue/panels.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from peel.intake.models import QuarantineItem, QuarantineStatus
from peel.intake.pipeline import intake_backlog
from peel.workqueue.panels import Panel


def quarantine_link(user: Any, now: datetime) -> Panel | None:
    """On the staff home page, for those who may release it: what quarantine holds."""
    if not user.has_perm("intake.manage_quarantine"):
        return None
    held = QuarantineItem.objects.filter(status=QuarantineStatus.HELD).count()
    return Panel("intake/_quarantine_link.html", {"held": held})


def filing_backlog(user: Any, now: datetime) -> Panel | None:
    """On the supervisor's queue page: reports received but not yet filed onto the queue."""
    return Panel("intake/_backlog_panel.html", {"backlog": intake_backlog(now)})
