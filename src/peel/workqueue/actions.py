"""Every change to a work item, each atomic and audited.

Get Work claims one row atomically. On PostgreSQL the candidate row is locked with
`SELECT ... FOR UPDATE SKIP LOCKED`, so concurrent claimers each take a different row without
waiting; on SQLite the IMMEDIATE transaction holds the database write lock from BEGIN, so claims
run one at a time. Either way the final UPDATE is conditional on the row still being queued.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from peel.audit import log as audit
from peel.core.db import write_transaction
from peel.reports.models import Report
from peel.workqueue.models import GRADE_RANK, KIND_PERMISSION, WorkItem, WorkKind, WorkStatus


class NotYourItem(PermissionError):
    pass


def lease_length() -> timedelta:
    return timedelta(minutes=int(settings.PEEL["WORK_LEASE_MINUTES"]))


def eligible_kinds(user: Any) -> list[str]:
    return [kind for kind, perm in KIND_PERMISSION.items() if user.has_perm(perm)]


def do_enqueue_report(actor: Any, report: Report, grade: str, due_at: datetime) -> WorkItem:
    with transaction.atomic():
        item = WorkItem.objects.create(
            kind=WorkKind.REVIEW_REPORT,
            report=report,
            grade=grade,
            rank=GRADE_RANK[grade],
            due_at=due_at,
            created_at=timezone.now(),
        )
        audit.record(actor, "work.enqueued", item, after=item.snapshot())
    return item


def do_release_expired_leases(now: datetime | None = None) -> int:
    """Return items whose holder went quiet to the queue, each as its own audited change."""
    now = now or timezone.now()
    released = 0
    expired_ids = list(
        WorkItem.objects.filter(status=WorkStatus.ALLOCATED, lease_expires_at__lt=now).values_list(
            "id", flat=True
        )[:500]
    )
    for item_id in expired_ids:
        with transaction.atomic():
            item = WorkItem.objects.select_for_update().get(pk=item_id)
            if item.status != WorkStatus.ALLOCATED or item.lease_expires_at is None:
                continue
            if item.lease_expires_at >= now:
                continue  # renewed meanwhile
            before = item.snapshot()
            _requeue(item)
            audit.record("system", "work.lease_expired", item, before, item.snapshot())
            released += 1
    return released


def do_release_parked(now: datetime | None = None) -> int:
    """Put parked items whose follow-up time has come back on the queue, each audited."""
    now = now or timezone.now()
    due = list(
        WorkItem.objects.filter(status=WorkStatus.PARKED, follow_up_at__lte=now).values_list(
            "id", flat=True
        )[:500]
    )
    released = 0
    for item_id in due:
        with transaction.atomic():
            item = WorkItem.objects.select_for_update().get(pk=item_id)
            if item.status != WorkStatus.PARKED:
                continue
            before = item.snapshot()
            item.follow_up_at = None
            _requeue(item)
            audit.record("system", "work.follow_up_due", item, before, item.snapshot())
            released += 1
    return released


def current_item(user: Any) -> WorkItem | None:
    """The item this user already holds under a live lease, if any."""
    return (
        WorkItem.objects.filter(
            holder=user, status=WorkStatus.ALLOCATED, lease_expires_at__gte=timezone.now()
        )
        .order_by("allocated_at")
        .first()
    )


def do_get_work(user: Any) -> WorkItem | None:
    """Hand the user the next item they may work on, or the one they already hold."""
    if held := current_item(user):
        return held
    kinds = eligible_kinds(user)
    if not kinds:
        raise PermissionError("This account may not be given work.")
    do_release_expired_leases()
    do_release_parked()
    with write_transaction():
        now = timezone.now()
        candidate = (
            WorkItem.objects.select_for_update(skip_locked=True)
            .filter(status=WorkStatus.QUEUED, kind__in=kinds)
            .order_by("rank", "due_at", "created_at", "id")
            .first()
        )
        if candidate is None:
            return None
        before = candidate.snapshot()
        claimed = WorkItem.objects.filter(pk=candidate.pk, status=WorkStatus.QUEUED).update(
            status=WorkStatus.ALLOCATED,
            holder=user,
            allocated_at=now,
            lease_expires_at=now + lease_length(),
        )
        if claimed != 1:  # cannot happen under either lock; never hand out a contested row
            return None
        candidate.refresh_from_db()
        audit.record(user, "work.allocated", candidate, before, candidate.snapshot())
    return candidate


def do_complete_item(user: Any, item: WorkItem) -> None:
    """Close an item the user holds. Call inside the action that did the work."""
    with transaction.atomic():
        locked = WorkItem.objects.select_for_update().get(pk=item.pk)
        if locked.status != WorkStatus.ALLOCATED or locked.holder_id != user.pk:
            raise NotYourItem("This work item is no longer allocated to you.")
        before = locked.snapshot()
        locked.status = WorkStatus.DONE
        locked.completed_at = timezone.now()
        locked.lease_expires_at = None
        locked.save(update_fields=["status", "completed_at", "lease_expires_at"])
        audit.record(user, "work.completed", locked, before, locked.snapshot())
        item.status, item.completed_at = locked.status, locked.completed_at


def _held(user: Any, item_id: int) -> WorkItem:
    """The item, locked, if this user holds it under a live lease; else NotYourItem."""
    item = WorkItem.objects.select_for_update().get(pk=item_id)
    live = item.lease_expires_at is not None and item.lease_expires_at >= timezone.now()
    if item.status != WorkStatus.ALLOCATED or item.holder_id != user.pk or not live:
        raise NotYourItem("This work item is no longer allocated to you.")
    return item


def do_heartbeat(user: Any, item_id: int) -> WorkItem:
    """The operator's page is open and in use: extend the lease (not audited: not a change of
    who holds what, and it would add an event a minute per operator)."""
    with transaction.atomic():
        item = _held(user, item_id)
        item.lease_expires_at = timezone.now() + lease_length()
        item.save(update_fields=["lease_expires_at"])
    return item


def do_hand_back(user: Any, item_id: int, reason: str) -> WorkItem:
    """The operator gives their item back to the queue for someone else, saying why."""
    if not reason.strip():
        raise ValueError("Say why you are handing the item back.")
    with transaction.atomic():
        item = _held(user, item_id)
        before = item.snapshot()
        _requeue(item)
        audit.record(
            user, "work.handed_back", item, before, {**item.snapshot(), "reason": reason.strip()}
        )
    return item


def do_park(user: Any, item_id: int, reason: str, follow_up_at: datetime) -> WorkItem:
    """Set an item aside awaiting information; it returns to the queue at `follow_up_at`."""
    if not reason.strip():
        raise ValueError("Say what the item is waiting for.")
    if follow_up_at <= timezone.now():
        raise ValueError("The follow-up time must be in the future.")
    with transaction.atomic():
        item = _held(user, item_id)
        before = item.snapshot()
        item.status, item.holder, item.allocated_at = WorkStatus.PARKED, None, None
        item.lease_expires_at, item.follow_up_at = None, follow_up_at
        item.save(
            update_fields=["status", "holder", "allocated_at", "lease_expires_at", "follow_up_at"]
        )
        audit.record(
            user, "work.parked", item, before, {**item.snapshot(), "reason": reason.strip()}
        )
    return item


def do_return_item(supervisor: Any, item_id: int, reason: str) -> WorkItem:
    """A supervisor takes an allocated item back and puts it on the queue for someone else."""
    if not supervisor.has_perm("workqueue.supervise_queue"):
        raise PermissionError("Only a supervisor may return work to the queue.")
    if not reason.strip():
        raise ValueError("Say why the item is being returned.")
    with transaction.atomic():
        item = WorkItem.objects.select_for_update().get(pk=item_id)
        if item.status != WorkStatus.ALLOCATED:
            raise ValueError("Only allocated items can be returned to the queue.")
        before = item.snapshot()
        _requeue(item)
        audit.record(
            supervisor, "work.returned", item, before, {**item.snapshot(), "reason": reason}
        )
    return item


def _requeue(item: WorkItem) -> None:
    item.status = WorkStatus.QUEUED
    item.holder = None
    item.allocated_at = None
    item.lease_expires_at = None
    item.save(update_fields=["status", "holder", "allocated_at", "lease_expires_at"])
