from __future__ import annotations

from django.conf import settings
from django.db import models

from peel.reports.models import Report
from peel.review.choices import CrimeStatus, NextAction, Outcome, Verdict
from peel.workqueue.models import WorkItem


class CrimeRecord(models.Model):
    """A notifiable crime recorded from a report; its number is what the victim is given."""

    report = models.OneToOneField(Report, on_delete=models.PROTECT, related_name="crime")
    # PREFIX-NNNNNNN-YY from the row's id: unique, never reused, no counter table to contend on.
    crime_number = models.CharField(max_length=24, unique=True, null=True, blank=True)
    offence_code = models.CharField(max_length=8)
    offence_description = models.CharField(max_length=200)
    classification = models.CharField(max_length=200)
    flags = models.JSONField(default=list, blank=True)
    status = models.CharField(max_length=10, choices=CrimeStatus.choices)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    recorded_at = models.DateTimeField()

    def __str__(self) -> str:
        return self.crime_number or f"crime record #{self.pk}"


class Decision(models.Model):
    """The operator's crime-recording decision on a report, with what it set in motion.

    Codes and labels from the reference data are copied in, so a later change to the force's
    lists never rewrites a decision. A decision sent back and made again is kept, superseded.
    """

    report = models.ForeignKey(Report, on_delete=models.PROTECT, related_name="decisions")
    work_item = models.OneToOneField(WorkItem, on_delete=models.PROTECT)
    outcome = models.CharField(max_length=30, choices=Outcome.choices)
    rationale = models.TextField(blank=True)
    # For a crime: the Home Office offence and classification, and crime flags.
    offence_code = models.CharField(max_length=8, blank=True)
    offence_description = models.CharField(max_length=200, blank=True)
    classification = models.CharField(max_length=200, blank=True)
    crime_flags = models.JSONField(default=list, blank=True)
    crime = models.ForeignKey(
        CrimeRecord, null=True, blank=True, on_delete=models.PROTECT, related_name="decisions"
    )
    # The incident log (NSIR): opening and closing categories and qualifiers [{code, label}].
    opening_code = models.CharField(max_length=3, blank=True)
    opening_label = models.CharField(max_length=200, blank=True)
    closing_code = models.CharField(max_length=3, blank=True)
    closing_label = models.CharField(max_length=200, blank=True)
    qualifiers = models.JSONField(default=list, blank=True)
    # What the victim is told, in the operator's words (public: shown on the status page).
    victim_message = models.TextField(blank=True)
    actions = models.JSONField(default=list, blank=True)  # NextAction values
    deploy_grade = models.CharField(max_length=8, blank=True)
    action_rationale = models.TextField(blank=True)  # why no further action
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    decided_at = models.DateTimeField()
    # Whether the decision came within the crime-recording clock of the report's receipt.
    within_clock = models.BooleanField(default=True)  # decisions before 0002 are computed there
    superseded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-decided_at", "-id"]
        permissions = [
            ("record_decision", "Can record a crime-recording decision"),
            ("check_quality", "Can sample decisions and send them back"),
        ]
        indexes = [models.Index(fields=["decided_at"], name="decision_decided_at")]

    def __str__(self) -> str:
        return f"{self.report}: {self.get_outcome_display()}"

    @property
    def action_labels(self) -> list[str]:
        return [NextAction(a).label for a in self.actions if a in NextAction.values]


class QualityCheck(models.Model):
    """One decision drawn for a supervisor's quality review."""

    decision = models.OneToOneField(
        Decision, on_delete=models.PROTECT, related_name="quality_check"
    )
    sampled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    sampled_at = models.DateTimeField()
    verdict = models.CharField(max_length=10, choices=Verdict.choices, default=Verdict.PENDING)
    comment = models.TextField(blank=True)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    checked_at = models.DateTimeField(null=True, blank=True)
    # The review item that carries a sent-back decision to its operator.
    sent_back_item = models.OneToOneField(
        WorkItem, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-sampled_at", "-id"]

    def __str__(self) -> str:
        return f"quality check of decision {self.decision_id}"


class ReportMerge(models.Model):
    """A second report of the same incident joined to the one kept; undone by setting undone_at."""

    duplicate = models.ForeignKey(Report, on_delete=models.PROTECT, related_name="merges_out")
    kept = models.ForeignKey(Report, on_delete=models.PROTECT, related_name="merges_in")
    reason = models.TextField()
    merged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    merged_at = models.DateTimeField()
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    undone_at = models.DateTimeField(null=True, blank=True)
    undo_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-merged_at"]

    def __str__(self) -> str:
        return f"report {self.duplicate_id} merged into {self.kept_id}"


class InfoRequest(models.Model):
    """A question to the reporter, shown on their status page, answered there."""

    report = models.ForeignKey(Report, on_delete=models.PROTECT, related_name="info_requests")
    decision = models.ForeignKey(Decision, null=True, blank=True, on_delete=models.PROTECT)
    question = models.TextField()
    asked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    asked_at = models.DateTimeField()
    answer = models.TextField(blank=True)  # the public's words: untrusted, always escaped
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-asked_at"]

    def __str__(self) -> str:
        return f"question on report {self.report_id}"
