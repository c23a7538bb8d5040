"""The public online crime report: pages that apply, answers checked, one SDM document filed."""

from __future__ import annotations

import csv
import hashlib
import json
from typing import Any

import pytest
from django.test import Client

from peel.evidence.store import blob_path
from peel.intake.models import QuarantineItem, Submission
from peel.intake.tests.walker import ANSWERS, answer_pages, send_report
from peel.intake.wizard import load_definition, schema_path
from peel.reports.models import Item, Report
from peel.sdm.schemas import NATIONAL_DIR, national_schemas
from peel.workqueue.models import WorkItem, WorkStatus

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _people_take_their_time(settings: Any) -> None:
    settings.PEEL = {**settings.PEEL, "FORM_MIN_SECONDS": 0}


def test_the_form_needs_no_login_and_starts_with_the_risk_questions(client: Client) -> None:
    response = client.get("/report/", follow=True)
    page = response.content.decode()
    assert response.status_code == 200 and "Is anyone in immediate danger?" in page
    assert "call 999 now" in page and "press 55" in page
    assert "Exit this page" in page and 'href="/privacy/"' in page


def test_the_form_shows_no_step_count_that_could_change_as_branches_appear(
    client: Client,
) -> None:
    answer_pages(client, stolenItemType=["SITP_0001", "SITP_0002", "SITP_0006"],
                 bankCardIssuingBank="Bank of Leeds", stolenVehicleVrm="AB12 CDE")  # fmt: skip
    definition = load_definition()
    for page in definition.pages:
        body = client.get(f"/report/{page.id}/").content.decode()
        if page.show_if and "Report a crime</p>" not in body:
            continue  # a branch these answers do not take (redirected to the start)
        assert "Report a crime</p>" in body and " of " not in body.split("<h1>")[0], page.id


def test_a_full_report_becomes_a_canonical_report_on_the_queue(client: Client) -> None:
    response = send_report(client)
    report = Report.objects.get()
    assert response["Location"] == "/report/receipt/"
    assert report.reference in client.get("/report/receipt/").content.decode()
    assert report.channel == "web" and report.how_involved == "on_behalf_of_victim"
    assert report.weapon_involved is True and report.immediate_danger is False
    assert report.victim_under_18 is True and report.threat_or_assault is True
    assert report.location is not None and report.location.postcode == "WF1 1AB"
    roles = {(i.person.given_name, i.role) for i in report.involvements.select_related("person")}
    assert roles == {
        ("Joan", "personReporting"),
        ("Alfie", "victim"),
        ("", "unknownSuspect"),
        ("Priya", "witness"),
    }
    joan = report.involvements.get(role="personReporting").person
    assert joan.email == "joan.barker@example.org" and joan.phone == "+441134960000"
    items = {(i.kind, i.link_reason) for i in Item.objects.filter(report=report)}
    assert items == {
        ("mobile", "stolen"),
        ("property", "damaged"),
        ("vehicle", "damaged"),
        ("evidence", "incidentEvidence"),
    }
    assert list(report.vehicles.values_list("vrm", flat=True)) == ["YX21ABC"]
    assert WorkItem.objects.get(report=report, kind="review_report").status == WorkStatus.QUEUED
    # A child victim: triage also asks the safeguarding hub to look.
    assert (
        WorkItem.objects.get(report=report, kind="safeguarding_referral").team.slug
        == "safeguarding-hub"
    )


def test_no_evidence_makes_no_item_of_evidence(client: Client) -> None:
    """Found by a new user: "Is there any evidence?" "No" showed (and went to the legacy
    record) as an item of incident evidence. The answer itself is still shown."""
    send_report(client, evidenceAtScene="no", evidenceAtSceneDetails="")
    report = Report.objects.get()
    assert not Item.objects.filter(report=report, link_reason="incidentEvidence").exists()
    evidence = [o for o in report.other_information if "evidence" in o["label"].lower()]
    assert [o["value"] for o in evidence] == ["No"], report.other_information


def test_the_answers_and_the_document_are_kept_as_evidence(client: Client) -> None:
    send_report(client)
    submission = Submission.objects.get()
    stored = blob_path(submission.raw.sha256).read_bytes()
    assert hashlib.sha256(stored).hexdigest() == submission.raw.sha256
    envelope = json.loads(stored)
    assert envelope["form"]["definition"] == load_definition().version
    assert envelope["form"]["answers"]["postcode"] == "WF1 1AB"
    assert submission.payload == envelope["sdm"]  # the same kind of document the hub sends
    attributes = submission.payload["data"]["attributes"]
    assert attributes["incidentDescription"] == ANSWERS["incidentDescription"]
    assert attributes["incidentInvolvement"] == "IVLD_0003"


def test_pages_appear_only_when_they_apply(client: Client) -> None:
    visited = answer_pages(
        client, howInvolvedInCrime="IVLD_0002", suspectKnown="SKWN_0001", stolenItemType=[],
        anythingDamaged="no", incidentAnyWitnesses="no",
    )  # fmt: skip
    for skipped in (
        "victim",
        "vulnerability",
        "suspect-known",
        "suspect-described",
        "stolen-mobile",
        "damage-details",
        "witness",
    ):
        assert skipped not in visited
    assert client.post("/report/check/").status_code == 302
    report = Report.objects.get()
    assert set(report.involvements.values_list("role", flat=True)) == {"personReporting", "witness"}
    assert (
        report.suspect_known == "unknown" and not Item.objects.filter(link_reason="stolen").exists()
    )


def test_answers_on_pages_that_no_longer_apply_are_not_sent(client: Client) -> None:
    answer_pages(client)  # on behalf of Alfie...
    client.post(
        "/report/involvement/?return=check", {"howInvolvedInCrime": "IVLD_0001"}
    )  # ...no: I am the victim
    assert client.post("/report/check/").status_code == 302
    report = Report.objects.get()
    names = set(report.involvements.values_list("person__given_name", flat=True))
    assert "Alfie" not in names and report.how_involved == "victim"
    reporter = report.involvements.get(role="victim").person
    assert reporter.given_name == "Joan" and "under18" in reporter.vulnerabilities


def test_check_your_answers_lists_them_with_change_links(client: Client) -> None:
    answer_pages(client)
    page = client.get("/report/check/").content.decode()
    assert (
        "Samsung" in page
        and "Mobile phone or tablet" in page
        and "No, but I can describe them" in page
    )
    assert 'href="/report/where/?return=check"' in page


def test_sending_twice_files_one_report(client: Client) -> None:
    first = send_report(client)
    second = client.post("/report/check/")
    assert first.status_code == 302 and second["Location"].startswith("/report/")
    assert (
        Report.objects.count() == 1 and WorkItem.objects.filter(kind="review_report").count() == 1
    )


def test_bad_answers_are_explained_next_to_the_question(client: Client) -> None:
    answer_pages(client)
    response = client.post(
        "/report/where/", {"street": "", "cityOrTown": "Wakefield", "postcode": "QQ1 1QQ"}
    )
    body = response.content.decode()
    assert response.status_code == 400 and "There is a problem" in body
    assert 'href="#id_postcode">Enter a real postcode, like LS1 4AP' in body
    assert 'href="#id_street">Enter the street address where it happened</a>' in body
    response = client.post(
        "/report/what-happened/",
        {
            **{k: ANSWERS[k] for k in ("crimeType", "incidentDescription")},
            "incidentApproximateDate": "2999-01-01",
        },
    )
    assert "The date must be today or in the past" in response.content.decode()
    assert Report.objects.count() == 0 and Submission.objects.count() == 0


def test_a_radio_question_error_links_to_its_first_option(client: Client) -> None:
    client.get("/report/")
    body = client.post("/report/safety/", {}).content.decode()
    assert 'href="#id_immediateDanger_0"' in body


@pytest.mark.parametrize("how_involved", ["IVLD_0001", "IVLD_0002", "IVLD_0003", "IVLD_0004"])
@pytest.mark.parametrize("suspect_known", ["SKWN_0001", "SKWN_0002", "SKWN_0003"])
def test_every_answer_path_builds_a_document_the_national_model_accepts(
    client: Client, how_involved: str, suspect_known: str
) -> None:
    response = send_report(client, howInvolvedInCrime=how_involved, suspectKnown=suspect_known, suspectGivenName="Kev",
                           stolenItemType=["SITP_0001", "SITP_0002", "SITP_0005", "SITP_0006"], bankCardIssuingBank="Bank of Leeds",
                           bicycleType="BICT_0003", bicycleColour="PCLR_0003", stolenVehicleVrm="AB12 CDE",
                           stolenVehicleMake="VMLT_0001", otherItemDescription="A leather wallet")  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:500]
    assert QuarantineItem.objects.count() == 0
    assert Item.objects.filter(link_reason="stolen").count() == 4


def _mapped_soh_fields() -> set[str]:
    fields = set()
    for path in (NATIONAL_DIR / "docs" / "simplifiedMapping" / "SOH").glob("*.csv"):
        with path.open(newline="", encoding="utf-8") as handle:
            fields |= {row["Source SOH Field"] for row in csv.DictReader(handle)}
    return fields


def test_the_form_definition_conforms_to_the_national_mappings_and_schemas() -> None:
    definition = load_definition()
    ids = [p.id for p in definition.pages]
    assert len(ids) == len(set(ids)) and not {"check", "receipt", "status"} & set(ids)
    soh = _mapped_soh_fields()
    schemas = national_schemas()
    for page in definition.pages:
        for question in page.questions:
            if question.soh:
                assert question.soh in soh, (
                    f"{question.name}: {question.soh} is not in the SDM mappings"
                )
            if question.slot != "fact":
                for involvement in ("IVLD_0001", "IVLD_0003"):
                    path = schema_path(question, {"howInvolvedInCrime": involvement})
                    assert question.attribute in schemas.known_properties(path), question.target
