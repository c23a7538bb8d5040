"""Work items: the single priority queue that operators and robots draw from with Get Work."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone

from peel.accounts.models import Team
from peel.reports.models import Report


class WorkKind(models.TextChoices):
    REVIEW_REPORT = "review_report", "Review a report"
    MANUAL_TRANSPOSITION = "manual_transposition", "Manual transposition"
    LINK_REVIEW = "link_review", "Link review"
    SAFEGUARDING_REFERRAL = "safeguarding_referral", "Safeguarding referral"
    RETENTION_REVIEW = "retention_review", "Retention review"
    DEPLOYMENT = "deployment", "Deploy an officer"
    CRIME_INVESTIGATION = "crime_investigation", "Allocate a recorded crime"


class WorkStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    ALLOCATED = "allocated", "Allocated"
    PARKED = "parked", "Parked, awaiting information"
    DONE = "done", "Done"
    CANCELLED = "cancelled", "Cancelled, not needed"


class WorkItemQuerySet(models.QuerySet["WorkItem"]):
    def held_by(self, user: Any, now: datetime | None = None) -> WorkItemQuerySet:
        """The one definition of "this person holds this item": allocated to them under a
        lease that has not run out. Actions, views and the access grant all use it."""
        if getattr(user, "pk", None) is None:  # anonymous: holds nothing
            return self.none()
        return self.filter(
            status=WorkStatus.ALLOCATED,
            holder_id=user.pk,
            lease_expires_at__gte=now or timezone.now(),
        )


class WorkItem(models.Model):
    kind = models.CharField(max_length=30, choices=WorkKind.choices)
    report = models.ForeignKey(
        Report, null=True, blank=True, on_delete=models.PROTECT, related_name="work_items"
    )
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="work_items")
    # What the task is, for kinds that are not simply "review this report".
    summary = models.CharField(max_length=300, blank=True)
    status = models.CharField(max_length=12, choices=WorkStatus.choices, default=WorkStatus.QUEUED)
    grade = models.CharField(max_length=8)
    # The first sort key of Get Work: the grade's rank, one less while a deadline is near.
    rank = models.SmallIntegerField()
    raised = models.BooleanField(default=False)  # risen one rank because a deadline is near
    due_at = models.DateTimeField()  # the earliest deadline not yet met
    created_at = models.DateTimeField()
    holder = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT
    )
    allocated_at = models.DateTimeField(null=True, blank=True)
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    # Only this person is handed the item (a decision sent back to the operator who made it).
    reserved_for = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reserved_items",
    )
    # A parked item returns to the queue at this time (to the front of its grade, by deadline).
    follow_up_at = models.DateTimeField(null=True, blank=True)

    objects = WorkItemQuerySet.as_manager()

    class Meta:
        permissions = [
            ("get_work", "Can press Get Work"),
            ("supervise_queue", "Can see and steer the whole queue"),
            ("work_transposition", "Can re-key what a robot could not"),
            ("work_link_review", "Can confirm or reject suggested links"),
            ("work_safeguarding", "Can research and rate safeguarding referrals"),
            ("work_retention", "Can review records due for retention review"),
            ("work_deployment", "Can despatch officers to reports"),
            ("work_investigation", "Can allocate recorded crimes to investigators"),
        ]
        indexes = [
            # Get Work: next queued item of one kind and team by rank, then deadline, then age.
            models.Index(
                fields=["status", "kind", "team", "rank", "due_at", "created_at", "id"],
                name="workitem_getwork",
            ),
            models.Index(fields=["status", "due_at"], name="workitem_due"),
            models.Index(fields=["status", "lease_expires_at"], name="workitem_lease"),
            models.Index(fields=["holder", "status"], name="workitem_holder"),
            models.Index(fields=["status", "follow_up_at"], name="workitem_follow_up"),
            models.Index(fields=["reserved_for", "status"], name="workitem_reserved"),
        ]
        constraints = [
            # Whichever road refers a report (triage, the operator's decision), the hub gets one
            # open referral for it: see actions.do_refer_to_safeguarding.
            models.UniqueConstraint(
                fields=["report"],
                condition=models.Q(
                    kind="safeguarding_referral", status__in=["queued", "allocated", "parked"]
                ),
                name="one_open_referral_per_report",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"

    def is_held_by(self, user: Any, now: datetime | None = None) -> bool:
        """`WorkItem.objects.held_by` for a row already in hand (no query)."""
        return (
            self.status == WorkStatus.ALLOCATED
            and user is not None
            and self.holder_id is not None
            and self.holder_id == getattr(user, "pk", None)
            and self.lease_expires_at is not None
            and self.lease_expires_at >= (now or timezone.now())
        )

    def snapshot(self) -> dict[str, object]:
        return {
            "status": self.status,
            "holder": self.holder_id,
            "grade": self.grade,
            "rank": self.rank,
            "raised": self.raised,
            "team": self.team_id,
            "reserved_for": self.reserved_for_id,
            "due_at": self.due_at,
            "lease_expires_at": self.lease_expires_at,
            "follow_up_at": self.follow_up_at,
        }


class WorkDeadline(models.Model):
    """One service-level deadline of a work item; a breach is recorded here and in the audit log."""

    item = models.ForeignKey(WorkItem, on_delete=models.CASCADE, related_name="deadlines")
    name = models.CharField(max_length=80)
    met_when = models.CharField(max_length=12)  # "allocated" or "completed"
    due_at = models.DateTimeField()
    met_at = models.DateTimeField(null=True, blank=True)
    breached_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_at", "id"]
        indexes = [
            # The breach sweep: unmet, unrecorded deadlines by due time.
            models.Index(
                fields=["due_at"],
                name="deadline_open",
                condition=models.Q(met_at__isnull=True, breached_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} by {self.due_at:%Y-%m-%d %H:%M}"
