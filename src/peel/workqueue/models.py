"""Work items: the single priority queue that operators and robots draw from with Get Work."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from peel.reports.models import Report


class WorkKind(models.TextChoices):
    REVIEW_REPORT = "review_report", "Review a report"


class WorkStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    ALLOCATED = "allocated", "Allocated"
    PARKED = "parked", "Parked, awaiting information"
    DONE = "done", "Done"


# Which permission lets a user be handed each kind of work (skills come in a later issue).
KIND_PERMISSION = {WorkKind.REVIEW_REPORT: "review.record_decision"}

# Grade code -> queue rank; lower is served first.
GRADE_RANK = {"P1": 1, "P2": 2, "P3": 3, "P4": 4}


class WorkItem(models.Model):
    kind = models.CharField(max_length=30, choices=WorkKind.choices)
    report = models.ForeignKey(
        Report, null=True, blank=True, on_delete=models.PROTECT, related_name="work_items"
    )
    status = models.CharField(max_length=12, choices=WorkStatus.choices, default=WorkStatus.QUEUED)
    grade = models.CharField(max_length=4)
    rank = models.PositiveSmallIntegerField()  # from the grade; the first sort key of Get Work
    due_at = models.DateTimeField()
    created_at = models.DateTimeField()
    holder = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT
    )
    allocated_at = models.DateTimeField(null=True, blank=True)
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    # A parked item returns to the queue at this time (to the front of its grade, by deadline).
    follow_up_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        permissions = [
            ("get_work", "Can press Get Work"),
            ("supervise_queue", "Can see and steer the whole queue"),
        ]
        indexes = [
            # Get Work: next queued item by grade, then deadline, then age.
            models.Index(
                fields=["status", "kind", "rank", "due_at", "created_at", "id"],
                name="workitem_getwork",
            ),
            models.Index(fields=["status", "lease_expires_at"], name="workitem_lease"),
            models.Index(fields=["holder", "status"], name="workitem_holder"),
            models.Index(fields=["status", "follow_up_at"], name="workitem_follow_up"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"

    def snapshot(self) -> dict[str, object]:
        return {
            "status": self.status,
            "holder": self.holder_id,
            "grade": self.grade,
            "due_at": self.due_at,
            "lease_expires_at": self.lease_expires_at,
            "follow_up_at": self.follow_up_at,
        }
