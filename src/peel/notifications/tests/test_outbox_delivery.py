"""The outbox delivers: an email is a row written with the change that causes it, sent afterwards
through a real SMTP server, retried when the server is down, and withheld whenever the reporter
said email is unsafe. (test_outbox.py checks each outcome's audit event in its transaction.)"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import transaction

from peel.audit.models import AuditEvent
from peel.notifications.actions import MAX_ATTEMPTS, send_pending
from peel.notifications.messages import RECEIPT
from peel.notifications.models import EmailStatus, OutboundEmail
from peel.process.testing import file_report
from peel.reports.actions import do_message_reporter
from peel.reports.contact import preference_of
from peel.reports.models import Report

pytestmark = pytest.mark.django_db
ADDRESS = "amira.khan@example.org"  # the reporter in core.testing.make_draft


@pytest.fixture
def queue_receipt(operator: Any) -> Callable[..., OutboundEmail | None]:
    """Queue the receipt for `report` (or a new one filed with these fields)."""

    def queue(report: Report | None = None, **report_fields: Any) -> OutboundEmail | None:
        report = report or file_report(**report_fields)
        return do_message_reporter(
            operator, report, RECEIPT.purpose, status_url="https://x/status/"
        )

    return queue


def test_an_email_is_queued_in_the_callers_transaction_and_rolled_back_with_it(
    queue_receipt: Callable[..., Any],
) -> None:
    with pytest.raises(RuntimeError), transaction.atomic():
        email = queue_receipt()
        assert email is not None and OutboundEmail.objects.filter(pk=email.pk).exists()
        raise RuntimeError("the change that caused the email failed")
    assert not OutboundEmail.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="notifications.").exists()


def test_queueing_is_audited_without_the_message_itself(queue_receipt: Callable[..., Any]) -> None:
    email = queue_receipt()
    assert email is not None
    event = AuditEvent.objects.get(action="notifications.email_queued")
    assert event.after == {"purpose": "receipt", "to": ADDRESS}
    assert email.body not in str(event.after)


def test_send_pending_delivers_through_smtp_and_records_it(
    queue_receipt: Callable[..., Any], smtp_inbox: Any
) -> None:
    email = queue_receipt()
    assert email is not None and email.status == EmailStatus.PENDING
    assert send_pending() == {"sent": 1, "failed": 0, "withheld": 0}
    [(recipients, message)] = smtp_inbox.messages
    assert recipients == [ADDRESS]
    assert message["Subject"] == email.subject
    assert email.body.strip() in message.get_payload(decode=True).decode().replace("\r\n", "\n")
    email.refresh_from_db()
    assert (email.status, email.attempts) == (EmailStatus.SENT, 1) and email.sent_at
    sent = AuditEvent.objects.get(action="notifications.email_sent")
    assert (sent.actor_label, sent.object_id) == ("outbox", str(email.pk))
    assert sent.after == {"to": ADDRESS}
    assert send_pending() == {"sent": 0, "failed": 0, "withheld": 0}  # never sent twice
    assert len(smtp_inbox.messages) == 1


def test_a_failure_is_counted_and_retried_until_the_server_answers(
    queue_receipt: Callable[..., Any], settings: Any, smtp_inbox: Any
) -> None:
    working_port = settings.EMAIL_PORT
    settings.EMAIL_PORT = 9  # nothing listens there
    email = queue_receipt()
    assert email is not None
    assert send_pending() == {"sent": 0, "failed": 1, "withheld": 0}
    assert send_pending() == {"sent": 0, "failed": 1, "withheld": 0}
    email.refresh_from_db()
    assert (email.status, email.attempts) == (EmailStatus.PENDING, 2)
    assert email.last_error  # why, for the person looking at the outbox
    settings.EMAIL_PORT = working_port
    assert send_pending() == {"sent": 1, "failed": 0, "withheld": 0}
    email.refresh_from_db()
    assert (email.status, email.attempts) == (EmailStatus.SENT, 3)
    assert len(smtp_inbox.messages) == 1


def test_the_outbox_gives_up_after_the_last_attempt(
    queue_receipt: Callable[..., Any], settings: Any
) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 9
    email = queue_receipt()
    assert email is not None
    for _ in range(MAX_ATTEMPTS):
        assert send_pending()["failed"] == 1
    email.refresh_from_db()
    assert (email.status, email.attempts) == (EmailStatus.FAILED, MAX_ATTEMPTS)
    assert send_pending() == {"sent": 0, "failed": 0, "withheld": 0}  # no longer tried


def test_nothing_is_queued_for_a_reporter_who_said_email_is_not_safe(
    queue_receipt: Callable[..., Any], smtp_inbox: Any
) -> None:
    assert queue_receipt(contact_email=False) is None
    assert not OutboundEmail.objects.exists()
    event = AuditEvent.objects.get(action="notifications.withheld")
    assert event.after == {
        "purpose": "receipt", "to": ADDRESS,
        "reason": "The reporter said it is not safe to email them.",
    }  # fmt: skip
    assert send_pending() == {"sent": 0, "failed": 0, "withheld": 0}
    assert smtp_inbox.messages == []


def test_a_preference_stated_after_queueing_still_stops_the_email(
    queue_receipt: Callable[..., Any], smtp_inbox: Any
) -> None:
    report = file_report()
    email = queue_receipt(report)
    assert email is not None
    preference = preference_of(report)
    assert preference is not None  # filed saying nothing about email; now the reporter says no
    preference.email_ok = False
    preference.save(update_fields=["email_ok"])
    assert send_pending() == {"sent": 0, "failed": 0, "withheld": 1}
    assert smtp_inbox.messages == []
    email.refresh_from_db()
    assert email.status == EmailStatus.WITHHELD
    assert email.last_error == "The reporter said it is not safe to email them."
    withheld = AuditEvent.objects.get(action="notifications.withheld")
    assert (withheld.actor_label, withheld.object_id) == ("outbox", str(email.pk))


def test_an_unknown_purpose_is_refused(operator: Any) -> None:
    with pytest.raises(ValueError, match="not a registered reporter message"):
        do_message_reporter(operator, file_report(), "newsletter")
