"""The review screen's evidence: linked history, duplicates and merging, attachments, and who
may see what."""

import datetime as dt

import pytest
from django.utils import timezone

from peel.accounts.models import Team
from peel.audit.actors import Robot
from peel.audit.models import AccessEvent, AuditEvent
from peel.intake.email import accept_email, build_report_email
from peel.process.testing import file_report
from peel.reports.actions import do_restrict_report
from peel.reports.choices import ReportStatus
from peel.reports.drafts import LocationDraft, PersonDraft
from peel.review.actions import do_merge_reports, do_record_decision, do_unmerge
from peel.review.duplicates import possible_duplicates
from peel.review.linked import linked_records
from peel.review.testing import decision_input
from peel.sdm.samples import sample_document
from peel.workqueue.actions import do_get_work, do_record_breaches
from peel.workqueue.models import WorkItem, WorkStatus

pytestmark = pytest.mark.django_db


def person(**fields):
    return PersonDraft(roles=["personReporting", "victim"], given_name="Amira", **fields)


def test_linked_history_lists_each_persons_other_reports_and_logs_the_reads(operator) -> None:
    earlier = [file_report(description=f"Earlier report {n}") for n in range(3)]
    file_report(people=[person(family_name="Other", email="someone.else@example.org")])
    report = file_report()
    history = linked_records(operator, report)
    victim = history[0]
    assert victim.label == "Person reporting and Victim: Amira Khan"
    assert {r.report for r in victim.records} == set(earlier)
    assert victim.matched_on == "email"
    place = next(h for h in history if h.label.startswith("Place"))
    assert len(place.records) == 4  # every report here was at 1 Park Row, LS1 5HD
    logged = set(
        AccessEvent.objects.filter(purpose=f"linked history of {report.reference}").values_list(
            "object_id", flat=True
        )
    )
    assert {str(r.pk) for r in earlier} <= logged


def test_restricted_reports_are_counted_not_shown(operator, supervisor) -> None:
    hidden = file_report(description="About a colleague")
    do_restrict_report(supervisor, hidden, Team.objects.get(slug="safeguarding-hub"), "Staff")
    report = file_report()
    victim = linked_records(operator, report)[0]
    assert hidden not in {r.report for r in victim.records}
    assert victim.withheld == 1


def test_an_operator_cannot_see_another_teams_restricted_report(
    staff_client, supervisor, safeguarding_officer
) -> None:
    report = file_report()
    do_restrict_report(supervisor, report, Team.objects.get(slug="safeguarding-hub"), "Staff")
    item = WorkItem.objects.get(report=report)
    assert item.team.slug == "safeguarding-hub"  # its work went with it
    client = staff_client(supervisor)  # may read any report, but is not in the hub
    assert client.get(f"/staff/reports/{report.pk}/").status_code == 403
    client = staff_client(safeguarding_officer)
    assert client.get(f"/staff/reports/{report.pk}/").status_code == 200


def test_a_second_report_of_the_same_incident_is_offered_then_merged_and_unmerged(
    operator, monkeypatch
) -> None:
    first = file_report(occurred_from=timezone.now() - dt.timedelta(hours=3))
    second = file_report(occurred_from=timezone.now() - dt.timedelta(hours=2))
    file_report(occurred_from=timezone.now() - dt.timedelta(days=5))  # same victim, other day
    item = do_get_work(operator)
    assert item is not None
    kept = item.report
    other = second if kept == first else first
    found = possible_duplicates(operator, kept)
    assert [c.report for c in found] == [other]
    assert found[0].reasons == [
        "same victim or reporter", "same address", "happened at about the same time",
    ]  # fmt: skip
    merge = do_merge_reports(operator, kept, other, "Same bike, same evening")
    other.refresh_from_db()
    assert (other.status, other.merged_into) == (ReportStatus.MERGED, kept)
    cancelled = WorkItem.objects.get(report=other)
    assert cancelled.status == WorkStatus.CANCELLED and not cancelled.deadlines.exists()
    # Cancelled work never breaches, however long it waits.
    assert do_record_breaches(timezone.now() + dt.timedelta(days=3)) >= 0
    assert not AuditEvent.objects.filter(
        action="work.deadline_breached", object_id=str(cancelled.pk)
    ).exists()
    assert possible_duplicates(operator, kept) == []
    do_unmerge(operator, merge.pk, "Different bikes after all")
    other.refresh_from_db()
    assert (other.status, other.merged_into) == (ReportStatus.RECEIVED, None)
    assert WorkItem.objects.filter(report=other, status=WorkStatus.QUEUED).count() == 1
    actions = AuditEvent.objects.filter(object_id=str(other.pk), object_type="reports.report")
    assert {"review.merged", "review.unmerged"} <= set(actions.values_list("action", flat=True))


def test_a_decided_report_cannot_be_merged(operator) -> None:
    a, b = file_report(), file_report()
    item = do_get_work(operator)
    assert item is not None
    do_record_decision(operator, item, decision_input())
    decided = item.report
    other = b if decided == a else a
    item2 = do_get_work(operator)
    assert item2 is not None and item2.report == other
    with pytest.raises(ValueError, match="already has a decision"):
        do_merge_reports(operator, other, decided, "same")


def test_an_operator_may_merge_only_a_report_offered_to_them(staff_client, operator) -> None:
    file_report()
    unrelated = file_report(
        people=[person(family_name="Jones", email="j@example.org")],
        location=LocationDraft(address_line="9 Kirkgate", town="Leeds", postcode="LS2 7DJ"),
    )
    item = do_get_work(operator)
    assert item is not None and item.report != unrelated
    client = staff_client(operator)
    response = client.post(
        f"/staff/work/{item.pk}/merge/", {"duplicate": unrelated.pk, "reason": "guess"}
    )
    assert response.status_code == 403
    unrelated.refresh_from_db()
    assert unrelated.merged_into is None


def test_the_emails_pdf_opens_in_the_page_and_each_read_is_logged(staff_client, operator):
    raw = build_report_email(sample_document(seed=11))
    assert accept_email(Robot("test"), raw).ok
    item = do_get_work(operator)
    assert item is not None and item.report is not None
    client = staff_client(operator)
    page = client.get(f"/staff/work/{item.pk}/").content.decode()
    assert 'data-testid="pdf-frame"' in page
    pdf_number = 2  # report.json, report.pdf, service information
    response = client.get(f"/staff/reports/{item.report.pk}/attachments/{pdf_number}/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert response["X-Frame-Options"] == "SAMEORIGIN"
    assert AccessEvent.objects.filter(purpose=f"attachment {pdf_number}").count() == 1
    json_response = client.get(f"/staff/reports/{item.report.pk}/attachments/1/")
    assert json_response["Content-Type"] == "application/octet-stream"  # never rendered


def test_someone_not_holding_the_report_cannot_open_its_attachments(
    staff_client, operator, other_operator
) -> None:
    assert accept_email(Robot("test"), build_report_email(sample_document(seed=12))).ok
    item = do_get_work(operator)
    assert item is not None and item.report is not None
    client = staff_client(other_operator)
    assert client.get(f"/staff/reports/{item.report.pk}/attachments/2/").status_code == 403
    assert client.get(f"/staff/reports/{item.report.pk}/rendering/").status_code == 403


def test_a_web_report_offers_a_pdf_rendering(staff_client, operator) -> None:
    import json

    from peel.intake.pipeline import accept_json
    from peel.reports.choices import Channel

    assert accept_json(Robot("t"), Channel.API, json.dumps(sample_document(seed=5)).encode()).ok
    item = do_get_work(operator)
    assert item is not None and item.report is not None
    client = staff_client(operator)
    response = client.get(f"/staff/reports/{item.report.pk}/rendering/")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")


def test_an_analyst_cannot_decide(staff_client, operator, analyst) -> None:
    file_report()
    item = do_get_work(operator)
    assert item is not None
    client = staff_client(analyst)
    response = client.post(f"/staff/work/{item.pk}/", {"outcome": "crime"})
    assert response.status_code == 403
    with pytest.raises(PermissionError):
        do_record_decision(analyst, item, decision_input())
    assert client.get("/staff/quality/").status_code == 403
