"""Sending email, and the one place a rule against sending it is enforced.

Every email is queued by `do_queue_email`, which refuses to queue one a registered rule
withholds (withholding.py: e.g. the reporter said it is not safe to email them, registered by
reports) and records that in the audit log with the reason, and `send_pending` checks again
just before sending, so a preference that changed after a message was queued still holds.
Messages to reporters are composed from the registry in messages.py and sent by
`reports.actions.do_message_reporter`.
"""

from __future__ import annotations

import logging

from django.apps import apps
from django.conf import settings
from django.core.mail import EmailMessage
from django.db import models, transaction
from django.utils import timezone

from peel.audit import log as audit
from peel.audit.actors import OUTBOX, Actor
from peel.notifications.models import EmailStatus, OutboundEmail
from peel.notifications.withholding import withheld_reason

logger = logging.getLogger(__name__)
MAX_ATTEMPTS = 10


def do_queue_email(
    actor: Actor, *, to: str, subject: str, body: str, purpose: str, about: models.Model
) -> OutboundEmail | None:
    """Write the email to the outbox in the caller's transaction; it is sent once that commits.
    An email the recipient said must not be sent is not written: its withholding is audited."""
    with transaction.atomic():
        reason = withheld_reason(to, about)
        if reason:
            audit.record(
                actor, "notifications.withheld", about,
                after={"purpose": purpose, "to": to, "reason": reason},
            )  # fmt: skip
            return None
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


def _about(email: OutboundEmail) -> models.Model | None:
    """What the email is about (e.g. a report), for the withholding rules; None if it is gone."""
    try:
        model = apps.get_model(email.object_type)
    except (LookupError, ValueError):
        return None
    return model._default_manager.filter(pk=email.object_id).first()


def send_pending(limit: int = 100) -> dict[str, int]:
    """Send waiting emails, oldest first. A failure is recorded and retried next time.

    Sending is not a database change, so it happens between the actions that record it: each
    outcome (withheld, failed, sent) is one `do_*` action with its event."""
    counts = {"sent": 0, "failed": 0, "withheld": 0}
    for email in OutboundEmail.objects.filter(status=EmailStatus.PENDING).order_by("created_at")[
        :limit
    ]:
        # Check the preference again at sending time: it may have been stated after queueing.
        reason = withheld_reason(email.to, _about(email))
        if reason:
            do_withhold_email(OUTBOX, email, reason)
            counts["withheld"] += 1
            continue
        try:
            EmailMessage(email.subject, email.body, settings.DEFAULT_FROM_EMAIL, [email.to]).send()
        except Exception as exc:  # any transport failure: keep the row, count the attempt
            do_record_email_failure(OUTBOX, email, f"{type(exc).__name__}: {exc}")
            logger.warning(
                "Email %s not sent (attempt %s): %s", email.pk, email.attempts, email.last_error
            )
            counts["failed"] += 1
            continue
        do_record_email_sent(OUTBOX, email)
        counts["sent"] += 1
    return counts


def do_record_email_sent(actor: Actor, email: OutboundEmail) -> None:
    with transaction.atomic():
        email.attempts += 1
        email.status, email.sent_at = EmailStatus.SENT, timezone.now()
        email.save(update_fields=["attempts", "status", "sent_at"])
        audit.record(actor, "notifications.email_sent", email, after={"to": email.to})


def do_record_email_failure(actor: Actor, email: OutboundEmail, error: str) -> None:
    """One failed attempt; after MAX_ATTEMPTS the email is given up (status failed)."""
    with transaction.atomic():
        email.attempts += 1
        email.last_error = error[:500]
        if email.attempts >= MAX_ATTEMPTS:
            email.status = EmailStatus.FAILED
        email.save(update_fields=["attempts", "last_error", "status"])
        audit.record(
            actor, "notifications.email_failed", email,
            after={"to": email.to, "attempts": email.attempts, "status": email.status,
                   "error": email.last_error},
        )  # fmt: skip


def do_withhold_email(actor: Actor, email: OutboundEmail, reason: str) -> None:
    """A queued email the recipient has since said must not be sent: it never goes."""
    with transaction.atomic():
        email.status, email.last_error = EmailStatus.WITHHELD, reason
        email.save(update_fields=["status", "last_error"])
        audit.record(
            actor, "notifications.withheld", email,
            after={"purpose": email.purpose, "to": email.to, "reason": reason},
        )  # fmt: skip
