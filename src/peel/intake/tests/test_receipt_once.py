"""The public receipt (issue 15): shown once to the browser that sent the report, never found by
reference, and, like the status page and the emails, nothing of the risk answers."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from peel.intake.tests.walker import send_report
from peel.notifications.models import OutboundEmail
from peel.reports.models import Report

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _people_take_their_time(settings: Any) -> None:
    settings.PEEL = {
        **settings.PEEL,
        "FORM_MIN_SECONDS": 0,
        "FORM_RATE": "1000/h",
        "STATUS_RATE": "1000/h",
        "STATUS_REFERENCE_RATE": "1000/h",
    }


def test_the_receipt_is_shown_once_to_the_browser_that_sent_the_report(client: Client) -> None:
    response = send_report(client)
    reference = Report.objects.get().reference
    assert response["Location"] == "/report/receipt/"  # no reference in the address or history
    first = client.get("/report/receipt/")
    assert first.status_code == 200 and reference in first.content.decode()
    assert "no-store" in first["Cache-Control"]  # not kept for the back button or a proxy
    again = client.get("/report/receipt/")  # a reload
    assert again.status_code == 200 and reference not in again.content.decode()
    assert 'data-testid="receipt-gone"' in again.content.decode()
    assert 'href="/report/status/"' in again.content.decode()


def test_another_browser_never_sees_the_receipt(client: Client) -> None:
    send_report(client)
    reference = Report.objects.get().reference
    other = Client()
    page = other.get("/report/receipt/").content.decode()
    assert reference not in page and 'data-testid="receipt-gone"' in page
    assert reference in client.get("/report/receipt/").content.decode()  # still the sender's


def test_a_guessed_reference_gets_the_same_answer_as_a_real_one(client: Client) -> None:
    send_report(client)
    real = Report.objects.get().reference
    guessed = "PEEL-000000-AAAAAA"
    answers = [Client().get(f"/report/receipt/{ref}/") for ref in (real, guessed, "x" * 300)]
    assert {a.status_code for a in answers} == {200}
    assert len({a.content for a in answers}) == 1  # byte for byte: nothing was looked up
    assert real not in answers[0].content.decode()
    assert answers[0].content == Client().get("/report/receipt/").content  # the plain page


def test_quick_exit_forgets_an_unread_receipt(client: Client) -> None:
    send_report(client)
    client.get("/exit/")
    assert Report.objects.get().reference not in client.get("/report/receipt/").content.decode()


# ---- Nothing of the risk answers, anywhere the public or a mailbox can read -----------------

YES_NO_UNKNOWN = st.sampled_from(["yes", "no", "unknown"])
YES_NO_BLANK = st.sampled_from(["yes", "no", ""])
RISK_ANSWERS = st.fixed_dictionaries(
    {
        "immediateDanger": YES_NO_UNKNOWN,
        "incidentStillHappening": YES_NO_UNKNOWN,
        "hadWeapon": YES_NO_UNKNOWN,
        "childPresent": YES_NO_UNKNOWN,
        "dangerAdvice": st.sampled_from(["called_999", "cannot_call"]),
        "under18": st.sampled_from(["yes", "no"]),
        "disability": YES_NO_BLANK,
        "riskOfBeingVictimOfDomesticAbuse": YES_NO_BLANK,
        "riskOfSelfHarm": YES_NO_BLANK,
        "welfareRisk": YES_NO_BLANK,
    }
)
# Words the risk questions and their flags use; none may reach the reporter's pages or emails.
RISK_WORDS = re.compile(
    r"you told us|you said|weapon|knife|child|under 18|disab|domestic|self-harm|harming|"
    r"welfare|vulnerab|still happening|called 999|could not call|cannot call",
    re.IGNORECASE,
)


def _normalised(text: str, reference: str) -> str:
    """A page with what differs per report by design taken out: the reference, tokens."""
    text = text.replace(reference, "REFERENCE").replace(reference.lower(), "REFERENCE")
    return re.sub(r'value="[^"]*"', 'value=""', text)


def _what_the_reporter_can_read(answers: dict[str, str]) -> list[str]:
    client = Client()
    assert send_report(client, emailReceipt="yes", **answers).status_code == 302
    report = Report.objects.latest("pk")
    ask = {"reference": report.reference, "email": "joan.barker@example.org"}
    status = client.post("/report/status/", ask)
    assert status.status_code == 200
    email = OutboundEmail.objects.get(object_id=str(report.pk), purpose="receipt")
    return [
        _normalised(text, report.reference)
        for text in (
            client.get("/report/receipt/").content.decode(),
            status.content.decode(),
            email.subject + "\n" + email.body,
        )
    ]


def test_the_receipt_status_page_and_email_say_nothing_of_a_report_full_of_risk(
    client: Client,
) -> None:
    every_risk = {
        "immediateDanger": "yes", "incidentStillHappening": "yes", "hadWeapon": "yes",
        "childPresent": "yes", "under18": "yes", "disability": "yes",
        "riskOfBeingVictimOfDomesticAbuse": "yes", "riskOfSelfHarm": "yes", "welfareRisk": "yes",
    }  # fmt: skip
    for text in _what_the_reporter_can_read(every_risk):
        assert not RISK_WORDS.search(text.split("<footer")[0]), RISK_WORDS.search(text)


@hypothesis_settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(answers=RISK_ANSWERS)
def test_what_the_reporter_can_read_is_the_same_whatever_the_risk_answers(
    answers: dict[str, str], settings: Any
) -> None:
    """Byte for byte (but for the reference): the receipt, the status page and the receipt
    email for any risk answers equal those for a report with none."""
    settings.PEEL = {
        **settings.PEEL,
        "FORM_MIN_SECONDS": 0,
        "FORM_RATE": "1000/h",
        "STATUS_RATE": "1000/h",
        "STATUS_REFERENCE_RATE": "1000/h",
    }
    none = {k: "no" for k in answers if k != "dangerAdvice"}
    assert _what_the_reporter_can_read(answers) == _what_the_reporter_can_read(none)
