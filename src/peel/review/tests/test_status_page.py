"""The status page shows one consistent state, and any open question, for every combination."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.utils import timezone

from peel.process.testing import file_report
from peel.review.actions import do_answer_info_request, do_record_decision
from peel.review.choices import NextAction, Outcome
from peel.review.models import InfoRequest
from peel.review.testing import decision_input
from peel.workqueue.actions import do_get_work

pytestmark = pytest.mark.django_db
EMAIL = "amira.khan@example.org"  # the reporter file_report() creates
QUESTION = "Was the shed door locked?"
WAITING = "We need more information from you"

# (where the report is, the question's state) -> the one state the reporter is shown
EXPECTED = {
    ("received", "none"): "Received",
    ("received", "open"): WAITING,
    ("received", "answered"): "Received",
    ("being reviewed", "none"): "Being reviewed",
    ("being reviewed", "open"): WAITING,
    ("being reviewed", "answered"): "Being reviewed",
    (Outcome.CRIME, "none"): "Recorded as a crime",
    (Outcome.CRIME, "open"): "Recorded as a crime",
    (Outcome.CRIME, "answered"): "Recorded as a crime",
    (Outcome.NOT_A_CRIME, "none"): "Closed: no crime recorded",
    (Outcome.NOT_A_CRIME, "open"): WAITING,
    (Outcome.NOT_A_CRIME, "answered"): "Being looked at again",
    (Outcome.CRIME_RELATED_INCIDENT, "none"): "Closed: recorded as an incident",
    (Outcome.CRIME_RELATED_INCIDENT, "open"): WAITING,
    (Outcome.CRIME_RELATED_INCIDENT, "answered"): "Being looked at again",
}


def _arrange(where: str, question: str, operator) -> str:
    report = file_report()
    if where in Outcome.values:
        item = do_get_work(operator)
        assert item is not None
        asks = {"actions": [NextAction.REQUEST_INFO], "info_request": QUESTION}
        do_record_decision(
            operator, item, decision_input(where, **(asks if question != "none" else {}))
        )
    else:
        if where == "being reviewed":
            assert do_get_work(operator) is not None
        if question != "none":  # a question left by a decision since sent back
            InfoRequest.objects.create(
                report=report, question=QUESTION, asked_by=operator, asked_at=timezone.now()
            )
    if question == "answered":
        do_answer_info_request(report, "Yes, with a padlock.")
    return report.reference


@pytest.mark.parametrize(("where", "question"), list(EXPECTED))
def test_the_status_page_shows_one_state_and_never_closed_with_a_question(
    client: Client, operator, where: str, question: str
) -> None:
    reference = _arrange(where, question, operator)
    page = client.post("/report/status/", {"reference": reference, "email": EMAIL})
    body = page.content.decode()
    assert page.status_code == 200
    states = re.findall(r'<h2 data-testid="state">([^<]*)</h2>', body)
    assert states == [EXPECTED[(where, question)]]
    asked = 'data-testid="question"' in body
    assert asked == (question == "open")
    assert (QUESTION in body) == asked
    if "Closed" in states[0]:
        assert "need more information" not in body.lower() and "our question" not in body.lower()
    if asked:
        assert 'name="answer"' in body and "Closed" not in body


def test_an_empty_answer_is_refused_with_the_summary_at_the_top(client: Client, operator) -> None:
    reference = _arrange(Outcome.NOT_A_CRIME, "open", operator)
    page = client.post("/report/status/", {"reference": reference, "email": EMAIL, "answer": ""})
    body = page.content.decode()
    assert page.status_code == 400
    assert body.index("There is a problem") < body.index("<h1>")
    assert '<a href="#answer-answer">Enter your answer</a>' in body
    assert InfoRequest.objects.get().answered_at is None


def test_the_look_up_form_says_what_to_enter(client: Client) -> None:
    body = client.post("/report/status/", {"reference": "", "email": "not-an-email"}).content
    text = body.decode()
    assert '<a href="#id_reference">Enter your reference</a>' in text
    assert "Enter an email address in the correct format, like name@example.com" in text
