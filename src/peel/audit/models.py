"""The audit log (every change, hash-chained) and the access log (every read).

Both answer section 62 of the Data Protection Act 2018: who collected, altered, consulted or
disclosed what, and when. Rows are never updated or deleted by the application.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models

GENESIS_HASH = "0" * 64


class AppendOnlyQuerySet(models.QuerySet["AuditEvent"]):
    def update(self, **kwargs: Any) -> int:
        raise PermissionError("The audit log is append-only.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise PermissionError("The audit log is append-only.")


class AuditEvent(models.Model):
    """One state change, written by a `do_*` action in the same transaction as the change."""

    occurred_at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT
    )
    # Kept as text so the record still reads correctly if the account is renamed.
    actor_label = models.CharField(max_length=150)
    action = models.CharField(max_length=80, db_index=True)
    object_type = models.CharField(max_length=80)
    object_id = models.CharField(max_length=64)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        # What the auditor's pages search by: an object, a person and a period, a period.
        indexes = [
            models.Index(fields=["object_type", "object_id"]),
            models.Index(fields=["actor", "occurred_at"], name="audit_event_actor_time"),
            models.Index(fields=["actor_label", "occurred_at"], name="audit_event_label_time"),
            models.Index(fields=["occurred_at"], name="audit_event_time"),
        ]
        permissions = [("view_audit_log", "Search the audit and access logs (the auditor's pages)")]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M:%S} {self.actor_label} {self.action}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise PermissionError("The audit log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise PermissionError("The audit log is append-only.")


class AccessEvent(models.Model):
    """One read of a person or report, with who read it and the purpose it served."""

    occurred_at = models.DateTimeField(auto_now_add=True, db_index=True)
    # A member of staff, or none when the reader is outside (a reporter checking their status).
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT)
    actor_label = models.CharField(max_length=120, blank=True)
    object_type = models.CharField(max_length=80)
    object_id = models.CharField(max_length=64)
    purpose = models.CharField(max_length=120)
    # For a search of the logs themselves: what was asked (the auditor's pages log every use).
    query = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(fields=["object_type", "object_id"]),
            models.Index(fields=["user", "occurred_at"], name="access_event_user_time"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} read {self.object_type} {self.object_id}"


class ChainVerification(models.Model):
    """One check of the audit hash chain, end to end: asked for (by `peel audit verify`, the
    worker's daily run, or an auditor), then run. Checking millions of events takes minutes, so
    pages show the last result instead of checking on every load."""

    requested_at = models.DateTimeField(db_index=True)
    requested_by = models.CharField(max_length=150)  # a username, or "peel audit verify"
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True, db_index=True)
    checked = models.PositiveBigIntegerField(null=True, blank=True)  # events verified
    first_bad_id = models.BigIntegerField(null=True, blank=True)
    problem = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"verification {self.pk} ({self.state})"

    @property
    def state(self) -> str:
        if self.finished_at is None:
            return "running" if self.started_at else "waiting"
        return "broken" if self.problem else "intact"
