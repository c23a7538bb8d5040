"""The outbox's send: each outcome is an audited action, its event in the same transaction as
the email's new state (and rolled back with it)."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.mail import EmailMessage
from django.db import transaction

from peel.accounts.models import User
from peel.audit.models import AuditEvent
from peel.notifications import actions
from peel.notifications.actions import (
    MAX_ATTEMPTS,
    OUTBOX,
    do_queue_email,
    do_record_email_failure,
    do_record_email_sent,
    do_withhold_email,
    send_pending,
)
from peel.notifications.models import EmailStatus, OutboundEmail

pytestmark = pytest.mark.django_db


class Undo(Exception):
    """Raised to roll a transaction back after looking inside it."""


@pytest.fixture
def email(operator: User) -> OutboundEmail:
    # About an account, not a report: no reporter's preference applies.
    queued = do_queue_email(
        operator, to="partner@example.org", subject="Hello", body="Body", purpose="test",
        about=operator,
    )  # fmt: skip
    assert queued is not None
    return queued


def _events(action: str, email: OutboundEmail) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action, object_id=str(email.pk)))


def _status(email: OutboundEmail) -> str:
    return OutboundEmail.objects.get(pk=email.pk).status


def test_a_sent_email_is_audited_by_the_outbox(email: OutboundEmail) -> None:
    assert send_pending() == {"sent": 1, "failed": 0, "withheld": 0}
    assert [m.to for m in mail.outbox] == [["partner@example.org"]]
    assert _status(email) == EmailStatus.SENT
    [event] = _events("notifications.email_sent", email)
    assert event.actor_label == OUTBOX.name and event.after == {"to": "partner@example.org"}


def test_a_failed_attempt_is_audited_and_the_email_kept_for_the_next(
    email: OutboundEmail, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(self: EmailMessage, fail_silently: bool = False) -> int:
        raise ConnectionRefusedError("smtp down")

    monkeypatch.setattr(actions.EmailMessage, "send", refuse)
    assert send_pending() == {"sent": 0, "failed": 1, "withheld": 0}
    email.refresh_from_db()
    assert email.status == EmailStatus.PENDING and email.attempts == 1
    [event] = _events("notifications.email_failed", email)
    assert event.after == {
        "to": "partner@example.org", "attempts": 1, "status": EmailStatus.PENDING,
        "error": "ConnectionRefusedError: smtp down",
    }  # fmt: skip


def test_the_last_allowed_failure_gives_the_email_up(email: OutboundEmail) -> None:
    email.attempts = MAX_ATTEMPTS - 1
    do_record_email_failure(OUTBOX, email, "OSError: no route")
    assert _status(email) == EmailStatus.FAILED
    assert _events("notifications.email_failed", email)[0].after["status"] == EmailStatus.FAILED


@pytest.mark.parametrize(
    ("record", "action", "status"),
    [
        (do_record_email_sent, "notifications.email_sent", EmailStatus.SENT),
        (
            lambda actor, email: do_record_email_failure(actor, email, "OSError: x"),
            "notifications.email_failed",
            EmailStatus.PENDING,
        ),
        (
            lambda actor, email: do_withhold_email(actor, email, "not safe to email"),
            "notifications.withheld",
            EmailStatus.WITHHELD,
        ),
    ],
    ids=["sent", "failed", "withheld"],
)
def test_each_outcome_is_rolled_back_with_its_event(
    email: OutboundEmail, record, action: str, status: str
) -> None:
    with pytest.raises(Undo), transaction.atomic():
        record(OUTBOX, email)
        assert _events(action, email) and _status(email) == status
        raise Undo
    assert _events(action, email) == []
    fresh = OutboundEmail.objects.get(pk=email.pk)
    assert fresh.status == EmailStatus.PENDING and fresh.attempts == 0
