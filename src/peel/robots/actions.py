"""Every change to a robot task, each atomic and audited.

Claiming works like Get Work: on PostgreSQL the candidate row is locked with
`FOR UPDATE SKIP LOCKED`, so workers on any number of hosts each take a different task; on
SQLite the IMMEDIATE transaction serialises claimers. A task whose worker stopped renewing its
lease is reclaimed by the next claimer, once (the claim is a conditional update).
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from peel.accounts.models import User
from peel.audit import log as audit
from peel.audit.actors import ROBOT_SUPERVISOR, ROBOTS, Actor, Robot, robot_worker
from peel.core.db import skip_locked, write_transaction
from peel.evidence.actions import record_blob
from peel.evidence.models import EvidenceBlob
from peel.evidence.store import store_bytes
from peel.robots.choices import AttemptOutcome, BreakerState, TaskStatus
from peel.robots.connectors import NotVerified, PermanentFailure, RobotFailure
from peel.robots.delivery import Delivered
from peel.robots.models import CircuitBreaker, RobotAttempt, RobotTask, RobotWorker
from peel.robots.record import DecisionRecord, canonical_record, idempotency_key
from peel.robots.targets import Policy, TargetError, robot_targets
from peel.workqueue.actions import (
    do_cancel_item,
    do_complete_task,
    do_enqueue,
    do_reassign_item,
)
from peel.workqueue.models import WorkItem, WorkKind, WorkStatus

OPEN = (TaskStatus.QUEUED, TaskStatus.RUNNING)


def lease_length() -> timedelta:
    return timedelta(seconds=float(settings.PEEL["ROBOT_LEASE_SECONDS"]))


def _actor(worker: str) -> Robot:
    return robot_worker(worker)


def _policy(target: str) -> Policy:
    try:
        return robot_targets().get(target).policy
    except TargetError:
        return Policy()


# ---- Creating tasks --------------------------------------------------------------------------


def do_enqueue_robot_tasks(actor: Actor, decision: DecisionRecord) -> list[RobotTask]:
    """One task per target that wants this decision, created in the decision's transaction so
    a recorded decision is never left without its robot work. Tasks of the decision it
    supersedes that have not started are cancelled: only the latest decision is carried.
    Review hands over the decision as ids and values (review/robot_handover.py)."""
    wanted = robot_targets().wanted(is_crime=decision.is_crime)
    now = timezone.now()
    with transaction.atomic():
        for stale in RobotTask.objects.select_for_update().filter(
            report=decision.report, status=TaskStatus.QUEUED, attempts=0
        ):
            before = stale.snapshot()
            stale.status, stale.finished_at = TaskStatus.CANCELLED, now
            stale.save(update_fields=["status", "finished_at"])
            audit.record(
                actor, "robot.cancelled", stale, before,
                {**stale.snapshot(), "reason": f"superseded by decision {decision.decision_id}"},
            )  # fmt: skip
        if not wanted:
            return []
        values = canonical_record(decision)
        tasks = [
            RobotTask.objects.create(
                target=target.name,
                report=decision.report,
                decision_id=decision.decision_id,
                grade=decision.grade,
                idempotency_key=idempotency_key(decision),
                fields=values,
                next_attempt_at=now,
                created_at=now,
            )
            for target in wanted
        ]
        for task in tasks:
            audit.record(actor, "robot.enqueued", task, after={"target": task.target})
    return tasks


# ---- Claiming --------------------------------------------------------------------------------

_TABLE = RobotTask._meta.db_table
_QUEUED = (
    f"SELECT id FROM {_TABLE} WHERE status = 'queued' AND next_attempt_at <= %s {{exclude}}"  # noqa: S608
    " ORDER BY next_attempt_at, id LIMIT 1"
)
_LEASE_LAPSED = (
    f"SELECT id FROM {_TABLE} WHERE status = 'running' AND lease_expires_at < %s {{exclude}}"  # noqa: S608
    " ORDER BY lease_expires_at, id LIMIT 1"
)


def _candidate(now: datetime, blocked: list[str]) -> int | None:
    """A task whose worker went quiet first (it has waited longest), else the next queued."""
    params: list[datetime | str] = [now, *blocked]
    exclude = f"AND target NOT IN ({', '.join(['%s'] * len(blocked))})" if blocked else ""
    with connection.cursor() as cursor:
        for query in (_LEASE_LAPSED, _QUEUED):
            cursor.execute(query.format(exclude=exclude) + skip_locked(), params)
            if row := cursor.fetchone():
                return int(row[0])
    return None


def do_claim_task(worker: str) -> RobotTask | None:
    """Take the next task this worker may run, or None. Targets whose breaker is open are
    passed over until their cool-down ends; then one task goes through as the probe."""
    for _ in range(3):  # a reclaimed task that has failed too often is closed, not run
        with write_transaction():
            now = timezone.now()
            breakers = list(CircuitBreaker.objects.exclude(state=BreakerState.CLOSED))
            blocked = [b.target for b in breakers if b.retry_at and b.retry_at > now]
            task_id = _candidate(now, blocked)
            if task_id is None:
                return None
            task = RobotTask.objects.get(pk=task_id)
            probing = any(b.target == task.target for b in breakers)
            if probing and not _take_probe(task, now):
                return None  # another worker took the probe a moment ago
            if task.status == TaskStatus.RUNNING and not _reclaim(task, worker, now):
                continue
            before = task.snapshot()
            task.status, task.holder, task.is_probe = TaskStatus.RUNNING, worker, probing
            task.lease_expires_at = now + lease_length()
            task.attempts += 1
            task.save(
                update_fields=["status", "holder", "is_probe", "lease_expires_at", "attempts"]
            )
            RobotAttempt.objects.create(
                task=task, number=task.attempts, worker=worker, started_at=now
            )
            audit.record(_actor(worker), "robot.started", task, before, task.snapshot())
            return task
    return None


def _take_probe(task: RobotTask, now: datetime) -> bool:
    """Half-open the target's breaker for this one task (conditional: one probe at a time)."""
    policy = _policy(task.target)
    hold = timedelta(seconds=policy.timeout_seconds) + lease_length()
    taken = CircuitBreaker.objects.filter(
        target=task.target, state__in=[BreakerState.OPEN, BreakerState.HALF_OPEN], retry_at__lte=now
    ).update(state=BreakerState.HALF_OPEN, retry_at=now + hold)
    if taken != 1:
        return False
    breaker = CircuitBreaker.objects.get(target=task.target)
    audit.record(
        ROBOTS, "robot.breaker_probing", breaker,
        after={"state": breaker.state, "probe": task.pk, "retry_at": breaker.retry_at},
    )  # fmt: skip
    return True


def _reclaim(task: RobotTask, worker: str, now: datetime) -> bool:
    """Close the try whose worker went quiet. False if that was its last allowed try."""
    lost = task.tries.filter(outcome=AttemptOutcome.RUNNING).order_by("-number").first()
    reason = f"Worker {task.holder} stopped renewing its lease; reclaimed by {worker}."
    if lost is not None:
        lost.outcome, lost.finished_at, lost.error = AttemptOutcome.LOST, now, reason
        lost.save(update_fields=["outcome", "finished_at", "error"])
    before = task.snapshot()
    task.failures += 1  # a task that keeps stopping its workers must end with a person
    task.last_error = reason
    task.save(update_fields=["failures", "last_error"])
    audit.record(_actor(worker), "robot.reclaimed", task, before, task.snapshot())
    policy = _policy(task.target)
    if task.failures >= policy.max_attempts:
        _to_person(task, f"{reason} It has failed {task.failures} times.", now)
        return False
    return True


def holds(task_id: int, worker: str) -> bool:
    """The worker still holds the task under a live lease (asked just before writing)."""
    return RobotTask.objects.filter(
        pk=task_id, status=TaskStatus.RUNNING, holder=worker, lease_expires_at__gte=timezone.now()
    ).exists()


def do_renew_lease(task_id: int, worker: str) -> bool:
    """The worker's heartbeat: extend its lease. Not audited (a renewal changes nothing about
    who holds what). False once the task is no longer this worker's."""
    with write_transaction():
        renewed = RobotTask.objects.filter(
            pk=task_id, status=TaskStatus.RUNNING, holder=worker,
            lease_expires_at__gte=timezone.now(),
        ).update(lease_expires_at=timezone.now() + lease_length())  # fmt: skip
    return renewed == 1


# ---- Ending a try ----------------------------------------------------------------------------


def do_finish_task(task_id: int, worker: str, delivered: Delivered) -> RobotTask:
    """Written (or found written) and every field verified."""
    now = timezone.now()
    with write_transaction():
        task = RobotTask.objects.select_for_update().get(pk=task_id)
        attempt = _close_attempt(
            task,
            worker,
            AttemptOutcome.DONE if delivered.wrote else AttemptOutcome.ALREADY_THERE,
            now,
            fields_written=len(delivered.verified) if delivered.wrote else 0,
            fields_verified=len(delivered.verified),
        )
        _breaker_success(task.target)
        if task.status != TaskStatus.RUNNING or task.holder != worker:
            return task  # reclaimed meanwhile: the new holder will find this record and verify
        before = task.snapshot()
        task.status, task.finished_at, task.holder = TaskStatus.DONE, now, ""
        task.lease_expires_at, task.last_error, task.is_probe = None, "", False
        task.downstream_ref, task.verified_fields = delivered.ref, delivered.verified
        task.save()
        audit.record(
            _actor(worker), "robot.written", task, before,
            {**task.snapshot(), "verified": delivered.verified, "wrote": delivered.wrote,
             "try": attempt.number if attempt else None},
        )  # fmt: skip
    return task


def do_fail_try(task_id: int, worker: str, failure: RobotFailure) -> RobotTask:
    """A transient failure is retried later with backoff, until the task's tries run out; a
    permanent one goes to a person now. Either way the evidence is kept with the try."""
    now = timezone.now()
    permanent = isinstance(failure, PermanentFailure)
    screenshot = _evidence(failure.evidence.get("screenshot"), "image/png")
    page_html = _evidence(failure.evidence.get("html"), "text/html")
    with write_transaction():
        task = RobotTask.objects.select_for_update().get(pk=task_id)
        outcome = AttemptOutcome.PERMANENT if permanent else AttemptOutcome.TRANSIENT
        counts = {}
        if isinstance(failure, NotVerified):
            counts = {"fields_written": failure.written, "fields_verified": failure.verified}
        _close_attempt(task, worker, outcome, now, error=failure.reason,
                       screenshot=screenshot, page_html=page_html, **counts)  # fmt: skip
        if not permanent:
            _breaker_failure(task, failure.reason, now)
        if task.status != TaskStatus.RUNNING or task.holder != worker:
            return task
        policy = _policy(task.target)
        before = task.snapshot()
        if not task.is_probe or permanent:  # a failed probe is the target's fault, not the item's
            task.failures += 1
        task.last_error = failure.reason
        task.holder, task.lease_expires_at, task.is_probe = "", None, False
        if permanent or task.failures >= policy.max_attempts:
            task.save()
            why = failure.reason if permanent else f"{failure.reason} (tried {task.attempts} times)"
            _to_person(task, why, now)
        else:
            task.status = TaskStatus.QUEUED
            task.next_attempt_at = now + backoff(policy, task.failures)
            task.save()
        audit.record(_actor(worker), "robot.try_failed", task, before,
                     {**task.snapshot(), "permanent": permanent})  # fmt: skip
    return task


def backoff(policy: Policy, failures: int) -> timedelta:
    """Exponential, capped, with jitter (half fixed, half random) so that tasks failed together
    do not all come back together."""
    ceiling = min(policy.retry_cap_seconds, policy.retry_base_seconds * 2 ** max(0, failures - 1))
    return timedelta(seconds=ceiling / 2 + random.uniform(0, ceiling / 2))  # noqa: S311


def _close_attempt(
    task: RobotTask, worker: str, outcome: str, now: datetime, **values: Any
) -> RobotAttempt | None:
    attempt = task.tries.filter(worker=worker, outcome=AttemptOutcome.RUNNING).last()
    if attempt is None:
        return None
    attempt.outcome, attempt.finished_at = outcome, now
    for name, value in values.items():
        setattr(attempt, name, value)
    attempt.save()
    return attempt


def _evidence(data: bytes | None, content_type: str) -> EvidenceBlob | None:
    if not data:
        return None
    blob = store_bytes(data, content_type)
    record_blob(blob)
    return blob


def _to_person(task: RobotTask, reason: str, now: datetime) -> None:
    """Dead-letter the task and put a manual transposition item on the queue, naming why."""
    task.status, task.finished_at = TaskStatus.FAILED, now
    task.holder, task.lease_expires_at, task.last_error = "", None, reason
    target = robot_targets().targets.get(task.target)
    label = target.label if target else task.target
    item = do_enqueue(
        ROBOTS, WorkKind.MANUAL_TRANSPOSITION, task.grade, report=task.report,
        summary=f"Key {task.report.reference} into {label} by hand: {reason}",
    )  # fmt: skip
    task.manual_item = item
    task.save()
    audit.record(ROBOTS, "robot.handed_to_person", task, after={"reason": reason, "item": item.pk})


# ---- The circuit breaker ---------------------------------------------------------------------


def _breaker_success(target: str) -> None:
    """A write got through: the breaker closes (audited) and its failure count starts again."""
    breaker = (
        CircuitBreaker.objects.select_for_update()
        .filter(target=target)
        .exclude(state=BreakerState.CLOSED, consecutive_failures=0)
        .first()
    )
    if breaker is None:  # the common case: closed, with nothing to forget
        return
    before = breaker.state
    breaker.state, breaker.consecutive_failures = BreakerState.CLOSED, 0
    breaker.opened_at, breaker.retry_at, breaker.cooldown_seconds = None, None, 0
    breaker.save(
        update_fields=["state", "consecutive_failures", "opened_at", "retry_at", "cooldown_seconds"]
    )
    if before != BreakerState.CLOSED:
        audit.record(
            ROBOTS, "robot.breaker_closed", breaker, {"state": before}, {"state": breaker.state}
        )


def _breaker_failure(task: RobotTask, reason: str, now: datetime) -> None:
    policy = _policy(task.target)
    breaker, _ = CircuitBreaker.objects.select_for_update().get_or_create(target=task.target)
    breaker.consecutive_failures += 1
    breaker.last_error = reason
    if task.is_probe and breaker.state != BreakerState.CLOSED:
        cooldown = min(policy.breaker_max_cooldown_seconds, max(breaker.cooldown_seconds, 1) * 2)
        _open(breaker, cooldown, now)
    elif (
        breaker.state == BreakerState.CLOSED
        and breaker.consecutive_failures >= policy.breaker_threshold
    ):
        _open(breaker, policy.breaker_cooldown_seconds, now)
        breaker.opened_at = now
    breaker.save()


def _open(breaker: CircuitBreaker, cooldown: float, now: datetime) -> None:
    before = {"state": breaker.state, "retry_at": breaker.retry_at}
    breaker.state = BreakerState.OPEN
    breaker.cooldown_seconds = int(cooldown)
    breaker.retry_at = now + timedelta(seconds=cooldown)
    audit.record(
        ROBOTS, "robot.breaker_opened", breaker, before,
        {"state": breaker.state, "retry_at": breaker.retry_at, "reason": breaker.last_error},
    )  # fmt: skip


# ---- Supervisors' actions --------------------------------------------------------------------


def _failed(supervisor: User, task_id: int, reason: str) -> RobotTask:
    if not supervisor.has_perm("robots.manage_robots"):
        raise PermissionError("Only a supervisor may retry or reassign robot tasks.")
    if not reason.strip():
        raise ValueError("Give a reason: it is kept in the audit log.")
    task = RobotTask.objects.select_for_update().get(pk=task_id)
    if task.status != TaskStatus.FAILED:
        raise ValueError(f"Robot task {task_id} has not failed.")
    return task


def do_retry_task(supervisor: User, task_id: int, reason: str) -> RobotTask:
    """Give a failed task back to the robots (after the screen map was updated, say). Its
    manual item is cancelled, unless a person has already started or finished it."""
    with transaction.atomic():
        task = _failed(supervisor, task_id, reason)
        item = task.manual_item
        if item is not None and item.status != WorkStatus.QUEUED:
            raise ValueError(
                f"{item.holder or 'A person'} has already taken the manual item {item.pk}; "
                "it cannot be given back to the robots."
            )
        if item is not None:
            do_cancel_item(supervisor, item.pk, f"Robot task {task.pk} retried: {reason}")
        before = task.snapshot()
        task.status, task.failures, task.finished_at = TaskStatus.QUEUED, 0, None
        task.next_attempt_at, task.manual_item = timezone.now(), None
        task.save()
        audit.record(
            supervisor, "robot.retried", task, before, {**task.snapshot(), "reason": reason}
        )
    return task


def do_give_to_person(supervisor: User, task_id: int, person: User, reason: str) -> WorkItem:
    """Hand a failed task's manual item straight to a named person."""
    with transaction.atomic():
        task = _failed(supervisor, task_id, reason)
        if task.manual_item is None:
            raise ValueError(f"Robot task {task_id} has no manual item; retry it instead.")
        return do_reassign_item(supervisor, task.manual_item.pk, person, reason)


def do_complete_transposition(user: User, item_id: int, downstream_ref: str, note: str) -> WorkItem:
    """A person re-keyed what a robot could not: the manual item is done, and the robot task
    records where the record now is."""
    if not downstream_ref.strip():
        raise ValueError("Give the record's reference in the other system.")
    with transaction.atomic():
        item = do_complete_task(user, item_id, note.strip() or f"Keyed as {downstream_ref}")
        task = RobotTask.objects.select_for_update().filter(manual_item=item).first()
        if task is not None:
            before = task.snapshot()
            task.downstream_ref = downstream_ref.strip()[:200]
            task.save(update_fields=["downstream_ref"])
            audit.record(user, "robot.keyed_by_hand", task, before, task.snapshot())
    return item


# ---- Workers ---------------------------------------------------------------------------------


def do_register_worker(name: str) -> None:
    """The worker is alive: shown on the robots page. Not audited."""
    now = timezone.now()
    with write_transaction():
        updated = RobotWorker.objects.filter(name=name).update(last_seen_at=now, stopped_at=None)
        if not updated:
            RobotWorker.objects.create(name=name, started_at=now, last_seen_at=now)


def do_stop_worker(name: str) -> None:
    """The worker stopped cleanly: shown on the robots page. Not audited, like its start."""
    with write_transaction():
        RobotWorker.objects.filter(name=name).update(stopped_at=timezone.now())


def do_worker_died(name: str, failure: str) -> None:
    """A worker thread ended on an exception: keep what killed it (the robots page shows it)."""
    now = timezone.now()
    with write_transaction():
        worker = RobotWorker.objects.select_for_update().filter(name=name).first()
        if worker is None:
            worker = RobotWorker.objects.create(name=name, started_at=now, last_seen_at=now)
        before = {"stopped_at": worker.stopped_at, "last_failure_at": worker.last_failure_at}
        worker.stopped_at, worker.last_failure_at = now, now
        worker.last_failure = failure[-4000:]  # the end of a traceback says the most
        worker.save(update_fields=["stopped_at", "last_failure_at", "last_failure"])
        after = {"stopped_at": now, "last_failure_at": now, "failure": failure[-500:]}
        audit.record(_actor(name), "robot.worker_died", worker, before, after)


def do_restart_worker(name: str) -> None:
    """The supervisor started a dead worker thread again under the same name."""
    now = timezone.now()
    with write_transaction():
        worker = RobotWorker.objects.select_for_update().filter(name=name).first()
        if worker is None:
            worker = RobotWorker.objects.create(name=name, started_at=now, last_seen_at=now)
        before = {"restarts": worker.restarts, "stopped_at": worker.stopped_at}
        worker.restarts += 1
        worker.stopped_at, worker.last_seen_at = None, now
        worker.save(update_fields=["restarts", "stopped_at", "last_seen_at"])
        audit.record(
            ROBOT_SUPERVISOR, "robot.worker_restarted", worker, before,
            {"restarts": worker.restarts, "stopped_at": None},
        )  # fmt: skip
