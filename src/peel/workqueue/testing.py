"""Large queues for concurrency tests and benchmarks, written in bulk (not through intake)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.models import Group
from django.utils import timezone

from peel.accounts.models import Team, User
from peel.reports.models import Report
from peel.workqueue.models import WorkDeadline, WorkItem, WorkKind
from peel.workqueue.service_levels import service_levels

GRADES = ("P1", "P2", "P3", "P4")


def bulk_queue(count: int, prefix: str = "BULK", batch: int = 5000) -> list[int]:
    """Queue `count` report reviews of mixed grades, with their deadlines; return their ids."""
    team = Team.objects.get(slug="contact-centre")
    levels = service_levels()
    now = timezone.now()
    ids: list[int] = []
    for start in range(0, count, batch):
        size = min(batch, count - start)
        reports = Report.objects.bulk_create(
            Report(
                reference=f"{prefix}-{start + i:08d}", channel="web", received_at=now,
                how_involved="victim", description="Queued in bulk", suspect_known="unknown",
            )
            for i in range(size)
        )  # fmt: skip
        items = WorkItem.objects.bulk_create(
            WorkItem(
                kind=WorkKind.REVIEW_REPORT, report=report, team=team, grade=grade,
                rank=levels.rank(grade), created_at=now,
                due_at=now + dt.timedelta(minutes=(start + i) % 1440),
            )
            for i, report in enumerate(reports)
            for grade in [GRADES[(start + i) % len(GRADES)]]
        )  # fmt: skip
        WorkDeadline.objects.bulk_create(
            WorkDeadline(item=item, name=spec.name, met_when=spec.met_when, due_at=item.due_at)
            for item in items
            for spec in levels.deadlines(item.kind, item.grade)
        )
        ids += [item.pk for item in items]
    _analyze()
    return ids


def _analyze() -> None:
    """Refresh the planner's statistics after a bulk load, as autovacuum would in a live system
    (without it PostgreSQL plans the deadline queries for an empty table)."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for model in (Report, WorkItem, WorkDeadline):
                cursor.execute(f"ANALYZE {model._meta.db_table}")


def make_claimers(count: int, prefix: str = "claimer") -> list[Any]:
    """Operators without passwords (hashing 50 would take seconds), in the contact centre."""
    operator = Group.objects.get(name="operator")
    team = Team.objects.get(slug="contact-centre")
    User.objects.bulk_create(User(username=f"{prefix}{i}") for i in range(count))
    users = list(User.objects.filter(username__startswith=prefix).order_by("pk"))
    for user in users:
        user.groups.add(operator)
        user.teams.add(team)
    return users
