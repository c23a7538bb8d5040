from __future__ import annotations

from django.db import models


class EvidenceBlob(models.Model):
    """Raw bytes as received, stored once under their sha256 (see store.py)."""

    sha256 = models.CharField(max_length=64, primary_key=True)
    size = models.PositiveBigIntegerField()
    content_type = models.CharField(max_length=100)
    stored_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        # The table intake created: the model moved to this app without moving its rows
        # (evidence 0001 and intake 0005 change only Django's state).
        db_table = "intake_evidenceblob"

    def __str__(self) -> str:
        return self.sha256
