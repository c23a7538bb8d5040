"""The reporter's "is it safe to contact you?" answers hold for every message Peel sends."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core import mail
from django.test import Client

from peel.audit.actors import Robot
from peel.audit.models import AuditEvent
from peel.intake.pipeline import accept_json
from peel.intake.tests.walker import send_report
from peel.notifications.actions import do_queue_email, send_pending
from peel.notifications.messages import REPORTER_MESSAGES
from peel.notifications.models import EmailStatus, OutboundEmail
from peel.process.testing import file_report
from peel.reports.actions import do_message_reporter
from peel.reports.choices import Channel
from peel.reports.models import ContactPreference, Report
from peel.review.actions import do_record_decision
from peel.review.testing import decision_input
from peel.sdm.samples import sample_document
from peel.workqueue.actions import do_get_work

pytestmark = pytest.mark.django_db
EVERY_PURPOSE = sorted(REPORTER_MESSAGES)  # a new kind of message is checked without being named


@pytest.fixture(autouse=True)
def _people_take_their_time(settings: Any) -> None:
    settings.PEEL = {**settings.PEEL, "FORM_MIN_SECONDS": 0}


def withheld(report: Report) -> list[dict[str, Any]]:
    return [
        e.after
        for e in AuditEvent.objects.filter(
            action="notifications.withheld", object_type="reports.report", object_id=str(report.pk)
        ).order_by("id")
    ]


@pytest.mark.parametrize("purpose", EVERY_PURPOSE)
def test_no_message_of_any_kind_reaches_a_reporter_who_said_email_is_not_safe(
    purpose: str, django_capture_on_commit_callbacks: Any
) -> None:
    report = file_report(contact_email=False)
    with django_capture_on_commit_callbacks(execute=True):
        assert do_message_reporter(Robot("test"), report, purpose, status_url="http://x/") is None
    assert OutboundEmail.objects.count() == 0 and mail.outbox == []
    assert withheld(report) == [
        {
            "purpose": purpose,
            "to": "amira.khan@example.org",
            "reason": "The reporter said it is not safe to email them.",
        }
    ]


@pytest.mark.parametrize("purpose", EVERY_PURPOSE)
@pytest.mark.parametrize("said", [True, None], ids=["said yes", "said nothing"])
def test_every_kind_of_message_reaches_a_reporter_who_did_not_say_no(
    purpose: str, said: bool | None, django_capture_on_commit_callbacks: Any
) -> None:
    report = file_report(contact_email=said)
    with django_capture_on_commit_callbacks(execute=True):
        do_message_reporter(Robot("test"), report, purpose, status_url="http://x/report/status/")
    [message] = mail.outbox
    assert message.to == ["amira.khan@example.org"] and report.reference in message.subject
    assert OutboundEmail.objects.get().status == EmailStatus.SENT and withheld(report) == []


def test_any_email_to_the_reporter_about_their_report_is_checked_whatever_its_purpose(
    django_capture_on_commit_callbacks: Any,
) -> None:
    report = file_report(contact_email=False)
    with django_capture_on_commit_callbacks(execute=True):
        sent = do_queue_email(
            Robot("test"), to="Amira.Khan@example.org ", subject="Hello", body="News",
            purpose="a kind not yet invented", about=report,
        )  # fmt: skip
    assert sent is None and mail.outbox == [] and OutboundEmail.objects.count() == 0
    assert withheld(report)[0]["purpose"] == "a kind not yet invented"


def test_a_message_queued_before_the_reporter_said_no_is_withheld_at_sending() -> None:
    report = file_report(contact_email=True)
    do_message_reporter(Robot("test"), report, "decision update")  # waiting in the outbox
    ContactPreference.objects.filter(report=report).update(email_ok=False)
    assert send_pending() == {"sent": 0, "failed": 0, "withheld": 1}
    email = OutboundEmail.objects.get()
    assert email.status == EmailStatus.WITHHELD and "not safe" in email.last_error
    assert mail.outbox == []
    assert AuditEvent.objects.filter(action="notifications.withheld").count() == 1


def test_an_unregistered_kind_of_reporter_message_cannot_be_sent() -> None:
    with pytest.raises(ValueError, match="not a registered reporter message"):
        do_message_reporter(Robot("test"), file_report(), "a new letter")


def record_decision_on(operator: Any, report: Report) -> None:
    item = do_get_work(operator)
    assert item is not None and item.report_id == report.pk
    do_record_decision(operator, item, decision_input())


@pytest.mark.parametrize("safe", ["no", "yes"])
def test_the_public_form_then_a_decision_emails_only_a_reporter_who_said_yes(
    safe: str, client: Client, operator: Any, django_capture_on_commit_callbacks: Any
) -> None:
    """The defect found by a new user: "No" stopped the receipt but not the decision update."""
    with django_capture_on_commit_callbacks(execute=True):
        send_report(client, emailReceipt=safe)
    report = Report.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        record_decision_on(operator, report)
    if safe == "no":
        assert mail.outbox == [] and OutboundEmail.objects.count() == 0
        assert [w["purpose"] for w in withheld(report)] == ["receipt", "decision update"]
    else:
        assert [m.to for m in mail.outbox] == [["joan.barker@example.org"]] * 2
        assert list(OutboundEmail.objects.order_by("pk").values_list("purpose", flat=True)) == [
            "receipt", "decision update",
        ]  # fmt: skip


def test_the_form_keeps_every_contact_answer_and_the_review_screen_shows_them_first(
    staff_client, client: Client, operator: Any
) -> None:
    send_report(client, emailReceipt="no", phoneSafe="yes", safeTimes="Weekdays 9am to 5pm")
    report = Report.objects.get()
    preference = report.contact_preference
    assert (preference.email_ok, preference.phone_ok, preference.others_may_read) == (
        False, True, True,
    )  # fmt: skip
    assert preference.safe_times == "Weekdays 9am to 5pm" and preference.post_ok is None
    item = do_get_work(operator)
    assert item is not None
    staff = staff_client(operator)
    page = staff.get(f"/staff/work/{item.pk}/").content.decode()
    summary = (
        "Do not email. Someone else may read or hear messages. Safe to phone: Weekdays 9am to 5pm."
    )
    assert summary in page
    # Prominent: before the report itself and before the decision form.
    assert page.index(summary) < page.index("decision-form") and 'role="alert"' in page


def test_the_report_page_shows_the_contact_preference(staff_client, supervisor: Any) -> None:
    report = file_report(contact_email=False, contact_others_may_read=True)
    client = staff_client(supervisor)
    page = client.get(f"/staff/reports/{report.pk}/").content.decode()
    assert "Do not email. Someone else may read or hear messages." in page


def national_document(preference: list[str] | None) -> bytes:
    document = sample_document(seed=4)
    if preference is not None:
        [reporter] = [e for e in document["included"] if e["id"].startswith("person.victim")]
        reporter["attributes"]["contactPreference"] = preference
    return json.dumps(document).encode()


@pytest.mark.parametrize(
    ("preference", "email_ok", "phone_ok", "post_ok"),
    [
        (["CPNC_0002"], False, True, False),  # by phone only: do not email
        (["CPNC_0001", "CPNC_0003"], True, False, True),
        (None, None, None, None),  # not stated: Peel emails as it always has (reports/contact.py)
    ],
)
def test_the_national_contact_preference_is_kept_and_honoured(
    preference: list[str] | None,
    email_ok: bool | None,
    phone_ok: bool | None,
    post_ok: bool | None,
    operator: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    assert accept_json(Robot("hub"), Channel.API, national_document(preference)).ok
    report = Report.objects.get()
    saved = report.contact_preference
    assert (saved.email_ok, saved.phone_ok, saved.post_ok) == (email_ok, phone_ok, post_ok)
    with django_capture_on_commit_callbacks(execute=True):
        record_decision_on(operator, report)
    assert len(mail.outbox) == (0 if email_ok is False else 1)


def test_the_safeguarding_task_page_shows_the_contact_warning_and_what_the_reporter_added(
    staff_client, client: Client, safeguarding_officer: Any
) -> None:
    """Safeguarding staff and despatchers call the reporter too: the warning is theirs as well."""
    send_report(
        client, emailReceipt="no", phoneSafe="yes", safeTimes="Weekdays 9am to 5pm",
        welfareRisk="yes", welfareRiskDetails="He checks my phone every night",
    )  # fmt: skip
    item = do_get_work(safeguarding_officer)
    assert item is not None and item.kind == "safeguarding_referral"
    staff = staff_client(safeguarding_officer)
    page = staff.get(f"/staff/task/{item.pk}/").content.decode()
    summary = (
        "Do not email. Someone else may read or hear messages. Safe to phone: Weekdays 9am to 5pm."
    )
    assert summary in page and 'role="alert"' in page
    assert "He checks my phone every night" in page  # other information, verbatim
