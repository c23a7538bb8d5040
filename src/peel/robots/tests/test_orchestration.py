"""Leases, retries, the circuit breaker and exactly-once writes, against the real sandbox."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from peel.audit.models import AuditEvent
from peel.process.testing import decided_report
from peel.review.actions import do_record_decision
from peel.review.testing import decision_input
from peel.robots.actions import (
    backoff,
    do_claim_task,
    do_fail_try,
    do_finish_task,
    holds,
)
from peel.robots.choices import AttemptOutcome, BreakerState, TaskStatus
from peel.robots.connectors import TransientFailure
from peel.robots.delivery import Delivered
from peel.robots.models import CircuitBreaker, RobotTask
from peel.robots.targets import Policy
from peel.robots.testing import run_robot_until_idle
from peel.workqueue.actions import do_get_work
from peel.workqueue.models import WorkKind

pytestmark = pytest.mark.django_db


def crimes_by_key(sandbox) -> dict[str, int]:
    counts: dict[str, int] = {}
    for crime in sandbox.state()["crimes"]:
        key = crime["record"]["sourceReference"]
        counts[key] = counts.get(key, 0) + 1
    return counts


def test_failing_requests_are_retried_until_written_once(operator, robot_env, targets_file) -> None:
    targets_file(only=("crime-system",))
    decided_report(operator)
    robot_env.control(fail_next=2)
    assert run_robot_until_idle() == 3
    task = RobotTask.objects.get()
    assert task.status == TaskStatus.DONE and task.attempts == 3
    assert [t.outcome for t in task.tries.all()] == ["transient", "transient", "done"]
    assert "answered 500" in task.tries.first().error
    assert crimes_by_key(robot_env) == {task.idempotency_key: 1}


def test_an_answer_lost_after_the_target_saved_is_not_written_twice(
    operator, robot_env, targets_file
) -> None:
    targets_file(only=("crime-system",), timeout=1)
    decided_report(operator)
    robot_env.control(pause_after_save_ms=1500)  # saved, then no answer within the timeout
    run_robot_until_idle(limit=1)
    task = RobotTask.objects.get()
    assert task.status == TaskStatus.QUEUED and "did not answer in time" in task.last_error
    robot_env.control(pause_after_save_ms=0)
    run_robot_until_idle()
    task.refresh_from_db()
    assert task.status == TaskStatus.DONE
    assert task.tries.last().outcome == AttemptOutcome.ALREADY_THERE
    assert crimes_by_key(robot_env) == {task.idempotency_key: 1}


def test_a_target_that_keeps_failing_opens_its_breaker_and_its_items_wait(
    operator, robot_env, targets_file
) -> None:
    targets_file(only=("crime-system",))
    for _ in range(4):
        decided_report(operator)
    robot_env.stop()  # the crime system is down
    assert run_robot_until_idle() == 3  # the threshold; then nothing more is tried
    breaker = CircuitBreaker.objects.get(target="crime-system")
    assert breaker.state == BreakerState.OPEN and "could not be reached" in breaker.last_error
    assert do_claim_task("another-robot") is None
    assert RobotTask.objects.filter(status=TaskStatus.QUEUED).count() == 4  # none given up
    assert AuditEvent.objects.filter(action="robot.breaker_opened").count() == 1

    # The cool-down ends while the target is still down: the one probe fails and the breaker
    # stays open for twice as long; the probe's failure is not counted against its item.
    CircuitBreaker.objects.update(retry_at=timezone.now() - timedelta(seconds=1))
    assert run_robot_until_idle() == 1
    breaker.refresh_from_db()
    assert breaker.state == BreakerState.OPEN and breaker.cooldown_seconds == 7200
    probe = RobotTask.objects.order_by("-tries__started_at").first()
    assert probe.failures == probe.attempts - 1

    # Recovery: the target is back, the next probe succeeds, everything is written once.
    robot_env.start()
    CircuitBreaker.objects.update(retry_at=timezone.now() - timedelta(seconds=1))
    assert run_robot_until_idle() == 4
    breaker.refresh_from_db()
    assert breaker.state == BreakerState.CLOSED and breaker.consecutive_failures == 0
    assert AuditEvent.objects.filter(action="robot.breaker_probing").count() == 2
    assert AuditEvent.objects.filter(action="robot.breaker_closed").count() == 1
    assert set(RobotTask.objects.values_list("status", flat=True)) == {TaskStatus.DONE}
    keys = set(RobotTask.objects.values_list("idempotency_key", flat=True))
    assert crimes_by_key(robot_env) == dict.fromkeys(keys, 1)


def test_a_task_out_of_tries_goes_to_a_person(operator, robot_env, targets_file) -> None:
    targets_file(only=("crime-system",), extra="")
    decided_report(operator)
    robot_env.control(down=True)  # 503s; the breaker threshold (3) is below max_attempts (4)
    CircuitBreaker.objects.create(target="crime-system")  # closed
    for _ in range(4):
        run_robot_until_idle(limit=1)
        CircuitBreaker.objects.update(
            state=BreakerState.CLOSED, consecutive_failures=0, retry_at=None
        )
    task = RobotTask.objects.get()
    assert task.status == TaskStatus.FAILED and task.attempts == 4
    assert "answered 503" in task.last_error and "tried 4 times" in task.last_error
    assert task.manual_item.kind == WorkKind.MANUAL_TRANSPOSITION


def test_backoff_doubles_up_to_the_cap_with_jitter() -> None:
    policy = Policy(retry_base_seconds=10, retry_cap_seconds=60)
    for failures, ceiling in [(1, 10), (2, 20), (3, 40), (4, 60), (9, 60)]:
        delays = {backoff(policy, failures).total_seconds() for _ in range(20)}
        assert all(ceiling / 2 <= d <= ceiling for d in delays)
        assert len(delays) > 1  # jittered


def test_a_lapsed_lease_is_reclaimed_once_and_the_first_worker_may_no_longer_write(
    operator, robot_env, targets_file
) -> None:
    targets_file(only=("crime-system",))
    decided_report(operator)
    first = do_claim_task("robot-a")
    RobotTask.objects.update(lease_expires_at=timezone.now() - timedelta(seconds=1))
    assert not holds(first.pk, "robot-a")
    second = do_claim_task("robot-b")
    assert second.pk == first.pk and second.holder == "robot-b"
    assert do_claim_task("robot-c") is None  # reclaimed once, not twice
    assert [(t.worker, t.outcome) for t in second.tries.all()] == [
        ("robot-a", AttemptOutcome.LOST), ("robot-b", AttemptOutcome.RUNNING),
    ]  # fmt: skip
    # robot-a wakes up and reports: it changes nothing about the task robot-b holds.
    do_finish_task(first.pk, "robot-a", Delivered(ref="1", verified=["key"], wrote=True))
    do_fail_try(first.pk, "robot-a", TransientFailure("late"))
    second.refresh_from_db()
    assert second.status == TaskStatus.RUNNING and second.holder == "robot-b"
    assert AuditEvent.objects.filter(action="robot.reclaimed").count() == 1


def test_a_task_that_keeps_losing_its_workers_ends_with_a_person(
    operator, robot_env, targets_file
) -> None:
    targets_file(only=("crime-system",))
    decided_report(operator)
    for n in range(4):
        claimed = do_claim_task(f"robot-{n}")
        if claimed is None:
            break
        RobotTask.objects.update(lease_expires_at=timezone.now() - timedelta(seconds=1))
    assert do_claim_task("robot-last") is None
    task = RobotTask.objects.get()
    assert task.status == TaskStatus.FAILED and "stopped renewing its lease" in task.last_error
    assert task.manual_item is not None


def test_a_superseded_decision_s_unstarted_tasks_are_cancelled(
    operator, supervisor, robot_env, targets_file
) -> None:
    from peel.review.actions import do_send_back
    from peel.review.models import QualityCheck

    targets_file(only=("crime-system",))
    decision = decided_report(operator)
    check = QualityCheck.objects.create(
        decision=decision, sampled_by=supervisor, sampled_at=timezone.now()
    )
    do_send_back(supervisor, check.pk, "This was a burglary, not a theft.")
    item = do_get_work(operator)
    do_record_decision(operator, item, decision_input(offence_code="28E"))
    statuses = dict(RobotTask.objects.values_list("decision_id", "status"))
    assert statuses[decision.pk] == TaskStatus.CANCELLED
    assert list(statuses.values()).count(TaskStatus.QUEUED) == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_workers_never_claim_the_same_task(operator, targets_file) -> None:
    targets_file(only=("performance-return",))
    decision = decided_report(operator)
    template = RobotTask.objects.get()
    now = timezone.now()
    RobotTask.objects.bulk_create(
        RobotTask(
            target="performance-return", report=decision.report, decision_id=decision.pk,
            idempotency_key=f"K{i}", fields=template.fields, next_attempt_at=now, created_at=now,
        )
        for i in range(40)
    )  # fmt: skip
    claimed: list[int] = []
    barrier = threading.Barrier(4)

    def claim(name: str) -> None:
        barrier.wait()
        try:
            while (task := do_claim_task(name)) is not None:
                claimed.append(task.pk)
        finally:
            connection.close()

    threads = [threading.Thread(target=claim, args=(f"robot-{i}",)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(claimed) == 41 and len(set(claimed)) == 41
