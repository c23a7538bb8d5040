"""Sending email, and the one place the reporter's contact preference is enforced.

Every email is queued by `do_queue_email`, which refuses to queue one the recipient said must
not be sent (and records that in the audit log with the reason), and `send_pending` checks
again just before sending, so a preference that changed after a message was queued still
holds. Messages to reporters are composed from the registry in messages.py.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import models, transaction
from django.utils import timezone

from peel.audit import log as audit
from peel.audit.actors import OUTBOX, Actor
from peel.notifications.messages import REPORTER_MESSAGES
from peel.notifications.models import EmailStatus, OutboundEmail
from peel.reports.choices import Role
from peel.reports.contact import email_withheld_reason
from peel.reports.models import Report

logger = logging.getLogger(__name__)
MAX_ATTEMPTS = 10


def reporter_email(report: Report) -> str:
    person = (
        report.involvements.filter(role=Role.PERSON_REPORTING).exclude(person__email="").first()
    )
    return person.person.email if person else ""


def withheld_reason(to: str, about: models.Model | None) -> str:
    """Why this email must not go, or "": the reporter said it is not safe to email them, and
    the email is about their report and addressed to them (whatever its purpose)."""
    if not isinstance(about, Report):
        return ""
    reporters = {
        email.strip().lower()
        for email in about.involvements.filter(role=Role.PERSON_REPORTING).values_list(
            "person__email", flat=True
        )
    }
    return email_withheld_reason(about) if to.strip().lower() in reporters else ""


def do_message_reporter(
    actor: Actor, report: Report, purpose: str, *, status_url: str = ""
) -> OutboundEmail | None:
    """Send the reporter one of the registered messages, if they gave an address and it is
    safe to use. None when nothing is sent (withheld messages are in the audit log)."""
    message = REPORTER_MESSAGES.get(purpose)
    if message is None:
        raise ValueError(f"'{purpose}' is not a registered reporter message (messages.py).")
    to = reporter_email(report)
    if not to:
        return None
    subject, body = message.render(report.reference, status_url)
    return do_queue_email(actor, to=to, subject=subject, body=body, purpose=purpose, about=report)


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
    if email.object_type == Report._meta.label_lower:
        return Report.objects.filter(pk=email.object_id).first()
    return None


def send_pending(limit: int = 100) -> dict[str, int]:
    """Send waiting emails, oldest first. A failure is recorded and retried next time."""
    counts = {"sent": 0, "failed": 0, "withheld": 0}
    for email in OutboundEmail.objects.filter(status=EmailStatus.PENDING).order_by("created_at")[
        :limit
    ]:
        if _withhold_if_unsafe(email):
            counts["withheld"] += 1
            continue
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
            audit.record(OUTBOX, "notifications.email_sent", email, after={"to": email.to})
        counts["sent"] += 1
    return counts


def _withhold_if_unsafe(email: OutboundEmail) -> bool:
    """Check the preference again at sending time: it may have been stated after queueing."""
    reason = withheld_reason(email.to, _about(email))
    if not reason:
        return False
    with transaction.atomic():
        email.status, email.last_error = EmailStatus.WITHHELD, reason
        email.save(update_fields=["status", "last_error"])
        audit.record(
            OUTBOX, "notifications.withheld", email,
            after={"purpose": email.purpose, "to": email.to, "reason": reason},
        )  # fmt: skip
    return True
