"""Answers that say someone needs help now stop the form on the call-999 page."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from peel.evidence.store import blob_path
from peel.intake.models import Submission
from peel.intake.tests.walker import answer_pages
from peel.reports.models import Report

pytestmark = pytest.mark.django_db
SAFE = {
    "immediateDanger": "no", "incidentStillHappening": "no", "hadWeapon": "no", "childPresent": "no",
}  # fmt: skip


@pytest.fixture(autouse=True)
def _people_take_their_time(settings: Any) -> None:
    settings.PEEL = {**settings.PEEL, "FORM_MIN_SECONDS": 0}


@pytest.mark.parametrize(
    ("answers", "stops"),
    [
        ({"immediateDanger": "yes"}, True),
        ({"immediateDanger": "yes", "incidentStillHappening": "yes", "hadWeapon": "yes"}, True),
        ({"incidentStillHappening": "yes", "hadWeapon": "yes"}, True),
        ({"incidentStillHappening": "yes"}, False),
        ({"hadWeapon": "yes"}, False),
        ({"incidentStillHappening": "yes", "childPresent": "yes"}, True),
        ({"childPresent": "yes"}, False),
        ({"immediateDanger": "unknown", "incidentStillHappening": "unknown"}, False),
        ({}, False),
    ],
)
def test_danger_answers_stop_the_form_on_the_call_999_page(
    client: Client, answers: dict[str, str], stops: bool
) -> None:
    client.get("/report/")
    response = client.post("/report/safety/", {**SAFE, **answers})
    assert response.status_code == 302
    assert (response["Location"] == "/report/call-999/") is stops
    if not stops:
        assert response["Location"] == "/report/involvement/"
        assert client.get("/report/call-999/")["Location"] == "/report/"  # no stop page to see


def test_the_call_999_page_gives_the_silent_and_deaf_options(client: Client) -> None:
    client.get("/report/")
    client.post("/report/safety/", {**SAFE, "immediateDanger": "yes"})
    response = client.get("/report/call-999/")
    body = response.content.decode()
    assert response.status_code == 200 and response["Cache-Control"].startswith("max-age=0")
    assert "<h1>Call 999 now</h1>" in body and 'href="tel:999"' in body
    assert "You told us someone is in immediate danger." in body
    assert "press <strong>55</strong>" in body and "stay on the line" in body
    assert "emergencySMS" in body and "18000" in body and "999 BSL" in body
    assert "I have called 999 - continue my report" in body
    assert "I cannot call now - continue my report" in body
    assert "Exit this page" in body


def test_continuing_needs_a_choice_and_says_what_to_do(client: Client) -> None:
    client.get("/report/")
    client.post("/report/safety/", {**SAFE, "incidentStillHappening": "yes", "hadWeapon": "yes"})
    response = client.post("/report/call-999/", {})
    body = response.content.decode()
    assert response.status_code == 400
    assert "it is still happening, and a weapon was involved or mentioned" in body
    assert (
        '<a href="#id_choice_0">Select whether you have called 999 or cannot call now</a>' in body
    )
    response = client.post("/report/call-999/", {"choice": "cannot_call"})
    assert response["Location"] == "/report/involvement/"


def test_the_report_cannot_be_sent_without_the_advice_being_seen(client: Client) -> None:
    answer_pages(client)  # no danger
    client.post("/report/safety/?return=check", {**SAFE, "immediateDanger": "yes"})
    response = client.get("/report/check/")  # e.g. straight to the check page by its address
    assert response["Location"] == "/report/call-999/"
    response = client.post("/report/call-999/", {"choice": "called_999"})
    assert response["Location"] == "/report/check/"
    assert client.get("/report/check/").status_code == 200


@pytest.mark.parametrize("choice", ["called_999", "cannot_call"])
def test_a_report_sent_after_the_stop_keeps_every_danger_answer_and_the_choice(
    client: Client, choice: str
) -> None:
    visited = answer_pages(
        client, immediateDanger="yes", incidentStillHappening="yes", dangerAdvice=choice
    )
    assert visited[:2] == ["safety", "call-999"]
    response = client.post("/report/check/")
    report = Report.objects.get()
    assert response["Location"] == "/report/receipt/"
    assert report.immediate_danger is True and report.still_happening is True
    assert report.weapon_involved is True
    submission = Submission.objects.get()
    envelope = json.loads(blob_path(submission.raw.sha256).read_bytes())
    assert envelope["form"]["answers"]["dangerAdvice"] == choice
    said = "had called 999" if choice == "called_999" else "could not call now"
    assert report.flags == [f"The form told the reporter to call 999; they said they {said}."]
    receipt = client.get(response["Location"]).content.decode()
    assert report.reference in receipt and "call 999 now" in receipt  # as on every receipt


def test_quick_exit_forgets_the_report_in_progress_and_leaves(client: Client, settings) -> None:
    settings.PEEL = {**settings.PEEL, "QUICK_EXIT_URL": "https://www.example.org/weather"}
    answer_pages(client)
    assert "public_report" in client.session
    response = client.get("/exit/")
    assert response.status_code == 302 and response["Location"] == "https://www.example.org/weather"
    assert "public_report" not in client.session
    assert client.get("/report/check/")["Location"].startswith("/report/")  # starts afresh


def test_changing_the_danger_answers_to_no_drops_the_call_999_note(client: Client) -> None:
    answer_pages(client, immediateDanger="yes")
    response = client.post("/report/safety/?return=check", SAFE)
    assert response["Location"] == "/report/check/"
    client.post("/report/check/")
    report = Report.objects.get()
    assert report.immediate_danger is False and report.flags == []
