from __future__ import annotations

from django.db import models

from peel.reports.models import Report


class Assessment(models.Model):
    """One scoring of a report, with the rule-set version and the facts it read."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="assessments")
    assessed_at = models.DateTimeField()
    ruleset_name = models.CharField(max_length=40)
    ruleset_version = models.CharField(max_length=40)
    score = models.IntegerField()
    grade = models.CharField(max_length=4)
    grade_label = models.CharField(max_length=40)
    factors = models.JSONField()  # [{"fact", "points", "sentence"}], in rule order
    facts = models.JSONField()

    class Meta:
        ordering = ["-assessed_at", "-id"]
        get_latest_by = "assessed_at"

    def __str__(self) -> str:
        return f"{self.report} {self.grade} ({self.score})"
