"""What a decision records and sets in motion, and what the reporter is then told."""

import re

import pytest
from django.test import Client

from peel.process.testing import file_report
from peel.review.actions import DecisionError, do_answer_info_request, do_record_decision
from peel.review.choices import CrimeStatus, NextAction, Outcome
from peel.review.models import CrimeRecord, Decision, InfoRequest
from peel.review.testing import decision_input
from peel.workqueue.actions import do_get_work
from peel.workqueue.models import WorkItem, WorkKind, WorkStatus

pytestmark = pytest.mark.django_db
REPORTER = {"reference": "", "email": "amira.khan@example.org"}


def decide(operator, **changes):
    item = do_get_work(operator)
    assert item is not None
    return do_record_decision(operator, item, decision_input(**changes))


def status_page(client: Client, reference: str, **extra: str) -> str:
    response = client.post("/report/status/", {**REPORTER, "reference": reference, **extra})
    return response.content.decode()


def test_a_crime_gets_a_number_and_the_victim_sees_it_with_the_message(operator, client) -> None:
    report = file_report()
    decision = decide(
        operator, offence_code="44", opening_code="108", closing_code="108",
        crime_flags=["online"], qualifiers=["VU"],
        victim_message="Please send us the <b>frame number</b> if you find it.",
    )  # fmt: skip
    crime = CrimeRecord.objects.get(report=report)
    assert re.fullmatch(r"CR-\d{7}-\d\d", crime.crime_number or "")
    assert (crime.offence_code, crime.classification) == ("44", "Theft offences: Bicycle theft")
    assert (decision.crime, decision.offence_description) == (
        crime, "Theft or unauthorised taking of a pedal cycle",
    )  # fmt: skip
    assert decision.qualifiers == [{"code": "VU", "label": "Vulnerable person"}]
    assert decision.within_clock
    page = status_page(client, report.reference)
    assert "Recorded as a crime" in page and crime.crime_number in page
    assert "Please send us the &lt;b&gt;frame number&lt;/b&gt;" in page  # staff text, escaped


def test_no_crime_tells_the_victim_why_and_gives_no_number(operator, client) -> None:
    report = file_report()
    decide(operator, outcome=Outcome.NOT_A_CRIME)
    page = status_page(client, report.reference)
    assert "Closed: no crime recorded" in page
    assert "This is a civil matter between you and the other party." in page
    assert "crime number" not in page.lower()
    assert not CrimeRecord.objects.exists()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"offence_code": ""}, "offence_code"),
        ({"offence_code": "28A"}, "offence_code"),  # outcome-only code: not for new crimes
        ({"opening_code": "999"}, "opening_code"),
        ({"closing_code": ""}, "closing_code"),
        ({"qualifiers": ["XX"]}, "qualifiers"),
        ({"actions": []}, "actions"),
        ({"actions": ["resolve", "deploy"], "deploy_grade": "P2"}, "actions"),
        ({"actions": ["nfa"]}, "action_rationale"),
        ({"actions": ["deploy"]}, "deploy_grade"),
        ({"actions": ["refer"]}, "referral_grade"),
        ({"actions": ["request_info"]}, "info_request"),
    ],
)
def test_a_bad_decision_names_the_field_and_changes_nothing(operator, changes, field) -> None:
    file_report()
    item = do_get_work(operator)
    assert item is not None
    with pytest.raises(DecisionError) as raised:
        do_record_decision(operator, item, decision_input(**changes))
    assert field in raised.value.problems
    item.refresh_from_db()
    assert item.status == WorkStatus.ALLOCATED
    assert not Decision.objects.exists() and not CrimeRecord.objects.exists()


def test_only_a_crime_goes_to_the_investigation_unit(operator) -> None:
    file_report()
    item = do_get_work(operator)
    assert item is not None
    with pytest.raises(DecisionError, match="Only a recorded crime"):
        do_record_decision(
            operator, item, decision_input(Outcome.NOT_A_CRIME, actions=[NextAction.INVESTIGATE])
        )


def test_each_follow_up_creates_its_work_for_the_right_team(operator) -> None:
    report = file_report()
    decide(
        operator,
        actions=[NextAction.DEPLOY, NextAction.INVESTIGATE, NextAction.REFER],
        deploy_grade="P2",
        referral_grade="AMBER",
    )
    review_grade = WorkItem.objects.get(report=report, kind=WorkKind.REVIEW_REPORT).grade
    follow_ups = {
        i.kind: (i.grade, i.team.slug, i.status)
        for i in WorkItem.objects.filter(report=report).exclude(kind=WorkKind.REVIEW_REPORT)
    }
    assert follow_ups == {
        WorkKind.DEPLOYMENT: ("P2", "despatch", WorkStatus.QUEUED),
        WorkKind.CRIME_INVESTIGATION: (review_grade, "investigation", WorkStatus.QUEUED),
        WorkKind.SAFEGUARDING_REFERRAL: ("AMBER", "safeguarding-hub", WorkStatus.QUEUED),
    }
    crime = CrimeRecord.objects.get()
    summary = WorkItem.objects.get(kind=WorkKind.CRIME_INVESTIGATION).summary
    assert crime.crime_number in summary


def test_the_reporter_answers_a_question_and_the_report_comes_back(
    staff_client, operator, client
) -> None:
    report = file_report()
    decide(
        operator, actions=[NextAction.REQUEST_INFO],
        info_request="What colour was the bike, and was it locked?",
    )  # fmt: skip
    page = status_page(client, report.reference)
    assert "What colour was the bike, and was it locked?" in page
    page = status_page(client, report.reference, answer="Red, and <i>yes</i>, with a D-lock.")
    assert "We have your answer" in page
    request = InfoRequest.objects.get()
    assert request.answer == "Red, and <i>yes</i>, with a D-lock."
    again = WorkItem.objects.get(report=report, kind=WorkKind.REVIEW_REPORT, status="queued")
    assert again.summary == "The reporter answered a request for information."
    with pytest.raises(ValueError, match="not asked you anything"):
        do_answer_info_request(report, "More")
    # The operator who takes it sees the answer, escaped.
    item = do_get_work(operator)
    assert item == again
    client = staff_client(operator)
    body = client.get(f"/staff/work/{item.pk}/").content.decode()
    assert "Red, and &lt;i&gt;yes&lt;/i&gt;, with a D-lock." in body


def test_a_second_decision_reclassifies_then_cancels_the_crime(operator, supervisor) -> None:
    from peel.review.actions import do_sample_decisions, do_send_back

    report = file_report()
    first = decide(operator, offence_code="49")
    number = first.crime.crime_number
    check = do_sample_decisions(supervisor, 1, first.decided_at)[0]
    do_send_back(supervisor, check.pk, "This is a pedal cycle theft.")
    second = decide(operator, offence_code="44")
    first.refresh_from_db()
    assert first.superseded_at is not None and second.superseded_at is None
    crime = CrimeRecord.objects.get(report=report)
    assert (crime.crime_number, crime.offence_code) == (number, "44")
    check = do_sample_decisions(supervisor, 1, first.decided_at)[0]
    do_send_back(supervisor, check.pk, "No offence: the bike was borrowed.")
    decide(operator, outcome=Outcome.NOT_A_CRIME)
    crime.refresh_from_db()
    assert crime.status == CrimeStatus.CANCELLED and crime.crime_number == number
