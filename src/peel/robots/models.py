"""Robot tasks: one record to write into one downstream system, with every try kept.

A task is created in the same transaction as the decision it carries, holds a snapshot of the
fields to write (a retry writes exactly what the first try would have), and is claimed by one
robot worker at a time under a lease that the worker's heartbeat renews.
"""

from __future__ import annotations

from django.db import models

from peel.evidence.models import EvidenceBlob
from peel.reports.models import Report
from peel.robots.choices import AttemptOutcome, BreakerState, TaskStatus
from peel.workqueue.models import WorkItem


class RobotTask(models.Model):
    target = models.CharField(max_length=40)  # a [[target]] name in the robot targets file
    report = models.ForeignKey(Report, on_delete=models.PROTECT, related_name="robot_tasks")
    # The review decision carried, by id: robots do not import review (robots 0004 kept the
    # column and dropped only the foreign key constraint; decisions are never deleted).
    decision_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    # The decided work's grade: a manual transposition item, if robots give up, gets the same.
    grade = models.CharField(max_length=8, default="P3")
    # Written into the downstream record and looked for before every write, so a retried task
    # finds its own earlier write instead of making a second record.
    idempotency_key = models.CharField(max_length=40)
    fields = models.JSONField()  # the canonical record's values to write, fixed at creation
    status = models.CharField(max_length=10, choices=TaskStatus.choices, default=TaskStatus.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)  # tries started
    failures = models.PositiveSmallIntegerField(default=0)  # tries counted against max_attempts
    next_attempt_at = models.DateTimeField()
    holder = models.CharField(max_length=80, blank=True)  # the worker: host:pid:thread
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    is_probe = models.BooleanField(default=False)  # the one try a half-open breaker lets through
    last_error = models.TextField(blank=True)
    downstream_ref = models.CharField(max_length=200, blank=True)  # the record's id over there
    verified_fields = models.JSONField(default=list, blank=True)
    manual_item = models.OneToOneField(
        WorkItem, null=True, blank=True, on_delete=models.PROTECT, related_name="robot_task"
    )
    created_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        permissions = [
            ("view_robots", "Can see the robots page and failed robot tasks"),
            ("manage_robots", "Can retry failed robot tasks and hand them to people"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["target", "idempotency_key"], name="one_task_per_key")
        ]
        indexes = [
            models.Index(fields=["status", "next_attempt_at", "id"], name="robottask_claim"),
            models.Index(fields=["status", "lease_expires_at"], name="robottask_lease"),
            models.Index(fields=["target", "status"], name="robottask_target"),
            models.Index(fields=["finished_at"], name="robottask_finished"),
        ]

    def __str__(self) -> str:
        return f"robot task {self.pk} ({self.target}, {self.idempotency_key})"

    def snapshot(self) -> dict[str, object]:
        return {
            "status": self.status,
            "attempts": self.attempts,
            "failures": self.failures,
            "holder": self.holder,
            "next_attempt_at": self.next_attempt_at,
            "last_error": self.last_error,
            "downstream_ref": self.downstream_ref,
        }


class RobotAttempt(models.Model):
    """One try at a task: who, how long, what happened, and the evidence of a failure."""

    task = models.ForeignKey(RobotTask, on_delete=models.CASCADE, related_name="tries")
    number = models.PositiveSmallIntegerField()
    worker = models.CharField(max_length=80)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(
        max_length=14, choices=AttemptOutcome.choices, default=AttemptOutcome.RUNNING
    )
    error = models.TextField(blank=True)
    fields_written = models.PositiveSmallIntegerField(default=0)
    fields_verified = models.PositiveSmallIntegerField(default=0)
    screenshot = models.ForeignKey(
        EvidenceBlob, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    page_html = models.ForeignKey(
        EvidenceBlob, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["task", "number"]
        constraints = [
            models.UniqueConstraint(fields=["task", "number"], name="one_attempt_per_number")
        ]
        indexes = [models.Index(fields=["finished_at"], name="robotattempt_finished")]

    def __str__(self) -> str:
        return f"try {self.number} of task {self.task_id}"


class CircuitBreaker(models.Model):
    """Per downstream system, shared by every worker on every host (it lives in the database)."""

    target = models.CharField(max_length=40, unique=True)
    state = models.CharField(
        max_length=10, choices=BreakerState.choices, default=BreakerState.CLOSED
    )
    consecutive_failures = models.PositiveIntegerField(default=0)
    opened_at = models.DateTimeField(null=True, blank=True)
    # While open: no task for the target is claimed before this; then one probe is let through.
    retry_at = models.DateTimeField(null=True, blank=True)
    cooldown_seconds = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)

    def __str__(self) -> str:
        return f"{self.target}: {self.state}"


class RobotWorker(models.Model):
    """A running robot worker thread, seen by its heartbeat (for the robots page). What it is
    working on is not kept here: it is the running task whose holder it is."""

    name = models.CharField(max_length=80, unique=True)  # host:pid:thread
    started_at = models.DateTimeField()
    last_seen_at = models.DateTimeField()
    stopped_at = models.DateTimeField(null=True, blank=True)
    # A thread that died (an exception escaped it): what killed it, when, and how many times
    # its supervisor has started it again.
    last_failure = models.TextField(blank=True)
    last_failure_at = models.DateTimeField(null=True, blank=True)
    restarts = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return self.name
