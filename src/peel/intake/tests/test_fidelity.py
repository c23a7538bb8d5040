"""What a member of the public typed reaches every place a person reads it, unchanged.

One example per defect found by trying Peel as a new user: the time of a domestic-abuse report,
free text from later pages, "under 18: No", and codes shown instead of words.
"""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
from django.test import Client

from peel.intake.pipeline import file_pending
from peel.intake.tests.walker import send_report
from peel.process.testing import api_client_headers
from peel.reports.models import Report
from peel.review.actions import do_record_decision
from peel.review.robot_handover import decision_record
from peel.review.testing import decision_input
from peel.robots.record import canonical_record
from peel.sdm.builder import SdmBuilder
from peel.sdm.destinations import CONTACT, OTHER, destination, fact_destination
from peel.sdm.document import SCHEMA_BY_KIND
from peel.sdm.schemas import national_schemas
from peel.sdm.when import read_clock
from peel.workqueue.actions import do_get_work

pytestmark = pytest.mark.django_db

WELFARE = "hiding with her 3-year-old, he has hit her before"
DOMESTIC_ABUSE = {
    "immediateDanger": "no", "incidentStillHappening": "no", "hadWeapon": "no",
    "childPresent": "yes", "incidentInfluencedByDrugsOrAlcohol": "yes",
    "howInvolvedInCrime": "IVLD_0001",
    "reporterGivenName": "Dana", "reporterSurname": "Cole",
    "under18": "no", "disability": "no", "riskOfBeingVictimOfDomesticAbuse": "yes",
    "riskOfSelfHarm": "no", "welfareRisk": "yes", "welfareRiskDetails": WELFARE,
    "crimeType": "Violence", "incidentDescription": "My partner pushed me into the door.",
    "incidentApproximateDate": "2026-07-14", "incidentApproximateTime": "10pm",
    "stolenItemType": ["SITP_0002"],
    "bicycleType": "BICT_0017", "bicycleColour": "PCLR_0003", "bicycleMake": "Raleigh",
    "bicycleFrameNumber": "",
    "anythingDamaged": "yes", "damagedPropertyDescription": "The front door",
    "damagedPropertyDamageDescription": "Splintered frame, lock hanging off",
    "suspectKnown": "SKWN_0003", "suspectGivenName": "Lee", "suspectSurname": "Cole",
    "suspectDescriptionKnown": "",
    "incidentAnyWitnesses": "no", "mobileMake": "",
}  # fmt: skip


@pytest.fixture(autouse=True)
def _people_take_their_time(settings: Any) -> None:
    settings.PEEL = {**settings.PEEL, "FORM_MIN_SECONDS": 0}


def screens(operator: Any, supervisor: Any, report: Report) -> tuple[str, str, dict[str, str]]:
    """The review screen for the operator holding it, the report page, the robot record."""
    item = do_get_work(operator)
    assert item is not None and item.report_id == report.pk
    staff = Client()
    staff.force_login(operator)  # Client.login gives no request: the lockout check needs one
    review = staff.get(f"/staff/work/{item.pk}/").content.decode()
    staff.force_login(supervisor)
    page = staff.get(f"/staff/reports/{report.pk}/").content.decode()
    decision = do_record_decision(operator, item, decision_input())
    return html.unescape(review), html.unescape(page), canonical_record(decision_record(decision))


def test_a_10pm_domestic_abuse_report_shows_22_00_and_the_reporters_words_everywhere(
    client: Client, operator: Any, supervisor: Any
) -> None:
    send_report(client, **DOMESTIC_ABUSE)
    report = Report.objects.get()
    assert report.occurred_from is not None
    assert f"{report.occurred_from.astimezone(dt_utc()):%H:%M}" == "21:00"  # BST: 22:00 local
    review, page, record = screens(operator, supervisor, report)
    for screen in (review, page):
        assert "Tue 14 Jul 2026 22:00" in screen
        # No invented noon on the day it happened (other times on the page, deadlines, may be 12:00).
        assert not re.search(r"14 Jul[^<\n]*12:00", screen)
        assert "the reporter said: " in screen and "10pm" in screen
    assert record["occurred_date"] == "2026-07-14" and record["occurred_time"] == "22:00"
    assert "When: Tue 14 Jul 2026 22:00 (the reporter said: 2026-07-14, 10pm)" in record["details"]


def test_free_text_from_later_pages_reaches_the_screens_and_the_record(
    client: Client, operator: Any, supervisor: Any
) -> None:
    send_report(client, **DOMESTIC_ABUSE)
    review, page, record = screens(operator, supervisor, Report.objects.get())
    for text in (review, page, record["details"]):
        assert WELFARE in text
        assert "Splintered frame, lock hanging off" in text
        assert "Raleigh" in text


def test_under_18_no_is_no_and_codes_are_words(
    client: Client, operator: Any, supervisor: Any
) -> None:
    send_report(client, **DOMESTIC_ABUSE)
    report = Report.objects.get()
    assert report.victim_under_18 is False
    review, page, _record = screens(operator, supervisor, report)
    schemas = national_schemas()
    bicycle = schemas.value_list("models/object/bicycle.json", "bicycleType")["BICT_0017"]
    colour = schemas.value_list("models/object/bicycle.json", "bicycleColour")["PCLR_0003"]
    for screen in (review, page):
        assert "Victim under 18: <strong>No</strong>" in screen
        assert "BICT_0017" not in screen and "PCLR_0003" not in screen
        assert f"{html.unescape(bicycle)} {html.unescape(colour)}" in screen
        assert "riskOfBeingVictimOfDomesticAbuse" not in screen
        assert "Risk of being victim of domestic abuse" in screen
        assert "Stolen: bicycle" in screen and "Damaged: property" in screen
        # Asked on the form since a new user found no way to say a child was there.
        assert "Child present: <strong>Yes</strong>" in screen
        assert "Drugs or alcohol involved: <strong>Yes</strong>" in screen


def test_a_victim_who_answered_no_to_every_vulnerability_question_is_not_vulnerable(
    client: Client,
) -> None:
    answers = {"under18": "no", "disability": "no", "riskOfBeingVictimOfDomesticAbuse": "no",
               "riskOfSelfHarm": "no", "welfareRisk": "no", "welfareRiskDetails": ""}  # fmt: skip
    send_report(client, **{**DOMESTIC_ABUSE, **answers})
    assert Report.objects.get().victim_vulnerable is False


def test_a_blank_vulnerability_answer_is_not_a_no(client: Client) -> None:
    answers = {"under18": "no", "disability": "", "riskOfBeingVictimOfDomesticAbuse": "",
               "riskOfSelfHarm": "", "welfareRisk": "", "welfareRiskDetails": ""}  # fmt: skip
    send_report(client, **{**DOMESTIC_ABUSE, **answers})
    assert Report.objects.get().victim_vulnerable is None


def test_a_date_only_report_has_no_time_on_any_screen_or_record(
    client: Client, operator: Any, supervisor: Any
) -> None:
    send_report(client, **{**DOMESTIC_ABUSE, "incidentApproximateTime": "last night"})
    report = Report.objects.get()
    review, page, record = screens(operator, supervisor, report)
    for screen in (review, page):
        assert "Tue 14 Jul 2026 (no time given)" in screen and "00:00" not in screen
        assert "last night" in screen
    assert record["occurred_date"] == "2026-07-14" and record["occurred_time"] == ""
    assert (
        "When: Tue 14 Jul 2026 (no time given) (the reporter said: 2026-07-14, last night)"
        in (record["details"])
    )


def test_an_api_time_with_an_offset_is_kept_as_given_and_shown_in_london(client: Client) -> None:
    doc = SdmBuilder("fidelity-offset", {"incidentDescription": "Shed broken into"})
    doc.incident["incidentStartDateTime"] = "2026-01-10T23:30:00-05:00"  # 04:30 GMT next day
    response = client.post(
        "/process", json_body(doc.as_dict()), content_type="application/json",
        headers=api_client_headers(),
    )  # fmt: skip
    assert response.status_code in (200, 201, 202), response.content
    file_pending()
    report = Report.objects.get()
    assert report.occurred_given == {"incidentStartDateTime": "2026-01-10T23:30:00-05:00"}
    from peel.reports.display import occurred_derived

    assert occurred_derived(report) == "Sun 11 Jan 2026 04:30"


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        ("10pm", ("22:00", None)),
        ("at about 10pm", ("22:00", None)),
        ("between 9 and 11pm", ("21:00", "23:00")),
        ("11pm to 2am", ("23:00", "02:00")),
        ("22:15", ("22:15", None)),
        ("10.30 p.m.", ("22:30", None)),
        ("noon", ("12:00", None)),
        ("last night", None),
        ("at 9", None),  # morning or evening: not Peel's to guess
        ("25:00", None),
    ],
)
def test_the_reporters_time_words_are_read_only_when_they_say_a_time(
    words: str, expected: Any
) -> None:
    clock = read_clock(words)
    got = None if clock is None else tuple(f"{t:%H:%M}" if t else None for t in clock)
    assert got == expected


def test_every_attribute_of_every_accepted_schema_and_every_form_fact_has_a_destination() -> None:
    from peel.intake.wizard import load_definition, schema_path
    from peel.reports import models as report_models

    schemas = national_schemas()
    counted = 0
    for path in sorted(set(SCHEMA_BY_KIND.values())):
        for name in schemas.known_properties(path):
            where = destination(path, name).where
            counted += 1
            if where in (OTHER, CONTACT):
                continue
            model, field = where.split(" ", 1)[0].split(".")
            assert getattr(report_models, model)._meta.get_field(field), where
    assert counted == 979  # the national schemas Peel accepts, attribute by attribute
    questions = [q for page in load_definition().pages for q in page.questions]
    for question in questions:
        if question.slot == "fact":
            assert fact_destination(question.attribute) is not None, question.name
            continue
        for involvement in ("IVLD_0001", "IVLD_0002", "IVLD_0003"):  # the reporter's kinds
            path = schema_path(question, {"howInvolvedInCrime": involvement})
            assert question.attribute in schemas.known_properties(path), question.name
            assert destination(path, question.attribute).where, question.name
    assert len(questions) == 69  # every answer of the public form


def json_body(body: Any) -> str:
    import json

    return json.dumps(body)


def dt_utc() -> Any:
    import datetime as dt

    return dt.UTC
