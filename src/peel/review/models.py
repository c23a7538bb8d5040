from __future__ import annotations

from django.conf import settings
from django.db import models

from peel.reports.models import Report
from peel.review.choices import Outcome
from peel.workqueue.models import WorkItem


class Decision(models.Model):
    """The operator's crime-recording decision on a report."""

    report = models.ForeignKey(Report, on_delete=models.PROTECT, related_name="decisions")
    work_item = models.OneToOneField(WorkItem, on_delete=models.PROTECT)
    outcome = models.CharField(max_length=30, choices=Outcome.choices)
    rationale = models.TextField(blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    decided_at = models.DateTimeField()

    class Meta:
        ordering = ["-decided_at"]
        permissions = [("record_decision", "Can record a crime-recording decision")]

    def __str__(self) -> str:
        return f"{self.report}: {self.get_outcome_display()}"
