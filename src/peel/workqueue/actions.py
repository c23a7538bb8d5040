"""Every change to a work item, each atomic and audited.

Get Work claims one row atomically. On PostgreSQL the candidate row is locked with
`SELECT ... FOR UPDATE SKIP LOCKED`, so concurrent claimers each take a different row without
waiting; on SQLite the IMMEDIATE transaction holds the database write lock from BEGIN, so claims
run one at a time. Either way the final UPDATE is conditional on the row still being queued.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Literal

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Min
from django.utils import timezone

from peel.accounts.models import Team, User
from peel.audit import log as audit
from peel.audit.actors import SYSTEM, Actor
from peel.core.db import skip_locked, write_transaction
from peel.reports.models import Report
from peel.workqueue.kinds import KINDS
from peel.workqueue.models import WorkDeadline, WorkItem, WorkKind, WorkStatus
from peel.workqueue.service_levels import service_levels

# An item with no deadline left sorts after every item that has one.
NO_DEADLINE = timedelta(days=3650)
OPEN_STATUSES = (WorkStatus.QUEUED, WorkStatus.ALLOCATED, WorkStatus.PARKED)


class NotYourItem(PermissionError):
    pass


def lease_length() -> timedelta:
    return timedelta(minutes=int(settings.PEEL["WORK_LEASE_MINUTES"]))


def eligible_kinds(user: Any) -> list[str]:
    return [kind for kind, spec in KINDS.items() if user.has_perm(spec.permission)]


def may_work_on(user: Any, item: WorkItem) -> bool:
    """The user's roles allow the item's kind and they belong to the item's team."""
    return (
        user.is_active
        and user.has_perm(KINDS[item.kind].permission)
        and user.teams.filter(pk=item.team_id).exists()
    )


# ---- Scheduling: deadlines, due time and rank ------------------------------------------------


def _anchor(item: WorkItem) -> datetime:
    """Report reviews run from when the report was received; other work from its creation."""
    if item.kind == WorkKind.REVIEW_REPORT and item.report is not None:
        return item.report.received_at
    return item.created_at


def _plan_deadlines(item: WorkItem) -> None:
    """(Re)create the item's unmet deadlines for its kind and grade; met ones are kept."""
    met = set(item.deadlines.filter(met_at__isnull=False).values_list("name", flat=True))
    item.deadlines.filter(met_at__isnull=True).delete()
    anchor = _anchor(item)
    WorkDeadline.objects.bulk_create(
        WorkDeadline(item=item, name=spec.name, met_when=spec.met_when, due_at=spec.due(anchor))
        for spec in service_levels().deadlines(item.kind, item.grade)
        if spec.name not in met
    )


def _schedule(item: WorkItem, now: datetime) -> None:
    """Set due_at to the earliest unmet deadline, and rank from the grade, raised if near."""
    earliest = item.deadlines.filter(met_at__isnull=True).aggregate(m=Min("due_at"))["m"]
    levels = service_levels()
    anchor = _anchor(item)
    item.due_at = earliest or anchor + NO_DEADLINE
    # Near means within near_breach of the deadline, or in the last quarter of a shorter window
    # (else every one-hour P1 would be "near" from the moment it arrived).
    item.raised = earliest is not None and earliest - now <= min(
        levels.near_breach, (earliest - anchor) / 4
    )
    item.rank = levels.rank(item.grade) - (1 if item.raised else 0)


def _meet(item: WorkItem, event: str, now: datetime) -> None:
    """Mark deadlines met by `event` ("allocated" or "completed") and move the due time on."""
    met = item.deadlines.filter(met_when=event, met_at__isnull=True).update(met_at=now)
    if met:
        _schedule(item, now)
        item.save(update_fields=["due_at", "rank", "raised"])


# ---- Creating work ---------------------------------------------------------------------------


def do_enqueue(
    actor: Actor,
    kind: str,
    grade: str,
    *,
    report: Report | None = None,
    summary: str = "",
    team: Team | None = None,
    reserved_for: Any = None,
) -> WorkItem:
    """Put a new item on the queue with its service-level deadlines. An item reserved for
    someone is theirs first on their next Get Work (a decision sent back to its operator)."""
    if kind not in KINDS:
        raise ValueError(f"'{kind}' is not a kind of work Peel knows.")
    service_levels().rank(grade)  # an unknown grade fails here, before anything is written
    restricted_to = report.restricted_to_id if report is not None else None
    if team is not None and restricted_to is not None and team.pk != restricted_to:
        raise ValueError("The report is restricted to another team: only that team may work on it.")
    now = timezone.now()
    with transaction.atomic():
        item = WorkItem(
            kind=kind,
            report=report,
            summary=summary[:300],
            grade=grade,
            team=team or _team_for(kind, report),
            reserved_for=reserved_for,
            created_at=now,
            rank=0,
            due_at=now,
        )
        item.save()
        _plan_deadlines(item)
        _schedule(item, now)
        item.save(update_fields=["due_at", "rank", "raised"])
        audit.record(
            actor, "work.enqueued", item,
            after={**item.snapshot(), "summary": item.summary, "deadlines": deadlines_of(item)},
        )  # fmt: skip
    return item


def _team_for(kind: str, report: Report | None) -> Team:
    """The kind's team, unless the report is restricted: then the restricting team, the only
    one whose members may read it."""
    if report is not None and report.restricted_to_id is not None:
        return Team.objects.get(pk=report.restricted_to_id)
    return Team.objects.get(slug=KINDS[kind].team)


def do_enqueue_report(actor: Actor, report: Report, grade: str, summary: str = "") -> WorkItem:
    return do_enqueue(actor, WorkKind.REVIEW_REPORT, grade, report=report, summary=summary)


def deadlines_of(item: WorkItem) -> list[dict[str, object]]:
    return [
        {"name": d.name, "due_at": d.due_at, "met_at": d.met_at, "breached_at": d.breached_at}
        for d in item.deadlines.all()
    ]


# ---- Get Work --------------------------------------------------------------------------------


def current_item(user: Any) -> WorkItem | None:
    """The item this user already holds under a live lease, if any."""
    return WorkItem.objects.held_by(user).order_by("allocated_at").first()


def do_get_work(user: User) -> WorkItem | None:
    """Hand the user the one they already hold, else an item kept for them (a decision sent
    back), else the next item they may work on."""
    if held := current_item(user):
        return held
    kinds = eligible_kinds(user)
    if not kinds:
        raise PermissionError("This account may not be given work.")
    team_ids = list(user.teams.values_list("pk", flat=True))
    if not team_ids:
        raise PermissionError("This account is in no team, so no work is routed to it.")
    if _anything_to_release():
        do_release_expired_leases()
        do_release_parked()
    with write_transaction():
        now = timezone.now()
        candidate_id = _reserved_candidate_id(user) or _best_candidate_id(
            user, [(k, t) for k in kinds for t in team_ids]
        )
        if candidate_id is None:
            return None
        claimed = WorkItem.objects.filter(pk=candidate_id, status=WorkStatus.QUEUED).update(
            status=WorkStatus.ALLOCATED,
            holder=user,
            allocated_at=now,
            lease_expires_at=now + lease_length(),
        )
        if claimed != 1:  # cannot happen under either lock; never hand out a contested row
            return None
        item = WorkItem.objects.select_related("report").get(pk=candidate_id)
        before = {
            **item.snapshot(),
            "status": WorkStatus.QUEUED,
            "holder": None,
            "lease_expires_at": None,
        }
        _meet(item, "allocated", now)
        audit.record(user, "work.allocated", item, before, item.snapshot())
    return item


# Get Work is the hottest path in Peel, so its two lookups are plain SQL: the ORM's query
# building cost more than the indexed queries themselves (measured in bench/getwork.py).
_TABLE = WorkItem._meta.db_table
_REPORTS = Report._meta.db_table
_MEMBERSHIPS = Team.members.through._meta.db_table
# Never hand out an item whose report is restricted to a team the user is not in (the report
# page would refuse them): routing keeps such items with the team, this makes sure of it.
_READABLE = (
    f" AND NOT EXISTS (SELECT 1 FROM {_REPORTS} r WHERE r.id = {_TABLE}.report_id"  # noqa: S608
    " AND r.restricted_to_id IS NOT NULL AND r.restricted_to_id NOT IN"
    f" (SELECT team_id FROM {_MEMBERSHIPS} WHERE user_id = %s))"
)
_HEAD_OF_QUEUE = (
    f"SELECT id, rank, due_at, created_at FROM {_TABLE}"  # noqa: S608 - constant table name
    " WHERE status = 'queued' AND kind = %s AND team_id = %s AND reserved_for_id IS NULL"
    + _READABLE
    + " ORDER BY rank, due_at, created_at, id LIMIT 1"
)
_RESERVED = (
    f"SELECT id FROM {_TABLE} WHERE reserved_for_id = %s AND status = 'queued'"  # noqa: S608
    + _READABLE
    + " ORDER BY rank, due_at, id LIMIT 1"
)
_DUE_FOR_RELEASE = (
    f"SELECT 1 FROM {_TABLE} WHERE status = 'allocated' AND lease_expires_at < %s"  # noqa: S608
    f" UNION ALL SELECT 1 FROM {_TABLE} WHERE status = 'parked' AND follow_up_at <= %s LIMIT 1"
)


def _anything_to_release() -> bool:
    """Cheap check before the release sweeps, which lock and audit row by row."""
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(_DUE_FOR_RELEASE, [now, now])
        return cursor.fetchone() is not None


def _reserved_candidate_id(user: Any) -> int | None:
    """An item kept for this user (rare, and read by the reserved_for index)."""
    with connection.cursor() as cursor:
        cursor.execute(_RESERVED + skip_locked(), [user.pk, user.pk])
        row = cursor.fetchone()
    return row[0] if row else None


def _best_candidate_id(user: Any, queues: list[tuple[str, int]]) -> int | None:
    """Lock the head of each (kind, team) queue the user serves and take the best of them.

    One indexed LIMIT 1 per queue is cheaper than one query over several kinds, which cannot
    read the index in order. On PostgreSQL each head is locked with SKIP LOCKED, so concurrent
    claimers pass over each other's rows; the heads not taken are unlocked when the transaction
    ends. SQLite's IMMEDIATE transaction already excludes every other writer.
    """
    lock = skip_locked()
    heads = []
    with connection.cursor() as cursor:
        for kind, team_id in queues:
            cursor.execute(_HEAD_OF_QUEUE + lock, [kind, team_id, user.pk])
            if row := cursor.fetchone():
                heads.append(row)
    # (rank, due_at, created_at, id): SQLite returns ISO strings, which sort the same way.
    best = min(heads, key=lambda r: (r[1], r[2], r[3], r[0]), default=None)
    return best[0] if best else None


# ---- Releasing work back to the queue --------------------------------------------------------


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
            audit.record(SYSTEM, "work.lease_expired", item, before, item.snapshot())
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
            audit.record(SYSTEM, "work.follow_up_due", item, before, item.snapshot())
            released += 1
    return released


def do_record_breaches(now: datetime | None = None) -> int:
    """Record each deadline that has passed unmet, once, as a breach event."""
    now = now or timezone.now()
    due = list(
        WorkDeadline.objects.filter(
            met_at__isnull=True, breached_at__isnull=True, due_at__lt=now
        ).values_list("id", flat=True)[:1000]
    )
    recorded = 0
    for deadline_id in due:
        with transaction.atomic():
            deadline = WorkDeadline.objects.select_for_update().get(pk=deadline_id)
            if deadline.met_at is not None or deadline.breached_at is not None:
                continue
            deadline.breached_at = now
            deadline.save(update_fields=["breached_at"])
            audit.record(
                SYSTEM, "work.deadline_breached", deadline.item,
                after={"deadline": deadline.name, "due_at": deadline.due_at, "recorded_at": now},
            )  # fmt: skip
            recorded += 1
    return recorded


def do_raise_near_breach(now: datetime | None = None) -> int:
    """Raise open items whose next deadline is near by one rank, so they are handed out sooner."""
    now = now or timezone.now()
    near = list(
        WorkItem.objects.filter(
            status__in=OPEN_STATUSES, raised=False, due_at__lte=now + service_levels().near_breach
        ).values_list("id", flat=True)[:1000]
    )
    raised = 0
    for item_id in near:
        with transaction.atomic():
            item = WorkItem.objects.select_for_update().get(pk=item_id)
            if item.raised or item.status not in OPEN_STATUSES:
                continue
            before = item.snapshot()
            _schedule(item, now)
            if not item.raised:
                continue
            item.save(update_fields=["due_at", "rank", "raised"])
            audit.record(SYSTEM, "work.near_breach", item, before, item.snapshot())
            raised += 1
    return raised


def do_sweep_queue(now: datetime | None = None) -> dict[str, int]:
    """The queue's housekeeping, run by every `peel worker` pass."""
    now = now or timezone.now()
    return {
        "leases_expired": do_release_expired_leases(now),
        "follow_ups_due": do_release_parked(now),
        "breaches_recorded": do_record_breaches(now),
        "raised_near_breach": do_raise_near_breach(now),
    }


# ---- The holder's actions --------------------------------------------------------------------


def do_complete_item(user: User, item: WorkItem) -> None:
    """Close an item the user holds. Call inside the action that did the work."""
    with transaction.atomic():
        locked = _held(user, item.pk)
        before = locked.snapshot()
        now = timezone.now()
        locked.status = WorkStatus.DONE
        locked.completed_at = now
        locked.lease_expires_at = None
        locked.save(update_fields=["status", "completed_at", "lease_expires_at"])
        _meet(locked, "completed", now)
        audit.record(user, "work.completed", locked, before, locked.snapshot())
        item.status, item.completed_at = locked.status, locked.completed_at


def do_complete_task(user: User, item_id: int, note: str) -> WorkItem:
    """Finish an item worked on the general task page, saying what was done."""
    if not note.strip():
        raise ValueError("Say what you did.")
    with transaction.atomic():
        item = _held(user, item_id)
        if item.kind == WorkKind.REVIEW_REPORT:
            raise ValueError("A report review is finished by recording a decision.")
        do_complete_item(user, item)
        audit.record(user, "work.task_note", item, after={"note": note.strip()})
    return item


def _held(user: User, item_id: int) -> WorkItem:
    """The item, locked, if this user holds it under a live lease; else NotYourItem."""
    item = WorkItem.objects.select_for_update().get(pk=item_id)
    if not item.is_held_by(user):
        raise NotYourItem("This work item is no longer allocated to you.")
    return item


def do_heartbeat(user: User, item_id: int) -> WorkItem:
    """The operator's page is open and in use: extend the lease (not audited: not a change of
    who holds what, and it would add an event a minute per operator)."""
    with transaction.atomic():
        item = _held(user, item_id)
        item.lease_expires_at = timezone.now() + lease_length()
        item.save(update_fields=["lease_expires_at"])
    return item


def do_hand_back(user: User, item_id: int, reason: str) -> WorkItem:
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


def do_park(user: User, item_id: int, reason: str, follow_up_at: datetime) -> WorkItem:
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


# ---- The supervisor's actions ----------------------------------------------------------------


def _supervised(supervisor: User, item_id: int, reason: str) -> WorkItem:
    if not supervisor.has_perm("workqueue.supervise_queue"):
        raise PermissionError("Only a supervisor may steer the queue.")
    if not reason.strip():
        raise ValueError("Give a reason: it is kept in the audit log.")
    item = WorkItem.objects.select_for_update().get(pk=item_id)
    if item.status not in OPEN_STATUSES:
        raise ValueError(f"Item {item_id} is already done.")
    return item


def do_return_item(supervisor: User, item_id: int, reason: str) -> WorkItem:
    """A supervisor takes an allocated or parked item and puts it on the queue for anyone."""
    with transaction.atomic():
        item = _supervised(supervisor, item_id, reason)
        if item.status == WorkStatus.QUEUED:
            raise ValueError(f"Item {item_id} is already on the queue.")
        before = item.snapshot()
        item.follow_up_at = None
        item.reserved_for = None  # returned for anyone, even if it was kept for one person
        item.save(update_fields=["reserved_for"])
        _requeue(item)
        audit.record(
            supervisor, "work.returned", item, before, {**item.snapshot(), "reason": reason}
        )
    return item


def do_reassign_item(supervisor: User, item_id: int, to_user: User, reason: str) -> WorkItem:
    """Give an item straight to a named person, who must be allowed to work on it."""
    with transaction.atomic():
        item = _supervised(supervisor, item_id, reason)
        if not may_work_on(to_user, item) or not _may_see_report(to_user, item):
            raise ValueError(
                f"{to_user} may not work on {item.get_kind_display().lower()} items "
                f"for {item.team}: check their roles and teams."
            )
        before = item.snapshot()
        now = timezone.now()
        item.status, item.holder, item.allocated_at = WorkStatus.ALLOCATED, to_user, now
        item.lease_expires_at, item.follow_up_at = now + lease_length(), None
        item.save(
            update_fields=["status", "holder", "allocated_at", "lease_expires_at", "follow_up_at"]
        )
        _meet(item, "allocated", now)
        audit.record(
            supervisor, "work.reassigned", item, before, {**item.snapshot(), "reason": reason}
        )
    return item


def do_escalate_item(supervisor: User, item_id: int, grade: str, reason: str) -> WorkItem:
    """Raise an item's grade: it moves up the queue and takes that grade's deadlines."""
    levels = service_levels()
    with transaction.atomic():
        item = _supervised(supervisor, item_id, reason)
        if levels.rank(grade) >= levels.rank(item.grade):
            raise ValueError(f"{grade} is not higher than the item's grade {item.grade}.")
        _regrade(supervisor, item, grade, "work.escalated", reason)
    return item


def do_route_item(supervisor: User, item_id: int, team: Team, reason: str) -> WorkItem:
    """Send an item to another team's queue (a held item goes back on the queue)."""
    with transaction.atomic():
        item = _supervised(supervisor, item_id, reason)
        if item.team_id == team.pk:
            raise ValueError(f"Item {item_id} is already with {team}.")
        restricted_to = _restricted_team_id(item)
        if restricted_to is not None and restricted_to != team.pk:
            raise ValueError(
                f"Item {item_id}'s report is restricted to another team: only that team may work on it."
            )
        before = item.snapshot()
        item.team = team
        item.save(update_fields=["team"])
        if item.status == WorkStatus.ALLOCATED:
            _requeue(item)
        audit.record(supervisor, "work.routed", item, before, {**item.snapshot(), "reason": reason})
    return item


def do_cancel_report_items(actor: Actor, report: Report, reason: str) -> int:
    """The report's open work is no longer needed (it was merged into another report): close
    each item as cancelled."""
    cancelled = 0
    with transaction.atomic():
        for item in WorkItem.objects.select_for_update().filter(
            report=report, status__in=OPEN_STATUSES
        ):
            _cancel(actor, item, reason)
            cancelled += 1
    return cancelled


def do_cancel_item(actor: Actor, item_id: int, reason: str) -> bool:
    """Close one open item nobody needs to do any more (a robot retried and did it); False if
    it was already closed."""
    with transaction.atomic():
        item = WorkItem.objects.select_for_update().get(pk=item_id)
        if item.status not in OPEN_STATUSES:
            return False
        _cancel(actor, item, reason)
    return True


def _cancel(actor: Actor, item: WorkItem, reason: str) -> None:
    """Its unmet deadlines go with it, so no breach is recorded for work nobody is meant to do;
    the audit event keeps what they were."""
    before = {**item.snapshot(), "deadlines": deadlines_of(item)}
    item.deadlines.filter(met_at__isnull=True).delete()
    item.status, item.holder, item.lease_expires_at = WorkStatus.CANCELLED, None, None
    item.follow_up_at, item.completed_at = None, timezone.now()
    item.save(
        update_fields=["status", "holder", "lease_expires_at", "follow_up_at", "completed_at"]
    )
    audit.record(actor, "work.cancelled", item, before, {**item.snapshot(), "reason": reason})


def do_regrade_report_items(actor: Actor, report: Report, grade: str, reason: str) -> int:
    """Triage re-scored the report: its open review items take the new grade."""
    moved = 0
    with transaction.atomic():
        items = WorkItem.objects.select_for_update().filter(
            report=report, kind=WorkKind.REVIEW_REPORT, status__in=OPEN_STATUSES
        )
        for item in items:
            if item.grade != grade:
                _regrade(actor, item, grade, "work.regraded", reason)
                moved += 1
    return moved


# Event names are literals, so the audit registry's test can see every name this records.
Regrade = Literal["work.escalated", "work.regraded"]


def _regrade(actor: Actor, item: WorkItem, grade: str, action: Regrade, reason: str) -> None:
    before = {**item.snapshot(), "deadlines": deadlines_of(item)}
    item.grade = grade
    _plan_deadlines(item)
    _schedule(item, timezone.now())
    item.save(update_fields=["grade", "due_at", "rank", "raised"])
    after = {**item.snapshot(), "deadlines": deadlines_of(item), "reason": reason}
    audit.record(actor, action, item, before, after)


def _restricted_team_id(item: WorkItem) -> int | None:
    if item.report_id is None:
        return None
    return Report.objects.filter(pk=item.report_id).values_list("restricted_to_id", flat=True)[0]


def _may_see_report(user: Any, item: WorkItem) -> bool:
    """Outside a restricting team a report does not exist: work on it would be stranded."""
    restricted_to = _restricted_team_id(item)
    return restricted_to is None or user.teams.filter(pk=restricted_to).exists()


def do_route_restricted_report_items(actor: Actor, report: Report, reason: str) -> int:
    """The report was restricted to a team: each of its open items goes to that team, the only
    one whose members may read it, and one held or kept for someone outside it goes back on
    that team's queue. One audited event per moved item; returns how many moved."""
    team_id = report.restricted_to_id
    if team_id is None:
        return 0
    member_ids = set(
        Team.members.through.objects.filter(team_id=team_id).values_list("user_id", flat=True)
    )
    moved = 0
    with transaction.atomic():
        for item in WorkItem.objects.select_for_update().filter(
            report=report, status__in=OPEN_STATUSES
        ):
            held_outside = item.status == WorkStatus.ALLOCATED and item.holder_id not in member_ids
            kept_outside = (
                item.reserved_for_id is not None and item.reserved_for_id not in member_ids
            )
            if item.team_id == team_id and not held_outside and not kept_outside:
                continue
            before = item.snapshot()
            item.team_id = team_id
            if kept_outside:
                item.reserved_for = None
            item.save(update_fields=["team", "reserved_for"])
            if held_outside:
                _requeue(item)
            after = {**item.snapshot(), "reason": f"Report restricted: {reason}"}
            if not _anyone_may_do(item, member_ids):
                # Kept with the team all the same (nobody else may read the report): the event
                # says so, for the supervisor who gives someone in the team the role.
                after["no_member_may_do_it"] = True
            audit.record(actor, "work.routed", item, before, after)
            moved += 1
    return moved


def _anyone_may_do(item: WorkItem, member_ids: set[int]) -> bool:
    members = User.objects.filter(pk__in=member_ids, is_active=True)
    return any(m.has_perm(KINDS[item.kind].permission) for m in members)


def _requeue(item: WorkItem) -> None:
    item.status = WorkStatus.QUEUED
    item.holder = None
    item.allocated_at = None
    item.lease_expires_at = None
    item.save(
        update_fields=["status", "holder", "allocated_at", "lease_expires_at", "follow_up_at"]
    )


# ---- Safeguarding referrals: one open referral per report ---------------------------------------


def open_referral(report: Report) -> WorkItem | None:
    """The report's open safeguarding referral (its grade, holder and deadline), if any."""
    return (
        WorkItem.objects.filter(
            report=report, kind=WorkKind.SAFEGUARDING_REFERRAL, status__in=OPEN_STATUSES
        )
        .select_related("holder", "team")
        .first()
    )


def do_refer_to_safeguarding(
    actor: Actor, report: Report, grade: str, summary: str
) -> tuple[WorkItem, bool]:
    """Refer the report to the safeguarding hub, unless a referral is already open: then that
    one stands (raised to `grade` if that is more urgent) and the request is audited on it.
    Returns the referral and whether it is new. Triage and the operator's decision both come
    here; the database's partial unique index (`one_open_referral_per_report`) settles two
    roads arriving at the same moment."""
    with transaction.atomic():
        existing = open_referral(report)
        if existing is None:
            try:
                with transaction.atomic():
                    item = do_enqueue(
                        actor, WorkKind.SAFEGUARDING_REFERRAL, grade, report=report, summary=summary
                    )
                return item, True
            except IntegrityError:  # another road referred it in the same moment
                existing = open_referral(report)
                if existing is None:
                    raise
        existing = WorkItem.objects.select_for_update().get(pk=existing.pk)
        levels = service_levels()
        if levels.rank(grade) < levels.rank(existing.grade):
            _regrade(actor, existing, grade, "work.regraded", f"Referred again: {summary}")
        audit.record(
            actor, "work.referral_already_open", existing,
            after={"requested_grade": grade, "grade": existing.grade, "reason": summary[:300]},
        )  # fmt: skip
    return existing, False


# ---- Someone leaves a team --------------------------------------------------------------------


def do_release_reservations(actor: Actor, user: User, team_ids: set[int]) -> int:
    """Items kept for this person on the queues of teams they have just left go to anyone in
    the team: kept for someone who no longer serves that queue, they would wait forever (or
    reach them from a team they have left)."""
    released = 0
    with transaction.atomic():
        kept = WorkItem.objects.select_for_update().filter(
            reserved_for=user, status=WorkStatus.QUEUED, team_id__in=team_ids
        )
        for item in kept:
            item.reserved_for = None
            item.save(update_fields=["reserved_for"])
            audit.record(
                actor, "work.reservation_released", item,
                {"reserved_for": user.pk}, {"reserved_for": None, "left_team": item.team_id},
            )  # fmt: skip
            released += 1
    return released
