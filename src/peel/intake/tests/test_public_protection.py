"""Receipt email, the reporter's status page, rate limits and bot protection."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from peel.audit.models import AccessEvent
from peel.intake.models import Submission
from peel.intake.tests.walker import send_report
from peel.notifications.actions import send_pending
from peel.notifications.models import EmailStatus, OutboundEmail
from peel.reports.models import Report
from peel.review.actions import do_record_decision
from peel.review.choices import Outcome
from peel.review.testing import decision_input
from peel.workqueue.actions import do_get_work

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _people_take_their_time(settings: Any) -> None:
    settings.PEEL = {**settings.PEEL, "FORM_MIN_SECONDS": 0}


def test_a_receipt_is_emailed_through_smtp_after_the_report_is_filed(
    client: Client, smtp_inbox: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        send_report(client, emailReceipt="yes")
    report = Report.objects.get()
    assert len(smtp_inbox.messages) == 1
    recipients, message = smtp_inbox.messages[0]
    assert recipients == ["joan.barker@example.org"]
    assert report.reference in message["Subject"]
    body = message.get_payload()
    assert report.reference in body and "/report/status/" in body
    assert "knife" not in body  # nothing about the report itself: others may read the mailbox
    assert OutboundEmail.objects.get().status == EmailStatus.SENT


def test_no_email_when_the_reporter_says_it_is_not_safe(
    client: Client, smtp_inbox: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        send_report(client, emailReceipt="no")
    assert (
        Report.objects.count() == 1
        and smtp_inbox.messages == []
        and OutboundEmail.objects.count() == 0
    )


def test_a_receipt_waits_in_the_outbox_while_the_mail_server_is_down(
    client: Client, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 9  # nothing listens there
    with django_capture_on_commit_callbacks(execute=True):
        response = send_report(client, emailReceipt="yes")
    assert response.status_code == 302  # the report is filed whatever the mail server does
    email = OutboundEmail.objects.get()
    assert email.status == EmailStatus.PENDING and email.attempts == 1 and email.last_error
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert send_pending() == {"sent": 1, "failed": 0, "withheld": 0}


def test_the_status_page_follows_the_report_and_logs_each_read(
    client: Client, operator: Any
) -> None:
    send_report(client)
    report = Report.objects.get()
    ask = {"reference": report.reference.lower(), "email": "JOAN.BARKER@example.org"}
    assert "Received" in client.post("/report/status/", ask).content.decode()
    item = do_get_work(operator)
    assert item is not None
    assert "Being reviewed" in client.post("/report/status/", ask).content.decode()
    do_record_decision(operator, item, decision_input(Outcome.NOT_A_CRIME))
    page = client.post("/report/status/", ask).content.decode()
    assert "Closed: no crime recorded" in page
    assert "Civil dispute" not in page  # the operator's rationale is internal
    reads = AccessEvent.objects.filter(object_id=str(report.pk), user=None)
    assert reads.count() == 3 and reads.first().purpose == "status page"  # type: ignore[union-attr]


def test_a_wrong_email_or_reference_gets_the_same_answer(client: Client) -> None:
    send_report(client)
    reference = Report.objects.get().reference
    wrong_email = client.post(
        "/report/status/", {"reference": reference, "email": "someone@example.org"}
    )
    wrong_reference = client.post(
        "/report/status/", {"reference": "PEEL-000000-AAAAAA", "email": "joan.barker@example.org"}
    )
    assert wrong_email.status_code == wrong_reference.status_code == 404

    def page(response: Any) -> str:  # what differs is only what was typed and the CSRF token
        return re.sub(r'value="[^"]*"', "", response.content.decode())

    assert page(wrong_email) == page(wrong_reference)
    assert "could not find a report with that reference and email address" in page(wrong_email)


def test_the_status_page_is_rate_limited(client: Client, settings: Any) -> None:
    settings.PEEL = {**settings.PEEL, "STATUS_RATE": "3/h"}
    codes = [
        client.post(
            "/report/status/", {"reference": "PEEL-1", "email": "a@example.org"}
        ).status_code
        for _ in range(5)
    ]
    assert codes == [404, 404, 404, 429, 429]


def test_the_form_is_rate_limited_per_address(client: Client, settings: Any) -> None:
    settings.PEEL = {**settings.PEEL, "FORM_RATE": "2/h"}
    codes = [send_report(client).status_code for _ in range(3)]
    assert codes == [302, 302, 429]
    other = Client(REMOTE_ADDR="192.0.2.7")
    assert send_report(other).status_code == 302  # another address is not affected


def test_a_filled_hidden_field_is_refused_and_logged(client: Client, caplog: Any) -> None:
    client.get("/report/")
    response = client.post(
        "/report/safety/",
        {
            "immediateDanger": "no",
            "incidentStillHappening": "no",
            "hadWeapon": "no",
            "childPresent": "no",
            "website": "http://spam.example",
        },
    )
    assert response.status_code == 400 and "look automated" in response.content.decode()
    assert any("hidden field filled" in r.getMessage() for r in caplog.records)


def test_a_report_answered_faster_than_a_person_could_is_refused(
    client: Client, settings: Any, caplog: Any
) -> None:
    settings.PEEL = {**settings.PEEL, "FORM_MIN_SECONDS": 600}
    response = send_report(client)
    assert response.status_code == 400 and "look automated" in response.content.decode()
    assert Submission.objects.count() == 0
    assert any("answered in" in r.getMessage() for r in caplog.records)
