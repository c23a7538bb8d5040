"""The work queue's grant to read reports: the report of an item you hold (see reports/grants.py).

Registered in WorkqueueConfig.ready(), so reports never imports the work queue.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from peel.workqueue.models import WorkItem


def report_of_held_item(user: Any) -> Q:
    """An operator reads the report of the item they hold, under a live lease, and no other."""
    return Q(pk__in=WorkItem.objects.held_by(user).values("report_id"))
