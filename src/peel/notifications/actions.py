from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import models, transaction
from django.utils import timezone

from peel.audit import log as audit
from peel.notifications.models import EmailStatus, OutboundEmail

logger = logging.getLogger(__name__)
MAX_ATTEMPTS = 10


def do_queue_email(
    actor: Any, *, to: str, subject: str, body: str, purpose: str, about: models.Model
) -> OutboundEmail:
    """Write the email to the outbox in the caller's transaction; it is sent once that commits."""
    with transaction.atomic():
        email = OutboundEmail.objects.create(
            to=to, subject=subject, body=body, purpose=purpose,
            object_type=about._meta.label_lower, object_id=str(about.pk),
        )  # fmt: skip
        # The audit log records that a disclosure was made and to whom, not the message itself.
        audit.record(
            actor, "notifications.email_queued", email, after={"purpose": purpose, "to": to}
        )
        transaction.on_commit(lambda: send_pending(limit=5))
    return email


def send_pending(limit: int = 100) -> dict[str, int]:
    """Send waiting emails, oldest first. A failure is recorded and retried next time."""
    counts = {"sent": 0, "failed": 0}
    for email in OutboundEmail.objects.filter(status=EmailStatus.PENDING).order_by("created_at")[
        :limit
    ]:
        try:
            EmailMessage(email.subject, email.body, settings.DEFAULT_FROM_EMAIL, [email.to]).send()
        except Exception as exc:  # any transport failure: keep the row, count the attempt
            email.attempts += 1
            email.last_error = f"{type(exc).__name__}: {exc}"[:500]
            if email.attempts >= MAX_ATTEMPTS:
                email.status = EmailStatus.FAILED
            email.save(update_fields=["attempts", "last_error", "status"])
            logger.warning(
                "Email %s not sent (attempt %s): %s", email.pk, email.attempts, email.last_error
            )
            counts["failed"] += 1
            continue
        with transaction.atomic():
            email.attempts += 1
            email.status, email.sent_at = EmailStatus.SENT, timezone.now()
            email.save(update_fields=["attempts", "status", "sent_at"])
            audit.record("outbox", "notifications.email_sent", email, after={"to": email.to})
        counts["sent"] += 1
    return counts
