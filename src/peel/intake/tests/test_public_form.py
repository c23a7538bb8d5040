import hashlib
import json
import re
import uuid
from typing import Any

import pytest
from django.test import Client

from peel.core.testing import form_started
from peel.intake.evidence import blob_path
from peel.intake.models import Submission
from peel.reports.models import Report
from peel.workqueue.models import WorkItem, WorkStatus

pytestmark = pytest.mark.django_db


def form_data(**overrides: Any) -> dict[str, Any]:
    data = {
        "submission_token": str(uuid.uuid4()),
        "started": form_started(),
        "website": "",
        "email_receipt": "no",
        "immediate_danger": "no",
        "still_happening": "no",
        "weapon_involved": "yes",
        "victim_under_18": "no",
        "victim_vulnerable": "unknown",
        "how_involved": "on_behalf_of_victim",
        "given_name": "Joan",
        "family_name": "Barker",
        "email": "joan.barker@example.org",
        "phone": "0113 496 0000",
        "victim_given_name": "Alfie",
        "victim_family_name": "Barker",
        "offence_hint": "Violence",
        "description": "A man threatened my son with a knife outside the shop.",
        "occurred_date": "2026-11-01",
        "occurred_time": "18:30",
        "address_line": "12 Kirkgate",
        "town": "Wakefield",
        "postcode": "wf1 1ab",
        "suspect_known": "described",
        "suspect_description": "Tall man in a red jacket.",
        "vehicle_vrm": "yx21 abc",
    }
    data.update(overrides)
    return data


def test_the_public_form_needs_no_login_and_carries_a_one_time_token(client: Client) -> None:
    response = client.get("/report/")
    assert response.status_code == 200
    assert re.search(rb'name="submission_token" value="[0-9a-f-]{36}"', response.content)


def test_a_submitted_report_becomes_a_canonical_report_on_the_queue(client: Client) -> None:
    data = form_data()
    response = client.post("/report/", data)
    report = Report.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/report/receipt/{report.reference}/"
    assert re.fullmatch(r"PEEL-\d{6}-[2-9A-HJ-NP-Z]{6}", report.reference)

    roles = sorted((i.person.given_name, i.role) for i in report.involvements.all())
    assert roles == [
        ("", "unknownSuspect"),
        ("Alfie", "victim"),
        ("Joan", "personReporting"),
    ]
    assert report.location is not None and report.location.postcode == "WF1 1AB"
    assert list(report.vehicles.values_list("vrm", flat=True)) == ["YX21ABC"]
    reporter = report.involvements.get(role="personReporting").person
    assert reporter.phone == "+441134960000"
    assert report.weapon_involved is True and report.victim_vulnerable is None

    item = WorkItem.objects.get(report=report)
    assert item.status == WorkStatus.QUEUED
    assert item.grade == report.assessments.get().grade == "P2"

    receipt = client.get(response["Location"])
    assert report.reference.encode() in receipt.content


def test_the_raw_submission_is_kept_as_content_addressed_evidence(client: Client) -> None:
    data = form_data()
    client.post("/report/", data)
    submission = Submission.objects.get()
    stored = blob_path(submission.raw.sha256).read_bytes()
    assert hashlib.sha256(stored).hexdigest() == submission.raw.sha256
    envelope = json.loads(stored)
    assert envelope["form"]["description"] == data["description"]
    assert "csrfmiddlewaretoken" not in envelope["form"]
    assert envelope["form"]["postcode"] == "wf1 1ab"  # as typed, before normalising
    # The form road builds the same SDM document the Standard API receives.
    assert submission.payload == envelope["sdm"]
    assert submission.payload["data"]["attributes"]["incidentDescription"] == data["description"]


def test_submitting_the_same_form_twice_files_one_report(client: Client) -> None:
    data = form_data()
    first = client.post("/report/", data)
    second = client.post("/report/", data)
    assert first["Location"] == second["Location"]
    assert Report.objects.count() == 1
    assert WorkItem.objects.count() == 1


def test_bad_answers_are_explained_and_nothing_is_stored(client: Client) -> None:
    response = client.post(
        "/report/",
        form_data(
            postcode="QQ1 1QQ",
            vehicle_vrm="NOT A PLATE",
            victim_given_name="",
            victim_family_name="",
        ),
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "There is a problem" in body
    assert 'href="#id_postcode"' in body
    assert "is not a valid UK postcode" in body
    assert "is not a UK vehicle registration" in body
    assert "Tell us the victim&#x27;s name." in body
    assert Report.objects.count() == 0 and Submission.objects.count() == 0


def test_a_future_date_is_refused(client: Client) -> None:
    response = client.post("/report/", form_data(occurred_date="2999-01-01"))
    assert "The date cannot be in the future." in response.content.decode()


@pytest.mark.parametrize(
    "how_involved", ["victim", "witness", "on_behalf_of_victim", "on_behalf_of_business"]
)
@pytest.mark.parametrize("suspect_known", ["unknown", "described", "known"])
def test_every_answer_path_builds_a_document_the_national_model_accepts(
    client: Client, how_involved: str, suspect_known: str
) -> None:
    data = form_data(how_involved=how_involved, suspect_known=suspect_known, victim_under_18="yes")
    response = client.post("/report/", data)
    assert response.status_code == 302, response.content.decode()[:500]
    report = Report.objects.get()
    assert report.how_involved == how_involved and report.suspect_known == suspect_known
