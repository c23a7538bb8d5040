"""An outbox: every email Peel sends is first a row written in the same transaction as the change
that causes it, so a crash or a mail server that is down delays a message but never loses it."""

from __future__ import annotations

from django.db import models


class EmailStatus(models.TextChoices):
    PENDING = "pending", "Waiting to send"
    SENT = "sent", "Sent"
    FAILED = "failed", "Gave up"
    WITHHELD = "withheld", "Withheld: not safe to send"


class OutboundEmail(models.Model):
    to = models.EmailField(max_length=120)
    subject = models.CharField(max_length=200)
    body = models.TextField()
    purpose = models.CharField(max_length=40)  # "receipt", later "partner notification", ...
    object_type = models.CharField(max_length=60)  # what it is about, e.g. reports.report
    object_id = models.CharField(max_length=64)
    status = models.CharField(
        max_length=10, choices=EmailStatus.choices, default=EmailStatus.PENDING
    )
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self) -> str:
        return f"{self.purpose} to {self.to} ({self.status})"
