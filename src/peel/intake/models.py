from __future__ import annotations

import uuid

from django.db import models

from peel.evidence.models import EvidenceBlob
from peel.reports.choices import Channel
from peel.reports.models import Report


class Submission(models.Model):
    """One submission on any channel: the raw payload and what it became."""

    # The channel's own id (the web form's one-time token, the SDM submissionId): a second
    # delivery with the same id is acknowledged, never stored twice.
    id = models.UUIDField(primary_key=True, default=uuid.uuid4)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    received_at = models.DateTimeField()
    raw = models.ForeignKey(EvidenceBlob, on_delete=models.PROTECT)
    payload = models.JSONField()  # the SDM document every channel is turned into
    # sha256 of the canonical JSON of `payload`: the same id with other content is a conflict.
    content_sha256 = models.CharField(max_length=64, blank=True)
    # What the channel found that the SDM cannot carry: {"flags": [...], "facts": {...}}.
    notes = models.JSONField(default=dict, blank=True)
    # Received but not yet filed: the report is null until a worker files it. A submission that
    # could not be filed says why here (and is held in quarantine) so workers pass it by.
    filing_error = models.CharField(max_length=500, blank=True)
    report = models.OneToOneField(
        Report, null=True, blank=True, on_delete=models.PROTECT, related_name="submission"
    )
    # Filing order for the pipeline worker, from the risk answers at receipt (intake/priority.py).
    priority = models.PositiveSmallIntegerField(default=0)

    class Meta:
        indexes = [
            # The worker's claim: unfiled submissions, riskiest first, then oldest.
            models.Index(
                fields=["-priority", "received_at"],
                name="submission_to_file",
                condition=models.Q(report__isnull=True, filing_error=""),
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} {self.id}"


class QuarantineReason(models.TextChoices):
    INVALID_JSON = "invalid_json", "Not valid JSON"
    INVALID_DOCUMENT = "invalid_document", "Fails the Standard Data Model"
    CONFLICT = "conflict", "Same submission id, different content"
    NOT_A_REPORT = "not_a_report", "Email is not a report"
    MALFORMED_EMAIL = "malformed_email", "Email cannot be read"
    UNREADABLE_ATTACHMENT = "unreadable_attachment", "Attachment cannot be read"
    TOO_LARGE = "too_large", "Too large"
    INTERNAL_ERROR = "internal_error", "Peel failed while processing it"


class QuarantineStatus(models.TextChoices):
    HELD = "held", "Held"
    RELEASED = "released", "Released (filed as a report)"
    DISCARDED = "discarded", "Discarded"


class QuarantineItem(models.Model):
    """Input Peel could not file, kept byte for byte with the exact reason, until retried."""

    channel = models.CharField(max_length=10, choices=Channel.choices)
    # One item per distinct input: re-running a batch after a crash never duplicates it.
    raw = models.OneToOneField(EvidenceBlob, on_delete=models.PROTECT)
    source = models.CharField(max_length=300, blank=True)  # file name, IMAP UID, API client
    received_at = models.DateTimeField()
    reason = models.CharField(max_length=30, choices=QuarantineReason.choices)
    # [{"title", "detail", "source", "field"}]: "field" names what the national form changed.
    problems = models.JSONField(default=list)
    status = models.CharField(
        max_length=10, choices=QuarantineStatus.choices, default=QuarantineStatus.HELD
    )
    attempts = models.PositiveIntegerField(default=1)
    last_attempt_at = models.DateTimeField()
    submission = models.ForeignKey(Submission, null=True, blank=True, on_delete=models.PROTECT)

    class Meta:
        indexes = [models.Index(fields=["status", "received_at"])]
        permissions = [("manage_quarantine", "Can see and retry quarantined input")]

    def __str__(self) -> str:
        return f"Q{self.pk} {self.get_reason_display()}"


class QuarantineArrival(models.Model):
    """Each time the held bytes arrived, by which channel and from where. The same bytes by
    two roads are one item (one thing to fix) but two arrivals (two callers told it was held)."""

    item = models.ForeignKey(QuarantineItem, on_delete=models.CASCADE, related_name="arrivals")
    channel = models.CharField(max_length=10, choices=Channel.choices)
    source = models.CharField(max_length=300, blank=True)
    arrived_at = models.DateTimeField()

    class Meta:
        ordering = ["arrived_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} arrival of Q{self.item_id}"


class ApiClient(models.Model):
    """A caller of the Standard API (the national hub), onboarded with an id and a secret."""

    client_id = models.CharField(max_length=64, unique=True)
    # sha256 of a random 256-bit secret: a slow password hash adds nothing to a random key
    # and would cost every request tens of milliseconds.
    secret_sha256 = models.CharField(max_length=64)
    name = models.CharField(max_length=100)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name
