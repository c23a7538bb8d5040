from __future__ import annotations

from django.conf import settings
from django.db import models

from peel.reports.models import Report


class RuleSetStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    ACTIVE = "active", "In use"
    RETIRED = "retired", "Retired"


class RuleSetVersion(models.Model):
    """One version of a triage rule set, as TOML. A saved version is never edited: a change is a
    new version, so every assessment can be traced to the exact rules that made it."""

    name = models.CharField(max_length=40)
    version = models.CharField(max_length=40)
    source = models.TextField()
    sha256 = models.CharField(max_length=64)
    status = models.CharField(
        max_length=10, choices=RuleSetStatus.choices, default=RuleSetStatus.DRAFT
    )
    created_at = models.DateTimeField()
    # Null when Peel installed its shipped rule set.
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    activated_at = models.DateTimeField(null=True, blank=True)
    activated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        permissions = [("manage_rules", "Can propose, preview and switch on triage rule sets")]
        constraints = [
            models.UniqueConstraint(fields=["name", "version"], name="ruleset_version_unique"),
            models.UniqueConstraint(
                fields=["status"], condition=models.Q(status="active"), name="one_active_ruleset"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.version}"


class Assessment(models.Model):
    """One scoring of a report, with the rule-set version, the facts it read and why it ran."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="assessments")
    assessed_at = models.DateTimeField()
    reason = models.CharField(max_length=200, default="Report filed")
    previous = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    ruleset_name = models.CharField(max_length=40)
    ruleset_version = models.CharField(max_length=40)
    score = models.IntegerField()
    grade = models.CharField(max_length=4)
    grade_label = models.CharField(max_length=40)
    factors = models.JSONField()  # [{"fact", "points", "sentence", "thrive", ...}], in rule order
    thrive = models.JSONField(default=dict)  # heading -> {"level", "points", "reasons"}
    referral_grade = models.CharField(max_length=8, blank=True)  # RAG, when a referral is due
    facts = models.JSONField()

    class Meta:
        ordering = ["-assessed_at", "-id"]
        get_latest_by = "assessed_at"
        indexes = [models.Index(fields=["report", "-assessed_at", "-id"], name="assessment_latest")]

    def __str__(self) -> str:
        return f"{self.report} {self.grade} ({self.score})"


class DashAnswer(models.TextChoices):
    YES = "yes", "Yes"
    NO = "no", "No"
    NOT_KNOWN = "not_known", "Not known"


class DashAssessment(models.Model):
    """A DASH risk identification checklist completed for a report (see triage/dash.py)."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="dash_assessments")
    answers = models.JSONField()  # question key -> "yes" | "no" | "not_known"
    yes_count = models.PositiveSmallIntegerField()
    risk = models.CharField(max_length=10)  # standard | medium | high, from the count
    professional_judgement_high = models.BooleanField(default=False)
    rationale = models.TextField(blank=True)
    completed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    completed_at = models.DateTimeField()

    class Meta:
        ordering = ["-completed_at", "-id"]
        permissions = [("record_dash", "Can record a DASH risk assessment")]

    def __str__(self) -> str:
        return f"DASH for {self.report}: {self.yes_count} yes ({self.risk})"
