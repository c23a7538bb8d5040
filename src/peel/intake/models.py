from __future__ import annotations

import uuid

from django.db import models

from peel.reports.choices import Channel
from peel.reports.models import Report


class EvidenceBlob(models.Model):
    """Raw bytes as received, stored once under their sha256 (see evidence.py)."""

    sha256 = models.CharField(max_length=64, primary_key=True)
    size = models.PositiveBigIntegerField()
    content_type = models.CharField(max_length=100)
    stored_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.sha256


class Submission(models.Model):
    """One submission on any channel: the raw payload and what it became."""

    # The channel's own id (the web form's one-time token, the SDM submissionId): a second
    # delivery with the same id is acknowledged, never stored twice.
    id = models.UUIDField(primary_key=True, default=uuid.uuid4)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    received_at = models.DateTimeField()
    raw = models.ForeignKey(EvidenceBlob, on_delete=models.PROTECT)
    payload = models.JSONField()
    report = models.OneToOneField(
        Report, null=True, blank=True, on_delete=models.PROTECT, related_name="submission"
    )

    def __str__(self) -> str:
        return f"{self.get_channel_display()} {self.id}"
